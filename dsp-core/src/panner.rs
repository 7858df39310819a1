//! The Lacquer Panner processor: pan laws, balance, stereo pan with M/S width, dual
//! pan, mono, bass mono, swap, polarity and output gain.
//!
//! Pan laws for a mono source at `p ∈ [−1, 1]` (the "sine/cosine" and "linear" tapers
//! of the classic console pan pot, generalised to a family of centre attenuations as in
//! M. Gerzon, "Panpot Laws for Multispeaker Stereo", AES 92nd Convention, 1992, and the
//! −3/−4.5/−6 dB laws found in DAWs):
//!
//! * base shape: SinCos `θ = (p+1)π/4`, `s_l = cos θ`, `s_r = sin θ` (centre `c0 = √½`);
//!   Linear `s_l = (1−p)/2`, `s_r = (1+p)/2` (`c0 = ½`);
//! * law `A ∈ {3, 4.5, 6} dB`: `g = s^e`, `e = A / (−20·log10 c0)`, so the centre is
//!   exactly −A dB and a hard side 0 dB; `compensated` divides by `c0^e` (centre unity,
//!   hard side +A dB);
//! * 0 dB law: `g = min(1, s/c0)` (`compensated` makes no difference).
//!
//! Modes (all followed by output gain):
//!
//! * **Balance**: `L·bl(p)`, `R·br(p)`, near side unity, far side falling:
//!   `bl = min(1, s_l/c0)` (the 0 dB law shape); the law does not apply.
//! * **Stereo**: M/S width first (`M = (L+R)/2`, `S = (L−R)/2·width`, `L' = M+S`,
//!   `R' = M−S`), then the image edges move: `L'` is placed at `pl = −1 + 2·max(p,0)` and
//!   `R'` at `pr = 1 − 2·max(−p,0)` with the law normalised so a hard-panned channel is
//!   unity on its side (i.e. the uncompensated law). `p = 0, width = 1` is the identity.
//! * **Dual**: `L` placed at `left_pan`, `R` at `right_pan`, same placement, no width.
//! * **Mono**: `x = (L+R)/2`, `out = x · pan_gains(law, taper, compensated, pan)`.
//!
//! Signal order: polarity (per input channel) → swap → bass mono → mode matrix → output
//! gain. Everything but bass mono is one 2×2 matrix, so the steady state is a plain 2×2
//! multiply (auto-vectorised), and exact neutral settings take a bit-transparent
//! fast path that does not touch the buffers.
//!
//! Bass mono is the shared [`crate::bass_mono`] stage (an LR4 split at `bass_mono_hz`
//! whose low band's side is removed; the sum stays all-pass). When off (and its fade-out
//! has finished) the crossover is not run at all.
//!
//! Smoothing (block-size invariant; everything is stepped per sample):
//! pan, left/right pan and width: linear ramps of [`PAN_RAMP_MS`]; output gain:
//! logarithmic ramp of [`GAIN_RAMP_MS`]; bass-mono frequency: logarithmic ramp of
//! [`BASS_MONO_HZ_RAMP_MS`] with crossover coefficients refreshed every
//! [`COEF_UPDATE_INTERVAL`] samples; discrete changes (mode, law, taper, compensation,
//! swap, polarity) are linear equal-gain matrix crossfades of [`CROSSFADE_MS`];
//! bass mono on/off is a linear crossfade of [`CROSSFADE_MS`]. While pan/width ramp, the
//! exact law matrix is evaluated at anchors every [`PAN_ANCHOR_INTERVAL`] samples counted
//! from the ramp start (plus the ramp's end, centre crossings, and closer anchors near the
//! hard sides, see [`EDGE_SEGMENT_FRACTION`]) and interpolated linearly in between:
//! within 0.005 dB of the law wherever the gain is above −60 dB (test
//! `swept_gains_are_exact_at_anchors_…`), exact at anchors and at rest, and ~10 ns per
//! stereo sample instead of ~75 ns for per-sample `sin`/`powf`. The first
//! `set_settings` after `prepare`/`reset` jumps without ramps.
//!
//! Mono input (`channels == 1`): the source is `left` (the content of `right` is ignored
//! and overwritten), Mono semantics are forced, `invert_left` flips the source, swap,
//! `invert_right` and bass mono do not apply.

