// Index loops read closer to the maths in these tests.
#![allow(clippy::needless_range_loop)]

use super::*;
use crate::test_util::{dtft_db, log_freqs, max_rel_diff, noise, RefSvf};

const FS: f32 = 48_000.0;
const IR_LEN: usize = 1 << 15;

/// Impulse responses of every band.
fn band_irs(order: LrOrder, crossover_hz: &[f32], sample_rate: f32) -> Vec<Vec<f32>> {
    let mut x = Crossover::new();
    x.prepare(sample_rate, 512, 1);
    x.set_order(order);
    x.set_bands(crossover_hz);
    let nb = x.num_bands();
    let mut irs = vec![vec![0.0; IR_LEN]; nb];
    let mut bands = [0.0; MAX_BANDS];
    for i in 0..IR_LEN {
        x.process_sample(0, if i == 0 { 1.0 } else { 0.0 }, &mut bands);
        for b in 0..nb {
            irs[b][i] = bands[b];
        }
    }
    irs
}

#[test]
fn band_sum_is_flat_for_all_orders_and_band_counts() {
    let sets: [&[f32]; 4] = [
        &[1000.0],
        &[120.0, 2500.0],
        &[80.0, 600.0, 5000.0],
        &[60.0, 250.0, 1500.0, 8000.0],
    ];
    let mut worst: f64 = 0.0;
    for order in [LrOrder::Lr2, LrOrder::Lr4, LrOrder::Lr8] {
        for set in sets {
            for fs in [44_100.0, FS] {
                let irs = band_irs(order, set, fs);
                let sum: Vec<f32> = (0..IR_LEN)
                    .map(|i| irs.iter().map(|b| b[i]).sum())
                    .collect();
                for f in log_freqs(10.0, 0.45 * fs as f64, 120) {
                    let db = dtft_db(&sum, f, fs as f64);
                    worst = worst.max(db.abs());
                    assert!(db.abs() < 0.01, "{order:?} {set:?} {f} Hz: {db} dB");
                }
            }
        }
    }
    eprintln!("crossover sum worst deviation: {worst:.2e} dB");
}

#[test]
fn bands_match_analytic_linkwitz_riley_magnitudes() {
    for order in [LrOrder::Lr2, LrOrder::Lr4, LrOrder::Lr8] {
        let fc = 1000.0;
        let irs = band_irs(order, &[fc], FS);
        // −6.02 dB at the crossover for both bands.
        for b in 0..2 {
            let db = dtft_db(&irs[b], fc as f64, FS as f64);
            assert!((db + 6.0206).abs() < 0.01, "{order:?} band {b}: {db}");
        }
        for f in log_freqs(20.0, 20_000.0, 60) {
            for (b, high) in [(0, false), (1, true)] {
                let expected = 20.0 * lr_magnitude(order, FS, fc, f as f32, high).log10();
                if expected < -80.0 {
                    continue;
                }
                let db = dtft_db(&irs[b], f, FS as f64);
                // f32 state: rounding noise dominates far down the skirt.
                let tol = if expected > -40.0 { 0.01 } else { 0.1 };
                assert!(
                    (db - expected).abs() < tol,
                    "{order:?} {b} {f}: {db} vs {expected}"
                );
            }
        }
        // Slope far from the crossover: 6·n dB per octave (n = 2, 4, 8).
        let per_octave = match order {
            LrOrder::Lr2 => 12.0,
            LrOrder::Lr4 => 24.0,
            LrOrder::Lr8 => 48.0,
        };
        let low_8k = dtft_db(&irs[0], 8000.0, FS as f64);
        let low_4k = dtft_db(&irs[0], 4000.0, FS as f64);
        let slope = low_4k - low_8k;
        // Bilinear warping steepens the slope towards Nyquist by the ratio of the
        // warped frequencies: tan(π·8k/fs)/tan(π·4k/fs) = 2.155 instead of 2.
        let n = per_octave / 6.0206;
        let warped = n
            * 20.0
            * (((std::f64::consts::PI / 6.0).tan()) / (std::f64::consts::PI / 12.0).tan()).log10();
        assert!(
            (slope - warped).abs() < 0.05 * per_octave,
            "{order:?} {slope} vs {warped}"
        );
        // Below the crossover (little warping) the high band rises by ~6·n dB/oct.
        let high_400 = dtft_db(&irs[1], 400.0, FS as f64);
        let high_800 = dtft_db(&irs[1], 800.0, FS as f64);
        let analytic = 20.0
            * (lr_magnitude(order, FS, fc, 800.0, true) / lr_magnitude(order, FS, fc, 400.0, true))
                .log10();
        assert!((high_800 - high_400 - analytic).abs() < 0.02, "{order:?}");
    }
}

