//! The true-peak reading of ITU-R BS.1770-5 Annex 2 exactly as the Recommendation
//! specifies it: its order-48, 4-phase interpolating FIR (the coefficients printed in the
//! Annex), `|·|`, maximum over the four phases; plus the two input samples the frame lies
//! between. This is what the limiter's guarantee stage measures, because a BS.1770 meter is
//! what the ceiling promise is checked with: the Annex filter reads up to ≈ 0.6 dB *above*
//! the band-limited peak for tones near 0.45·fs (its passband is not flat there), so a
//! limiter that only knew the exact peak would let a standard meter see an overshoot.
//!
//! Alignment: the prototype is symmetric about tap 23.5, so phase `p` of frame `n`
//! estimates the input at `n − 5.875 + p/4`; with the samples `x[n − 6]` and `x[n − 5]`
//! the frame covers the interval `[n − 6, n − 5]`. Cost: the symmetry `c₃[k] = c₀[11 − k]`,
//! `c₂[k] = c₁[11 − k]` folds the bank to 24 multiplies per sample, eight samples at a time
//! in fixed arrays (vectorised by LLVM, no `unsafe`).

/// The Annex's coefficients, phase 0 and phase 1 (phases 3 and 2 are their mirrors).
/// Multiples of 2⁻¹³, exact in `f32`; written as the Recommendation prints them.
#[allow(clippy::excessive_precision)]
const PHASE0: [f32; 12] = [
    0.001_708_984_375,
    0.010_986_328_125,
    -0.019_653_320_312_5,
    0.033_203_125,
    -0.059_448_242_187_5,
    0.137_329_101_562_5,
    0.972_167_968_75,
    -0.102_294_921_875,
    0.047_607_421_875,
    -0.026_611_328_125,
    0.014_892_578_125,
    -0.008_300_781_25,
];
/// See [`PHASE0`].
#[allow(clippy::excessive_precision)]
const PHASE1: [f32; 12] = [
    -0.029_174_804_687_5,
    0.029_296_875,
    -0.051_757_812_5,
    0.089_111_328_125,
    -0.166_503_906_25,
    0.465_087_890_625,
    0.779_785_156_25,
    -0.200_317_382_812_5,
    0.101_562_5,
    -0.058_227_539_062_5,
    0.033_081_054_687_5,
    -0.018_920_898_437_5,
];
/// Taps per phase.
const TAPS: usize = 12;
/// Samples processed per pass (any block is chunked).
const CHUNK: usize = 256;
/// Outputs computed together.
const GROUP: usize = 8;
const _: () = assert!(CHUNK.is_multiple_of(GROUP));
/// History: 11 past samples and one chunk.
const HIST: usize = TAPS - 1 + CHUNK;
/// Delay of the frame's interval end: frame `n` covers `[n − 6, n − 5]`.
pub(crate) const FRAME_DELAY: usize = 5;

use crate::oversampler::greater;

/// Per-channel Annex 2 true-peak envelope.
#[derive(Clone, Debug, Default)]
pub(crate) struct Annex2Peak {
    /// Input history per channel (allocated in `prepare`).
    hist: Vec<[f32; HIST]>,
}

impl Annex2Peak {
    pub fn prepare(&mut self, channels: usize) {
        self.hist = vec![[0.0; HIST]; channels];
    }

    pub fn reset(&mut self) {
        for h in &mut self.hist {
            h.fill(0.0);
        }
    }

