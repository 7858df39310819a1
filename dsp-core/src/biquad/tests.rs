use super::*;
use crate::test_util::{dtft_db, log_freqs, max_rel_diff, noise, RefSvf};
use std::f64::consts::PI;

/// Worst |digital − analog| dB over 10 Hz..0.9·Nyquist (240 log-spaced points) at
/// 44.1 kHz over a grid of types, centre frequencies, Qs and gains, the analog curve
/// being the written-out cookbook prototype ([`reference::cookbook_db`], not the code's
/// own `analog_magnitude_db`); also, between 0.9·Nyquist and Nyquist, the largest
/// |digital − analog| at the same frequency and the largest excess of the digital
/// response over the prototype's maximum (its resonance may lie just above Nyquist,
/// hence the prototype is scanned up to 1.5×).
fn worst_deviation(
    types: &[FilterType],
    freqs: &[f64],
    qs: &[f32],
    gains_db: &[f32],
) -> (f64, FilterParams, f64, f64) {
    let fs = 44_100.0_f32;
    let eval = log_freqs(10.0, 0.9 * 0.5 * fs as f64, 240);
    let top = log_freqs(0.9 * 0.5 * fs as f64, 0.5 * fs as f64, 8);
    let beyond = log_freqs(0.5 * fs as f64, 0.75 * fs as f64, 16);
    let mut worst = (0.0, FilterParams::default());
    let (mut top_err, mut overshoot): (f64, f64) = (0.0, 0.0);
    for &filter_type in types {
        for &freq_hz in freqs {
            for &gain_db in gains_db {
                for &q in qs {
                    let p = FilterParams {
                        filter_type,
                        freq_hz: freq_hz as f32,
                        q,
                        gain_db,
                    };
                    let c = BiquadCoefs::design(fs, &p);
                    for &f in &eval {
                        let err = (c.magnitude_db(f) - reference::cookbook_db(&p, f)).abs();
                        if err > worst.0 {
                            worst = (err, p);
                        }
                    }
                    let analog_max = eval
                        .iter()
                        .chain(&top)
                        .chain(&beyond)
                        .map(|&f| reference::cookbook_db(&p, f))
                        .fold(f64::MIN, f64::max);
                    for &f in &top {
                        let digital = c.magnitude_db(f);
                        top_err = top_err.max((digital - reference::cookbook_db(&p, f)).abs());
                        overshoot = overshoot.max(digital - analog_max);
                    }
                }
            }
        }
    }
    (worst.0, worst.1, top_err, overshoot)
}

/// Gains of the accuracy grid: every 3 dB from −18 to +18, and ±1 dB.
const GRID_GAINS_DB: [f32; 14] = [
    -18.0, -15.0, -12.0, -9.0, -6.0, -3.0, -1.0, 1.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0,
];
const SHELVES: [FilterType; 3] = [
    FilterType::LowShelf,
    FilterType::HighShelf,
    FilterType::Tilt,
];

#[test]
fn bells_follow_the_analog_prototype_up_to_18_khz() {
    // The module header's figures: ≤ 0.20 dB up to 0.9·Nyquist at 44.1 kHz (bells Q
    // 0.3..6, f0 20 Hz..18 kHz, ±18 dB) against the written-out cookbook prototype.
    let qs = [0.3, 0.4, 0.5, 0.707, 1.0, 1.4, 2.0, 3.0, 4.0, 5.0, 6.0];
    let (bell, at, top, over) = worst_deviation(
        &[FilterType::Bell],
        &log_freqs(20.0, 18_000.0, 36),
        &qs,
        &GRID_GAINS_DB,
    );
    eprintln!("bell worst deviation (f0 <= 18 kHz, Q 0.3..6, ±18 dB): {bell:.3} dB at {at:?}");
    eprintln!(
        "bell above 0.9·Nyquist: {top:.3} dB from the prototype, excess over its max {over:.3} dB"
    );
    assert!(bell <= 0.20, "{bell} {at:?}");
    // Above 0.9·Nyquist (outside the fit) the curve may leave the prototype's (≈ 2.3 dB
    // at the same frequency) but never rises above its peak by more than 0.1 dB.
    assert!(top <= 2.3, "{top}");
    assert!(over <= 0.1, "{over}");
}

