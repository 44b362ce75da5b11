//! Money-weighted return: XIRR and XNPV on dated cash flows, ACT/365F.
//!
//! `XNPV(r) = Σ aᵢ / (1 + r)^((dᵢ − d₀)/365)` with `d₀` the earliest date; XIRR is the `r` that
//! makes it zero. Flows are from the **investor's** view (money in negative, money out and the
//! closing value positive). Order does not matter and same-day flows add up.
//!
//! # How the root is found
//! The reference values come from pyxirr, and when flows change sign several times there can
//! be several rates that solve the equation; pyxirr also stops Newton's method as soon as a
//! step is below 1e-9 (returning the point *before* that step). So we follow pyxirr's
//! sequence step for step — same first guess (`inflows / outflows − 1`, clamped to
//! `[−0.9, 0.1]`), same Newton updates and stopping rules, then Brent's method on
//! `[−0.999999999999999, 100]`, then Newton from a grid of guesses — and report the same root
//! to ~1e-15. Where pyxirr gives up, we continue: a scan of `ln(1 + r)` for sign changes plus
//! Brent finds roots pyxirr's absolute tolerances miss (losses within a hair of −100% over
//! several flows, or amounts beyond ~1e13, whose rounding noise exceeds pyxirr's fixed 1e-3).
//! Two flows are solved in closed form, as pyxirr does. One addition to pyxirr's Newton: where
//! the curve is so flat (rates of millions of percent) that the step is still above 1e-9
//! while XNPV is already rounding noise (`≤ 2e-15 · Σ|discounted flows|`), we stop; pyxirr
//! only stops there if the noise happens to dip under its fixed 1e-9.
//!
//! # Why it is fast
//! - Flows are sorted once (a single pass when already in order), merged by day and scaled so
//!   the largest is 1; year fractions are computed once.
//! - Each Newton step evaluates XNPV and its derivative in one pass. Until the last steps it
//!   uses integer day offsets: `(1 + r)^(−d/365) = q^d` with
//!   `q = (1 + r)^(−1/365)`, so a flow costs one multiplication by a tabulated `q^gap`
//!   instead of an `exp`; the product chain is re-anchored with an exact `exp` every
//!   `FAR_ANCHOR` (64) flows, bounding the drift to ~64 ulp; the last one or two steps, which
//!   decide the point returned (after a step below 1e-5), re-anchor every `NEAR_ANCHOR` (8)
//!   flows. Four such chains run side by side so the processor overlaps them.
//! - No interpreter: pyxirr spends much of a call converting Python dates and floats.

use chrono::{Datelike, NaiveDate};

use crate::inputs::CashFlow;

const DAYS_PER_YEAR: f64 = 365.0;
/// Far from the root, re-anchor each `q^d` product chain with an exact `exp` every this many
/// terms (drift ≤ ~64 ulp) ...
const FAR_ANCHOR: usize = 64;
/// ... and near it every this many (drift ≤ ~8 ulp, like a sum of exact terms).
const NEAR_ANCHOR: usize = 8;
/// Day gaps below this come from the per-evaluation table of `q^gap`.
const GAP_TABLE: usize = 64;
/// Independent product chains evaluated side by side.
const LANES: usize = 4;
/// Up to this many terms, one `exp` per term is as cheap as the table and chains.
const SMALL: usize = 32;
/// pyxirr's Newton: at most this many steps, ...
const NEWTON_ITERATIONS: usize = 50;
/// ... stop when `|XNPV| < 1e-9` (in currency units) ...
const NEWTON_NPV_TOLERANCE: f64 = 1e-9;
/// ... or when a step is below 1e-9 while `|XNPV| < 1e-3`.
const NEWTON_STEP_TOLERANCE: f64 = 1e-9;
const ROOT_NPV_TOLERANCE: f64 = 1e-3;
/// pyxirr's Brent bracket and iteration budget.
const BRENT_BRACKET: (f64, f64) = (-0.999_999_999_999_999, 100.0);
const BRENT_ITERATIONS: usize = 100;
/// Newton evaluates the next point finely after a step below this, ...
const FINE_NEXT_STEP: f64 = 1e-5;
/// ... and re-evaluates the current one finely when its coarse step is below this ...
const FINE_NOW_STEP: f64 = 1e-8;
/// ... or `|XNPV|` is this small relative to `Σ|amounts|` (on a flat curve the step can stay
/// large while XNPV is already noise).
const NEAR_ROOT_NPV: f64 = 1e-10;
/// An XNPV this small relative to `Σ|discounted flows|` is rounding noise: a root.
const NOISE: f64 = 2e-15;
/// Our scan accepts a root when `|XNPV| ≤ this × Σ|discounted flows|`.
const RESIDUAL_TOLERANCE: f64 = 1e-9;

