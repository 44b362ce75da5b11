//! The firm's products: SEBI's four PMS strategies, the investment approaches (IAs) offered
//! under them, each with its benchmark and a recipe for the securities it holds, and the
//! clients' risk profiles that decide who buys what.

/// How a benchmark's daily return is made from the simulated market (see `market.rs`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum BenchmarkRecipe {
    /// Equal-weighted mix of the large, mid and small-cap universes plus a dividend yield
    /// (total-return indices reinvest dividends).
    Equity {
        large: f64,
        mid: f64,
        small: f64,
        dividend_yield: f64,
    },
    /// The dividend payers of the equity universe.
    DividendPayers,
    /// Carry at the market yield (plus a spread) less duration times the yield change.
    Bond { spread: f64, duration: f64 },
    /// A daily-rebalanced blend of other benchmarks (by index) and gold.
    Blend {
        parts: &'static [(usize, f64)],
        gold: f64,
    },
}

pub(crate) struct BenchmarkDef {
    pub code: &'static str,
    pub name: &'static str,
    pub start_level: f64,
    pub recipe: BenchmarkRecipe,
}

pub(crate) const NIFTY50: usize = 0;
pub(crate) const NIFTY500: usize = 1;
pub(crate) const COMPOSITE_BOND: usize = 5;

pub(crate) const BENCHMARKS: &[BenchmarkDef] = &[
    BenchmarkDef {
        code: "NIFTY50_TRI",
        name: "NIFTY 50 TRI",
        start_level: 21_480.0,
        recipe: BenchmarkRecipe::Equity {
            large: 1.0,
            mid: 0.0,
            small: 0.0,
            dividend_yield: 0.013,
        },
    },
    BenchmarkDef {
        code: "NIFTY500_TRI",
        name: "NIFTY 500 TRI",
        start_level: 18_960.0,
        recipe: BenchmarkRecipe::Equity {
            large: 0.72,
            mid: 0.17,
            small: 0.11,
            dividend_yield: 0.012,
        },
    },
    BenchmarkDef {
        code: "NIFTY_MIDCAP150_TRI",
        name: "NIFTY Midcap 150 TRI",
        start_level: 12_310.0,
        recipe: BenchmarkRecipe::Equity {
            large: 0.0,
            mid: 1.0,
            small: 0.0,
            dividend_yield: 0.008,
        },
    },
    BenchmarkDef {
        code: "NIFTY_SMALLCAP250_TRI",
        name: "NIFTY Smallcap 250 TRI",
        start_level: 9_540.0,
        recipe: BenchmarkRecipe::Equity {
            large: 0.0,
            mid: 0.0,
            small: 1.0,
            dividend_yield: 0.006,
        },
    },
    BenchmarkDef {
        code: "NIFTY_DIVOPP50_TRI",
        name: "NIFTY Dividend Opportunities 50 TRI",
        start_level: 4_215.0,
        recipe: BenchmarkRecipe::DividendPayers,
    },
    BenchmarkDef {
        code: "CRISIL_COMPOSITE_BOND",
        name: "CRISIL Composite Bond Index",
        start_level: 4_118.0,
        recipe: BenchmarkRecipe::Bond {
            spread: 0.002,
            duration: 5.6,
        },
    },
    BenchmarkDef {
        code: "CRISIL_SHORT_TERM_BOND",
        name: "CRISIL Short Term Bond Index",
        start_level: 4_364.0,
        recipe: BenchmarkRecipe::Bond {
            spread: 0.001,
            duration: 2.1,
        },
    },
    BenchmarkDef {
        code: "CRISIL_HYBRID_35_65_AGG",
        name: "CRISIL Hybrid 35+65 Aggressive Index",
        start_level: 11_872.0,
        recipe: BenchmarkRecipe::Blend {
            parts: &[(NIFTY50, 0.65), (COMPOSITE_BOND, 0.35)],
            gold: 0.0,
        },
    },
    BenchmarkDef {
        code: "CRISIL_HYBRID_85_15_CONS",
        name: "CRISIL Hybrid 85+15 Conservative Index",
        start_level: 6_034.0,
        recipe: BenchmarkRecipe::Blend {
            parts: &[(NIFTY50, 0.15), (COMPOSITE_BOND, 0.85)],
            gold: 0.0,
        },
    },
    BenchmarkDef {
        code: "NIFTY_MULTI_ASSET",
        name: "NIFTY Multi Asset Index (Equity 50 : Debt 30 : Gold 20)",
        start_level: 1_826.0,
        recipe: BenchmarkRecipe::Blend {
            parts: &[(NIFTY500, 0.5), (COMPOSITE_BOND, 0.3)],
            gold: 0.2,
        },
    },
];

