//! One-pole low- and high-pass filters with impulse-invariant coefficients
//! (`a = e^{−2π·fc/fs}`, the exact sampling of the RC time constant `τ = 1/(2π·fc)`;
//! see J. O. Smith, "Introduction to Digital Filters", "One-pole" and "Impulse
//! invariance"). Used for parameter-like smoothing, DC blocking and simple tone shaping.
//!
//! `y[n] = x[n] + a·(y[n−1] − x[n])`; high-pass = `x − low-pass`. The step response
//! reaches `1 − 1/e` after exactly `τ·fs` samples (in the sampled sense: `1 − aⁿ`).
//! The −3 dB point equals `fc` for `fc ≪ fs` (within 1 % below `fs/50`, tested).

use crate::svf::flush;

/// Channels a [`OnePole`] holds state for.
pub const MAX_ONE_POLE_CHANNELS: usize = 2;

/// Impulse-invariant pole for a cutoff (`fc` clamped to `[1e-3, 0.49·fs]`).
pub fn coef_for_cutoff_hz(sample_rate: f32, cutoff_hz: f32) -> f32 {
    let fs = f64::from(sample_rate.max(1.0));
    let fc = if cutoff_hz.is_nan() {
        1000.0
    } else {
        f64::from(cutoff_hz).clamp(1e-3, 0.49 * fs)
    };
    (-2.0 * std::f64::consts::PI * fc / fs).exp() as f32
}

/// Pole for a time constant `τ` in milliseconds (time to reach `1 − 1/e` of a step);
/// 0 ms (or NaN) gives 0 (no smoothing).
pub fn coef_for_time_ms(sample_rate: f32, time_ms: f32) -> f32 {
    let samples = f64::from(time_ms) * 1e-3 * f64::from(sample_rate);
    if samples.is_nan() || samples <= 0.0 {
        0.0
    } else {
        (-1.0 / samples).exp() as f32
    }
}

/// One step of the one-pole low-pass `y ← x + a·(y − x)` on a memory held by the
/// caller; returns the new `y`. The only copy of this recursion: [`OnePole`], the
/// envelope follower and the meters' integrators all run it.
#[inline(always)]
pub fn smooth(y: &mut f32, x: f32, coef: f32) -> f32 {
    *y = x + coef * (*y - x);
    *y
}

/// A stereo one-pole filter.
#[derive(Clone, Debug)]
pub struct OnePole {
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Cutoff in Hz (last requested), for compare-then-update.
    cutoff_hz: f32,
    /// Pole `a`.
    coef: f32,
    /// Low-pass memory per channel.
    state: [f32; MAX_ONE_POLE_CHANNELS],
}

impl Default for OnePole {
    fn default() -> Self {
        Self::new()
    }
}

impl OnePole {
    /// 1 kHz at 48 kHz.
    pub fn new() -> Self {
        Self {
            sample_rate: 48_000.0,
            cutoff_hz: 1000.0,
            coef: coef_for_cutoff_hz(48_000.0, 1000.0),
            state: [0.0; MAX_ONE_POLE_CHANNELS],
        }
    }

    /// Sets the sample rate (nothing to allocate).
    pub fn prepare(&mut self, sample_rate: f32, _max_block: usize, _channels: usize) {
        self.sample_rate = sample_rate;
        self.coef = coef_for_cutoff_hz(sample_rate, self.cutoff_hz);
        self.reset();
    }

    /// Clears the memories.
    pub fn reset(&mut self) {
        self.state = [0.0; MAX_ONE_POLE_CHANNELS];
    }

    /// Latency in samples (0).
    pub fn latency(&self) -> usize {
        0
    }

    /// Sets the cutoff (recomputed only on change).
    pub fn set_cutoff_hz(&mut self, cutoff_hz: f32) {
        if cutoff_hz != self.cutoff_hz {
            self.cutoff_hz = cutoff_hz;
            self.coef = coef_for_cutoff_hz(self.sample_rate, cutoff_hz);
        }
    }

