//! Parameter smoothing: linear ramps (pan, mix, width) and logarithmic/geometric ramps
//! (frequency, linear gain) of a fixed duration that land exactly on the target, in the
//! style of NIH-plug's `Smoother` and the LSP DSP units' parameter ramps.
//!
//! A ramp started by [`Smoother::set_target`] takes exactly `ramp_samples` calls of
//! [`Smoother::next`]: call `N` returns the target bit for bit, call `N - 1` does not.
//! Values are accumulated in `f64` so a long ramp does not drift, and the per-sample
//! arithmetic is the same whether it is stepped by [`Smoother::next`] or
//! [`Smoother::next_block`], so block size never changes the sequence.

/// Smallest value a [`SmoothingStyle::Logarithmic`] smoother accepts; smaller (or
/// non-positive) values are clamped to it because a geometric ramp through zero is
/// undefined.
pub const MIN_LOG_VALUE: f32 = 1e-9;

/// How a [`Smoother`] moves from its current value to a new target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmoothingStyle {
    /// Jump to the target at once (for values the algorithm already smooths).
    None,
    /// Constant increment per sample (pan, mix, width).
    Linear,
    /// Constant ratio per sample (frequency, linear gain); values must be positive.
    Logarithmic,
}

/// A per-sample parameter smoother. No allocation anywhere; `Copy`-cheap.
#[derive(Clone, Copy, Debug)]
pub struct Smoother {
    /// Ramp shape; fixed at construction because a parameter's smoothing is chosen on
    /// purpose, not at run time.
    style: SmoothingStyle,
    /// Ramp length in samples, from [`Smoother::set_ramp_ms`].
    ramp_samples: u32,
    /// Value returned by the last `next()` (the value "now"), in `f64` to avoid drift.
    current: f64,
    /// Value the ramp ends on, exactly as given (after clamping).
    target: f32,
    /// Per-sample increment (linear) or ratio (logarithmic) of the running ramp.
    step: f64,
    /// Samples left in the running ramp; 0 = settled.
    steps_left: u32,
}

impl Default for Smoother {
    fn default() -> Self {
        Self::new(SmoothingStyle::Linear)
    }
}

impl Smoother {
    /// A settled smoother at 0 (or 1 when logarithmic) with no ramp length; call [`Smoother::set_ramp_ms`] and [`Smoother::reset`] before use.
    pub fn new(style: SmoothingStyle) -> Self {
        let initial = if style == SmoothingStyle::Logarithmic {
            1.0
        } else {
            0.0
        };
        Self {
            style,
            ramp_samples: 0,
            current: initial as f64,
            target: initial,
            step: 0.0,
            steps_left: 0,
        }
    }

    /// Sets the ramp duration. Takes effect for the next [`Smoother::set_target`]; a
    /// running ramp keeps its length. Non-finite or negative times mean "no ramp".
    pub fn set_ramp_ms(&mut self, sample_rate: f32, ramp_ms: f32) {
        let samples = f64::from(sample_rate) * f64::from(ramp_ms) * 1e-3;
        self.ramp_samples = if samples.is_finite() && samples > 0.0 {
            samples.round().min(u32::MAX as f64) as u32
        } else {
            0
        };
    }

    /// Ramp length in samples.
    pub fn ramp_samples(&self) -> u32 {
        self.ramp_samples
    }

    /// `value` clamped for this style (logarithmic: at least [`MIN_LOG_VALUE`]);
    /// non-finite values give `fallback` (clamped the same way).
    fn clamp_value(&self, value: f32, fallback: f32) -> f32 {
        let value = if value.is_finite() { value } else { fallback };
        match self.style {
            SmoothingStyle::Logarithmic => value.max(MIN_LOG_VALUE),
            _ => value,
        }
    }

    /// Jumps to `value` (current = target = value) and stops any ramp. Non-finite
    /// values reset to 0 (clamped to [`MIN_LOG_VALUE`] when logarithmic).
    pub fn reset(&mut self, value: f32) {
        let value = self.clamp_value(value, 0.0);
        self.target = value;
        self.current = value as f64;
        self.steps_left = 0;
        self.step = 0.0;
    }

