//! The client's statement for a period, as a branded PDF: a plain form whose GET downloads it
//! (it works before hydration too). It opens on the last quarter that had ended by the latest
//! valuation; only roles that may export see it.

use leptos::prelude::*;
use pms_domain::reports::StatementPeriod;

use crate::components::icons::{Icon, IconKind};

#[component]
pub fn StatementForm(client_id: i32, latest_valuation: Option<chrono::NaiveDate>) -> impl IntoView {
    let period = latest_valuation.map(StatementPeriod::last_quarter_ended_by);
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    view! {
        <section class="card stack" data-testid="statement">
            <h2>"Statement (PDF)"</h2>
            <p class="muted small">"Values, flows, performance against the benchmark, holdings, income and fees, transactions and downgraded debt for the period, with the firm's branding and disclaimer on every page. Producing one is recorded in the audit trail."</p>
            <form class="filters" method="get" action=format!("/api/v1/clients/{client_id}/statement")>
                <label class="filters__field"><span>"From"</span>
                    <input type="date" name="from" required value=date(period.map(|p| p.from)) data-testid="statement-from"/>
                </label>
                <label class="filters__field"><span>"To"</span>
                    <input type="date" name="to" required value=date(period.map(|p| p.to)) data-testid="statement-to"/>
                </label>
                <button type="submit" class="button button--primary" data-testid="statement-download">
                    <Icon kind=IconKind::Download/>"Download statement"
                </button>
            </form>
        </section>
    }
}