/// Why XIRR or XNPV has no value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum XirrError {
    #[error("a cash flow amount is not a finite number")]
    NonFiniteAmount,
    #[error("XIRR needs at least one negative and one positive non-zero flow")]
    NoSignChange,
    #[error("no rate makes the net present value zero")]
    NoRootFound,
    #[error("the rate {0} is not above -100%")]
    RateOutOfDomain(f64),
    #[error("the net present value overflows at this rate")]
    Overflow,
}

/// XIRR of `flows` (investor's view): the annual rate, e.g. `0.12` for 12%.
pub fn xirr(flows: &[CashFlow]) -> Result<f64, XirrError> {
    PreparedFlows::new(flows)?.xirr()
}

/// XNPV of `flows` at `rate`, discounting to the earliest date.
pub fn xnpv(rate: f64, flows: &[CashFlow]) -> Result<f64, XirrError> {
    PreparedFlows::new(flows)?.xnpv(rate)
}

/// One day's net flow.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Term {
    /// Net amount of the day divided by [`PreparedFlows::scale`].
    amount: f64,
    /// Days since the earliest flow.
    day: f64,
    /// Days since the previous term (0 for the first).
    gap: u32,
}

/// Cash flows sorted, merged by day and scaled, ready for repeated XNPV / XIRR evaluation.
#[derive(Debug, Clone)]
pub struct PreparedFlows {
    earliest: Option<NaiveDate>,
    /// Days with a non-zero net flow, in date order.
    terms: Vec<Term>,
    /// Bit `g` set when some term has `gap == g` (g ≤ 63): the table entries to compute.
    small_gaps: u64,
    /// The largest absolute daily net amount.
    scale: f64,
    /// Sums of the raw positive / negative amounts before netting, for pyxirr's first guess.
    gross_inflows: f64,
    gross_outflows: f64,
    /// Number of flows as given (pyxirr's closed form applies to exactly two).
    raw_count: usize,
    sign_changes: usize,
    /// `Σ|amounts|`, scaled.
    total: f64,
}

/// `(date, amount)` ordering that makes every sum independent of the input order, bit for bit.
fn flow_order(a: &CashFlow, b: &CashFlow) -> std::cmp::Ordering {
    a.date.cmp(&b.date).then(a.amount.total_cmp(&b.amount))
}

impl PreparedFlows {
    pub fn new(flows: &[CashFlow]) -> Result<Self, XirrError> {
        if flows.iter().any(|f| !f.amount.is_finite()) {
            return Err(XirrError::NonFiniteAmount);
        }
        // Most callers pass flows in date order: then this is one comparison per flow and no
        // copy.
        if flows.windows(2).all(|w| flow_order(&w[0], &w[1]).is_le()) {
            Self::from_sorted(flows)
        } else {
            let mut sorted = flows.to_vec();
            sorted.sort_unstable_by(flow_order);
            Self::from_sorted(&sorted)
        }
    }

