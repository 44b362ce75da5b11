-- Aggregates the dashboard reads instead of raw facts. A load marks the portfolios it touched
-- as dirty (inside its own transaction, so the mark survives a crash); the refresh after the
-- load recomputes exactly those and clears the marks.

CREATE TABLE agg_dirty_portfolio (
    portfolio_id    integer PRIMARY KEY,
    marked_at       timestamptz NOT NULL DEFAULT now()
);

-- Latest state and headline figures of each portfolio.
CREATE TABLE agg_portfolio (
    portfolio_id        integer PRIMARY KEY REFERENCES dim_portfolio ON DELETE CASCADE,
    as_of               date,                   -- latest valuation date
    market_value        numeric(20, 2) NOT NULL DEFAULT 0,
    first_valuation_date date,
    net_flow_fytd       numeric(20, 2) NOT NULL DEFAULT 0,
    market_gain_fytd    numeric(20, 2) NOT NULL DEFAULT 0,
    invested_total      numeric(20, 2) NOT NULL DEFAULT 0,  -- all inflows since inception
    withdrawn_total     numeric(20, 2) NOT NULL DEFAULT 0,  -- all outflows since inception (positive)
    twrr_si_reported    double precision,       -- since inception, SEBI-style
    xirr_si             double precision,
    volatility_1y       double precision,
    max_drawdown_si     double precision,
    refreshed_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agg_portfolio_mv ON agg_portfolio (market_value);

-- TWRR per standard period (1M … 5Y, SI, FYTD) against the investment approach's benchmark.
CREATE TABLE agg_portfolio_period (
    portfolio_id        integer NOT NULL REFERENCES dim_portfolio ON DELETE CASCADE,
    period              text NOT NULL CHECK (period IN ('1M', '3M', '6M', '1Y', '2Y', '3Y', '5Y', 'SI', 'FYTD')),
    start_date          date NOT NULL,
    end_date            date NOT NULL,
    twrr_cumulative     double precision,
    twrr_reported       double precision,       -- annualised when the period is a year or longer
    benchmark_cumulative double precision,
    benchmark_reported  double precision,
    PRIMARY KEY (portfolio_id, period)
);
CREATE INDEX agg_portfolio_period_period ON agg_portfolio_period (period, twrr_reported);

-- Month-end value, flows and market gain per portfolio (trend charts, AUM-change split).
CREATE TABLE agg_portfolio_month (
    portfolio_id        integer NOT NULL REFERENCES dim_portfolio ON DELETE CASCADE,
    month_end           date NOT NULL,
    market_value        numeric(20, 2) NOT NULL,
    net_flow            numeric(20, 2) NOT NULL,
    market_gain         numeric(20, 2) NOT NULL,
    twrr_month          double precision,
    PRIMARY KEY (portfolio_id, month_end)
);
CREATE INDEX agg_portfolio_month_month ON agg_portfolio_month (month_end);

-- Per client: AUM over all portfolios.
CREATE TABLE agg_client (
    client_id           integer PRIMARY KEY REFERENCES dim_client ON DELETE CASCADE,
    as_of               date,
    aum                 numeric(20, 2) NOT NULL DEFAULT 0,
    portfolios          integer NOT NULL DEFAULT 0,
    net_flow_fytd       numeric(20, 2) NOT NULL DEFAULT 0,
    xirr_si             double precision,
    twrr_1y             double precision,       -- AUM-weighted across the client's portfolios
    refreshed_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agg_client_aum ON agg_client (aum);

-- Per RM and strategy: totals for the executive and RM-wise views.
CREATE TABLE agg_rm_strategy (
    rm_id               integer,                -- NULL = clients without an RM
    strategy_id         integer NOT NULL REFERENCES dim_strategy,
    aum                 numeric(20, 2) NOT NULL,
    clients             integer NOT NULL,
    portfolios          integer NOT NULL,
    net_flow_fytd       numeric(20, 2) NOT NULL,
    refreshed_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX agg_rm_strategy_key ON agg_rm_strategy (coalesce(rm_id, 0), strategy_id);
