use super::*;
use crate::test_util::noise;

const FS: f32 = 48_000.0;

fn sine(len: usize, freq_hz: f64, amp: f32) -> Vec<f32> {
    (0..len)
        .map(|i| amp * (2.0 * std::f64::consts::PI * freq_hz * i as f64 / FS as f64).sin() as f32)
        .collect()
}

fn detect(d: &mut Detector, main: &[&[f32]], key: Option<&[&[f32]]>) -> [Vec<f32>; 2] {
    let n = main[0].len();
    let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
    d.process(main, key, &mut [&mut a, &mut b]);
    [a, b]
}

fn detector(s: DetectorSettings, channels: usize, max_block: usize) -> Detector {
    let mut d = Detector::new();
    d.prepare(FS, max_block, channels);
    d.set(&s);
    d
}

#[test]
fn rms_is_the_exact_moving_mean_and_never_drifts() {
    let s = DetectorSettings {
        mode: DetectionMode::Rms,
        rms_window_ms: 3.0,
        ..Default::default()
    };
    let mut d = detector(s, 1, 8192);
    let w = 144;
    assert_eq!(d.rms_window_samples(), w);
    let x = noise(8192, 3);
    let mut lv = vec![0.0; 8192];
    d.process(&[&x], None, &mut [&mut lv]);
    for n in [0_usize, 10, 143, 144, 500, 8191] {
        // Independent: direct f64 sum of the window (zeros before the start).
        let sum: f64 = (n.saturating_sub(w - 1)..=n)
            .map(|k| (x[k] as f64).powi(2))
            .sum();
        let want = 10.0 * (sum / w as f64).log10();
        assert!(
            (lv[n] as f64 - want).abs() < 1e-3,
            "n {n}: {} vs {want}",
            lv[n]
        );
    }
    // Sine: RMS = A/√2 → 20·log10(0.5) − 3.0103 dB with a window of 3 periods.
    let x = sine(4800, 1000.0, 0.5);
    d.process(&[&x], None, &mut [&mut lv[..4800]]);
    let want = 20.0 * 0.5_f64.log10() - 10.0 * 2.0_f64.log10();
    assert!((lv[4799] as f64 - want).abs() < 0.01, "{}", lv[4799]);
    // +120 dBFS and 0 dBFS samples mixed (the f64 sum rounds the small squares), then
    // −120 dBFS noise and silence: no rounding residue may survive in the moving sum.
    let mixed: Vec<f32> = noise(1000, 6)
        .iter()
        .enumerate()
        .map(|(i, v)| if i % 2 == 0 { v * 1e6 } else { *v })
        .collect();
    d.process(&[&mixed], None, &mut [&mut lv[..1000]]);
    // Then −120 dBFS noise: a residue of the loud part would swamp its mean square.
    let quiet: Vec<f32> = noise(1000, 7).iter().map(|v| v * 1e-6).collect();
    d.process(&[&quiet], None, &mut [&mut lv[..1000]]);
    for n in [300_usize, 641, 999] {
        let sum: f64 = (n - 143..=n).map(|k| (quiet[k] as f64).powi(2)).sum();
        let want = 10.0 * (sum / 144.0).log10();
        assert!(
            (lv[n] as f64 - want).abs() < 0.01,
            "drift at {n}: {} vs {want}",
            lv[n]
        );
    }
    d.process(&[&[0.0; 1000]], None, &mut [&mut lv[..1000]]);
    assert_eq!(lv[999], -200.0, "moving sum drifted");
}

#[test]
fn peak_level_is_20_log10_abs() {
    let mut d = detector(DetectorSettings::default(), 1, 512);
    let x = noise(512, 5);
    let mut lv = vec![0.0; 512];
    d.process(&[&x], None, &mut [&mut lv]);
    for (l, v) in lv.iter().zip(&x) {
        let want = 20.0 * (v.abs() as f64).max(1e-10).log10();
        assert!((*l as f64 - want).abs() < 2e-4, "{l} vs {want}");
    }
}

#[test]
fn link_zero_is_independent_link_one_is_identical() {
    let (l, r) = (sine(2048, 440.0, 0.9), sine(2048, 3000.0, 0.1));
    let own = detect(
        &mut detector(
            DetectorSettings {
                link: 0.0,
                ..Default::default()
            },
            2,
            2048,
        ),
        &[&l, &r],
        None,
    );
    let linked = detect(
        &mut detector(DetectorSettings::default(), 2, 2048),
        &[&l, &r],
        None,
    );
    let half = detect(
        &mut detector(
            DetectorSettings {
                link: 0.5,
                ..Default::default()
            },
            2,
            2048,
        ),
        &[&l, &r],
        None,
    );
    assert_eq!(linked[0], linked[1]);
    for n in 0..2048 {
        let (a, b) = (own[0][n], own[1][n]);
        assert!((a - 20.0 * l[n].abs().max(1e-10).log10()).abs() < 2e-4);
        assert!((b - 20.0 * r[n].abs().max(1e-10).log10()).abs() < 2e-4);
        assert_eq!(linked[0][n], a.max(b));
        // Half link: half way between own and the louder level, in dB.
        assert!((half[1][n] - 0.5 * (b + a.max(b))).abs() < 1e-3);
    }
}

