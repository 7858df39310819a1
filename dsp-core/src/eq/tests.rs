// Index loops read closer to the maths in these tests.
#![allow(clippy::needless_range_loop)]

use super::*;
use crate::test_util::{dtft_db, log_freqs, max_step, noise, with_and_without_ftz};
use std::f64::consts::PI;

mod accuracy;
mod behaviour;

const FS: f32 = 48_000.0;

/// A band of `band_type` at `freq_hz`, on.
fn band(band_type: BandType, freq_hz: f32, gain_db: f32, q: f32) -> BandSettings {
    BandSettings {
        enabled: true,
        band_type,
        freq_hz,
        gain_db,
        q,
        ..BandSettings::default()
    }
}

/// Settings with `bands` in the first slots.
fn with_bands(bands: &[BandSettings]) -> EqSettings {
    let mut s = EqSettings::default();
    s.bands[..bands.len()].copy_from_slice(bands);
    s
}

/// `len` samples of a sine of `amp` at `freq` Hz, from sample index `start` (phase 0 at 0).
fn sine(sr: f32, freq: f64, amp: f32, start: i64, len: usize) -> Vec<f32> {
    (0..len)
        .map(|i| {
            let k = (start + i as i64) as f64;
            amp * (2.0 * PI * freq * k / f64::from(sr)).sin() as f32
        })
        .collect()
}

/// A prepared EQ at `sr` with `s` applied (jumped to).
fn eq_at(sr: f32, s: &EqSettings) -> Eq {
    let mut eq = Eq::new();
    eq.prepare(sr, 1024, 2);
    eq.set_settings(s);
    eq
}

/// Processes in blocks of `block` samples.
fn run(eq: &mut Eq, l: &[f32], r: &[f32], block: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (l.to_vec(), r.to_vec());
    for (cl, cr) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
        eq.process_stereo(cl, cr);
    }
    (l, r)
}

/// `|N(jΩ)|²/|D(jΩ)|²` of `(n0 + n1 s + n2 s²)/(d0 + d1 s + d2 s²)`.
fn biquad_mag2(n: [f64; 3], d: [f64; 3], w: f64) -> f64 {
    let (nr, ni) = (n[0] - n[2] * w * w, n[1] * w);
    let (dr, di) = (d[0] - d[2] * w * w, d[1] * w);
    (nr * nr + ni * ni) / (dr * dr + di * di)
}

/// The analog prototype of a band, written out here from the RBJ cookbook's analog forms
/// and Butterworth's `|H|² = 1/(1 + Ω^2n)` (not through the design code), in dB.
fn prototype_db(b: &BandSettings, freq_hz: f64) -> f64 {
    let w = freq_hz / f64::from(b.freq_hz);
    let q = f64::from(b.q);
    let a = 10f64.powf(f64::from(b.gain_db) / 40.0);
    let sa = a.sqrt();
    let mag2 = match b.band_type {
        BandType::Bell => biquad_mag2([1.0, a / q, 1.0], [1.0, 1.0 / (a * q), 1.0], w),
        BandType::LowShelf => a * a * biquad_mag2([a, sa / q, 1.0], [1.0, sa / q, a], w),
        BandType::HighShelf => a * a * biquad_mag2([1.0, sa / q, a], [a, sa / q, 1.0], w),
        BandType::Tilt => biquad_mag2([1.0, sa / q, a], [a, sa / q, 1.0], w),
        BandType::Notch => biquad_mag2([1.0, 0.0, 1.0], [1.0, 1.0 / q, 1.0], w),
        BandType::BandPass => biquad_mag2([0.0, 1.0 / q, 0.0], [1.0, 1.0 / q, 1.0], w),
        BandType::AllPass => 1.0,
        BandType::LowCut | BandType::HighCut => {
            // Butterworth of order n from its poles s_k = e^{jπ(2k+n−1)/(2n)} (each
            // conjugate pair a section of Q = 1/(2|Re s_k|), a real pole first order), the
            // broadest pair (lowest Q) with its Q scaled by q/√½ (the resonance, as the
            // README defines it); a high pass is the low pass at 1/Ω.
            let n = b.slope.order();
            let x = if b.band_type == BandType::LowCut {
                1.0 / w
            } else {
                w
            };
            let mut pair_qs: Vec<f64> = (1..=n)
                .map(|k| PI * (2 * k + n - 1) as f64 / (2 * n) as f64)
                .filter(|angle| angle.sin() > 1e-9)
                .map(|angle| 1.0 / (2.0 * angle.cos().abs()))
                .collect();
            pair_qs.sort_by(f64::total_cmp);
            if let Some(broadest) = pair_qs.first_mut() {
                *broadest *= q / std::f64::consts::FRAC_1_SQRT_2;
            }
            let mut m = if n % 2 == 1 { 1.0 / (1.0 + x * x) } else { 1.0 };
            for qk in pair_qs {
                m *= biquad_mag2([1.0, 0.0, 0.0], [1.0, 1.0 / qk, 1.0], x);
            }
            m
        }
    };
    10.0 * mag2.max(1e-300).log10()
}
