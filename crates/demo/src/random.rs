//! Seeded randomness. Every part of the data set draws from its own ChaCha8 stream, derived
//! from the seed, a purpose and an index, so that changing how many rows one part produces
//! never shifts the numbers of another (and a portfolio's history does not depend on how many
//! portfolios came before it).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What a stream is for; part of its derivation.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Purpose {
    Market = 1,
    Securities = 2,
    Staff = 3,
    Clients = 4,
    Portfolios = 5,
    Trading = 6,
    Contacts = 7,
    Activities = 8,
    Selection = 9,
}

/// The stream for `purpose` and `index` under `seed`.
pub(crate) fn stream(seed: u64, purpose: Purpose, index: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    let mut state = seed ^ (purpose as u64).wrapping_mul(0xA076_1D64_78BD_642F);
    for chunk in key.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(index);
    rng
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A standard normal draw (Box–Muller; one of the pair is enough here).
pub(crate) fn normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]: ln is finite
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Index drawn with probability proportional to `weights` (all ≥ 0, not all 0).
pub(crate) fn weighted(rng: &mut impl Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len().saturating_sub(1)
}

/// One element of a non-empty slice.
pub(crate) fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A waiting time with the given mean (exponential), at least 1.
pub(crate) fn gap(rng: &mut impl Rng, mean: f64) -> usize {
    let u: f64 = 1.0 - rng.random::<f64>();
    ((-u.ln() * mean).round() as usize).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: u64 = stream(7, Purpose::Trading, 3).random();
        let b: u64 = stream(7, Purpose::Trading, 3).random();
        let c: u64 = stream(7, Purpose::Trading, 4).random();
        let d: u64 = stream(7, Purpose::Clients, 3).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn normal_has_unit_variance() {
        let mut rng = stream(1, Purpose::Market, 0);
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }
}