#[test]
fn shelves_follow_the_analog_prototype_up_to_18_khz() {
    // The module header's figures, up to 0.9·Nyquist at 44.1 kHz, f0 20 Hz..18 kHz:
    // shelves and tilt with Q 0.3..3 at ±18 dB ≤ 0.491 dB (above 0.9·Nyquist at most
    // 1.25 dB taller than the prototype's maximum); Q 3..4 at ±6 dB ≤ 0.40 dB; Q 4..6
    // at ±18 dB ≤ 1.2 dB.
    let freqs = log_freqs(20.0, 18_000.0, 36);
    let qs = [
        0.3, 0.4, 0.5, 0.6, 0.707, 0.85, 1.0, 1.2, 1.4, 1.7, 2.0, 2.5, 3.0,
    ];
    let (shelf, at, top, over) = worst_deviation(&SHELVES, &freqs, &qs, &GRID_GAINS_DB);
    eprintln!("shelf/tilt worst deviation (Q 0.3..3, ±18 dB): {shelf:.4} dB at {at:?}");
    eprintln!("shelf/tilt above 0.9·Nyquist (Q <= 3): {top:.3} dB from the prototype, excess over its max {over:.3} dB");
    assert!(shelf <= 0.491, "{shelf} {at:?}");
    assert!(over <= 1.25, "{over}");
    let (high_q, at, _, _) = worst_deviation(
        &SHELVES,
        &freqs,
        &[3.0, 3.5, 4.0],
        &[-6.0, -4.5, -3.0, -1.0, 1.0, 3.0, 4.5, 6.0],
    );
    eprintln!("shelf/tilt worst deviation (Q 3..4, ±6 dB): {high_q:.3} dB at {at:?}");
    assert!(high_q <= 0.40, "{high_q} {at:?}");
    // Beyond (Q 4 at ±18 dB, Q 6): the header's "≤ 1.2 dB".
    let (beyond, at, _, _) = worst_deviation(&SHELVES, &freqs, &[4.0, 6.0], &GRID_GAINS_DB);
    eprintln!("shelf/tilt worst deviation (Q 4..6, ±18 dB): {beyond:.3} dB at {at:?}");
    assert!(beyond <= 1.2, "{beyond} {at:?}");
}

#[test]
fn filters_without_gain_follow_the_prototype() {
    // LP/HP/BP, f0 ≤ fs/6, over the whole Q range (0.1..40) at 44.1..192 kHz: worst
    // |digital − cookbook| where the prototype is above −12 dB (the impulse-invariant
    // poles alias; towards Nyquist the fit degrades, the more so at low Q). The
    // header's figures: ≤ 0.5 dB for Q ≥ 0.5, 1.4 dB at Q 0.3, 2.25 dB below.
    for fs in [44_100.0_f32, 48_000.0, 96_000.0, 192_000.0] {
        for q in [
            0.1_f32, 0.2, 0.3, 0.5, 0.707, 1.0, 2.0, 4.0, 8.0, 16.0, 40.0,
        ] {
            let mut worst = (0.0_f64, FilterParams::default(), 0.0);
            for filter_type in [
                FilterType::LowPass,
                FilterType::HighPass,
                FilterType::BandPass,
            ] {
                for freq_hz in log_freqs(20.0, fs as f64 / 6.0, 20) {
                    let p = FilterParams {
                        filter_type,
                        freq_hz: freq_hz as f32,
                        q,
                        gain_db: 0.0,
                    };
                    let c = BiquadCoefs::design(fs, &p);
                    for f in log_freqs(10.0, 0.45 * fs as f64, 100) {
                        let a = reference::cookbook_db(&p, f);
                        if a < -12.0 {
                            continue;
                        }
                        let err = (c.magnitude_db(f) - a).abs();
                        if err > worst.0 {
                            worst = (err, p, f);
                        }
                    }
                }
            }
            let limit = match q {
                q if q >= 0.5 => 0.5,
                q if q >= 0.3 => 1.4,
                _ => 2.25,
            };
            assert!(worst.0 <= limit, "{fs} {q}: {worst:?}");
            if q == 0.5 || q == 0.707 || q == 0.1 {
                eprintln!(
                    "LP/HP/BP fs {fs} q {q}: {:.3} dB at {:?} {:.0} Hz",
                    worst.0, worst.1, worst.2
                );
            }
        }
    }
}

