//! Data loads (`/ingest`, data stewards and admins): upload a Wealth Spectrum report or a
//! Salesforce export, follow the load live, and look through every ingest job — its counts,
//! its message and, for a rejected file, each problem with its line and column (downloadable
//! as CSV). `?page=N` pages the job list; `?job=ID` opens a job (`&epage=N` pages its errors).
//!
//! While any job is queued or running the page asks the server again every second.

use pms_domain::error::AppError;
mod upload;
#[cfg(feature = "hydrate")]
mod xhr;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use pms_domain::ingest::{
    format_bytes, format_duration, IngestJobDetail, IngestJobList, IngestJobView, JobStatus,
    UploadSettings,
};
use pms_domain::time::format_ist;

use super::PageHeader;
use crate::components::icons::{Icon, IconKind};
use crate::components::{EmptyState, Guarded};
use upload::{upload_error_text, UploadPanel};

#[server(endpoint = "ingest/info")]
pub async fn get_upload_settings() -> Result<UploadSettings, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::ingest_jobs::upload_settings(&cx, &caller)
}

#[server(endpoint = "ingest/jobs")]
pub async fn list_ingest_jobs(page: u32) -> Result<IngestJobList, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::ingest_jobs::list(&cx, &caller, page).await
}

#[server(endpoint = "ingest/job")]
pub async fn get_ingest_job(job_id: i64, errors_page: u32) -> Result<IngestJobDetail, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::ingest_jobs::detail(&cx, &caller, job_id, errors_page).await
}

fn href(page: u32, job: Option<i64>, epage: u32) -> String {
    let mut parts = Vec::new();
    if let Some(job) = job {
        parts.push(format!("job={job}"));
        if epage > 1 {
            parts.push(format!("epage={epage}"));
        }
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        "/ingest".into()
    } else {
        format!("/ingest?{}", parts.join("&"))
    }
}

fn count(n: i64) -> String {
    pms_metrics::format::grouped(n as f64, 0)
}

#[component]
fn StatusBadge(status: JobStatus) -> impl IntoView {
    view! { <span class=status.badge_class() data-testid="job-status">{status.label()}</span> }
}

/// "reading and validating · 12,345 rows" for a job still going.
fn live_phase(job: &IngestJobView) -> Option<String> {
    job.status.is_active().then(|| {
        let phase = job.phase.clone().unwrap_or_else(|| "waiting".into());
        match job.rows_total {
            Some(total) if total > 0 => format!(
                "{phase} · {} of {} rows",
                count(job.rows_read),
                count(total)
            ),
            _ if job.rows_read > 0 => format!("{phase} · {} rows read", count(job.rows_read)),
            _ => phase,
        }
    })
}

fn started(job: &IngestJobView) -> String {
    format_ist(job.started_at.unwrap_or(job.created_at))
}

/// An e-mail address that may wrap after its `@` (and nowhere else) in a narrow column.
fn email_breakable(text: &str) -> impl IntoView {
    match text.split_once('@') {
        Some((user, domain)) => view! { {format!("{user}@")}<wbr/>{domain.to_owned()} }.into_any(),
        None => text.to_owned().into_any(),
    }
}

/// `21 Nov 2026, 14:05` (the column says IST).
fn started_short(job: &IngestJobView) -> String {
    job.started_at
        .unwrap_or(job.created_at)
        .with_timezone(&pms_domain::time::IST)
        .format("%d %b %Y, %H:%M")
        .to_string()
}

fn duration(job: &IngestJobView) -> String {
    job.duration()
        .map(format_duration)
        .unwrap_or_else(|| "—".into())
}

