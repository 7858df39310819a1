//! Bass mono: the side signal below a crossover frequency is removed, shared by the
//! Panner and the Imager.
//!
//! A Linkwitz–Riley LR4 split ([`crate::crossover`]; S. Linkwitz, JAES 24(1), 1976) at
//! `hz` runs on left and right in lanes 0 and 1 of one SVF chain; the low band is summed
//! to mono (`L_low = R_low = (L_low+R_low)/2`) and the high band is untouched. Because
//! `low + high` is the LR4 all-pass, the mid signal `(L+R)/2` leaves as that all-pass
//! (flat magnitude) and the side as the LR4 high-pass.
//!
//! Smoothing (stepped per sample, so block-size invariant): the frequency ramps
//! logarithmically over [`HZ_RAMP_MS`] with coefficients refreshed every
//! [`COEF_UPDATE_INTERVAL`] samples; on/off is a linear crossfade of [`CROSSFADE_MS`]
//! between the input and the bass-mono signal. When off (and faded out) the crossover
//! does not run and its memories are cleared, so it restarts clean.

use crate::crossover::{LrCoefs, LrOrder, SplitRegs};
use crate::lanes::F32x4;
use crate::smoother::{Smoother, SmoothingStyle};

/// Logarithmic ramp time for the crossover frequency.
pub const HZ_RAMP_MS: f32 = 20.0;
/// Linear crossfade time for on/off.
pub const CROSSFADE_MS: f32 = 20.0;
/// Coefficient refresh interval (samples) while the frequency moves.
pub const COEF_UPDATE_INTERVAL: u32 = 16;
/// Lowest bass-mono frequency.
pub const MIN_HZ: f32 = 20.0;
/// Highest bass-mono frequency.
pub const MAX_HZ: f32 = 500.0;
/// Default bass-mono frequency.
pub const DEFAULT_HZ: f32 = 120.0;

/// The bass-mono stage; see the module documentation.
#[derive(Clone, Debug)]
pub struct BassMono {
    /// Sample rate from `prepare`, for coefficient design.
    sample_rate: f32,
    /// Crossover frequency ramp.
    hz: Smoother,
    /// On/off crossfade amount 0..1.
    amount: Smoother,
    /// Crossover coefficients.
    xover: LrCoefs,
    /// Samples until the next coefficient refresh while the frequency moves.
    coef_countdown: u32,
    /// Split memories, left and right in lanes 0 and 1 (one layout for the steady and the
    /// moving path, so both compute bit-identical samples).
    split: SplitRegs<F32x4>,
}

impl Default for BassMono {
    fn default() -> Self {
        Self::new()
    }
}

impl BassMono {
    /// Off, at [`DEFAULT_HZ`], 48 kHz.
    pub fn new() -> Self {
        let mut s = Self {
            sample_rate: 48_000.0,
            hz: Smoother::new(SmoothingStyle::Logarithmic),
            amount: Smoother::new(SmoothingStyle::Linear),
            xover: LrCoefs::new(LrOrder::Lr4, 48_000.0, DEFAULT_HZ),
            coef_countdown: 0,
            split: SplitRegs::default(),
        };
        s.prepare(48_000.0);
        s
    }

    /// Sets the sample rate (ramp lengths); allocates nothing. Call `set(.., snap: true)`
    /// afterwards.
    pub fn prepare(&mut self, sample_rate: f32) {
        self.sample_rate = sample_rate;
        self.hz.set_ramp_ms(sample_rate, HZ_RAMP_MS);
        self.amount.set_ramp_ms(sample_rate, CROSSFADE_MS);
    }

    /// Turns bass mono on or off at `hz` (clamp it to [`MIN_HZ`]..=[`MAX_HZ`] before).
    /// `snap` jumps (no ramps) and clears the state; otherwise on/off crossfades and the
    /// frequency ramps. Cheap when nothing changed.
    pub fn set(&mut self, on: bool, hz: f32, snap: bool) {
        let amount = if on { 1.0 } else { 0.0 };
        if snap {
            self.hz.reset(hz);
            self.amount.reset(amount);
            self.split = SplitRegs::default();
            self.coef_countdown = 0;
            self.xover = LrCoefs::new(LrOrder::Lr4, self.sample_rate, hz);
            return;
        }
        let was_active = self.is_active();
        self.amount.set_target(amount);
        if was_active {
            if hz != self.hz.target() {
                self.hz.set_target(hz);
                self.coef_countdown = 0;
            }
        } else if hz != self.hz.target() || on {
            // Not running: no need to ramp, start clean at the new frequency.
            self.hz.reset(hz);
            self.xover = LrCoefs::new(LrOrder::Lr4, self.sample_rate, hz);
            self.split = SplitRegs::default();
        }
    }

