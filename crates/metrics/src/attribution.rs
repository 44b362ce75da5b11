//! Brinson–Fachler performance attribution by segment (asset class, sector, …).
//!
//! For each segment `i` with portfolio weight `wpᵢ`, benchmark weight `wbᵢ`, portfolio return
//! `Rpᵢ` and benchmark return `Rbᵢ`, and the benchmark total `Rb = Σ wbᵢ·Rbᵢ`
//! (Brinson & Fachler, "Measuring Non-US Equity Portfolio Performance", Journal of Portfolio
//! Management, Spring 1985; as presented in Bacon, "Practical Portfolio Performance
//! Measurement and Attribution", 2nd ed., Wiley 2008, ch. 5):
//! - allocation  `Aᵢ = (wpᵢ − wbᵢ)(Rbᵢ − Rb)`
//! - selection   `Sᵢ = wbᵢ (Rpᵢ − Rbᵢ)`
//! - interaction `Iᵢ = (wpᵢ − wbᵢ)(Rpᵢ − Rbᵢ)`
//!
//! With both weight sets summing to 1, `Σ(Aᵢ + Sᵢ + Iᵢ) = Rp − Rb` exactly (the `Rb` term of
//! allocation cancels because `Σ(wpᵢ − wbᵢ) = 0`), so the totals reconcile to the active
//! return. Weights must therefore each sum to 1 (within 1e-6); we refuse otherwise rather than
//! report effects that do not add up.
//!
//! When the benchmark holds nothing in a segment, pass that segment's index return as `Rbᵢ`
//! if there is one; passing `Rb` instead puts the whole segment's effect into interaction.

use serde::{Deserialize, Serialize};

use crate::inputs::finite;

const WEIGHT_SUM_TOLERANCE: f64 = 1e-6;

/// Why attribution could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AttributionError {
    #[error("no segments")]
    NoSegments,
    #[error("segment `{0}` has a weight or return that is not a finite number")]
    NonFinite(String),
    #[error("{which} weights sum to {sum}, not 1")]
    WeightsDoNotSumToOne { which: &'static str, sum: f64 },
    #[error("holding `{0}` has a negative or zero total weight in its segment")]
    EmptySegment(String),
}

/// Inputs for one segment; weights and returns as fractions (0.25 = 25%).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub name: String,
    pub portfolio_weight: f64,
    pub benchmark_weight: f64,
    pub portfolio_return: f64,
    pub benchmark_return: f64,
}

/// The effects of one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentEffect {
    pub name: String,
    pub allocation: f64,
    pub selection: f64,
    pub interaction: f64,
    /// `allocation + selection + interaction`.
    pub total: f64,
}

/// A full Brinson–Fachler decomposition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    pub segments: Vec<SegmentEffect>,
    /// `Σ wpᵢ·Rpᵢ`.
    pub portfolio_return: f64,
    /// `Σ wbᵢ·Rbᵢ`.
    pub benchmark_return: f64,
    /// `portfolio_return − benchmark_return`; equals the sum of the three totals below.
    pub active_return: f64,
    pub allocation: f64,
    pub selection: f64,
    pub interaction: f64,
}

impl Attribution {
    /// The unexplained remainder `active − (allocation + selection + interaction)`: zero up to
    /// rounding when the weights sum to 1.
    pub fn residual(&self) -> f64 {
        self.active_return - (self.allocation + self.selection + self.interaction)
    }
}

/// Brinson–Fachler attribution of the given segments.
pub fn brinson_fachler(segments: &[Segment]) -> Result<Attribution, AttributionError> {
    if segments.is_empty() {
        return Err(AttributionError::NoSegments);
    }
    for s in segments {
        let values = [
            s.portfolio_weight,
            s.benchmark_weight,
            s.portfolio_return,
            s.benchmark_return,
        ];
        if values.iter().any(|v| !v.is_finite()) {
            return Err(AttributionError::NonFinite(s.name.clone()));
        }
    }
    for (which, sum) in [
        (
            "portfolio",
            segments.iter().map(|s| s.portfolio_weight).sum::<f64>(),
        ),
        (
            "benchmark",
            segments.iter().map(|s| s.benchmark_weight).sum::<f64>(),
        ),
    ] {
        if (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
            return Err(AttributionError::WeightsDoNotSumToOne { which, sum });
        }
    }

    let portfolio_return: f64 = segments
        .iter()
        .map(|s| s.portfolio_weight * s.portfolio_return)
        .sum();
    let benchmark_return: f64 = segments
        .iter()
        .map(|s| s.benchmark_weight * s.benchmark_return)
        .sum();
    let effects: Vec<SegmentEffect> = segments
        .iter()
        .map(|s| {
            let active_weight = s.portfolio_weight - s.benchmark_weight;
            let allocation = active_weight * (s.benchmark_return - benchmark_return);
            let selection = s.benchmark_weight * (s.portfolio_return - s.benchmark_return);
            let interaction = active_weight * (s.portfolio_return - s.benchmark_return);
            SegmentEffect {
                name: s.name.clone(),
                allocation,
                selection,
                interaction,
                total: allocation + selection + interaction,
            }
        })
        .collect();
    let result = Attribution {
        portfolio_return,
        benchmark_return,
        active_return: portfolio_return - benchmark_return,
        allocation: effects.iter().map(|e| e.allocation).sum(),
        selection: effects.iter().map(|e| e.selection).sum(),
        interaction: effects.iter().map(|e| e.interaction).sum(),
        segments: effects,
    };
    // Finite inputs of sane size give finite outputs; refuse to hand out anything else.
    let all_finite = [
        result.portfolio_return,
        result.benchmark_return,
        result.allocation,
        result.selection,
        result.interaction,
    ]
    .iter()
    .all(|v| finite(*v).is_some());
    if all_finite {
        Ok(result)
    } else {
        Err(AttributionError::NonFinite("total".into()))
    }
}

