-- Integrity of the Salesforce feed and of the aggregate refresh.

-- 1. Dirty marks become a log: every mark is a row with its own sequence number, so a refresh
-- removes exactly the marks it read and a portfolio marked again while it was being computed
-- stays marked (loads keep writing `INSERT … ON CONFLICT DO NOTHING`, which now always inserts).
ALTER TABLE agg_dirty_portfolio DROP CONSTRAINT agg_dirty_portfolio_pkey;
ALTER TABLE agg_dirty_portfolio ADD COLUMN seq bigserial PRIMARY KEY;
CREATE INDEX agg_dirty_portfolio_portfolio ON agg_dirty_portfolio (portfolio_id);

-- 2. RM assignment: an assignment made in the app stands until it is changed in the app; what
-- Salesforce says (the Account owner) is kept beside it, and a disagreement is visible.
ALTER TABLE dim_client
    ADD COLUMN rm_assigned_in_app_at timestamptz,           -- NULL = the RM follows Salesforce
    ADD COLUMN sf_owner_rm_id integer REFERENCES dim_rm,     -- the Account owner at the last sync
    ADD COLUMN sf_deleted_at timestamptz,                    -- the Account was deleted (or merged away)
    ADD COLUMN rm_conflict boolean GENERATED ALWAYS AS (
        rm_assigned_in_app_at IS NOT NULL AND sf_owner_rm_id IS NOT NULL AND sf_owner_rm_id IS DISTINCT FROM rm_id
    ) STORED;
CREATE INDEX dim_client_rm_conflict ON dim_client (client_id) WHERE rm_conflict;

UPDATE dim_client SET sf_owner_rm_id = rm_id WHERE sf_account_id IS NOT NULL;
-- Assignments already made in the app: the current history row was written without a job.
UPDATE dim_client c SET rm_assigned_in_app_at = h.valid_from
FROM client_history h
WHERE h.client_id = c.client_id AND h.valid_to IS NULL AND h.job_id IS NULL
  AND h.rm_id IS DISTINCT FROM c.sf_owner_rm_id AND c.sf_account_id IS NOT NULL;

-- Any change of rm_id that is not the Salesforce sync (which says so with the transaction-local
-- setting pms.rm_source = 'salesforce') is an assignment made in the app.
CREATE FUNCTION note_rm_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.rm_id IS DISTINCT FROM OLD.rm_id
       AND coalesce(current_setting('pms.rm_source', true), '') <> 'salesforce' THEN
        NEW.rm_assigned_in_app_at := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER dim_client_rm_assignment BEFORE UPDATE OF rm_id ON dim_client
    FOR EACH ROW EXECUTE FUNCTION note_rm_assignment();

-- 3. How far the deleted-records resource of each Salesforce object has been read.
ALTER TABLE sf_watermark ADD COLUMN deleted_until timestamptz;
