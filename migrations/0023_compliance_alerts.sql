-- Compliance alerts: rules that admins and compliance officers set (one per kind, with its
-- threshold), evaluated after every change of the data the dashboard reads; each breach is an
-- alert that stays open until it is acknowledged and resolved, or until a later load clears it.
-- New alerts are sent as webhooks (compliance.breach) and e-mailed (email_outbox), both written
-- in the transaction that opens them.

CREATE TABLE alert_rule (
    kind            text PRIMARY KEY CHECK (kind IN
                        ('single_stock', 'sector', 'drawdown', 'missing_valuation', 'perf_fee_due', 'downgrade')),
    -- A fraction for single_stock, sector and drawdown; days for the others.
    threshold       double precision NOT NULL CHECK (threshold > 0),
    active          boolean NOT NULL DEFAULT true,
    updated_by      bigint REFERENCES app_user ON DELETE SET NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- The firm's limits as the Compliance page applied them before they were configurable.
INSERT INTO alert_rule (kind, threshold) VALUES
    ('single_stock', 0.10), ('sector', 0.35), ('drawdown', 0.20),
    ('missing_valuation', 5), ('perf_fee_due', 15), ('downgrade', 90);

-- Ratings on one scale, best first (AAA = 1 … D = 20), whatever the agency's prefix or
-- suffix ("CRISIL AA+", "A1+" is not a long-term rating and has no rank).
CREATE FUNCTION rating_rank(rating text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE m[1]
        WHEN 'AAA' THEN 1 WHEN 'AA' THEN 3 WHEN 'A' THEN 6 WHEN 'BBB' THEN 9
        WHEN 'BB' THEN 12 WHEN 'B' THEN 15 WHEN 'CCC' THEN 17 WHEN 'CC' THEN 18 WHEN 'C' THEN 19
        WHEN 'D' THEN 20 END
        + CASE WHEN m[1] IN ('AAA', 'CCC', 'CC', 'C', 'D') THEN 0
               WHEN m[2] = '+' THEN -1 WHEN m[2] = '-' THEN 1 ELSE 0 END
    FROM (SELECT regexp_match(upper(rating), '(?:^|[^A-Z])(AAA|AA|A|BBB|BB|B|CCC|CC|C|D)([+-]?)(?:[^A-Z0-9+-]|$)') AS m) r
$$;

-- Every change of a security's rating, with the load that made it: "downgraded" needs the
-- rating before, which the security master overwrites.
CREATE TABLE security_rating_change (
    change_id       bigserial PRIMARY KEY,
    security_id     integer NOT NULL REFERENCES dim_security ON DELETE CASCADE,
    old_rating      text,
    new_rating      text,
    job_id          bigint REFERENCES ingest_job ON DELETE SET NULL,
    changed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX security_rating_change_recent ON security_rating_change (changed_at, security_id);

CREATE FUNCTION note_rating_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO security_rating_change (security_id, old_rating, new_rating, job_id)
    VALUES (NEW.security_id, OLD.rating, NEW.rating, NEW.last_job_id);
    RETURN NEW;
END $$;
CREATE TRIGGER note_rating_change AFTER UPDATE OF rating ON dim_security
    FOR EACH ROW WHEN (OLD.rating IS DISTINCT FROM NEW.rating) EXECUTE FUNCTION note_rating_change();

-- The breaches the data shows now, under the active rules: one row per (rule, portfolio,
-- subject), with the measured value, the threshold and a sentence of detail.
CREATE VIEW compliance_breach_now AS
WITH rule AS (
    SELECT kind, threshold FROM alert_rule WHERE active
), firm AS (
    SELECT max(as_of) AS as_of FROM agg_portfolio
), active_portfolio AS (
    SELECT p.portfolio_id FROM dim_portfolio p WHERE p.status = 'Active'
), latest AS (
    -- Each portfolio's latest holdings date, by its index (not a scan of every holding).
    SELECT a.portfolio_id, l.as_of
    FROM active_portfolio a
    CROSS JOIN LATERAL (SELECT max(h.as_of) AS as_of FROM fact_holding h WHERE h.portfolio_id = a.portfolio_id) l
    WHERE l.as_of IS NOT NULL
      AND EXISTS (SELECT 1 FROM rule WHERE kind IN ('single_stock', 'sector', 'downgrade'))
), line AS (
    SELECT l.portfolio_id, l.as_of, s.security_id, s.name, s.isin, s.asset_class, s.rating,
           coalesce(s.sector, 'Unclassified') AS sector,
           h.market_value::float8 / nullif(sum(h.market_value::float8) OVER (PARTITION BY l.portfolio_id), 0) AS weight
    FROM latest l
    JOIN fact_holding h ON h.portfolio_id = l.portfolio_id AND h.as_of = l.as_of
    JOIN dim_security s ON s.security_id = h.security_id
), month_index AS (
    SELECT m.portfolio_id, m.month_end,
           exp(sum(ln(greatest(1 + m.twrr_month, 1e-9))) OVER w) AS idx,
           row_number() OVER (PARTITION BY m.portfolio_id ORDER BY m.month_end DESC) AS recency
    FROM agg_portfolio_month m JOIN active_portfolio a ON a.portfolio_id = m.portfolio_id
    WHERE m.twrr_month IS NOT NULL AND EXISTS (SELECT 1 FROM rule WHERE kind = 'drawdown')
    WINDOW w AS (PARTITION BY m.portfolio_id ORDER BY m.month_end)
), drawdown AS (
    SELECT portfolio_id, month_end, idx / max(idx) OVER (PARTITION BY portfolio_id) - 1 AS dd, recency,
           max(idx) OVER (PARTITION BY portfolio_id) AS peak
    FROM month_index
)
SELECT 'single_stock'::text AS kind, line.portfolio_id, line.name || ' (' || line.isin || ')' AS subject,
       line.weight AS value, rule.threshold, line.sector AS detail, line.as_of
FROM line JOIN rule ON rule.kind = 'single_stock'
WHERE line.asset_class = 'Equity' AND line.weight > rule.threshold
UNION ALL
SELECT 'sector', line.portfolio_id, line.sector, sum(line.weight), rule.threshold,
       count(*) || ' holdings', line.as_of
FROM line JOIN rule ON rule.kind = 'sector'
GROUP BY line.portfolio_id, line.sector, line.as_of, rule.threshold
HAVING sum(line.weight) > rule.threshold
UNION ALL
SELECT 'drawdown', d.portfolio_id, '', -d.dd, rule.threshold,
       'Month-end TWRR index ' || round(((1 + d.dd) * 100)::numeric, 1) || '% of its peak', d.month_end
FROM drawdown d JOIN rule ON rule.kind = 'drawdown'
WHERE d.recency = 1 AND -d.dd > rule.threshold
UNION ALL
SELECT 'missing_valuation', p.portfolio_id, '', (firm.as_of - a.as_of)::float8, rule.threshold,
       CASE WHEN a.as_of IS NULL THEN 'Never valued' ELSE 'Last valued ' || to_char(a.as_of, 'DD Mon YYYY') END,
       a.as_of
FROM active_portfolio p
LEFT JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
CROSS JOIN firm JOIN rule ON rule.kind = 'missing_valuation'
WHERE firm.as_of IS NOT NULL AND (a.as_of IS NULL OR firm.as_of - a.as_of > rule.threshold)
UNION ALL
SELECT 'perf_fee_due', f.portfolio_id, '', (f.next_crystallisation - f.as_of)::float8, rule.threshold,
       'Performance fee of ₹' || to_char(f.perf_fee_accrued, 'FM99,99,99,99,99,990.00') || ' accrued; crystallises on '
           || to_char(f.next_crystallisation, 'DD Mon YYYY'),
       f.as_of
FROM agg_portfolio_fee f JOIN active_portfolio a ON a.portfolio_id = f.portfolio_id
JOIN rule ON rule.kind = 'perf_fee_due'
WHERE f.perf_fee_accrued > 0 AND f.next_crystallisation IS NOT NULL
  AND f.next_crystallisation - f.as_of <= rule.threshold
UNION ALL
SELECT DISTINCT ON (line.portfolio_id, line.security_id)
       'downgrade', line.portfolio_id, line.name || ' (' || line.isin || ')',
       (rating_rank(c.new_rating) - rating_rank(c.old_rating))::float8, rule.threshold,
       'Downgraded ' || c.old_rating || ' → ' || c.new_rating || ' on ' || to_char(c.changed_at AT TIME ZONE 'Asia/Kolkata', 'DD Mon YYYY'),
       line.as_of
FROM line
JOIN rule ON rule.kind = 'downgrade'
JOIN security_rating_change c ON c.security_id = line.security_id
WHERE line.asset_class = 'Debt' AND c.changed_at > now() - make_interval(days => rule.threshold::int)
  AND rating_rank(c.new_rating) > rating_rank(c.old_rating)
ORDER BY 1, 2, 3;

CREATE TABLE compliance_alert (
    alert_id        bigserial PRIMARY KEY,
    kind            text NOT NULL REFERENCES alert_rule,
    portfolio_id    integer NOT NULL REFERENCES dim_portfolio ON DELETE CASCADE,
    subject         text NOT NULL,              -- the stock, sector or bond; '' for the portfolio
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
    value           double precision,           -- as last measured
    threshold       double precision NOT NULL,
    detail          text,
    as_of           date,
    opened_at       timestamptz NOT NULL DEFAULT now(),
    opened_version  bigint NOT NULL,
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    acknowledged_by bigint REFERENCES app_user ON DELETE SET NULL,
    acknowledged_at timestamptz,
    -- resolved_by NULL with resolved_at set: a later load no longer shows the breach.
    resolved_by     bigint REFERENCES app_user ON DELETE SET NULL,
    resolved_at     timestamptz,
    -- The data version a person resolved it at: the same breach is not raised again until
    -- newer data shows it.
    resolved_version bigint,
    note            text
);
-- At most one live alert per breach; a resolved one that newer data still shows opens a new alert.
CREATE UNIQUE INDEX compliance_alert_live ON compliance_alert (kind, portfolio_id, subject) WHERE status <> 'resolved';
CREATE INDEX compliance_alert_status ON compliance_alert (status, alert_id DESC);
CREATE INDEX compliance_alert_portfolio ON compliance_alert (portfolio_id);

-- The data version the alerts were last evaluated at (one row; -1 = evaluate again, e.g.
-- after a rule changed).
CREATE TABLE alert_evaluation (
    only_row        boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    evaluated_version bigint NOT NULL DEFAULT -1,
    evaluated_at    timestamptz
);
INSERT INTO alert_evaluation DEFAULT VALUES;

-- Opens an alert for each new breach, refreshes the live ones, and resolves those the data no
-- longer shows; emits compliance.breach for each alert opened. Returns the opened alerts.
CREATE FUNCTION evaluate_compliance_alerts(p_version bigint) RETURNS SETOF bigint LANGUAGE plpgsql AS $$
BEGIN
    DROP TABLE IF EXISTS breach_now, opened;
    CREATE TEMP TABLE breach_now ON COMMIT DROP AS SELECT * FROM compliance_breach_now;
    UPDATE compliance_alert a
       SET value = b.value, threshold = b.threshold, detail = b.detail, as_of = b.as_of, last_seen_at = now()
      FROM breach_now b
     WHERE a.status <> 'resolved' AND a.kind = b.kind AND a.portfolio_id = b.portfolio_id AND a.subject = b.subject;
    UPDATE compliance_alert a
       SET status = 'resolved', resolved_at = now(), resolved_by = NULL,
           note = coalesce(a.note || E'\n', '') || 'Cleared: the data of version ' || p_version || ' no longer shows the breach.'
     WHERE a.status <> 'resolved'
       AND NOT EXISTS (SELECT 1 FROM breach_now b WHERE a.kind = b.kind AND a.portfolio_id = b.portfolio_id AND a.subject = b.subject);
    CREATE TEMP TABLE opened ON COMMIT DROP AS
    WITH inserted AS (
        INSERT INTO compliance_alert (kind, portfolio_id, subject, value, threshold, detail, as_of, opened_version)
        SELECT b.kind, b.portfolio_id, b.subject, b.value, b.threshold, b.detail, b.as_of, p_version
        FROM breach_now b
        WHERE NOT EXISTS (SELECT 1 FROM compliance_alert a
                          WHERE a.kind = b.kind AND a.portfolio_id = b.portfolio_id AND a.subject = b.subject
                            AND (a.status <> 'resolved' OR (a.resolved_by IS NOT NULL AND a.resolved_version >= p_version)))
        RETURNING *
    ) SELECT * FROM inserted;
    PERFORM webhook_emit('compliance.breach', jsonb_build_object(
        'alert_id', o.alert_id, 'rule', o.kind, 'portfolio_id', o.portfolio_id,
        'portfolio_code', p.ws_portfolio_code, 'client_id', p.client_id, 'subject', o.subject,
        'value', o.value, 'threshold', o.threshold, 'detail', o.detail, 'as_of', o.as_of,
        'data_version', p_version, 'opened_at', o.opened_at))
    FROM opened o JOIN dim_portfolio p ON p.portfolio_id = o.portfolio_id;
    UPDATE alert_evaluation SET evaluated_version = p_version, evaluated_at = now();
    RETURN QUERY SELECT o.alert_id FROM opened o ORDER BY o.alert_id;
END $$;

-- E-mails waiting to go out (sent by the server when SMTP is configured: PMS_SMTP_URL).
CREATE TABLE email_outbox (
    email_id        bigserial PRIMARY KEY,
    recipients      text[] NOT NULL CHECK (cardinality(recipients) > 0),
    subject         text NOT NULL,
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE status = 'pending';