#[test]
fn mid_side_detects_mid_and_side() {
    let s = DetectorSettings {
        link: 0.0,
        stereo_mode: StereoMode::MidSide,
        ..Default::default()
    };
    let x = sine(512, 1000.0, 0.5);
    let neg: Vec<f32> = x.iter().map(|v| -v).collect();
    let mono = detect(&mut detector(s, 2, 512), &[&x, &x], None);
    let side = detect(&mut detector(s, 2, 512), &[&x, &neg], None);
    let peak = |v: &[f32]| v.iter().fold(-1e9_f32, |m, &a| m.max(a));
    // Mono: M carries the signal at its level, S is silent; anti-phase: the reverse.
    assert!((peak(&mono[0]) - 20.0 * 0.5_f32.log10()).abs() < 0.01);
    assert_eq!(peak(&mono[1]), -200.0);
    assert_eq!(peak(&side[0]), -200.0);
    assert!((peak(&side[1]) - 20.0 * 0.5_f32.log10()).abs() < 0.01);
}

#[test]
fn external_key_is_used_and_missing_key_falls_back() {
    let main = sine(256, 100.0, 0.25);
    let key = sine(256, 200.0, 0.75);
    let s = DetectorSettings {
        link: 0.0,
        ..Default::default()
    };
    let from_main = detect(&mut detector(s, 2, 256), &[&main, &main], None);
    let empty: [&[f32]; 0] = [];
    let fallback = detect(&mut detector(s, 2, 256), &[&main, &main], Some(&empty));
    let from_key = detect(&mut detector(s, 2, 256), &[&main, &main], Some(&[&key]));
    assert_eq!(from_main, fallback);
    // A stereo key on a mono detector is averaged: an anti-phase pair reads silence,
    // an in-phase pair its own level.
    let neg: Vec<f32> = key.iter().map(|v| -v).collect();
    let mut lv = vec![0.0; 256];
    detector(s, 1, 256).process(&[&main], Some(&[&key, &neg]), &mut [&mut lv]);
    assert!(lv.iter().all(|&v| v == -200.0));
    detector(s, 1, 256).process(&[&main], Some(&[&key, &key]), &mut [&mut lv]);
    for n in 0..256 {
        assert!((lv[n] - 20.0 * key[n].abs().max(1e-10).log10()).abs() < 2e-4);
    }
    for n in 0..256 {
        let want = 20.0 * key[n].abs().max(1e-10).log10();
        assert!((from_key[0][n] - want).abs() < 2e-4 && (from_key[1][n] - want).abs() < 2e-4);
    }
}

#[test]
fn key_high_pass_removes_30_hz_by_the_butterworth_amount() {
    let s = DetectorSettings {
        mode: DetectionMode::Rms,
        rms_window_ms: 100.0,
        key_hp: true,
        key_hp_hz: 200.0,
        ..Default::default()
    };
    let x = sine(96_000, 30.0, 1.0);
    let mut d = detector(s, 1, 96_000);
    let mut lv = vec![0.0; 96_000];
    d.process(&[&x], None, &mut [&mut lv]);
    // Analog 2nd-order Butterworth: |H|² = 1/(1 + (fc/f)⁴); the sine's RMS is −3.01 dB.
    let want = -10.0 * (1.0 + (200.0_f64 / 30.0).powi(4)).log10() - 10.0 * 2.0_f64.log10();
    assert!(
        (lv[95_999] as f64 - want).abs() < 0.5,
        "{} vs {want}",
        lv[95_999]
    );
    // Listen: the stored key is the filtered signal.
    let k = d.key(0);
    assert_eq!(k.len(), 96_000);
    assert!(k[90_000..].iter().all(|v| v.abs() < 0.03));
}