#[component]
fn JobDetailCard(detail: IngestJobDetail, page: u32) -> impl IntoView {
    let IngestJobDetail { job, errors } = detail;
    let id = job.job_id;
    let close = href(page, None, 1);
    let title = format!(
        "Job #{id} · {}",
        job.file_name
            .clone()
            .unwrap_or_else(|| job.source_label().to_owned())
    );
    let who = job
        .requested_by
        .clone()
        .unwrap_or_else(|| "the system".into());
    let meta = format!(
        "{} · {} · {} by {} · started {} · {}",
        job.source_label(),
        job.report_label(),
        job.trigger_label(),
        who,
        started(&job),
        duration(&job),
    );
    let size = job
        .file_bytes
        .map(|b| format!(" · {}", format_bytes(b)))
        .unwrap_or_default();
    let message_class = match job.status {
        JobStatus::Succeeded => "alert alert--success",
        JobStatus::Rejected | JobStatus::Failed => "alert alert--error",
        _ => "alert alert--info",
    };
    let live = live_phase(&job);
    let pages = errors.pages();
    let epage = errors.page;
    let error_rows = errors.items.clone();
    let error_total = errors.total;
    let hidden_errors = (job.error_count > error_total).then(|| {
        format!(
            "{} problems were found; the first {} are listed.",
            count(job.error_count),
            count(error_total)
        )
    });
    let kpi = |label: &'static str, value: i64, testid: &'static str| {
        view! {
            <div class="kpi">
                <span class="kpi__label">{label}</span>
                <span class="kpi__value" data-testid=testid>{count(value)}</span>
            </div>
        }
    };
    view! {
        <section class="card stack job-detail" data-testid="job-detail" data-job-id=id.to_string()>
            <div class="job-detail__head">
                <h2>{title}</h2>
                <StatusBadge status=job.status/>
                <div class="topbar__spacer"></div>
                <a class="button" href=close>"Close"</a>
            </div>
            <p class="muted small job-detail__meta">{meta}{size}</p>
            {live.map(|text| view! {
                <div class="job-live" role="status" data-testid="job-live">
                    <span class="job-live__spinner" aria-hidden="true"></span>
                    <span>{text}</span>
                </div>
            })}
            {job.message.clone().map(|m| view! { <p class=message_class data-testid="job-message">{m}</p> })}
            <div class="kpis job-detail__kpis">
                {kpi("Rows read", job.rows_read, "job-rows")}
                {kpi("New", job.rows_inserted, "job-new")}
                {kpi("Changed", job.rows_updated, "job-changed")}
                {kpi("Unchanged", job.rows_unchanged, "job-unchanged")}
                {kpi("Problems", job.error_count, "job-errors")}
            </div>
            {(error_total > 0).then(move || view! {
                <div class="job-errors">
                    <div class="job-errors__head">
                        <h3>"Problems found"</h3>
                        <div class="topbar__spacer"></div>
                        <a class="button" href=format!("/ingest/jobs/{id}/errors.csv") download=format!("job-{id}-errors.csv") rel="external" data-testid="download-errors">
                            <Icon kind=IconKind::Download/>"Download errors (CSV)"
                        </a>
                    </div>
                    {hidden_errors.map(|t| view! { <p class="muted small">{t}</p> })}
                    <div class="table-scroll" tabindex="0">
                        <table class="data-table data-table--compact job-errors__table" data-testid="error-table">
                            <thead>
                                <tr>
                                    <th class="num">"Line"</th>
                                    <th>"Column"</th>
                                    <th>"Value"</th>
                                    <th>"Reason"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {error_rows.into_iter().map(|e| view! {
                                    <tr>
                                        <td class="num">{e.line.map(|l| l.to_string()).unwrap_or_else(|| "file".into())}</td>
                                        <td>{e.column.unwrap_or_else(|| "—".into())}</td>
                                        <td class="job-errors__value">{e.value.unwrap_or_default()}</td>
                                        <td class="wrap">{e.reason}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {(pages > 1).then(|| view! {
                        <nav class="pager" aria-label="Pages of problems">
                            {(epage > 1).then(|| view! { <a class="button" href=href(page, Some(id), epage - 1)>"‹ Previous"</a> })}
                            <span>{format!("Problems page {epage} of {pages}")}</span>
                            {(epage < pages).then(|| view! { <a class="button" href=href(page, Some(id), epage + 1)>"Next ›"</a> })}
                        </nav>
                    })}
                </div>
            })}
        </section>
    }
}

#[component]
fn JobTable(list: IngestJobList, selected: Option<i64>) -> impl IntoView {
    let jobs = list.jobs;
    let pages = jobs.pages();
    let current = jobs.page;
    let summary = format!(
        "{} load{}",
        count(jobs.total),
        if jobs.total == 1 { "" } else { "s" }
    );
    if jobs.total == 0 {
        return view! {
            <EmptyState title="No loads yet">
                <p>"Every upload, drop-folder file and scheduled sync appears here with its counts and any problems."</p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <div class="table-card job-table-card">
            <p class="table-card__summary">{summary}</p>
            <div class="table-scroll" tabindex="0">
                <table class="data-table job-table" data-testid="job-table">
                    <thead>
                        <tr>
                            <th>"Job · message"</th>
                            <th class="col-trigger">"Trigger · by"</th>
                            <th>"Status"</th>
                            <th class="num">"Rows"</th>
                            <th class="num col-counts">"New"</th>
                            <th class="num col-counts">"Changed"</th>
                            <th class="num col-counts">"Unchanged"</th>
                            <th class="num">"Errors"</th>
                            <th>"Started (IST)"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {jobs.items.into_iter().map(|job| {
                            let id = job.job_id;
                            let name = job.file_name.clone().unwrap_or_else(|| job.source_label().to_owned());
                            let live = live_phase(&job);
                            let message = job.message.clone().unwrap_or_default();
                            let who = job.requested_by.clone().unwrap_or_else(|| "system".into());
                            let trigger = format!("{} · {who}", job.trigger_label());
                            view! {
                                <tr class:job-table__selected=selected == Some(id) data-testid="job-row" data-job-id=id.to_string()>
                                    <td class="job-table__job">
                                        <a href=href(current, Some(id), 1)>
                                            <span class="job-table__id">{format!("#{id}")}</span>
                                            " "
                                            <span class="job-table__file">{name}</span>
                                        </a>
                                        <div class="muted small">{format!("{} · {}", job.source_label(), job.report_label())}</div>
                                        <div class="job-table__message small" title=message.clone()>{message.clone()}</div>
                                    </td>
                                    <td class="col-trigger">
                                        {job.trigger_label()}
                                        <div class="muted small job-table__who">{email_breakable(&who)}</div>
                                    </td>
                                    <td>
                                        <StatusBadge status=job.status/>
                                        {live.map(|t| view! { <div class="muted small">{t}</div> })}
                                        <div class="muted small only-narrow job-table__who">{email_breakable(&trigger)}</div>
                                    </td>
                                    <td class="num">{count(job.rows_read)}</td>
                                    <td class="num col-counts">{count(job.rows_inserted)}</td>
                                    <td class="num col-counts">{count(job.rows_updated)}</td>
                                    <td class="num col-counts">{count(job.rows_unchanged)}</td>
                                    <td class={if job.error_count > 0 { "num neg" } else { "num" }}>{count(job.error_count)}</td>
                                    <td>
                                        {started_short(&job)}
                                        <div class="muted small">{duration(&job)}</div>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {(pages > 1).then(|| view! {
                <nav class="pager" aria-label="Pages of loads">
                    {(current > 1).then(|| view! { <a class="button" href=href(current - 1, selected, 1)>"‹ Newer"</a> })}
                    <span>{format!("Page {current} of {pages}")}</span>
                    {(current < pages).then(|| view! { <a class="button" href=href(current + 1, selected, 1)>"Older ›"</a> })}
                </nav>
            })}
        </div>
    }
    .into_any()
}

#[component]
pub fn IngestPage() -> impl IntoView {
    let params = use_query_map();
    let page = Memo::new(move |_| {
        params
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
            .max(1)
    });
    let job = Memo::new(move |_| params.read().get("job").and_then(|j| j.parse::<i64>().ok()));
    let epage = Memo::new(move |_| {
        params
            .read()
            .get("epage")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
            .max(1)
    });
    let upload_error = Memo::new(move |_| params.read().get("upload_error"));

    // Bumped every second while something is loading; the lists below refetch on each bump.
    let tick = RwSignal::new(0u64);
    let active = RwSignal::new(false);
    let info = Resource::new(|| (), |_| get_upload_settings());
    let jobs = Resource::new(
        move || (page.get(), tick.get()),
        |(page, _)| list_ingest_jobs(page),
    );
    let detail = Resource::new(
        move || (job.get(), epage.get(), tick.get()),
        |(job, epage, _)| async move {
            match job {
                Some(id) => get_ingest_job(id, epage).await.map(Some),
                None => Ok(None),
            }
        },
    );
    Effect::new(move |_| {
        let listed = jobs.get().map(|r| r.map(|l| l.any_active));
        let opened = detail
            .get()
            .map(|r| r.map(|d| d.is_some_and(|d| d.job.status.is_active())));
        match (listed, opened) {
            // Stop following only when both answers are in and nothing runs; a refetch still on
            // its way, or one that failed, says nothing about the load.
            (Some(Ok(listed)), Some(Ok(opened))) => active.set(listed || opened),
            (Some(Ok(true)), _) | (_, Some(Ok(true))) => active.set(true),
            _ => {}
        }
    });
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                if active.try_get_untracked().unwrap_or(false) {
                    tick.try_update(|t| *t += 1);
                }
            },
            std::time::Duration::from_secs(1),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    });

    let navigate = use_navigate();
    let on_uploaded = Callback::new(move |job_id: i64| {
        // Show the new job at once (a small file may be loaded before the next poll), then
        // follow it while it runs.
        active.set(true);
        tick.update(|t| *t += 1);
        navigate(&href(1, Some(job_id), 1), NavigateOptions::default());
    });

    view! {
        <PageHeader
            title="Data loads"
            subtitle="Upload Wealth Spectrum reports and Salesforce exports, and follow every load."
        />
        <Transition fallback=|| view! { <div class="skeleton-table" aria-busy="true"></div> }>
            <Guarded testid="ingest-forbidden" class="forbidden" lead="403 — not available to your role. ">
                {move || Suspend::new(async move {
                    let info = info.await?;
                    let max_mb = info.max_upload_mb;
                    Ok::<_, AppError>(view! {
                        {move || upload_error.get().map(|code| view! {
                            <p class="alert alert--error" role="alert" data-testid="upload-error">{upload_error_text(&code, max_mb)}</p>
                        })}
                        <UploadPanel info on_uploaded/>
                        <Transition fallback=|| ()>
                            <Guarded>
                                {move || Suspend::new(async move {
                                    let detail = detail.await?;
                                    Ok::<_, AppError>(detail.map(|d| view! { <JobDetailCard detail=d page=page.get_untracked()/> }.into_any()))
                                })}
                            </Guarded>
                        </Transition>
                        <h2 class="section-title">"Loads"</h2>
                        <Transition fallback=|| view! { <div class="skeleton-table" aria-busy="true"></div> }>
                            <Guarded>
                                {move || Suspend::new(async move {
                                    let list = jobs.await?;
                                    Ok::<_, AppError>(view! { <JobTable list selected=job.get_untracked()/> }.into_any())
                                })}
                            </Guarded>
                        </Transition>
                    }.into_any())
                })}
            </Guarded>
        </Transition>
    }
}
