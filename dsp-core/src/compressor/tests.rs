// Index loops read closer to the maths in these tests.
#![allow(clippy::needless_range_loop)]

use super::*;
use crate::test_util::{dtft_db, log_freqs, max_step, noise, sine_amplitude};
use std::f64::consts::PI;

const FS: f32 = 48_000.0;

/// Giannoulis, Massberg & Reiss (2012) eq. (4), written out: output level minus input
/// level in dB (≤ 0 for R ≥ 1), then the range clamp.
fn static_gain_reference(x: f64, t: f64, r: f64, w: f64, range: f64) -> f64 {
    let y = if 2.0 * (x - t) < -w {
        x
    } else if 2.0 * (x - t).abs() <= w {
        x + (1.0 / r - 1.0) * (x - t + w / 2.0).powi(2) / (2.0 * w)
    } else {
        t + (x - t) / r
    };
    (y - x).max(-range)
}

fn db(x: f64) -> f64 {
    20.0 * x.abs().max(1e-30).log10()
}

fn sine(len: usize, fs: f32, freq_hz: f64, amp: f32) -> Vec<f32> {
    (0..len)
        .map(|i| amp * (2.0 * PI * freq_hz * i as f64 / fs as f64).sin() as f32)
        .collect()
}

fn comp(fs: f32, channels: usize, s: &CompressorSettings) -> Compressor {
    let mut c = Compressor::new();
    c.prepare(fs, 512, channels);
    c.set(s);
    c
}

/// Runs stereo (or mono when `r` is `None`) in blocks of `block`, with an optional key.
fn run(
    c: &mut Compressor,
    l: &[f32],
    r: Option<&[f32]>,
    key: Option<&[&[f32]]>,
    block: usize,
) -> (Vec<f32>, Vec<f32>) {
    let mut lo = l.to_vec();
    let mut ro = r.map_or(Vec::new(), |r| r.to_vec());
    let mut start = 0;
    while start < l.len() {
        let end = (start + block).min(l.len());
        let k: Vec<&[f32]> = key.map_or(Vec::new(), |k| k.iter().map(|s| &s[start..end]).collect());
        let key_arg = key.map(|_| &k[..]);
        if r.is_some() {
            c.process_stereo(&mut [&mut lo[start..end], &mut ro[start..end]], key_arg);
        } else {
            c.process_stereo(&mut [&mut lo[start..end]], key_arg);
        }
        start = end;
    }
    (lo, ro)
}

/// Per-sample gain in dB (`out/in`) of a run on a constant (DC) input.
fn gain_trace(out: &[f32], input: &[f32], latency: usize) -> Vec<f64> {
    (latency..out.len())
        .map(|n| db(out[n] as f64 / input[n - latency] as f64))
        .collect()
}

/// Fractional index where `y` first crosses `level`.
fn crossing(y: &[f64], level: f64) -> f64 {
    let above = y[0] > level;
    for n in 1..y.len() {
        if (y[n] > level) != above {
            return (n - 1) as f64 + (level - y[n - 1]) / (y[n] - y[n - 1]);
        }
    }
    f64::INFINITY
}