    fn from_sorted(flows: &[CashFlow]) -> Result<Self, XirrError> {
        // A few short passes rather than one long one: each keeps its few accumulators in
        // registers (one pass with all of them spills to the stack and runs ~3× slower).
        let (gross_inflows, gross_outflows) = gross_sums(flows);

        // Merge each day's flows (adjacent, as they are sorted) into one term.
        let earliest = flows.first().map(|f| f.date);
        let first_day = earliest.map_or(0, |d| d.num_days_from_ce());
        // Day numbers: `num_days_from_ce` only when the year changes, then year start + ordinal.
        let mut year_start = (i32::MIN, 0);
        let mut terms: Vec<Term> = Vec::with_capacity(flows.len());
        let mut previous_day = first_day;
        let mut index = 0;
        while let Some(first) = flows.get(index) {
            let mut net = 0.0;
            while let Some(flow) = flows.get(index).filter(|f| f.date == first.date) {
                net += flow.amount;
                index += 1;
            }
            if net == 0.0 {
                continue;
            }
            let ordinal = first.date.ordinal() as i32;
            if year_start.0 != first.date.year() {
                year_start = (first.date.year(), first.date.num_days_from_ce() - ordinal);
            }
            let day = year_start.1 + ordinal;
            let gap = if terms.is_empty() {
                0
            } else {
                day - previous_day
            };
            terms.push(Term {
                amount: net,
                day: f64::from(day - first_day),
                gap: u32::try_from(gap).unwrap_or(u32::MAX),
            });
            previous_day = day;
        }

        let largest = terms.iter().fold(0.0_f64, |m, t| m.max(t.amount.abs()));
        if !largest.is_finite() {
            return Err(XirrError::Overflow);
        }
        let sign_changes = terms
            .windows(2)
            .filter(|pair| (pair[0].amount < 0.0) != (pair[1].amount < 0.0))
            .count();
        let small_gaps = terms
            .iter()
            .filter(|t| (t.gap as usize) < GAP_TABLE)
            .fold(0u64, |bits, t| bits | 1 << t.gap);
        // Scale so the largest daily amount is 1: tolerances become independent of the
        // currency unit. (Multiplying by the reciprocal: the root does not depend on the scale.)
        let scale = largest;
        let inverse = 1.0 / scale;
        let mut terms_total = 0.0;
        for term in &mut terms {
            term.amount *= inverse;
            terms_total += term.amount.abs();
        }

        Ok(Self {
            earliest,
            terms,
            small_gaps,
            scale,
            gross_inflows,
            gross_outflows,
            raw_count: flows.len(),
            sign_changes,
            total: terms_total,
        })
    }

    /// The earliest flow date (`d₀`), if there are flows.
    pub fn earliest(&self) -> Option<NaiveDate> {
        self.earliest
    }

    /// Sign changes between consecutive (merged, non-zero) flows in date order.
    pub fn sign_changes(&self) -> usize {
        self.sign_changes
    }

    /// XNPV at `rate`, in the flows' currency, discounting to the earliest date.
    pub fn xnpv(&self, rate: f64) -> Result<f64, XirrError> {
        if !(rate.is_finite() && rate > -1.0) {
            return Err(XirrError::RateOutOfDomain(rate));
        }
        let (npv, _, _) = self.exact(rate);
        let value = npv * self.scale;
        if value.is_finite() {
            Ok(value)
        } else {
            Err(XirrError::Overflow)
        }
    }

    /// XIRR of the prepared flows.
    pub fn xirr(&self) -> Result<f64, XirrError> {
        let has_inflow = self.terms.iter().any(|t| t.amount > 0.0);
        let has_outflow = self.terms.iter().any(|t| t.amount < 0.0);
        if !(has_inflow && has_outflow) {
            return Err(XirrError::NoSignChange);
        }
        if let [first, last] = self.terms[..] {
            if self.raw_count == 2 {
                return two_flow_rate(first, last).ok_or(XirrError::NoRootFound);
            }
        }
        // pyxirr's sequence, step for step (see the module doc).
        if let Some(rate) = self.newton(self.pyxirr_guess()) {
            return Ok(rate);
        }
        if let Some(rate) = self.brent_like_pyxirr() {
            return Ok(rate);
        }
        let (mut guess, mut step) = (-0.999_999_999_999_99, 0.01);
        while guess < 1.0 {
            if let Some(rate) = self.newton(guess) {
                return Ok(rate);
            }
            guess += step;
            step = (step * 1.1_f64).min(0.1);
        }
        // Where pyxirr gives up.
        self.scan_for_root().ok_or(XirrError::NoRootFound)
    }

