//! Loading reports fetched from the Wealth Spectrum API: one ingest job per report, masters
//! first so the facts can refer to them.

use chrono::NaiveDate;
use sqlx::PgPool;

use crate::load::file::{load_file, FileLoad, Input, LoadOutcome};
use crate::load::job::{Job, JobSpec, Source, Trigger};
use crate::load::LoadError;
use crate::profile::Profile;
use crate::report::ReportKind;
use crate::source::wealth_spectrum::api::{fetch_report, WsApiConfig};

/// Masters before facts.
pub const LOAD_ORDER: [ReportKind; 7] = [
    ReportKind::SecurityMaster,
    ReportKind::ClientMaster,
    ReportKind::BenchmarkLevels,
    ReportKind::SecurityPrices,
    ReportKind::Transactions,
    ReportKind::Holdings,
    ReportKind::Valuations,
];

/// Fetches and loads each report (changed since `since`); stops at the first that does not
/// succeed, since later reports may depend on it.
pub async fn sync(
    pool: &PgPool,
    config: &WsApiConfig,
    profile: &Profile,
    since: Option<NaiveDate>,
    trigger: Trigger,
    requested_by: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<LoadOutcome>, LoadError> {
    let mut outcomes = Vec::new();
    for report in LOAD_ORDER {
        let table = match fetch_report(config, report, since).await {
            Ok(t) => t,
            Err(e) => {
                let spec = JobSpec {
                    file_name: Some(format!("API {}", report.code())),
                    ..JobSpec::wealth_spectrum(
                        Source::WealthSpectrumApi,
                        Some(report),
                        profile,
                        trigger,
                        requested_by,
                    )
                };
                let job = Job::start(pool, &spec).await?;
                let message = format!("failed: {e}. Nothing was loaded.");
                job.fail(&message).await?;
                outcomes.push(LoadOutcome::Failed {
                    job_id: job.id,
                    message,
                });
                break;
            }
        };
        let outcome = load_file(
            pool,
            FileLoad {
                input: Input::Fetched {
                    table,
                    name: format!("API {}", report.code()),
                },
                display_name: None,
                report: Some(report),
                profile: profile.clone(),
                trigger,
                requested_by,
                today,
            },
        )
        .await?;
        let succeeded = matches!(outcome, LoadOutcome::Succeeded { .. });
        outcomes.push(outcome);
        if !succeeded {
            break;
        }
    }
    Ok(outcomes)
}