/// Impulse response of the processing structure.
fn impulse_response(c: &BiquadCoefs, len: usize) -> Vec<f32> {
    let mut s = BiquadState::default();
    (0..len)
        .map(|i| s.tick(c, if i == 0 { 1.0 } else { 0.0 }))
        .collect()
}

#[test]
fn measured_response_matches_magnitude_db() {
    let mut worst: f64 = 0.0;
    for fs in [44_100.0_f32, 96_000.0] {
        for filter_type in FilterType::ALL {
            for (freq_hz, q, gain_db) in [
                (30.0, 0.707, 12.0),
                (1000.0, 3.0, -9.0),
                (12_000.0, 0.5, 6.0),
                (200.0, 6.0, 18.0),
            ] {
                let p = FilterParams {
                    filter_type,
                    freq_hz,
                    q,
                    gain_db,
                };
                let c = BiquadCoefs::design(fs, &p);
                let ir = impulse_response(&c, 1 << 16);
                for f in log_freqs(20.0, 0.45 * fs as f64, 60) {
                    let expected = c.magnitude_db(f);
                    if expected < -60.0 {
                        continue;
                    }
                    let err = (dtft_db(&ir, f, fs as f64) - expected).abs();
                    worst = worst.max(err);
                    assert!(err < 0.1, "{p:?} {f}: {err}");
                }
            }
        }
    }
    eprintln!("worst measured-vs-designed deviation: {worst:.2e} dB");
}

fn sine_mix(len: usize, fs: f32) -> Vec<f32> {
    (0..len)
        .map(|i| {
            let t = i as f64 / fs as f64;
            (0.3 * (2.0 * std::f64::consts::PI * 1000.0 * t).sin()
                + 0.2 * (2.0 * std::f64::consts::PI * 5000.0 * t).sin()) as f32
        })
        .collect()
}

/// Amplitudes and frequencies of [`sine_mix`].
const SINE_MIX: [(f64, f64); 2] = [(0.3, 1000.0), (0.2, 5000.0)];

/// Largest per-sample step of the steady-state output of `c` driven by [`sine_mix`]:
/// each tone of amplitude `a` at `f` comes out as `a·|H(f)|·sin(ωn + φ)`, whose step
/// is at most `a·|H(f)|·2·sin(πf/fs)`; the sum bounds the mix.
fn static_step_bound(c: &BiquadCoefs, fs: f64) -> f64 {
    SINE_MIX
        .iter()
        .map(|&(a, f)| a * 10.0_f64.powf(c.magnitude_db(f) / 20.0) * 2.0 * (PI * f / fs).sin())
        .sum()
}

/// Steady-state peak of the output of `c` driven by [`sine_mix`]: `Σ a·|H(f)|`.
fn static_peak_bound(c: &BiquadCoefs) -> f64 {
    SINE_MIX
        .iter()
        .map(|&(a, f)| a * 10.0_f64.powf(c.magnitude_db(f) / 20.0))
        .sum()
}

/// Sub-blocks of filter memory the sweep test's click bound looks back over.
const SWEEP_LAG_BLOCKS: usize = 8;
/// Allowance over the static step for the sweep's own transient (measured worst 1.51).
const SWEEP_STEP_FACTOR: f64 = 1.6;

