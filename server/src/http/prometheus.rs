//! `/metrics` for Prometheus: request latency per route (every page, server function and API
//! route by its pattern, so a crafted URL cannot create a new series), the database pools, the
//! ingest jobs by status and how long they ran, the last successful load and the data version.
//!
//! The endpoint is off unless `PMS_METRICS_TOKEN` is set; the scraper then presents it as a
//! bearer token (figures about the firm's loads are not for anyone who can reach the port).

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use subtle::ConstantTimeEq;

use super::AppState;

/// Where Prometheus scrapes.
pub const PATH: &str = "/metrics";

const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route's pattern (`/clients/{id}`, `/api/clients/list`), `unmatched` for the rest.
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    status: String,
}

/// The process's metrics; shared by every request.
pub struct Telemetry {
    token: Option<String>,
    registry: Registry,
    requests: Family<RequestLabels, Histogram>,
    pool_connections: Family<PoolLabels, Gauge>,
    jobs: Family<JobLabels, Gauge>,
    job_seconds: Family<JobLabels, Gauge<f64, AtomicU64>>,
    data_version: Gauge,
    last_load: Gauge<f64, AtomicU64>,
}

fn latency_histogram() -> Histogram {
    // 1 ms … ~16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Telemetry {
    pub fn new(token: Option<String>) -> Arc<Self> {
        let mut registry = Registry::with_prefix("pms");
        let requests = Family::<RequestLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request, by method, route pattern and status",
            requests.clone(),
        );
        let pool_connections = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Database connections by pool and state (idle, in_use)",
            pool_connections.clone(),
        );
        let jobs = Family::<JobLabels, Gauge>::default();
        registry.register("ingest_jobs", "Ingest jobs by status", jobs.clone());
        let job_seconds = Family::<JobLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "ingest_job_seconds",
            "Seconds the finished ingest jobs of each status ran, in all",
            job_seconds.clone(),
        );
        let data_version = Gauge::default();
        registry.register(
            "data_version",
            "The data version the dashboard reads (advances after every load or refresh)",
            data_version.clone(),
        );
        let last_load = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "last_successful_load_timestamp_seconds",
            "When the last successful load finished (Unix time; 0 before the first)",
            last_load.clone(),
        );
        Arc::new(Self {
            token,
            registry,
            requests,
            pool_connections,
            jobs,
            job_seconds,
            data_version,
            last_load,
        })
    }

    /// The bearer token matches the configured one (in constant time).
    fn admits(&self, headers: &HeaderMap) -> bool {
        match (&self.token, super::auth::bearer(headers)) {
            (Some(expected), Some(presented)) => {
                bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
            }
            _ => false,
        }
    }
}

/// Middleware: observes every request's latency under its route pattern.
pub async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    // A client may send any method name; only the standard ones get their own series.
    let method = match *req.method() {
        Method::GET
        | Method::HEAD
        | Method::POST
        | Method::PUT
        | Method::PATCH
        | Method::DELETE
        | Method::OPTIONS => req.method().as_str().to_owned(),
        _ => "other".to_owned(),
    };
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    state
        .telemetry
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: response.status().as_u16().to_string(),
        })
        .observe(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: the OpenMetrics text of every metric, with the store's figures read now.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let telemetry = &state.telemetry;
    if telemetry.token.is_none() {
        return (
            StatusCode::NOT_FOUND,
            "metrics are off: set PMS_METRICS_TOKEN and scrape with it as a bearer token\n",
        )
            .into_response();
    }
    if !telemetry.admits(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "present the metrics token as `Authorization: Bearer <PMS_METRICS_TOKEN>`\n",
        )
            .into_response();
    }
    for (pool, open, idle) in state.db.pool_connections() {
        let idle = idle as i64;
        for (kind, value) in [("idle", idle), ("in_use", i64::from(open) - idle)] {
            telemetry
                .pool_connections
                .get_or_create(&PoolLabels {
                    pool: pool.to_owned(),
                    state: kind.to_owned(),
                })
                .set(value);
        }
    }
    match state.db.operational_counts().await {
        Ok(counts) => {
            telemetry.data_version.set(counts.data_version);
            // A status no job has any more reads as absent, not as its last count.
            telemetry.jobs.clear();
            telemetry.job_seconds.clear();
            for (status, count, seconds) in counts.jobs_by_status {
                let labels = JobLabels { status };
                telemetry.jobs.get_or_create(&labels).set(count);
                telemetry.job_seconds.get_or_create(&labels).set(seconds);
            }
            telemetry.last_load.set(
                counts
                    .last_load_at
                    .map_or(0.0, |at| at.timestamp_millis() as f64 / 1000.0),
            );
        }
        // The request figures are still worth a scrape; the store's stay as last read.
        Err(e) => tracing::warn!(error = %e, "metrics: the store's figures could not be read"),
    }
    let mut body = String::new();
    if let Err(e) = encode(&mut body, &telemetry.registry) {
        tracing::error!(error = %e, "metrics: encoding failed");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response()
}
