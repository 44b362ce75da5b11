-- Keeps client_history in step with dim_client: for each given client whose RM or risk
-- profile differs from its current history row (or that has none), close that row and open a
-- new one. Every path that changes a client (Wealth Spectrum, Salesforce, an admin's
-- reassignment) calls it, so the history cannot be forgotten.
CREATE FUNCTION record_client_history(p_client_ids integer[], p_job_id bigint)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    changed integer;
    at timestamptz := clock_timestamp();
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS changed_client (client_id integer PRIMARY KEY) ON COMMIT DROP;
    TRUNCATE changed_client;
    INSERT INTO changed_client
    SELECT c.client_id
    FROM dim_client c
    LEFT JOIN client_history h ON h.client_id = c.client_id AND h.valid_to IS NULL
    WHERE c.client_id = ANY (p_client_ids)
      AND (h.client_id IS NULL OR (h.rm_id, h.risk_profile) IS DISTINCT FROM (c.rm_id, c.risk_profile));
    GET DIAGNOSTICS changed = ROW_COUNT;

    UPDATE client_history h SET valid_to = at
    FROM changed_client x WHERE h.client_id = x.client_id AND h.valid_to IS NULL;

    INSERT INTO client_history (client_id, valid_from, rm_id, risk_profile, job_id)
    SELECT c.client_id, at, c.rm_id, c.risk_profile, p_job_id
    FROM dim_client c JOIN changed_client x USING (client_id);
    RETURN changed;
END $$;
