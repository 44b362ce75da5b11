-- Every load into the store is an ingest job: where it came from, what it read, what it changed,
-- and every problem found (row-level), so a load can be explained and repeated.

CREATE TABLE ingest_job (
    job_id          bigserial PRIMARY KEY,
    source          text NOT NULL CHECK (source IN (
                        'salesforce_api', 'salesforce_csv', 'wealth_spectrum_file',
                        'wealth_spectrum_api', 'demo')),
    report          text NOT NULL,          -- client_master, transactions, accounts, …
    trigger         text NOT NULL CHECK (trigger IN ('upload', 'cli', 'watch', 'schedule', 'startup', 'api')),
    file_name       text,
    file_sha256     text,
    file_bytes      bigint,
    profile         text,                   -- column-mapping profile name@version
    requested_by    bigint,                 -- app user, NULL for the system
    status          text NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'running', 'succeeded', 'rejected', 'failed')),
    phase           text,                   -- human-readable progress: "validating", "merging", …
    rows_read       bigint NOT NULL DEFAULT 0,
    rows_total      bigint,
    rows_inserted   bigint NOT NULL DEFAULT 0,
    rows_updated    bigint NOT NULL DEFAULT 0,
    rows_unchanged  bigint NOT NULL DEFAULT 0,
    error_count     bigint NOT NULL DEFAULT 0,
    as_of           date,                   -- latest business date the load carried
    data_version    bigint,                 -- store version this load produced
    message         text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    heartbeat_at    timestamptz,            -- the worker's last sign of life (stale = died)
    started_at      timestamptz,
    finished_at     timestamptz
);

CREATE INDEX ingest_job_recent ON ingest_job (created_at DESC);
CREATE INDEX ingest_job_succeeded ON ingest_job (finished_at DESC) WHERE status = 'succeeded';
CREATE INDEX ingest_job_file ON ingest_job (file_sha256) WHERE file_sha256 IS NOT NULL;

-- Each problem with a rejected load: where (line, column), what (value) and why.
CREATE TABLE ingest_error (
    job_id      bigint NOT NULL REFERENCES ingest_job (job_id) ON DELETE CASCADE,
    seq         integer NOT NULL,
    line        bigint,                     -- 1-based line in the file (header = 1); NULL for file-level
    column_name text,
    value       text,
    reason      text NOT NULL,
    PRIMARY KEY (job_id, seq)
);

-- The store's data version: bumped by every successful load, so caches and reports can say
-- which version of the data they show.
CREATE SEQUENCE data_version_seq;