    /// True while the crossover must run (on, or fading in or out).
    #[inline]
    pub fn is_active(&self) -> bool {
        self.amount.current() > 0.0 || self.amount.target() > 0.0
    }

    /// True while the frequency ramps or on/off crossfades.
    #[inline]
    pub fn is_moving(&self) -> bool {
        self.hz.is_smoothing() || self.amount.is_smoothing()
    }

    /// One sample, stepping the ramps (the moving path; equals the steady path's
    /// arithmetic when nothing moves).
    #[inline(always)]
    pub fn tick(&mut self, l: f32, r: f32) -> (f32, f32) {
        if self.hz.is_smoothing() {
            let hz = self.hz.next();
            if self.coef_countdown == 0 || !self.hz.is_smoothing() {
                self.xover = LrCoefs::new(LrOrder::Lr4, self.sample_rate, hz);
                self.coef_countdown = COEF_UPDATE_INTERVAL;
            }
            self.coef_countdown -= 1;
        }
        let fading = self.amount.is_smoothing();
        let amount = self.amount.next();
        if !fading && amount == 0.0 {
            // Faded out earlier in this block: the input passes, as it does from the next
            // block on (when `process` skips the stage).
            return (l, r);
        }
        let (ml, mr) = steady_sample(&self.xover, &mut self.split, l, r);
        if fading {
            let out = (l + amount * (ml - l), r + amount * (mr - r));
            if amount == 0.0 {
                // Faded out: the crossover stops; restart it clean next time.
                self.split = SplitRegs::default();
            }
            out
        } else {
            (ml, mr)
        }
    }

    /// Steady path (fully on, nothing moving) over a block, with per-sample `pre` and
    /// `post` maps fused into the loop (the Panner's input and output matrices). Only
    /// call when `is_active() && !is_moving()`.
    #[inline(always)]
    pub fn process_steady_with(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        pre: impl Fn(f32, f32) -> (f32, f32),
        post: impl Fn(f32, f32) -> (f32, f32),
    ) {
        let xover = self.xover;
        let mut regs = self.split;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let (ul, ur) = pre(*l, *r);
            let (ml, mr) = steady_sample(&xover, &mut regs, ul, ur);
            (*l, *r) = post(ml, mr);
        }
        // Lanes 2 and 3 carry nothing: not storing them lets the loop drop them.
        self.split = regs.stereo_lanes();
    }

    /// Processes a block in place: steady loop when nothing moves, per-sample ramps
    /// otherwise, nothing at all when off.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        if !self.is_active() {
            return;
        }
        if self.is_moving() {
            for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                (*l, *r) = self.tick(*l, *r);
            }
        } else {
            self.process_steady_with(left, right, |l, r| (l, r), |l, r| (l, r));
        }
        self.end_block();
    }

    /// Block-end housekeeping: denormal/NaN flush of the crossover state.
    pub fn end_block(&mut self) {
        self.split.flush();
    }

    /// True when the crossover state is exactly zero (test probe).
    pub fn state_is_zero(&self) -> bool {
        self.split.is_zero()
    }
}

/// One bass-mono sample at fixed coefficients.
#[inline(always)]
fn steady_sample(xover: &LrCoefs, regs: &mut SplitRegs<F32x4>, l: f32, r: f32) -> (f32, f32) {
    let (low, high) = xover.split_lr4(regs, F32x4::pair(l, r));
    let low = 0.5 * (low.0[0] + low.0[1]);
    (high.0[0] + low, high.0[1] + low)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::noise;

    /// Turning bass mono off: once the 20 ms fade has ended, the input passes bit for bit,
    /// also in the rest of the block in which the fade ended (a block-size dependence the
    /// Imager's host test found: the crossover output leaked on until the block ended).
    #[test]
    fn after_fading_out_the_input_passes_within_the_same_block() {
        let fs = 48_000.0;
        let fade = (CROSSFADE_MS * 48.0) as usize;
        let run = |block: usize| {
            let mut b = BassMono::new();
            b.prepare(fs);
            b.set(true, 150.0, true);
            let (mut l, mut r) = (noise(8000, 1), noise(8000, 2));
            let (il, ir) = (l.clone(), r.clone());
            b.process(&mut l[..2000], &mut r[..2000]);
            b.set(false, 150.0, false);
            let mut i = 2000;
            while i < 8000 {
                let n = block.min(8000 - i);
                b.process(&mut l[i..i + n], &mut r[i..i + n]);
                i += n;
            }
            assert_eq!(&l[2000 + fade..], &il[2000 + fade..], "block {block}");
            assert_eq!(&r[2000 + fade..], &ir[2000 + fade..], "block {block}");
            l
        };
        let one = run(1);
        for block in [7, 64, 4096, 6000] {
            assert_eq!(run(block), one, "block {block}");
        }
    }
}
