use super::*;
use std::f64::consts::PI;

mod cross_check;
mod robustness;

/// A programme: per channel samples.
type Programme = Vec<Vec<f32>>;

/// Sine of `freq_hz` at `dbfs` (peak) on each channel listed in `levels_dbfs` (NaN =
/// silent channel), `secs` long, starting phase `phase` (rad).
fn sines(fs: f64, freq_hz: f64, levels_dbfs: &[f64], secs: f64, phase: f64) -> Programme {
    let n = (secs * fs).round() as usize;
    levels_dbfs
        .iter()
        .map(|&db| {
            let a = if db.is_nan() {
                0.0
            } else {
                10.0_f64.powf(db / 20.0)
            };
            (0..n)
                .map(|i| (a * (2.0 * PI * freq_hz * i as f64 / fs + phase).sin()) as f32)
                .collect()
        })
        .collect()
}

/// Fades `p` in and out over `secs` with half-Hann ramps (the EBU true-peak files are
/// tapered so the onset adds no overshoot of its own).
fn taper(mut p: Programme, fs: f64, secs: f64) -> Programme {
    let n = (secs * fs) as usize;
    for c in &mut p {
        let len = c.len();
        for i in 0..n.min(len / 2) {
            let g = (0.5 - 0.5 * (PI * i as f64 / n as f64).cos()) as f32;
            c[i] *= g;
            c[len - 1 - i] *= g;
        }
    }
    p
}

/// Concatenates programmes channel by channel.
fn concat(parts: &[Programme]) -> Programme {
    let mut out = vec![Vec::new(); parts[0].len()];
    for p in parts {
        for (o, c) in out.iter_mut().zip(p) {
            o.extend_from_slice(c);
        }
    }
    out
}

/// Stereo 1 kHz segments `(dBFS, seconds)`.
fn stereo_1k(fs: f64, segments: &[(f64, f64)]) -> Programme {
    let parts: Vec<Programme> = segments
        .iter()
        .map(|&(db, secs)| sines(fs, 1000.0, &[db, db], secs, 0.0))
        .collect();
    concat(&parts)
}

/// Feeds `p` in blocks of `block`, calling `each(meter)` after every block.
fn feed(m: &mut LoudnessMeter, p: &Programme, block: usize, mut each: impl FnMut(&LoudnessMeter)) {
    let n = p[0].len();
    let mut i = 0;
    while i < n {
        let k = block.min(n - i);
        let chans: Vec<&[f32]> = p.iter().map(|c| &c[i..i + k]).collect();
        m.process(&chans);
        each(m);
        i += k;
    }
}

fn meter(fs: f64, channels: usize) -> LoudnessMeter {
    let mut m = LoudnessMeter::new();
    m.prepare(fs as f32, 4800, channels);
    m
}

fn measure(fs: f64, p: &Programme) -> LoudnessMeter {
    let mut m = meter(fs, p.len());
    feed(&mut m, p, 4096, |_| {});
    m
}

const RATES: [f64; 3] = [44_100.0, 48_000.0, 96_000.0];

fn assert_within(what: &str, got: f64, expected: f64, tol_lo: f64, tol_hi: f64) {
    println!("{what}: {got:.3} (expected {expected})");
    assert!(
        got >= expected - tol_lo && got <= expected + tol_hi,
        "{what}: {got} not within {expected} −{tol_lo}/+{tol_hi}"
    );
}

