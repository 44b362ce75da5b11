//! Client master → benchmarks, strategies, investment approaches, clients (with history) and
//! portfolios with their fee terms. One row per portfolio account; the client, strategy and
//! approach columns repeat (and were checked to agree).

use sqlx::{PgConnection, Row};

use crate::load::job::MergeCounts;

pub(super) async fn merge(
    conn: &mut PgConnection,
    job_id: i64,
) -> Result<(MergeCounts, String), sqlx::Error> {
    // Benchmarks: new codes get the name given (or the code); a given name corrects the stored one.
    sqlx::query(
        "INSERT INTO dim_benchmark (code, name)
         SELECT DISTINCT ON (benchmark_code) benchmark_code, coalesce(benchmark_name, benchmark_code)
         FROM stg_client_master ORDER BY benchmark_code, line
         ON CONFLICT (code) DO NOTHING",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE dim_benchmark b SET name = s.benchmark_name
         FROM (SELECT DISTINCT ON (benchmark_code) benchmark_code, benchmark_name FROM stg_client_master
               WHERE benchmark_name IS NOT NULL ORDER BY benchmark_code, line) s
         WHERE b.code = s.benchmark_code AND b.name <> s.benchmark_name",
    )
    .execute(&mut *conn)
    .await?;

    sqlx::query(
        "INSERT INTO dim_strategy AS d (code, name, category)
         SELECT DISTINCT ON (strategy_code) strategy_code, strategy_name, strategy_category
         FROM stg_client_master ORDER BY strategy_code, line
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, category = EXCLUDED.category
         WHERE (d.name, d.category) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category)",
    )
    .execute(&mut *conn)
    .await?;

    // A changed benchmark or strategy changes every figure of the approach's portfolios.
    sqlx::query(
        "WITH up AS (
             INSERT INTO dim_investment_approach AS d (code, name, strategy_id, benchmark_id)
             SELECT DISTINCT ON (s.ia_code) s.ia_code, s.ia_name, st.strategy_id, b.benchmark_id
             FROM stg_client_master s
             JOIN dim_strategy st ON st.code = s.strategy_code
             JOIN dim_benchmark b ON b.code = s.benchmark_code
             ORDER BY s.ia_code, s.line
             ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, strategy_id = EXCLUDED.strategy_id,
                 benchmark_id = EXCLUDED.benchmark_id, updated_at = now()
             WHERE (d.name, d.strategy_id, d.benchmark_id) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.strategy_id, EXCLUDED.benchmark_id)
             RETURNING ia_id
         )
         INSERT INTO agg_dirty_portfolio (portfolio_id)
         SELECT p.portfolio_id FROM dim_portfolio p JOIN up USING (ia_id)
         ON CONFLICT DO NOTHING",
    )
    .execute(&mut *conn)
    .await?;

    // Clients. Contact details left empty in the file keep what the store has (Salesforce may
    // have supplied them); the rest is Wealth Spectrum's to say.
    let clients = sqlx::query(
        "WITH src AS (SELECT DISTINCT ON (client_code) * FROM stg_client_master ORDER BY client_code, line),
         up AS (
             INSERT INTO dim_client AS d (ws_client_code, name, pan, client_type, email, phone, city, state, risk_profile,
                                          onboarding_date, status, closure_date, last_job_id)
             SELECT client_code, client_name, pan, client_type, email, mobile, city, state, risk_profile,
                    onboarding_date, client_status, closure_date, $1
             FROM src
             ON CONFLICT (ws_client_code) DO UPDATE SET
                 name = EXCLUDED.name, pan = EXCLUDED.pan,
                 client_type = coalesce(EXCLUDED.client_type, d.client_type),
                 email = coalesce(EXCLUDED.email, d.email), phone = coalesce(EXCLUDED.phone, d.phone),
                 city = coalesce(EXCLUDED.city, d.city), state = coalesce(EXCLUDED.state, d.state),
                 risk_profile = coalesce(EXCLUDED.risk_profile, d.risk_profile),
                 onboarding_date = EXCLUDED.onboarding_date, status = EXCLUDED.status, closure_date = EXCLUDED.closure_date,
                 last_job_id = EXCLUDED.last_job_id, updated_at = now()
             WHERE (d.name, d.pan, d.onboarding_date, d.status, d.closure_date) IS DISTINCT FROM
                   (EXCLUDED.name, EXCLUDED.pan, EXCLUDED.onboarding_date, EXCLUDED.status, EXCLUDED.closure_date)
                OR (d.client_type, d.email, d.phone, d.city, d.state, d.risk_profile)
                   IS DISTINCT FROM
                   (coalesce(EXCLUDED.client_type, d.client_type), coalesce(EXCLUDED.email, d.email),
                    coalesce(EXCLUDED.phone, d.phone), coalesce(EXCLUDED.city, d.city), coalesce(EXCLUDED.state, d.state),
                    coalesce(EXCLUDED.risk_profile, d.risk_profile))
             RETURNING client_id, (xmax = 0) AS inserted
         )
         SELECT coalesce(array_agg(client_id), '{}') AS ids,
                count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated
         FROM up",
    )
    .bind(job_id)
    .fetch_one(&mut *conn)
    .await?;
    let client_ids: Vec<i32> = clients.try_get("ids")?;
    let clients_new: i64 = clients.try_get("inserted")?;
    let clients_changed: i64 = clients.try_get("updated")?;
    sqlx::query("SELECT record_client_history($1, $2)")
        .bind(&client_ids)
        .bind(job_id)
        .execute(&mut *conn)
        .await?;

    let portfolios = super::counted(
        conn,
        "WITH up AS (
             INSERT INTO dim_portfolio AS d (ws_portfolio_code, client_id, ia_id, inception_date, closure_date, status,
                 mgmt_fee_pct, perf_fee_pct, hurdle_pct, high_water_mark, fee_crystallisation, last_job_id)
             SELECT s.portfolio_code, c.client_id, ia.ia_id, s.inception_date, s.portfolio_closure_date, s.portfolio_status,
                    coalesce(s.mgmt_fee_pct, 0), coalesce(s.perf_fee_pct, 0), coalesce(s.hurdle_pct, 0), s.high_water_mark,
                    coalesce(s.fee_crystallisation, 'anniversary'), $1
             FROM stg_client_master s
             JOIN dim_client c ON c.ws_client_code = s.client_code
             JOIN dim_investment_approach ia ON ia.code = s.ia_code
             ON CONFLICT (ws_portfolio_code) DO UPDATE SET
                 client_id = EXCLUDED.client_id, ia_id = EXCLUDED.ia_id, inception_date = EXCLUDED.inception_date,
                 closure_date = EXCLUDED.closure_date, status = EXCLUDED.status, mgmt_fee_pct = EXCLUDED.mgmt_fee_pct,
                 perf_fee_pct = EXCLUDED.perf_fee_pct, hurdle_pct = EXCLUDED.hurdle_pct,
                 high_water_mark = EXCLUDED.high_water_mark, fee_crystallisation = EXCLUDED.fee_crystallisation,
                 last_job_id = EXCLUDED.last_job_id, updated_at = now()
             WHERE (d.client_id, d.ia_id, d.inception_date, d.closure_date, d.status, d.mgmt_fee_pct, d.perf_fee_pct,
                    d.hurdle_pct, d.high_water_mark, d.fee_crystallisation)
                   IS DISTINCT FROM
                   (EXCLUDED.client_id, EXCLUDED.ia_id, EXCLUDED.inception_date, EXCLUDED.closure_date, EXCLUDED.status,
                    EXCLUDED.mgmt_fee_pct, EXCLUDED.perf_fee_pct, EXCLUDED.hurdle_pct, EXCLUDED.high_water_mark,
                    EXCLUDED.fee_crystallisation)
             RETURNING portfolio_id, (xmax = 0) AS inserted
         ),
         dirty AS (INSERT INTO agg_dirty_portfolio (portfolio_id) SELECT portfolio_id FROM up ON CONFLICT DO NOTHING)
         SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM up",
        job_id,
    )
    .await?;
    let note = format!("clients: {clients_new} new, {clients_changed} changed");
    Ok((portfolios, note))
}
