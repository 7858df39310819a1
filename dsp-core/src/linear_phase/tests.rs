use super::*;
use crate::test_util::{dtft, log_freqs, noise};

/// Runs `x` (stereo: the same noise, right inverted) through a splitter in blocks of
/// `block` (0 = random 1..600), returning the left bands.
fn split(
    s: &mut LinearPhaseSplitter,
    x: &[f32],
    block: usize,
    change_at: Option<(usize, &[f32])>,
) -> Vec<Vec<f32>> {
    let nb = MAX_BANDS;
    let xr: Vec<f32> = x.iter().map(|v| -v).collect();
    let mut bands = vec![vec![0.0; x.len()]; nb];
    let mut bands_r = vec![vec![0.0; x.len()]; nb];
    let mut rng = fastrand::Rng::with_seed(7);
    let mut i = 0;
    while i < x.len() {
        let mut n = if block == 0 { rng.usize(1..600) } else { block };
        if let Some((at, hz)) = change_at {
            if i < at && i + n > at {
                n = at - i;
            }
            if i == at {
                s.set_bands(hz);
            }
        }
        let n = n.min(x.len() - i);
        let mut l: Vec<&mut [f32]> = bands.iter_mut().map(|b| &mut b[i..i + n]).collect();
        let mut r: Vec<&mut [f32]> = bands_r.iter_mut().map(|b| &mut b[i..i + n]).collect();
        s.process_stereo(&x[i..i + n], &xr[i..i + n], &mut l, &mut r);
        i += n;
    }
    // The right channel is the exact negative of the left (linear, same kernels).
    for (bl, br) in bands.iter().zip(&bands_r) {
        for (a, b) in bl.iter().zip(br) {
            assert!((a + b).abs() <= 1e-6 * (1.0 + a.abs()), "{a} {b}");
        }
    }
    // Bands past `num_bands` stay untouched (zero here).
    bands
}

/// Energy of `Σ bands − x(n − latency)` relative to the energy of `x`, in dB, over the
/// samples from `from` on.
fn null_db(bands: &[Vec<f32>], x: &[f32], latency: usize, from: usize) -> f64 {
    let (mut err, mut sig) = (0.0_f64, 0.0_f64);
    for n in from.max(latency)..x.len() {
        let sum: f64 = bands.iter().map(|b| f64::from(b[n])).sum();
        let d = f64::from(x[n - latency]);
        err += (sum - d).powi(2);
        sig += d * d;
    }
    10.0 * (err / sig).log10()
}

fn prepared(fs: f32, hz: &[f32]) -> LinearPhaseSplitter {
    let mut s = LinearPhaseSplitter::new();
    s.set_bands(hz);
    s.prepare(fs, 512, 2);
    s
}

#[test]
fn bands_sum_to_the_delayed_input_at_every_band_count_and_rate() {
    let cases: [(f32, &[f32]); 6] = [
        (48_000.0, &[1000.0]),
        (48_000.0, &[20.0, 20_000.0]),
        (44_100.0, &[120.0, 1000.0, 6000.0]),
        (8_000.0, &[100.0, 500.0, 1500.0, 3000.0]),
        (96_000.0, &[60.0, 300.0, 2500.0, 12_000.0]),
        (384_000.0, &[20.0, 200.0, 2000.0, 20_000.0]),
    ];
    for (fs, hz) in cases {
        let mut s = prepared(fs, hz);
        let lat = s.latency();
        let expect = (HALF_LENGTH_MS * 1e-3 * f64::from(fs)).round() as usize;
        assert_eq!(lat, expect + s.partition_len(), "{fs}");
        let x = noise(lat + 8000, 3);
        let bands = split(&mut s, &x, 0, None);
        assert_eq!(s.num_bands(), hz.len() + 1);
        let null = null_db(&bands, &x, lat, 0);
        println!("fs {fs} bands {}: null {null:.1} dB", hz.len() + 1);
        assert!(null < -90.0, "fs {fs} {hz:?}: {null} dB");
    }
}

#[test]
fn impulse_response_is_symmetric_about_the_latency_and_sums_to_an_impulse() {
    let mut s = prepared(48_000.0, &[200.0, 2000.0, 8000.0]);
    let lat = s.latency();
    let d = s.kernel_len() / 2;
    let mut x = vec![0.0; lat + d + 600];
    x[0] = 1.0;
    let bands = split(&mut s, &x, 64, None);
    for (n, _) in x.iter().enumerate() {
        let sum: f32 = bands.iter().map(|b| b[n]).sum();
        let want = if n == lat { 1.0 } else { 0.0 };
        assert!((sum - want).abs() < 1e-6, "n {n}: {sum}");
    }
    for (b, band) in bands.iter().enumerate() {
        let peak = band.iter().fold(0.0_f32, |m, v| m.max(v.abs()));
        for k in 1..=d {
            let (a, c) = (band[lat - k], band[lat + k]);
            assert!((a - c).abs() <= 1e-6 * peak, "band {b} k {k}: {a} {c}");
        }
        // Nothing outside the kernel's support.
        assert!(band[..lat - d].iter().all(|v| *v == 0.0), "band {b}");
    }
}