#[test]
fn ebu_3341_cases_1_to_6_integrated_and_m_s() {
    for fs in RATES {
        // 1, 2: stereo 1 kHz at −23 / −33 dBFS, 20 s: M = S = I = −23 / −33 ± 0.1.
        for (case, db) in [(1, -23.0), (2, -33.0)] {
            let p = stereo_1k(fs, &[(db, 20.0)]);
            let mut m = meter(fs, 2);
            let mut t = 0;
            feed(&mut m, &p, (fs / 10.0).round() as usize, |m| {
                t += 1;
                if t >= 30 {
                    assert!((m.momentary_lufs() - db).abs() <= 0.1, "{case} M");
                    assert!((m.short_term_lufs() - db).abs() <= 0.1, "{case} S");
                }
            });
            assert_within(
                &format!("3341-{case} I @{fs}"),
                m.integrated_lufs(),
                db,
                0.1,
                0.1,
            );
        }
        // 3: −36 dBFS 10 s, −23 dBFS 60 s, −36 dBFS 10 s: I = −23 ± 0.1.
        let p = stereo_1k(fs, &[(-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0)]);
        assert_within("3341-3", measure(fs, &p).integrated_lufs(), -23.0, 0.1, 0.1);
        // 4: −72 10 s, −36 10 s, −23 60 s, −36 10 s, −72 10 s.
        let p = stereo_1k(
            fs,
            &[
                (-72.0, 10.0),
                (-36.0, 10.0),
                (-23.0, 60.0),
                (-36.0, 10.0),
                (-72.0, 10.0),
            ],
        );
        assert_within("3341-4", measure(fs, &p).integrated_lufs(), -23.0, 0.1, 0.1);
        // 5: −26 20 s, −20 20.1 s, −26 20 s.
        let p = stereo_1k(fs, &[(-26.0, 20.0), (-20.0, 20.1), (-26.0, 20.0)]);
        assert_within("3341-5", measure(fs, &p).integrated_lufs(), -23.0, 0.1, 0.1);
        // 6: 5.0 (L R C Ls Rs) 1 kHz: L, R −28, C −24, Ls, Rs −30 dBFS, 20 s.
        let p = sines(fs, 1000.0, &[-28.0, -28.0, -24.0, -30.0, -30.0], 20.0, 0.0);
        assert_within(
            "3341-6 (5.0)",
            measure(fs, &p).integrated_lufs(),
            -23.0,
            0.1,
            0.1,
        );
        // 6 as 5.1 with a loud LFE (weight 0 per BS.1770): still −23.
        let mut p51 = p.clone();
        p51.insert(3, sines(fs, 50.0, &[-6.0], 20.0, 0.0).remove(0));
        assert_within(
            "3341-6 (5.1)",
            measure(fs, &p51).integrated_lufs(),
            -23.0,
            0.1,
            0.1,
        );
    }
}

