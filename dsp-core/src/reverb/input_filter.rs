//! The Reverb's input filters: a low cut then a high cut per side, each a 12 dB/oct
//! Butterworth (`Q = 1/√2`) section of [`crate::biquad`] (magnitude-matched design, run as
//! a trapezoidal SVF: A. Simper, "Linear Trapezoidal Integrated SVF", Cytomic 2013), with
//! exactly [`crate::biquad::BiquadState::tick`]'s arithmetic per lane.
//!
//! Per sample ([`InputFilter::tick`]) the four sections run one after another. For a chunk
//! ([`InputFilter::process_chunk`]) they run as one 4-lane vector `[HP L, HP R, LP L,
//! LP R]` whose low-pass lanes are one sample behind (step `t` feeds them the high-pass
//! output of step `t − 1`), so the four recursions overlap instead of forming a chain;
//! every lane does exactly the scalar arithmetic, so both paths agree bit for bit.

use crate::biquad::{BiquadCoefs, FilterParams};
use crate::lanes::F32x4;
use crate::svf::{flush, step_with, SvfCoefs};

/// Lanes: high-pass left, right, low-pass left, right.
#[derive(Clone, Copy, Debug)]
pub struct InputFilter {
    /// Recursion coefficients `(b, c, d)` per lane (see [`step_with`]).
    b: [f32; 4],
    /// See `b`.
    c: [f32; 4],
    /// See `b`.
    d: [f32; 4],
    /// Output mix on `(x, w1, w2)` per lane (`w = 2v`: the section's `(m0, m1/2, m2/2)`).
    m: [[f32; 4]; 3],
    /// Integrator memories `(ic1, ic2)` per lane.
    ic: [[f32; 4]; 2],
}

impl Default for InputFilter {
    fn default() -> Self {
        let mut f = Self {
            b: [0.0; 4],
            c: [0.0; 4],
            d: [0.0; 4],
            m: [[0.0; 4]; 3],
            ic: [[0.0; 4]; 2],
        };
        f.set(48_000.0, 40.0, 12_000.0);
        f
    }
}

impl InputFilter {
    /// Designs the low cut (`low_hz`, high-pass) and high cut (`high_hz`, low-pass) as
    /// [`BiquadCoefs`] Butterworth sections (magnitude-matched, see [`crate::biquad`]) and
    /// takes their SVF form: the arithmetic of [`crate::biquad::BiquadState::tick`] per lane.
    pub fn set(&mut self, sample_rate: f32, low_hz: f32, high_hz: f32) {
        for (lanes, hz, high_pass) in [([0, 1], low_hz, true), ([2, 3], high_hz, false)] {
            let c = BiquadCoefs::design(sample_rate, &FilterParams::butterworth(high_pass, hz));
            let (g, k, m) = svf_form(c.direct_form());
            let (b, cc, d) = SvfCoefs::from_gk(g, k).recursion();
            // `BiquadState::tick` mixes `m1·v1 = (m1/2)·w1` (exact halving).
            let mix = [m[0] as f32, 0.5 * m[1] as f32, 0.5 * m[2] as f32];
            for j in lanes {
                (self.b[j], self.c[j], self.d[j]) = (b, cc, d);
                for (row, &v) in self.m.iter_mut().zip(&mix) {
                    row[j] = v;
                }
            }
        }
    }

    /// Clears the memories.
    pub fn reset(&mut self) {
        self.ic = [[0.0; 4]; 2];
    }

    /// Flushes tiny or non-finite memories (on the grid).
    pub fn flush(&mut self) {
        self.ic.iter_mut().flatten().for_each(flush);
    }

    /// Lane `j` alone, one sample.
    #[inline(always)]
    fn lane(&mut self, j: usize, x: f32) -> f32 {
        let mut ic = (self.ic[0][j], self.ic[1][j]);
        let (w1, w2) = step_with(self.b[j], self.c[j], self.d[j], &mut ic, x);
        (self.ic[0][j], self.ic[1][j]) = ic;
        self.m[0][j] * x + self.m[1][j] * w1 + self.m[2][j] * w2
    }

    /// One stereo sample: low cut, then high cut.
    #[inline]
    pub fn tick(&mut self, l: f32, r: f32) -> (f32, f32) {
        let (hl, hr) = (self.lane(0, l), self.lane(1, r));
        (self.lane(2, hl), self.lane(3, hr))
    }

