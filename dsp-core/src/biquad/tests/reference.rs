//! Biquad tests against an independent reference: the analog transfer functions of the
//! RBJ "Audio EQ Cookbook" (R. Bristow-Johnson), written out here in complex arithmetic
//! rather than taken from `design::prototype`, plus the textbook properties each type's
//! parameters define (bell: G at f0, G/2 at the band edges its Q defines; shelves: G/2
//! at f0, G at the far end; tilt: 0 dB at f0, ±G/2 at the ends; band-pass: unity at f0,
//! −3 dB at `f0·Ω±`; notch: −3 dB at `f0·Ω±`; all-pass: −180° at f0, group delay
//! `2Q/(π·f0)`), with `Ω± = √(1 + 1/(4Q²)) ± 1/(2Q)` (so `Ω+ − Ω− = 1/Q`).

use super::*;
use crate::test_util::dtft;
use std::f64::consts::PI;

/// A complex number as `(re, im)`.
type C = (f64, f64);

fn mul(a: C, b: C) -> C {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

fn div(a: C, b: C) -> C {
    let d = b.0 * b.0 + b.1 * b.1;
    ((a.0 * b.0 + a.1 * b.1) / d, (a.1 * b.0 - a.0 * b.1) / d)
}

/// `c2·s² + c1·s + c0` at `s = jΩ`.
fn quad(c2: f64, c1: f64, c0: f64, omega: f64) -> C {
    (c0 - c2 * omega * omega, c1 * omega)
}

/// The cookbook's analog `H(jΩ)`, `Ω = f/f0`, `A = 10^(G/40)`:
/// bell `(s² + s·A/Q + 1)/(s² + s/(A·Q) + 1)`; low shelf
/// `A·(s² + (√A/Q)s + A)/(A·s² + (√A/Q)s + 1)`; high shelf
/// `A·(A·s² + (√A/Q)s + 1)/(s² + (√A/Q)s + A)`; tilt = high shelf / A; LP `1/D`,
/// HP `s²/D`, BP (0 dB peak) `(s/Q)/D`, notch `(s² + 1)/D`, all-pass `(s² − s/Q + 1)/D`
/// with `D = s² + s/Q + 1`.
fn cookbook(p: &FilterParams, freq_hz: f64) -> C {
    let w = freq_hz / f64::from(p.freq_hz);
    let q = f64::from(p.q);
    let a = 10.0_f64.powf(f64::from(p.gain_db) / 40.0);
    let sa = a.sqrt();
    let d = quad(1.0, 1.0 / q, 1.0, w);
    let high_shelf = || {
        mul(
            (a, 0.0),
            div(quad(a, sa / q, 1.0, w), quad(1.0, sa / q, a, w)),
        )
    };
    match p.filter_type {
        FilterType::Bell => div(quad(1.0, a / q, 1.0, w), quad(1.0, 1.0 / (a * q), 1.0, w)),
        FilterType::LowShelf => mul(
            (a, 0.0),
            div(quad(1.0, sa / q, a, w), quad(a, sa / q, 1.0, w)),
        ),
        FilterType::HighShelf => high_shelf(),
        FilterType::Tilt => div(high_shelf(), (a, 0.0)),
        FilterType::LowPass => div((1.0, 0.0), d),
        FilterType::HighPass => div(quad(1.0, 0.0, 0.0, w), d),
        FilterType::BandPass => div(quad(0.0, 1.0 / q, 0.0, w), d),
        FilterType::Notch => div(quad(1.0, 0.0, 1.0, w), d),
        FilterType::AllPass => div(quad(1.0, -1.0 / q, 1.0, w), d),
    }
}

/// `20·log10|H|` of [`cookbook`].
pub(super) fn cookbook_db(p: &FilterParams, freq_hz: f64) -> f64 {
    let (re, im) = cookbook(p, freq_hz);
    10.0 * (re * re + im * im).max(1e-300).log10()
}

/// `Ω±` for a Q (as the filter sees it, rounded to `f32`): the band edges where
/// `|Ω − 1/Ω| = 1/Q`.
fn edges(q: f64) -> (f64, f64) {
    let h = 0.5 / f64::from(q as f32);
    ((1.0 + h * h).sqrt() - h, (1.0 + h * h).sqrt() + h)
}

/// Impulse response of the processing structure, 2¹⁶ samples: decayed below −140 dB
/// for Q ≤ 8 at f0 ≥ 40 Hz and 48 kHz (time constant `2Q/ω0` ≤ 3100 samples).
fn measured(c: &BiquadCoefs) -> Vec<f32> {
    let mut s = BiquadState::default();
    (0..1 << 16)
        .map(|i| s.tick(c, if i == 0 { 1.0 } else { 0.0 }))
        .collect()
}

fn measured_db(ir: &[f32], f: f64, fs: f64) -> f64 {
    crate::test_util::dtft_db(ir, f, fs)
}

const DB_3: f64 = -3.010_299_956_639_812; // 10·log10(½)

#[test]
fn the_code_prototype_is_the_cookbook_prototype() {
    // `analog_magnitude_db` (the fit's target, from `design::prototype`) against the
    // written-out cookbook forms, every type, over Q, gain and frequency. A wrong shelf
    // midpoint, tilt scaling or Q convention in `prototype` shows up here as ≫ 1e-9 dB.
    let mut worst: f64 = 0.0;
    for filter_type in FilterType::ALL {
        for q in [0.1, 0.3, 0.707, 1.0, 2.5, 6.0, 40.0] {
            for gain_db in [-30.0, -18.0, -6.0, -1.0, 0.0, 3.0, 12.0, 30.0] {
                let p = FilterParams {
                    filter_type,
                    freq_hz: 1000.0,
                    q,
                    gain_db,
                };
                for f in log_freqs(1.0, 1e6, 200) {
                    let (want, got) = (cookbook_db(&p, f), analog_magnitude_db(&p, f));
                    if want < -200.0 {
                        continue;
                    }
                    worst = worst.max((got - want).abs());
                    assert!((got - want).abs() < 1e-9, "{p:?} {f}: {got} vs {want}");
                }
            }
        }
    }
    eprintln!("analog_magnitude_db vs cookbook: worst {worst:.1e} dB");
}

#[test]
fn the_cookbook_reference_has_the_defining_properties() {
    // The reference itself, checked against the textbook definitions of f0, G and Q
    // (so the comparisons below are against the right curves).
    for q in [0.3_f32, 0.707, 2.0, 6.0] {
        let q = f64::from(q);
        let (lo, hi) = edges(q);
        let f0 = 1000.0;
        for gain_db in [-18.0, -6.0, 9.0] {
            let g = f64::from(gain_db);
            let p = |filter_type| FilterParams {
                filter_type,
                freq_hz: f0 as f32,
                q: q as f32,
                gain_db,
            };
            let db = |t, f| cookbook_db(&p(t), f);
            let near = |a: f64, b: f64| (a - b).abs() < 1e-9;
            // Bell: G at f0, G/2 at the edges f0·Ω± (the cookbook's bandwidth), 0 dB far off.
            assert!(near(db(FilterType::Bell, f0), g));
            assert!(near(db(FilterType::Bell, f0 * lo), g / 2.0));
            assert!(near(db(FilterType::Bell, f0 * hi), g / 2.0));
            assert!(db(FilterType::Bell, f0 * 1e-4).abs() < 1e-4);
            // Shelves: G/2 at f0, G at the far end, 0 dB at the near end.
            assert!(near(db(FilterType::LowShelf, f0), g / 2.0));
            assert!((db(FilterType::LowShelf, f0 * 1e-4) - g).abs() < 1e-4);
            assert!(db(FilterType::LowShelf, f0 * 1e4).abs() < 1e-4);
            assert!(near(db(FilterType::HighShelf, f0), g / 2.0));
            assert!((db(FilterType::HighShelf, f0 * 1e4) - g).abs() < 1e-4);
            assert!(db(FilterType::HighShelf, f0 * 1e-4).abs() < 1e-4);
            // Tilt: 0 dB at f0, −G/2 at DC, +G/2 at HF.
            assert!(near(db(FilterType::Tilt, f0), 0.0));
            assert!((db(FilterType::Tilt, f0 * 1e-4) + g / 2.0).abs() < 1e-4);
            assert!((db(FilterType::Tilt, f0 * 1e4) - g / 2.0).abs() < 1e-4);
        }
        let p = |filter_type| FilterParams {
            filter_type,
            freq_hz: 1000.0,
            q: q as f32,
            gain_db: 0.0,
        };
        let db = |t, f| cookbook_db(&p(t), f);
        let near = |a: f64, b: f64| (a - b).abs() < 1e-9;
        // LP/HP: |H| = Q at f0. BP: unity at f0, −3 dB at the edges. Notch: −3 dB there.
        assert!(near(db(FilterType::LowPass, 1000.0), 20.0 * q.log10()));
        assert!(near(db(FilterType::HighPass, 1000.0), 20.0 * q.log10()));
        assert!(near(db(FilterType::BandPass, 1000.0), 0.0));
        for e in [lo, hi] {
            assert!(near(db(FilterType::BandPass, 1000.0 * e), DB_3));
            assert!(near(db(FilterType::Notch, 1000.0 * e), DB_3));
        }
        // All-pass: unity everywhere, −180° at f0.
        let (re, im) = cookbook(&p(FilterType::AllPass), 1000.0);
        assert!(near(re, -1.0) && im.abs() < 1e-12);
    }
}

/// The measured digital response (DTFT of the processing structure's impulse response)
/// at the defining points, against the cookbook values: bells G and G/2, shelves G/2 at
/// f0 and G at the far end, tilt 0 and ±G/2, band-pass 0 dB and −3 dB edges, notch
/// −3 dB edges. `f0` up to 5 kHz at 44.1 and 48 kHz, Q 0.5..2; tolerance: the accuracy
/// figure of the header for that type (bells 0.20 dB, shelves/tilt 0.491 dB, LP/HP/BP
/// 0.5 dB, used for the notch too).
#[test]
fn measured_response_has_the_defining_properties() {
    let mut worst = [0.0_f64; 3];
    for fs in [44_100.0_f32, 48_000.0] {
        for f0 in [40.0_f64, 300.0, 1000.0, 5000.0] {
            for q in [0.5_f64, 0.707, 2.0] {
                let (lo, hi) = edges(q);
                for gain_db in [-12.0_f32, 6.0, 18.0] {
                    let g = f64::from(gain_db);
                    // (type, frequency, expected dB, tolerance slot)
                    let checks = [
                        (FilterType::Bell, f0, g, 0),
                        (FilterType::Bell, f0 * lo, g / 2.0, 0),
                        (FilterType::Bell, f0 * hi, g / 2.0, 0),
                        (FilterType::LowShelf, f0, g / 2.0, 1),
                        (FilterType::LowShelf, f0 / 200.0, g, 1),
                        (FilterType::HighShelf, f0, g / 2.0, 1),
                        (FilterType::Tilt, f0, 0.0, 1),
                        (FilterType::Tilt, f0 / 200.0, -g / 2.0, 1),
                        (FilterType::BandPass, f0, 0.0, 2),
                        (FilterType::BandPass, f0 * lo, DB_3, 2),
                        (FilterType::BandPass, f0 * hi, DB_3, 2),
                        (FilterType::Notch, f0 * lo, DB_3, 2),
                        (FilterType::Notch, f0 * hi, DB_3, 2),
                    ];
                    for (filter_type, f, want, slot) in checks {
                        let p = FilterParams {
                            filter_type,
                            freq_hz: f0 as f32,
                            q: q as f32,
                            gain_db,
                        };
                        let c = BiquadCoefs::design(fs, &p);
                        let ir = measured(&c);
                        let got = measured_db(&ir, f, f64::from(fs));
                        let err = (got - want).abs();
                        worst[slot] = worst[slot].max(err);
                        let tol = [0.20, 0.491, 0.5][slot];
                        assert!(err <= tol, "{p:?} at {f:.1} Hz: {got} vs {want}");
                        // And the code's prototype agrees at the same point (the far
                        // ends, at f0/200, are within 1e-3 dB of G resp. ±G/2).
                        let proto = c.analog_magnitude_db(f);
                        assert!((proto - want).abs() < 1e-3, "{p:?} {f}: {proto}");
                    }
                }
            }
        }
    }
    eprintln!("defining points, measured vs cookbook (bell, shelf/tilt, BP/notch): {worst:.3?} dB");
}

/// Phase of the measured response at `f` and group delay (samples) by a central
/// difference of the phase over `f·(1 ± 1e-4)`.
fn phase_and_group_delay(ir: &[f32], f: f64, fs: f64) -> (f64, f64) {
    let (re, im) = dtft(ir, f, fs);
    let df = 1e-4 * f;
    let (r1, i1) = dtft(ir, f + df, fs);
    let (r0, i0) = dtft(ir, f - df, fs);
    // arg(H(f+)·conj(H(f−))): the phase step, free of wrapping.
    let step = (i1 * r0 - r1 * i0).atan2(r1 * r0 + i1 * i0);
    (im.atan2(re), -step / (2.0 * PI * 2.0 * df / fs))
}

#[test]
fn allpass_phase_and_group_delay_follow_the_prototype() {
    // The analog all-pass `(s² − s/Q + 1)/(s² + s/Q + 1)` has phase −2·atan2(Ω/Q, 1 − Ω²):
    // −180° at f0 and group delay `dφ/dω = 4Q/ω0 = 2Q/(π·f0)` s there. (|H| = 1 holds
    // for any mirrored coefficients, so only the phase can be wrong.)
    let fs = 48_000.0_f64;
    let mut worst = (0.0_f64, 0.0_f64);
    for f0 in [50.0, 300.0, 1000.0, 3000.0, 6000.0] {
        for q in [0.3, 0.8, 2.0, 6.0] {
            let p = FilterParams {
                filter_type: FilterType::AllPass,
                freq_hz: f0 as f32,
                q: q as f32,
                gain_db: 0.0,
            };
            let c = BiquadCoefs::design(fs as f32, &p);
            let ir = measured(&c);
            let (phase, gd) = phase_and_group_delay(&ir, f0, fs);
            let want_gd = 2.0 * q * fs / (PI * f0);
            // Distance from ±180° in degrees.
            let phase_err = 180.0 - phase.abs().to_degrees();
            let gd_err = (gd / want_gd - 1.0).abs();
            // The header's figures: the impulse-invariant poles err as (f0/fs)².
            let (max_deg, max_gd) = match fs / f0 {
                r if r >= 48.0 => (0.6, 0.01),
                r if r >= 16.0 => (5.0, 0.075),
                _ => (19.0, 0.28),
            };
            assert!(
                phase_err.abs() <= max_deg && gd_err <= max_gd,
                "{p:?}: {phase_err}° from −180°, group delay {gd} vs {want_gd}"
            );
            worst = (worst.0.max(phase_err.abs()), worst.1.max(gd_err));
        }
    }
    eprintln!(
        "all-pass worst: {:.4}° from −180° at f0, group delay {:.2e} relative",
        worst.0, worst.1
    );
}

#[test]
fn notch_depth_dc_and_bandwidth_follow_the_prototype() {
    // Zeros exactly at f0 (deeper than −100 dB), 0 dB at DC, and the −3 dB edges where
    // the prototype puts them, `f0·Ω±` (bandwidth f0/Q): measured by bisection on the
    // DTFT of the processed impulse response.
    let fs = 48_000.0_f64;
    let mut worst: f64 = 0.0;
    for f0 in [50.0, 300.0, 1000.0, 3000.0, 6000.0, 15_000.0] {
        for q in [0.5, 0.707, 2.0, 8.0] {
            let p = FilterParams {
                filter_type: FilterType::Notch,
                freq_hz: f0 as f32,
                q: q as f32,
                gain_db: 0.0,
            };
            let c = BiquadCoefs::design(fs as f32, &p);
            let ir = measured(&c);
            let depth = measured_db(&ir, f0, fs);
            assert!(depth < -100.0, "{p:?}: {depth} dB");
            let dc = measured_db(&ir, 0.0, fs);
            assert!(dc.abs() < 1e-4, "{p:?}: {dc} dB");
            let (lo, hi) = edges(q);
            // Bisection for the −3 dB point between f0 and a frequency beyond the edge.
            let edge = |mut a: f64, mut b: f64| {
                for _ in 0..32 {
                    let m = 0.5 * (a + b);
                    if (measured_db(&ir, m, fs) > DB_3) == (measured_db(&ir, a, fs) > DB_3) {
                        a = m;
                    } else {
                        b = m;
                    }
                }
                0.5 * (a + b)
            };
            let got_lo = edge(f0, f0 * lo * lo);
            let got_hi = edge(f0, (f0 * hi * hi).min(0.4999 * fs));
            let bw_err = ((got_hi - got_lo) / (f0 * (hi - lo)) - 1.0).abs();
            // The header's figures (Q ≥ 0.5); near Nyquist the upper edge folds.
            let max_err = match fs / f0 {
                r if r >= 48.0 => 1e-4,
                r if r >= 16.0 => 3e-3,
                r if r >= 8.0 => 0.05,
                _ => continue,
            };
            assert!(
                bw_err <= max_err,
                "{p:?}: edges {got_lo} {got_hi} vs {} {}",
                f0 * lo,
                f0 * hi
            );
            worst = worst.max(bw_err);
        }
    }
    eprintln!("notch worst bandwidth error (f0 ≤ fs/8) {worst:.2e}");
}
