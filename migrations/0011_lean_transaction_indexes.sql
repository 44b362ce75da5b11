-- Fewer, better indexes on the largest fact table (every index costs on each of the millions
-- of rows a load writes):
-- * the primary key (txn_ref, trade_date) already serves lookups by txn_ref alone;
-- * nothing reads transactions by security yet;
-- * the aggregate refresh reads only capital flows per portfolio: a small partial index.
DROP INDEX fact_transaction_ref;
DROP INDEX fact_transaction_security;
CREATE INDEX fact_transaction_flows ON fact_transaction (portfolio_id, trade_date)
    WHERE txn_type IN ('INFLOW', 'OUTFLOW', 'SECURITY_IN', 'SECURITY_OUT');
