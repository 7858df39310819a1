//! Cross-checks against the `ebur128` crate (0.1, a port of libebur128, in its exact
//! non-histogram mode) and against exact references written out here: loudness range
//! with a 100 ms hop, and true peak by ideal (long windowed-sinc) interpolation over the
//! whole programme.
//!
//! On the hop: the crate takes a short-term value when its 3 s window first fills and
//! then every 1 s (`short_term_frame_counter` is set back to 20 slots of 100 ms after
//! each value, `ebur128.rs`); this meter takes one every 100 ms, as EBU Tech 3342 (2016)
//! asks (at least 10 Hz). Where the level changes within seconds the two sets of values
//! differ, so the crate is compared only on programmes whose level changes slowly (time
//! scales of 17 s and more), and the fast programmes are compared with an exact LRA
//! computed here with a 100 ms hop. The same reference with a 1 s hop reproduces the
//! crate, which shows the hop is the whole difference.

use super::*;

/// Exact loudness range (EBU Tech 3342) of short-term mean squares: absolute gate
/// −70 LUFS, relative gate −20 LU below the mean of the values above it, then the
/// sorted loudness values at `round((n − 1)·0.95)` minus `round((n − 1)·0.10)`.
fn reference_lra(short_term: &[f64]) -> f64 {
    let above: Vec<f64> = short_term
        .iter()
        .copied()
        .filter(|&z| lufs(z) > -70.0)
        .collect();
    let gate = lufs(above.iter().sum::<f64>() / above.len() as f64) - 20.0;
    let mut v: Vec<f64> = above.into_iter().map(lufs).filter(|&l| l > gate).collect();
    v.sort_by(f64::total_cmp);
    let m = (v.len() - 1) as f64;
    v[(m * 0.95).round() as usize] - v[(m * 0.10).round() as usize]
}

/// Stereo low-passed noise whose level drifts slowly:
/// `−24 + 7·sin(2πt/41 s) + 4·sin(2πt/17 s + 1)` dB, so a short-term value sampled every
/// 1 s and one sampled every 100 ms describe the same distribution.
fn slow_programme(fs: f64, secs: f64, seed: u64) -> Programme {
    let n = (secs * fs) as usize;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut lp = [0.0_f64; 2];
    let mut out = vec![Vec::with_capacity(n), Vec::with_capacity(n)];
    for i in 0..n {
        let t = i as f64 / fs;
        let db =
            -24.0 + 7.0 * (2.0 * PI * t / 41.0).sin() + 4.0 * (2.0 * PI * t / 17.0 + 1.0).sin();
        let g = 10.0_f64.powf(db / 20.0);
        for (c, o) in lp.iter_mut().zip(out.iter_mut()) {
            *c += 0.3 * (rng.f64() * 2.0 - 1.0 - *c);
            o.push((3.0 * g * *c) as f32);
        }
    }
    out
}

fn crate_meter(p: &Programme, fs: f64) -> ebur128::EbuR128 {
    let mut e = ebur128::EbuR128::new(
        2,
        fs as u32,
        ebur128::Mode::I | ebur128::Mode::LRA | ebur128::Mode::TRUE_PEAK,
    )
    .unwrap();
    e.add_frames_planar_f32(&[&p[0], &p[1]]).unwrap();
    e
}

#[test]
fn loudness_range_matches_an_exact_100_ms_reference() {
    // Level steps every 1.5 s: here the hop matters.
    let p = programme(48_000.0, 240.0, 7);
    let sq = reference_squares(&p);
    let exact_100ms = reference_lra(&reference_windows(&sq, 144_000, 4800));
    let exact_1s = reference_lra(&reference_windows(&sq, 144_000, 48_000));
    let ours = measure(48_000.0, &p).loudness_range_lu();
    let theirs = crate_meter(&p, 48_000.0).loudness_range().unwrap();
    println!(
        "LRA: meter {ours:.4} vs exact (100 ms hop) {exact_100ms:.4}; \
         crate {theirs:.4} vs exact (1 s hop) {exact_1s:.4}"
    );
    // The histogram reads each percentile at its 0.01 LU bin centre.
    assert!((ours - exact_100ms).abs() < 0.02, "{ours} {exact_100ms}");
    // The crate is the same computation with a 1 s hop.
    assert!((theirs - exact_1s).abs() < 0.02, "{theirs} {exact_1s}");
}

