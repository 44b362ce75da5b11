//! For tests and template work: a PDF's text as `pdftotext -layout` reads it (poppler-utils;
//! `scripts/setup` installs it), and a sample statement's inputs (a Devanagari name, ₹
//! figures, a downgrade, as many transactions as asked) —
//! `cargo run -p pms-reports --features test-support --example sample_statement` writes it.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{NaiveDate, TimeZone, Utc};
use pms_domain::admin::Branding;
use pms_domain::clients::{
    ClientDetail, ClientSummary, Holding, PeriodPerformance, PortfolioHoldings, PortfolioSummary,
    RatingChange, Transaction, ValuationPoint,
};
use pms_domain::status::DataStatus;
use rust_decimal_macros::dec;

use crate::statement::{PortfolioInputs, StatementInputs, StatementPeriod};
use crate::ReportMeta;

/// The text of `pdf`, page by page (empty pages dropped).
pub fn pdf_pages(pdf: &[u8]) -> Vec<String> {
    static FILES: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "pms-report-{}-{}.pdf",
        std::process::id(),
        FILES.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, pdf).expect("a temporary file for the PDF");
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils; scripts/setup installs it)");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split('\u{c}')
        .filter(|page| !page.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

pub(crate) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid sample")
}

/// The sample's disclaimer.
pub const DISCLAIMER: &str = "Returns are time-weighted and net of fees. Past performance does not guarantee future returns.";

/// A statement of one portfolio over Jul–Sep 2025 with `transactions` transactions.
pub fn sample_statement(transactions: usize) -> StatementInputs {
    let valuations: Vec<ValuationPoint> = (0..400)
        .map(|i| {
            let date = day(2024, 10, 1) + chrono::Days::new(i);
            let value = 10_000_000.0
                * (1.0 + 0.0004 * i as f64 - if (150..220).contains(&i) { 0.05 } else { 0.0 });
            ValuationPoint {
                date,
                value,
                flow: if i == 300 { 500_000.0 } else { 0.0 },
            }
        })
        .collect();
    let portfolio = PortfolioSummary {
        portfolio_id: 7,
        code: "WS-000007".into(),
        strategy: "Flexicap Growth".into(),
        strategy_category: "Equity".into(),
        investment_approach: "Flexicap Growth — Direct".into(),
        benchmark: "NIFTY 500 TRI".into(),
        inception_date: day(2024, 10, 1),
        status: "Active".into(),
        as_of: Some(day(2025, 11, 4)),
        market_value: dec!(12345678.90),
        mgmt_fee_pct: dec!(2.00),
        perf_fee_pct: dec!(20),
        hurdle_pct: dec!(10),
        twrr_si: Some(0.1234),
        xirr_si: Some(0.1111),
        periods: vec![PeriodPerformance {
            period: "1Y".into(),
            start: day(2024, 11, 4),
            end: day(2025, 11, 4),
            portfolio: Some(0.1523),
            benchmark: Some(0.0987),
        }],
    };
    let holding = |name: &str, class: &str, sector: Option<&str>, value| Holding {
        isin: "INE000000000".into(),
        name: name.into(),
        asset_class: class.into(),
        sector: sector.map(Into::into),
        market_cap: None,
        rating: None,
        quantity: dec!(1200),
        cost_value: None,
        market_value: value,
        weight: 0.5,
    };
    let txn = |i: usize| Transaction {
        trade_date: day(2025, 7, 1) + chrono::Days::new((i % 90) as u64),
        txn_type: ["BUY", "DIVIDEND", "MGMT_FEE", "SELL"][i % 4].into(),
        isin: None,
        security: Some(format!("Security {i}")),
        quantity: Some(dec!(10)),
        price: None,
        amount: [dec!(-1000.50), dec!(250.25), dec!(-99.99), dec!(1500)][i % 4],
        charges: dec!(0),
    };
    StatementInputs {
        meta: ReportMeta {
            branding: Branding {
                firm_name: "Sahyadri Capital PMS".into(),
                primary_colour: "#1f4e79".into(),
                accent_colour: "#c8102e".into(),
                disclaimer: DISCLAIMER.into(),
                has_logo: false,
                updated_at: Utc
                    .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
                    .single()
                    .expect("a valid sample"),
            },
            logo: None,
            generated_by: "Anand Singhania".into(),
            generated_at: Utc
                .with_ymd_and_hms(2026, 12, 7, 9, 30, 0)
                .single()
                .expect("a valid sample"),
            data: DataStatus {
                data_as_of: Some(day(2025, 11, 4)),
                last_load_at: None,
                checked_at: Utc
                    .with_ymd_and_hms(2026, 12, 7, 9, 30, 0)
                    .single()
                    .expect("a valid sample"),
                data_version: 42,
            },
        },
        period: StatementPeriod::new(day(2025, 7, 1), day(2025, 9, 30)).expect("a valid sample"),
        client: ClientDetail {
            summary: ClientSummary {
                client_id: 1,
                name: "अनन्या देशमुख (Ananya Deshmukh)".into(),
                client_code: Some("CL-0001".into()),
                city: Some("Pune".into()),
                state: Some("Maharashtra".into()),
                rm_name: Some("Anand Singhania".into()),
                risk_profile: Some("Aggressive".into()),
                status: "Active".into(),
                onboarding_date: Some(day(2024, 9, 15)),
                aum: dec!(12345678.90),
                portfolios: 1,
                twrr_1y: Some(0.1523),
                xirr_si: Some(0.1111),
            },
            pan_masked: Some("XXXXX1234X".into()),
            email: None,
            phone: None,
            client_type: None,
            closure_date: None,
            portfolios: vec![portfolio.clone()],
            contacts: vec![],
            recent_activity: vec![],
        },
        portfolios: vec![PortfolioInputs {
            portfolio,
            valuations,
            holdings: PortfolioHoldings {
                portfolio_id: 7,
                portfolio_code: "WS-000007".into(),
                as_of: Some(day(2025, 9, 30)),
                dates: vec![day(2025, 9, 30)],
                holdings: vec![
                    holding(
                        "Reliance Industries Ltd",
                        "Equity",
                        Some("Energy"),
                        dec!(6000000),
                    ),
                    holding("7.1% GOI 2034", "Debt", None, dec!(6000000)),
                ],
                market_value: dec!(12000000),
                cost_value: None,
            },
            transactions: (0..transactions).map(txn).collect(),
            fees: None,
            downgrades: vec![RatingChange {
                isin: "INE111111111".into(),
                name: "Acme Finance NCD 2027".into(),
                old_rating: Some("AA".into()),
                new_rating: Some("BBB".into()),
                changed_on: day(2025, 8, 12),
                defaulted: false,
            }],
        }],
    }
}
