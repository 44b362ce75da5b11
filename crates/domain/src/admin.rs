//! What the admin console shows and edits.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::identity::Role;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserAdminView {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub rm_id: Option<i32>,
    pub rm_name: Option<String>,
    pub strategy_ids: Vec<i32>,
    pub is_active: bool,
    pub mfa_enabled: bool,
    pub locked: bool,
    pub password_set: bool,
    pub last_login_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RmView {
    pub rm_id: i32,
    pub name: String,
    pub email: Option<String>,
    pub team_id: Option<i32>,
    pub team_name: Option<String>,
    pub is_active: bool,
    pub clients: i64,
    pub linked_user: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamView {
    pub team_id: i32,
    pub name: String,
    pub lead_rm_id: Option<i32>,
    pub lead_name: Option<String>,
    pub members: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrategyView {
    pub strategy_id: i32,
    pub code: String,
    pub name: String,
    pub category: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RolePolicyView {
    pub role: Role,
    pub mfa_required: bool,
}

/// The firm's branding: name, colours, the report disclaimer, and whether a logo is set
/// (served at `/branding/logo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Branding {
    pub firm_name: String,
    pub primary_colour: String,
    pub accent_colour: String,
    pub disclaimer: String,
    pub has_logo: bool,
    pub updated_at: DateTime<Utc>,
}

impl Branding {
    /// Checks colours are `#rrggbb` and the texts are present and sensible.
    pub fn validate(&self) -> Result<(), String> {
        let hex = |c: &str| {
            c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit())
        };
        if self.firm_name.trim().is_empty() || self.firm_name.chars().count() > 120 {
            return Err("The firm name is required (at most 120 characters).".into());
        }
        if !hex(&self.primary_colour) || !hex(&self.accent_colour) {
            return Err("Colours are written #rrggbb, e.g. #0f2a4a.".into());
        }
        if self.disclaimer.chars().count() > 4000 {
            return Err("The disclaimer is at most 4,000 characters.".into());
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiClientView {
    pub client_id: String,
    pub name: String,
    pub role: Role,
    pub subject_email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_issued_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SigningKeyView {
    pub kid: String,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
    pub current: bool,
}

/// One entry of the audit trail, as the Audit page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub ip: Option<String>,
    pub action: String,
    pub object: Option<String>,
    pub details: String,
}

/// What the trail is filtered by.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Matches actor, action, object or details.
    pub text: Option<String>,
    /// An action prefix such as `ingest.`.
    pub action: Option<String>,
    /// First and last day (IST), inclusive.
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

/// One page of the trail and whether older entries exist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntries {
    pub entries: Vec<AuditEntry>,
    pub has_more: bool,
}

/// The outcome of recomputing the hash chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ChainCheck {
    Intact { rows: i64 },
    Broken { seq: i64, reason: String },
}

/// A client as the assignment tab shows it: who looks after it now, and who did before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientAssignment {
    pub client_id: i32,
    pub name: String,
    pub client_code: Option<String>,
    pub status: String,
    pub rm_id: Option<i32>,
    pub rm_name: Option<String>,
    /// When an admin assigned the RM in the Hub: from then on Salesforce's Account owner no
    /// longer moves the client (`None`: the RM follows Salesforce).
    #[serde(default)]
    pub assigned_in_app_at: Option<DateTime<Utc>>,
    /// Salesforce's Account owner, when it differs from the RM assigned in the Hub.
    #[serde(default)]
    pub salesforce_owner_differs: Option<String>,
    /// Newest first.
    pub history: Vec<AssignmentPeriod>,
}

/// A client whose RM was assigned in the Hub while Salesforce names another Account owner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RmConflict {
    pub client_id: i32,
    pub name: String,
    pub rm_name: Option<String>,
    pub salesforce_owner: Option<String>,
}

/// One period of a client's RM history (`valid_to` is `None` for the current one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssignmentPeriod {
    pub valid_from: DateTime<Utc>,
    pub valid_to: Option<DateTime<Utc>>,
    pub rm_name: Option<String>,
}

/// How long an invitation or password-reset link stays valid.
pub const LINK_DAYS: i64 = 7;

/// The Users tab: every user, and the RMs and strategies a user can be linked to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsersData {
    pub users: Vec<UserAdminView>,
    pub rms: Vec<RmView>,
    pub strategies: Vec<StrategyView>,
    /// The administrator looking at the list (who may not deactivate or demote themself).
    pub me: i64,
}

/// A one-time link for a user to choose a password (shown once: only its hash is stored).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssuedLink {
    pub email: String,
    pub url: String,
    pub reset: bool,
}

/// The Teams & RMs tab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamsData {
    pub teams: Vec<TeamView>,
    pub rms: Vec<RmView>,
}

/// A client found by name on the Client assignment tab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientHit {
    pub client_id: i32,
    pub name: String,
}

/// One client's assignment, and the RMs it can be given to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssignmentData {
    pub client: ClientAssignment,
    pub rms: Vec<RmView>,
}

/// A role's two-factor policy on the Security tab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyRow {
    pub policy: RolePolicyView,
    /// Active users of the role, and how many of them have no second factor yet.
    pub users: i64,
    pub without_mfa: i64,
}

/// A user an RM or PM API client may act for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    pub user_id: i64,
    pub label: String,
    pub role: Role,
}

/// The API access tab: the clients, the signing keys, and whom a client may act for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiData {
    pub clients: Vec<ApiClientView>,
    pub keys: Vec<SigningKeyView>,
    pub subjects: Vec<Subject>,
}

/// An API client just created: the only time its secret exists outside the other system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewApiClient {
    pub name: String,
    pub client_id: String,
    pub secret: String,
    pub origin: String,
}