#[test]
fn band_magnitudes_follow_the_lr4_target() {
    for (fs, hz) in [
        (48_000.0, vec![20.0, 500.0, 5000.0, 20_000.0]),
        (44_100.0, vec![80.0, 1000.0]),
        (96_000.0, vec![150.0, 3000.0, 15_000.0]),
    ] {
        let mut s = prepared(fs, &hz);
        let lat = s.latency();
        let d = s.kernel_len() / 2;
        let mut x = vec![0.0; lat + d + 1];
        x[0] = 1.0;
        let bands = split(&mut s, &x, 512, None);
        let (mut worst_abs, mut worst_db) = (0.0_f64, 0.0_f64);
        for f in log_freqs(10.0, 0.49 * f64::from(fs), 300) {
            for (b, band) in bands.iter().enumerate() {
                let (re, im) = dtft(band, f, f64::from(fs));
                let got = (re * re + im * im).sqrt();
                let want = band_magnitude(fs, &hz, b, f as f32);
                worst_abs = worst_abs.max((got - want).abs());
                if want > 0.5 {
                    worst_db = worst_db.max((20.0 * (got / want).log10()).abs());
                }
            }
        }
        println!("fs {fs} {hz:?}: worst |error| {worst_abs:.2e}, {worst_db:.4} dB where > -6 dB");
        assert!(worst_abs < 3e-4, "{fs} {hz:?}: {worst_abs}");
        assert!(worst_db < 0.005, "{fs} {hz:?}: {worst_db}");
    }
    // The outer bands are the LR4 magnitudes: −6.02 dB at the crossover.
    let lo = band_magnitude(48_000.0, &[1000.0], 0, 1000.0);
    let hi = band_magnitude(48_000.0, &[1000.0], 1, 1000.0);
    assert!((20.0 * lo.log10() + 6.0206).abs() < 1e-3 && (lo - hi).abs() < 1e-12);
}

#[test]
fn output_is_identical_for_any_block_size_including_a_crossover_change() {
    let x = noise(30_000, 11);
    let change: &[f32] = &[300.0, 3000.0, 9000.0];
    let mut reference = None;
    for block in [1, 64, 1000, 8192, 0] {
        let mut s = prepared(48_000.0, &[500.0, 5000.0]);
        let out = split(&mut s, &x, block, Some((12_345, change)));
        match &reference {
            None => reference = Some(out),
            Some(r) => assert_eq!(r, &out, "block {block}"),
        }
    }
}

#[test]
fn moving_crossovers_cross_fade_without_clicks_and_keep_the_null() {
    let fs = 48_000.0;
    let f = 1000.0;
    let x: Vec<f32> = (0..60_000)
        .map(|n| (2.0 * std::f32::consts::PI * f * n as f32 / fs).sin() * 0.5)
        .collect();
    let mut s = prepared(fs, &[400.0]);
    let lat = s.latency();
    // Low band: the sine is above the crossover (quiet), then 2.5 kHz puts it inside.
    let bands = split(&mut s, &x, 100, Some((lat + 10_000, &[2500.0])));
    let null = null_db(&bands, &x, lat, lat);
    assert!(null < -90.0, "{null}");
    let low = &bands[0];
    let before = low[lat + 8000..lat + 9000]
        .iter()
        .fold(0.0_f32, |m, v| m.max(v.abs()));
    let after = low[lat + 20_000..]
        .iter()
        .fold(0.0_f32, |m, v| m.max(v.abs()));
    assert!(before < 0.05 && after > 0.45, "{before} {after}");
    // Largest second difference: a steady sine's is A·(2π f/fs)²; a hard kernel switch
    // would add a step of up to the band's amplitude.
    let sine_d2 = 0.5 * (2.0 * std::f32::consts::PI * f / fs).powi(2);
    let d2 = low[lat..]
        .windows(3)
        .map(|w| (w[2] - 2.0 * w[1] + w[0]).abs())
        .fold(0.0_f32, f32::max);
    println!("max second difference {d2:.5} (steady sine {sine_d2:.5})");
    assert!(d2 < 1.1 * sine_d2, "{d2} vs {sine_d2}");
}