    /// [`InputFilter::tick`] over a chunk: `out[t]` from `x[t]` (the shortest slice sets
    /// the length).
    pub fn process_chunk(&mut self, x: [&[f32]; 2], out: [&mut [f32]; 2]) {
        let [out_l, out_r] = out;
        let n = x[0].len().min(x[1].len()).min(out_l.len()).min(out_r.len());
        if n == 0 {
            return;
        }
        // Step 0: the high-pass lanes alone.
        let mut h = [self.lane(0, x[0][0]), self.lane(1, x[1][0])];
        let v = |a: [f32; 4]| F32x4(a);
        let (b, c, d) = (v(self.b), v(self.c), v(self.d));
        let (m0, m1, m2) = (v(self.m[0]), v(self.m[1]), v(self.m[2]));
        let mut ic = (v(self.ic[0]), v(self.ic[1]));
        for t in 1..n {
            // High-pass of sample t, low-pass of sample t − 1.
            let xv = F32x4([x[0][t], x[1][t], h[0], h[1]]);
            let (w1, w2) = step_with(b, c, d, &mut ic, xv);
            let y = m0 * xv + m1 * w1 + m2 * w2;
            out_l[t - 1] = y.0[2];
            out_r[t - 1] = y.0[3];
            h = [y.0[0], y.0[1]];
        }
        self.ic = [ic.0 .0, ic.1 .0];
        // Last step: the low-pass lanes alone.
        out_l[n - 1] = self.lane(2, h[0]);
        out_r[n - 1] = self.lane(3, h[1]);
    }
}

/// The SVF form `(g, k, [m0, m1, m2])` of a digital biquad `(b, a)` (`a0 = 1`): the same
/// transfer function, `g = √(A(1)/A(−1))`, `k = 2(1 − a2)/(g·A(−1))`, the mix solved from
/// `B(−1)`, `B(1)` and `b0 − b2` (the conversion [`BiquadCoefs::design`] makes, so the
/// coefficients are the section's own).
fn svf_form((b, a): ([f64; 3], [f64; 3])) -> (f64, f64, [f64; 3]) {
    let [b0, b1, b2] = b;
    let [_, a1, a2] = a;
    let d_pos = (1.0 + a1 + a2).max(1e-300);
    let d_neg = (1.0 - a1 + a2).max(1e-300);
    let g = (d_pos / d_neg).sqrt();
    let k = 2.0 * (1.0 - a2) / (g * d_neg);
    let a0 = 4.0 / d_neg;
    let m0 = a0 * (b0 - b1 + b2) / 4.0;
    let m2 = a0 * (b0 + b1 + b2) / (4.0 * g * g) - m0;
    let m1 = a0 * (b0 - b2) / (2.0 * g) - m0 * k;
    (g, k, [m0, m1, m2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::biquad::BiquadState;

    #[test]
    fn lanes_match_the_biquad_sections_bit_for_bit() {
        // Reference: two `BiquadState` chains (high-pass then low-pass) per side with the
        // same designs; the per-sample path and the skewed 4-lane chunk path must both
        // reproduce them exactly, for chunks of every length 1..=32.
        for (fs, lo, hi) in [
            (48_000.0, 40.0, 12_000.0),
            (8_000.0, 300.0, 3_000.0),
            (192_000.0, 20.0, 20_000.0),
        ] {
            let hp = BiquadCoefs::design(fs, &FilterParams::butterworth(true, lo));
            let lp = BiquadCoefs::design(fs, &FilterParams::butterworth(false, hi));
            let mut st = [BiquadState::default(); 4];
            let (mut a, mut b) = (InputFilter::default(), InputFilter::default());
            a.set(fs, lo, hi);
            b.set(fs, lo, hi);
            let x = crate::test_util::noise(2000, 3);
            let mut i = 0;
            let mut len = 1;
            while i + len <= x.len() {
                let xl = &x[i..i + len];
                let xr: Vec<f32> = xl.iter().map(|v| -0.7 * v).collect();
                let (mut ol, mut or) = (vec![0.0; len], vec![0.0; len]);
                b.process_chunk([xl, &xr], [&mut ol, &mut or]);
                for t in 0..len {
                    let (hl, hr) = (st[0].tick(&hp, xl[t]), st[1].tick(&hp, xr[t]));
                    let (want_l, want_r) = (st[2].tick(&lp, hl), st[3].tick(&lp, hr));
                    let (tl, tr) = a.tick(xl[t], xr[t]);
                    for v in [tl, tr, ol[t], or[t]]
                        .iter()
                        .zip([want_l, want_r, want_l, want_r])
                    {
                        assert_eq!(v.0.to_bits(), v.1.to_bits(), "fs {fs} at {}", i + t);
                    }
                }
                i += len;
                len = len % 32 + 1;
            }
        }
    }
}
