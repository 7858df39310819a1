// Index loops read closer to the maths in these tests.
#![allow(clippy::needless_range_loop)]

use super::*;
use crate::test_util::{dtft_db, log_freqs, noise};

const FS: f32 = 48_000.0;

fn imager(s: &ImagerSettings) -> Imager {
    let mut im = Imager::new();
    im.prepare(FS, 512, 2);
    im.set_settings(s);
    im
}

/// Runs `(l, r)` through `im` in blocks of `block` (0 = random 1..700).
fn run(im: &mut Imager, l: &[f32], r: &[f32], block: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (l.to_vec(), r.to_vec());
    let mut rng = fastrand::Rng::with_seed(3);
    let mut i = 0;
    while i < l.len() {
        let n = if block == 0 { rng.usize(1..700) } else { block }.min(l.len() - i);
        im.process_stereo(&mut l[i..i + n], &mut r[i..i + n]);
        i += n;
    }
    (l, r)
}

/// Period of the band-limited test noise.
const PERIOD: usize = 1 << 16;

/// Periodic band-limited noise: random phases, equal amplitudes in the FFT bins of
/// `lo..hi` Hz (period [`PERIOD`]), tiled to `len` samples. Over one whole period the
/// components are orthogonal, so powers add exactly.
fn band_noise(len: usize, lo: usize, hi: usize, _step: usize, seed: u64) -> Vec<f32> {
    use realfft::RealFftPlanner;
    let mut rng = fastrand::Rng::with_seed(seed);
    let ifft = RealFftPlanner::<f32>::new().plan_fft_inverse(PERIOD);
    let mut spec = ifft.make_input_vec();
    let bin_hz = f64::from(FS) / PERIOD as f64;
    for (k, c) in spec.iter_mut().enumerate() {
        let f = k as f64 * bin_hz;
        if f >= lo as f64 && f < hi as f64 && k > 0 && k < PERIOD / 2 {
            let p = rng.f32() * std::f32::consts::TAU;
            *c = realfft::num_complex::Complex::new(p.cos(), p.sin());
        }
    }
    let mut base = ifft.make_output_vec();
    ifft.process(&mut spec, &mut base).unwrap();
    let peak = base.iter().fold(0.0_f32, |m, v| m.max(v.abs()));
    (0..len).map(|n| 0.4 * base[n % PERIOD] / peak).collect()
}

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

#[test]
fn neutral_minimum_phase_is_flat_within_0_01_db() {
    for nb in 1..=MAX_BANDS {
        let s = ImagerSettings {
            num_bands: nb,
            crossover_hz: [80.0, 900.0, 7000.0],
            ..Default::default()
        };
        let mut worst = 0.0_f64;
        for (rl, rr) in [(1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, -1.0)] {
            let mut im = imager(&s);
            let mut l = vec![0.0; 48_000];
            let mut r = vec![0.0; 48_000];
            (l[0], r[0]) = (rl, rr);
            let (ol, or) = run(&mut im, &l, &r, 256);
            for f in log_freqs(10.0, 21_000.0, 200) {
                for (out, want) in [(&ol, rl), (&or, rr)] {
                    if want != 0.0 {
                        worst = worst.max(dtft_db(out, f, f64::from(FS)).abs());
                    } else {
                        // No leakage into the other channel.
                        assert!(dtft_db(out, f, f64::from(FS)) < -100.0);
                    }
                }
            }
        }
        println!("{nb} bands: worst deviation {worst:.5} dB");
        assert!(worst < 0.01, "{nb}: {worst}");
    }
}

#[test]
fn neutral_linear_phase_nulls_against_the_delayed_input() {
    for nb in 1..=MAX_BANDS {
        let s = ImagerSettings {
            num_bands: nb,
            phase: PhaseMode::Linear,
            ..Default::default()
        };
        let mut im = imager(&s);
        let lat = im.latency();
        assert_eq!(lat, im.latency_for(PhaseMode::Linear));
        let l = noise(lat + 20_000, 1);
        let r = noise(lat + 20_000, 2);
        let (ol, or) = run(&mut im, &l, &r, 0);
        let (mut err, mut sig) = (0.0, 0.0);
        for n in lat..l.len() {
            err += f64::from(ol[n] - l[n - lat]).powi(2) + f64::from(or[n] - r[n - lat]).powi(2);
            sig += f64::from(l[n - lat]).powi(2) + f64::from(r[n - lat]).powi(2);
        }
        let null = 10.0 * (err / sig).log10();
        println!("{nb} bands linear: null {null:.1} dB");
        assert!(null < -90.0, "{nb}: {null}");
    }
}