    /// Starts a ramp from the current value to `target`. Setting the same target again is
    /// a no-op, so re-sending a value every (sub-)block never restarts a ramp.
    pub fn set_target(&mut self, target: f32) {
        let target = self.clamp_value(target, self.target);
        if target == self.target {
            return;
        }
        self.target = target;
        if self.style == SmoothingStyle::None || self.ramp_samples == 0 {
            self.current = target as f64;
            self.steps_left = 0;
            return;
        }
        let n = self.ramp_samples as f64;
        self.step = match self.style {
            SmoothingStyle::Linear => (target as f64 - self.current) / n,
            _ => (target as f64 / self.current).powf(1.0 / n),
        };
        self.steps_left = self.ramp_samples;
    }

    /// Advances one sample and returns the new value.
    // `next` is the name the whole suite uses for smoothers (as in NIH-plug); a
    // smoother is not an iterator (it never ends).
    #[allow(clippy::should_implement_trait)]
    #[inline]
    pub fn next(&mut self) -> f32 {
        if self.steps_left == 0 {
            return self.target;
        }
        self.steps_left -= 1;
        if self.steps_left == 0 {
            self.current = self.target as f64;
        } else if self.style == SmoothingStyle::Linear {
            self.current += self.step;
        } else {
            self.current *= self.step;
        }
        self.current as f32
    }

    /// Fills `out` with the next `out.len()` values; identical to calling `next()` per
    /// sample. Steps only while the ramp runs; the settled rest is one fill.
    pub fn next_block(&mut self, out: &mut [f32]) {
        let ramp = out.len().min(self.steps_left as usize);
        let (moving, settled) = out.split_at_mut(ramp);
        for value in moving {
            *value = self.next();
        }
        settled.fill(self.target);
    }

    /// Advances `samples` samples without producing values (same end state as calling
    /// `next()` that many times).
    pub fn skip(&mut self, samples: usize) {
        for _ in 0..samples.min(self.steps_left as usize) {
            self.next();
        }
    }

    /// The value `steps` calls of [`Smoother::next`] from now would return, without
    /// advancing (computed directly, so it may differ from the stepped value by `f64`
    /// rounding, far below `f32` resolution; `steps ≥ steps_left` gives the target
    /// exactly).
    #[inline]
    pub fn peek(&self, steps: u32) -> f32 {
        if steps >= self.steps_left {
            return self.target;
        }
        if steps == 0 {
            return self.current();
        }
        match self.style {
            SmoothingStyle::Linear => (self.current + self.step * f64::from(steps)) as f32,
            _ => (self.current * self.step.powi(steps as i32)) as f32,
        }
    }

    /// True while a ramp is running.
    #[inline]
    pub fn is_smoothing(&self) -> bool {
        self.steps_left > 0
    }

    /// The value "now" (the last value returned by `next()`, or the reset value).
    #[inline]
    pub fn current(&self) -> f32 {
        if self.steps_left == 0 {
            self.target
        } else {
            self.current as f32
        }
    }

    /// The value the ramp ends on.
    #[inline]
    pub fn target(&self) -> f32 {
        self.target
    }