#[test]
fn hostile_key_never_poisons_the_next_block() {
    crate::test_util::with_and_without_ftz(|_| {
        for mode in [DetectionMode::Peak, DetectionMode::Rms] {
            let s = DetectorSettings {
                mode,
                key_hp: true,
                key_lp: true,
                ..Default::default()
            };
            let mut d = detector(s, 2, 64);
            let bad = [f32::NAN, f32::INFINITY, f32::MAX, 1e-39].repeat(16);
            detect(&mut d, &[&bad, &bad], None);
            let good = sine(64, 1000.0, 0.5);
            let lv = detect(&mut d, &[&good, &good], None);
            assert!(lv.iter().flatten().all(|v| v.is_finite() && *v < 400.0));
        }
    });
    // A NaN and an Inf inside a block count as silent samples: the RMS of the rest is
    // unaffected (the moving sum is never poisoned).
    let s = DetectorSettings {
        mode: DetectionMode::Rms,
        rms_window_ms: 3.0,
        ..Default::default()
    };
    let mut d = detector(s, 1, 512);
    let mut x = noise(512, 8);
    x[10] = f32::NAN;
    x[20] = f32::INFINITY;
    let mut lv = vec![0.0; 512];
    d.process(&[&x], None, &mut [&mut lv]);
    let clean = |v: f32| if v.is_finite() { v as f64 } else { 0.0 };
    for n in [30_usize, 150, 511] {
        let sum: f64 = (n.saturating_sub(143)..=n)
            .map(|k| clean(x[k]).powi(2))
            .sum();
        let want = 10.0 * (sum / 144.0).log10();
        assert!(
            (lv[n] as f64 - want).abs() < 1e-3,
            "{n}: {} vs {want}",
            lv[n]
        );
    }
}

/// The moving mean runs in pieces cut at ring wraps, restarts and block ends: stereo,
/// unlinked, a 100 ms window (more than half the ring, where read and write ranges come
/// closest) and ragged blocks, every sample against a direct f64 window sum; and the
/// levels are bit-identical for any block size.
#[test]
fn rms_runs_match_the_direct_window_sum_for_any_block_size() {
    let s = DetectorSettings {
        mode: DetectionMode::Rms,
        rms_window_ms: MAX_RMS_WINDOW_MS,
        link: 0.0,
        ..Default::default()
    };
    let len = 30_000;
    let (l, r) = (noise(len, 11), sine(len, 97.0, 0.3));
    let run = |sizes: &[usize]| {
        let mut d = detector(s, 2, 4096);
        let (mut a, mut b) = (vec![0.0; len], vec![0.0; len]);
        let (mut i, mut k) = (0, 0);
        while i < len {
            let e = (i + sizes[k % sizes.len()]).min(len);
            d.process(
                &[&l[i..e], &r[i..e]],
                None,
                &mut [&mut a[i..e], &mut b[i..e]],
            );
            (i, k) = (e, k + 1);
        }
        (a, b)
    };
    let w = 4800;
    let (a, b) = run(&[4096]);
    for (x, lv) in [(&l, &a), (&r, &b)] {
        let mut sum = 0.0_f64;
        let mut worst = 0.0_f64;
        for n in 0..len {
            sum += f64::from(x[n]).powi(2);
            if n >= w {
                sum -= f64::from(x[n - w]).powi(2);
            }
            // The detector floors the mean square at 1e-20 (−200 dB).
            let want = 10.0 * (sum / w as f64).max(1e-20).log10();
            worst = worst.max((f64::from(lv[n]) - want).abs());
        }
        assert!(worst < 1e-3, "worst {worst} dB");
    }
    for sizes in [&[1, 7, 333][..], &[4096, 1], &[64], &[1000, 2500]] {
        assert_eq!(run(sizes), (a.clone(), b.clone()), "blocks {sizes:?}");
    }
}

#[test]
fn power_output_is_the_linked_level_before_its_logarithm() {
    // `process_power` (the Ducker's trigger input) against `process` fully linked: the
    // same key filters and detection, so the dB level is exactly the logarithm of the
    // power, sample for sample, in peak and RMS mode, with and without key filters; and
    // independently, unfiltered peak power is max(L², R²).
    let (l, r) = (noise(4096, 1), noise(4096, 2));
    let r: Vec<f32> = r.iter().map(|v| 0.5 * v).collect();
    for (mode, filters) in [
        (DetectionMode::Peak, true),
        (DetectionMode::Peak, false),
        (DetectionMode::Rms, true),
    ] {
        let s = DetectorSettings {
            mode,
            link: 1.0,
            key_hp: filters,
            key_hp_hz: 60.0,
            key_lp: filters,
            key_lp_hz: 3000.0,
            ..Default::default()
        };
        let (mut a, mut b) = (detector(s, 2, 512), detector(s, 2, 512));
        for block in [l.len() / 8; 8].iter().enumerate() {
            let (i, n) = (block.0 * block.1, *block.1);
            let main: [&[f32]; 2] = [&l[i..i + n], &r[i..i + n]];
            let db = detect(&mut a, &main, None);
            let (mut p, mut scratch) = (vec![0.0; n], vec![0.0; n]);
            assert_eq!(b.process_power(&main, None, &mut [&mut p, &mut scratch]), n);
            for k in 0..n {
                assert_eq!(
                    power_to_db(p[k]).to_bits(),
                    db[0][k].to_bits(),
                    "{mode:?} {k}"
                );
                if !filters && mode == DetectionMode::Peak {
                    let want = (l[i + k] * l[i + k]).max(r[i + k] * r[i + k]);
                    assert_eq!(p[k], want);
                }
            }
        }
    }
}