use crate::bass_mono::BassMono;
use crate::db::db_to_gain;
use crate::smoother::{Smoother, SmoothingStyle};

mod anchors;
mod matrix;
mod moving;
pub use matrix::pan_gains;
use matrix::{apply, compose, input_matrix, mode_matrix, scale, Matrix, IDENTITY};

/// Linear ramp time for pan, left/right pan and width.
pub const PAN_RAMP_MS: f32 = 20.0;
/// Logarithmic ramp time for the output gain.
pub const GAIN_RAMP_MS: f32 = 20.0;
/// Logarithmic ramp time for the bass-mono crossover frequency.
pub const BASS_MONO_HZ_RAMP_MS: f32 = crate::bass_mono::HZ_RAMP_MS;
/// Equal-gain crossfade time for discrete changes and bass mono on/off.
pub const CROSSFADE_MS: f32 = 20.0;
/// Crossover coefficient refresh interval (samples) while the bass-mono frequency moves.
pub const COEF_UPDATE_INTERVAL: u32 = crate::bass_mono::COEF_UPDATE_INTERVAL;
/// While pan/width ramp, the exact law matrix is evaluated at anchors every this many
/// samples (counted from the ramp start) and interpolated linearly in between.
pub const PAN_ANCHOR_INTERVAL: u32 = 16;
/// Largest fraction of the distance to a hard side (where the far gain vanishes) one
/// anchor segment may span (see [`Panner::start_segment`]).
pub const EDGE_SEGMENT_FRACTION: f32 = 0.05;
/// Bass-mono crossover range and default.
pub const MIN_BASS_MONO_HZ: f32 = crate::bass_mono::MIN_HZ;
/// Upper end of the bass-mono crossover range.
pub const MAX_BASS_MONO_HZ: f32 = crate::bass_mono::MAX_HZ;
/// Default bass-mono crossover.
pub const DEFAULT_BASS_MONO_HZ: f32 = crate::bass_mono::DEFAULT_HZ;
/// Output gain range.
pub const MIN_OUTPUT_GAIN_DB: f32 = -24.0;
/// Upper end of the output gain range.
pub const MAX_OUTPUT_GAIN_DB: f32 = 24.0;
/// Largest width (2.0 = 200 %).
pub const MAX_WIDTH: f32 = 2.0;

/// What the pan control does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanMode {
    /// Stereo balance: attenuate the far channel only.
    Balance,
    /// Stereo pan: width, then move both image edges.
    Stereo,
    /// Independent placement of the left and right input.
    Dual,
    /// Sum to mono, then pan with the law.
    Mono,
}

impl PanMode {
    /// Every mode, in declaration order.
    pub const ALL: [PanMode; 4] = [
        PanMode::Balance,
        PanMode::Stereo,
        PanMode::Dual,
        PanMode::Mono,
    ];
}

/// Centre attenuation of a mono source panned to the middle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanLaw {
    /// 0 dB: unity at centre, far side falls, no boost.
    ZeroDb,
    /// −3 dB (constant power for the sin/cos taper).
    Minus3Db,
    /// −4.5 dB (compromise law).
    Minus4_5Db,
    /// −6 dB (constant voltage for the linear taper).
    Minus6Db,
}

impl PanLaw {
    /// Every law, in declaration order.
    pub const ALL: [PanLaw; 4] = [
        PanLaw::ZeroDb,
        PanLaw::Minus3Db,
        PanLaw::Minus4_5Db,
        PanLaw::Minus6Db,
    ];
}

/// Shape of the pan curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanTaper {
    /// Sine/cosine quarter-wave.
    SinCos,
    /// Straight line.
    Linear,
}

impl PanTaper {
    /// Both tapers.
    pub const ALL: [PanTaper; 2] = [PanTaper::SinCos, PanTaper::Linear];
}