#[test]
fn lr2_high_band_is_inverted_and_lr4_is_not() {
    // At DC-ish frequencies the high band phase vs. the low band: the LR2 high band is
    // in phase with the low band at the crossover only because it is inverted.
    let lr2 = band_irs(LrOrder::Lr2, &[1000.0], FS);
    let lr4 = band_irs(LrOrder::Lr4, &[1000.0], FS);
    // First sample of a high-pass impulse response is positive for a true HP.
    assert!(lr2[1][0] < 0.0);
    assert!(lr4[1][0] > 0.0);
}

#[test]
fn denormal_and_nan_state_is_cleared() {
    crate::test_util::with_and_without_ftz(|_ftz| {
        let mut x = Crossover::new();
        x.prepare(FS, 64, 2);
        x.set_bands(&[100.0, 1000.0, 5000.0]);
        let input = [1e-39_f32; 64];
        let mut a = [0.0; 64];
        let mut b = [0.0; 64];
        let mut c = [0.0; 64];
        let mut d = [0.0; 64];
        x.process_block(0, &input, &mut [&mut a, &mut b, &mut c, &mut d]);
        x.process_block(0, &[0.0; 64], &mut [&mut a, &mut b, &mut c, &mut d]);
        assert!(x.state_is_zero());
        let mut bad = [0.0; 64];
        bad[3] = f32::NAN;
        x.process_block(1, &bad, &mut [&mut a, &mut b, &mut c, &mut d]);
        x.process_block(1, &[0.5; 64], &mut [&mut a, &mut b, &mut c, &mut d]);
        assert!(a
            .iter()
            .chain(&b)
            .chain(&c)
            .chain(&d)
            .all(|v| v.is_finite()));
    });
}

/// Largest deviation allowed between a band and the textbook `f64` model
/// ([`RefCrossover`]), relative to the band's peak: 1e-4 (−80 dB), as for the biquad
/// (`biquad::tests::REFERENCE_TOLERANCE`): `f32` rounding of the memories, integrated by
/// up to eight low, resonant sections, stays around 1e-6..1e-5 (see the test output); a
/// wrong grouping or coefficient is 1e-3 and more.
const REFERENCE_TOLERANCE: f64 = 1e-4;

/// One split (or all-pass) of the textbook model: [`LrSplitState::split`] and
/// [`LrAllpassState::process`] in `f64` on [`RefSvf`] sections and a `f64` one-pole.
#[derive(Clone, Copy)]
struct RefSplit {
    /// Slope family.
    order: LrOrder,
    /// One-pole `G = g/(1+g)` (LR2).
    big_g: f64,
    /// One-pole memories (LR2).
    poles: [f64; 2],
    /// SVF sections in the order `LrSplitState` uses them (damping a, b, a, b, b; the
    /// all-pass uses the first two).
    svf: [RefSvf; 5],
}

impl RefSplit {
    fn new(order: LrOrder, crossover_hz: f32) -> Self {
        let g = prewarp(f64::from(FS), f64::from(crossover_hz));
        let (ka, kb) = match order {
            LrOrder::Lr8 => (K_B4[0], K_B4[1]),
            _ => (std::f64::consts::SQRT_2, std::f64::consts::SQRT_2),
        };
        let (a, b) = (RefSvf::new(g, ka), RefSvf::new(g, kb));
        Self {
            order,
            big_g: g / (1.0 + g),
            poles: [0.0; 2],
            svf: [a, b, a, b, b],
        }
    }

