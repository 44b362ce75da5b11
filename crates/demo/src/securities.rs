//! The security universe: listed equities in NSE's macro-economic sectors with a market-cap
//! bucket (SEBI's: top 100 large, 101–250 mid, the rest small), corporate bonds with ratings
//! issued by some of those companies, government securities, and the mutual funds and ETFs a
//! PMS uses for cash, arbitrage, gold, silver and overseas exposure. Company names are
//! invented (Indian rivers, ranges and dynasties plus a trade), so no real company's price is
//! misrepresented; ISINs follow the real structure and carry a correct check digit.

use rand::seq::SliceRandom;
use rand::Rng;

use super::identifiers::isin;
use super::random::{normal, pick};
use super::strategies::Universe;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Equity,
    CorporateBond,
    GSec,
    Liquid,
    Overnight,
    Arbitrage,
    GoldEtf,
    SilverEtf,
    International,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cap {
    Large,
    Mid,
    Small,
}

impl Cap {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Cap::Large => "Large Cap",
            Cap::Mid => "Mid Cap",
            Cap::Small => "Small Cap",
        }
    }
}

pub(crate) struct Security {
    pub isin: String,
    pub name: String,
    pub kind: Kind,
    pub asset_class: &'static str,
    pub sector: &'static str,
    pub cap: Option<Cap>,
    pub rating: Option<&'static str>,
    pub security_type: &'static str,
    /// Index into [`SECTORS`] for equities (drives the sector factor).
    pub sector_index: usize,
    pub start_price: f64,
    /// Sensitivity to the market factor.
    pub beta: f64,
    /// Daily idiosyncratic volatility.
    pub idio_vol: f64,
    /// Extra daily drift (stock-picking luck).
    pub alpha: f64,
    /// Annual dividend yield; 0 for non-payers.
    pub dividend_yield: f64,
    /// Dividend dates (month, day), one or two a year.
    pub dividend_dates: Vec<(u32, u32)>,
    /// Annual coupon rate and face value per unit (bonds).
    pub coupon: f64,
    pub face: f64,
    pub coupon_dates: Vec<(u32, u32)>,
    /// Modified duration in years (bonds).
    pub duration: f64,
    /// Quantities are whole units (shares, bonds); funds allow three decimals.
    pub whole_units: bool,
    /// Decimals of the price (NAVs have four).
    pub price_decimals: u32,
}

impl Security {
    pub(crate) fn in_universe(&self, u: Universe) -> bool {
        match u {
            Universe::Large => self.cap == Some(Cap::Large),
            Universe::Mid => self.cap == Some(Cap::Mid),
            Universe::Small => self.cap == Some(Cap::Small),
            Universe::Quality => {
                matches!(self.cap, Some(Cap::Large | Cap::Mid))
                    && SECTORS[self.sector_index].quality
            }
            Universe::Dividend => self.kind == Kind::Equity && self.dividend_yield >= 0.012,
            Universe::AnyEquity => self.kind == Kind::Equity,
            Universe::HighGradeBond => {
                self.kind == Kind::CorporateBond && matches!(self.rating, Some("AAA" | "AA+"))
            }
            Universe::CreditBond => {
                self.kind == Kind::CorporateBond && !matches!(self.rating, Some("AAA" | "AA+"))
            }
            Universe::GSec => self.kind == Kind::GSec,
            Universe::Liquid => matches!(self.kind, Kind::Liquid | Kind::Overnight),
            Universe::Arbitrage => self.kind == Kind::Arbitrage,
            Universe::Gold => self.kind == Kind::GoldEtf,
            Universe::Silver => self.kind == Kind::SilverEtf,
            Universe::International => self.kind == Kind::International,
        }
    }

    /// Brokerage, STT, stamp duty and exchange charges as a share of the consideration.
    pub(crate) fn charge_rate(&self, buy: bool) -> f64 {
        match self.kind {
            Kind::Equity => {
                if buy {
                    0.0021
                } else {
                    0.0019
                }
            }
            Kind::GoldEtf | Kind::SilverEtf => 0.0005,
            Kind::CorporateBond | Kind::GSec => 0.0001,
            // Stamp duty on mutual fund purchases; redemptions are free.
            Kind::Liquid | Kind::Overnight | Kind::Arbitrage | Kind::International => {
                if buy {
                    0.00005
                } else {
                    0.0
                }
            }
        }
    }
}