/// Side/mid ratio change of the output against the input, in dB, for mid and side made
/// of band-limited noise in `lo..hi` Hz (one noise period measured after 0.5 s of settling).
fn width_gain_db(s: &ImagerSettings, lo: usize, hi: usize) -> f64 {
    let mut im = imager(s);
    let lat = im.latency();
    let len = 24_000 + PERIOD + lat;
    let m = band_noise(len, lo, hi, 3, 11);
    let sd = band_noise(len, lo, hi, 3, 12);
    let l: Vec<f32> = m.iter().zip(&sd).map(|(a, b)| a + b).collect();
    let r: Vec<f32> = m.iter().zip(&sd).map(|(a, b)| a - b).collect();
    let (ol, or) = run(&mut im, &l, &r, 512);
    let w = 24_000 + lat..24_000 + PERIOD + lat;
    let om: Vec<f32> = w.clone().map(|n| 0.5 * (ol[n] + or[n])).collect();
    let os: Vec<f32> = w.map(|n| 0.5 * (ol[n] - or[n])).collect();
    let iw = 24_000..24_000 + PERIOD;
    20.0 * (rms(&os) / rms(&om)).log10() - 20.0 * (rms(&sd[iw.clone()]) / rms(&m[iw])).log10()
}

#[test]
fn width_law_is_exact_per_band_on_band_limited_noise() {
    // Two bands at 1 kHz; noise 2.3 octaves from the crossover in each band.
    let mut worst = 0.0_f64;
    for phase in [PhaseMode::Minimum, PhaseMode::Linear] {
        for (w0, w1) in [
            (0.25, 2.0),
            (1.5, 0.5),
            (0.5, 1.0),
            (2.0, 1.25),
            (0.1, 1.75),
        ] {
            let s = ImagerSettings {
                num_bands: 2,
                crossover_hz: [1000.0, 5000.0, 10_000.0],
                width: [w0, w1, 1.0, 1.0],
                phase,
                ..Default::default()
            };
            for (band, lo, hi, want) in [(0, 100, 200, w0), (1, 5000, 10_000, w1)] {
                let got = width_gain_db(&s, lo, hi);
                let want_db = 20.0 * f64::from(want).log10();
                worst = worst.max((got - want_db).abs());
                assert!(
                    (got - want_db).abs() < 0.1,
                    "{phase:?} band {band} width {want}: {got} dB vs {want_db}"
                );
            }
        }
        // Four bands with one width each: the law holds whatever the band.
        for w in [0.3, 1.7] {
            let s = ImagerSettings {
                num_bands: 4,
                crossover_hz: [150.0, 1500.0, 8000.0],
                width: [w; MAX_BANDS],
                phase,
                ..Default::default()
            };
            let got = width_gain_db(&s, 50, 16_000);
            let want_db = 20.0 * f64::from(w).log10();
            worst = worst.max((got - want_db).abs());
            assert!(
                (got - want_db).abs() < 0.1,
                "{phase:?} {w}: {got} vs {want_db}"
            );
        }
    }
    println!("width law: worst error {worst:.4} dB");
    // Width 0 is exact mono.
    let s = ImagerSettings {
        num_bands: 3,
        width: [0.0; MAX_BANDS],
        ..Default::default()
    };
    let mut im = imager(&s);
    let (ol, or) = run(&mut im, &noise(20_000, 4), &noise(20_000, 5), 100);
    assert!(ol
        .iter()
        .zip(&or)
        .skip(1000)
        .all(|(a, b)| (a - b).abs() < 1e-6));
}

#[test]
fn widening_never_changes_the_mono_fold_down() {
    let l = noise(40_000, 7);
    let r = noise(40_000, 8);
    for phase in [PhaseMode::Minimum, PhaseMode::Linear] {
        let base = ImagerSettings {
            num_bands: 4,
            crossover_hz: [120.0, 1000.0, 6000.0],
            phase,
            ..Default::default()
        };
        let (bl, br) = run(&mut imager(&base), &l, &r, 333);
        let wide = ImagerSettings {
            width: [0.0, 2.0, 0.6, 1.8],
            ..base
        };
        let (wl, wr) = run(&mut imager(&wide), &l, &r, 333);
        let mut worst = 0.0_f32;
        for n in 0..l.len() {
            let (mb, mw) = (0.5 * (bl[n] + br[n]), 0.5 * (wl[n] + wr[n]));
            worst = worst.max((mb - mw).abs());
        }
        assert!(worst < 1e-6, "{phase:?}: {worst}");
        // And the neutral fold-down has the input's mid level (all-pass / delay).
        let mid_in: Vec<f32> = l.iter().zip(&r).map(|(a, b)| 0.5 * (a + b)).collect();
        let mid_out: Vec<f32> = wl.iter().zip(&wr).map(|(a, b)| 0.5 * (a + b)).collect();
        let d = 20.0 * (rms(&mid_out[10_000..]) / rms(&mid_in[10_000..])).log10();
        assert!(d.abs() < 0.05, "{phase:?}: {d}");
    }
}

