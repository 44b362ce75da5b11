//! Branding: the firm's name, colours and report disclaimer. The frame picks up a saved change
//! at once; reports and PDFs read the same record. (The logo, an uploaded image, is
//! [`super::logo`].)

use pms_domain::admin::Branding;
use pms_domain::identity::Capability;
use pms_store::Db;
use serde_json::json;

use super::{admin, change, invalid};
use crate::audit::{begin, commit, record_in};
use crate::{AppResult, Caller, Context};

/// The branding as it is now: any signed-in user may read it (it is on every page they see).
#[tracing::instrument(name = "admin.branding.current", skip_all, fields(caller = %caller))]
pub async fn current(cx: &Context, caller: &Caller) -> AppResult<Branding> {
    caller.signed_in()?;
    Ok(cx.db.branding().await?)
}

/// Saves the firm's name, colours and disclaimer; returns the branding as it now is.
#[tracing::instrument(name = "admin.branding.save", skip_all, fields(caller = %caller))]
pub async fn save(
    cx: &Context,
    caller: &Caller,
    firm_name: &str,
    primary_colour: &str,
    accent_colour: &str,
    disclaimer: &str,
) -> AppResult<Branding> {
    let (_, me_id) = admin(caller, Capability::ManageBranding)?;
    let before = cx.db.branding().await?;
    let wanted = Branding {
        firm_name: super::squeezed(firm_name),
        primary_colour: primary_colour.trim().to_lowercase(),
        accent_colour: accent_colour.trim().to_lowercase(),
        disclaimer: disclaimer.trim().replace("\r\n", "\n"),
        ..before.clone()
    };
    wanted.validate().map_err(invalid)?;
    let mut changes = serde_json::Map::new();
    for (field, c) in [
        (
            "firm_name",
            change(before.firm_name.as_str(), wanted.firm_name.as_str()),
        ),
        (
            "primary_colour",
            change(
                before.primary_colour.as_str(),
                wanted.primary_colour.as_str(),
            ),
        ),
        (
            "accent_colour",
            change(before.accent_colour.as_str(), wanted.accent_colour.as_str()),
        ),
    ] {
        if let Some(c) = c {
            changes.insert(field.into(), c);
        }
    }
    if before.disclaimer != wanted.disclaimer {
        changes.insert(
            "disclaimer".into(),
            json!({ "changed": true, "chars": wanted.disclaimer.chars().count() }),
        );
    }
    if changes.is_empty() {
        return Ok(before);
    }
    let mut tx = begin(cx).await?;
    Db::set_branding(&mut tx, &wanted, me_id).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.branding_updated",
        Some(("branding", "firm".into())),
        serde_json::Value::Object(changes),
    )
    .await?;
    commit(tx).await?;
    Ok(cx.db.branding().await?)
}
