//! Trapezoidal (topology-preserving transform) state-variable filter core, after Andrew
//! Simper, "Linear Trapezoidal Integrated State Variable Filter With Low Noise
//! Optimisation" (Cytomic technical paper, 2013), and V. Zavalishin, "The Art of VA
//! Filter Design" (2018), ch. 3–4 for the one-pole.
//!
//! The states are the two integrators' trapezoidal memories, so coefficients may change
//! every sample without the transients a direct-form biquad produces (the states keep
//! their physical meaning). Coefficients are computed in `f64` and stored in `f32`;
//! state is `f32`. Callers flush denormal states at block end with [`flush`].
//! Every path (per-sample [`SvfState::tick`] and the steady-state block loops, which keep
//! the memories in locals) runs `SvfCoefs::step` (crate-private), a regrouping of Simper's tick with a
//! three-operation recursion, so all paths round identically.

use crate::lanes::Lane;

/// Magnitude below which a filter state is flushed to exact zero (≈ −360 dBFS), so
/// decaying feedback never lingers in denormal range even without FTZ.
pub const DENORMAL_FLUSH: f32 = 1e-18;

/// Magnitude above which a filter state is treated as poisoned (≈ +360 dBFS). Real audio,
/// even +40 dBFS, keeps states many orders of magnitude below it; an input near `f32::MAX`
/// leaves states that are still finite but overflow to ∞ − ∞ = NaN on the next sample.
pub const MAX_STATE: f32 = 1e18;

/// Flushes a state value: tiny → 0 (denormals), non-finite or beyond [`MAX_STATE`] → 0 (a
/// poisoned state is cleared at block end, so bad input never outlives its block).
#[inline]
pub fn flush(x: &mut f32) {
    // Written so that NaN fails the range test too.
    if !(x.abs() >= DENORMAL_FLUSH && x.abs() <= MAX_STATE) {
        *x = 0.0;
    }
}

/// Coefficients of one trapezoidal SVF section with analog prototype
/// `H(s) = (m0·s² + m1·s·ω + m2·ω²)/(s² + k·ω·s + ω²)` (in normalised form the outputs
/// are `v0` = input, `v1` = band-pass `s/(s²+ks+1)`, `v2` = low-pass `1/(s²+ks+1)`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SvfCoefs {
    /// Prewarped integrator gain `tan(π·f/fs)` (or the equivalent from a digital pole
    /// pair); kept for callers that derive further outputs.
    pub g: f32,
    /// Damping `1/Q`.
    pub k: f32,
    /// `2·g/(1 + g(g + k))` (= `2·a2` in Simper's notation): input and cross-state gain
    /// of the state update, see [`SvfCoefs::step`].
    b: f32,
    /// `2·g²/(1 + g(g + k))` (= `2·a3`).
    c: f32,
    /// `2·g(g + k)/(1 + g(g + k))` (= `2·(1 − a1)`), the band-pass memory's decay.
    d: f32,
}

impl Default for SvfCoefs {
    fn default() -> Self {
        Self::from_gk(0.1, std::f64::consts::SQRT_2)
    }
}

impl SvfCoefs {
    /// From integrator gain `g > 0` and damping `k > 0` (computed in `f64`).
    pub fn from_gk(g: f64, k: f64) -> Self {
        let gg = g * (g + k);
        let a1 = 1.0 / (1.0 + gg);
        Self {
            g: g as f32,
            k: k as f32,
            b: (2.0 * g * a1) as f32,
            c: (2.0 * g * g * a1) as f32,
            // Computed as the small quantity itself (not `1 − 2·a1` rounded), so a low
            // cutoff keeps full relative precision in the pole.
            d: (2.0 * gg * a1) as f32,
        }
    }