#[test]
fn ebu_3341_cases_9_to_14_short_term_and_momentary() {
    for fs in RATES {
        let slot = (fs / 10.0).round() as usize;
        // 9: 20 × (1.34 s at −20 dBFS + 1.66 s at −30 dBFS): S = −23 ± 0.1 after 3 s.
        let seg: Vec<(f64, f64)> = (0..20)
            .flat_map(|_| [(-20.0, 1.34), (-30.0, 1.66)])
            .collect();
        let p = stereo_1k(fs, &seg);
        let (mut m, mut t, mut worst) = (meter(fs, 2), 0, 0.0_f64);
        feed(&mut m, &p, slot, |m| {
            t += 1;
            if t >= 30 {
                worst = worst.max((m.short_term_lufs() + 23.0).abs());
            }
        });
        assert_within("3341-9 worst |S + 23|", worst, 0.0, 0.0, 0.1);
        // 12: 20 × (0.18 s at −20 dBFS + 0.22 s at −30 dBFS): M = −23 ± 0.1 after 1 s.
        let seg: Vec<(f64, f64)> = (0..20)
            .flat_map(|_| [(-20.0, 0.18), (-30.0, 0.22)])
            .collect();
        let p = stereo_1k(fs, &seg);
        let (mut m, mut t, mut worst) = (meter(fs, 2), 0, 0.0_f64);
        feed(&mut m, &p, slot, |m| {
            t += 1;
            if t >= 10 {
                worst = worst.max((m.momentary_lufs() + 23.0).abs());
            }
        });
        assert_within("3341-12 worst |M + 23|", worst, 0.0, 0.0, 0.1);
        // 10 and 13 (20 files each, max S / max M = −23 ± 0.1): reconstructed as a
        // −23 dBFS stereo burst at 20 different onsets within a 100 ms update period,
        // lasting the window plus one update period (3.1 s / 0.5 s), so a meter updating
        // at the 10 Hz minimum must see one full window inside the burst.
        let mut rng = fastrand::Rng::with_seed(10);
        for (case, burst, max_of) in [(10, 3.1, 0), (13, 0.5, 1)] {
            for _ in 0..20 {
                let pre = rng.f64() * 0.1 + 0.5;
                let p = stereo_1k(fs, &[(-200.0, pre), (-23.0, burst), (-200.0, 1.0)]);
                let m = measure(fs, &p);
                let got = if max_of == 0 {
                    m.max_short_term_lufs()
                } else {
                    m.max_momentary_lufs()
                };
                assert!((got + 23.0).abs() <= 0.1, "3341-{case} {fs} {pre}: {got}");
            }
        }
        // 11 and 14: successive maxima −38, −37, … −19 LUFS, one per 6 s (S) / 800 ms (M)
        // segment; each segment holds one burst (3.1 s / 0.5 s) at random onset.
        for (case, seg_s, burst, short) in [(11, 6.0, 3.1, true), (14, 0.8, 0.5, false)] {
            let mut parts = Vec::new();
            for k in 0..20 {
                let pre = rng.f64() * (seg_s - burst - 0.05 * seg_s);
                let db = -38.0 + k as f64;
                parts.push(stereo_1k(
                    fs,
                    &[(-200.0, pre), (db, burst), (-200.0, seg_s - burst - pre)],
                ));
            }
            let p = concat(&parts);
            let mut m = meter(fs, 2);
            let seg_len = (seg_s * fs).round() as usize;
            let mut seg_max = vec![f64::MIN; 20];
            let mut pos = 0;
            feed(&mut m, &p, slot, |m| {
                pos += slot;
                let k = ((pos - 1) / seg_len).min(19);
                let v = if short {
                    m.short_term_lufs()
                } else {
                    m.momentary_lufs()
                };
                seg_max[k] = seg_max[k].max(v);
            });
            for (k, v) in seg_max.iter().enumerate() {
                assert!(
                    (v - (-38.0 + k as f64)).abs() <= 0.1,
                    "3341-{case} {fs} seg {k}: {v}"
                );
            }
            println!("3341-{case} @{fs}: {seg_max:.2?}");
        }
    }
}

#[test]
fn ebu_3341_cases_15_to_23_true_peak() {
    for fs in [44_100.0, 48_000.0] {
        // 15–19: stereo sines, 1 s with 0.1 s fades (L at phase 0, R at the listed phase; Tech 3341 lists
        // the phase of the file): fs/4 0.5 0°; fs/4 0.5 45°; fs/6 0.5 60°; fs/8 0.5 67.5°;
        // fs/4 1.41 45°. Expected −6.0, −6.0, −6.0, −6.0, +3.0 dBTP, +0.2/−0.4 dB.
        let cases = [
            (15, 4.0, 0.5, 0.0_f64, -6.0),
            (16, 4.0, 0.5, 45.0, -6.0),
            (17, 6.0, 0.5, 60.0, -6.0),
            (18, 8.0, 0.5, 67.5, -6.0),
            (19, 4.0, 1.41, 45.0, 3.0),
        ];
        for (case, div, amp, phase_deg, expected) in cases {
            let db = 20.0 * f64::log10(amp);
            let l = sines(fs, fs / div, &[db], 1.0, 0.0);
            let r = sines(fs, fs / div, &[db], 1.0, phase_deg.to_radians());
            let p = taper(vec![l[0].clone(), r[0].clone()], fs, 0.1);
            let m = measure(fs, &p);
            assert_within(
                &format!("3341-{case} @{fs}"),
                m.true_peak_max_dbtp(),
                expected,
                0.4,
                0.2,
            );
        }
        // 20–23 (reconstructed: a 0 dBTP sine of fs/6 whose crests fall 0, 1/4, 2/4, 3/4
        // of a sample after a sample instant, as a signal decimated from 4x with offsets
        // 0–3): 0.0 dBTP, +0.2/−0.4 dB.
        for off in 0..4 {
            let w = 2.0 * PI / 6.0;
            let phase = PI / 2.0 - w * (off as f64 / 4.0);
            let p = taper(sines(fs, fs / 6.0, &[0.0, 0.0], 1.0, phase), fs, 0.1);
            let m = measure(fs, &p);
            assert_within(
                &format!("3341-{} @{fs}", 20 + off),
                m.true_peak_max_dbtp(),
                0.0,
                0.4,
                0.2,
            );
        }
    }
}

