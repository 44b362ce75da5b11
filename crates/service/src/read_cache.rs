//! Answers of the dashboard's reads, kept in memory and keyed by everything they depend on: the
//! question (which read, its filters), the caller's data scope and the version of the read
//! model. Fifty people opening the same page after a load compute it once; each of them still
//! sees only their own scope's answer, because the scope is part of the key.
//!
//! The version is a database sequence that every change to what the dashboard reads advances
//! *after* it commits (`pms_ingest::aggregate::publish_read_version`), so an answer computed
//! from data a change was still writing is never served once the change is done. Answers of an
//! older version are dropped as soon as a newer one is seen. Concurrent requests for the same
//! missing answer wait for one computation instead of each running the query.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use pms_store::Scope;
use tokio::sync::OnceCell;

use crate::AppResult;

/// More distinct answers than this at one version empties the cache (a crude bound on memory:
/// an answer is a page of a table or a summary, a few kilobytes).
const MAX_ANSWERS: usize = 20_000;

type Answer = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
struct Answers {
    version: i64,
    by_key: HashMap<String, Arc<OnceCell<Answer>>>,
}

/// The in-process cache of dashboard answers (one per server process).
#[derive(Default)]
pub struct ReadCache {
    answers: Mutex<Answers>,
}

/// The part of a key that says whose answer it is.
pub fn scope_key(scope: &Scope) -> String {
    if scope.sees_all() {
        "all".into()
    } else {
        format!("rm{:?}s{:?}", scope.rm_ids(), scope.strategy_ids())
    }
}

impl ReadCache {
    /// The answer for `key` at `version`: the stored one, or `compute`d (once, however many
    /// callers ask at the same time) and stored. An error is not stored.
    pub async fn answer<T, F, Fut>(
        &self,
        version: i64,
        key: String,
        compute: F,
    ) -> AppResult<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<T>>,
    {
        let key = format!("{}|{key}", std::any::type_name::<T>());
        // The guard lives only in this block: nothing is held across an await.
        let cell = {
            let mut answers = self.answers.lock().unwrap_or_else(|p| p.into_inner());
            if version < answers.version {
                // A reader that saw an older version must not store under it.
                None
            } else {
                if version > answers.version || answers.by_key.len() >= MAX_ANSWERS {
                    answers.by_key.clear();
                    answers.version = version;
                }
                Some(answers.by_key.entry(key).or_default().clone())
            }
        };
        let Some(cell) = cell else {
            return compute().await.map(Arc::new);
        };
        let answer = cell
            .get_or_try_init(|| async { compute().await.map(|v| Arc::new(v) as Answer) })
            .await?;
        // The type name is part of the key, so the stored answer has type `T`.
        Arc::clone(answer)
            .downcast::<T>()
            .map_err(|_| crate::internal("a cached answer has another type than its key says"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn an_answer_is_computed_once_per_key_and_version() {
        let cache = ReadCache::default();
        let runs = AtomicUsize::new(0);
        let compute = |n: u32| {
            let runs = &runs;
            move || async move {
                runs.fetch_add(1, Ordering::SeqCst);
                Ok(n)
            }
        };
        assert_eq!(*cache.answer(1, "a".into(), compute(10)).await.unwrap(), 10);
        assert_eq!(*cache.answer(1, "a".into(), compute(11)).await.unwrap(), 10);
        assert_eq!(*cache.answer(1, "b".into(), compute(20)).await.unwrap(), 20);
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        // A new version forgets every older answer.
        assert_eq!(*cache.answer(2, "a".into(), compute(12)).await.unwrap(), 12);
        // A reader still at the older version computes, and stores nothing.
        assert_eq!(*cache.answer(1, "a".into(), compute(99)).await.unwrap(), 99);
        assert_eq!(*cache.answer(2, "a".into(), compute(13)).await.unwrap(), 12);
    }

    #[tokio::test]
    async fn concurrent_requests_for_a_missing_answer_share_one_computation() {
        let cache = Arc::new(ReadCache::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let mut waiting = Vec::new();
        for _ in 0..20 {
            let (cache, runs) = (cache.clone(), runs.clone());
            waiting.push(tokio::spawn(async move {
                cache
                    .answer(7, "summary".into(), || async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok(42u64)
                    })
                    .await
                    .map(|v| *v)
            }));
        }
        for w in waiting {
            assert_eq!(w.await.unwrap().unwrap(), 42);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_computation_is_not_kept() {
        let cache = ReadCache::default();
        let failed = cache
            .answer::<u32, _, _>(1, "k".into(), || async {
                Err(pms_domain::error::AppError::Unavailable("busy".into()))
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(
            *cache
                .answer(1, "k".into(), || async { Ok(5u32) })
                .await
                .unwrap(),
            5
        );
    }
}