pub(crate) struct Sector {
    pub name: &'static str,
    /// Share of the equity universe.
    pub share: f64,
    /// Annual drift and volatility of the sector factor.
    pub drift: f64,
    pub vol: f64,
    pub quality: bool,
    pub trades: &'static [&'static str],
}

const fn sector(
    name: &'static str,
    share: f64,
    drift: f64,
    vol: f64,
    quality: bool,
    trades: &'static [&'static str],
) -> Sector {
    Sector {
        name,
        share,
        drift,
        vol,
        quality,
        trades,
    }
}

pub(crate) const SECTORS: &[Sector] = &[
    sector(
        "Financial Services",
        0.19,
        0.01,
        0.08,
        true,
        &[
            "Bank",
            "Finance",
            "Capital",
            "Housing Finance",
            "Life Insurance",
            "Asset Management",
            "Securities",
            "Small Finance Bank",
        ],
    ),
    sector(
        "Information Technology",
        0.08,
        0.02,
        0.10,
        true,
        &["Infotech", "Technologies", "Software", "Digital", "Systems"],
    ),
    sector(
        "Fast Moving Consumer Goods",
        0.07,
        0.00,
        0.07,
        true,
        &["Foods", "Consumer Products", "Beverages", "Tea", "Dairy"],
    ),
    sector(
        "Automobile and Auto Components",
        0.07,
        0.02,
        0.10,
        false,
        &["Motors", "Auto Components", "Tyres", "Forgings"],
    ),
    sector(
        "Healthcare",
        0.08,
        0.015,
        0.09,
        true,
        &[
            "Pharmaceuticals",
            "Lifesciences",
            "Hospitals",
            "Diagnostics",
            "Healthcare",
        ],
    ),
    sector(
        "Capital Goods",
        0.09,
        0.04,
        0.12,
        false,
        &[
            "Engineering",
            "Electricals",
            "Industries",
            "Cables",
            "Defence Systems",
        ],
    ),
    sector(
        "Oil Gas & Consumable Fuels",
        0.04,
        -0.01,
        0.11,
        false,
        &["Petroleum", "Gas", "Refineries", "Coal"],
    ),
    sector(
        "Metals & Mining",
        0.04,
        0.00,
        0.15,
        false,
        &["Steel", "Metals", "Aluminium", "Mining"],
    ),
    sector(
        "Power",
        0.03,
        0.03,
        0.12,
        false,
        &["Power", "Energy", "Renewables", "Transmission"],
    ),
    sector(
        "Construction Materials",
        0.03,
        0.00,
        0.09,
        false,
        &["Cement", "Building Products"],
    ),
    sector(
        "Chemicals",
        0.07,
        -0.01,
        0.10,
        false,
        &[
            "Chemicals",
            "Fine Chemicals",
            "Agrochemicals",
            "Specialty Chemicals",
            "Fertilisers",
        ],
    ),
    sector(
        "Consumer Durables",
        0.05,
        0.02,
        0.09,
        true,
        &["Appliances", "Electronics", "Paints", "Jewellers"],
    ),
    sector(
        "Telecommunication",
        0.02,
        0.01,
        0.10,
        false,
        &["Telecom", "Networks", "Communications"],
    ),
    sector(
        "Realty",
        0.03,
        0.02,
        0.16,
        false,
        &["Realty", "Estates", "Developers"],
    ),
    sector(
        "Construction",
        0.03,
        0.02,
        0.12,
        false,
        &["Infra", "Infraprojects", "Constructions"],
    ),
    sector(
        "Consumer Services",
        0.04,
        0.01,
        0.11,
        false,
        &["Retail", "Hotels", "Travel", "Foodworks"],
    ),
    sector(
        "Textiles",
        0.02,
        -0.01,
        0.11,
        false,
        &["Textiles", "Mills", "Apparels"],
    ),
    sector(
        "Services",
        0.02,
        0.01,
        0.10,
        false,
        &["Logistics", "Ports", "Shipping"],
    ),
];

