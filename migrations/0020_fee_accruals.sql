-- Fees as they stand at each portfolio's latest valuation, kept by the aggregate refresh
-- (`pms_ingest::aggregate::fees`) for the Compliance page: the management fee accrued since it
-- was last charged, and the performance fee accrued in the open period against the high water
-- mark and the hurdle, with the next crystallisation date.

CREATE TABLE agg_portfolio_fee (
    portfolio_id         integer PRIMARY KEY REFERENCES dim_portfolio ON DELETE CASCADE,
    as_of                date NOT NULL,
    mgmt_accrued_from    date,
    mgmt_fee_accrued     numeric(20, 2) NOT NULL DEFAULT 0,
    -- NULL below: no performance fee in the agreement, or no day to accrue over yet.
    perf_period_start    date,
    high_water_mark      numeric(20, 2),
    hurdle_value         numeric(20, 2),
    perf_fee_accrued     numeric(20, 2),
    next_crystallisation date,
    last_crystallisation date,
    last_perf_fee        numeric(20, 2)
);
CREATE INDEX agg_portfolio_fee_due ON agg_portfolio_fee (next_crystallisation) WHERE perf_fee_accrued > 0;

-- Existing installations: every portfolio's fees are computed by the next refresh.
INSERT INTO agg_dirty_portfolio (portfolio_id) SELECT portfolio_id FROM dim_portfolio;