pub(crate) struct StrategyDef {
    pub code: &'static str,
    pub name: &'static str,
    /// SEBI's category (the store allows exactly these four).
    pub category: &'static str,
}

pub(crate) const EQUITY: usize = 0;
pub(crate) const DEBT: usize = 1;
pub(crate) const HYBRID: usize = 2;
pub(crate) const MULTI_ASSET: usize = 3;

pub(crate) const STRATEGIES: &[StrategyDef] = &[
    StrategyDef {
        code: "EQUITY",
        name: "Equity",
        category: "Equity",
    },
    StrategyDef {
        code: "DEBT",
        name: "Debt",
        category: "Debt",
    },
    StrategyDef {
        code: "HYBRID",
        name: "Hybrid",
        category: "Hybrid",
    },
    StrategyDef {
        code: "MULTI_ASSET",
        name: "Multi Asset",
        category: "Multi Asset",
    },
];

/// A slice of the security universe an IA buys from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Universe {
    Large,
    Mid,
    Small,
    /// Large and mid caps in steady sectors (financials, IT, FMCG, healthcare).
    Quality,
    /// Equities paying regular dividends.
    Dividend,
    AnyEquity,
    /// Corporate bonds rated AAA or AA+.
    HighGradeBond,
    /// Corporate bonds rated AA or below.
    CreditBond,
    GSec,
    Liquid,
    Arbitrage,
    Gold,
    Silver,
    International,
}

pub(crate) struct IaDef {
    pub code: &'static str,
    pub name: &'static str,
    pub strategy: usize,
    pub benchmark: usize,
    /// Where the money goes: universe and share of the invested amount.
    pub sleeves: &'static [(Universe, f64)],
    /// Number of holdings, inclusive range.
    pub holdings: (usize, usize),
    /// Cash the manager keeps uninvested.
    pub cash: f64,
    /// How likely a client of each risk profile (see [`RiskProfile`]) picks this IA.
    pub appeal: [f64; 5],
}

use Universe::*;