const PLACES: &[&str] = &[
    "Aravalli",
    "Narmada",
    "Deccan",
    "Kaveri",
    "Sahyadri",
    "Vindhya",
    "Konark",
    "Malabar",
    "Coromandel",
    "Satpura",
    "Nilgiri",
    "Godavari",
    "Brahmaputra",
    "Kalinga",
    "Magadh",
    "Vijayanagar",
    "Ajanta",
    "Ellora",
    "Hampi",
    "Tanjore",
    "Konkan",
    "Saurashtra",
    "Kutch",
    "Shivalik",
    "Sindhu",
    "Yamuna",
    "Tapi",
    "Mahanadi",
    "Chambal",
    "Sabarmati",
    "Periyar",
    "Sutlej",
    "Jhelum",
    "Beas",
    "Teesta",
    "Garuda",
    "Nandi",
    "Airavat",
    "Vajra",
    "Surya",
    "Chandra",
    "Agni",
    "Varuna",
    "Akash",
    "Prithvi",
    "Trishul",
    "Meru",
    "Kailash",
    "Amrit",
    "Ashoka",
    "Chola",
    "Pallava",
    "Chalukya",
    "Maurya",
    "Hoysala",
    "Kakatiya",
    "Dhruva",
    "Indus",
    "Ganga",
    "Kanchan",
    "Mandovi",
    "Pench",
    "Palar",
    "Tungabhadra",
    "Bhima",
    "Koyna",
    "Mahi",
    "Banas",
    "Betwa",
    "Damodar",
    "Subarnarekha",
    "Lohit",
    "Barak",
    "Kosi",
    "Gandak",
    "Ghaghara",
    "Ken",
    "Sone",
    "Vaigai",
    "Pamba",
];

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Counts of each kind in the universe.
const LARGE: usize = 60;
const MID: usize = 75;
const SMALL: usize = 115;
const CORPORATE_BONDS: usize = 60;
const GSECS: usize = 10;

fn blank(kind: Kind) -> Security {
    Security {
        isin: String::new(),
        name: String::new(),
        kind,
        asset_class: "Equity",
        sector: "",
        cap: None,
        rating: None,
        security_type: "",
        sector_index: 0,
        start_price: 100.0,
        beta: 0.0,
        idio_vol: 0.0,
        alpha: 0.0,
        dividend_yield: 0.0,
        dividend_dates: Vec::new(),
        coupon: 0.0,
        face: 0.0,
        coupon_dates: Vec::new(),
        duration: 0.0,
        whole_units: true,
        price_decimals: 2,
    }
}

/// Hands out unique 4-character issuer codes (three digits and a letter, as in INE002A).
struct IssuerCodes(Vec<String>);

impl IssuerCodes {
    fn new(rng: &mut impl Rng) -> Self {
        let mut codes: Vec<String> = (0..1000u32)
            .flat_map(|n| "ABCDEFGHJKLMN".chars().map(move |l| format!("{n:03}{l}")))
            .collect();
        codes.shuffle(rng);
        Self(codes)
    }

    fn next(&mut self) -> String {
        self.0.pop().unwrap_or_else(|| "999Z".to_string())
    }
}

