//! Planner statistics after a load. A bulk load can double a table or fill one that was empty;
//! until the table is analysed, PostgreSQL plans the dashboard's queries without column
//! statistics (a sequential scan where an index would do), and autovacuum may be off or a
//! minute away — and it never analyses a partitioned table as a whole. So every load ends by
//! analysing the tables it left stale.
//!
//! Stale means: never analysed but holding rows; grown to more than twice the pages it had at
//! its last analysis (read from the table's size, so it does not wait for the statistics
//! collector); or, per the collector, more rows changed since than a tenth of it. A partitioned
//! table is judged by its partitions together and analysed as a whole, which also analyses each
//! partition. Only tables this role owns are considered (it may analyse nothing else).

use sqlx::PgPool;

/// The stale tables of the `public` schema, parents of partitions rather than the partitions.
const STALE_TABLES: &str = r#"
WITH tables AS (
    SELECT c.oid, c.reltuples
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND pg_has_role(c.relowner, 'USAGE')
),
measured AS (
    SELECT t.oid, t.reltuples,
           sum(pg_relation_size(leaf.oid)) / current_setting('block_size')::bigint AS pages_now,
           sum(greatest(leaf.relpages, 0)) AS pages_then,
           sum(coalesce(s.n_mod_since_analyze, 0)) AS changed,
           sum(greatest(leaf.reltuples, 0)) AS rows_then
    FROM tables t
    CROSS JOIN LATERAL (
        SELECT relid FROM pg_partition_tree(t.oid) WHERE isleaf
        UNION ALL SELECT t.oid WHERE NOT EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = t.oid)
    ) l
    JOIN pg_class leaf ON leaf.oid = l.relid AND leaf.relkind = 'r'
    LEFT JOIN pg_stat_user_tables s ON s.relid = leaf.oid
    GROUP BY t.oid, t.reltuples
)
SELECT oid::regclass::text
FROM measured
WHERE pages_now > 0
  AND (reltuples < 0 OR pages_now > 2 * greatest(pages_then, 1) OR changed > 50 + rows_then / 10)
ORDER BY pages_now DESC
"#;

/// Analyses every stale table; returns their names. A failure is logged, not returned: the
/// load it follows has committed, and the next load (or autovacuum) tries again.
pub async fn analyse_stale(pool: &PgPool) -> Vec<String> {
    let tables: Vec<String> = match sqlx::query_scalar(STALE_TABLES).fetch_all(pool).await {
        Ok(tables) => tables,
        Err(e) => {
            tracing::warn!(error = %e, "cannot list the tables that need planner statistics");
            return Vec::new();
        }
    };
    let mut analysed = Vec::with_capacity(tables.len());
    for table in tables {
        // The name comes from `regclass` output, so it is already quoted where it needs to be.
        match sqlx::query(&format!("ANALYZE {table}")).execute(pool).await {
            Ok(_) => analysed.push(table),
            Err(e) => {
                tracing::warn!(table = %table, error = %e, "cannot analyse a table after a load")
            }
        }
    }
    if !analysed.is_empty() {
        tracing::info!(tables = ?analysed, "planner statistics refreshed after the load");
    }
    analysed
}
