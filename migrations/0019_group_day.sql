-- Pooled daily changes of value and external flows per (investment approach, RM): the cells
-- every group the dashboard shows is made of. A group's TWRR (METRICS.md "Groups of
-- portfolios") is computed on the sum of its portfolios' daily values and flows, where a
-- portfolio not valued on a group date counts with its latest earlier value (pms_metrics::group).
-- Storing each portfolio's *change* of value since its previous valuation makes that exact and
-- additive: a group's value on a day is the running sum of its cells' changes up to that day,
-- so the firm, a strategy, an approach, an RM's book and any scope (RMs × strategies) are read
-- from a few thousand rows instead of every portfolio's valuations.
-- Rebuilt with the other totals after every aggregate refresh (pms_ingest::aggregate).
CREATE TABLE agg_group_day (
    ia_id           integer NOT NULL REFERENCES dim_investment_approach,
    rm_key          integer NOT NULL,           -- dim_rm.rm_id, 0 = clients without an RM
    day             date NOT NULL,
    value_change    numeric(22, 2) NOT NULL,    -- Σ (value − the portfolio's previous value)
    net_flow        numeric(22, 2) NOT NULL,    -- Σ external flows that day
    portfolios      integer NOT NULL,           -- how many were valued that day
    PRIMARY KEY (ia_id, rm_key, day)
);
CREATE INDEX agg_group_day_rm ON agg_group_day (rm_key, ia_id);
