//! Envelope follower with separate attack and release, peak or RMS detection, in the
//! "branching" smooth form of D. Giannoulis, M. Massberg, J. D. Reiss, "Digital Dynamic
//! Range Compressor Design — A Tutorial and Analysis", JAES 60(6), 2012 (eq. 17):
//! `env += (1 − a)(x − env)` with `a = a_attack` when `x > env`, else `a_release`,
//! `a = e^{−1/(τ·fs)}`.
//!
//! Time constants are documented as the time to reach `1 − 1/e` (63.2 %) of a step:
//! for Peak mode of the rectified level, for RMS mode of the mean square (power) —
//! the RMS output is `√env`, so it reaches `√(1 − 1/e)` = 79.5 % of the step level.

use crate::one_pole::{coef_for_time_ms, smooth};
use crate::svf::flush;

/// Default attack time.
pub const DEFAULT_ATTACK_MS: f32 = 10.0;
/// Default release time.
pub const DEFAULT_RELEASE_MS: f32 = 100.0;
/// Longest accepted time constant.
pub const MAX_TIME_MS: f32 = 10_000.0;

/// What is followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvelopeMode {
    /// Rectified level `|x|`.
    Peak,
    /// Root of the smoothed mean square `x²`.
    Rms,
}

/// A multichannel envelope follower.
#[derive(Clone, Debug)]
pub struct EnvelopeFollower {
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Detection mode.
    mode: EnvelopeMode,
    /// Attack time constant (last requested).
    attack_ms: f32,
    /// Release time constant (last requested).
    release_ms: f32,
    /// Attack pole.
    attack_coef: f32,
    /// Release pole.
    release_coef: f32,
    /// Envelope per channel (level for Peak, mean square for RMS), allocated in
    /// `prepare`.
    state: Vec<f32>,
}

impl Default for EnvelopeFollower {
    fn default() -> Self {
        Self::new()
    }
}

impl EnvelopeFollower {
    /// Peak mode, default times, no channels until `prepare`.
    pub fn new() -> Self {
        Self {
            sample_rate: 48_000.0,
            mode: EnvelopeMode::Peak,
            attack_ms: DEFAULT_ATTACK_MS,
            release_ms: DEFAULT_RELEASE_MS,
            attack_coef: coef_for_time_ms(48_000.0, DEFAULT_ATTACK_MS),
            release_coef: coef_for_time_ms(48_000.0, DEFAULT_RELEASE_MS),
            state: Vec::new(),
        }
    }

    /// Allocates state for `channels` (the only allocation).
    pub fn prepare(&mut self, sample_rate: f32, _max_block: usize, channels: usize) {
        self.sample_rate = sample_rate;
        self.state = vec![0.0; channels.max(1)];
        self.update();
    }

    /// Clears the envelopes.
    pub fn reset(&mut self) {
        self.state.iter_mut().for_each(|s| *s = 0.0);
    }

    /// Latency in samples (0).
    pub fn latency(&self) -> usize {
        0
    }

    fn update(&mut self) {
        self.attack_coef = coef_for_time_ms(self.sample_rate, self.attack_ms);
        self.release_coef = coef_for_time_ms(self.sample_rate, self.release_ms);
    }

    /// Sets mode and times (clamped to `0..=MAX_TIME_MS`); recomputes only on change.
    pub fn set_params(&mut self, mode: EnvelopeMode, attack_ms: f32, release_ms: f32) {
        let clamp = |v: f32| {
            if v.is_nan() {
                0.0
            } else {
                v.clamp(0.0, MAX_TIME_MS)
            }
        };
        let (attack_ms, release_ms) = (clamp(attack_ms), clamp(release_ms));
        self.mode = mode;
        if attack_ms != self.attack_ms || release_ms != self.release_ms {
            self.attack_ms = attack_ms;
            self.release_ms = release_ms;
            self.update();
        }
    }

    /// One sample of `channel`; returns the envelope (level, not power).
    #[inline]
    pub fn tick(&mut self, channel: usize, x: f32) -> f32 {
        let Some(env) = self.state.get_mut(channel) else {
            return 0.0;
        };
        let input = match self.mode {
            EnvelopeMode::Peak => x.abs(),
            EnvelopeMode::Rms => x * x,
        };
        let level = follow(env, input, self.attack_coef, self.release_coef);
        match self.mode {
            EnvelopeMode::Peak => level,
            EnvelopeMode::Rms => level.sqrt(),
        }
    }

    /// Follows a block of `channel`, writing the envelope to `out` (`min` length; an
    /// out-of-range channel writes zeros). Same arithmetic as [`EnvelopeFollower::tick`],
    /// with the channel looked up and the mode matched once per block.
    pub fn process(&mut self, channel: usize, input: &[f32], out: &mut [f32]) {
        let (attack, release) = (self.attack_coef, self.release_coef);
        let pairs = input.iter().zip(out.iter_mut());
        match (self.state.get_mut(channel), self.mode) {
            (None, _) => pairs.for_each(|(_, y)| *y = 0.0),
            (Some(env), EnvelopeMode::Peak) => {
                for (&x, y) in pairs {
                    *y = follow(env, x.abs(), attack, release);
                }
            }
            (Some(env), EnvelopeMode::Rms) => {
                for (&x, y) in pairs {
                    *y = follow(env, x * x, attack, release).sqrt();
                }
            }
        }
        self.end_block();
    }

