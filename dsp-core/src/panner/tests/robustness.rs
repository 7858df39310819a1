//! Panner tests: bass mono, hostile input, reset, output gain ramp.

use super::*;

fn bass_mono_ir(input_r_sign: f32, sample_rate: f32, hz: f32) -> Vec<f32> {
    let mut p = Panner::new();
    p.prepare(sample_rate, 512, 2);
    p.set_settings(&PannerSettings {
        bass_mono: true,
        bass_mono_hz: hz,
        ..Default::default()
    });
    let n = 1 << 15;
    let mut l = vec![0.0; n];
    let mut r = vec![0.0; n];
    l[0] = 1.0;
    r[0] = input_r_sign;
    for (cl, cr) in l.chunks_mut(512).zip(r.chunks_mut(512)) {
        p.process_stereo(cl, cr);
    }
    l
}

#[test]
fn bass_mono_keeps_mono_flat_and_removes_low_side() {
    for (fs, hz) in [(48_000.0, 120.0), (44_100.0, 20.0), (96_000.0, 500.0)] {
        let mono = bass_mono_ir(1.0, fs, hz);
        for f in log_freqs(10.0, 0.45 * fs as f64, 100) {
            let db = dtft_db(&mono, f, fs as f64);
            assert!(db.abs() < 0.01, "mono {fs} {hz} {f}: {db}");
        }
        let side = bass_mono_ir(-1.0, fs, hz);
        for f in log_freqs(10.0, 0.45 * fs as f64, 100) {
            let expected =
                20.0 * crate::crossover::lr_magnitude(LrOrder::Lr4, fs, hz, f as f32, true).log10();
            if expected < -60.0 {
                continue;
            }
            let db = dtft_db(&side, f, fs as f64);
            assert!(
                (db - expected).abs() < 0.02,
                "side {fs} {hz} {f}: {db} vs {expected}"
            );
        }
        // An octave below the crossover the side is ≥ 20 dB down (LR4: −24.6 dB).
        let octave_below = dtft_db(&side, hz as f64 / 2.0, fs as f64);
        assert!(octave_below < -20.0, "{octave_below}");
    }
}

#[test]
fn nan_and_inf_do_not_poison_the_next_block() {
    crate::test_util::with_and_without_ftz(|_ftz| {
        for bass_mono in [false, true] {
            for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                let s = PannerSettings {
                    bass_mono,
                    pan: 0.3,
                    mode: PanMode::Stereo,
                    ..Default::default()
                };
                let mut p = panner(&s);
                let mut l = noise(256, 15);
                let mut r = noise(256, 16);
                l[100] = bad;
                p.process_stereo(&mut l, &mut r);
                p.set_settings(&PannerSettings { pan: 0.9, ..s });
                let mut l = noise(4096, 17);
                let mut r = noise(4096, 18);
                p.process_stereo(&mut l, &mut r);
                assert!(
                    l.iter().chain(&r).all(|v| v.is_finite()),
                    "{bad} {bass_mono}"
                );
            }
        }
    });
}

#[test]
fn denormal_input_leaves_no_denormal_state() {
    crate::test_util::with_and_without_ftz(|_ftz| {
        let s = PannerSettings {
            bass_mono: true,
            ..Default::default()
        };
        let mut p = panner(&s);
        let mut l = vec![1e-39_f32; 512];
        let mut r = vec![-1e-39_f32; 512];
        p.process_stereo(&mut l, &mut r);
        let mut l = vec![0.0; 512];
        let mut r = vec![0.0; 512];
        p.process_stereo(&mut l, &mut r);
        assert!(p.state_is_zero());
        let mut l = vec![0.0; 64];
        let mut r = vec![0.0; 64];
        p.process_stereo(&mut l, &mut r);
        assert!(l.iter().chain(&r).all(|&v| v == 0.0));
    });
}

#[test]
fn hostile_settings_are_clamped_and_reset_is_deterministic() {
    let s = PannerSettings {
        pan: f32::NAN,
        width: 99.0,
        output_gain_db: 1e9,
        bass_mono_hz: -5.0,
        bass_mono: true,
        ..Default::default()
    };
    // NaN → default, everything else to the nearest limit.
    assert_eq!(
        s.sanitized(),
        PannerSettings {
            pan: 0.0,
            width: MAX_WIDTH,
            output_gain_db: MAX_OUTPUT_GAIN_DB,
            bass_mono_hz: MIN_BASS_MONO_HZ,
            ..s
        }
    );
    let l = sine(4096, 100.0, 0.9);
    let r = noise(4096, 19);
    let mut p = panner(&s);
    let first = run(&mut p, &l, &r, 333);
    assert!(first
        .0
        .iter()
        .chain(&first.1)
        .all(|v| v.is_finite() && v.abs() < 0.9 * 16.0 * 4.0));
    p.reset();
    let second = run(&mut p, &l, &r, 333);
    assert_eq!(first, second);
    assert_eq!(p.latency(), 0);
}

#[test]
fn output_gain_ramps_geometrically_and_lands() {
    let mut p = panner(&PannerSettings::default());
    p.set_settings(&PannerSettings {
        output_gain_db: -24.0,
        ..Default::default()
    });
    let n = (FS * GAIN_RAMP_MS * 1e-3) as usize;
    let mut l = vec![1.0; n + 10];
    let mut r = vec![1.0; n + 10];
    p.process_stereo(&mut l, &mut r);
    let target = db_to_gain(-24.0);
    assert_eq!(l[n - 1], target);
    assert_ne!(l[n - 2], target);
    // Geometric: half way in time is half way in dB (−12 dB).
    assert!((crate::db::gain_to_db(l[n / 2 - 1]) + 12.0).abs() < 0.05);
}