pub(crate) const IAS: &[IaDef] = &[
    IaDef {
        code: "EQ-LCQ",
        name: "Large Cap Quality",
        strategy: EQUITY,
        benchmark: 0,
        sleeves: &[(Quality, 0.7), (Large, 0.3)],
        holdings: (17, 23),
        cash: 0.02,
        appeal: [1.0, 3.0, 6.0, 5.0, 3.0],
    },
    IaDef {
        code: "EQ-FCG",
        name: "Flexicap Growth",
        strategy: EQUITY,
        benchmark: 1,
        sleeves: &[(Large, 0.5), (Mid, 0.3), (Small, 0.2)],
        holdings: (19, 26),
        cash: 0.02,
        appeal: [0.0, 1.0, 5.0, 8.0, 8.0],
    },
    IaDef {
        code: "EQ-MSO",
        name: "Mid & Small Cap Opportunities",
        strategy: EQUITY,
        benchmark: 2,
        sleeves: &[(Mid, 0.6), (Small, 0.4)],
        holdings: (19, 26),
        cash: 0.03,
        appeal: [0.0, 0.0, 2.0, 5.0, 8.0],
    },
    IaDef {
        code: "EQ-SCD",
        name: "Small Cap Discovery",
        strategy: EQUITY,
        benchmark: 3,
        sleeves: &[(Small, 0.85), (Mid, 0.15)],
        holdings: (20, 27),
        cash: 0.03,
        appeal: [0.0, 0.0, 1.0, 3.0, 6.0],
    },
    IaDef {
        code: "EQ-DIV",
        name: "Dividend Yield",
        strategy: EQUITY,
        benchmark: 4,
        sleeves: &[(Dividend, 1.0)],
        holdings: (16, 22),
        cash: 0.02,
        appeal: [1.0, 2.0, 4.0, 3.0, 1.0],
    },
    IaDef {
        code: "EQ-SPS",
        name: "Special Situations",
        strategy: EQUITY,
        benchmark: 1,
        sleeves: &[(AnyEquity, 1.0)],
        holdings: (15, 18),
        cash: 0.03,
        appeal: [0.0, 0.0, 1.0, 3.0, 4.0],
    },
    IaDef {
        code: "DT-CBP",
        name: "Corporate Bond Plus",
        strategy: DEBT,
        benchmark: 5,
        sleeves: &[(HighGradeBond, 0.7), (GSec, 0.2), (Liquid, 0.1)],
        holdings: (15, 20),
        cash: 0.01,
        appeal: [6.0, 3.0, 1.0, 0.3, 0.1],
    },
    IaDef {
        code: "DT-STA",
        name: "Short Term Accrual",
        strategy: DEBT,
        benchmark: 6,
        sleeves: &[(CreditBond, 0.55), (HighGradeBond, 0.3), (Liquid, 0.15)],
        holdings: (15, 18),
        cash: 0.01,
        appeal: [4.0, 2.0, 0.5, 0.2, 0.0],
    },
    IaDef {
        code: "HY-BAL",
        name: "Balanced Advantage",
        strategy: HYBRID,
        benchmark: 7,
        sleeves: &[
            (Large, 0.45),
            (Mid, 0.1),
            (Arbitrage, 0.1),
            (HighGradeBond, 0.25),
            (GSec, 0.1),
        ],
        holdings: (18, 25),
        cash: 0.02,
        appeal: [2.0, 4.0, 3.0, 1.0, 0.3],
    },
    IaDef {
        code: "HY-CON",
        name: "Conservative Hybrid",
        strategy: HYBRID,
        benchmark: 8,
        sleeves: &[
            (Quality, 0.2),
            (HighGradeBond, 0.55),
            (GSec, 0.2),
            (Liquid, 0.05),
        ],
        holdings: (15, 22),
        cash: 0.02,
        appeal: [4.0, 3.0, 1.0, 0.2, 0.0],
    },
    IaDef {
        code: "MA-ALL",
        name: "Multi Asset Allocator",
        strategy: MULTI_ASSET,
        benchmark: 9,
        sleeves: &[
            (Large, 0.3),
            (Mid, 0.15),
            (International, 0.05),
            (HighGradeBond, 0.25),
            (GSec, 0.05),
            (Gold, 0.15),
            (Silver, 0.05),
        ],
        holdings: (18, 25),
        cash: 0.02,
        appeal: [2.0, 3.0, 3.0, 1.5, 0.5],
    },
];

/// A client's risk profile, as the store names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RiskProfile {
    Conservative,
    ModeratelyConservative,
    Moderate,
    ModeratelyAggressive,
    Aggressive,
}

impl RiskProfile {
    pub(crate) const ALL: [RiskProfile; 5] = [
        RiskProfile::Conservative,
        RiskProfile::ModeratelyConservative,
        RiskProfile::Moderate,
        RiskProfile::ModeratelyAggressive,
        RiskProfile::Aggressive,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            RiskProfile::Conservative => "Conservative",
            RiskProfile::ModeratelyConservative => "Moderately Conservative",
            RiskProfile::Moderate => "Moderate",
            RiskProfile::ModeratelyAggressive => "Moderately Aggressive",
            RiskProfile::Aggressive => "Aggressive",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_data_is_consistent() {
        assert!((8..=12).contains(&IAS.len()));
        for ia in IAS {
            assert!(ia.strategy < STRATEGIES.len());
            assert!(ia.benchmark < BENCHMARKS.len());
            let total: f64 = ia.sleeves.iter().map(|s| s.1).sum();
            assert!((total - 1.0).abs() < 1e-9, "{}", ia.code);
            assert!(ia.holdings.0 >= 15 && ia.holdings.1 <= 30, "{}", ia.code);
        }
        for profile in RiskProfile::ALL {
            assert!(IAS.iter().any(|ia| ia.appeal[profile.index()] > 0.0));
        }
        for strategy in STRATEGIES {
            assert!(["Equity", "Debt", "Hybrid", "Multi Asset"].contains(&strategy.category));
        }
    }
}
