//! The authenticated caller of a request, with the data scope every query must respect.

use pms_domain::identity::{Capability, SessionUser};
use pms_store::api_clients::ApiClientRecord;
use pms_store::identity::UserRecord;
use pms_store::{Db, Scope};
use uuid::Uuid;

use crate::AuthError;

/// How the caller proved who they are.
#[derive(Clone, Debug, PartialEq)]
pub enum AuthVia {
    Session,
    ApiToken {
        jti: Uuid,
        client_id: Uuid,
        client_name: String,
    },
    /// The operator at the server's console, running a `pms-hub` command (creating the first
    /// administrator, say): an administrator's rights, recorded under the command's name.
    Console {
        command: String,
    },
}

#[derive(Clone, Debug)]
pub struct Principal {
    pub user: SessionUser,
    pub scope: Scope,
    pub via: AuthVia,
}

impl Principal {
    /// A signed-in user.
    pub async fn for_user(db: &Db, record: &UserRecord) -> Result<Self, AuthError> {
        let scope = Scope::resolve(db, record.user_id, record.role, record.rm_id).await?;
        Ok(Self {
            user: SessionUser {
                user_id: record.user_id,
                email: record.email.clone(),
                display_name: record.display_name.clone(),
                role: record.role,
                mfa_enabled: record.mfa_enabled(),
            },
            scope,
            via: AuthVia::Session,
        })
    }

    /// An API client: its role, and the data scope of the user it acts for.
    pub async fn for_api_client(
        db: &Db,
        client: &ApiClientRecord,
        jti: Uuid,
    ) -> Result<Self, AuthError> {
        let subject = match client.subject_user_id {
            Some(id) => db.user_by_id(id).await?.filter(|u| u.is_active),
            None => None,
        };
        if client.subject_user_id.is_some() && subject.is_none() {
            return Err(AuthError::InvalidToken(
                "the user this API client acts for is deactivated".into(),
            ));
        }
        let (user_id, rm_id) = subject
            .as_ref()
            .map(|u| (u.user_id, u.rm_id))
            .unwrap_or((0, None));
        let scope = Scope::resolve(db, user_id, client.role, rm_id).await?;
        Ok(Self {
            user: SessionUser {
                user_id,
                email: format!("api:{}", client.name),
                display_name: client.name.clone(),
                role: client.role,
                mfa_enabled: false,
            },
            scope,
            via: AuthVia::ApiToken {
                jti,
                client_id: client.client_id,
                client_name: client.name.clone(),
            },
        })
    }

    /// The operator running `pms-hub <command>` on the server (see [`AuthVia::Console`]).
    pub fn console(command: &str) -> Self {
        Self {
            user: SessionUser {
                user_id: 0,
                email: format!("system (pms-hub {command})"),
                display_name: "Operator at the server's console".into(),
                role: pms_domain::identity::Role::Admin,
                mfa_enabled: false,
            },
            scope: Scope::system(),
            via: AuthVia::Console {
                command: command.into(),
            },
        }
    }

    pub fn can(&self, capability: Capability) -> bool {
        self.user.can(capability)
    }

    /// Who to name in the audit trail.
    pub fn actor(&self) -> String {
        match &self.via {
            AuthVia::Session | AuthVia::Console { .. } => self.user.email.clone(),
            AuthVia::ApiToken { client_name, .. } => format!("api:{client_name}"),
        }
    }

    /// The user id to record, if a person (or the person an API client acts for) is behind it.
    pub fn actor_user_id(&self) -> Option<i64> {
        (self.user.user_id != 0).then_some(self.user.user_id)
    }
}
