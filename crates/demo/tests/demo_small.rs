//! The `small` demo data set, checked the way a loader and an auditor would: headers and
//! counts as the manifest says, valid identifiers, referential integrity between the files,
//! valuations that replay exactly from transactions and prices, holdings that match, fees that
//! `pms_metrics` recomputes, and byte-identical output for the same options.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use calamine::{open_workbook, Data, DataType, Reader, Xlsx};
use chrono::NaiveDate;
use pms_demo::{
    is_valid_isin, is_valid_pan, salesforce_suffix, DemoManifest, DemoOptions, DemoSize, DemoSource,
};
use pms_metrics::fees::{
    accrue_management_fee, performance_fee_schedule, Crystallisation, PerformanceFeeTerms,
};
use pms_metrics::DateRange;
use rust_decimal::{Decimal, RoundingStrategy};

const SEED: u64 = 20_261_120;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date")
}

fn options() -> DemoOptions {
    DemoOptions {
        size: DemoSize::Small,
        seed: SEED,
        as_of: as_of(),
    }
}

struct Generated {
    dir: PathBuf,
    manifest: DemoManifest,
    elapsed: Duration,
}

/// One generation shared by every test of this file.
fn small() -> &'static Generated {
    static GENERATED: OnceLock<Generated> = OnceLock::new();
    GENERATED.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("demo_small");
        let _ = std::fs::remove_dir_all(&dir);
        let started = Instant::now();
        let manifest = pms_demo::generate(&dir, &options()).expect("small demo data");
        Generated {
            dir,
            manifest,
            elapsed: started.elapsed(),
        }
    })
}

fn file(name: &str) -> PathBuf {
    let g = small();
    let f = g
        .manifest
        .files
        .iter()
        .find(|f| f.path.ends_with(name))
        .unwrap_or_else(|| panic!("{name} not in manifest"));
    DemoManifest::path_of(&g.dir, f)
}