#[test]
fn ebu_3342_cases_1_to_4_loudness_range() {
    for fs in RATES {
        type Case<'a> = (u32, &'a [(f64, f64)], f64);
        let cases: [Case; 4] = [
            (1, &[(-20.0, 20.0), (-30.0, 20.0)], 10.0),
            (2, &[(-20.0, 20.0), (-15.0, 20.0)], 5.0),
            (3, &[(-40.0, 20.0), (-20.0, 20.0)], 20.0),
            (
                4,
                &[
                    (-50.0, 20.0),
                    (-35.0, 20.0),
                    (-20.0, 20.0),
                    (-35.0, 20.0),
                    (-50.0, 20.0),
                ],
                15.0,
            ),
        ];
        for (case, seg, expected) in cases {
            let m = measure(fs, &stereo_1k(fs, seg));
            assert_within(
                &format!("3342-{case} @{fs}"),
                m.loudness_range_lu(),
                expected,
                1.0,
                1.0,
            );
        }
    }
}

/// Stereo level-modulated low-passed noise: a new level (uniform −45 … −10 dB) every
/// 1.5 s, glided over 50 ms, plus a slow 0.05 Hz ±4 dB wobble.
fn programme(fs: f64, secs: f64, seed: u64) -> Programme {
    let n = (secs * fs) as usize;
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut lp, mut level_db, mut target_db) = ([0.0_f64; 2], -20.0_f64, -20.0_f64);
    let hold = (1.5 * fs) as usize;
    let glide = 1.0 - (-1.0 / (0.05 * fs)).exp();
    let mut out = vec![Vec::with_capacity(n), Vec::with_capacity(n)];
    for i in 0..n {
        if i % hold == 0 {
            target_db = -45.0 + 35.0 * rng.f64();
        }
        level_db += (target_db - level_db) * glide;
        let g = 10.0_f64.powf((level_db + 4.0 * (2.0 * PI * 0.05 * i as f64 / fs).sin()) / 20.0);
        for (c, o) in lp.iter_mut().zip(out.iter_mut()) {
            *c += 0.3 * (rng.f64() * 2.0 - 1.0 - *c);
            o.push((3.0 * g * *c) as f32);
        }
    }
    out
}

/// Exact BS.1770 K-weighting at 48 kHz, written out independently: the published
/// K-filter coefficients, direct form II transposed in f64. Returns the channels' summed
/// squared K-weighted samples (all weights 1).
fn reference_squares(p: &Programme) -> Vec<f64> {
    let stages = [
        [
            1.53512485958697,
            -2.69169618940638,
            1.19839281085285,
            -1.69065929318241,
            0.73248077421585,
        ],
        [1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621],
    ];
    let n = p[0].len();
    let mut sq = vec![0.0_f64; n];
    for ch in p {
        let mut s = [[0.0_f64; 2]; 2];
        for (i, &x) in ch.iter().enumerate() {
            let mut v = x as f64;
            for (c, st) in stages.iter().zip(s.iter_mut()) {
                let y = c[0] * v + st[0];
                st[0] = c[1] * v - c[3] * y + st[1];
                st[1] = c[2] * v - c[4] * y;
                v = y;
            }
            sq[i] += v * v;
        }
    }
    sq
}

