//! `pms-hub user add`: creates a user (the first admin of a new installation, say) and prints
//! a one-time link to choose a password — the admin console's invitation use case, run by the
//! operator at the server's console.

use pms_service::Caller;
use pms_store::Db;

use crate::config::Config;

pub async fn add(
    db: Db,
    config: Config,
    email: String,
    name: String,
    role: String,
    rm_id: Option<i32>,
    strategies: Vec<i32>,
) -> anyhow::Result<()> {
    if pms_domain::identity::Role::from_code(&role).is_none() {
        anyhow::bail!("unknown role {role:?}: use rm, pm, compliance, admin or data_steward");
    }
    let cx = crate::startup::context(&config, db)?;
    // Without a public origin, links point at the address the server listens on.
    let cx = pms_service::Context {
        security: std::sync::Arc::new(pms_service::SecuritySettings {
            public_origin: Some(
                config
                    .public_origin
                    .clone()
                    .unwrap_or_else(|| format!("http://{}", config.bind)),
            ),
            ..(*cx.security).clone()
        }),
        ..cx
    };
    let link = pms_service::admin::users::invite(
        &cx,
        &Caller::console("user add"),
        &email,
        &name,
        &role,
        rm_id.map(|id| id.to_string()),
        (!strategies.is_empty()).then_some(strategies),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    println!(
        "created {} ({role}); valid for {} days, send them this link to choose a password:",
        link.email,
        pms_domain::admin::LINK_DAYS
    );
    println!("{}", link.url);
    Ok(())
}