fn csv_rows(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(file(name)).expect("readable csv");
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("record").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn sheet(name: &str, sheet: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(file(name)).expect("readable xlsx");
    let range = book.worksheet_range(sheet).expect("sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn dmy(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%d-%m-%Y").unwrap_or_else(|_| panic!("bad date {s}"))
}

fn amount(s: &str) -> Decimal {
    Decimal::from_str(&s.replace(',', "")).unwrap_or_else(|_| panic!("bad amount {s}"))
}

/// The calendar-quarter end on or after `date`.
fn quarter_end(date: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    let (year, month) = match date.month() {
        1..=3 => (date.year(), 3),
        4..=6 => (date.year(), 6),
        7..=9 => (date.year(), 9),
        _ => (date.year(), 12),
    };
    let day = if month == 3 || month == 12 { 31 } else { 30 };
    NaiveDate::from_ymd_opt(year, month, day).expect("quarter end")
}

fn paisa(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

#[test]
fn small_generates_quickly() {
    let g = small();
    let limit = if cfg!(debug_assertions) {
        Duration::from_secs(60)
    } else {
        Duration::from_secs(5)
    };
    assert!(g.elapsed < limit, "small took {:?}", g.elapsed);
    let s = &g.manifest.summary;
    assert_eq!(
        (s.clients, s.portfolios, s.valued_portfolios),
        (500, 750, 750)
    );
    let closed = s.closed_clients as f64 / s.clients as f64;
    assert!((0.06..=0.14).contains(&closed), "closed share {closed}");
    assert!(s.transactions > 30_000, "{}", s.transactions);
}

#[test]
fn manifest_lists_files_in_load_order_with_true_counts() {
    let g = small();
    let order: Vec<(DemoSource, &str)> = g
        .manifest
        .files
        .iter()
        .map(|f| (f.source, f.report.as_str()))
        .collect();
    use DemoSource::*;
    assert_eq!(
        order,
        vec![
            (Salesforce, "User"),
            (Salesforce, "Account"),
            (Salesforce, "Contact"),
            (Salesforce, "Task"),
            (Salesforce, "Event"),
            (WealthSpectrum, "security_master"),
            (WealthSpectrum, "client_master"),
            (WealthSpectrum, "benchmark_levels"),
            (WealthSpectrum, "security_prices"),
            (WealthSpectrum, "transactions"),
            (WealthSpectrum, "holdings"),
            (WealthSpectrum, "valuations"),
        ]
    );
    for f in &g.manifest.files {
        let path = DemoManifest::path_of(&g.dir, f);
        assert_eq!(
            std::fs::metadata(&path).expect("file").len(),
            f.bytes,
            "{}",
            f.path
        );
        let rows = match f.format.as_str() {
            "csv" => csv::Reader::from_path(&path)
                .expect("csv")
                .records()
                .count() as u64,
            _ => {
                let sheet_name = if f.report == "client_master" {
                    "Client Master"
                } else {
                    "Security Master"
                };
                sheet(&f.path, sheet_name).len() as u64 - 1
            }
        };
        assert_eq!(rows, f.rows, "{}", f.path);
        assert!(rows > 0, "{}", f.path);
    }
    let reread = DemoManifest::read(&g.dir).expect("manifest.json");
    assert_eq!(&reread, &g.manifest);
}

#[test]
fn headers_are_the_documented_columns() {
    let expect = |name: &str, cols: &str| {
        let (header, _) = csv_rows(name);
        assert_eq!(header.join(","), cols, "{name}");
    };
    expect(
        "User.csv",
        "Id,Name,Email,Phone,EmployeeNumber,Department,IsActive,SystemModstamp",
    );
    expect(
        "Account.csv",
        "Id,Name,PAN__c,PMS_Client_Code__c,Client_Type__c,Risk_Profile__c,BillingCity,BillingState,Phone,Email__c,OwnerId,Onboarding_Date__c,Status__c,Closure_Date__c,AUM__c,SystemModstamp",
    );
    expect(
        "Contact.csv",
        "Id,AccountId,Name,Email,Phone,Title,SystemModstamp",
    );
    expect(
        "Task.csv",
        "Id,WhatId,OwnerId,Subject,Type,ActivityDate,Status,SystemModstamp",
    );
    expect(
        "Event.csv",
        "Id,WhatId,OwnerId,Subject,Type,ActivityDate,SystemModstamp",
    );
    expect(
        "holdings.csv",
        "AS_OF_DATE,PORTFOLIO_CODE,ISIN,QUANTITY,COST_VALUE,MARKET_VALUE",
    );
    expect(
        "transactions.csv",
        "TRAN_ID,PORTFOLIO_CODE,TRAN_DATE,SETTLE_DATE,TRAN_TYPE,ISIN,QUANTITY,PRICE,AMOUNT,CHARGES",
    );
    expect(
        "valuations.csv",
        "VALUATION_DATE,PORTFOLIO_CODE,MARKET_VALUE,NET_FLOW",
    );
    expect("benchmark_levels.csv", "BENCHMARK_CODE,LEVEL_DATE,LEVEL");
    expect("security_prices.csv", "ISIN,PRICE_DATE,CLOSE_PRICE");
    let cm: Vec<String> = sheet("client_master.xlsx", "Client Master")[0]
        .iter()
        .map(text)
        .collect();
    assert_eq!(
        cm.join(","),
        "CLIENT_CODE,CLIENT_NAME,PAN,CLIENT_TYPE,EMAIL,MOBILE,CITY,STATE,RISK_PROFILE,ONBOARDING_DATE,CLIENT_STATUS,CLOSURE_DATE,PORTFOLIO_CODE,STRATEGY_CODE,STRATEGY_NAME,STRATEGY_CATEGORY,IA_CODE,IA_NAME,BENCHMARK_CODE,BENCHMARK_NAME,INCEPTION_DATE,PORTFOLIO_STATUS,PORTFOLIO_CLOSURE_DATE,MGMT_FEE_PCT,PERF_FEE_PCT,HURDLE_PCT,HIGH_WATER_MARK,FEE_CRYSTALLISATION"
    );
    let sm: Vec<String> = sheet("security_master.xlsx", "Security Master")[0]
        .iter()
        .map(text)
        .collect();
    assert_eq!(
        sm.join(","),
        "ISIN,SECURITY_NAME,ASSET_CLASS,SECTOR,MARKET_CAP,RATING,SECURITY_TYPE"
    );
}

fn check_sf_id(id: &str, prefix: &str) {
    assert_eq!(id.len(), 18, "{id}");
    assert!(id.starts_with(prefix), "{id} should start with {prefix}");
    assert_eq!(
        salesforce_suffix(&id[..15]).as_deref(),
        Some(&id[15..]),
        "{id}"
    );
}

#[test]
fn identifiers_are_valid_and_references_resolve() {
    // Securities: valid, unique ISINs with the documented classes.
    let sm = sheet("security_master.xlsx", "Security Master");
    let mut isins = BTreeSet::new();
    for row in &sm[1..] {
        let isin = text(&row[0]);
        assert!(is_valid_isin(&isin), "{isin}");
        assert!(isins.insert(isin.clone()), "duplicate {isin}");
        assert!(["Equity", "Debt", "Hybrid", "Cash", "Commodity", "Other"]
            .contains(&text(&row[2]).as_str()));
        let cap = text(&row[4]);
        assert!(
            cap.is_empty() || ["Large Cap", "Mid Cap", "Small Cap"].contains(&cap.as_str()),
            "{cap}"
        );
    }

    // Client master: valid PANs matching the client type, typed dates, known categories.
    let cm = sheet("client_master.xlsx", "Client Master");
    let mut clients = BTreeMap::new();
    let mut portfolios = BTreeSet::new();
    for row in &cm[1..] {
        let pan = text(&row[2]);
        assert!(is_valid_pan(&pan), "{pan}");
        let holder = match text(&row[3]).as_str() {
            "Individual" | "NRI" => 'P',
            "HUF" => 'H',
            "Corporate" => 'C',
            "Trust" => 'T',
            "Partnership Firm" => 'F',
            other => panic!("client type {other}"),
        };
        assert_eq!(pan.chars().nth(3), Some(holder), "{pan}");
        assert!(
            row[9].as_date().is_some(),
            "onboarding date is a typed date"
        );
        assert!(
            row[20].as_date().is_some(),
            "inception date is a typed date"
        );
        assert!(
            row[20].as_date() >= row[9].as_date(),
            "inception before onboarding"
        );
        assert!(["Equity", "Debt", "Hybrid", "Multi Asset"].contains(&text(&row[15]).as_str()));
        let rp = text(&row[8]);
        assert!(
            [
                "Conservative",
                "Moderately Conservative",
                "Moderate",
                "Moderately Aggressive",
                "Aggressive"
            ]
            .contains(&rp.as_str()),
            "{rp}"
        );
        let mgmt = row[23].as_f64().expect("management fee");
        assert!((1.0..=2.5).contains(&mgmt), "{mgmt}");
        clients.insert(text(&row[0]), pan);
        assert!(portfolios.insert(text(&row[12])), "duplicate portfolio");
    }

    // Salesforce: Ids, owners, accounts linked to the client master.
    let (_, users) = csv_rows("User.csv");
    let user_ids: BTreeSet<String> = users.iter().map(|u| u[0].clone()).collect();
    for u in &users {
        check_sf_id(&u[0], "005");
        assert!(u[6] == "true" || u[6] == "false");
        assert!(u[2].ends_with(".example"), "{}", u[2]);
    }
    assert!(users.iter().any(|u| u[6] == "false"), "some inactive users");
    let (_, accounts) = csv_rows("Account.csv");
    assert_eq!(accounts.len(), clients.len());
    let account_ids: BTreeSet<String> = accounts.iter().map(|a| a[0].clone()).collect();
    for a in &accounts {
        check_sf_id(&a[0], "001");
        assert_eq!(
            clients.get(&a[3]),
            Some(&a[2]),
            "account {} links to its WS client by code and PAN",
            a[0]
        );
        assert!(user_ids.contains(&a[10]), "owner {}", a[10]);
        assert!(a[8].starts_with("+91 "), "{}", a[8]);
        assert!(NaiveDate::parse_from_str(&a[11], "%Y-%m-%d").is_ok());
        assert!(a[15].ends_with(".000Z") && a[15].len() == 24, "{}", a[15]);
        let aum = Decimal::from_str(&a[14]).expect("AUM");
        let onboarded = NaiveDate::parse_from_str(&a[11], "%Y-%m-%d").expect("date");
        if a[12] == "Closed" {
            assert!(aum.is_zero() && !a[13].is_empty(), "{a:?}");
        } else if onboarded < as_of() - chrono::Days::new(60) {
            assert!(aum > Decimal::ZERO, "{a:?}");
        }
    }
    let (_, contacts) = csv_rows("Contact.csv");
    for c in &contacts {
        check_sf_id(&c[0], "003");
        assert!(account_ids.contains(&c[1]));
    }
    for (name, prefix) in [("Task.csv", "00T"), ("Event.csv", "00U")] {
        let (_, rows) = csv_rows(name);
        assert!(!rows.is_empty(), "{name}");
        for r in &rows {
            check_sf_id(&r[0], prefix);
            assert!(account_ids.contains(&r[1]));
            assert!(user_ids.contains(&r[2]));
        }
    }

    // Every transaction, holding and price refers to known portfolios and securities.
    let (_, txs) = csv_rows("transactions.csv");
    let mut tran_ids = BTreeSet::new();
    for t in &txs {
        assert!(tran_ids.insert(t[0].clone()), "duplicate TRAN_ID {}", t[0]);
        assert!(portfolios.contains(&t[1]), "unknown portfolio {}", t[1]);
        assert!(amount(&t[8]) > Decimal::ZERO, "{t:?}");
        assert!(!t[8].starts_with('-'));
        match t[4].as_str() {
            "BUY" | "SELL" => {
                assert!(isins.contains(&t[5]), "unknown ISIN {}", t[5]);
                assert!(
                    amount(&t[6]) > Decimal::ZERO && amount(&t[7]) > Decimal::ZERO,
                    "{t:?}"
                );
                assert!(dmy(&t[3]) > dmy(&t[2]), "T+1 settlement");
            }
            "DIVIDEND" | "INTEREST" => assert!(isins.contains(&t[5]), "{t:?}"),
            "INFLOW" | "OUTFLOW" | "MGMT_FEE" | "PERF_FEE" | "EXPENSE" => assert!(
                t[5].is_empty() && t[6].is_empty() && t[7].is_empty(),
                "{t:?}"
            ),
            other => panic!("type {other}"),
        }
    }
    let (_, holdings) = csv_rows("holdings.csv");
    for h in &holdings {
        assert!(portfolios.contains(&h[1]) && isins.contains(&h[2]), "{h:?}");
    }
    let (_, prices) = csv_rows("security_prices.csv");
    assert!(prices
        .iter()
        .all(|p| isins.contains(&p[0]) && amount(&p[2]) > Decimal::ZERO));
}

#[derive(Debug)]
struct Tx {
    date: NaiveDate,
    kind: String,
    isin: String,
    qty: Decimal,
    amount: Decimal,
}

fn transactions_by_portfolio() -> BTreeMap<String, Vec<Tx>> {
    let (_, rows) = csv_rows("transactions.csv");
    let mut by: BTreeMap<String, Vec<Tx>> = BTreeMap::new();
    for t in rows {
        let qty = if t[6].is_empty() {
            Decimal::ZERO
        } else {
            amount(&t[6])
        };
        by.entry(t[1].clone()).or_default().push(Tx {
            date: dmy(&t[2]),
            kind: t[4].clone(),
            isin: t[5].clone(),
            qty,
            amount: amount(&t[8]),
        });
    }
    by
}

fn valuations_by_portfolio() -> BTreeMap<String, Vec<(NaiveDate, Decimal, Decimal)>> {
    let (_, rows) = csv_rows("valuations.csv");
    let mut by: BTreeMap<String, Vec<(NaiveDate, Decimal, Decimal)>> = BTreeMap::new();
    for v in rows {
        by.entry(v[1].clone())
            .or_default()
            .push((dmy(&v[0]), amount(&v[2]), amount(&v[3])));
    }
    by
}

#[test]
fn valuations_and_holdings_replay_from_transactions_and_prices() {
    let (_, price_rows) = csv_rows("security_prices.csv");
    let prices: HashMap<(String, NaiveDate), Decimal> = price_rows
        .into_iter()
        .map(|p| ((p[0].clone(), dmy(&p[1])), amount(&p[2])))
        .collect();
    let (_, holding_rows) = csv_rows("holdings.csv");
    let mut snapshots: BTreeMap<(String, NaiveDate), BTreeMap<String, (Decimal, Decimal)>> =
        BTreeMap::new();
    for h in holding_rows {
        snapshots
            .entry((h[1].clone(), dmy(&h[0])))
            .or_default()
            .insert(h[2].clone(), (amount(&h[3]), amount(&h[5])));
    }
    let txs = transactions_by_portfolio();
    let vals = valuations_by_portfolio();
    assert_eq!(vals.len(), 750, "small values every portfolio");
    let mut checked_snapshots = 0;
    for (code, series) in &vals {
        let list = txs.get(code).map(Vec::as_slice).unwrap_or_default();
        assert_eq!(
            list.first().map(|t| t.kind.as_str()),
            Some("INFLOW"),
            "{code} starts with its funding"
        );
        let mut next = 0;
        let mut cash = Decimal::ZERO;
        let mut positions: BTreeMap<String, Decimal> = BTreeMap::new();
        for (date, market_value, net_flow) in series {
            let mut flow = Decimal::ZERO;
            while let Some(t) = list.get(next).filter(|t| t.date <= *date) {
                assert_eq!(
                    t.date, *date,
                    "{code}: transaction on {} has no valuation",
                    t.date
                );
                next += 1;
                match t.kind.as_str() {
                    "BUY" => {
                        cash -= t.amount;
                        *positions.entry(t.isin.clone()).or_default() += t.qty;
                    }
                    "SELL" => {
                        cash += t.amount;
                        let q = positions.entry(t.isin.clone()).or_default();
                        *q -= t.qty;
                        assert!(*q >= Decimal::ZERO, "{code} sold more {} than held", t.isin);
                    }
                    "INFLOW" => {
                        cash += t.amount;
                        flow += t.amount;
                    }
                    "OUTFLOW" => {
                        cash -= t.amount;
                        flow -= t.amount;
                    }
                    "DIVIDEND" | "INTEREST" => cash += t.amount,
                    _ => cash -= t.amount,
                }
            }
            positions.retain(|_, q| !q.is_zero());
            assert!(cash >= Decimal::ZERO, "{code} overdrawn on {date}");
            let mut value = cash;
            for (isin, q) in &positions {
                let price = prices
                    .get(&(isin.clone(), *date))
                    .unwrap_or_else(|| panic!("no price for {isin} on {date}"));
                value += paisa(q * price);
            }
            assert_eq!(value, *market_value, "{code} on {date}");
            assert_eq!(flow, *net_flow, "{code} net flow on {date}");
            assert!(*market_value >= Decimal::ZERO);
            if let Some(snapshot) = snapshots.get(&(code.clone(), *date)) {
                checked_snapshots += 1;
                let replayed: BTreeMap<String, (Decimal, Decimal)> = positions
                    .iter()
                    .map(|(isin, q)| {
                        (
                            isin.clone(),
                            (*q, paisa(q * prices[&(isin.clone(), *date)])),
                        )
                    })
                    .collect();
                assert_eq!(snapshot, &replayed, "{code} holdings on {date}");
            }
        }
        assert_eq!(
            next,
            list.len(),
            "{code}: transactions after the last valuation"
        );
    }
    assert_eq!(
        checked_snapshots,
        snapshots.len(),
        "every snapshot is a valued day"
    );
    assert!(checked_snapshots > 4_000);
}

#[test]
fn fees_agree_with_the_metrics_library() {
    let cm = sheet("client_master.xlsx", "Client Master");
    let txs = transactions_by_portfolio();
    let vals = valuations_by_portfolio();
    let (mut perf_checked, mut mgmt_checked) = (0, 0);
    for row in &cm[1..] {
        let code = text(&row[12]);
        let series = &vals[&code];
        let list = &txs[&code];
        let valuations: Vec<(NaiveDate, Decimal)> = series.iter().map(|v| (v.0, v.1)).collect();
        let flows: Vec<(NaiveDate, Decimal)> = series
            .iter()
            .filter(|v| !v.2.is_zero())
            .map(|v| (v.0, v.2))
            .collect();
        let last = series.last().expect("valuations").0;
        let inception = series[0].0;

        // Management fee: accrued per calendar day on the last valuation, debited on the first
        // business day after each quarter, and the remainder on closure.
        let rate = Decimal::from_str(&format!("{}", row[23].as_f64().expect("fee"))).expect("rate")
            / Decimal::from(100);
        let accrual = |from: NaiveDate, to: NaiveDate| {
            accrue_management_fee(&valuations, rate, DateRange::new(from, to).expect("range"))
                .expect("accrual")
                .total
        };
        let mut expected = Vec::new();
        let mut period_start = inception;
        let mut q = quarter_end(inception);
        while q < last {
            let due = series
                .iter()
                .find(|v| v.0 > q)
                .expect("a later valuation")
                .0;
            expected.push((due, accrual(period_start, q)));
            period_start = q.succ_opt().expect("date");
            q = quarter_end(period_start);
        }
        if text(&row[21]) == "Closed" {
            let eve = last.pred_opt().expect("date");
            if eve >= period_start {
                expected.push((last, accrual(period_start, eve)));
            }
        }
        expected.retain(|e| e.1 > Decimal::ZERO);
        let booked: Vec<(NaiveDate, Decimal)> = list
            .iter()
            .filter(|t| t.kind == "MGMT_FEE")
            .map(|t| (t.date, t.amount))
            .collect();
        assert_eq!(booked, expected, "{code} management fees");
        mgmt_checked += booked.len();

        // Performance fee: the schedule pms_metrics computes, booked the next business day.
        let perf_pct = row[24].as_f64().expect("perf fee");
        if perf_pct > 0.0 {
            let terms = PerformanceFeeTerms {
                rate: Decimal::from_str(&perf_pct.to_string()).expect("rate") / Decimal::from(100),
                hurdle_rate: Decimal::from_str(&row[25].as_f64().expect("hurdle").to_string())
                    .expect("rate")
                    / Decimal::from(100),
                crystallisation: if text(&row[27]) == "Anniversary" {
                    Crystallisation::Anniversary
                } else {
                    Crystallisation::FinancialYearEnd
                },
            };
            let schedule = performance_fee_schedule(&valuations, &flows, &terms).expect("schedule");
            let expected: Vec<(NaiveDate, Decimal)> = schedule
                .iter()
                .filter(|r| r.fee > Decimal::ZERO && r.date < last)
                .map(|r| (r.date, r.fee))
                .collect();
            let booked: Vec<&Tx> = list.iter().filter(|t| t.kind == "PERF_FEE").collect();
            assert_eq!(
                booked.len(),
                expected.len(),
                "{code} performance fees {expected:?} vs {booked:?}"
            );
            for ((date, fee), tx) in expected.iter().zip(booked) {
                let next_day = series.iter().find(|v| v.0 > *date).expect("next day").0;
                assert_eq!(tx.date, next_day, "{code} fee for {date}");
                assert!(
                    (tx.amount - fee).abs() <= Decimal::new(5, 2),
                    "{code} on {date}: booked {} vs {fee}",
                    tx.amount
                );
                perf_checked += 1;
            }
        } else {
            assert!(
                list.iter().all(|t| t.kind != "PERF_FEE"),
                "{code} has no performance fee"
            );
        }
    }
    assert!(mgmt_checked > 3_000, "{mgmt_checked}");
    assert!(perf_checked > 50, "{perf_checked}");
}

#[test]
fn demo_logins_point_at_real_people_and_clients() {
    let g = small();
    let logins = &g.manifest.demo_logins;
    let (_, users) = csv_rows("User.csv");
    let (_, accounts) = csv_rows("Account.csv");
    let rms: Vec<_> = logins
        .iter()
        .filter(|l| l.role == pms_domain::identity::Role::Rm)
        .collect();
    assert!(rms.len() >= 3);
    assert_eq!(rms.iter().filter(|l| l.leads_team).count(), 1);
    for rm in &rms {
        let id = rm.sf_user_id.as_deref().expect("RM has a Salesforce user");
        let user = users.iter().find(|u| u[0] == id).expect("user exists");
        assert_eq!(user[2], rm.email);
        assert_eq!(user[6], "true");
        assert_eq!(Some(user[5].as_str()), rm.team.as_deref());
        let owned = accounts.iter().filter(|a| a[10] == id).count() as u64;
        assert_eq!(owned, rm.clients);
        assert!(owned > 0);
    }
    assert_ne!(rms[0].sf_user_id, rms[1].sf_user_id);
    let pm = logins
        .iter()
        .find(|l| l.role == pms_domain::identity::Role::Pm)
        .expect("a PM");
    assert!(!pm.strategy_codes.is_empty());
    let cm = sheet("client_master.xlsx", "Client Master");
    for code in &pm.strategy_codes {
        assert!(
            cm[1..].iter().any(|r| &text(&r[13]) == code),
            "strategy {code} has portfolios"
        );
    }
}

#[test]
fn same_options_give_identical_bytes() {
    let g = small();
    let other = Path::new(env!("CARGO_TARGET_TMPDIR")).join("demo_small_again");
    let _ = std::fs::remove_dir_all(&other);
    let manifest = pms_demo::generate(&other, &options()).expect("second run");
    assert_eq!(manifest, g.manifest);
    for f in &g.manifest.files {
        let a = std::fs::read(DemoManifest::path_of(&g.dir, f)).expect("first");
        let b = std::fs::read(DemoManifest::path_of(&other, f)).expect("second");
        assert!(a == b, "{} differs between runs", f.path);
    }
    let a = std::fs::read(g.dir.join(pms_demo::MANIFEST_FILE)).expect("manifest");
    let b = std::fs::read(other.join(pms_demo::MANIFEST_FILE)).expect("manifest");
    assert_eq!(a, b);

    // A different seed gives a different book.
    let third = Path::new(env!("CARGO_TARGET_TMPDIR")).join("demo_small_other_seed");
    let _ = std::fs::remove_dir_all(&third);
    let changed = pms_demo::generate(
        &third,
        &DemoOptions {
            seed: SEED + 1,
            ..options()
        },
    )
    .expect("third run");
    assert_ne!(changed.summary, g.manifest.summary);
    let _ = std::fs::remove_dir_all(&other);
    let _ = std::fs::remove_dir_all(&third);
}
