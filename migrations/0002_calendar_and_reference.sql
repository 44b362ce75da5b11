-- Reference dimensions: the calendar (with India's April–March financial year), benchmarks,
-- SEBI strategies and their investment approaches, securities, relationship managers and teams.

CREATE EXTENSION IF NOT EXISTS pg_trgm;   -- fast substring search for autocomplete

CREATE TABLE dim_date (
    date_key        date PRIMARY KEY,
    year            smallint NOT NULL,
    month           smallint NOT NULL,
    quarter         smallint NOT NULL,          -- calendar quarter
    fy_start_year   smallint NOT NULL,          -- FY2025-26 → 2025
    fy_label        text NOT NULL,              -- 'FY2025-26'
    fy_quarter      smallint NOT NULL,          -- Q1 = April–June
    month_end       date NOT NULL,
    is_month_end    boolean NOT NULL,
    is_fy_end       boolean NOT NULL,
    iso_dow         smallint NOT NULL,          -- 1 = Monday … 7 = Sunday
    is_weekday      boolean NOT NULL
);

INSERT INTO dim_date
SELECT d,
       extract(year FROM d)::smallint,
       extract(month FROM d)::smallint,
       extract(quarter FROM d)::smallint,
       fy::smallint,
       format('FY%s-%s', fy, lpad(((fy + 1) % 100)::text, 2, '0')),
       (((extract(month FROM d)::int + 8) % 12) / 3 + 1)::smallint,
       (date_trunc('month', d) + interval '1 month - 1 day')::date,
       d = (date_trunc('month', d) + interval '1 month - 1 day')::date,
       extract(month FROM d) = 3 AND extract(day FROM d) = 31,
       extract(isodow FROM d)::smallint,
       extract(isodow FROM d) < 6
FROM generate_series(date '2000-01-01', date '2045-12-31', interval '1 day') AS g(ts),
     LATERAL (SELECT ts::date AS d) AS dd,
     LATERAL (SELECT CASE WHEN extract(month FROM dd.d) >= 4 THEN extract(year FROM dd.d)
                          ELSE extract(year FROM dd.d) - 1 END AS fy) AS f;

CREATE INDEX dim_date_fy ON dim_date (fy_start_year);

CREATE TABLE dim_benchmark (
    benchmark_id    serial PRIMARY KEY,
    code            text NOT NULL UNIQUE,       -- 'NIFTY50_TRI'
    name            text NOT NULL,              -- 'NIFTY 50 TRI'
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- SEBI's PMS strategy categories.
CREATE TABLE dim_strategy (
    strategy_id     serial PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    name            text NOT NULL,
    category        text NOT NULL CHECK (category IN ('Equity', 'Debt', 'Hybrid', 'Multi Asset')),
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dim_investment_approach (
    ia_id           serial PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    name            text NOT NULL,
    strategy_id     integer NOT NULL REFERENCES dim_strategy,
    benchmark_id    integer NOT NULL REFERENCES dim_benchmark,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dim_investment_approach_strategy ON dim_investment_approach (strategy_id);

CREATE TABLE dim_security (
    security_id     serial PRIMARY KEY,
    isin            text NOT NULL UNIQUE CHECK (isin ~ '^[A-Z]{2}[A-Z0-9]{9}[0-9]$'),
    name            text NOT NULL,
    asset_class     text NOT NULL CHECK (asset_class IN ('Equity', 'Debt', 'Hybrid', 'Cash', 'Commodity', 'Other')),
    sector          text,
    market_cap      text CHECK (market_cap IN ('Large Cap', 'Mid Cap', 'Small Cap')),
    rating          text,
    security_type   text,
    last_job_id     bigint REFERENCES ingest_job,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dim_security_asset_class ON dim_security (asset_class);

CREATE TABLE rm_team (
    team_id         serial PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    lead_rm_id      integer,                    -- FK added below (dim_rm refers back)
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dim_rm (
    rm_id           serial PRIMARY KEY,
    sf_user_id      text UNIQUE,                -- Salesforce User.Id
    employee_code   text UNIQUE,
    name            text NOT NULL,
    email           text,
    phone           text,
    team_id         integer REFERENCES rm_team ON DELETE SET NULL,
    is_active       boolean NOT NULL DEFAULT true,
    sf_modstamp     timestamptz,
    last_job_id     bigint REFERENCES ingest_job,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dim_rm_team ON dim_rm (team_id);

ALTER TABLE rm_team ADD CONSTRAINT rm_team_lead_fk FOREIGN KEY (lead_rm_id) REFERENCES dim_rm ON DELETE SET NULL;