    /// pyxirr's first guess: `inflows / outflows − 1`, clamped to `[−0.9, 0.1]`.
    fn pyxirr_guess(&self) -> f64 {
        (self.gross_inflows / -self.gross_outflows - 1.0).clamp(-0.9, 0.1)
    }

    /// `|XNPV|` (in scaled units) below which pyxirr stops at once: 1e-9 in currency units,
    /// but never looser than rounding noise for tiny amounts.
    fn npv_stop(&self) -> f64 {
        (NEWTON_NPV_TOLERANCE / self.scale).min(1e-15 * self.total)
    }

    /// `|XNPV|` (scaled) a converged point must be under: pyxirr's 1e-3 in currency units
    /// (exactly, so that we stop on the same step), but never tighter than rounding noise,
    /// which only happens when the flows add up to more than ~1e12.
    fn root_tolerance(&self) -> f64 {
        (ROOT_NPV_TOLERANCE / self.scale).max(1e-15 * self.total)
    }

    /// pyxirr's Newton iteration: returns the point at which the next step would be below
    /// 1e-9 (not the point after it), or `None` if it leaves `r > −1` or does not converge.
    fn newton(&self, guess: f64) -> Option<f64> {
        let (npv_stop, root_tolerance) = (self.npv_stop(), self.root_tolerance());
        let mut rate = guess;
        // Far from the root a coarse evaluation is plenty; the last steps decide which point is
        // returned, so they use a finer one whose rounding noise is as small as pyxirr's (an
        // `exp` per flow), so that pyxirr's absolute 1e-3 is met exactly where pyxirr meets it.
        let mut near = false;
        for _ in 0..NEWTON_ITERATIONS {
            let (npv, slope, gross) = if near {
                self.fast::<NEAR_ANCHOR, true>(rate)?
            } else {
                let far = self.fast::<FAR_ANCHOR, false>(rate)?;
                if (far.0 / far.1).abs() < FINE_NOW_STEP
                    || far.0.abs() <= NEAR_ROOT_NPV * self.total
                {
                    // Already close: the stopping tests below need the fine evaluation.
                    near = true;
                    self.fast::<NEAR_ANCHOR, true>(rate)?
                } else {
                    far
                }
            };
            if npv.abs() < npv_stop {
                return Some(rate);
            }
            let step = npv / slope;
            if step.abs() < NEWTON_STEP_TOLERANCE {
                if npv.abs() < root_tolerance {
                    return Some(rate);
                }
            } else if npv.abs() <= NOISE * gross {
                // Our one addition to pyxirr's rules: on a curve so flat (rates of millions of
                // percent) that a step is still large while XNPV is already rounding noise,
                // pyxirr only stops when the noise happens to dip under its 1e-9.
                return Some(rate);
            }
            // Newton converges quadratically: after a step this small the next point is within
            // ~1e-10 of the root, where the stopping tests are decided; evaluate it finely.
            near |= step.abs() < FINE_NEXT_STEP;
            rate -= step;
            if !rate.is_finite() {
                return None;
            }
        }
        None
    }

    /// pyxirr's `brentq` on `[−0.999999999999999, 100]` (Brent's steps only depend on ratios
    /// of function values, so the scaled amounts give the same path).
    fn brent_like_pyxirr(&self) -> Option<f64> {
        let npv = |rate: f64| {
            if rate <= -1.0 {
                return f64::INFINITY;
            }
            self.exact(rate).0
        };
        let rate = brent(npv, BRENT_BRACKET.0, BRENT_BRACKET.1, BRENT_ITERATIONS)?;
        (rate > -1.0 && npv(rate).abs() < self.root_tolerance()).then_some(rate)
    }