#[test]
fn band_count_changes_keep_the_null() {
    let x = noise(40_000, 5);
    let mut s = prepared(48_000.0, &[1000.0]);
    let lat = s.latency();
    let b1 = split(
        &mut s,
        &x[..20_000],
        64,
        Some((7000, &[100.0, 1000.0, 5000.0])),
    );
    let b2 = split(&mut s, &x[20_000..], 64, Some((5000, &[2000.0])));
    // Stitch: the 4-band part then the 2-band part, summed per sample.
    let sum: Vec<f32> = (0..x.len())
        .map(|n| {
            if n < 20_000 {
                b1.iter().map(|b| b[n]).sum()
            } else {
                b2.iter().map(|b| b[n - 20_000]).sum()
            }
        })
        .collect();
    let null = null_db(&[sum], &x, lat, lat);
    assert!(null < -90.0, "{null}");
}

#[test]
fn hostile_input_gives_finite_output_and_does_not_poison_later_blocks() {
    let mut s = prepared(48_000.0, &[200.0, 4000.0]);
    let lat = s.latency();
    let mut x = noise(lat * 4, 9);
    x[100..200].fill(f32::NAN);
    x[300] = f32::INFINITY;
    x[400] = f32::MAX;
    x[401] = -f32::MAX;
    x[500..600].fill(1e-40);
    let bands = split(&mut s, &x, 256, None);
    assert!(bands.iter().flatten().all(|v| v.is_finite()));
    // After the kernel has passed the bad samples, the null holds again.
    let clean: Vec<f32> = x
        .iter()
        .map(|v| {
            if v.is_finite() {
                v.clamp(-INPUT_LIMIT, INPUT_LIMIT)
            } else {
                0.0
            }
        })
        .collect();
    let from = lat + 600 + s.kernel_len();
    let null = null_db(&bands, &clean, lat, from);
    assert!(null < -90.0, "{null}");
}

#[test]
fn reset_clears_and_an_unprepared_splitter_is_silent() {
    let mut s = LinearPhaseSplitter::new();
    let mut a = vec![1.0; 64];
    let mut b = vec![1.0; 64];
    s.process_mono(&[1.0; 64], &mut [&mut a, &mut b]);
    assert!(a.iter().chain(&b).all(|v| *v == 0.0));
    let mut s = prepared(48_000.0, &[1000.0]);
    let x = noise(20_000, 1);
    let first = split(&mut s, &x, 64, None);
    s.reset();
    let second = split(&mut s, &x, 64, None);
    assert_eq!(first, second);
}

#[test]
fn installed_kernels_equal_inline_design_and_come_back_for_dropping() {
    // One splitter designs on the calling thread (`set_bands`), the other gets the same
    // change as a set designed elsewhere: identical bands, sample for sample, through
    // the change and its cross-fade (both swap in at the same partition boundary).
    let fs = 48_000.0;
    let x = noise(40_000, 12);
    let change: [f32; 3] = [300.0, 3000.0, 9000.0];
    let at = 12_345;
    let mut inline = prepared(fs, &[500.0, 5000.0]);
    let want = split(&mut inline, &x, 333, Some((at, &change)));
    let mut installed = prepared(fs, &[500.0, 5000.0]);
    installed.set_inline_design(false);
    // A set for another rate does not fit and comes straight back.
    let other_rate = LinearPhaseSplitter::design(&change, 44_100.0);
    assert!(!other_rate.fits(&installed));
    assert!(installed.install_kernels(other_rate).is_some());
    let set = LinearPhaseSplitter::design(&change, fs);
    assert!(set.fits(&installed) && set.num_bands() == 4);
    assert_eq!(set.crossover_hz(), &change[..]);
    let first = split(&mut installed, &x[..at], 333, None);
    // `set_bands` alone does nothing without inline design.
    installed.set_bands(&[100.0]);
    assert!(installed.install_kernels(set).is_none());
    let rest = split(&mut installed, &x[at..], 333, None);
    assert_eq!(installed.crossover_hz(), &change[..]);
    for b in 0..MAX_BANDS {
        let got: Vec<f32> = first[b].iter().chain(&rest[b]).copied().collect();
        assert!(got == want[b], "band {b}");
    }
    // The replaced storage comes back (once), and a later set is handed its slot.
    let retired = installed.take_retired_kernels();
    assert!(retired.is_some());
    assert!(installed.take_retired_kernels().is_none());
    // Two sets before a boundary: the newest wins, the first comes back unused.
    let a = LinearPhaseSplitter::design(&[700.0], fs);
    let b = LinearPhaseSplitter::design(&[1500.0], fs);
    assert!(installed.install_kernels(a).is_none());
    let unused = installed.install_kernels(b).expect("replaced set");
    assert_eq!(unused.crossover_hz(), &[700.0]);
    split(&mut installed, &x[..2000], 100, None);
    assert_eq!(installed.crossover_hz(), &[1500.0]);
    assert_eq!(installed.num_bands(), 2);
}