    /// Sets the cutoff from a time constant (`fc = 1/(2πτ)`).
    pub fn set_time_constant_ms(&mut self, time_ms: f32) {
        let tau_s = (time_ms.max(1e-6) * 1e-3) as f64;
        self.set_cutoff_hz((1.0 / (2.0 * std::f64::consts::PI * tau_s)) as f32);
    }

    /// One low-pass sample on `channel` (channels ≥ 2 pass through).
    #[inline]
    pub fn tick_lowpass(&mut self, channel: usize, x: f32) -> f32 {
        match self.state.get_mut(channel) {
            Some(y) => smooth(y, x, self.coef),
            None => x,
        }
    }

    /// Low-passes a block in place (channels ≥ 2 pass through).
    pub fn process_lowpass(&mut self, channel: usize, buf: &mut [f32]) {
        let coef = self.coef;
        if let Some(y) = self.state.get_mut(channel) {
            for x in buf.iter_mut() {
                *x = smooth(y, *x, coef);
            }
        }
        self.end_block();
    }

    /// High-passes a block in place (`x − low-pass`; channels ≥ 2 give silence, as the
    /// low-pass passes them through).
    pub fn process_highpass(&mut self, channel: usize, buf: &mut [f32]) {
        let coef = self.coef;
        match self.state.get_mut(channel) {
            Some(y) => {
                for x in buf.iter_mut() {
                    *x -= smooth(y, *x, coef);
                }
            }
            None => buf.fill(0.0),
        }
        self.end_block();
    }

    /// Flushes denormal/non-finite memories.
    pub fn end_block(&mut self) {
        self.state.iter_mut().for_each(flush);
    }