#[test]
fn static_curve_on_sines_matches_eq4_within_0_1_db() {
    let mut worst = 0.0_f64;
    let mut cases = 0;
    for t in [-50.0, -30.0, -12.0] {
        for r in [1.5, 4.0, 20.0, f64::INFINITY] {
            for w in [0.0, 6.0, 24.0] {
                let s = CompressorSettings {
                    threshold_db: t as f32,
                    ratio: r as f32,
                    knee_db: w as f32,
                    attack_ms: 1.0,
                    release_ms: 20.0,
                    detection: DetectionMode::Rms,
                    rms_window_ms: 20.0,
                    ..Default::default()
                };
                let mut c = comp(FS, 1, &s);
                // One compressor per curve; the level steps up, each step settles.
                for k in 0..8 {
                    let level_db = t - 24.0 + 4.0 * k as f64 + 0.7;
                    if level_db > 0.0 {
                        continue;
                    }
                    let amp = (10.0_f64.powf(level_db / 20.0) * 2.0_f64.sqrt()) as f32;
                    let x = sine(9600, FS, 1000.0, amp);
                    let (y, _) = run(&mut c, &x, None, None, 512);
                    let measured = db(sine_amplitude(&y, 1000.0, FS as f64, 4800) / amp as f64);
                    // Sine RMS level = peak/√2: level_db exactly.
                    let want = static_gain_reference(level_db, t, r, w, 60.0);
                    worst = worst.max((measured - want).abs());
                    cases += 1;
                }
            }
        }
    }
    assert!(cases > 200);
    eprintln!("static curve on sines, {cases} cases: worst {worst:.2e} dB");
    assert!(worst < 0.1, "worst {worst} dB");
    // Peak detection on a square wave (constant |x|): the same curve.
    for (t, r, w, level) in [
        (-20.0, 4.0, 6.0, -6.0),
        (-40.0, f64::INFINITY, 12.0, -37.0),
        (-10.0, 2.0, 0.0, 0.0),
    ] {
        let s = CompressorSettings {
            threshold_db: t as f32,
            ratio: r as f32,
            knee_db: w as f32,
            attack_ms: 1.0,
            ..Default::default()
        };
        let mut c = comp(FS, 1, &s);
        let amp = 10.0_f64.powf(level / 20.0) as f32;
        let x: Vec<f32> = (0..9600)
            .map(|i| if (i / 24) % 2 == 0 { amp } else { -amp })
            .collect();
        let (y, _) = run(&mut c, &x, None, None, 512);
        let measured = db(y[9599] as f64 / x[9599] as f64);
        let want = static_gain_reference(level, t, r, w, 60.0);
        assert!(
            (measured - want).abs() < 0.1,
            "peak {t} {r} {w} {level}: {measured} vs {want}"
        );
    }
}

#[test]
fn attack_and_release_times_end_to_end_within_5_percent() {
    let k = 1.0 - (-1.0_f64).exp();
    for fs in [44_100.0, 96_000.0] {
        for (attack_ms, release_ms) in [(1.0, 10.0), (10.0, 100.0), (50.0, 1000.0)] {
            let s = CompressorSettings {
                threshold_db: -20.0,
                ratio: f32::INFINITY,
                knee_db: 0.0,
                attack_ms,
                release_ms,
                ..Default::default()
            };
            let mut c = comp(fs, 2, &s);
            let quiet = vec![0.01_f32; (fs * 0.05) as usize];
            run(&mut c, &quiet, Some(&quiet), None, 512);
            // Step to 0 dBFS: target gain −20 dB.
            let loud = vec![1.0_f32; (fs * attack_ms * 1e-2) as usize];
            let (y, _) = run(&mut c, &loud, Some(&loud), None, 512);
            let n = crossing(&gain_trace(&y, &loud, 0), -20.0 * k) + 1.0;
            let want = (fs * attack_ms * 1e-3) as f64;
            eprintln!(
                "{fs} Hz attack {attack_ms} ms: {:+.3} %",
                (n / want - 1.0) * 100.0
            );
            assert!((n / want - 1.0).abs() < 0.05, "{fs} attack {n} vs {want}");
            // Step back: from −20 dB to 0 dB of gain change.
            let quiet = vec![0.01_f32; (fs * release_ms * 1e-2) as usize];
            let (y, _) = run(&mut c, &quiet, Some(&quiet), None, 512);
            let n = crossing(&gain_trace(&y, &quiet, 0), -20.0 * (1.0 - k)) + 1.0;
            let want = (fs * release_ms * 1e-3) as f64;
            eprintln!(
                "{fs} Hz release {release_ms} ms: {:+.3} %",
                (n / want - 1.0) * 100.0
            );
            assert!((n / want - 1.0).abs() < 0.05, "{fs} release {n} vs {want}");
        }
    }
}

