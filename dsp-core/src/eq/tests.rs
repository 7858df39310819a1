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
            let n = b.slope.order() as i32;
            let hp = b.band_type == BandType::LowCut;
            let resonant = (q - std::f64::consts::FRAC_1_SQRT_2).abs() > 1e-6;
            if n == 2 && resonant {
                if hp {
                    biquad_mag2([0.0, 0.0, 1.0], [1.0, 1.0 / q, 1.0], w)
                } else {
                    biquad_mag2([1.0, 0.0, 0.0], [1.0, 1.0 / q, 1.0], w)
                }
            } else {
                assert!(!resonant || n == 1, "test prototype: Butterworth only");
                let p = w.powi(2 * n);
                if hp {
                    p / (1.0 + p)
                } else {
                    1.0 / (1.0 + p)
                }
            }
        }
    };
    10.0 * mag2.max(1e-300).log10()
}

#[test]
fn zz_diag_sections() {
    for (sr, f0, hp, slope) in [
        (44_100.0f32, 3000.0f32, false, CutSlope::Db96),
        (48_000.0, 8000.0, true, CutSlope::Db96),
        (96_000.0, 14000.0, true, CutSlope::Db96),
        (44_100.0, 1000.0, true, CutSlope::Db96),
    ] {
        let b = BandSettings {
            slope,
            ..band(if hp { BandType::LowCut } else { BandType::HighCut }, f0, 0.0, 0.7071068)
        }
        .sanitized(sr);
        let d = design::design_band(&b, sr);
        let (qs, pairs, _) = design::butterworth_qs(slope.order());
        println!("sr {sr} f0 {f0} hp {hp}");
        for k in 0..d.len {
            let q = qs[k];
            let mut worst = (0.0f64, 0.0f64, 0.0f64);
            for f in log_freqs(10.0, 0.45 * f64::from(sr), 400) {
                let w = f / f64::from(f0);
                let m = if hp { biquad_mag2([0.0, 0.0, 1.0], [1.0, 1.0 / q, 1.0], w) } else { biquad_mag2([1.0, 0.0, 0.0], [1.0, 1.0 / q, 1.0], w) };
                let p = 10.0 * m.log10();
                if p < -30.0 { continue; }
                let c = d.sections[k].magnitude_db(f64::from(sr), f);
                if (c - p).abs() > worst.0.abs() { worst = (c - p, f, p); }
            }
            println!("  sec {k} q {q:.3}: {:.4} dB at {:.0} Hz (proto {:.2}) a {:?}", worst.0, worst.1, worst.2, d.sections[k].a);
        }
        let _ = pairs;
        for f in [600.0, 700.0, 802.0, 900.0, 1000.0, 1100.0, 1500.0] {
            let f = f * f64::from(f0) / 1000.0;
            let c = d.magnitude_db(f64::from(sr), f);
            let p = prototype_db(&b, f);
            let psum: f64 = (0..d.len).map(|k| { let q = qs[k]; let w = f / f64::from(f0); 10.0 * (if hp { biquad_mag2([0.0, 0.0, 1.0], [1.0, 1.0 / q, 1.0], w) } else { biquad_mag2([1.0, 0.0, 0.0], [1.0, 1.0 / q, 1.0], w) }).log10() }).sum();
            println!("   f {f:.0}: curve {c:.4} proto {p:.4} sections-proto {psum:.4}");
        }
    }
}