#[test]
fn every_type_survives_a_fast_sweep_without_clicks() {
    // A 20 Hz ↔ 20 kHz sweep in 100 ms with a redesign every 16 samples. Click
    // detector, per sample: the step must stay within `SWEEP_STEP_FACTOR` × the
    // analytic steady-state step of the static filter (`static_step_bound`) at the
    // frequencies of the current and the `SWEEP_LAG_BLOCKS` previous sub-blocks (the
    // filter's memory lags the sweep), + 1e-4. A single bound over the whole sweep
    // would only detect blow-ups (≈ 1.0 at +18 dB, where the local bound is mostly
    // far lower); the test also asserts that the local bound is that much tighter.
    let fs = 48_000.0_f32;
    let sweep_len = (0.1 * fs) as usize; // 20 Hz → 20 kHz in 100 ms
    let sub_block = 16;
    // The filter first settles at the start frequency (its switch-on transient is not
    // the sweep's), then sweeps; afterwards it holds the end frequency for 100 ms.
    let settle = 9600;
    let x = sine_mix(settle + sweep_len + 4800, fs);
    let freq_at = |i: usize| {
        let t = (i.saturating_sub(settle) as f32 / sweep_len as f32).min(1.0);
        20.0 * 1000.0_f32.powf(t)
    };
    let (mut worst_ratio, mut worst_peak, mut loosest_median): (f64, f64, f64) = (0.0, 0.0, 0.0);
    for filter_type in FilterType::ALL {
        for (q, gain_db) in [(0.707, 12.0), (4.0, -12.0), (2.0, 18.0)] {
            for downward in [false, true] {
                let params = |f: f32| FilterParams {
                    filter_type,
                    freq_hz: f,
                    q,
                    gain_db,
                };
                let mut swept = Biquad::new();
                swept.prepare(fs, 512, 1);
                let mut y = x.clone();
                let (mut static_steps, mut static_peaks) = (Vec::new(), Vec::new());
                for (k, chunk) in y.chunks_mut(sub_block).enumerate() {
                    let i = k * sub_block;
                    let f = if downward {
                        20_000.0 * 20.0 / freq_at(i)
                    } else {
                        freq_at(i)
                    };
                    swept.set_params(&params(f));
                    static_steps.push(static_step_bound(swept.coefs(), fs as f64));
                    static_peaks.push(static_peak_bound(swept.coefs()));
                    swept.process_channel(0, chunk);
                }
                assert!(y.iter().all(|v| v.is_finite()), "{filter_type:?}");
                let case = format!("{filter_type:?} q{q} {gain_db} dB down={downward}");
                let mut bounds = Vec::with_capacity(y.len());
                for n in settle..y.len() {
                    let k = n / sub_block;
                    let window = k.saturating_sub(SWEEP_LAG_BLOCKS)..=k;
                    let local_max =
                        |v: &[f64]| v[window.clone()].iter().fold(0.0_f64, |m, &x| m.max(x));
                    let bound = SWEEP_STEP_FACTOR * local_max(&static_steps) + 1e-4;
                    let step = f64::from((y[n] - y[n - 1]).abs());
                    worst_ratio = worst_ratio.max(step / bound);
                    assert!(step <= bound, "{case}: step {step} > {bound} at sample {n}");
                    // The level, likewise, against the local steady-state peak.
                    let peak = SWEEP_STEP_FACTOR * local_max(&static_peaks) + 1e-4;
                    worst_peak = worst_peak.max(f64::from(y[n].abs()) / peak);
                    assert!(
                        f64::from(y[n].abs()) <= peak,
                        "{case}: |y| {} > {peak} at sample {n}",
                        y[n]
                    );
                    bounds.push(bound);
                }
                // Tightness, over the sweep itself (the case): for the +18 dB
                // bell the local bound is ≤ 0.2 of a whole-sweep bound of the same
                // factor at half the positions (measured 0.17), so a transient several
                // times the local static step fails where the old bound (≈ 1.0) let it
                // pass.
                let during = &mut bounds[..sweep_len];
                let global = during.iter().fold(0.0_f64, |m, &v| m.max(v));
                during.sort_by(f64::total_cmp);
                let median = during[during.len() / 2] / global;
                if filter_type == FilterType::Bell && gain_db == 18.0 {
                    loosest_median = loosest_median.max(median);
                    assert!(median <= 0.2, "{case}: median local/global bound {median}");
                }
            }
        }
    }
    eprintln!("sweep: worst step/bound {worst_ratio:.3}, |y|/bound {worst_peak:.3}; +18 dB bell median local/global bound {loosest_median:.3}");
}

