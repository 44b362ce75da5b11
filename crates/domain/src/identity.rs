//! Roles and what each may do. The rules live here so the page (to decide what to show) and
//! the server (to decide what to allow) read the same table; the server is the one that
//! enforces them.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees only the clients assigned to them (and their team's, if they lead one).
    Rm,
    /// Sees all portfolios of the strategies they manage.
    Pm,
    /// Sees everything, read-only; the audit trail; compliance reports.
    Compliance,
    /// Sees everything; manages users, roles, assignments, data sources and branding.
    Admin,
    /// Loads and corrects data (ingest); sees everything read-only to check it.
    DataSteward,
}

/// Something a role may or may not do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Capability {
    /// Dashboards, client and portfolio analytics (always within the user's data scope).
    Analyse,
    SaveViews,
    Export,
    RunComplianceReports,
    ViewAudit,
    RunIngest,
    ManageUsers,
    ManageBranding,
    ManageApiTokens,
}

impl Capability {
    /// What the capability allows, as the end of "may not …".
    pub fn describe(self) -> &'static str {
        match self {
            Capability::Analyse => "see client and portfolio analytics",
            Capability::SaveViews => "save views",
            Capability::Export => "export data",
            Capability::RunComplianceReports => "run compliance reports",
            Capability::ViewAudit => "see the audit trail",
            Capability::RunIngest => "load data",
            Capability::ManageUsers => "manage users and teams",
            Capability::ManageBranding => "change the branding",
            Capability::ManageApiTokens => "manage API clients",
        }
    }
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Rm,
        Role::Pm,
        Role::Compliance,
        Role::Admin,
        Role::DataSteward,
    ];

    /// The stable code stored in the database and in API tokens.
    pub fn code(self) -> &'static str {
        match self {
            Role::Rm => "rm",
            Role::Pm => "pm",
            Role::Compliance => "compliance",
            Role::Admin => "admin",
            Role::DataSteward => "data_steward",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Rm => "Relationship Manager",
            Role::Pm => "Portfolio Manager",
            Role::Compliance => "Compliance Officer",
            Role::Admin => "Admin",
            Role::DataSteward => "Data Steward",
        }
    }

    /// Whether the role sees every client and portfolio (otherwise a scope applies).
    pub fn sees_all_data(self) -> bool {
        matches!(self, Role::Compliance | Role::Admin | Role::DataSteward)
    }

    pub fn can(self, capability: Capability) -> bool {
        use Capability::*;
        match capability {
            Analyse | SaveViews => true,
            Export => !matches!(self, Role::DataSteward),
            RunComplianceReports | ViewAudit => matches!(self, Role::Compliance | Role::Admin),
            RunIngest => matches!(self, Role::Admin | Role::DataSteward),
            ManageUsers | ManageBranding | ManageApiTokens => matches!(self, Role::Admin),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The signed-in user as the page knows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionUser {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub mfa_enabled: bool,
}

impl SessionUser {
    pub fn can(&self, capability: Capability) -> bool {
        self.role.can(capability)
    }

    /// Initials for the avatar ("Priya Sharma" → "PS").
    pub fn initials(&self) -> String {
        self.display_name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn only_admin_manages_users_and_only_compliance_and_admin_see_the_audit_trail() {
        for role in Role::ALL {
            assert_eq!(role.can(Capability::ManageUsers), role == Role::Admin);
            assert_eq!(
                role.can(Capability::ViewAudit),
                matches!(role, Role::Admin | Role::Compliance)
            );
        }
    }
}