    /// One sample of the trapezoidal SVF on memories `ic = (ic1, ic2)`: updates them and
    /// returns `(w1, w2)`, twice Simper's outputs `(v1, v2)` (band-pass, low-pass). This
    /// is the only SVF arithmetic: [`SvfState::tick`] halves the result (exact), the
    /// block loops fold the ½ into their output coefficients (exact), so every path
    /// rounds identically and block size never changes the output.
    ///
    /// Simper's tick (`v1 = a1·ic1 + a2·v3`, `v2 = ic2 + a2·ic1 + a3·v3`, `v3 = x − ic2`,
    /// `ic ← 2v − ic`) regrouped as the state update
    ///
    /// ```text
    /// ic1' = (ic1 + b·x) − (d·ic1 + b·ic2)
    /// ic2' = (ic2 + c·x) + (b·ic1 − c·ic2)
    /// ```
    ///
    /// with `b = 2a2`, `c = 2a3`, `d = 2(1 − a1)`: the input terms leave the recursion,
    /// so each memory depends on the previous ones through three operations (multiply,
    /// add, add) instead of four. Each memory is carried with an exact unit coefficient
    /// (the small `d` and `c` are stored, not `1 − d`, `1 − c`), which keeps the
    /// low-cutoff poles as accurate as in the textbook form, and the DC gain of the
    /// low-pass is exactly 1 whatever `b, c, d` round to (the fixed point is `ic2 = x`).
    /// The rounding differs from the textbook order by a few ulps of the state per
    /// sample (tests `…_match_a_textbook_f64_reference`). The outputs are
    /// `w = ic + ic'`, off the recursion.
    #[inline(always)]
    pub(crate) fn step<T: Lane>(&self, ic: &mut (T, T), x: T) -> (T, T) {
        let (b, c, d) = (T::splat(self.b), T::splat(self.c), T::splat(self.d));
        step_with(b, c, d, ic, x)
    }

    /// The recursion's coefficients `(b, c, d)` (see [`SvfCoefs::step`]), for kernels that
    /// hold a different section in each lane and call [`step_with`].
    #[inline]
    pub(crate) fn recursion(&self) -> (f32, f32, f32) {
        (self.b, self.c, self.d)
    }

    /// Bilinear (prewarped) design: cutoff `cutoff_hz` at `sample_rate`, damping `k = 1/Q`.
    /// The cutoff is clamped below Nyquist.
    pub fn bilinear(sample_rate: f64, cutoff_hz: f64, k: f64) -> Self {
        Self::from_gk(prewarp(sample_rate, cutoff_hz), k)
    }
}

/// [`SvfCoefs::step`] with its coefficients `(b, c, d)` given per lane, so one vector can
/// carry several different sections (the EQ's pipelined cascade): the same three-operation
/// recursion, so every path rounds identically.
#[inline(always)]
pub(crate) fn step_with<T: Lane>(b: T, c: T, d: T, ic: &mut (T, T), x: T) -> (T, T) {
    let (ic1, ic2) = *ic;
    let n1 = (ic1 + b * x) - (d * ic1 + b * ic2);
    let n2 = (ic2 + c * x) + (b * ic1 - c * ic2);
    *ic = (n1, n2);
    (ic1 + n1, ic2 + n2)
}

/// `tan(π·f/fs)` with `f` clamped to `[1e-3 Hz, 0.499·fs]`.
#[inline]
pub fn prewarp(sample_rate: f64, cutoff_hz: f64) -> f64 {
    let f = cutoff_hz.clamp(1e-3, 0.499 * sample_rate);
    (std::f64::consts::PI * f / sample_rate).tan()
}

/// State of one SVF section (two integrator memories).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SvfState {
    /// First integrator memory (band-pass side).
    pub ic1: f32,
    /// Second integrator memory (low-pass side).
    pub ic2: f32,
}

impl SvfState {
    /// Processes one sample and returns `(v1, v2)` = (band-pass `s/(s²+ks+1)`,
    /// low-pass). High-pass is `v0 − k·v1 − v2`.
    /// Same arithmetic as the block loops (`SvfCoefs::step`).
    #[inline(always)]
    pub fn tick(&mut self, c: &SvfCoefs, v0: f32) -> (f32, f32) {
        let mut ic = (self.ic1, self.ic2);
        let (w1, w2) = c.step(&mut ic, v0);
        (self.ic1, self.ic2) = ic;
        (0.5 * w1, 0.5 * w2)
    }