    /// The memories (test probe).
    pub fn state(&self) -> [f32; MAX_ONE_POLE_CHANNELS] {
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::dtft_db;

    #[test]
    fn step_reaches_one_minus_one_over_e_at_tau() {
        // The header: the step response is `1 − aⁿ` with `a = e^{−1/(τ·fs)}`, so it is
        // `1 − e^{−n/(τ·fs)}` at every sample and `1 − 1/e` after exactly `τ·fs`
        // samples. Checked sample by sample over 3τ against that formula (in `f64`),
        // and the fractional crossing of `1 − 1/e` against `τ·fs`. A pole off by one
        // sample (`τ·fs ± 1`) moves the response by ≈ 0.37/(τ·fs) ≥ 7e-4 at `τ·fs`
        // ≤ 500 and the crossing by a whole sample.
        let mut worst_y: f64 = 0.0;
        let mut worst_cross: f64 = 0.0;
        for (fs, ms) in [
            (48_000.0, 10.0),
            (44_100.0, 1.0),
            (8_000.0, 50.0),
            (384_000.0, 0.5),
            (48_000.0, 4.0),
        ] {
            let mut f = OnePole::new();
            f.prepare(fs, 64, 1);
            f.set_time_constant_ms(ms);
            let tau = f64::from(fs) * f64::from(ms) * 1e-3;
            let target = 1.0 - (-1.0_f64).exp();
            // The same recursion on `coef_for_time_ms` (envelope, meters).
            let (a, mut y2) = (coef_for_time_ms(fs, ms), 0.0_f32);
            let (mut prev, mut crossed) = (0.0_f64, None);
            for n in 1..=(3.0 * tau) as usize {
                let y = f64::from(f.tick_lowpass(0, 1.0));
                let y2 = f64::from(smooth(&mut y2, 1.0, a));
                let want = 1.0 - (-(n as f64) / tau).exp();
                worst_y = worst_y.max((y - want).abs()).max((y2 - want).abs());
                assert!((y - want).abs() < 2e-5, "{fs} {ms} n={n}: {y} vs {want}");
                assert!((y2 - want).abs() < 2e-5, "{fs} {ms} n={n}: {y2} vs {want}");
                if crossed.is_none() && y >= target {
                    crossed = Some((n - 1) as f64 + (target - prev) / (y - prev));
                }
                prev = y;
            }
            let crossed = crossed.expect("never reached 1 − 1/e");
            worst_cross = worst_cross.max((crossed - tau).abs());
            // Linear interpolation of the exponential between samples places the
            // crossing ≈ 1/(8τ·fs) sample late (< 0.003 here); one sample is a bug.
            assert!(
                (crossed - tau).abs() < 0.02,
                "{fs} {ms}: {crossed} vs {tau}"
            );
        }
        eprintln!("one-pole step: worst |y − (1 − e^(−n/τfs))| {worst_y:.2e}, crossing {worst_cross:.2e} samples");
    }

    #[test]
    fn minus_3_db_point() {
        let fs = 48_000.0;
        for fc in [20.0, 100.0, 960.0] {
            let mut f = OnePole::new();
            f.prepare(fs, 64, 1);
            f.set_cutoff_hz(fc);
            let mut ir = vec![0.0; 1 << 17];
            ir[0] = 1.0;
            f.process_lowpass(0, &mut ir);
            let db = dtft_db(&ir, fc as f64, fs as f64);
            // Impulse invariance: exactly −3.01 dB only as fc/fs → 0; 1 % in frequency.
            let db_lo = dtft_db(&ir, 0.99 * fc as f64, fs as f64);
            let db_hi = dtft_db(&ir, 1.01 * fc as f64, fs as f64);
            assert!(
                db_lo > -3.0103 && db_hi < -3.0103,
                "{fc}: {db_lo} {db} {db_hi}"
            );
            // High-pass is the exact complement of the low-pass.
            let mut hp = vec![0.0; 1 << 17];
            hp[0] = 1.0;
            f.reset();
            f.process_highpass(0, &mut hp);
            assert!(hp
                .iter()
                .zip(&ir)
                .enumerate()
                .all(|(n, (h, l))| (h + l - if n == 0 { 1.0 } else { 0.0 }).abs() < 1e-6));
        }
    }

    #[test]
    fn block_equals_tick_per_sample() {
        let x = crate::test_util::noise(1000, 52);
        let mut a = OnePole::new();
        a.prepare(44_100.0, 512, 2);
        a.set_cutoff_hz(300.0);
        let mut b = a.clone();
        let (mut lp, mut hp) = (x.clone(), x.clone());
        a.process_lowpass(0, &mut lp);
        a.process_highpass(1, &mut hp);
        let want_lp: Vec<f32> = x.iter().map(|&v| b.tick_lowpass(0, v)).collect();
        let want_hp: Vec<f32> = x.iter().map(|&v| v - b.tick_lowpass(1, v)).collect();
        assert_eq!((lp, hp), (want_lp, want_hp));
        // Channels ≥ 2: the low-pass passes through, the high-pass is silent.
        let (mut lp, mut hp) = ([0.5_f32; 4], [0.5_f32; 4]);
        a.process_lowpass(2, &mut lp);
        a.process_highpass(2, &mut hp);
        assert_eq!((lp, hp), ([0.5; 4], [0.0; 4]));
    }

    #[test]
    fn hostile_input() {
        crate::test_util::with_and_without_ftz(|_ftz| {
            let mut f = OnePole::new();
            f.prepare(48_000.0, 64, 2);
            let mut b = [f32::NAN, 1e-39, f32::INFINITY, 0.5];
            f.process_lowpass(0, &mut b);
            let mut b = [0.5_f32; 8];
            f.process_lowpass(0, &mut b);
            assert!(b.iter().all(|v| v.is_finite()));
            f.reset();
            let mut d = [1e-39_f32; 64];
            f.process_lowpass(1, &mut d);
            assert_eq!(f.state(), [0.0, 0.0]);
        });
    }
}
