-- Facts: transactions, daily valuations with the day's net external flow, holdings snapshots,
-- security prices, benchmark levels (partitioned by year where they grow daily), and the CRM
-- log of calls and meetings.

CREATE TABLE fact_transaction (
    txn_ref         text NOT NULL,              -- Wealth Spectrum transaction id
    portfolio_id    integer NOT NULL,
    trade_date      date NOT NULL,
    settle_date     date,
    txn_type        text NOT NULL CHECK (txn_type IN (
                        'BUY', 'SELL', 'DIVIDEND', 'INTEREST', 'INFLOW', 'OUTFLOW',
                        'MGMT_FEE', 'PERF_FEE', 'EXPENSE', 'SECURITY_IN', 'SECURITY_OUT')),
    security_id     integer,
    quantity        numeric(24, 6),
    price           numeric(20, 6),
    -- Signed cash effect on the portfolio in rupees: purchases, withdrawals and fees negative.
    amount          numeric(20, 2) NOT NULL,
    charges         numeric(20, 2) NOT NULL DEFAULT 0,
    job_id          bigint,
    PRIMARY KEY (txn_ref, trade_date)
) PARTITION BY RANGE (trade_date);

CREATE TABLE fact_valuation (
    portfolio_id    integer NOT NULL,
    valuation_date  date NOT NULL,
    market_value    numeric(20, 2) NOT NULL,    -- end of day, including the day's flow
    net_flow        numeric(20, 2) NOT NULL DEFAULT 0,  -- external inflow (+) / outflow (−) that day
    job_id          bigint,
    PRIMARY KEY (portfolio_id, valuation_date)
) PARTITION BY RANGE (valuation_date);

CREATE TABLE fact_holding (
    portfolio_id    integer NOT NULL,
    as_of           date NOT NULL,
    security_id     integer NOT NULL,
    quantity        numeric(24, 6) NOT NULL,
    cost_value      numeric(20, 2),
    market_value    numeric(20, 2) NOT NULL,
    job_id          bigint,
    PRIMARY KEY (portfolio_id, as_of, security_id)
) PARTITION BY RANGE (as_of);

CREATE TABLE fact_security_price (
    security_id     integer NOT NULL,
    price_date      date NOT NULL,
    close_price     numeric(20, 6) NOT NULL CHECK (close_price > 0),
    job_id          bigint,
    PRIMARY KEY (security_id, price_date)
) PARTITION BY RANGE (price_date);

-- One partition per calendar year for 2010–2040, and a default one so no date is ever refused.
DO $$
DECLARE
    t text;
    y int;
BEGIN
    FOREACH t IN ARRAY ARRAY['fact_transaction', 'fact_valuation', 'fact_holding', 'fact_security_price'] LOOP
        FOR y IN 2010..2040 LOOP
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                           t || '_' || y, t, make_date(y, 1, 1), make_date(y + 1, 1, 1));
        END LOOP;
        EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', t || '_other', t);
    END LOOP;
END $$;

CREATE INDEX fact_transaction_portfolio ON fact_transaction (portfolio_id, trade_date);
CREATE INDEX fact_transaction_ref ON fact_transaction (txn_ref);
CREATE INDEX fact_transaction_security ON fact_transaction (security_id) WHERE security_id IS NOT NULL;
CREATE INDEX fact_holding_security ON fact_holding (security_id, as_of);

CREATE TABLE fact_benchmark_level (
    benchmark_id    integer NOT NULL REFERENCES dim_benchmark,
    level_date      date NOT NULL,
    level           numeric(20, 6) NOT NULL CHECK (level > 0),
    job_id          bigint,
    PRIMARY KEY (benchmark_id, level_date)
);

-- Salesforce Tasks and Events: the relationship log.
CREATE TABLE fact_crm_activity (
    sf_activity_id  text PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('Task', 'Event')),
    client_id       integer REFERENCES dim_client ON DELETE CASCADE,
    rm_id           integer REFERENCES dim_rm,
    subject         text,
    activity_type   text,                       -- Call, Meeting, Email, Review …
    activity_date   date,
    status          text,
    sf_modstamp     timestamptz,
    job_id          bigint
);
CREATE INDEX fact_crm_activity_client ON fact_crm_activity (client_id, activity_date DESC);
CREATE INDEX fact_crm_activity_rm ON fact_crm_activity (rm_id, activity_date DESC);

-- Incremental pulls: the highest SystemModstamp seen per Salesforce object.
CREATE TABLE sf_watermark (
    object_name     text PRIMARY KEY,
    last_modstamp   timestamptz NOT NULL,
    last_job_id     bigint REFERENCES ingest_job,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