#[test]
fn cross_check_against_the_ebur128_crate() {
    for fs in [44_100.0, 48_000.0] {
        // Fast level changes: integrated loudness does not depend on the hop.
        let p = programme(fs, 240.0, 7);
        let (m, e) = (measure(fs, &p), crate_meter(&p, fs));
        let i = e.loudness_global().unwrap();
        println!("{fs}: I {:.4} vs crate {i:.4}", m.integrated_lufs());
        assert!((m.integrated_lufs() - i).abs() < 0.01);
        // Slow level changes: LRA does not depend on the hop either.
        let p = slow_programme(fs, 300.0, 8);
        let (m, e) = (measure(fs, &p), crate_meter(&p, fs));
        let (i, lra) = (e.loudness_global().unwrap(), e.loudness_range().unwrap());
        println!(
            "{fs} slow: I {:.4} vs crate {i:.4}; LRA {:.4} vs crate {lra:.4}",
            m.integrated_lufs(),
            m.loudness_range_lu()
        );
        assert!((m.integrated_lufs() - i).abs() < 0.01);
        assert!((m.loudness_range_lu() - lra).abs() < 0.1);
    }
}

/// Linear-phase low-pass at `cutoff` (fraction of fs): Blackman-windowed sinc of `taps`
/// (odd) taps, applied to `x` (same length, delay compensated).
fn low_pass(x: &[f64], cutoff: f64, taps: usize) -> Vec<f64> {
    let half = (taps / 2) as i64;
    let h: Vec<f64> = (-half..=half)
        .map(|k| {
            let k = k as f64;
            let s = if k == 0.0 {
                2.0 * cutoff
            } else {
                (2.0 * PI * cutoff * k).sin() / (PI * k)
            };
            let u = (k + half as f64) / (2.0 * half as f64);
            s * (0.42 - 0.5 * (2.0 * PI * u).cos() + 0.08 * (4.0 * PI * u).cos())
        })
        .collect();
    (0..x.len() as i64)
        .map(|i| {
            h.iter()
                .enumerate()
                .map(|(k, c)| {
                    let j = i + k as i64 - half;
                    if j < 0 || j >= x.len() as i64 {
                        0.0
                    } else {
                        c * x[j as usize]
                    }
                })
                .sum()
        })
        .collect()
}

/// Upsampling factor of the true-peak reference.
const REF_UP: usize = 32;
/// Base-rate taps each side of the reference's windowed sinc.
const REF_HALF: usize = 64;

/// The reference interpolation of `x` at time `t` (samples): `Σ x[j]·sinc(t − j)·w(t − j)`
/// over the `2·REF_HALF` nearest samples, `w` a Blackman window `2·REF_HALF` long
/// (passband flat to ≈ 1e-4 dB up to 0.45·fs).
fn reference_at(x: &[f32], t: f64) -> f64 {
    let i = t.floor() as i64;
    let mut acc = 0.0;
    for j in (i + 1 - REF_HALF as i64)..=(i + REF_HALF as i64) {
        if j < 0 || j >= x.len() as i64 {
            continue;
        }
        let d = t - j as f64;
        let s = if d == 0.0 {
            1.0
        } else {
            (PI * d).sin() / (PI * d)
        };
        let r = PI * d / REF_HALF as f64;
        acc += x[j as usize] as f64 * s * (0.42 + 0.5 * r.cos() + 0.08 * (2.0 * r).cos());
    }
    acc
}