#[test]
fn butterworth_helper_and_clamping() {
    let p = FilterParams::butterworth(false, 1000.0);
    assert_eq!(p.q, BUTTERWORTH_Q);
    let c = BiquadCoefs::design(48_000.0, &p);
    // Analog Butterworth: −3.01 dB at f0; the matched design is within 0.1 dB there.
    assert!((c.magnitude_db(1000.0) + 3.0103).abs() < 0.1);
    let hostile = FilterParams {
        filter_type: FilterType::Bell,
        freq_hz: f32::NAN,
        q: -1.0,
        gain_db: f32::INFINITY,
    };
    let c = BiquadCoefs::design(8_000.0, &hostile);
    // NaN → default frequency, Q and gain clamped to their limits.
    assert_eq!(
        c.params(),
        &FilterParams {
            filter_type: FilterType::Bell,
            freq_hz: 1000.0,
            q: MIN_Q,
            gain_db: MAX_GAIN_DB,
        }
    );
    assert!(c.magnitude_db(100.0).is_finite());
    let high = BiquadCoefs::design(
        8_000.0,
        &FilterParams {
            freq_hz: 20_000.0,
            ..p
        },
    );
    assert_eq!(high.params().freq_hz, 0.49 * 8_000.0);
}

#[test]
fn nan_input_does_not_poison_and_denormals_flush() {
    crate::test_util::with_and_without_ftz(|_ftz| {
        let mut b = Biquad::new();
        b.prepare(48_000.0, 64, 2);
        b.set_params(&FilterParams {
            filter_type: FilterType::LowPass,
            freq_hz: 50.0,
            q: 4.0,
            gain_db: 0.0,
        });
        let mut l = [0.1_f32; 64];
        let mut r = [0.1_f32; 64];
        l[10] = f32::NAN;
        r[20] = f32::INFINITY;
        b.process_stereo(&mut l, &mut r);
        let mut l = [0.1_f32; 64];
        let mut r = [0.1_f32; 64];
        b.process_stereo(&mut l, &mut r);
        assert!(l.iter().chain(&r).all(|v| v.is_finite()));
        // Denormal input leaves no denormal state behind (flushed at block end).
        b.reset();
        let mut dl = [1e-39_f32; 64];
        let mut dr = [-1e-39_f32; 64];
        b.process_stereo(&mut dl, &mut dr);
        assert!(b.state_is_zero());
        // A real signal decays to exactly zero, not into denormals.
        let mut l = [0.5_f32; 64];
        let mut r = [0.5_f32; 64];
        b.process_stereo(&mut l, &mut r);
        assert!(!b.state_is_zero());
        for _ in 0..400 {
            let mut zl = [0.0_f32; 512];
            let mut zr = [0.0_f32; 512];
            b.process_stereo(&mut zl, &mut zr);
        }
        assert!(b.state_is_zero());
    });
}

#[test]
fn reset_gives_identical_output() {
    let mut b = Biquad::new();
    b.prepare(44_100.0, 256, 1);
    b.set_params(&FilterParams {
        filter_type: FilterType::HighShelf,
        freq_hz: 3000.0,
        q: 0.9,
        gain_db: 5.0,
    });
    let x = sine_mix(2048, 44_100.0);
    let mut a = x.clone();
    b.process_channel(0, &mut a);
    b.reset();
    let mut c = x.clone();
    b.process_channel(0, &mut c);
    assert_eq!(a, c);
}

