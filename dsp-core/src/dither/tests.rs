// Index loops read closer to the maths in these tests.
#![allow(clippy::needless_range_loop)]

use super::*;
use std::f64::consts::PI;

fn run(mode: DitherMode, bits: DitherBits, x: &[f32], block: usize) -> Vec<f32> {
    let mut d = Dither::new();
    d.prepare(48_000.0, block, 1);
    d.set(mode, bits);
    let mut y = x.to_vec();
    for b in y.chunks_mut(block) {
        d.process(0, b);
    }
    y
}

fn errors(x: &[f32], y: &[f32]) -> Vec<f64> {
    x.iter()
        .zip(y)
        .map(|(&a, &b)| f64::from(b) - f64::from(a))
        .collect()
}

fn mean_var(e: &[f64]) -> (f64, f64) {
    let n = e.len() as f64;
    let m = e.iter().sum::<f64>() / n;
    (m, e.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n)
}

#[test]
fn off_is_the_identity_and_outputs_sit_on_the_grid() {
    let x = crate::test_util::noise(4096, 1);
    assert_eq!(run(DitherMode::Off, DitherBits::Bits16, &x, 64), x);
    for bits in [DitherBits::Bits16, DitherBits::Bits24] {
        let q = bits.lsb();
        for mode in [DitherMode::Tpdf, DitherMode::NoiseShaped] {
            let y = run(mode, bits, &x, 100);
            for &v in &y {
                let k = f64::from(v) / q;
                assert_eq!(k, k.round(), "{mode:?} {bits:?}: {v} off the grid");
            }
        }
    }
}

/// TPDF: the total error has mean 0 and variance q²/4 whatever the input (no noise
/// modulation), and it is uncorrelated with the signal.
#[test]
fn tpdf_error_moments_do_not_depend_on_the_signal() {
    let bits = DitherBits::Bits16;
    let q = bits.lsb();
    let n = 200_000;
    for frac in [0.0, 0.13, 0.25, 0.5, 0.71] {
        let x = vec![((1000.0 + frac) * q) as f32; n];
        let y = run(DitherMode::Tpdf, bits, &x, 512);
        let (m, v) = mean_var(&errors(&x, &y));
        assert!(m.abs() < 0.01 * q, "frac {frac}: mean {} q", m / q);
        let ratio = v / (q * q / 4.0);
        assert!(
            (ratio - 1.0).abs() < 0.05,
            "frac {frac}: variance {ratio} × q²/4"
        );
    }
    // A −80 dBFS sine: error uncorrelated with it.
    let x: Vec<f32> = (0..n)
        .map(|i| (1e-4 * (2.0 * PI * 997.0 * i as f64 / 48_000.0).sin()) as f32)
        .collect();
    let e = errors(&x, &run(DitherMode::Tpdf, bits, &x, 256));
    let (sx, se) = (
        x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>(),
        e.iter().map(|v| v * v).sum::<f64>(),
    );
    let cross: f64 = x.iter().zip(&e).map(|(&a, b)| f64::from(a) * b).sum();
    let rho = cross / (sx * se).sqrt();
    assert!(rho.abs() < 0.01, "correlation {rho}");
}

/// |NTF(e^{jω})|² of the shaping filter, written from the coefficients.
fn ntf_power(w: f64) -> f64 {
    let (mut re, mut im) = (1.0, 0.0);
    for (k, h) in SHAPING_COEFS.iter().enumerate() {
        let p = w * (k + 1) as f64;
        re -= h * p.cos();
        im += h * p.sin();
    }
    re * re + im * im
}

