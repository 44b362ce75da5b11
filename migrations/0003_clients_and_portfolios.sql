-- Clients (matched across Salesforce and Wealth Spectrum), their history of RM and risk-profile
-- changes, contacts, and portfolios with their fee terms.

CREATE TABLE dim_client (
    client_id       serial PRIMARY KEY,
    sf_account_id   text UNIQUE,                -- Salesforce Account.Id
    ws_client_code  text UNIQUE,                -- Wealth Spectrum client code (Account.PMS_Client_Code__c)
    name            text NOT NULL,
    pan             text CHECK (pan ~ '^[A-Z]{5}[0-9]{4}[A-Z]$'),
    client_type     text,                       -- Individual, HUF, Corporate, Trust, NRI …
    email           text,
    phone           text,
    city            text,
    state           text,
    risk_profile    text CHECK (risk_profile IN ('Conservative', 'Moderately Conservative', 'Moderate',
                                                 'Moderately Aggressive', 'Aggressive')),
    rm_id           integer REFERENCES dim_rm,
    onboarding_date date,
    closure_date    date,
    status          text NOT NULL DEFAULT 'Active' CHECK (status IN ('Active', 'Closed')),
    sf_aum          numeric(20, 2),             -- AUM as Salesforce records it (for reconciliation)
    sf_modstamp     timestamptz,
    last_job_id     bigint REFERENCES ingest_job,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dim_client_rm ON dim_client (rm_id);
CREATE INDEX dim_client_geo ON dim_client (state, city);
CREATE INDEX dim_client_risk ON dim_client (risk_profile);
CREATE INDEX dim_client_onboarding ON dim_client (onboarding_date);
CREATE INDEX dim_client_name_trgm ON dim_client USING gin (lower(name) gin_trgm_ops);

-- Slowly changing attributes: one row per period during which RM and risk profile held.
CREATE TABLE client_history (
    client_id       integer NOT NULL REFERENCES dim_client ON DELETE CASCADE,
    valid_from      timestamptz NOT NULL,
    valid_to        timestamptz,                -- NULL = current
    rm_id           integer REFERENCES dim_rm,
    risk_profile    text,
    job_id          bigint REFERENCES ingest_job,
    PRIMARY KEY (client_id, valid_from)
);
CREATE UNIQUE INDEX client_history_current ON client_history (client_id) WHERE valid_to IS NULL;

CREATE TABLE dim_contact (
    contact_id      serial PRIMARY KEY,
    sf_contact_id   text NOT NULL UNIQUE,
    client_id       integer REFERENCES dim_client ON DELETE CASCADE,
    name            text NOT NULL,
    email           text,
    phone           text,
    title           text,
    sf_modstamp     timestamptz,
    last_job_id     bigint REFERENCES ingest_job,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dim_contact_client ON dim_contact (client_id);

CREATE TABLE dim_portfolio (
    portfolio_id    serial PRIMARY KEY,
    ws_portfolio_code text NOT NULL UNIQUE,
    client_id       integer NOT NULL REFERENCES dim_client,
    ia_id           integer NOT NULL REFERENCES dim_investment_approach,
    inception_date  date NOT NULL,
    closure_date    date,
    status          text NOT NULL DEFAULT 'Active' CHECK (status IN ('Active', 'Closed')),
    -- Fee terms (percent per year): management fee, performance fee above the high water mark
    -- after the hurdle, crystallised on the anniversary or at the financial-year end.
    mgmt_fee_pct    numeric(7, 4) NOT NULL DEFAULT 0 CHECK (mgmt_fee_pct >= 0 AND mgmt_fee_pct <= 10),
    perf_fee_pct    numeric(7, 4) NOT NULL DEFAULT 0 CHECK (perf_fee_pct >= 0 AND perf_fee_pct <= 50),
    hurdle_pct      numeric(7, 4) NOT NULL DEFAULT 0 CHECK (hurdle_pct >= 0 AND hurdle_pct <= 50),
    high_water_mark numeric(20, 2),
    fee_crystallisation text NOT NULL DEFAULT 'anniversary' CHECK (fee_crystallisation IN ('anniversary', 'fy_end')),
    last_job_id     bigint REFERENCES ingest_job,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dim_portfolio_client ON dim_portfolio (client_id);
CREATE INDEX dim_portfolio_ia ON dim_portfolio (ia_id);