#[test]
fn hold_delays_the_release_by_hold_ms() {
    let s = CompressorSettings {
        threshold_db: -20.0,
        ratio: 4.0,
        knee_db: 0.0,
        attack_ms: 0.1,
        release_ms: 20.0,
        hold_ms: 25.0,
        ..Default::default()
    };
    let mut c = comp(FS, 1, &s);
    let loud = vec![0.5_f32; 4800];
    run(&mut c, &loud, None, None, 64);
    let quiet = vec![0.01_f32; 4800];
    let (y, _) = run(&mut c, &quiet, None, None, 64);
    let g = gain_trace(&y, &quiet, 0);
    // 25 ms = 1200 samples at the held gain (−10.5 dB at −6 dB in, 4:1 at −20 dB).
    let held = static_gain_reference(db(0.5), -20.0, 4.0, 0.0, 60.0);
    assert!(
        g[..1200].iter().all(|&v| (v - held).abs() < 0.01),
        "{} {}",
        g[0],
        g[1199]
    );
    assert!(g[1200] > held + 0.01);
}

#[test]
fn range_clamps_gain_reduction() {
    for range in [3.0, 12.0, 40.0] {
        let s = CompressorSettings {
            threshold_db: -60.0,
            ratio: f32::INFINITY,
            range_db: range,
            attack_ms: 0.1,
            ..Default::default()
        };
        let mut c = comp(FS, 2, &s);
        let x = vec![1.0_f32; 4800];
        let (y, _) = run(&mut c, &x, Some(&x), None, 512);
        assert!(
            (db(y[4799] as f64) + range as f64).abs() < 0.01,
            "{range}: {}",
            db(y[4799] as f64)
        );
        assert!((c.gain_reduction_db() - range).abs() < 0.01);
    }
}

#[test]
fn auto_makeup_restores_0_dbfs() {
    let s = CompressorSettings {
        threshold_db: -30.0,
        ratio: 4.0,
        knee_db: 6.0,
        attack_ms: 0.1,
        auto_makeup: true,
        makeup_db: 0.0,
        ..Default::default()
    };
    // 0 dBFS in → 0 dBFS out; −10 dBFS in → −10 + G(−10) − G(0).
    for level in [0.0, -10.0, -40.0] {
        let mut c = comp(FS, 1, &s);
        let x = vec![10.0_f32.powf(level / 20.0); 4800];
        let (y, _) = run(&mut c, &x, None, None, 512);
        let want = level as f64 + static_gain_reference(level as f64, -30.0, 4.0, 6.0, 60.0)
            - static_gain_reference(0.0, -30.0, 4.0, 6.0, 60.0);
        assert!(
            (db(y[4799] as f64) - want).abs() < 0.01,
            "{level}: {} vs {want}",
            db(y[4799] as f64)
        );
    }
}

#[test]
fn stereo_link_one_gives_identical_gains_zero_independent() {
    let l = vec![0.9_f32; 4800];
    let r = vec![0.05_f32; 4800];
    let base = CompressorSettings {
        threshold_db: -20.0,
        ratio: 4.0,
        knee_db: 0.0,
        attack_ms: 0.5,
        ..Default::default()
    };
    let mut c = comp(FS, 2, &CompressorSettings { link: 1.0, ..base });
    let (yl, yr) = run(&mut c, &l, Some(&r), None, 100);
    for n in 0..4800 {
        // Identical gains: the two out/in ratios differ only by the rounding of the
        // two products (≤ 1 ulp each).
        let (gl, gr) = (yl[n] / l[n], yr[n] / r[n]);
        assert!((gl / gr - 1.0).abs() < 3e-7, "{n}: {gl} {gr}");
    }
    let mut c = comp(FS, 2, &CompressorSettings { link: 0.0, ..base });
    let (yl, yr) = run(&mut c, &l, Some(&r), None, 100);
    let gl = db(yl[4799] as f64 / 0.9);
    assert!((gl - static_gain_reference(db(0.9), -20.0, 4.0, 0.0, 60.0)).abs() < 0.01);
    assert_eq!(yr[4799], 0.05, "the quiet channel must be untouched");
}

