-- Webhooks: other systems subscribe to events; each event is written to an outbox in the
-- same transaction as the change it reports, and delivered (signed, retried with backoff)
-- by whichever server instance claims it first.

CREATE TABLE webhook_subscriber (
    subscriber_id   bigserial PRIMARY KEY,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    url             text NOT NULL CHECK (url ~ '^https?://'),
    -- The events it receives: load.completed, load.failed (webhook.test goes to one on request).
    events          text[] NOT NULL CHECK (cardinality(events) > 0),
    -- The signing secret, sealed with the server's master key (it must be readable to sign).
    secret_sealed   bytea NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    created_by      bigint REFERENCES app_user ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- The outbox: what happened, once, whoever receives it.
CREATE TABLE webhook_event (
    event_id        bigserial PRIMARY KEY,
    event_type      text NOT NULL,
    payload         jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- One event to one subscriber: its attempts and outcome (the delivery log).
CREATE TABLE webhook_delivery (
    delivery_id     bigserial PRIMARY KEY,
    event_id        bigint NOT NULL REFERENCES webhook_event ON DELETE CASCADE,
    subscriber_id   bigint NOT NULL REFERENCES webhook_subscriber ON DELETE CASCADE,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    -- When it is next due; a claimed delivery is leased by moving this forward, so a worker
    -- that dies mid-delivery leaves it to be tried again.
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    last_status     integer,
    last_error      text,
    delivered_at    timestamptz,
    UNIQUE (event_id, subscriber_id)
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_delivery_recent ON webhook_delivery (delivery_id DESC);

-- Records an event and a delivery to every active subscriber of its type, in the caller's
-- transaction.
CREATE FUNCTION webhook_emit(kind text, body jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    new_event bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhook_subscriber WHERE active AND kind = ANY (events)) THEN
        RETURN;
    END IF;
    INSERT INTO webhook_event (event_type, payload) VALUES (kind, body) RETURNING event_id INTO new_event;
    INSERT INTO webhook_delivery (event_id, subscriber_id)
    SELECT new_event, subscriber_id FROM webhook_subscriber WHERE active AND kind = ANY (events);
END $$;

-- A load that ends (succeeds, is rejected or fails) is an event, written by the statement that
-- ends it, whichever path (upload, drop folder, schedule, command line) ran it.
CREATE FUNCTION ingest_job_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('succeeded', 'rejected', 'failed') THEN
        PERFORM webhook_emit(
            CASE WHEN NEW.status = 'succeeded' THEN 'load.completed' ELSE 'load.failed' END,
            jsonb_build_object(
                'job_id', NEW.job_id, 'status', NEW.status, 'source', NEW.source, 'report', NEW.report,
                'file_name', NEW.file_name, 'rows_read', NEW.rows_read, 'rows_inserted', NEW.rows_inserted,
                'rows_updated', NEW.rows_updated, 'rows_unchanged', NEW.rows_unchanged,
                'error_count', NEW.error_count, 'as_of', NEW.as_of, 'data_version', NEW.data_version,
                'message', NEW.message, 'finished_at', NEW.finished_at));
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER ingest_job_webhook AFTER UPDATE OF status ON ingest_job
    FOR EACH ROW EXECUTE FUNCTION ingest_job_webhook();