/// Everything the Panner plugin exposes; applied once per (sub-)block.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PannerSettings {
    /// Pan mode.
    pub mode: PanMode,
    /// Centre attenuation for Mono mode and for placement shapes.
    pub law: PanLaw,
    /// Curve shape.
    pub taper: PanTaper,
    /// Mono mode: centre at unity, hard sides boosted by the law.
    pub compensated: bool,
    /// −1..=1: balance, stereo position, mono position.
    pub pan: f32,
    /// 0..=2 (1.0 = 100 %), Stereo mode M/S width.
    pub width: f32,
    /// Dual mode position of the left input (default −1).
    pub left_pan: f32,
    /// Dual mode position of the right input (default +1).
    pub right_pan: f32,
    /// Collapse the side signal below `bass_mono_hz`.
    pub bass_mono: bool,
    /// Bass mono LR4 crossover, 20..=500 Hz.
    pub bass_mono_hz: f32,
    /// Exchange left and right (after polarity).
    pub swap: bool,
    /// Flip the left input's polarity.
    pub invert_left: bool,
    /// Flip the right input's polarity.
    pub invert_right: bool,
    /// Output gain, −24..=24 dB.
    pub output_gain_db: f32,
}

impl Default for PannerSettings {
    fn default() -> Self {
        Self {
            mode: PanMode::Stereo,
            law: PanLaw::Minus3Db,
            taper: PanTaper::SinCos,
            compensated: false,
            pan: 0.0,
            width: 1.0,
            left_pan: -1.0,
            right_pan: 1.0,
            bass_mono: false,
            bass_mono_hz: DEFAULT_BASS_MONO_HZ,
            swap: false,
            invert_left: false,
            invert_right: false,
            output_gain_db: 0.0,
        }
    }
}

/// Clamps `value` into `[lo, hi]`, NaN → `default`.
fn clamp_or(value: f32, lo: f32, hi: f32, default: f32) -> f32 {
    if value.is_nan() {
        default
    } else {
        value.clamp(lo, hi)
    }
}

impl PannerSettings {
    /// The settings with every continuous value clamped into range (NaN → default).
    pub fn sanitized(&self) -> Self {
        let d = Self::default();
        Self {
            pan: clamp_or(self.pan, -1.0, 1.0, d.pan),
            width: clamp_or(self.width, 0.0, MAX_WIDTH, d.width),
            left_pan: clamp_or(self.left_pan, -1.0, 1.0, d.left_pan),
            right_pan: clamp_or(self.right_pan, -1.0, 1.0, d.right_pan),
            bass_mono_hz: clamp_or(
                self.bass_mono_hz,
                MIN_BASS_MONO_HZ,
                MAX_BASS_MONO_HZ,
                d.bass_mono_hz,
            ),
            output_gain_db: clamp_or(
                self.output_gain_db,
                MIN_OUTPUT_GAIN_DB,
                MAX_OUTPUT_GAIN_DB,
                d.output_gain_db,
            ),
            ..*self
        }
    }
}

/// The switch-like part of the settings: a change is crossfaded, not ramped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Discrete {
    /// Effective mode (Mono when the input is mono).
    mode: PanMode,
    /// Law for Mono mode and placement.
    law: PanLaw,
    /// Taper for every shape.
    taper: PanTaper,
    /// Mono-mode compensation.
    compensated: bool,
    /// Channel swap.
    swap: bool,
    /// Left polarity.
    invert_left: bool,
    /// Right polarity.
    invert_right: bool,
    /// Mono input (`channels == 1`).
    mono_input: bool,
}

/// The Panner processor. See the module documentation for the exact semantics.
#[derive(Clone, Debug)]
pub struct Panner {
    /// Sample rate from `prepare`, for ramp lengths and the crossover.
    sample_rate: f32,
    /// True when prepared for a mono input.
    mono_input: bool,
    /// Last settings given (sanitised), for compare-then-update.
    settings: PannerSettings,
    /// Current switch-like configuration.
    discrete: Discrete,
    /// The next `set_settings` jumps instead of ramping (after `prepare`/`reset`).
    snap: bool,
    /// Pan position ramp.
    pan: Smoother,
    /// Dual-mode left position ramp.
    left_pan: Smoother,
    /// Dual-mode right position ramp.
    right_pan: Smoother,
    /// Width ramp.
    width: Smoother,
    /// Output gain ramp (linear gain, geometric).
    gain: Smoother,
    /// Bass mono (its own ramps and crossover state).
    bass_mono: BassMono,
    /// Crossfade length for discrete changes, in samples.
    fade_len: u32,
    /// Samples left in the running discrete crossfade.
    fade_left: u32,
    /// Mode matrix at the start of the running crossfade (frozen).
    fade_from_m: Matrix,
    /// Input (swap/polarity) matrix at the start of the running crossfade.
    fade_from_p: Matrix,
    /// Mode matrix in effect at the last processed sample.
    m_now: Matrix,
    /// Input matrix in effect at the last processed sample.
    p_now: Matrix,
    /// Target mode matrix for the current smoother values.
    m_target: Matrix,
    /// Target input matrix for the current configuration.
    p_target: Matrix,
    /// A pan/width ramp (re)started or the mode matrix's shape changed: the next
    /// sample is an anchor.
    anchor_due: bool,
    /// Samples in the running anchor segment (0 = no segment: `m_target` is exact).
    seg_len: u32,
    /// Position in the running anchor segment.
    seg_pos: u32,
    /// Samples from the ramp start to the running segment's start.
    ramp_pos: u32,
    /// `1/seg_len`.
    seg_inv_len: f32,
    /// Exact mode matrix at the segment's first anchor.
    seg_from: Matrix,
    /// Exact mode matrix at the segment's end anchor.
    seg_to: Matrix,
}