#[test]
fn mid_side_compresses_mid_and_leaves_a_quiet_side_alone() {
    // M = 0.5 sine at 1 kHz (−9.03 dB RMS), S = 0.01 sine at 3 kHz (−43 dB RMS).
    let m = sine(19_200, FS, 1000.0, 0.5);
    let sd = sine(19_200, FS, 3000.0, 0.01);
    let l: Vec<f32> = m.iter().zip(&sd).map(|(a, b)| a + b).collect();
    let r: Vec<f32> = m.iter().zip(&sd).map(|(a, b)| a - b).collect();
    let s = CompressorSettings {
        threshold_db: -30.0,
        ratio: 4.0,
        knee_db: 0.0,
        attack_ms: 1.0,
        detection: DetectionMode::Rms,
        rms_window_ms: 20.0,
        link: 0.0,
        stereo_mode: StereoMode::MidSide,
        ..Default::default()
    };
    let mut c = comp(FS, 2, &s);
    let (yl, yr) = run(&mut c, &l, Some(&r), None, 512);
    let ym: Vec<f32> = yl.iter().zip(&yr).map(|(a, b)| 0.5 * (a + b)).collect();
    let ys: Vec<f32> = yl.iter().zip(&yr).map(|(a, b)| 0.5 * (a - b)).collect();
    let gm = db(sine_amplitude(&ym, 1000.0, FS as f64, 9600) / 0.5);
    let gs = db(sine_amplitude(&ys, 3000.0, FS as f64, 9600) / 0.01);
    let want = static_gain_reference(db(0.5) - 10.0 * 2.0_f64.log10(), -30.0, 4.0, 0.0, 60.0);
    eprintln!("M/S: mid gain {gm:.4} dB (static {want:.4}), side gain {gs:.5} dB");
    assert!((gm - want).abs() < 0.1, "mid {gm} vs {want}");
    assert!(gs.abs() < 0.01, "side {gs}");
    // No mid leaks into the side and vice versa.
    assert!(sine_amplitude(&ys, 1000.0, FS as f64, 9600) < 1e-5);
}

#[test]
fn external_key_drives_gain_reduction_and_missing_key_falls_back() {
    let s = CompressorSettings {
        threshold_db: -30.0,
        ratio: 3.0,
        knee_db: 0.0,
        attack_ms: 0.5,
        ..Default::default()
    };
    let main = sine(4800, FS, 440.0, 0.001); // −60 dBFS: never compresses by itself
    let key = vec![0.5_f32; 4800];
    let mut c = comp(FS, 2, &s);
    let (y, _) = run(&mut c, &main, Some(&main), Some(&[&key]), 128);
    let want = static_gain_reference(db(0.5), -30.0, 3.0, 0.0, 60.0);
    assert!(
        (c.gain_reduction_db() as f64 + want).abs() < 0.01,
        "{}",
        c.gain_reduction_db()
    );
    assert!((db(sine_amplitude(&y, 440.0, FS as f64, 2400) / 0.001) - want).abs() < 0.01);
    // Fallback: no key, an empty key and the main as key give the same output.
    let x = noise(4800, 11);
    let xr = noise(4800, 12);
    let a = run(&mut comp(FS, 2, &s), &x, Some(&xr), None, 128);
    let empty: [&[f32]; 0] = [];
    let b = run(&mut comp(FS, 2, &s), &x, Some(&xr), Some(&empty), 128);
    let k = run(&mut comp(FS, 2, &s), &x, Some(&xr), Some(&[&x, &xr]), 128);
    assert_eq!(a, b);
    assert_eq!(a, k);
}