    /// For each input sample `i`, `out[i] = max(out[i], peak of frame i)` (so channels
    /// can be combined by calling this per channel on the same `out`). Input must be
    /// finite.
    #[allow(clippy::needless_range_loop)] // lane loops over fixed arrays
    pub fn accumulate(&mut self, channel: usize, input: &[f32], out: &mut [f32]) {
        let Some(hist) = self.hist.get_mut(channel) else {
            return;
        };
        let n_all = input.len().min(out.len());
        let mut s = [[0.0_f32; 6]; 2];
        let mut d = [[0.0_f32; 6]; 2];
        for k in 0..6 {
            for (p, c) in [PHASE0, PHASE1].iter().enumerate() {
                s[p][k] = 0.5 * (c[k] + c[TAPS - 1 - k]);
                d[p][k] = 0.5 * (c[k] - c[TAPS - 1 - k]);
            }
        }
        let mut start = 0;
        while start < n_all {
            let m = (n_all - start).min(CHUNK);
            hist[TAPS - 1..TAPS - 1 + m].copy_from_slice(&input[start..start + m]);
            let mut i = 0;
            while i < m {
                let lanes = (m - i).min(GROUP);
                // Window of group output g: hist[i + g .. i + g + 12], newest last, so
                // x[n − k] = w[g + 11 − k].
                // CHUNK is a multiple of GROUP, so a whole group's window always fits in
                // the history; lanes past `lanes` read stale (finite) samples and are
                // dropped below.
                let w: &[f32; GROUP + TAPS - 1] = hist[i..i + GROUP + TAPS - 1].try_into().unwrap();
                let mut acc = [[0.0_f32; GROUP]; 4];
                for k in 0..6 {
                    let (mut a, mut b) = ([0.0_f32; GROUP], [0.0_f32; GROUP]);
                    for g in 0..GROUP {
                        let (near, far) = (w[g + TAPS - 1 - k], w[g + k]);
                        a[g] = near + far;
                        b[g] = near - far;
                    }
                    for g in 0..GROUP {
                        acc[0][g] += s[0][k] * a[g];
                        acc[1][g] += d[0][k] * b[g];
                        acc[2][g] += s[1][k] * a[g];
                        acc[3][g] += d[1][k] * b[g];
                    }
                }
                let mut peak = [0.0_f32; GROUP];
                for g in 0..GROUP {
                    let samples = greater(w[g + TAPS - 1 - 5].abs(), w[g + TAPS - 1 - 6].abs());
                    peak[g] = greater(
                        greater(
                            acc[0][g].abs() + acc[1][g].abs(),
                            acc[2][g].abs() + acc[3][g].abs(),
                        ),
                        samples,
                    );
                }
                for (o, p) in out[start + i..start + i + lanes].iter_mut().zip(&peak) {
                    *o = greater(*o, *p);
                }
                i += GROUP;
            }
            hist.copy_within(m..m + TAPS - 1, 0);
            start += m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Direct 48-tap convolution of the zero-stuffed signal (the Annex's description).
    #[test]
    fn matches_the_direct_48_tap_interpolator() {
        let mut h = [0.0_f64; 48];
        for k in 0..TAPS {
            h[4 * k] = f64::from(PHASE0[k]);
            h[4 * k + 1] = f64::from(PHASE1[k]);
            h[4 * k + 2] = f64::from(PHASE1[TAPS - 1 - k]);
            h[4 * k + 3] = f64::from(PHASE0[TAPS - 1 - k]);
        }
        let x = crate::test_util::noise(1000, 3);
        let xs = |i: isize| if i < 0 { 0.0 } else { f64::from(x[i as usize]) };
        let mut p = Annex2Peak::default();
        p.prepare(1);
        let mut got = vec![0.0_f32; x.len()];
        for (xc, oc) in x.chunks(77).zip(got.chunks_mut(77)) {
            p.accumulate(0, xc, oc);
        }
        for n in 0..x.len() as isize {
            let mut want: f64 = xs(n - 5).abs().max(xs(n - 6).abs());
            for phase in 0..4 {
                // y[4n + phase] = Σ_m h[m]·u[4n + phase − m], u zero-stuffed.
                let mut y = 0.0;
                for m in 0..48_isize {
                    let t = 4 * n + phase - m;
                    if t % 4 == 0 {
                        y += h[m as usize] * xs(t / 4);
                    }
                }
                want = want.max(y.abs());
            }
            let g = f64::from(got[n as usize]);
            assert!((g - want).abs() < 1e-5, "n {n}: {g} vs {want}");
        }
    }
}