#[test]
#[ignore = "diagnostic table"]
fn deviation_table() {
    for filter_type in [
        FilterType::Bell,
        FilterType::LowShelf,
        FilterType::HighShelf,
        FilterType::Tilt,
    ] {
        for q in [0.3, 0.5, 0.707, 1.0, 2.0, 4.0, 6.0] {
            let mut row = String::new();
            for band in [
                (20.0, 2000.0),
                (2000.0, 8000.0),
                (8000.0, 12_000.0),
                (12_000.0, 15_000.0),
                (15_000.0, 18_000.0),
            ] {
                let (worst, _, _, _) = worst_deviation(
                    &[filter_type],
                    &log_freqs(band.0, band.1, 8),
                    &[q],
                    &[-18.0, -12.0, -6.0, -1.0, 3.0, 9.0, 18.0],
                );
                row += &format!(" {worst:7.3}");
            }
            eprintln!("{filter_type:?} q={q}:{row}");
        }
    }
}

#[test]
#[ignore = "diagnostic"]
fn deviation_curve() {
    for gain_db in [18.0, -18.0, 6.0] {
        let p = FilterParams {
            filter_type: FilterType::Bell,
            freq_hz: 4000.0,
            q: 0.707,
            gain_db,
        };
        let c = BiquadCoefs::design(44_100.0, &p);
        let row: Vec<String> = log_freqs(20.0, 19_845.0, 14)
            .iter()
            .map(|&f| {
                format!(
                    "{:.0}:{:+.2}/{:+.2}",
                    f,
                    c.magnitude_db(f),
                    c.analog_magnitude_db(f)
                )
            })
            .collect();
        eprintln!("{gain_db}: {}", row.join(" "));
    }
}

/// Largest deviation allowed between a filter's output and the textbook `f64` SVF
/// reference ([`RefSvf`], same design, `f64` coefficients), relative to the reference's
/// peak: 1e-4 (−80 dB). The `f32` paths round each memory by ≈ 6e-8 relative per sample
/// and low, resonant sections integrate that over ≈ Q/(π·f/fs) samples, so the expected
/// worst case is a few 1e-6..1e-5 (measured: see the test output); a grouping or
/// coefficient error shows up as 1e-3 and more. −80 dB is far below what the
/// frequency-response tests resolve (0.004 dB ≈ 5e-4) and below 16-bit dither.
const REFERENCE_TOLERANCE: f64 = 1e-4;

