//! What the session remembers about signing in. The session itself lives in PostgreSQL
//! (tower-sessions); this is the one value the Hub keeps in it.

use pms_domain::error::AppError;
use pms_service::internal;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const KEY: &str = "auth";

/// How far a sign-in has got (decided by [`pms_service::sign_in`]).
pub use pms_service::sign_in::Stage;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    pub user_id: i64,
    pub stage: Stage,
    /// Unix seconds when the password was accepted (the absolute session limit counts from it).
    pub since: i64,
    /// The password this session was opened with, as the time it was set (microseconds):
    /// when the user's password has changed since, the session is over. Sessions from before
    /// this field existed read as 0 and end at their next request.
    #[serde(default)]
    pub credentials_from: i64,
}

impl SignIn {
    /// The sign-in a password accepted at `now` (Unix seconds) opens.
    pub fn opened(accepted: &pms_service::sign_in::PasswordAccepted, now: i64) -> Self {
        SignIn {
            user_id: accepted.user_id,
            stage: accepted.stage,
            since: now,
            credentials_from: credentials_stamp(accepted.password_changed_at),
        }
    }
}

pub use pms_service::sign_in::credentials_stamp;

/// A session's idle timer restarts with activity, but a busy user's every request must not
/// become a database write: the session is re-saved (and its expiry moved on) at most once a
/// minute — or, for an idle timeout shorter than two minutes, every half of it.
const TOUCH_EVERY_SECS: i64 = 60;
const TOUCHED: &str = "touched";

/// Restarts the idle timer if it was last restarted long enough ago (see [`TOUCH_EVERY_SECS`]).
pub async fn touch(
    session: &Session,
    now: i64,
    idle_timeout: std::time::Duration,
) -> Result<(), tower_sessions::session::Error> {
    let every = TOUCH_EVERY_SECS.min(idle_timeout.as_secs() as i64 / 2);
    let last = session.get::<i64>(TOUCHED).await?.unwrap_or(0);
    if now - last >= every {
        session.insert(TOUCHED, now).await?;
    }
    Ok(())
}

pub async fn current(session: &Session) -> Option<SignIn> {
    session.get::<SignIn>(KEY).await.ok().flatten()
}

/// Records a new sign-in stage. A fresh session id is issued whenever the stage rises, so a
/// session id seen before sign-in is worthless after it.
pub async fn set(session: &Session, sign_in: SignIn) -> Result<(), AppError> {
    session.cycle_id().await.map_err(internal)?;
    session.insert(KEY, sign_in).await.map_err(internal)
}

/// Ends the session (signs out); a session store failure is ours (logged, 500).
pub async fn end(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(internal)
}