/// Mean squares of the windows of `window` samples of `sq`, the first ending at sample
/// `window`, then every `hop` samples.
fn reference_windows(sq: &[f64], window: usize, hop: usize) -> Vec<f64> {
    (0..)
        .map(|j| j * hop)
        .take_while(|&s| s + window <= sq.len())
        .map(|s| sq[s..s + window].iter().sum::<f64>() / window as f64)
        .collect()
}

/// Every 400 ms block (hop 100 ms) of `p` at 48 kHz, exactly: the block energies.
fn reference_blocks(p: &Programme) -> Vec<f64> {
    reference_windows(&reference_squares(p), 19_200, 4800)
}

fn lufs(z: f64) -> f64 {
    -0.691 + 10.0 * z.log10()
}

/// Exact gated mean of block energies (BS.1770-5 §2.8).
fn reference_integrated(blocks: &[f64]) -> f64 {
    let abs: Vec<f64> = blocks
        .iter()
        .copied()
        .filter(|&z| lufs(z) > -70.0)
        .collect();
    let gate = lufs(abs.iter().sum::<f64>() / abs.len() as f64) - 10.0;
    let rel: Vec<f64> = abs.into_iter().filter(|&z| lufs(z) > gate).collect();
    lufs(rel.iter().sum::<f64>() / rel.len() as f64)
}

#[test]
fn histogram_integrated_matches_exact_gating() {
    // 10 minutes of modulated noise at 48 kHz.
    let p = programme(48_000.0, 600.0, 1);
    let m = measure(48_000.0, &p);
    let exact = reference_integrated(&reference_blocks(&p));
    let d = (m.integrated_lufs() - exact).abs();
    println!(
        "integrated {:.5} vs exact {exact:.5}: {d:.6} LU",
        m.integrated_lufs()
    );
    assert!(d < 0.01, "{d}");
}

#[test]
fn album_loudness_equals_gating_over_the_concatenation() {
    let (a, b) = (programme(48_000.0, 150.0, 2), programme(48_000.0, 100.0, 3));
    // b is 8 dB quieter, so the album gate differs from either programme's gate.
    let b: Programme = b
        .into_iter()
        .map(|c| c.iter().map(|x| x * 0.4).collect())
        .collect();
    let (ma, mb) = (measure(48_000.0, &a), measure(48_000.0, &b));
    let mut album = ma.integrated_histogram().clone();
    album.merge(mb.integrated_histogram());
    let mut album_lra = ma.short_term_histogram().clone();
    album_lra.merge(mb.short_term_histogram());
    let cat = concat(&[a.clone(), b.clone()]);
    let mc = measure(48_000.0, &cat);
    let mut blocks = reference_blocks(&a);
    blocks.extend(reference_blocks(&b));
    let exact = reference_integrated(&blocks);
    println!(
        "album {:.4}, concatenation {:.4}, exact union {exact:.4}; LRA album {:.3} vs {:.3}",
        album.integrated_lufs(),
        mc.integrated_lufs(),
        album_lra.loudness_range_lu(),
        mc.loudness_range_lu()
    );
    assert!((album.integrated_lufs() - mc.integrated_lufs()).abs() < 0.01);
    assert!((album.integrated_lufs() - exact).abs() < 0.01);
    // LRA: the concatenation also has the 29 windows straddling the junction.
    assert!((album_lra.loudness_range_lu() - mc.loudness_range_lu()).abs() < 0.2);
}