#[test]
fn correlation_meters_read_known_signals() {
    // Far-apart seeds: fastrand's neighbouring seeds give correlated sequences.
    let x = noise(96_000, 9);
    let y = noise(96_000, 0x5eed_1234_abcd);
    let neg: Vec<f32> = x.iter().map(|v| -v).collect();
    for (r, want, tol) in [(&x, 1.0, 1e-3), (&neg, -1.0, 1e-3), (&y, 0.0, 0.05)] {
        let mut im = imager(&ImagerSettings {
            num_bands: 4,
            ..Default::default()
        });
        run(&mut im, &x, r, 480);
        let c = im.correlation();
        assert!((c - want).abs() < tol, "overall {c} vs {want}");
        for b in 0..4 {
            let c = im.band_correlation(b);
            // Per band fewer independent samples (low band): looser for noise.
            let tol = if want == 0.0 { 0.15 } else { tol };
            assert!((c - want).abs() < tol, "band {b}: {c} vs {want}");
        }
        if want == 1.0 {
            assert!(im.side_rms() < 1e-6 && im.mid_rms() > 0.3);
        }
        if want == -1.0 {
            assert!(im.mid_rms() < 1e-6 && im.side_rms() > 0.3);
        }
    }
}

#[test]
fn output_is_identical_for_any_block_size_through_changes() {
    let l = noise(60_000, 21);
    let r = noise(60_000, 22);
    for phase in [PhaseMode::Minimum, PhaseMode::Linear] {
        let s0 = ImagerSettings {
            num_bands: 3,
            phase,
            ..Default::default()
        };
        let s1 = ImagerSettings {
            num_bands: 3,
            crossover_hz: [400.0, 3000.0, 9000.0],
            width: [0.0, 1.7, 0.5, 1.0],
            bass_mono: true,
            side_hp: true,
            balance: 0.4,
            swap: true,
            invert_left: true,
            phase,
            ..Default::default()
        };
        let s2 = ImagerSettings {
            num_bands: 2,
            mono_monitor: true,
            ..s1
        };
        let mut reference: Option<(Vec<f32>, Vec<f32>)> = None;
        for block in [1, 64, 500, 8192, 0] {
            let mut im = imager(&s0);
            let (mut ol, mut or) = (l.clone(), r.clone());
            let mut rng = fastrand::Rng::with_seed(5);
            let mut i = 0;
            while i < l.len() {
                let mut n = if block == 0 { rng.usize(1..700) } else { block };
                for at in [10_000, 30_000] {
                    if i < at && i + n > at {
                        n = at - i;
                    }
                }
                if i == 10_000 {
                    im.set_settings(&s1);
                }
                if i == 30_000 {
                    im.set_settings(&s2);
                }
                let n = n.min(l.len() - i);
                im.process_stereo(&mut ol[i..i + n], &mut or[i..i + n]);
                i += n;
            }
            match &reference {
                None => reference = Some((ol, or)),
                Some((rl, rr)) => {
                    assert!(rl == &ol && rr == &or, "{phase:?} block {block}");
                }
            }
        }
    }
}