/// One holding, to be rolled up into segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holding {
    pub segment: String,
    pub weight: f64,
    pub period_return: f64,
}

/// Rolls holdings up into segments: weight `Σw`, return `Σ w·r / Σw`. Segments appear in the
/// order first seen in `portfolio`, then `benchmark`. A segment missing on one side gets
/// weight 0 and, as its return, the other side's segment return.
pub fn segments_from_holdings(
    portfolio: &[Holding],
    benchmark: &[Holding],
) -> Result<Vec<Segment>, AttributionError> {
    let mut names: Vec<&str> = Vec::new();
    for h in portfolio.iter().chain(benchmark) {
        if !(h.weight.is_finite() && h.period_return.is_finite()) {
            return Err(AttributionError::NonFinite(h.segment.clone()));
        }
        if !names.contains(&h.segment.as_str()) {
            names.push(&h.segment);
        }
    }
    let roll_up =
        |holdings: &[Holding], name: &str| -> Result<Option<(f64, f64)>, AttributionError> {
            let members: Vec<&Holding> = holdings.iter().filter(|h| h.segment == name).collect();
            if members.is_empty() {
                return Ok(None);
            }
            let weight: f64 = members.iter().map(|h| h.weight).sum();
            if weight.is_nan() || weight <= 0.0 {
                return Err(AttributionError::EmptySegment(name.to_owned()));
            }
            let contribution: f64 = members.iter().map(|h| h.weight * h.period_return).sum();
            Ok(Some((weight, contribution / weight)))
        };
    names
        .into_iter()
        .map(|name| {
            let p = roll_up(portfolio, name)?;
            let b = roll_up(benchmark, name)?;
            let (pw, pr) = p.unwrap_or((0.0, b.map_or(0.0, |(_, r)| r)));
            let (bw, br) = b.unwrap_or((0.0, pr));
            Ok(Segment {
                name: name.to_owned(),
                portfolio_weight: pw,
                benchmark_weight: bw,
                portfolio_return: pr,
                benchmark_return: br,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(name: &str, wp: f64, wb: f64, rp: f64, rb: f64) -> Segment {
        Segment {
            name: name.into(),
            portfolio_weight: wp,
            benchmark_weight: wb,
            portfolio_return: rp,
            benchmark_return: rb,
        }
    }

    #[test]
    fn refuses_weights_that_do_not_add_up() {
        let segments = [
            segment("A", 0.5, 0.5, 0.1, 0.1),
            segment("B", 0.4, 0.5, 0.1, 0.1),
        ];
        assert!(matches!(
            brinson_fachler(&segments),
            Err(AttributionError::WeightsDoNotSumToOne {
                which: "portfolio",
                ..
            })
        ));
        assert_eq!(brinson_fachler(&[]), Err(AttributionError::NoSegments));
    }

    #[test]
    fn holdings_roll_up() {
        let portfolio = [
            Holding {
                segment: "IT".into(),
                weight: 0.3,
                period_return: 0.10,
            },
            Holding {
                segment: "IT".into(),
                weight: 0.2,
                period_return: 0.20,
            },
            Holding {
                segment: "Banks".into(),
                weight: 0.5,
                period_return: 0.05,
            },
        ];
        let benchmark = [
            Holding {
                segment: "Banks".into(),
                weight: 0.6,
                period_return: 0.04,
            },
            Holding {
                segment: "IT".into(),
                weight: 0.3,
                period_return: 0.12,
            },
            Holding {
                segment: "FMCG".into(),
                weight: 0.1,
                period_return: 0.02,
            },
        ];
        let segments = segments_from_holdings(&portfolio, &benchmark).expect("valid");
        assert_eq!(segments.len(), 3);
        assert!((segments[0].portfolio_weight - 0.5).abs() < 1e-15);
        assert!((segments[0].portfolio_return - 0.14).abs() < 1e-15);
        assert_eq!(segments[2].portfolio_weight, 0.0);
        let attribution = brinson_fachler(&segments).expect("valid");
        assert!(attribution.residual().abs() < 1e-15);
    }
}