    fn one_pole(big_g: f64, s: &mut f64, x: f64) -> f64 {
        let v = (x - *s) * big_g;
        let lp = v + *s;
        *s = lp + v;
        lp
    }

    fn split(&mut self, x: f64) -> (f64, f64) {
        let s = &mut self.svf;
        match self.order {
            LrOrder::Lr2 => {
                let lp1 = Self::one_pole(self.big_g, &mut self.poles[0], x);
                let low = Self::one_pole(self.big_g, &mut self.poles[1], lp1);
                (low, 2.0 * lp1 - x - low)
            }
            LrOrder::Lr4 => {
                let (bp1, lp1) = s[0].tick(x);
                let (_, low) = s[1].tick(lp1);
                (low, x - 2.0 * s[0].k * bp1 - low)
            }
            LrOrder::Lr8 => {
                let (bp_a, lp_a) = s[0].tick(x);
                let (_, lp4) = s[1].tick(lp_a);
                let (_, lp_c) = s[2].tick(lp4);
                let (_, low) = s[3].tick(lp_c);
                let ap_a = x - 2.0 * s[0].k * bp_a;
                let (bp_e, _) = s[4].tick(ap_a);
                (low, ap_a - 2.0 * s[4].k * bp_e - low)
            }
        }
    }

    fn allpass(&mut self, x: f64) -> f64 {
        let s = &mut self.svf;
        match self.order {
            LrOrder::Lr2 => 2.0 * Self::one_pole(self.big_g, &mut self.poles[0], x) - x,
            LrOrder::Lr4 => x - 2.0 * s[0].k * s[0].tick(x).0,
            LrOrder::Lr8 => {
                let y = x - 2.0 * s[0].k * s[0].tick(x).0;
                y - 2.0 * s[1].k * s[1].tick(y).0
            }
        }
    }
}

/// The textbook model of [`Crossover::process_sample`]: the same cascade of splits and
/// phase-compensating all-passes, in `f64`, designed from the same (clamped) frequencies.
fn reference_bands(order: LrOrder, crossover_hz: &[f32], x: &[f32]) -> Vec<Vec<f32>> {
    let n = crossover_hz.len();
    let mut splits: Vec<RefSplit> = crossover_hz
        .iter()
        .map(|&f| RefSplit::new(order, f))
        .collect();
    // All-passes for band `b`: crossovers `b + 1 .. n`, band by band.
    let mut allpasses: Vec<Vec<RefSplit>> = (0..n).map(|b| splits[b + 1..].to_vec()).collect();
    let mut bands = vec![vec![0.0; x.len()]; n + 1];
    for (i, &v) in x.iter().enumerate() {
        let mut rest = f64::from(v);
        for b in 0..n {
            let (low, high) = splits[b].split(rest);
            bands[b][i] = allpasses[b].iter_mut().fold(low, |y, a| a.allpass(y)) as f32;
            rest = high;
        }
        bands[n][i] = rest as f32;
    }
    bands
}

