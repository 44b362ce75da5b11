//! Who is asking, resolved once per request by the adapter that received it: the signed-in
//! principal (if any), through which channel, and from where. Every use case takes a
//! [`Caller`]; the capability checks and the audit trail's "who, from where" come from it.

use http::request::Parts;
use pms_auth::principal::AuthVia;
use pms_auth::Principal;
use pms_domain::error::AppError;
use pms_domain::identity::Capability;
use pms_store::audit::AuditEvent;

use crate::client_addr::TrustedProxies;

/// How the request arrived: it decides only how a missing sign-in is explained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// A page or its server function, in a browser.
    Page,
    /// The REST API (`/api/v1`), from another system.
    Api,
    /// A `pms-hub` command on the server.
    Console,
}

/// The client's address and browser, for the audit trail and rate limits; and the Hub's
/// address as the client reached it, for links an admin passes on.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// `scheme://host` of the request (the configured public origin takes precedence; see
    /// [`crate::Context::public_base`]).
    pub origin: Option<String>,
}

impl RequestMeta {
    /// The one client-address rule ([`TrustedProxies`]) applied to a request.
    pub fn of(parts: &Parts, trusted_proxies: &TrustedProxies) -> Self {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        // The scheme a trusted proxy says the client used; plain HTTP otherwise.
        let scheme = trusted_proxies
            .vouches_for(peer)
            .then(|| header("x-forwarded-proto"))
            .flatten()
            .filter(|p| p == "https" || p == "http")
            .unwrap_or_else(|| "http".into());
        RequestMeta {
            origin: header("host").map(|host| format!("{scheme}://{host}")),
            ip: trusted_proxies
                .client_address(peer, &parts.headers)
                .map(|ip| ip.to_string()),
            user_agent: parts
                .headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        }
    }
}

/// The caller of a use case.
#[derive(Clone, Debug)]
pub struct Caller {
    pub principal: Option<Principal>,
    pub channel: Channel,
    pub meta: RequestMeta,
}

impl Caller {
    /// The operator running `pms-hub <command>` on the server's console.
    pub fn console(command: &str) -> Self {
        Caller {
            principal: Some(Principal::console(command)),
            channel: Channel::Console,
            meta: RequestMeta::default(),
        }
    }

    /// The caller of a request whose authentication middleware has run (it leaves the
    /// [`Principal`] in the request's extensions).
    pub fn of(parts: &Parts, channel: Channel, trusted_proxies: &TrustedProxies) -> Self {
        Caller {
            principal: parts.extensions.get::<Principal>().cloned(),
            channel,
            meta: RequestMeta::of(parts, trusted_proxies),
        }
    }

    /// The signed-in caller; 401 when there is none.
    pub fn signed_in(&self) -> Result<&Principal, AppError> {
        self.principal.as_ref().ok_or_else(|| {
            AppError::Unauthorized(match self.channel {
                Channel::Page => "Your session has ended. Sign in again.".into(),
                Channel::Api => "Send a bearer token from POST /api/v1/auth/token.".into(),
                Channel::Console => "No operator for this command.".into(),
            })
        })
    }

    /// The caller, if their role may do `capability`; 403 otherwise.
    pub fn require(&self, capability: Capability) -> Result<&Principal, AppError> {
        let principal = self.signed_in()?;
        if principal.can(capability) {
            Ok(principal)
        } else {
            Err(AppError::Forbidden(format!(
                "Your role does not allow this ({} may not {}).",
                principal.user.role.label(),
                capability.describe()
            )))
        }
    }

    /// The signed-in *person*: account and administration use cases are for interactive
    /// sessions (and the operator at the server's console) only, so an API token (which acts for a user but is not them) gets a 403 here
    /// however wide its role.
    pub fn person(&self) -> Result<&Principal, AppError> {
        let principal = self.signed_in()?;
        match principal.via {
            AuthVia::Session if principal.actor_user_id().is_some() => Ok(principal),
            AuthVia::Console { .. } => Ok(principal),
            _ => Err(AppError::Forbidden(
                "This is for people signed in to the Hub in a browser; an API token cannot use it."
                    .into(),
            )),
        }
    }

    /// The audit event for what this caller did to which object.
    pub fn event(
        &self,
        action: &str,
        object: Option<(&str, String)>,
        details: serde_json::Value,
    ) -> AuditEvent {
        let principal = self.principal.as_ref();
        AuditEvent {
            actor_user_id: principal.and_then(Principal::actor_user_id),
            actor: principal
                .map(Principal::actor)
                .unwrap_or_else(|| "anonymous".into()),
            ip: self.meta.ip.clone(),
            user_agent: self.meta.user_agent.clone(),
            action: action.into(),
            object_type: object.as_ref().map(|o| o.0.to_owned()),
            object_id: object.map(|o| o.1),
            details,
        }
    }
}

/// "user 12 (rm, session)" — how a caller appears in the log's spans.
impl std::fmt::Display for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.principal {
            None => write!(f, "anonymous"),
            Some(p) => {
                let via = match p.via {
                    AuthVia::Session => "session",
                    AuthVia::ApiToken { .. } => "api token",
                    AuthVia::Console { .. } => "console",
                };
                write!(f, "user {} ({}, {via})", p.user.user_id, p.user.role.code())
            }
        }
    }
}
