-- The data-access rule, in one place: which clients and portfolios a scope may see. Every
-- query of client or portfolio data filters through these functions (via pms_store::Scope),
-- so no page, server function, API call, export or report can forget the restriction.
-- They are plain SQL functions so PostgreSQL inlines them into the calling query.

-- A portfolio is visible to a scope that sees everything, or whose RMs include the client's
-- RM, or whose strategies include the portfolio's strategy.
CREATE FUNCTION scope_sees_portfolio(p_all boolean, p_rm_ids integer[], p_strategy_ids integer[],
                                     client_rm_id integer, portfolio_strategy_id integer)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p_all
        OR client_rm_id = ANY (p_rm_ids)
        OR portfolio_strategy_id = ANY (p_strategy_ids)
$$;

-- A client is visible if the scope sees everything, the client's RM is in scope, or any of the
-- client's portfolios runs one of the scope's strategies.
CREATE FUNCTION scope_sees_client(p_all boolean, p_rm_ids integer[], p_strategy_ids integer[],
                                  p_client_id integer, client_rm_id integer)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p_all
        OR client_rm_id = ANY (p_rm_ids)
        OR (cardinality(p_strategy_ids) > 0 AND EXISTS (
               SELECT 1 FROM dim_portfolio p
               JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
               WHERE p.client_id = p_client_id AND ia.strategy_id = ANY (p_strategy_ids)))
$$;