#[test]
fn fast_paths_match_the_per_sample_tick_and_a_textbook_f64_reference() {
    // `process_block` (stage-wise block loops) against `process_sample` (per-sample
    // ticks) on noise: every order, 2..=5 bands, low and high crossovers, blocks of 1,
    // 64 and 500 samples. Both run `SvfCoefs::step`, so they are bit-identical. And
    // `process_sample` against the textbook `f64` model, within `REFERENCE_TOLERANCE`.
    let x: Vec<f32> = noise(6000, 31);
    let mut worst: f64 = 0.0;
    let mut worst_ref: f64 = 0.0;
    for order in [LrOrder::Lr2, LrOrder::Lr4, LrOrder::Lr8] {
        for hz in [
            &[1000.0][..],
            &[20.0][..],
            &[15_000.0][..],
            &[80.0, 600.0, 3000.0, 12_000.0][..],
            &[200.0, 2000.0][..],
        ] {
            let mut reference = Crossover::new();
            reference.prepare(FS, 512, 1);
            reference.set_order(order);
            reference.set_bands(hz);
            let nb = reference.num_bands();
            let mut want = vec![vec![0.0; x.len()]; nb];
            let mut out = [0.0; MAX_BANDS];
            for (i, &v) in x.iter().enumerate() {
                reference.process_sample(0, v, &mut out);
                for b in 0..nb {
                    want[b][i] = out[b];
                }
            }
            let textbook = reference_bands(order, reference.crossover_hz(), &x);
            for b in 0..nb {
                let d = max_rel_diff(&want[b], &textbook[b]);
                assert!(
                    d <= REFERENCE_TOLERANCE,
                    "{order:?} {hz:?} band {b} vs f64: {d}"
                );
                worst_ref = worst_ref.max(d);
            }
            for block in [1, 64, 500] {
                let mut fast = reference.clone();
                fast.reset();
                let mut got = vec![vec![0.0; x.len()]; nb];
                for start in (0..x.len()).step_by(block) {
                    let end = (start + block).min(x.len());
                    let mut outs: Vec<&mut [f32]> =
                        got.iter_mut().map(|b| &mut b[start..end]).collect();
                    fast.process_block(0, &x[start..end], &mut outs);
                }
                for b in 0..nb {
                    let d = max_rel_diff(&got[b], &want[b]);
                    // Bit-identical except where halving a subnormal rounds (LR8 at 20 Hz
                    // can meet one: ≈ 1e-16).
                    assert!(d < 1e-12, "{order:?} {hz:?} band {b} block {block}: {d}");
                    worst = worst.max(d);
                }
            }
        }
    }
    eprintln!(
        "worst block vs sample {worst:e}, worst deviation from the f64 reference {worst_ref:e}"
    );
}

#[test]
fn stereo_lanes_match_two_mono_blocks() {
    // `process_stereo` (both channels in lanes of one loop; LR4 2..=4 bands: the
    // pipelined tree) against `process_block` per channel: every order, 2..=5 bands, blocks of 1, 64 and 500 samples, with a NaN
    // burst in the right channel (flushed at block end on both paths): bit-identical.
    let (l, mut r) = (noise(3000, 41), noise(3000, 42));
    r[700] = f32::NAN;
    for order in [LrOrder::Lr2, LrOrder::Lr4, LrOrder::Lr8] {
        for hz in [
            &[1000.0][..],
            &[20.0][..],
            &[80.0, 600.0, 3000.0, 12_000.0][..],
            &[200.0, 2000.0][..],
            &[120.0, 1000.0, 6000.0][..],
        ] {
            for block in [1, 64, 500] {
                let mut mono = Crossover::new();
                mono.prepare(FS, 512, 2);
                mono.set_order(order);
                mono.set_bands(hz);
                let mut stereo = mono.clone();
                let nb = mono.num_bands();
                let run = |x: &mut Crossover, stereo: bool| {
                    let mut got = vec![vec![vec![0.0_f32; l.len()]; nb]; 2];
                    for start in (0..l.len()).step_by(block) {
                        let end = (start + block).min(l.len());
                        let [gl, gr] = &mut got[..] else {
                            unreachable!()
                        };
                        let mut ol: Vec<&mut [f32]> =
                            gl.iter_mut().map(|b| &mut b[start..end]).collect();
                        let mut or: Vec<&mut [f32]> =
                            gr.iter_mut().map(|b| &mut b[start..end]).collect();
                        let (il, ir) = (&l[start..end], &r[start..end]);
                        if stereo {
                            x.process_stereo(il, ir, &mut ol, &mut or);
                        } else {
                            x.process_block(0, il, &mut ol);
                            x.process_block(1, ir, &mut or);
                        }
                    }
                    got
                };
                let (want, got) = (run(&mut mono, false), run(&mut stereo, true));
                for (ch, (w, g)) in want.iter().zip(&got).enumerate() {
                    for b in 0..nb {
                        assert!(
                            w[b].iter()
                                .zip(&g[b])
                                .all(|(a, b)| a.to_bits() == b.to_bits()),
                            "{order:?} {hz:?} block {block} channel {ch} band {b}"
                        );
                    }
                }
                // The NaN burst was cleared: the tail of every band is finite.
                assert!(got[1].iter().all(|b| b[2999].is_finite()));
            }
        }
    }
}