    /// Flushes denormal/non-finite envelopes (call once per block after `tick`).
    pub fn end_block(&mut self) {
        self.state.iter_mut().for_each(flush);
    }

    /// Current envelope of `channel` (level).
    pub fn value(&self, channel: usize) -> f32 {
        let v = self.state.get(channel).copied().unwrap_or(0.0);
        match self.mode {
            EnvelopeMode::Peak => v,
            EnvelopeMode::Rms => v.sqrt(),
        }
    }
}

/// One branching-smoother step (Giannoulis et al. eq. 17): the attack pole while the
/// detector input rises above the envelope, else the release pole.
#[inline(always)]
fn follow(env: &mut f32, input: f32, attack_coef: f32, release_coef: f32) -> f32 {
    let a = if input > *env {
        attack_coef
    } else {
        release_coef
    };
    smooth(env, input, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fractional samples until the envelope (power for RMS) crosses `threshold`
    /// (linear interpolation between the two samples around the crossing).
    fn crossing(e: &mut EnvelopeFollower, x: f32, threshold: f32, rising: bool) -> f32 {
        let rms = e.mode == EnvelopeMode::Rms;
        let power = |v: f32| if rms { v * v } else { v };
        let mut prev = power(e.value(0));
        for n in 1..10_000_000 {
            let v = power(e.tick(0, x));
            if (rising && v >= threshold) || (!rising && v <= threshold) {
                return (n - 1) as f32 + (threshold - prev) / (v - prev);
            }
            prev = v;
        }
        unreachable!()
    }

    #[test]
    fn attack_and_release_time_constants_within_one_percent() {
        let target = 1.0 - (-1.0_f32).exp();
        for mode in [EnvelopeMode::Peak, EnvelopeMode::Rms] {
            for (fs, attack_ms, release_ms) in [
                (48_000.0, 5.0, 80.0),
                (44_100.0, 0.5, 1000.0),
                (8_000.0, 20.0, 200.0),
                (384_000.0, 1.0, 50.0),
            ] {
                let mut e = EnvelopeFollower::new();
                e.prepare(fs, 64, 1);
                e.set_params(mode, attack_ms, release_ms);
                let n_attack = crossing(&mut e, 1.0, target, true);
                let expected = fs * attack_ms * 1e-3;
                assert!(
                    (n_attack / expected - 1.0).abs() < 0.01,
                    "{mode:?} attack {n_attack} vs {expected}"
                );
                // Settle, then release: falls to 1/e of the level (power for RMS).
                for _ in 0..(fs * attack_ms * 1e-2) as usize {
                    e.tick(0, 1.0);
                }
                let start = if mode == EnvelopeMode::Rms {
                    e.value(0).powi(2)
                } else {
                    e.value(0)
                };
                let n_release = crossing(&mut e, 0.0, start * (-1.0_f32).exp(), false);
                let expected = fs * release_ms * 1e-3;
                assert!(
                    (n_release / expected - 1.0).abs() < 0.01,
                    "{mode:?} release {n_release} vs {expected}"
                );
            }
        }
    }

    #[test]
    fn rms_of_a_sine_is_amplitude_over_root_two() {
        let mut e = EnvelopeFollower::new();
        e.prepare(48_000.0, 64, 1);
        e.set_params(EnvelopeMode::Rms, 50.0, 50.0);
        let x: Vec<f32> = (0..96_000)
            .map(|i| (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 48_000.0).sin())
            .collect();
        let mut out = vec![0.0; x.len()];
        e.process(0, &x, &mut out);
        assert!((out[95_999] - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.01);
    }

    #[test]
    fn process_equals_tick_per_sample() {
        let x = crate::test_util::noise(3000, 51);
        for mode in [EnvelopeMode::Peak, EnvelopeMode::Rms] {
            let mut a = EnvelopeFollower::new();
            a.prepare(48_000.0, 512, 2);
            a.set_params(mode, 2.0, 40.0);
            let mut b = a.clone();
            let mut block = vec![0.0; x.len()];
            for (i, o) in x.chunks(333).zip(block.chunks_mut(333)) {
                a.process(1, i, o);
            }
            let per_sample: Vec<f32> = x.iter().map(|&v| b.tick(1, v)).collect();
            assert_eq!(block, per_sample, "{mode:?}");
            // An out-of-range channel writes zeros.
            let mut out = [1.0; 4];
            a.process(2, &[0.5; 4], &mut out);
            assert_eq!(out, [0.0; 4]);
        }
    }

    #[test]
    fn hostile_input() {
        crate::test_util::with_and_without_ftz(|_ftz| {
            let mut e = EnvelopeFollower::new();
            e.prepare(48_000.0, 64, 2);
            let mut out = [0.0; 4];
            e.process(0, &[f32::NAN, f32::INFINITY, 1e-39, 100.0], &mut out);
            e.process(0, &[0.5; 4], &mut out);
            assert!(out.iter().all(|v| v.is_finite()));
            e.reset();
            e.process(1, &[1e-39; 64], &mut [0.0; 64]);
            assert_eq!(e.value(1), 0.0);
        });
    }
}
