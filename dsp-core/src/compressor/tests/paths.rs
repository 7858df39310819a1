//! The Compressor's signal paths: mix and latency alignment, lookahead, listen modes,
//! level match.

// Index loops read closer to the maths in these tests.
#![allow(clippy::needless_range_loop)]

use super::*;

#[test]
fn mix_zero_is_the_input_delayed_bit_exactly() {
    let x = noise(6000, 7);
    let xr = noise(6000, 8);
    for lookahead_ms in [0.0, 5.0, 20.0] {
        for stereo_mode in [StereoMode::LeftRight, StereoMode::MidSide] {
            let s = CompressorSettings {
                threshold_db: -40.0,
                mix: 0.0,
                lookahead_ms,
                stereo_mode,
                link: 0.3,
                ..Default::default()
            };
            let mut c = comp(FS, 2, &s);
            let d = c.latency();
            assert_eq!(d, (lookahead_ms * 48.0) as usize);
            let (l, r) = run(&mut c, &x, Some(&xr), None, 333);
            for n in 0..6000 {
                let (wl, wr) = if n >= d {
                    (x[n - d], xr[n - d])
                } else {
                    (0.0, 0.0)
                };
                assert_eq!((l[n], r[n]), (wl, wr), "{lookahead_ms} {stereo_mode:?} {n}");
            }
        }
    }
}

#[test]
fn parallel_mix_is_flat_while_the_gain_is_static() {
    // A DC key holds the gain reduction constant (−15 dB); the main path carries an
    // impulse. Its response must be a pure scaled delay: flat, no comb.
    let s = CompressorSettings {
        threshold_db: -20.0,
        ratio: 4.0,
        knee_db: 0.0,
        mix: 0.5,
        lookahead_ms: 5.0,
        ..Default::default()
    };
    let mut c = comp(FS, 2, &s);
    let len = 24_000;
    let key = vec![1.0_f32; len];
    let mut x = vec![0.0_f32; len];
    x[12_000] = 0.25;
    let (y, _) = run(&mut c, &x, Some(&x), Some(&[&key]), 512);
    let ir = &y[12_000..];
    let mags: Vec<f64> = log_freqs(20.0, 20_000.0, 200)
        .iter()
        .map(|&f| dtft_db(ir, f, FS as f64))
        .collect();
    let (lo, hi) = mags
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &m| (a.min(m), b.max(m)));
    eprintln!("parallel mix ripple {:.2e} dB, level {hi:.4} dB", hi - lo);
    assert!(hi - lo < 0.01, "ripple {} dB", hi - lo);
    // And the level is the parallel sum 0.5 + 0.5·10^(−15/20) (of the 0.25 impulse).
    let want = db(0.25 * (0.5 + 0.5 * 10.0_f64.powf(-15.0 / 20.0)));
    assert!((hi - want).abs() < 0.01, "{hi} vs {want}");
    assert!(ir[..240].iter().all(|&v| v == 0.0) && ir[240] != 0.0);
}

#[test]
fn latency_equals_measured_impulse_delay() {
    for fs in [44_100.0, 96_000.0] {
        for lookahead_ms in [0.0, 5.0, 20.0] {
            let s = CompressorSettings {
                threshold_db: 0.0,
                lookahead_ms,
                ..Default::default()
            };
            let mut c = comp(fs, 2, &s);
            let mut x = vec![0.0; 4096];
            x[100] = 0.5;
            let (y, _) = run(&mut c, &x, Some(&x), None, 64);
            let peak = (0..y.len())
                .max_by(|&a, &b| y[a].abs().total_cmp(&y[b].abs()))
                .unwrap();
            assert_eq!(peak - 100, c.latency(), "{fs} {lookahead_ms}");
            assert_eq!(
                c.latency(),
                (lookahead_ms as f64 * 1e-3 * fs as f64).round() as usize
            );
        }
    }
}

#[test]
fn lookahead_bounds_the_step_overshoot() {
    // Step −40 → 0 dBFS, limiter curve at −20 dB, attack 2 ms: with lookahead L the
    // gain has covered 1 − e^{−L/τ} of the 20 dB when the step reaches the output.
    let tau = 2.0e-3 * FS as f64;
    for lookahead_ms in [0.0, 2.0, 5.0, 10.0] {
        let s = CompressorSettings {
            threshold_db: -20.0,
            ratio: f32::INFINITY,
            knee_db: 0.0,
            attack_ms: 2.0,
            lookahead_ms,
            ..Default::default()
        };
        let mut c = comp(FS, 2, &s);
        let mut x = vec![0.01_f32; 4800];
        x.extend(vec![1.0_f32; 4800]);
        let (y, _) = run(&mut c, &x, Some(&x), None, 512);
        let peak = y.iter().fold(0.0_f32, |m, v| m.max(v.abs()));
        let overshoot = db(peak as f64) + 20.0;
        let l = c.latency() as f64;
        let bound = 20.0 * (-l / tau).exp();
        eprintln!("lookahead {lookahead_ms} ms: overshoot {overshoot:.3} dB, bound {bound:.3} dB");
        assert!(
            overshoot <= bound + 1e-3,
            "{lookahead_ms}: {overshoot} > {bound}"
        );
        assert!(
            overshoot >= 20.0 * (-(l + 1.0) / tau).exp() - 0.01,
            "{lookahead_ms}: {overshoot}"
        );
    }
}

