//! What the session remembers about signing in. The session itself lives in PostgreSQL
//! (tower-sessions); this is the one value the Hub keeps in it.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const KEY: &str = "auth";

/// How far a sign-in has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Password right; a second factor is still to be entered.
    SecondFactor,
    /// Signed in, but the role requires a second factor the user must set up first.
    MustEnrol,
    /// Fully signed in.
    SignedIn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    pub user_id: i64,
    pub stage: Stage,
    /// Unix seconds when the password was accepted (the absolute session limit counts from it).
    pub since: i64,
}

pub async fn current(session: &Session) -> Option<SignIn> {
    session.get::<SignIn>(KEY).await.ok().flatten()
}

/// Records a new sign-in stage. A fresh session id is issued whenever the stage rises, so a
/// session id seen before sign-in is worthless after it.
pub async fn set(session: &Session, sign_in: SignIn) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(KEY, sign_in).await
}

pub async fn end(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.flush().await
}
