//! `GET /api/events`: server-sent events that tell every open dashboard when the data changed,
//! so it refetches what it shows without a reload (its URL, and so its filters, stay).
//!
//! One task per server polls the data version (`read_model_version_seq`, advanced by every
//! load, aggregate refresh and RM reassignment) and publishes it on a watch channel; each
//! stream sends the version it starts with and then every new one. Polling the database
//! rather than listening inside this process means a load finished by another instance (or by
//! `pms-hub ingest` on the console) reaches every browser. Streams end when the server stops,
//! so a graceful shutdown never waits on an open dashboard.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::Router;
use futures::stream::{self, Stream, StreamExt};
use pms_domain::error::AppError;
use pms_domain::identity::Capability;
use pms_store::Db;
use tokio::sync::watch;

use super::api::ApiCaller;
use super::AppState;

/// How often the data version is read.
const POLL_EVERY: Duration = Duration::from_secs(2);

/// The data version as this server last read it, and whether the server is stopping.
#[derive(Clone)]
pub struct LiveVersion {
    version: watch::Sender<i64>,
    closing: watch::Sender<bool>,
}

impl Default for LiveVersion {
    fn default() -> Self {
        Self {
            version: watch::Sender::new(0),
            closing: watch::Sender::new(false),
        }
    }
}

impl LiveVersion {
    /// Reads the data version every [`POLL_EVERY`] until [`LiveVersion::close`]; a failed
    /// read is logged and tried again at the next tick.
    pub async fn poll(self, db: Db) {
        let mut closing = self.closing.subscribe();
        let mut tick = tokio::time::interval(POLL_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stopped(&mut closing) => return,
                _ = tick.tick() => match db.read_version().await {
                    Ok(v) => {
                        self.version.send_if_modified(|current| {
                            let changed = *current != v;
                            *current = v;
                            changed
                        });
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot read the data version"),
                },
            }
        }
    }

    /// Ends the poll and every open stream.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// The versions a new stream sends: the current one, then each new one, until closing.
    fn stream(&self) -> impl Stream<Item = i64> + Send + 'static {
        let mut versions = self.version.subscribe();
        let first = *versions.borrow_and_update();
        let closing = self.closing.subscribe();
        let updates = stream::unfold(
            (versions, closing),
            |(mut versions, mut closing)| async move {
                let changed = tokio::select! {
                    _ = stopped(&mut closing) => false,
                    changed = versions.changed() => changed.is_ok(),
                };
                if !changed {
                    return None;
                }
                let v = *versions.borrow_and_update();
                Some((v, (versions, closing)))
            },
        );
        stream::once(async move { first })
            .filter(|v| std::future::ready(*v > 0))
            .chain(updates)
    }
}

/// Resolves once the server is stopping (or the flag's sender is gone).
async fn stopped(closing: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is dropped here: it must not live in a `Send` future.
    let _ = closing.wait_for(|c| *c).await.is_ok();
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/events", get(events))
}

/// `event: version` / `data: 42` for every data version, with keep-alive comments between.
async fn events(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    caller.require(Capability::Analyse)?;
    let events = state
        .live
        .stream()
        .map(|v| Ok(Event::default().event("version").data(v.to_string())));
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stream_sends_the_current_version_then_each_new_one_and_ends_on_close() {
        let live = LiveVersion::default();
        live.version.send_replace(7);
        let mut stream = Box::pin(live.stream());
        assert_eq!(stream.next().await, Some(7));
        live.version.send_replace(8);
        assert_eq!(stream.next().await, Some(8));
        live.close();
        assert_eq!(stream.next().await, None);
    }
}