/// Noise shaping: the error spectrum is (q²/4)·|NTF|², measured by an averaged Hann
/// periodogram in bands.
#[test]
fn noise_shaped_error_follows_the_ntf() {
    let bits = DitherBits::Bits16;
    let q = bits.lsb();
    let (seg, segs) = (1024, 96);
    let x: Vec<f32> = (0..seg * segs)
        .map(|i| (0.3 * (2.0 * PI * 440.0 * i as f64 / 48_000.0).sin()) as f32)
        .collect();
    let e = errors(&x, &run(DitherMode::NoiseShaped, bits, &x, 333));
    let win: Vec<f64> = (0..seg)
        .map(|i| 0.5 - 0.5 * (2.0 * PI * i as f64 / seg as f64).cos())
        .collect();
    let w2: f64 = win.iter().map(|w| w * w).sum();
    let mut worst: f64 = 0.0;
    for centre_hz in [1_000.0, 4_000.0, 8_000.0, 12_000.0, 16_000.0, 20_000.0] {
        let k0 = (centre_hz / 48_000.0 * seg as f64).round() as usize;
        let (mut got, mut want) = (0.0, 0.0);
        for k in k0 - 6..=k0 + 6 {
            let w = 2.0 * PI * k as f64 / seg as f64;
            for s in 0..segs {
                let (mut re, mut im) = (0.0, 0.0);
                for i in 0..seg {
                    let v = e[s * seg + i] * win[i];
                    re += v * (w * i as f64).cos();
                    im -= v * (w * i as f64).sin();
                }
                got += (re * re + im * im) / w2;
            }
            want += q * q / 4.0 * ntf_power(w) * segs as f64;
        }
        let diff_db = 10.0 * (got / want).log10();
        worst = worst.max(diff_db.abs());
        assert!(
            diff_db.abs() < 1.0,
            "{centre_hz} Hz: {diff_db:+.2} dB from (q²/4)|NTF|²"
        );
    }
    eprintln!("noise-shaped spectrum: worst band {worst:.2} dB from theory");
}

#[test]
fn error_stays_within_the_bound_and_blocks_do_not_matter() {
    let x: Vec<f32> = crate::test_util::noise(50_000, 7)
        .iter()
        .map(|v| v * 0.9)
        .collect();
    for bits in [DitherBits::Bits16, DitherBits::Bits24] {
        for mode in [DitherMode::Tpdf, DitherMode::NoiseShaped] {
            let y = run(mode, bits, &x, 512);
            let worst = errors(&x, &y).iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            let bound = f64::from(Dither::peak_bound(mode, bits)) / 4.0;
            assert!(
                worst <= bound * 1.0001,
                "{mode:?} {bits:?}: {worst} > {bound}"
            );
            for block in [1, 7, 4096] {
                assert_eq!(run(mode, bits, &x, block), y, "{mode:?} block {block}");
            }
        }
    }
    let mut silence = vec![0.0_f32; 64];
    let mut d = Dither::new();
    d.set(DitherMode::NoiseShaped, DitherBits::Bits16);
    d.process(0, &mut silence);
    assert!(
        silence.iter().all(|&v| v == 0.0),
        "digital silence stays silent"
    );
    let mut bad = vec![f32::NAN, f32::INFINITY, 0.5, f32::NEG_INFINITY];
    let mut d = Dither::new();
    d.set(DitherMode::NoiseShaped, DitherBits::Bits16);
    d.process(0, &mut bad);
    assert!(bad.iter().all(|v| v.is_finite() && v.abs() < 0.6));
}

/// Both channels in one loop give each channel's `process` output bit for bit, and the
/// states carry on identically (blocks of unequal length, digital silence, both modes).
#[test]
fn process_pair_equals_per_channel_processing() {
    let mut rng = fastrand::Rng::with_seed(21);
    for mode in [DitherMode::Tpdf, DitherMode::NoiseShaped] {
        for bits in [DitherBits::Bits16, DitherBits::Bits24] {
            let (mut pair, mut single) = (Dither::new(), Dither::new());
            pair.set(mode, bits);
            single.set(mode, bits);
            for block in 0..60 {
                let (nl, nr) = (rng.usize(0..300), rng.usize(0..300));
                let gen = |rng: &mut fastrand::Rng, n: usize| -> Vec<f32> {
                    (0..n)
                        .map(|_| {
                            if block % 7 == 3 {
                                0.0
                            } else {
                                0.8 * (rng.f32() - 0.5)
                            }
                        })
                        .collect()
                };
                let (l, r) = (gen(&mut rng, nl), gen(&mut rng, nr));
                let (mut pl, mut pr) = (l.clone(), r.clone());
                pair.process_pair(&mut pl, &mut pr);
                let (mut sl, mut sr) = (l, r);
                single.process(0, &mut sl);
                single.process(1, &mut sr);
                let bits_of = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits_of(&pl),
                    bits_of(&sl),
                    "{mode:?} {bits:?} block {block} left"
                );
                assert_eq!(
                    bits_of(&pr),
                    bits_of(&sr),
                    "{mode:?} {bits:?} block {block} right"
                );
            }
        }
    }
}