#[test]
fn key_high_pass_removes_a_30_hz_key_from_detection() {
    let x = sine(96_000, FS, 30.0, 1.0);
    let gr = |hp: bool, hp_hz: f32| {
        let s = CompressorSettings {
            threshold_db: -20.0,
            ratio: f32::INFINITY,
            knee_db: 0.0,
            detection: DetectionMode::Rms,
            rms_window_ms: 100.0,
            key_hp: hp,
            key_hp_hz: hp_hz,
            ..Default::default()
        };
        let mut c = comp(FS, 1, &s);
        let (y, _) = run(&mut c, &x, None, None, 512);
        -db(sine_amplitude(&y, 30.0, FS as f64, 48_000))
    };
    let rms = -10.0 * 2.0_f64.log10();
    // Off: 20·log10(1/√2) = −3 dB → 17 dB of gain reduction.
    assert!((gr(false, 200.0) - (rms + 20.0)).abs() < 0.1);
    // HP at 200 Hz: the key is −36 dB, below threshold: no gain reduction.
    eprintln!(
        "30 Hz key: GR off {:.3} dB, HP 200 Hz {:.4} dB, HP 20 Hz {:.3} dB",
        gr(false, 200.0),
        gr(true, 200.0),
        gr(true, 20.0)
    );
    assert!(gr(true, 200.0) < 0.01, "{}", gr(true, 200.0));
    // HP at 20 Hz passes most of it (Butterworth: −10·log10(1 + (20/30)⁴) = −0.78 dB).
    let want = rms - 10.0 * (1.0 + (20.0_f64 / 30.0).powi(4)).log10() + 20.0;
    assert!(
        (gr(true, 20.0) - want).abs() < 0.3,
        "{} vs {want}",
        gr(true, 20.0)
    );
}

/// A settings mix that exercises every per-sample path.
fn busy_settings() -> CompressorSettings {
    CompressorSettings {
        threshold_db: -35.0,
        ratio: 5.0,
        knee_db: 9.0,
        attack_ms: 3.0,
        release_ms: 60.0,
        hold_ms: 4.0,
        auto_release: true,
        makeup_db: 4.0,
        mix: 0.8,
        lookahead_ms: 2.5,
        detection: DetectionMode::Rms,
        rms_window_ms: 7.0,
        link: 0.6,
        stereo_mode: StereoMode::MidSide,
        key_hp: true,
        key_hp_hz: 120.0,
        key_lp: true,
        key_lp_hz: 9000.0,
        level_match: true,
        ..Default::default()
    }
}

fn programme(len: usize, seed: u64) -> Vec<f32> {
    noise(len, seed)
        .iter()
        .enumerate()
        .map(|(i, v)| v * (0.05 + 0.95 * ((i as f32 / 700.0).sin().abs())))
        .collect()
}

#[test]
fn any_block_size_gives_identical_output_and_reset_repeats_it() {
    let (x, xr) = (programme(20_000, 41), programme(20_000, 42));
    let make = || {
        let mut c = Compressor::new();
        c.prepare(FS, 512, 2);
        c.set(&CompressorSettings::default());
        // A second set before processing starts ramps from the first values.
        c.set(&busy_settings());
        c
    };
    let reference = run(&mut make(), &x, Some(&xr), None, 1);
    for block in [64, 512, 4096] {
        assert_eq!(
            run(&mut make(), &x, Some(&xr), None, block),
            reference,
            "block {block}"
        );
    }
    // Random block sizes (larger than max_block too: processed in chunks).
    let mut c = make();
    let mut rng = fastrand::Rng::with_seed(5);
    let (mut l, mut r) = (x.clone(), xr.clone());
    let mut start = 0;
    while start < l.len() {
        let end = (start + rng.usize(1..1500)).min(l.len());
        c.process_stereo(&mut [&mut l[start..end], &mut r[start..end]], None);
        start = end;
    }
    assert_eq!((l, r), reference);
    // Reset: identical output again.
    let mut c = make();
    run(&mut c, &x, Some(&xr), None, 256);
    c.reset();
    c.set(&CompressorSettings::default());
    c.set(&busy_settings());
    assert_eq!(run(&mut c, &x, Some(&xr), None, 256), reference);
}

