//! `pms-hub user add`: creates a user (the first admin of a new installation, say) and prints
//! a one-time link to choose a password.

use chrono::{Duration, Utc};
use pms_domain::identity::Role;
use pms_store::identity::NewUser;
use pms_store::Db;
use serde_json::json;

use crate::config::Config;

/// How long an invitation link stays valid.
pub const INVITATION_DAYS: i64 = 7;

pub async fn add(
    db: Db,
    config: Config,
    email: String,
    name: String,
    role: String,
) -> anyhow::Result<()> {
    let role = Role::from_code(&role).ok_or_else(|| {
        anyhow::anyhow!("unknown role {role:?}: use rm, pm, compliance, admin or data_steward")
    })?;
    if !email.contains('@') {
        anyhow::bail!("{email:?} is not an e-mail address");
    }
    // The user, their invitation and the record of both commit together.
    let mut tx = db.begin().await?;
    let user_id = Db::create_user(
        &mut tx,
        &NewUser {
            email: email.clone(),
            display_name: name,
            role,
            rm_id: None,
            password_hash: None,
            created_by: None,
        },
    )
    .await?;
    let token = pms_auth::tokens::new_token();
    Db::create_invitation(
        &mut tx,
        user_id,
        "invite",
        &pms_auth::tokens::hash_token(&token),
        Utc::now() + Duration::days(INVITATION_DAYS),
    )
    .await?;
    db.audit_in(
        &mut tx,
        &pms_store::audit::AuditEvent {
            actor: "system (pms-hub user add)".into(),
            action: "admin.user_created".into(),
            object_type: Some("user".into()),
            object_id: Some(user_id.to_string()),
            details: json!({ "email": email, "role": role.code() }),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    let base = config
        .public_origin
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.bind));
    println!("created {} ({}); valid for {INVITATION_DAYS} days, send them this link to choose a password:", email, role.label());
    println!("{base}/invite/{token}");
    Ok(())
}