#[test]
fn block_size_reset_and_pause() {
    let p = programme(48_000.0, 8.0, 4);
    let readings = |m: &LoudnessMeter| {
        [
            m.momentary_lufs(),
            m.short_term_lufs(),
            m.integrated_lufs(),
            m.loudness_range_lu(),
            m.true_peak_max_dbtp(),
            m.sample_peak_max_dbfs(),
            m.max_momentary_lufs(),
            m.max_short_term_lufs(),
            m.psr_lu(),
            m.plr_lu(),
        ]
    };
    let whole = readings(&measure(48_000.0, &p));
    for block in [1, 64, 512, 4801] {
        let mut m = meter(48_000.0, 2);
        feed(&mut m, &p, block, |_| {});
        assert_eq!(readings(&m), whole, "block {block}");
    }
    let mut m = meter(48_000.0, 2);
    let mut rng = fastrand::Rng::with_seed(8);
    for _ in 0..2 {
        let mut i = 0;
        while i < p[0].len() {
            let k = rng.usize(1..3000).min(p[0].len() - i);
            m.process(&[&p[0][i..i + k], &p[1][i..i + k]]);
            i += k;
        }
        assert_eq!(readings(&m), whole, "random blocks / after reset");
        m.reset();
    }
    // Paused: M follows a loud passage, I, maxima and true peak ignore it.
    let quiet = stereo_1k(48_000.0, &[(-23.0, 10.0)]);
    let loud = stereo_1k(48_000.0, &[(-6.0, 5.0)]);
    let mut m = meter(48_000.0, 2);
    feed(&mut m, &quiet, 512, |_| {});
    m.set_running(false);
    feed(&mut m, &loud, 512, |_| {});
    assert!((m.momentary_lufs() + 6.0).abs() < 0.1);
    m.set_running(true);
    feed(&mut m, &quiet, 512, |_| {});
    assert!(
        (m.integrated_lufs() + 23.0).abs() < 0.1,
        "{}",
        m.integrated_lufs()
    );
    assert!((m.max_momentary_lufs() + 23.0).abs() < 0.1);
    // Sample peak ignores the paused passage; the true peak may still catch its last
    // 12 samples (the interpolator's latency) in the first block after resuming.
    assert!(m.sample_peak_max_dbfs() < -22.0);
}

#[test]
fn flushing_reads_the_true_peak_of_the_last_samples_and_nothing_else() {
    // A programme that ends on its peak: one second of a quiet 1 kHz sine, then a full-scale
    // fs/4 sine at 45° phase for 8 samples (samples ±0.707, true peak 1.0 between them).
    let fs = 48_000.0;
    let mut p = sines(fs, 1000.0, &[-40.0, -40.0], 1.0, 0.0);
    for ch in p.iter_mut() {
        ch.extend((0..8).map(|n| (PI / 2.0 * n as f64 + PI / 4.0).sin() as f32));
    }
    let mut m = measure(fs, &p);
    let before = (
        m.true_peak_max_dbtp(),
        m.integrated_lufs(),
        m.max_momentary_lufs(),
    );
    m.flush_true_peak();
    // Independent reference: the same programme followed by 48 zero samples, fed normally,
    // reads the tail's peak once the interpolator has passed it.
    let mut padded = p.clone();
    for ch in padded.iter_mut() {
        ch.extend(std::iter::repeat_n(0.0, 48));
    }
    let reference = measure(fs, &padded).true_peak_max_dbtp();
    println!(
        "true peak before flush {:.3} dBTP, after {:.3}, padded reference {reference:.3}",
        before.0,
        m.true_peak_max_dbtp()
    );
    assert!(
        before.0 < -2.0,
        "the tail's peak was already read: {}",
        before.0
    );
    assert!((m.true_peak_max_dbtp() - reference).abs() < 1e-9);
    assert!(
        reference > -0.3,
        "the 8-sample burst peaks near 0 dBTP: {reference}"
    );
    assert_eq!(m.integrated_lufs(), before.1);
    assert_eq!(m.max_momentary_lufs(), before.2);
}
