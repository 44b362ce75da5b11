-- The audit trail: append-only and hash-chained. Each row's hash covers its own fields and the
-- previous row's hash, so changing or deleting any row breaks the chain from there on;
-- `pms-hub audit verify` recomputes it. Rows are numbered without gaps under a lock.

CREATE TABLE audit_log (
    seq                 bigint PRIMARY KEY,
    at                  timestamptz NOT NULL,
    actor_user_id       bigint,
    actor               text NOT NULL,          -- e-mail, token name or 'system'
    ip                  text,
    user_agent          text,
    action              text NOT NULL,          -- 'auth.login', 'client.view', 'export.csv', …
    object_type         text,
    object_id           text,
    details             text NOT NULL DEFAULT '{}',  -- JSON exactly as hashed
    prev_hash           bytea NOT NULL,
    hash                bytea NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, at DESC);
CREATE INDEX audit_log_action ON audit_log (action, at DESC);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- The application never updates or deletes audit rows; refuse it outright. (Someone with
-- owner rights could still disable this; the hash chain is what detects that.)
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