#[test]
fn changes_while_playing_do_not_click() {
    // A 300 Hz sine with side content; every control jumps. The largest second
    // difference may not exceed the steady sine's by much.
    let f = 300.0;
    let len = 48_000;
    let l: Vec<f32> = (0..len)
        .map(|n| 0.5 * (std::f32::consts::TAU * f * n as f32 / FS).sin())
        .collect();
    let r: Vec<f32> = (0..len)
        .map(|n| 0.5 * (std::f32::consts::TAU * f * n as f32 / FS + 1.0).sin())
        .collect();
    let sine_d2 = 0.5 * (std::f32::consts::TAU * f / FS).powi(2);
    let changes: [fn(&mut ImagerSettings); 8] = [
        |s| s.width = [2.0, 0.0, 2.0, 0.0],
        |s| s.swap = true,
        |s| s.invert_right = true,
        |s| s.balance = -1.0,
        |s| s.mono_monitor = true,
        |s| s.crossover_hz = [800.0, 2000.0, 9000.0],
        |s| s.num_bands = 1,
        |s| s.phase = PhaseMode::Linear,
    ];
    for (c, change) in changes.iter().enumerate() {
        let s0 = ImagerSettings {
            num_bands: 3,
            ..Default::default()
        };
        let mut s1 = s0;
        change(&mut s1);
        let mut im = imager(&s0);
        let (mut ol, mut or) = (l.clone(), r.clone());
        im.process_stereo(&mut ol[..20_000], &mut or[..20_000]);
        im.set_settings(&s1);
        im.process_stereo(&mut ol[20_000..], &mut or[20_000..]);
        let d2 = ol[19_000..26_000]
            .windows(3)
            .chain(or[19_000..26_000].windows(3))
            .map(|w| (w[2] - 2.0 * w[1] + w[0]).abs())
            .fold(0.0_f32, f32::max);
        // Width 200 % and the swap can raise a channel's level up to 3x.
        assert!(d2 < 3.0 * sine_d2, "change {c}: {d2} vs {sine_d2}");
    }
}

#[test]
fn hostile_input_stays_finite_and_recovers() {
    for phase in [PhaseMode::Minimum, PhaseMode::Linear] {
        let s = ImagerSettings {
            num_bands: 4,
            width: [2.0; MAX_BANDS],
            bass_mono: true,
            side_hp: true,
            phase,
            ..Default::default()
        };
        let mut im = imager(&s);
        for bad in [f32::NAN, f32::INFINITY, f32::MAX, -f32::MAX, 1e-40, 100.0] {
            let mut l = vec![bad; 512];
            let mut r = vec![-bad; 512];
            im.process_stereo(&mut l, &mut r);
            assert!(l.iter().chain(&r).all(|v| v.is_finite()), "{bad}");
        }
        let mut l = noise(48_000, 1);
        let mut r = noise(48_000, 2);
        im.process_stereo(&mut l, &mut r);
        assert!(l.iter().chain(&r).all(|v| v.is_finite() && v.abs() < 1e10));
        assert!(im.correlation().is_finite());
    }
}

#[test]
fn reset_gives_identical_output() {
    let s = ImagerSettings {
        num_bands: 4,
        width: [0.5, 1.5, 2.0, 0.0],
        bass_mono: true,
        ..Default::default()
    };
    let mut im = imager(&s);
    let l = noise(10_000, 1);
    let r = noise(10_000, 2);
    let a = run(&mut im, &l, &r, 64);
    im.reset();
    im.set_settings(&s);
    let b = run(&mut im, &l, &r, 64);
    assert!(a == b);
}

#[test]
fn installed_kernels_give_the_output_of_inline_design() {
    // Linear phase, crossovers and band count change at 10 000: one imager designs the
    // kernels inside its processing, the other gets them from `design_kernels` (as from
    // a background thread). Same output sample for sample.
    let l = noise(40_000, 31);
    let r = noise(40_000, 32);
    let s0 = ImagerSettings {
        num_bands: 3,
        phase: PhaseMode::Linear,
        ..Default::default()
    };
    let s1 = ImagerSettings {
        num_bands: 4,
        crossover_hz: [250.0, 2500.0, 11_000.0],
        width: [0.5, 1.5, 0.8, 2.0],
        ..s0
    };
    let mut outputs = Vec::new();
    for background in [false, true] {
        let mut im = imager(&s0);
        im.set_inline_kernel_design(!background);
        let (mut ol, mut or) = (l.clone(), r.clone());
        let mut retired = 0;
        for (i, (cl, cr)) in ol.chunks_mut(256).zip(or.chunks_mut(256)).enumerate() {
            if i * 256 == 9984 {
                im.set_settings(&s1);
                if background {
                    assert!(im
                        .install_kernels(Imager::design_kernels(&s1, FS))
                        .is_none());
                }
            }
            im.process_stereo(cl, cr);
            retired += usize::from(im.take_retired_kernels().is_some());
        }
        assert_eq!(retired, usize::from(background));
        outputs.push((ol, or));
    }
    assert!(outputs[0] == outputs[1]);
}
