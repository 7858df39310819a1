//! Measurement helpers shared by the unit tests (compiled only for tests).

/// `len` samples of uniform white noise in `[−1, 1)` from `seed` (reproducible).
pub fn noise(len: usize, seed: u64) -> Vec<f32> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..len).map(|_| rng.f32() * 2.0 - 1.0).collect()
}

/// `len` samples of pink noise, `gain` × Paul Kellet's "refined" filter (±0.05 dB of 1/f
/// above 9.2 Hz at 44.1 kHz) over [`noise`]`(len, seed)`.
#[allow(dead_code)]
pub fn pink(len: usize, seed: u64, gain: f64) -> Vec<f32> {
    let mut b = [0.0_f64; 7];
    noise(len, seed)
        .iter()
        .map(|&w| {
            let w = f64::from(w);
            b[0] = 0.99886 * b[0] + w * 0.055_517_9;
            b[1] = 0.99332 * b[1] + w * 0.075_075_9;
            b[2] = 0.96900 * b[2] + w * 0.153_852;
            b[3] = 0.86650 * b[3] + w * 0.310_485_6;
            b[4] = 0.55000 * b[4] + w * 0.532_952_2;
            b[5] = -0.7616 * b[5] - w * 0.016_898;
            let out = b.iter().sum::<f64>() + w * 0.5362;
            b[6] = w * 0.115_926;
            (out * gain) as f32
        })
        .collect()
}

/// Largest `|a − b|` relative to the largest `|b|`.
pub fn max_rel_diff(a: &[f32], b: &[f32]) -> f64 {
    let peak = b.iter().fold(0.0_f64, |m, &v| m.max(f64::from(v).abs()));
    let diff = a.iter().zip(b).fold(0.0_f64, |m, (&x, &y)| {
        m.max((f64::from(x) - f64::from(y)).abs())
    });
    diff / peak.max(1e-30)
}

/// Largest `|y[n+1] − y[n]|`: the click detector of the sweep tests.
#[allow(dead_code)]
pub fn max_step(y: &[f32]) -> f32 {
    y.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

/// The textbook trapezoidal SVF in `f64` (Simper 2013, in his order: `v3 = x − ic2`,
/// `v1 = a1·ic1 + a2·v3`, `v2 = ic2 + a2·ic1 + a3·v3`, `ic ← 2v − ic`), coefficients from
/// the `f64` design values: the reference the `f32` filters are measured against.
#[allow(dead_code)]
#[derive(Clone, Copy, Debug)]
pub struct RefSvf {
    /// Damping `1/Q` (callers derive the all-pass `x − 2k·v1`).
    pub k: f64,
    /// `1/(1 + g(g + k))`.
    a1: f64,
    /// `g·a1`.
    a2: f64,
    /// `g·a2`.
    a3: f64,
    /// Integrator memories.
    ic: (f64, f64),
}

#[allow(dead_code)]
impl RefSvf {
    /// Integrator gain `g`, damping `k`; memories cleared.
    pub fn new(g: f64, k: f64) -> Self {
        let a1 = 1.0 / (1.0 + g * (g + k));
        Self {
            k,
            a1,
            a2: g * a1,
            a3: g * g * a1,
            ic: (0.0, 0.0),
        }
    }

    /// One sample; returns `(v1, v2)` = (band-pass, low-pass).
    pub fn tick(&mut self, x: f64) -> (f64, f64) {
        let (ic1, ic2) = self.ic;
        let v3 = x - ic2;
        let v1 = self.a1 * ic1 + self.a2 * v3;
        let v2 = ic2 + self.a2 * ic1 + self.a3 * v3;
        self.ic = (2.0 * v1 - ic1, 2.0 * v2 - ic2);
        (v1, v2)
    }
}

/// Magnitude in dB of the DTFT of `ir` at `freq_hz` (exact for a decayed impulse
/// response), evaluated by a complex phasor recursion in `f64`.
pub fn dtft_db(ir: &[f32], freq_hz: f64, sample_rate: f64) -> f64 {
    let (re, im) = dtft(ir, freq_hz, sample_rate);
    10.0 * (re * re + im * im).max(1e-300).log10()
}

/// Complex DTFT of `ir` at `freq_hz`: `Σ h[n]·e^{−jωn}`.
pub fn dtft(ir: &[f32], freq_hz: f64, sample_rate: f64) -> (f64, f64) {
    let w = 2.0 * std::f64::consts::PI * freq_hz / sample_rate;
    let (step_re, step_im) = (w.cos(), -w.sin());
    let (mut pr, mut pi) = (1.0_f64, 0.0_f64);
    let (mut re, mut im) = (0.0, 0.0);
    for (n, &h) in ir.iter().enumerate() {
        if n % 1024 == 0 {
            // Re-anchor the phasor to stop rounding drift.
            let a = w * n as f64;
            pr = a.cos();
            pi = -a.sin();
        }
        re += h as f64 * pr;
        im += h as f64 * pi;
        let nr = pr * step_re - pi * step_im;
        pi = pr * step_im + pi * step_re;
        pr = nr;
    }
    (re, im)
}

/// `count` log-spaced frequencies from `lo_hz` to `hi_hz` inclusive.
pub fn log_freqs(lo_hz: f64, hi_hz: f64, count: usize) -> Vec<f64> {
    (0..count)
        .map(|i| lo_hz * (hi_hz / lo_hz).powf(i as f64 / (count - 1) as f64))
        .collect()
}

/// Measured amplitude of a steady sine of `freq_hz` in `y` (least squares over whole
/// samples, after `skip` samples of settling).
#[allow(dead_code)]
pub fn sine_amplitude(y: &[f32], freq_hz: f64, sample_rate: f64, skip: usize) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq_hz / sample_rate;
    let (mut ss, mut cc, mut sc, mut ys, mut yc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (n, &v) in y.iter().enumerate().skip(skip) {
        let (s, c) = (w * n as f64).sin_cos();
        ss += s * s;
        cc += c * c;
        sc += s * c;
        ys += v as f64 * s;
        yc += v as f64 * c;
    }
    let det = ss * cc - sc * sc;
    let a = (ys * cc - yc * sc) / det;
    let b = (yc * ss - ys * sc) / det;
    (a * a + b * b).sqrt()
}

/// Runs `body(ftz)` twice on this thread: with the FPU's default denormal handling
/// (`ftz = false`), then (x86_64 only) with flush-to-zero and denormals-are-zero set in
/// MXCSR (bits 15 and 6), as a plugin wrapper does; the previous MXCSR is restored even
/// if `body` panics. `dsp-core` must behave the same either way (STYLE.md §11).
// `_mm_getcsr`/`_mm_setcsr` are deprecated in favour of inline assembly, but they are
// the plain, stable way to flip these two bits in a test.
#[allow(deprecated)]
pub fn with_and_without_ftz(mut body: impl FnMut(bool)) {
    body(false);
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_getcsr, _mm_setcsr};
        const FTZ_DAZ: u32 = (1 << 15) | (1 << 6);
        // SAFETY: reading/writing MXCSR only changes this thread's SSE rounding and
        // denormal modes; the old value is restored below.
        let old = unsafe { _mm_getcsr() };
        unsafe { _mm_setcsr(old | FTZ_DAZ) };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // The mode is really on: a denormal operand reads as zero.
            let tiny = std::hint::black_box(1e-39_f32);
            assert_eq!(tiny * 1.0, 0.0, "DAZ not active");
            body(true)
        }));
        unsafe { _mm_setcsr(old) };
        if let Err(panic) = result {
            std::panic::resume_unwind(panic);
        }
    }
}