/// True peak (dB) of the whole of `x`: the reference interpolation at 32 points per
/// sample, every sample, then a parabola through the largest point and its neighbours.
fn reference_true_peak_db(x: &[f32]) -> f64 {
    // table[k][p]: weight of x[i + 1 − REF_HALF + k] at time i + p/32 (phases innermost,
    // so the loop below vectorises across phases).
    let mut table = vec![[0.0_f64; REF_UP]; 2 * REF_HALF];
    for (k, row) in table.iter_mut().enumerate() {
        for (p, c) in row.iter_mut().enumerate() {
            let mut unit = vec![0.0_f32; 2 * REF_HALF];
            unit[k] = 1.0;
            *c = reference_at(&unit, REF_HALF as f64 - 1.0 + p as f64 / REF_UP as f64);
        }
    }
    let mut padded = vec![0.0_f64; x.len() + 2 * REF_HALF];
    for (d, &v) in padded[REF_HALF..].iter_mut().zip(x) {
        *d = v as f64;
    }
    let (mut best, mut at) = (0.0_f64, 0.0_f64);
    for i in 0..x.len() {
        let mut acc = [0.0_f64; REF_UP];
        for (row, &v) in table.iter().zip(&padded[i + 1..i + 1 + 2 * REF_HALF]) {
            for (a, c) in acc.iter_mut().zip(row) {
                *a += c * v;
            }
        }
        for (p, a) in acc.iter().enumerate() {
            if a.abs() > best {
                (best, at) = (a.abs(), i as f64 + p as f64 / REF_UP as f64);
            }
        }
    }
    let h = 1.0 / REF_UP as f64;
    let (l, c, r) = (
        reference_at(x, at - h).abs(),
        reference_at(x, at).abs(),
        reference_at(x, at + h).abs(),
    );
    let den = l - 2.0 * c + r;
    let peak = if den < 0.0 {
        c - (r - l) * (r - l) / (8.0 * den)
    } else {
        c
    };
    20.0 * peak.log10()
}

/// Band-limited stereo programme at 48 kHz: the modulated noise of [`programme`]
/// low-passed at 0.44·fs (301-tap Blackman sinc: < −70 dB from 0.46·fs), `secs` long.
fn band_limited_programme(secs: f64, seed: u64) -> Programme {
    programme(48_000.0, secs, seed)
        .iter()
        .map(|c| {
            let x: Vec<f64> = c.iter().map(|&v| v as f64).collect();
            low_pass(&x, 0.44, 301).iter().map(|&v| v as f32).collect()
        })
        .collect()
}

#[test]
fn true_peak_matches_an_ideal_reference_over_the_whole_programme() {
    for seed in [21, 22, 23] {
        let p = band_limited_programme(12.0, seed);
        let exact = p
            .iter()
            .map(|c| reference_true_peak_db(c))
            .fold(f64::MIN, f64::max);
        let m4 = measure(48_000.0, &p);
        let mut m8 = meter(48_000.0, 2);
        m8.set_true_peak_factor(OversamplingFactor::X8);
        feed(&mut m8, &p, 4096, |_| {});
        let theirs = {
            let e = crate_meter(&p, 48_000.0);
            20.0 * e.true_peak(0).unwrap().max(e.true_peak(1).unwrap()).log10()
        };
        let (tp4, tp8) = (m4.true_peak_max_dbtp(), m8.true_peak_max_dbtp());
        println!(
            "seed {seed}: reference {exact:.4} dB; 4x {tp4:.4} ({:+.4}), 8x {tp8:.4} ({:+.4}), \
             crate {theirs:.4} ({:+.4})",
            tp4 - exact,
            tp8 - exact,
            theirs - exact
        );
        assert!((tp4 - exact).abs() < 0.05, "4x {tp4} vs {exact}");
        assert!((tp8 - exact).abs() < 0.05, "8x {tp8} vs {exact}");
    }
}