    /// `Some(rate)` when it really is a root: `|XNPV| ≤ 1e-9 · Σ|discounted flows|`.
    fn accept(&self, rate: f64) -> Option<f64> {
        if !(rate.is_finite() && rate > -1.0) {
            return None;
        }
        let (npv, _, gross) = self.exact(rate);
        (npv.is_finite() && gross.is_finite() && npv.abs() <= RESIDUAL_TOLERANCE * gross)
            .then_some(rate)
    }

    /// `(XNPV, dXNPV/dr, Σ|terms|)` in scaled units, one `exp` per flow.
    fn exact(&self, rate: f64) -> (f64, f64, f64) {
        if rate.is_nan() || rate <= -1.0 {
            return (f64::INFINITY, f64::INFINITY, f64::INFINITY);
        }
        let per_day = -rate.ln_1p() / DAYS_PER_YEAR;
        let (mut npv, mut weighted, mut gross) = (0.0, 0.0, 0.0);
        for term in &self.terms {
            let value = term.amount * (per_day * term.day).exp();
            npv += value;
            weighted += term.day * value;
            gross += value.abs();
        }
        let slope = -weighted / (DAYS_PER_YEAR * (1.0 + rate));
        (npv, slope, gross)
    }

    /// `(XNPV, dXNPV/dr, Σ|terms|)` using `q^d` products (see the module doc), re-anchored
    /// with an exact `exp` every `ANCHOR` terms (a constant, so `i % ANCHOR` is a mask);
    /// `None` unless finite with a non-zero slope.
    ///
    /// Four independent product chains run side by side over the four quarters of the terms,
    /// so the processor overlaps their multiplications instead of waiting on one chain.
    fn fast<const ANCHOR: usize, const WITH_GROSS: bool>(
        &self,
        rate: f64,
    ) -> Option<(f64, f64, f64)> {
        if rate.is_nan() || rate <= -1.0 {
            return None;
        }
        if self.terms.len() <= SMALL {
            let (npv, slope, gross) = self.exact(rate);
            return (npv.is_finite() && slope.is_finite() && slope != 0.0)
                .then_some((npv, slope, gross));
        }
        let per_day = -rate.ln_1p() / DAYS_PER_YEAR;
        // q^g for the gaps that occur, each from its own `exp` (no error build-up).
        let mut powers = [0.0_f64; GAP_TABLE];
        let mut gaps = self.small_gaps;
        while gaps != 0 {
            let g = gaps.trailing_zeros() as usize;
            if let Some(power) = powers.get_mut(g) {
                *power = (per_day * g as f64).exp();
            }
            gaps &= gaps - 1;
        }
        let next = |discount: f64, term: &Term| -> f64 {
            match powers.get(term.gap as usize) {
                Some(&power) => discount * power,
                None => discount * (per_day * f64::from(term.gap)).exp(),
            }
        };

        let quarter = self.terms.len() / LANES;
        let (a, rest) = self.terms.split_at(quarter);
        let (b, rest) = rest.split_at(quarter);
        let (c, rest) = rest.split_at(quarter);
        let (d, tail) = rest.split_at(quarter);
        let mut npv = [0.0_f64; LANES];
        let mut weighted = [0.0_f64; LANES];
        let mut gross = [0.0_f64; LANES];
        let mut discount = [0.0_f64; LANES];
        for (i, (((ta, tb), tc), td)) in a.iter().zip(b).zip(c).zip(d).enumerate() {
            let anchor = i % ANCHOR == 0;
            for (lane, term) in [ta, tb, tc, td].into_iter().enumerate() {
                discount[lane] = if anchor {
                    (per_day * term.day).exp()
                } else {
                    next(discount[lane], term)
                };
                let value = term.amount * discount[lane];
                npv[lane] += value;
                weighted[lane] += term.day * value;
                if WITH_GROSS {
                    gross[lane] += value.abs();
                }
            }
        }
        // The few terms left over (fewer than four) run on one more chain.
        let mut last = 0.0;
        for (i, term) in tail.iter().enumerate() {
            last = if i == 0 {
                (per_day * term.day).exp()
            } else {
                next(last, term)
            };
            let value = term.amount * last;
            npv[0] += value;
            weighted[0] += term.day * value;
            gross[0] += value.abs();
        }
        let npv: f64 = npv.iter().sum();
        let weighted: f64 = weighted.iter().sum();
        let gross: f64 = gross.iter().sum();
        let slope = -weighted / (DAYS_PER_YEAR * (1.0 + rate));
        (npv.is_finite() && slope.is_finite() && slope != 0.0).then_some((npv, slope, gross))
    }