impl Default for Panner {
    fn default() -> Self {
        Self::new()
    }
}

impl Panner {
    /// A neutral panner at 48 kHz; call `prepare` before processing.
    pub fn new() -> Self {
        let settings = PannerSettings::default();
        let discrete = Self::discrete_of(&settings, false);
        let mut p = Self {
            sample_rate: 48_000.0,
            mono_input: false,
            settings,
            discrete,
            snap: true,
            pan: Smoother::new(SmoothingStyle::Linear),
            left_pan: Smoother::new(SmoothingStyle::Linear),
            right_pan: Smoother::new(SmoothingStyle::Linear),
            width: Smoother::new(SmoothingStyle::Linear),
            gain: Smoother::new(SmoothingStyle::Logarithmic),
            bass_mono: BassMono::new(),
            fade_len: 960,
            fade_left: 0,
            fade_from_m: IDENTITY,
            fade_from_p: IDENTITY,
            m_now: IDENTITY,
            p_now: IDENTITY,
            m_target: IDENTITY,
            p_target: IDENTITY,
            anchor_due: false,
            seg_len: 0,
            seg_pos: 0,
            ramp_pos: 0,
            seg_inv_len: 1.0,
            seg_from: IDENTITY,
            seg_to: IDENTITY,
        };
        p.prepare(48_000.0, 0, 2);
        p
    }

    fn discrete_of(s: &PannerSettings, mono_input: bool) -> Discrete {
        Discrete {
            mode: if mono_input { PanMode::Mono } else { s.mode },
            law: s.law,
            taper: s.taper,
            compensated: s.compensated,
            swap: s.swap && !mono_input,
            invert_left: s.invert_left,
            invert_right: s.invert_right && !mono_input,
            mono_input,
        }
    }

    /// Sets the sample rate (designed for 8..=384 kHz; clamped to 1 kHz..=1 MHz) and
    /// channel count (1 = mono source, otherwise stereo). Allocates nothing.
    pub fn prepare(&mut self, sample_rate: f32, _max_block: usize, channels: usize) {
        self.sample_rate = clamp_or(sample_rate, 1000.0, 1_000_000.0, 48_000.0);
        self.mono_input = channels == 1;
        let sr = self.sample_rate;
        for s in [
            &mut self.pan,
            &mut self.left_pan,
            &mut self.right_pan,
            &mut self.width,
        ] {
            s.set_ramp_ms(sr, PAN_RAMP_MS);
        }
        self.gain.set_ramp_ms(sr, GAIN_RAMP_MS);
        self.bass_mono.prepare(sr);
        self.fade_len = ((sr * CROSSFADE_MS * 1e-3).round() as u32).max(1);
        self.discrete = Self::discrete_of(&self.settings, self.mono_input);
        self.reset();
    }

    /// Clears filter state, stops every ramp and crossfade at its target, and makes the
    /// next `set_settings` jump.
    pub fn reset(&mut self) {
        self.apply_settings(true);
        self.snap = true;
    }

    /// Latency in samples (always 0).
    pub fn latency(&self) -> usize {
        0
    }

    /// Applies settings: sets smoother targets, starts crossfades. Cheap when unchanged.
    pub fn set_settings(&mut self, settings: &PannerSettings) {
        let s = settings.sanitized();
        if s == self.settings && !self.snap {
            return;
        }
        self.settings = s;
        let snap = self.snap;
        self.snap = false;
        self.apply_settings(snap);
    }