#[test]
fn delta_plus_output_is_the_delayed_dry_signal() {
    let x: Vec<f32> = noise(9600, 21)
        .iter()
        .enumerate()
        .map(|(i, v)| v * if (i / 1200) % 2 == 0 { 1.0 } else { 0.05 })
        .collect();
    let xr = noise(9600, 22);
    for stereo_mode in [StereoMode::LeftRight, StereoMode::MidSide] {
        let base = CompressorSettings {
            threshold_db: -30.0,
            ratio: 6.0,
            attack_ms: 1.0,
            release_ms: 30.0,
            lookahead_ms: 3.0,
            link: 0.5,
            stereo_mode,
            ..Default::default()
        };
        let (ol, or) = run(&mut comp(FS, 2, &base), &x, Some(&xr), None, 256);
        let delta = CompressorSettings {
            listen: Listen::Delta,
            ..base
        };
        let (dl, dr) = run(&mut comp(FS, 2, &delta), &x, Some(&xr), None, 256);
        let d = 144;
        let mut worst = 0.0_f32;
        for n in d..9600 {
            worst = worst
                .max((ol[n] + dl[n] - x[n - d]).abs())
                .max((or[n] + dr[n] - xr[n - d]).abs());
        }
        eprintln!("delta + output - delayed dry ({stereo_mode:?}): {worst:.2e}");
        assert!(worst < 1e-6, "{stereo_mode:?} {worst}");
        // Delta ignores makeup and mix.
        let other = CompressorSettings {
            makeup_db: 6.0,
            mix: 0.3,
            ..delta
        };
        assert_eq!(
            run(&mut comp(FS, 2, &other), &x, Some(&xr), None, 256),
            (dl, dr)
        );
        assert!(
            ol.iter().zip(&x).any(|(a, b)| (a - b).abs() > 0.1),
            "no gain reduction happened"
        );
    }
}

#[test]
fn sidechain_listen_outputs_the_filtered_key_delayed() {
    let x = noise(4800, 31);
    let key = noise(4800, 32);
    let s = CompressorSettings {
        listen: Listen::Sidechain,
        lookahead_ms: 1.0,
        key_hp: true,
        key_hp_hz: 500.0,
        ..Default::default()
    };
    let (y, _) = run(&mut comp(FS, 1, &s), &x, None, Some(&[&key]), 100);
    let mut reference = key.clone();
    let mut hp = crate::biquad::Biquad::new();
    hp.prepare(FS, 4800, 1);
    hp.set_params(&crate::biquad::FilterParams::butterworth(true, 500.0));
    hp.process_channel(0, &mut reference);
    for n in 48..4800 {
        assert!((y[n] - reference[n - 48]).abs() < 1e-6, "{n}");
    }
}

#[test]
fn level_match_brings_the_output_back_to_the_input_level() {
    let x = sine(48_000 * 8, FS, 1000.0, 0.5);
    let s = CompressorSettings {
        threshold_db: -30.0,
        ratio: 4.0,
        knee_db: 0.0,
        makeup_db: 3.0,
        mix: 0.7,
        detection: DetectionMode::Rms,
        rms_window_ms: 20.0,
        level_match: true,
        ..Default::default()
    };
    let (y, _) = run(&mut comp(FS, 1, &s), &x, None, None, 512);
    let tail = &y[y.len() - 9600..];
    let g = db(sine_amplitude(tail, 1000.0, FS as f64, 0) / 0.5);
    eprintln!("level-matched gain {g:.4} dB");
    assert!(g.abs() < 0.1, "level-matched gain {g} dB");
    let (y, _) = run(
        &mut comp(
            FS,
            1,
            &CompressorSettings {
                level_match: false,
                ..s
            },
        ),
        &x,
        None,
        None,
        512,
    );
    let g = db(sine_amplitude(&y[y.len() - 9600..], 1000.0, FS as f64, 0) / 0.5);
    assert!(
        g.abs() > 3.0,
        "without level match the gain changes by {g} dB"
    );
}