    /// Samples until the ramp lands (0 when settled).
    #[inline]
    pub fn steps_left(&self) -> u32 {
        self.steps_left
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smoother(style: SmoothingStyle, sample_rate: f32, ms: f32, start: f32) -> Smoother {
        let mut s = Smoother::new(style);
        s.set_ramp_ms(sample_rate, ms);
        s.reset(start);
        s
    }

    #[test]
    fn linear_lands_exactly_at_sample_n() {
        for &(sr, ms, from, to) in &[
            (48_000.0, 20.0, -1.0, 1.0),
            (44_100.0, 10.0, 0.3, 0.7),
            (8_000.0, 5.0, 1.0, 0.0),
            (384_000.0, 20.0, 0.0, 2.0),
        ] {
            let mut s = smoother(SmoothingStyle::Linear, sr, ms, from);
            s.set_target(to);
            let n = (sr * ms * 1e-3).round() as usize;
            assert_eq!(s.ramp_samples() as usize, n);
            let values: Vec<f32> = (0..n + 3).map(|_| s.next()).collect();
            assert_ne!(values[n - 2], to, "sample N-1 must not be the target");
            assert_eq!(values[n - 1], to, "sample N must be exactly the target");
            assert!(values[n..].iter().all(|&v| v == to));
            // Linear: the midpoint is the arithmetic mean (within f32 rounding).
            let mid = values[n / 2 - 1];
            let expected = from + (to - from) * (n / 2) as f32 / n as f32;
            assert!((mid - expected).abs() < 1e-5, "{mid} vs {expected}");
            assert!(!s.is_smoothing());
        }
    }

    #[test]
    fn logarithmic_is_geometric_and_lands_exactly() {
        let mut s = smoother(SmoothingStyle::Logarithmic, 48_000.0, 10.0, 100.0);
        s.set_target(10_000.0);
        let n = 480;
        let values: Vec<f32> = (0..n).map(|_| s.next()).collect();
        assert_ne!(values[n - 2], 10_000.0);
        assert_eq!(values[n - 1], 10_000.0);
        // Geometric midpoint: sqrt(100 · 10000) = 1000 at half way.
        assert!(
            (values[n / 2 - 1] - 1000.0).abs() < 0.01,
            "{}",
            values[n / 2 - 1]
        );
        // Constant ratio between consecutive samples.
        let ratio = (100.0_f64).powf(1.0 / n as f64);
        for w in values[..n - 1].windows(2) {
            let r = w[1] as f64 / w[0] as f64;
            assert!((r - ratio).abs() < 1e-5);
        }
    }

    #[test]
    fn same_target_does_not_restart() {
        let mut s = smoother(SmoothingStyle::Linear, 1000.0, 10.0, 0.0);
        s.set_target(1.0);
        for _ in 0..5 {
            s.next();
            s.set_target(1.0);
        }
        assert_eq!(s.steps_left(), 5);
        let last: Vec<f32> = (0..5).map(|_| s.next()).collect();
        assert_eq!(last[4], 1.0);
        assert_ne!(last[3], 1.0);
    }

    #[test]
    fn block_api_equals_per_sample_api() {
        // The 309-sample ramp ends inside the last block.
        for style in [SmoothingStyle::Linear, SmoothingStyle::Logarithmic] {
            let mut a = smoother(style, 44_100.0, 7.0, 0.5);
            let mut b = a;
            a.set_target(3.0);
            b.set_target(3.0);
            let per_sample: Vec<f32> = (0..1000).map(|_| a.next()).collect();
            let mut block = vec![0.0; 1000];
            let mut pos = 0;
            for len in [1usize, 7, 64, 100, 828] {
                b.next_block(&mut block[pos..pos + len]);
                pos += len;
            }
            assert_eq!(per_sample, block, "{style:?}");
            assert_eq!(b.steps_left(), 0);
            assert_eq!(b.current(), 3.0);
        }
    }

    #[test]
    fn peek_predicts_next() {
        for style in [SmoothingStyle::Linear, SmoothingStyle::Logarithmic] {
            let mut s = smoother(style, 48_000.0, 5.0, 0.5);
            s.set_target(2.0);
            for k in [0, 1, 7, 16, 239, 240, 241, 1000] {
                let mut t = s;
                let stepped = (0..k).fold(s.current(), |_, _| t.next());
                assert!((s.peek(k) - stepped).abs() <= 1e-6, "{style:?} {k}");
            }
            assert_eq!(s.peek(240), 2.0);
        }
    }

    #[test]
    fn none_style_and_hostile_values() {
        let mut s = smoother(SmoothingStyle::None, 48_000.0, 20.0, 0.0);
        s.set_target(0.5);
        assert_eq!(s.next(), 0.5);
        let mut l = smoother(SmoothingStyle::Logarithmic, 48_000.0, 20.0, 1.0);
        l.set_target(0.0);
        assert_eq!(l.target(), MIN_LOG_VALUE);
        l.set_target(f32::NAN);
        assert_eq!(l.target(), MIN_LOG_VALUE);
        for _ in 0..2000 {
            assert!(l.next().is_finite());
        }
        assert_eq!(l.current(), MIN_LOG_VALUE);
        // Non-finite reset values land on 0 (the floor when logarithmic).
        l.reset(f32::INFINITY);
        assert_eq!((l.current(), l.target()), (MIN_LOG_VALUE, MIN_LOG_VALUE));
        let mut lin = smoother(SmoothingStyle::Linear, 48_000.0, 20.0, 0.7);
        lin.reset(f32::NAN);
        assert_eq!((lin.current(), lin.target()), (0.0, 0.0));
        // A fresh logarithmic smoother sits at 1.
        assert_eq!(Smoother::new(SmoothingStyle::Logarithmic).current(), 1.0);
    }
}
