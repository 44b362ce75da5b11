//! The dashboard's [`Filter`] as SQL: a predicate over a portfolio `p` (`dim_portfolio`), its
//! client `c` (`dim_client`) and its approach `ia` (`dim_investment_approach`), written with
//! only the criteria that are set (so the planner sees plain equalities it can use indexes
//! for) and bound as parameters, never spliced into the text.
//!
//! The predicate narrows what a [`crate::Scope`] lets through; it is always used beside the
//! scope's own test, never instead of it.

use pms_domain::filter::Filter;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use sqlx::postgres::PgArguments;
use sqlx::query::{Query, QueryAs};
use sqlx::Postgres;

enum Value {
    Id(i32),
    Text(String),
    Number(Decimal),
    Fraction(f64),
}

/// A filter's predicate and its parameters, numbered from the first free one of its query.
pub(crate) struct Narrowing {
    sql: String,
    values: Vec<Value>,
}

/// Client AUM is stored in rupees; the filter speaks in lakh.
const RUPEES_PER_LAKH: i64 = 100_000;

impl Narrowing {
    /// `filter`'s portfolio criteria as a predicate whose parameters start at `$first`.
    pub(crate) fn of(filter: &Filter, first: usize) -> Self {
        let mut terms: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        let mut add = |template: &str, value: Value| {
            let n = first + values.len();
            terms.push(template.replace("$?", &format!("${n}")));
            values.push(value);
        };
        if let Some(id) = filter.strategy {
            add("ia.strategy_id = $?", Value::Id(id));
        }
        if let Some(id) = filter.approach {
            add("p.ia_id = $?", Value::Id(id));
        }
        if let Some(id) = filter.rm {
            add("c.rm_id = $?", Value::Id(id));
        }
        if let Some(id) = filter.team {
            add(
                "c.rm_id IN (SELECT rm_id FROM dim_rm WHERE team_id = $?)",
                Value::Id(id),
            );
        }
        if let Some(text) = &filter.risk_profile {
            add("c.risk_profile = $?", Value::Text(text.clone()));
        }
        if let Some(text) = &filter.state {
            add("c.state = $?", Value::Text(text.clone()));
        }
        if let Some(text) = &filter.city {
            add("c.city = $?", Value::Text(text.clone()));
        }
        if let Some(text) = &filter.asset_class {
            add(
                "EXISTS (SELECT 1 FROM fact_holding h JOIN dim_security s ON s.security_id = h.security_id
                         WHERE h.portfolio_id = p.portfolio_id AND s.asset_class = $?
                           AND h.as_of = (SELECT max(as_of) FROM fact_holding WHERE portfolio_id = p.portfolio_id))",
                Value::Text(text.clone()),
            );
        }
        let lakh = Decimal::from(RUPEES_PER_LAKH);
        let client_aum =
            "(SELECT coalesce(max(aum), 0) FROM agg_client WHERE client_id = c.client_id)";
        if let Some(low) = filter.aum_min_lakh {
            add(&format!("{client_aum} >= $?"), Value::Number(low * lakh));
        }
        if let Some(high) = filter.aum_max_lakh {
            add(&format!("{client_aum} <= $?"), Value::Number(high * lakh));
        }
        let twrr_1y = "(SELECT twrr_reported FROM agg_portfolio_period WHERE portfolio_id = p.portfolio_id AND period = '1Y')";
        let fraction = |pct: Decimal| (pct / Decimal::from(100)).to_f64().unwrap_or(0.0);
        if let Some(low) = filter.twrr_min_pct {
            add(&format!("{twrr_1y} >= $?"), Value::Fraction(fraction(low)));
        }
        if let Some(high) = filter.twrr_max_pct {
            add(&format!("{twrr_1y} <= $?"), Value::Fraction(fraction(high)));
        }
        let sql = if terms.is_empty() {
            "true".to_owned()
        } else {
            format!("({})", terms.join(" AND "))
        };
        Self { sql, values }
    }

    /// How many parameters the predicate binds.
    pub(crate) fn parameters(&self) -> usize {
        self.values.len()
    }

    /// The predicate (`true` when nothing narrows).
    pub(crate) fn sql(&self) -> &str {
        &self.sql
    }

    /// `query` with this predicate's parameters bound after what it already binds.
    pub(crate) fn bind<'q, Q: Binds<'q>>(&'q self, mut query: Q) -> Q {
        for value in &self.values {
            query = match value {
                Value::Id(id) => query.id(*id),
                Value::Text(text) => query.text(text.as_str()),
                Value::Number(number) => query.number(*number),
                Value::Fraction(fraction) => query.fraction(*fraction),
            };
        }
        query
    }
}

/// A query a [`Narrowing`] can bind its parameters to (sqlx's two query types).
pub(crate) trait Binds<'q>: Sized {
    fn id(self, value: i32) -> Self;
    fn text(self, value: &'q str) -> Self;
    fn number(self, value: Decimal) -> Self;
    fn fraction(self, value: f64) -> Self;
}

/// `Binds` for a sqlx query type: each kind of value is bound as it is.
macro_rules! binds_by_bind {
    () => {
        fn id(self, value: i32) -> Self {
            self.bind(value)
        }
        fn text(self, value: &'q str) -> Self {
            self.bind(value)
        }
        fn number(self, value: Decimal) -> Self {
            self.bind(value)
        }
        fn fraction(self, value: f64) -> Self {
            self.bind(value)
        }
    };
}

impl<'q> Binds<'q> for Query<'q, Postgres, PgArguments> {
    binds_by_bind!();
}

impl<'q, O> Binds<'q> for QueryAs<'q, Postgres, O, PgArguments> {
    binds_by_bind!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_criteria_set_are_written_numbered_from_the_first_free_parameter() {
        let filter = Filter {
            strategy: Some(3),
            city: Some("Pune".into()),
            ..Filter::default()
        };
        let narrowing = Narrowing::of(&filter, 6);
        assert_eq!(narrowing.sql(), "(ia.strategy_id = $6 AND c.city = $7)");
        assert_eq!(Narrowing::of(&Filter::default(), 4).sql(), "true");
    }
}