#[test]
fn automation_never_clicks() {
    // A 100 Hz sine at 0.5; settings jump every 2048 samples between two extremes, all
    // at once and one parameter at a time. The largest sample step of a 100 Hz sine at
    // the largest output amplitude (0.5 · +10 dB makeup) is 2π·100/48000·1.58 = 0.0207;
    // allow 1.5× that. Attack 0.01 ms: the gain follows the static curve at once, so
    // only the parameter smoothing can prevent a jump.
    let x = sine(48_000, FS, 100.0, 0.5);
    let a = CompressorSettings {
        threshold_db: -40.0,
        ratio: 20.0,
        knee_db: 0.0,
        attack_ms: 0.01,
        release_ms: 1.0,
        range_db: 40.0,
        makeup_db: 10.0,
        mix: 1.0,
        ..Default::default()
    };
    let b = CompressorSettings {
        threshold_db: 0.0,
        ratio: 1.0,
        knee_db: 24.0,
        range_db: 0.0,
        makeup_db: -10.0,
        mix: 0.0,
        ..a
    };
    let bound = 1.5 * 2.0 * std::f32::consts::PI * 100.0 / FS * 0.5 * 10.0_f32.powf(0.5);
    for (name, b) in [
        ("all", b),
        (
            "threshold",
            CompressorSettings {
                threshold_db: b.threshold_db,
                ..a
            },
        ),
        (
            "ratio",
            CompressorSettings {
                ratio: b.ratio,
                ..a
            },
        ),
        (
            "knee",
            CompressorSettings {
                knee_db: b.knee_db,
                threshold_db: -10.0,
                ..a
            },
        ),
        (
            "range",
            CompressorSettings {
                range_db: b.range_db,
                ..a
            },
        ),
        (
            "makeup",
            CompressorSettings {
                makeup_db: b.makeup_db,
                ..a
            },
        ),
        ("mix", CompressorSettings { mix: b.mix, ..a }),
    ] {
        let a = if name == "knee" {
            CompressorSettings {
                threshold_db: -10.0,
                ..a
            }
        } else {
            a
        };
        let mut c = comp(FS, 1, &a);
        let mut y = x.clone();
        for (k, chunk) in y.chunks_mut(2048).enumerate() {
            c.set(if k % 2 == 0 { &a } else { &b });
            c.process_stereo(&mut [chunk], None);
        }
        let step = max_step(&y);
        eprintln!("automation {name}: max step {step:.5} (bound {bound:.5})");
        assert!(step < bound, "{name}: max step {step} > {bound}");
    }
}

#[test]
fn meters_report_levels_and_gain_reduction() {
    let s = CompressorSettings {
        threshold_db: -20.0,
        ratio: 4.0,
        knee_db: 0.0,
        attack_ms: 0.1,
        ..Default::default()
    };
    let mut c = comp(FS, 2, &s);
    let x = vec![0.5_f32; 4800];
    run(&mut c, &x, Some(&x), None, 512);
    let gr = -static_gain_reference(db(0.5), -20.0, 4.0, 0.0, 60.0);
    assert!((c.input_level_db() as f64 - db(0.5)).abs() < 1e-3);
    assert!((c.gain_reduction_db() as f64 - gr).abs() < 0.01);
    assert!((c.output_level_db() as f64 - (db(0.5) - gr)).abs() < 0.01);
}

#[test]
fn hostile_input_and_settings_stay_finite() {
    crate::test_util::with_and_without_ftz(|_| {
        let mut c = comp(FS, 2, &busy_settings());
        let bad = [f32::NAN, f32::INFINITY, f32::MAX, -f32::MAX, 1e-39, 100.0].repeat(100);
        let hostile = CompressorSettings {
            threshold_db: f32::NAN,
            ratio: -3.0,
            knee_db: f32::INFINITY,
            attack_ms: f32::NAN,
            release_ms: 0.0,
            hold_ms: -1.0,
            rms_window_ms: f32::NAN,
            link: 7.0,
            makeup_db: f32::INFINITY,
            mix: f32::NAN,
            lookahead_ms: 1e9,
            ..busy_settings()
        };
        c.set(&hostile);
        run(&mut c, &bad, Some(&bad), Some(&[&bad]), 64);
        let good = programme(4800, 3);
        let (l, r) = run(&mut c, &good, Some(&good), None, 64);
        assert!(l.iter().chain(&r).all(|v| v.is_finite()));
        // Once the hostile samples have left the lookahead delay, the state is sane.
        let d = c.latency();
        let peak = l[d..]
            .iter()
            .chain(&r[d..])
            .fold(0.0_f32, |m, v| m.max(v.abs()));
        assert!(peak < 1e3, "{peak}");
        assert!(c.gain_reduction_db().is_finite() && c.output_level_db().is_finite());
    });
}

mod paths;
mod switches;