    /// Clears tiny or non-finite memories (call once per block).
    #[inline]
    pub fn flush(&mut self) {
        flush(&mut self.ic1);
        flush(&mut self.ic2);
    }

    /// True when both memories are exactly zero (used by denormal tests).
    pub fn is_zero(&self) -> bool {
        self.ic1 == 0.0 && self.ic2 == 0.0
    }
}

/// Trapezoidal one-pole (Zavalishin ch. 3): low-pass `1/(1+s)`, high-pass and all-pass
/// `(1−s)/(1+s)` from one state.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TptOnePole {
    /// Integrator memory.
    pub s: f32,
}

impl TptOnePole {
    /// `G = g/(1+g)` for a prewarped `g`.
    pub fn coef(g: f64) -> f32 {
        (g / (1.0 + g)) as f32
    }

    /// One sample; returns the low-pass output (`all-pass = 2·lp − x`, `hp = x − lp`).
    #[inline(always)]
    pub fn tick(&mut self, big_g: f32, x: f32) -> f32 {
        Self::step(big_g, &mut self.s, x)
    }

    /// The one-pole arithmetic on a memory `s` held by the caller (the crossover's
    /// block loops keep it in a local, in lanes): the only copy, so every path rounds
    /// identically.
    #[inline(always)]
    pub(crate) fn step<T: Lane>(big_g: f32, s: &mut T, x: T) -> T {
        let v = (x - *s) * T::splat(big_g);
        let lp = v + *s;
        *s = lp + v;
        lp
    }

    /// Clears a tiny or non-finite memory.
    #[inline]
    pub fn flush(&mut self) {
        flush(&mut self.s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// |H| at `f` of the SVF low-pass measured with a sine, vs. the bilinear-mapped
    /// analog response `1/|1 − Ω² + jkΩ|` with `Ω = tan(πf/fs)/tan(πfc/fs)` and
    /// `k = 1/Q`, computed from the cutoff and Q (not from the coefficients under test).
    #[test]
    fn svf_lowpass_matches_bilinear_analog_response() {
        let fs = 48_000.0;
        let (fc, q) = (1000.0, 0.707);
        let c = SvfCoefs::bilinear(fs, fc, 1.0 / q);
        for &f in &[100.0, 1000.0, 5000.0] {
            let mut st = SvfState::default();
            let w = 2.0 * std::f64::consts::PI * f / fs;
            let (mut re, mut im) = (0.0, 0.0);
            let n = 48_000;
            for i in 0..2 * n {
                let (_, lp) = st.tick(&c, (w * i as f64).sin() as f32);
                if i >= n {
                    re += lp as f64 * (w * i as f64).sin();
                    im += lp as f64 * (w * i as f64).cos();
                }
            }
            let mag = 2.0 * (re * re + im * im).sqrt() / n as f64;
            let pi = std::f64::consts::PI;
            let omega = (pi * f / fs).tan() / (pi * fc / fs).tan();
            let k = 1.0 / q;
            let expected = 1.0 / ((1.0 - omega * omega).powi(2) + (k * omega).powi(2)).sqrt();
            assert!(
                (mag / expected - 1.0).abs() < 1e-3,
                "{f}: {mag} vs {expected}"
            );
        }
    }

    #[test]
    fn flush_clears_denormals_and_nan() {
        let mut s = SvfState {
            ic1: 1e-39,
            ic2: f32::NAN,
        };
        s.flush();
        assert!(s.is_zero());
        let mut t = SvfState {
            ic1: 1e-3,
            ic2: -2.0,
        };
        t.flush();
        assert_eq!(
            t,
            SvfState {
                ic1: 1e-3,
                ic2: -2.0
            }
        );
    }
}
