//! The role × capability matrix, walked through the real HTTP surface with the small demo data
//! set: pages, server functions, REST (cookie and bearer token), exports. It proves that a
//! relationship manager cannot read another RM's client by any route — including by guessing
//! ids — that a team lead sees the team, a portfolio manager sees only their strategies'
//! portfolios, and that compliance and admins see everything.

mod common;

use std::collections::BTreeSet;

use common::{TestApp, DEMO_PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

struct People {
    rm1: (String, i32),
    rm2: (String, i32),
    lead: (String, i32),
    pm: (String, i64),
    compliance: String,
    admin: String,
    steward: String,
}

async fn people(pool: &PgPool) -> People {
    let rms: Vec<(String, i32, bool)> = sqlx::query_as(
        "SELECT u.email, u.rm_id, EXISTS (SELECT 1 FROM rm_team t WHERE t.lead_rm_id = u.rm_id)
         FROM app_user u WHERE u.role = 'rm' AND u.rm_id IS NOT NULL ORDER BY u.user_id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let plain: Vec<_> = rms.iter().filter(|r| !r.2).collect();
    let lead = rms
        .iter()
        .find(|r| r.2)
        .expect("a team lead among the demo RMs");
    let one = |role: &str| {
        let role = role.to_owned();
        async move {
            sqlx::query_as::<_, (String, i64)>(
                "SELECT email, user_id FROM app_user WHERE role = $1 ORDER BY user_id LIMIT 1",
            )
            .bind(role)
            .fetch_one(pool)
            .await
            .unwrap()
        }
    };
    People {
        rm1: (plain[0].0.clone(), plain[0].1),
        rm2: (plain[1].0.clone(), plain[1].1),
        lead: (lead.0.clone(), lead.1),
        pm: one("pm").await,
        compliance: one("compliance").await.0,
        admin: one("admin").await.0,
        steward: one("data_steward").await.0,
    }
}

async fn ids(pool: &PgPool, sql: &str, bind: i32) -> BTreeSet<i32> {
    sqlx::query_scalar::<_, i32>(sql)
        .bind(bind)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

async fn active_clients_of_rms(pool: &PgPool, rms: &[i32]) -> BTreeSet<i32> {
    sqlx::query_scalar::<_, i32>(
        "SELECT client_id FROM dim_client WHERE rm_id = ANY($1) AND status = 'Active'",
    )
    .bind(rms)
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

/// Every client id the REST list returns for this caller (all pages, closed included).
async fn listed(app: &TestApp, client: &reqwest::Client, bearer: Option<&str>) -> BTreeSet<i32> {
    let mut seen = BTreeSet::new();
    let mut page = 1;
    loop {
        let mut request = client.get(app.url(&format!(
            "/api/v1/clients?page={page}&page_size=500&include_closed=true"
        )));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let body: Value = request.send().await.unwrap().json().await.unwrap();
        let items = body["items"].as_array().cloned().unwrap_or_default();
        seen.extend(
            items
                .iter()
                .filter_map(|c| c["client_id"].as_i64())
                .map(|i| i as i32),
        );
        if items.len() < 500 {
            return seen;
        }
        page += 1;
    }
}

async fn status(client: &reqwest::Client, url: String) -> StatusCode {
    client.get(url).send().await.unwrap().status()
}

#[sqlx::test(migrations = "../migrations")]
async fn every_route_respects_each_roles_data_scope(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let p = people(&pool).await;

    let rm1_clients = ids(
        &pool,
        "SELECT client_id FROM dim_client WHERE rm_id = $1",
        p.rm1.1,
    )
    .await;
    let rm2_clients = ids(
        &pool,
        "SELECT client_id FROM dim_client WHERE rm_id = $1",
        p.rm2.1,
    )
    .await;
    assert!(
        !rm1_clients.is_empty() && !rm2_clients.is_empty(),
        "both RMs have clients in the demo data"
    );
    let team: Vec<i32> = sqlx::query_scalar(
        "SELECT m.rm_id FROM dim_rm m JOIN rm_team t ON t.team_id = m.team_id WHERE t.lead_rm_id = $1",
    )
    .bind(p.lead.1)
    .fetch_all(&pool)
    .await
    .unwrap();
    let all_clients: BTreeSet<i32> =
        sqlx::query_scalar::<_, i32>("SELECT client_id FROM dim_client")
            .fetch_all(&pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let outsider: i32 = sqlx::query_scalar(
        "SELECT client_id FROM dim_client WHERE rm_id <> ALL($1) ORDER BY client_id LIMIT 1",
    )
    .bind(&team)
    .fetch_one(&pool)
    .await
    .unwrap();
    let theirs = *rm2_clients.iter().next().unwrap();
    let their_name: String = sqlx::query_scalar("SELECT name FROM dim_client WHERE client_id = $1")
        .bind(theirs)
        .fetch_one(&pool)
        .await
        .unwrap();
    let their_portfolio: i32 = sqlx::query_scalar("SELECT portfolio_id FROM dim_portfolio WHERE client_id = ANY($1) ORDER BY portfolio_id LIMIT 1")
        .bind(rm2_clients.iter().copied().collect::<Vec<_>>())
        .fetch_one(&pool)
        .await
        .unwrap();
    let mine = *rm1_clients.iter().next().unwrap();

    // ----- relationship manager 1 -----------------------------------------------------------
    let rm1 = app.login(&p.rm1.0, DEMO_PASSWORD).await;
    // REST list (cookie session) and the client table server function: exactly their clients.
    assert_eq!(
        listed(&app, &rm1, None).await,
        rm1_clients,
        "REST list = own clients"
    );
    let sfn: Value = rm1
        .post(app.url("/api/clients/list"))
        .form(&[
            ("query[sort]", "name"),
            ("query[descending]", "false"),
            ("query[page]", "1"),
            ("query[page_size]", "500"),
            ("query[include_closed]", "true"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let via_fn: BTreeSet<i32> = sfn["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_id"].as_i64().unwrap() as i32)
        .collect();
    assert_eq!(via_fn, rm1_clients, "server function list = own clients");
    // Their own client opens everywhere; another RM's client nowhere.
    assert_eq!(
        status(&rm1, app.url(&format!("/api/v1/clients/{mine}"))).await,
        StatusCode::OK
    );
    assert_eq!(
        status(&rm1, app.url(&format!("/api/v1/clients/{theirs}"))).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status(
            &rm1,
            app.url(&format!("/api/v1/portfolios/{their_portfolio}/valuations"))
        )
        .await,
        StatusCode::NOT_FOUND
    );
    let detail = rm1
        .post(app.url("/api/clients/detail"))
        .form(&[("client_id", theirs.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(detail.status(), StatusCode::NOT_FOUND);
    assert!(!detail.text().await.unwrap().contains(&their_name));
    let valuations = rm1
        .post(app.url("/api/clients/valuations"))
        .form(&[("portfolio_id", their_portfolio.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(valuations.status(), StatusCode::NOT_FOUND);
    // The page for another RM's client renders no data of theirs.
    let page = rm1
        .get(app.url(&format!("/clients/{theirs}")))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(
        !html.contains(&their_name),
        "the client page must not leak the name"
    );
    assert!(html.contains("not yours to see"), "the page says so");
    // The export has their clients only.
    let csv = rm1
        .get(app.url("/api/v1/exports/clients.csv?include_closed=true"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv.lines().count() - 1,
        rm1_clients.len(),
        "export rows = own clients"
    );
    assert!(!csv.contains(&their_name));
    // Guessing ids: every id in the store, only theirs answer.
    let mut opened = BTreeSet::new();
    for id in all_clients.iter().copied().chain([0, -1, i32::MAX]) {
        if status(&rm1, app.url(&format!("/api/v1/clients/{id}"))).await == StatusCode::OK {
            opened.insert(id);
        }
    }
    assert_eq!(
        opened, rm1_clients,
        "no guessed id opens another RM's client"
    );
    // Views are audited: the client was opened twice (directly, then while guessing ids).
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'client.view' AND actor = $1 AND object_id = $2")
        .bind(&p.rm1.0)
        .bind(mine.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(audited, 2);
    // Admin-only and compliance-only tools refuse an RM, and say so with a 403.
    for (path, form) in [
        ("/api/admin/users", vec![]),
        ("/api/admin/users/unlock", vec![("user_id", "1")]),
        ("/api/admin/api", vec![]),
        (
            "/api/admin/branding",
            vec![
                ("firm_name", "Taken Over"),
                ("primary_colour", "#000000"),
                ("accent_colour", "#000000"),
                ("disclaimer", ""),
            ],
        ),
        ("/api/audit/verify", vec![]),
    ] {
        let refused = rm1.post(app.url(path)).form(&form).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "an RM at {path}");
    }
    let garbled = rm1
        .post(app.url("/api/admin/users/unlock"))
        .form(&[("user_id", "not-a-number")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        garbled.status(),
        StatusCode::BAD_REQUEST,
        "unreadable arguments are the caller's mistake"
    );
    let me = rm1.post(app.url("/api/session/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK, "an RM may ask who they are");

    // ----- a bearer token carrying RM 1's scope ---------------------------------------------
    let rm1_user: i64 = sqlx::query_scalar("SELECT user_id FROM app_user WHERE email = $1")
        .bind(&p.rm1.0)
        .fetch_one(&pool)
        .await
        .unwrap();
    let api = common::api_client(
        &app.db,
        "RM1 reporting tool",
        pms_domain::identity::Role::Rm,
        Some(rm1_user),
    )
    .await;
    let anonymous = app.browser();
    let token: Value = anonymous
        .post(app.url("/api/v1/auth/token"))
        .json(&serde_json::json!({ "client_id": api.client_id.to_string(), "client_secret": api.secret }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["access_token"].as_str().expect("a token").to_owned();
    let tool = reqwest::Client::new();
    assert_eq!(
        listed(&app, &tool, Some(&bearer)).await,
        rm1_clients,
        "the token sees RM 1's clients only"
    );
    let guessed = tool
        .get(app.url(&format!("/api/v1/clients/{theirs}")))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(guessed.status(), StatusCode::NOT_FOUND);
    // Revoking the client stops the token at the next request.
    let mut conn = app.db.pool().acquire().await.unwrap();
    pms_store::Db::revoke_api_client(&mut conn, api.client_id)
        .await
        .unwrap();
    let revoked = tool
        .get(app.url("/api/v1/clients"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);

    // ----- relationship manager 2 sees theirs, not RM 1's ------------------------------------
    let rm2 = app.login(&p.rm2.0, DEMO_PASSWORD).await;
    assert_eq!(listed(&app, &rm2, None).await, rm2_clients);
    assert_eq!(
        status(&rm2, app.url(&format!("/api/v1/clients/{mine}"))).await,
        StatusCode::NOT_FOUND
    );

    // ----- the team lead sees the whole team, not other teams --------------------------------
    let lead = app.login(&p.lead.0, DEMO_PASSWORD).await;
    let team_clients: BTreeSet<i32> =
        sqlx::query_scalar::<_, i32>("SELECT client_id FROM dim_client WHERE rm_id = ANY($1)")
            .bind(&team)
            .fetch_all(&pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    assert!(team_clients.is_superset(&rm1_clients) && team_clients.is_superset(&rm2_clients));
    assert_eq!(listed(&app, &lead, None).await, team_clients);
    assert_eq!(
        status(&lead, app.url(&format!("/api/v1/clients/{outsider}"))).await,
        StatusCode::NOT_FOUND
    );

    // ----- the portfolio manager sees the portfolios of their strategies only ----------------
    let pm = app.login(&p.pm.0, DEMO_PASSWORD).await;
    let strategies: Vec<i32> =
        sqlx::query_scalar("SELECT strategy_id FROM user_strategy WHERE user_id = $1")
            .bind(p.pm.1)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(!strategies.is_empty());
    let pm_clients: BTreeSet<i32> = sqlx::query_scalar::<_, i32>(
        "SELECT DISTINCT p.client_id FROM dim_portfolio p JOIN dim_investment_approach ia USING (ia_id) WHERE ia.strategy_id = ANY($1)",
    )
    .bind(&strategies)
    .fetch_all(&pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    assert_eq!(listed(&app, &pm, None).await, pm_clients);
    // A client with portfolios in and outside the PM's strategies shows only those inside.
    let mixed: Option<i32> = sqlx::query_scalar(
        "SELECT p.client_id FROM dim_portfolio p JOIN dim_investment_approach ia USING (ia_id)
         GROUP BY p.client_id HAVING bool_or(ia.strategy_id = ANY($1)) AND bool_or(NOT ia.strategy_id = ANY($1)) LIMIT 1",
    )
    .bind(&strategies)
    .fetch_optional(&pool)
    .await
    .unwrap();
    if let Some(client) = mixed {
        let detail: Value = pm
            .get(app.url(&format!("/api/v1/clients/{client}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let visible: Vec<i64> = detail["portfolios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["portfolio_id"].as_i64().unwrap())
            .collect();
        let allowed: Vec<i64> = sqlx::query_scalar(
            "SELECT p.portfolio_id::bigint FROM dim_portfolio p JOIN dim_investment_approach ia USING (ia_id)
             WHERE p.client_id = $1 AND ia.strategy_id = ANY($2) ORDER BY 1",
        )
        .bind(client)
        .bind(&strategies)
        .fetch_all(&pool)
        .await
        .unwrap();
        let mut visible_sorted = visible.clone();
        visible_sorted.sort_unstable();
        assert_eq!(
            visible_sorted, allowed,
            "only the PM's strategies' portfolios"
        );
    }

    // ----- compliance, admin and data steward see everything; exports by capability ----------
    for email in [&p.compliance, &p.admin, &p.steward] {
        let user = app.login(email, DEMO_PASSWORD).await;
        assert_eq!(
            listed(&app, &user, None).await,
            all_clients,
            "{email} sees every client"
        );
    }
    let steward = app.login(&p.steward, DEMO_PASSWORD).await;
    assert_eq!(
        status(&steward, app.url("/api/v1/exports/clients.csv")).await,
        StatusCode::FORBIDDEN,
        "data stewards do not export"
    );
    let compliance = app.login(&p.compliance, DEMO_PASSWORD).await;
    assert_eq!(
        status(&compliance, app.url("/api/v1/exports/clients.csv")).await,
        StatusCode::OK
    );
    let _ = active_clients_of_rms;

    // ----- nobody signed in --------------------------------------------------------------------
    let anonymous = app.browser();
    assert_eq!(
        status(&anonymous, app.url("/api/v1/clients")).await,
        StatusCode::UNAUTHORIZED
    );
    let page = anonymous.get(app.url("/clients")).send().await.unwrap();
    assert!(page.status().is_redirection());
    assert_eq!(page.headers()["location"], "/login?next=/clients");
    let sfn = anonymous
        .post(app.url("/api/clients/list"))
        .form(&[("query[page]", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(sfn.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = "../migrations")]
async fn state_changing_requests_from_other_sites_are_refused(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let p = people(&pool).await;
    let rm1 = app.login(&p.rm1.0, DEMO_PASSWORD).await;
    // The same cookie jar, but the request claims to come from elsewhere, or from nowhere.
    let cookie = {
        let probe = rm1.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(probe.status(), StatusCode::OK);
        rm1
    };
    let evil = cookie
        .post(app.url("/api/auth/logout"))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    // Login CSRF too: a form on another site cannot sign someone in.
    let forged = reqwest::Client::new()
        .post(app.url("/api/auth/login"))
        .header("origin", "http://evil.example")
        .form(&[("email", p.rm1.0.as_str()), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let headless = reqwest::Client::new()
        .post(app.url("/api/auth/login"))
        .form(&[("email", "x@y.z"), ("password", "p")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        headless.status(),
        StatusCode::FORBIDDEN,
        "no Origin or Referer: refused"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_carry_security_headers_and_a_nonce_csp(pool: PgPool) {
    let app = TestApp::start(pool.clone(), false).await;
    let response = app.browser().get(app.url("/login")).send().await.unwrap();
    let h = response.headers().clone();
    let csp = h["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
    assert!(
        csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let html = response.text().await.unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    let api = app.browser().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(
        api.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
}