    /// Pushes `self.settings` into the smoothers; `snap` jumps and clears state.
    fn apply_settings(&mut self, snap: bool) {
        let s = self.settings;
        let discrete = Self::discrete_of(&s, self.mono_input);
        let gain = db_to_gain(s.output_gain_db);
        let bass_mono = s.bass_mono && !self.mono_input;
        self.bass_mono.set(bass_mono, s.bass_mono_hz, snap);
        if snap {
            self.pan.reset(s.pan);
            self.left_pan.reset(s.left_pan);
            self.right_pan.reset(s.right_pan);
            self.width.reset(s.width);
            self.gain.reset(gain);
            self.discrete = discrete;
            self.fade_left = 0;
            self.anchor_due = false;
            self.seg_len = 0;
        } else {
            let placement_before = self.placement_targets();
            self.pan.set_target(s.pan);
            self.left_pan.set_target(s.left_pan);
            self.right_pan.set_target(s.right_pan);
            self.width.set_target(s.width);
            if self.placement_targets() != placement_before || discrete != self.discrete {
                self.anchor_due = true;
            }
            self.gain.set_target(gain);
            if discrete != self.discrete {
                self.fade_from_m = self.m_now;
                self.fade_from_p = self.p_now;
                self.fade_left = self.fade_len;
                self.discrete = discrete;
            }
        }
        if self.anchor_due {
            // The next sample is an anchor and evaluates the mode matrix itself.
            self.p_target = input_matrix(&self.discrete);
        } else {
            self.refresh_targets();
        }
        if snap {
            self.m_now = self.m_target;
            self.p_now = self.p_target;
        }
    }

    /// Recomputes the target matrices from the current smoother values.
    fn refresh_targets(&mut self) {
        self.m_target = self.current_mode_matrix();
        self.p_target = input_matrix(&self.discrete);
    }

    /// The exact mode matrix at the placement smoothers' current values.
    fn current_mode_matrix(&self) -> Matrix {
        mode_matrix(
            &self.discrete,
            self.pan.current(),
            self.left_pan.current(),
            self.right_pan.current(),
            self.width.current(),
        )
    }

    /// True while the bass-mono crossover must run (on, or fading in or out).
    fn bass_mono_active(&self) -> bool {
        self.bass_mono.is_active()
    }

    /// True while anything ramps or crossfades.
    fn is_moving(&self) -> bool {
        self.fade_left > 0
            || self.pan.is_smoothing()
            || self.left_pan.is_smoothing()
            || self.right_pan.is_smoothing()
            || self.width.is_smoothing()
            || self.gain.is_smoothing()
            || self.bass_mono.is_moving()
    }

    /// Processes `left`/`right` in place (the first `min(len)` samples).
    pub fn process_stereo(&mut self, left: &mut [f32], right: &mut [f32]) {
        let len = left.len().min(right.len());
        let (left, right) = (&mut left[..len], &mut right[..len]);
        if len == 0 {
            return;
        }
        if self.is_moving() {
            self.process_moving(left, right);
        } else if self.bass_mono_active() {
            // Nothing moves, so bass mono is fully on at a fixed frequency: the steady
            // `bass_mono_sample` with both splits in lanes 0/1 of one LR4 chain and the
            // memories in locals.
            let gm = scale(self.gain.current(), &self.m_target);
            let p = self.p_target;
            self.bass_mono.process_steady_with(
                left,
                right,
                |l, r| apply(&p, l, r),
                |l, r| apply(&gm, l, r),
            );
        } else {
            let g = compose(self.gain.current(), &self.m_target, &self.p_target);
            if g == IDENTITY {
                return;
            }
            if self.mono_input {
                // The right input is not a signal; never read it.
                for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                    let x = *l;
                    (*l, *r) = (g[0] * x, g[2] * x);
                }
            } else {
                for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                    (*l, *r) = apply(&g, *l, *r);
                }
            }
        }
        self.end_block();
    }

    /// Block-end housekeeping: denormal/NaN flush of the crossover state.
    fn end_block(&mut self) {
        self.bass_mono.end_block();
    }

    /// True when the bass-mono crossover state is exactly zero (test probe).
    pub fn state_is_zero(&self) -> bool {
        self.bass_mono.state_is_zero()
    }
}

#[cfg(test)]
mod tests;