/// The universe, in a fixed order: equities (large, mid, small), corporate bonds, G-Secs,
/// funds.
pub(crate) fn universe(rng: &mut impl Rng) -> Vec<Security> {
    let mut codes = IssuerCodes::new(rng);
    let mut out = Vec::new();
    let mut places: Vec<&str> = PLACES.to_vec();
    places.shuffle(rng);
    let mut names_used = std::collections::BTreeSet::new();
    let sector_weights: Vec<f64> = SECTORS.iter().map(|s| s.share).collect();
    // (rank for ratings: PSU 0, large 1, mid 2, small 3; tie-break; security index; code; name)
    let mut issuers: Vec<(u8, u32, usize, String, String)> = Vec::new();

    for (cap, count) in [(Cap::Large, LARGE), (Cap::Mid, MID), (Cap::Small, SMALL)] {
        for _ in 0..count {
            let sector_index = super::random::weighted(rng, &sector_weights);
            let sec = &SECTORS[sector_index];
            let name = loop {
                let candidate = format!("{} {} Ltd", pick(rng, &places), pick(rng, sec.trades));
                if names_used.insert(candidate.clone()) {
                    break candidate;
                }
            };
            let code = codes.next();
            let serial = rng.random_range(1..=3);
            let (beta, idio, median_price) = match cap {
                Cap::Large => (rng.random_range(0.85..1.15), 0.18, 1200.0),
                Cap::Mid => (rng.random_range(0.95..1.2), 0.25, 650.0),
                Cap::Small => (rng.random_range(1.05..1.35), 0.33, 280.0),
            };
            let pays = rng.random_bool(match cap {
                Cap::Large => 0.5,
                Cap::Mid => 0.35,
                Cap::Small => 0.2,
            });
            let dividend_yield = if pays {
                rng.random_range(0.004..0.035)
            } else {
                0.0
            };
            let mut dividend_dates = Vec::new();
            if pays {
                dividend_dates.push((rng.random_range(7..=9), rng.random_range(1..=28)));
                if rng.random_bool(0.08) {
                    dividend_dates.push((*pick(rng, &[11u32, 12, 1, 2]), rng.random_range(1..=28)));
                }
            }
            out.push(Security {
                isin: isin(&format!("INE{code}01{serial:02}")),
                name: name.clone(),
                sector: sec.name,
                cap: Some(cap),
                security_type: "Equity Share",
                sector_index,
                start_price: (median_price * (0.9 * normal(rng)).exp()).clamp(12.0, 45_000.0),
                beta,
                idio_vol: idio / 252f64.sqrt(),
                alpha: normal(rng) * 0.05 / 252.0,
                dividend_yield,
                dividend_dates,
                ..blank(Kind::Equity)
            });
            if SECTORS[sector_index].name == "Financial Services"
                || matches!(
                    SECTORS[sector_index].name,
                    "Power" | "Capital Goods" | "Construction" | "Realty"
                )
            {
                let rank = match cap {
                    Cap::Large => 1,
                    Cap::Mid => 2,
                    Cap::Small => 3,
                };
                issuers.push((rank, rng.random(), out.len() - 1, code, name));
            }
        }
    }

    // Corporate bonds: issued by listed financiers, utilities and builders (their ISINs share
    // the issuer code of the shares, security type 07 = debentures), plus unlisted PSU lenders.
    let psus = [
        "Bharat Infrastructure Finance Corporation Ltd",
        "Rashtriya Housing Finance Corporation Ltd",
        "National Urban Development Finance Ltd",
        "Indian Rural Electrification Finance Ltd",
    ];
    for name in psus {
        issuers.push((0, rng.random(), usize::MAX, codes.next(), name.to_string()));
    }
    // Better-known issuers get the better ratings.
    issuers.sort_by_key(|i| (i.0, i.1));
    let ratings: [(&str, f64, usize); 5] = [
        ("AAA", 7.25, 22),
        ("AA+", 7.8, 14),
        ("AA", 8.35, 12),
        ("AA-", 8.9, 7),
        ("A+", 9.6, 5),
    ];
    let mut bond_no = 0usize;
    for (rating, base_coupon, count) in ratings {
        for _ in 0..count {
            let (_, _, equity_index, code, issuer) = &issuers[bond_no % issuers.len()];
            let is_psu = *equity_index == usize::MAX;
            let coupon = (base_coupon + rng.random_range(-0.4..0.5)).round_to(2) / 100.0;
            let maturity_year = rng.random_range(2029..=2036);
            let month = rng.random_range(1..=12u32);
            let day = rng.random_range(1..=28u32);
            let serial = format!("{}{}", (b'A' + (bond_no / 10) as u8) as char, bond_no % 10);
            let sector = if is_psu {
                "Financial Services"
            } else {
                out[*equity_index].sector
            };
            out.push(Security {
                isin: isin(&format!("INE{code}07{serial}")),
                name: format!(
                    "{:.2}% {} NCD {}-{}",
                    coupon * 100.0,
                    issuer,
                    MONTHS[(month - 1) as usize],
                    maturity_year
                ),
                asset_class: "Debt",
                sector,
                rating: Some(rating),
                security_type: "Non-Convertible Debenture",
                start_price: 1000.0 * (1.0 + 0.012 * normal(rng)),
                idio_vol: 0.0002,
                coupon,
                face: 1000.0,
                coupon_dates: vec![(month, day)],
                duration: rng.random_range(2.5..6.0),
                ..blank(Kind::CorporateBond)
            });
            bond_no += 1;
        }
    }
    debug_assert_eq!(bond_no, CORPORATE_BONDS);

    for g in 0..GSECS {
        let issue_year = 15 + (g as u32 * 7) % 10;
        let coupon = (6.45 + rng.random_range(0.0..1.3f64)).round_to(2) / 100.0;
        let maturity = 2028 + g as u32 * 2 + rng.random_range(0..2);
        let month = rng.random_range(1..=6u32);
        let day = rng.random_range(1..=28u32);
        out.push(Security {
            isin: isin(&format!("IN0020{issue_year:02}{:03}", 20 + g * 37 % 90)),
            name: format!("{:.2}% GS {maturity}", coupon * 100.0),
            asset_class: "Debt",
            sector: "Sovereign",
            rating: Some("SOV"),
            security_type: "Government Security",
            start_price: 100.0 * (1.0 + 0.02 * normal(rng)),
            idio_vol: 0.0001,
            coupon,
            face: 100.0,
            coupon_dates: vec![(month, day), (month + 6, day)],
            duration: 3.0 + g as f64 * 0.8,
            ..blank(Kind::GSec)
        });
    }

    // Funds: each from its own (invented) fund house, Direct plan, Growth option.
    let funds: [(Kind, &str, &str, &str, f64, u32); 9] = [
        (
            Kind::Liquid,
            "Sahyadri Liquid Fund - Direct Plan - Growth",
            "Cash",
            "Mutual Fund",
            3_412.5,
            4,
        ),
        (
            Kind::Liquid,
            "Coromandel Liquid Fund - Direct Plan - Growth",
            "Cash",
            "Mutual Fund",
            2_874.2,
            4,
        ),
        (
            Kind::Overnight,
            "Aravalli Overnight Fund - Direct Plan - Growth",
            "Cash",
            "Mutual Fund",
            1_236.8,
            4,
        ),
        (
            Kind::Arbitrage,
            "Deccan Arbitrage Fund - Direct Plan - Growth",
            "Hybrid",
            "Mutual Fund",
            28.41,
            4,
        ),
        (
            Kind::Arbitrage,
            "Narmada Arbitrage Fund - Direct Plan - Growth",
            "Hybrid",
            "Mutual Fund",
            17.93,
            4,
        ),
        (
            Kind::GoldEtf,
            "Himalaya Gold ETF",
            "Commodity",
            "ETF",
            44.7,
            2,
        ),
        (
            Kind::GoldEtf,
            "Kaveri Gold ETF",
            "Commodity",
            "ETF",
            47.1,
            2,
        ),
        (
            Kind::SilverEtf,
            "Kailash Silver ETF",
            "Commodity",
            "ETF",
            63.2,
            2,
        ),
        (
            Kind::International,
            "Malabar US Equity Fund of Fund - Direct Plan - Growth",
            "Equity",
            "Mutual Fund",
            18.26,
            4,
        ),
    ];
    for (n, (kind, name, asset_class, security_type, price, decimals)) in
        funds.into_iter().enumerate()
    {
        let amc = codes.next();
        let serial = format!("{}{}", (b'K' + n as u8) as char, n);
        out.push(Security {
            isin: isin(&format!("INF{amc}01{serial}")),
            name: name.to_string(),
            asset_class,
            sector: match kind {
                Kind::GoldEtf | Kind::SilverEtf => "Commodities",
                Kind::International => "Global Equity",
                _ => "Mutual Fund",
            },
            security_type,
            start_price: price,
            whole_units: matches!(kind, Kind::GoldEtf | Kind::SilverEtf),
            price_decimals: decimals,
            ..blank(kind)
        });
    }
    out
}

trait RoundTo {
    fn round_to(self, decimals: i32) -> f64;
}

impl RoundTo for f64 {
    fn round_to(self, decimals: i32) -> f64 {
        let f = 10f64.powi(decimals);
        (self * f).round() / f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifiers::is_valid_isin;
    use crate::random::{stream, Purpose};
    use crate::strategies::IAS;

    #[test]
    fn universe_has_valid_unique_isins_and_feeds_every_ia() {
        let secs = universe(&mut stream(11, Purpose::Securities, 0));
        let mut seen = std::collections::BTreeSet::new();
        for s in &secs {
            assert!(is_valid_isin(&s.isin), "{} {}", s.isin, s.name);
            assert!(seen.insert(s.isin.clone()), "duplicate {}", s.isin);
            assert!(s.start_price > 0.0);
        }
        for ia in IAS {
            for (u, _) in ia.sleeves {
                let n = secs.iter().filter(|s| s.in_universe(*u)).count();
                assert!(n >= 1, "{} {:?}", ia.code, u);
            }
        }
        assert!(
            secs.iter()
                .filter(|s| s.in_universe(Universe::Dividend))
                .count()
                >= 40
        );
    }
}