    /// XNPV rescaled by a positive factor so it cannot overflow, as a function of
    /// `x = ln(1 + r)`. Only its sign and zeros matter (for bracketing).
    fn balanced_npv(&self, x: f64) -> f64 {
        let centre = self.terms.last().map_or(0.0, |t| t.day) / 2.0;
        self.terms
            .iter()
            .map(|t| t.amount * (-(t.day - centre) / DAYS_PER_YEAR * x).exp())
            .sum()
    }

    /// Beyond pyxirr: look for sign changes of XNPV over `x = ln(1 + r)` from −27.6
    /// (r ≈ −100%) to 9.2 (r ≈ 10,000%), solve the bracket nearest to 10% with Brent, then
    /// polish with exact Newton steps.
    fn scan_for_root(&self) -> Option<f64> {
        const LOW: f64 = -27.6;
        const HIGH: f64 = 9.2;
        const STEP: f64 = 0.05;
        let target = 0.1_f64.ln_1p();
        let mut best: Option<(f64, f64, f64)> = None; // (distance, low, high)
        let mut previous: Option<(f64, f64)> = None;
        let steps = ((HIGH - LOW) / STEP).ceil() as usize;
        for i in 0..=steps {
            let x = LOW + STEP * i as f64;
            let value = self.balanced_npv(x);
            if !value.is_finite() {
                previous = None;
                continue;
            }
            if let Some((px, pv)) = previous {
                if (pv < 0.0) != (value < 0.0) || value == 0.0 {
                    let distance = ((px + x) / 2.0 - target).abs();
                    if best.is_none_or(|(d, _, _)| distance < d) {
                        best = Some((distance, px, x));
                    }
                }
            }
            previous = Some((x, value));
        }
        let (_, low, high) = best?;
        let x = brent(|x| self.balanced_npv(x), low, high, 200)?;
        let mut rate = x.exp_m1();
        for _ in 0..8 {
            let (npv, slope, _) = self.exact(rate);
            let next = rate - npv / slope;
            if !(next.is_finite() && next > -1.0) {
                break;
            }
            let converged = (next - rate).abs() <= 1e-15 * (1.0 + rate.abs());
            rate = next;
            if converged {
                break;
            }
        }
        self.accept(rate).or_else(|| self.accept(x.exp_m1()))
    }
}

/// Sums of the positive and of the negative amounts (−0.0 counts as negative, as in pyxirr).
/// Four partial sums per side, branch-free, so the additions do not wait on each other.
fn gross_sums(flows: &[CashFlow]) -> (f64, f64) {
    let mut inflows = [0.0_f64; 4];
    let mut outflows = [0.0_f64; 4];
    let mut chunks = flows.chunks_exact(4);
    for chunk in &mut chunks {
        for (lane, flow) in chunk.iter().enumerate() {
            let negative = flow.amount.is_sign_negative();
            outflows[lane] += if negative { flow.amount } else { 0.0 };
            inflows[lane] += if negative { 0.0 } else { flow.amount };
        }
    }
    for flow in chunks.remainder() {
        let negative = flow.amount.is_sign_negative();
        outflows[0] += if negative { flow.amount } else { 0.0 };
        inflows[0] += if negative { 0.0 } else { flow.amount };
    }
    (inflows.iter().sum(), outflows.iter().sum())
}