#[test]
fn fast_paths_match_the_per_sample_tick_and_a_textbook_f64_reference() {
    // The block loops (`process_stereo`, lanes; `process_channel`, scalar, in blocks of
    // 333 and 100) against `BiquadState::tick` on noise, for every type over frequency,
    // Q and gain: one arithmetic (`SvfCoefs::step`) everywhere, so bit-identical. And
    // the tick against the textbook SVF in `f64`, within `REFERENCE_TOLERANCE`.
    let fs = 48_000.0;
    let (l, r) = (noise(8192, 21), noise(8192, 22));
    let mut worst: (f64, Option<FilterParams>) = (0.0, None);
    let mut worst_ref: (f64, Option<FilterParams>) = (0.0, None);
    for filter_type in FilterType::ALL {
        for freq_hz in [20.0, 120.0, 1000.0, 8000.0, 20_000.0] {
            for q in [0.3, 0.707, 2.0, 8.0] {
                for gain_db in [-18.0, 6.0] {
                    let p = FilterParams {
                        filter_type,
                        freq_hz,
                        q,
                        gain_db,
                    };
                    let mut b = Biquad::new();
                    b.prepare(fs, 512, 2);
                    b.set_params(&p);
                    let mut refs = [BiquadState::default(); 2];
                    let reference: Vec<Vec<f32>> = [&l, &r]
                        .iter()
                        .zip(refs.iter_mut())
                        .map(|(x, s)| x.iter().map(|&v| s.tick(b.coefs(), v)).collect())
                        .collect();
                    let (g, k, m) = b.coefs().digital.to_svf();
                    let mut svf = RefSvf::new(g, k);
                    let textbook: Vec<f32> = l
                        .iter()
                        .map(|&v| {
                            let x = f64::from(v);
                            let (v1, v2) = svf.tick(x);
                            (m[0] * x + m[1] * v1 + m[2] * v2) as f32
                        })
                        .collect();
                    let d = max_rel_diff(&reference[0], &textbook);
                    if d > worst_ref.0 {
                        worst_ref = (d, Some(p));
                    }
                    let (mut fl, mut fr) = (l.clone(), r.clone());
                    for (cl, cr) in fl.chunks_mut(333).zip(fr.chunks_mut(333)) {
                        b.process_stereo(cl, cr);
                    }
                    b.reset();
                    let mut mono = l.clone();
                    for c in mono.chunks_mut(100) {
                        b.process_channel(0, c);
                    }
                    for (out, want) in [(&fl, &reference[0]), (&fr, &reference[1])]
                        .into_iter()
                        .chain([(&mono, &reference[0])])
                    {
                        let d = max_rel_diff(out, want);
                        if d > worst.0 {
                            worst = (d, Some(p));
                        }
                    }
                }
            }
        }
    }
    eprintln!("worst deviation from the f64 reference: {worst_ref:?}");
    assert_eq!(worst.0, 0.0, "{worst:?}");
    assert!(worst_ref.0 <= REFERENCE_TOLERANCE, "{worst_ref:?}");
}

// Against the written-out cookbook prototypes and their defining properties.
mod reference;

#[test]
fn series_pass_equals_two_passes_bit_for_bit() {
    // `process_stereo_series` (two sections in one pipelined pass) against the two
    // sections run one after the other: bit-identical, for random block sizes from 1,
    // several type pairs, NaN/Inf and denormal input, and the state it leaves behind.
    let types = [
        (FilterType::HighPass, 40.0, FilterType::LowPass, 200.0),
        (FilterType::Bell, 1000.0, FilterType::HighShelf, 8000.0),
        (FilterType::LowPass, 18_000.0, FilterType::HighPass, 15.0),
    ];
    for (ta, fa, tb, fb) in types {
        let design = |t, f| {
            let mut b = Biquad::new();
            b.prepare(48_000.0, 512, 2);
            b.set_params(&FilterParams {
                filter_type: t,
                freq_hz: f,
                q: 0.9,
                gain_db: 6.0,
            });
            b
        };
        let (mut a1, mut b1) = (design(ta, fa), design(tb, fb));
        let (mut a2, mut b2) = (design(ta, fa), design(tb, fb));
        let len = 20_000;
        let (mut l, mut r) = (noise(len, 1), noise(len, 2));
        l[300] = f32::NAN;
        r[5000] = f32::INFINITY;
        l[9000..9100].fill(1e-39);
        l[15_000..].fill(0.0);
        r[15_000..].fill(0.0);
        let (mut l2, mut r2) = (l.clone(), r.clone());
        let mut rng = fastrand::Rng::with_seed(9);
        let mut i = 0;
        while i < len {
            let n = if rng.bool() {
                rng.usize(1..4)
            } else {
                rng.usize(1..700)
            }
            .min(len - i);
            let (bl, br) = (&mut l[i..i + n], &mut r[i..i + n]);
            a1.process_stereo(bl, br);
            b1.process_stereo(bl, br);
            Biquad::process_stereo_series(&mut a2, &mut b2, &mut l2[i..i + n], &mut r2[i..i + n]);
            i += n;
        }
        let same = |x: &[f32], y: &[f32]| x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits());
        assert!(same(&l, &l2) && same(&r, &r2), "{ta:?} → {tb:?}");
        assert_eq!((a1.states, b1.states), (a2.states, b2.states));
    }
}