/// pyxirr's closed form for two flows: `(−a₁/a₀)^(1/(t₁ − t₀)) − 1`.
fn two_flow_rate(first: Term, last: Term) -> Option<f64> {
    let years = (last.day - first.day) / DAYS_PER_YEAR;
    let rate = (-last.amount / first.amount).powf(1.0 / years) - 1.0;
    (rate.is_finite() && rate > -1.0).then_some(rate)
}

/// Brent's method (inverse quadratic interpolation with bisection safeguard) on `[a, b]`,
/// after scipy's `brentq` as pyxirr ports it — including its handling of a non-finite value
/// at an end of the bracket (an overflowing XNPV near −100% over a long horizon), which it
/// treats as "of the other sign" and bisects away from. `None` when `f(a)` and `f(b)` have the
/// same sign or it does not converge; the caller checks the value at the returned point.
fn brent(f: impl Fn(f64) -> f64, a: f64, b: f64, iterations: usize) -> Option<f64> {
    const X_TOLERANCE: f64 = 2e-14;
    const R_TOLERANCE: f64 = 4.0 * f64::EPSILON;

    let (mut previous, mut current) = (a, b);
    let (mut f_previous, mut f_current) = (f(previous), f(current));
    if f_previous.signum() == f_current.signum() {
        return None;
    }
    if f_previous == 0.0 {
        return Some(previous);
    }
    if f_current == 0.0 {
        return Some(current);
    }
    let (mut block, mut f_block) = (0.0_f64, 0.0_f64);
    let (mut step_previous, mut step_current) = (0.0_f64, 0.0_f64);
    for _ in 0..iterations {
        if f_previous != 0.0 && f_current != 0.0 && f_previous.signum() != f_current.signum() {
            block = previous;
            f_block = f_previous;
            step_previous = current - previous;
            step_current = step_previous;
        }
        if f_block.abs() < f_current.abs() {
            previous = current;
            current = block;
            block = previous;
            f_previous = f_current;
            f_current = f_block;
            f_block = f_previous;
        }
        let tolerance = (X_TOLERANCE + R_TOLERANCE * current.abs()) / 2.0;
        let bisect = (block - current) / 2.0;
        if f_current == 0.0 || bisect.abs() < tolerance {
            return current.is_finite().then_some(current);
        }
        if step_previous.abs() > tolerance && f_current.abs() < f_previous.abs() {
            let trial = if previous == block {
                -f_current * (current - previous) / (f_current - f_previous)
            } else {
                let d_previous = (f_previous - f_current) / (previous - current);
                let d_block = (f_block - f_current) / (block - current);
                -f_current * (f_block * d_block - f_previous * d_previous)
                    / (d_block * d_previous * (f_block - f_previous))
            };
            if 2.0 * trial.abs() < step_previous.abs().min(3.0 * bisect.abs() - tolerance) {
                step_previous = step_current;
                step_current = trial;
            } else {
                step_previous = bisect;
                step_current = bisect;
            }
        } else {
            step_previous = bisect;
            step_current = bisect;
        }
        previous = current;
        f_previous = f_current;
        current += if step_current.abs() > tolerance {
            step_current
        } else if bisect > 0.0 {
            tolerance
        } else {
            -tolerance
        };
        f_current = f(current);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn flow(y: i32, m: u32, d: u32, amount: f64) -> CashFlow {
        CashFlow::new(date(y, m, d), amount)
    }

    #[test]
    fn one_year_ten_percent() {
        let rate = xirr(&[flow(2021, 1, 1, -100.0), flow(2022, 1, 1, 110.0)]).expect("root");
        assert!((rate - 0.10).abs() < 1e-12, "{rate}");
    }

    #[test]
    fn excel_documentation_example() {
        // Microsoft's XIRR help page example; Excel prints 0.373362535 (it stops at 1e-8).
        let flows = [
            flow(2008, 1, 1, -10000.0),
            flow(2008, 3, 1, 2750.0),
            flow(2008, 10, 30, 4250.0),
            flow(2009, 2, 15, 3250.0),
            flow(2009, 4, 1, 2750.0),
        ];
        let rate = xirr(&flows).expect("root");
        assert!((rate - 0.373_362_535).abs() < 1e-8, "{rate}");
        assert!(xnpv(rate, &flows).expect("npv").abs() < 1e-6);
    }

    #[test]
    fn undefined_without_both_signs() {
        assert_eq!(xirr(&[]), Err(XirrError::NoSignChange));
        assert_eq!(
            xirr(&[flow(2021, 1, 1, -5.0)]),
            Err(XirrError::NoSignChange)
        );
        assert_eq!(
            xirr(&[
                flow(2021, 1, 1, -5.0),
                flow(2021, 1, 1, 5.0),
                flow(2022, 1, 1, 1.0)
            ]),
            Err(XirrError::NoSignChange)
        );
        assert_eq!(
            xirr(&[flow(2021, 1, 1, f64::NAN)]),
            Err(XirrError::NonFiniteAmount)
        );
    }

    #[test]
    fn xnpv_domain() {
        let flows = [flow(2021, 1, 1, -100.0), flow(2022, 1, 1, 110.0)];
        assert_eq!(xnpv(-1.0, &flows), Err(XirrError::RateOutOfDomain(-1.0)));
        assert!(xnpv(0.0, &flows).expect("npv") - 10.0 < 1e-12);
        assert_eq!(xnpv(0.05, &[]), Ok(0.0));
    }

    #[test]
    fn fast_and_exact_evaluations_agree() {
        let mut flows = Vec::new();
        let mut day = date(2000, 1, 1);
        for i in 0..5000 {
            let amount = if i % 7 == 0 {
                3000.0 + i as f64
            } else {
                -1000.0 - (i % 13) as f64
            };
            flows.push(CashFlow::new(day, amount));
            day = day + chrono::Days::new(1 + (i % 90) as u64);
        }
        let prepared = PreparedFlows::new(&flows).expect("prepared");
        for rate in [-0.5, -0.05, 0.0, 0.1, 0.7] {
            let (exact, exact_slope, gross) = prepared.exact(rate);
            let far = prepared.fast::<FAR_ANCHOR, true>(rate).expect("finite");
            let near = prepared.fast::<NEAR_ANCHOR, true>(rate).expect("finite");
            for (fast, fast_slope, _) in [far, near] {
                assert!(
                    (fast - exact).abs() <= 1e-13 * gross,
                    "{rate}: {fast} vs {exact}"
                );
                assert!((fast_slope - exact_slope).abs() <= 1e-12 * exact_slope.abs());
            }
        }
    }

    #[test]
    fn hard_cases_converge() {
        // Loss close to −100% with several flows.
        let flows = [
            flow(2020, 1, 1, -1000.0),
            flow(2020, 6, 1, -500.0),
            flow(2023, 1, 1, 0.5),
        ];
        let rate = xirr(&flows).expect("root");
        assert!(rate > -1.0 && rate < -0.85, "{rate}");
        assert!(xnpv(rate, &flows).expect("npv").abs() < 1e-6);
        // Several hundred percent in a few months.
        let flows = [
            flow(2020, 1, 1, -100.0),
            flow(2020, 2, 1, -100.0),
            flow(2020, 5, 1, 900.0),
        ];
        let rate = xirr(&flows).expect("root");
        assert!(rate > 10.0, "{rate}");
        assert!(xnpv(rate, &flows).expect("npv").abs() < 1e-6);
    }

    #[test]
    fn brent_finds_a_simple_root() {
        let root = brent(|x| x * x - 2.0, 0.0, 2.0, 100).expect("root");
        assert!((root - 2.0_f64.sqrt()).abs() < 1e-13);
        assert_eq!(brent(|x| x * x + 1.0, -1.0, 1.0, 100), None);
    }
}
