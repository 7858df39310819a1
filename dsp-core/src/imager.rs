//! The Lacquer Imager: multiband stereo width by mid/side gain, bass mono, side
//! high-pass, balance, swap, polarity, mono monitoring, and correlation/level metering.
//!
//! Signal order (per sample): sanitise (non-finite → 0, clamp ±[`INPUT_LIMIT`]) →
//! polarity and swap (a 2×2 input matrix, linearly cross-faded over [`CROSSFADE_MS`]) →
//! `M = (L+R)/2`, `S = (L−R)/2` → band split of M and S (1..=[`MAX_BANDS`] bands) →
//! per band `S_b · w_b` (width `w_b` ∈ 0..=2, 1 = 100 %; M/S width as in M. Gerzon's
//! "stereo shuffling", and ffmpeg `stereotools`' `slev`; linear ramps of
//! [`WIDTH_RAMP_MS`]) → `M' = Σ M_b`, `S' = Σ w_b S_b` → side high-pass (2nd-order
//! Butterworth on `S'` only, on/off cross-faded, frequency ramped) → `L = M'+S'`,
//! `R = M'−S'` → bass mono ([`crate::bass_mono`], the Panner's stage) → balance (far
//! channel falls linearly: `g_l = min(1, 1−b)`, `g_r = min(1, 1+b)`, ramped) → meters →
//! mono monitoring (`(L+R)/2` on both, cross-faded).
//!
//! Band split: minimum phase = [`crate::crossover::Crossover`] LR4 with all-pass
//! compensation (the band sum is an all-pass; one band = no split at all); linear phase
//! = [`crate::linear_phase::LinearPhaseSplitter`] (the band sum is the input delayed by
//! [`Imager::latency`]; one band runs the splitter with equal widths, so the latency
//! does not depend on the band count). Width only scales the side, so the mono fold-down
//! `(L+R)/2 = M'` never depends on the widths. Bass mono stays the minimum-phase LR4 in
//! both modes (it puts its all-pass on the mid below its frequency).
//!
//! Changes of band count or phase mode re-route the signal: the output dips to silence
//! over [`SWITCH_MS`], the new topology starts from cleared state, and it fades back in
//! over [`SWITCH_MS`] (no click, a 10 ms gap). Minimum-phase crossover frequencies ramp
//! logarithmically over [`CROSSOVER_RAMP_MS`] with coefficients refreshed every
//! [`COEF_UPDATE_INTERVAL`] samples; linear-phase ones cross-fade kernels. Those kernels
//! are designed inside `set_settings`' processing by default (on the audio thread); a
//! plugin designs them on a background thread instead ([`Imager::design_kernels`]) and
//! hands them over with [`Imager::install_kernels`] after
//! [`Imager::set_inline_kernel_design`]`(false)`; retired sets come back from
//! [`Imager::take_retired_kernels`] to be dropped off the audio thread.
//!
//! Meters (read after each block): correlation overall and per band, and the output's mid
//! and side RMS ([`crate::meter::MidSideMeter`], 300 ms, fed with mid and side: per band
//! `(M_b, w_b S_b)`, whose `L/R` is the band's output `(M_b + w_b S_b, M_b − w_b S_b)`).
//! Everything is stepped per sample, so the audio output is identical for any block size.
//!
//! Cost (the target: 4 bands with meters under 40 ns per stereo sample): each
//! stage is one loop over a sub-block of up to `CHUNK` samples; ramps are expanded into
//! per-sample arrays by [`Smoother::next_block`] (a settled one is a constant fill), so
//! the width, sum, balance and meter loops have no per-sample branches and vectorise;
//! the crossover runs its whole tree in one loop with mid and side in two lanes
//! ([`Crossover::process_stereo`]); the side high-pass and mono-monitoring loops run only
//! while they are on or fading.

use crate::bass_mono::BassMono;
use crate::crossover::Crossover;
use crate::linear_phase::{KernelSet, LinearPhaseSplitter};
use crate::meter::MidSideMeter;
use crate::smoother::{Smoother, SmoothingStyle};
use crate::svf::{SvfCoefs, SvfState};

/// Most bands.
pub const MAX_BANDS: usize = 4;
/// Largest width (2 = 200 %).
pub const MAX_WIDTH: f32 = 2.0;
/// Width ramp time.
pub const WIDTH_RAMP_MS: f32 = 20.0;
/// Balance ramp time.
pub const BALANCE_RAMP_MS: f32 = 20.0;
/// Cross-fade time of swap, polarity, side high-pass on/off and mono monitoring.
pub const CROSSFADE_MS: f32 = 20.0;
/// Fade-out and fade-in time of a band-count or phase-mode change.
pub const SWITCH_MS: f32 = 5.0;
/// Logarithmic ramp time of the minimum-phase crossovers and the side high-pass.
pub const CROSSOVER_RAMP_MS: f32 = 20.0;
/// Coefficient refresh interval (samples) while a frequency ramps.
pub const COEF_UPDATE_INTERVAL: usize = 16;
/// Crossover range.
pub const MIN_CROSSOVER_HZ: f32 = 20.0;
/// Upper end of the crossover range.
pub const MAX_CROSSOVER_HZ: f32 = 20_000.0;
/// Side high-pass range.
pub const MIN_SIDE_HP_HZ: f32 = 20.0;
/// Upper end of the side high-pass range.
pub const MAX_SIDE_HP_HZ: f32 = 500.0;
/// Inputs are clamped to ± this (~+180 dBFS) so widening can never overflow.
pub const INPUT_LIMIT: f32 = 1e9;
/// Internal sub-block length.
const CHUNK: usize = 256;

/// Band-split phase behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PhaseMode {
    /// LR4 crossovers, all-pass compensated, no latency.
    #[default]
    Minimum,
    /// Linear-phase FIR bands, latency [`Imager::latency`].
    Linear,
}

/// Everything the Imager's controls set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImagerSettings {
    /// Bands, 1..=4.
    pub num_bands: usize,
    /// Crossovers (the first `num_bands − 1` are used; sorted), 20 Hz..20 kHz.
    pub crossover_hz: [f32; MAX_BANDS - 1],
    /// Width per band, 0..=2 (0 = mono, 1 = unchanged, 2 = side +6 dB).
    pub width: [f32; MAX_BANDS],
    /// Band-split phase mode.
    pub phase: PhaseMode,
    /// Bass mono on.
    pub bass_mono: bool,
    /// Bass mono frequency, 20..=500 Hz.
    pub bass_mono_hz: f32,
    /// Side high-pass on.
    pub side_hp: bool,
    /// Side high-pass frequency, 20..=500 Hz.
    pub side_hp_hz: f32,
    /// Balance −1 (left) ..= 1 (right).
    pub balance: f32,
    /// Swap left and right.
    pub swap: bool,
    /// Invert the left input.
    pub invert_left: bool,
    /// Invert the right input.
    pub invert_right: bool,
    /// Listen to `(L+R)/2` on both outputs (meters still read the stereo output).
    pub mono_monitor: bool,
}

impl Default for ImagerSettings {
    fn default() -> Self {
        Self {
            num_bands: 3,
            crossover_hz: [200.0, 2000.0, 8000.0],
            width: [1.0; MAX_BANDS],
            phase: PhaseMode::Minimum,
            bass_mono: false,
            bass_mono_hz: crate::bass_mono::DEFAULT_HZ,
            side_hp: false,
            side_hp_hz: 40.0,
            balance: 0.0,
            swap: false,
            invert_left: false,
            invert_right: false,
            mono_monitor: false,
        }
    }
}

fn clamp_or(v: f32, lo: f32, hi: f32, default: f32) -> f32 {
    if v.is_finite() {
        v.clamp(lo, hi)
    } else {
        default
    }
}

impl ImagerSettings {
    /// Every value clamped into range (NaN → default).
    pub fn sanitized(&self) -> Self {
        let d = Self::default();
        let mut s = *self;
        s.num_bands = s.num_bands.clamp(1, MAX_BANDS);
        for (i, hz) in s.crossover_hz.iter_mut().enumerate() {
            *hz = clamp_or(*hz, MIN_CROSSOVER_HZ, MAX_CROSSOVER_HZ, d.crossover_hz[i]);
        }
        s.crossover_hz.sort_by(|a, b| a.total_cmp(b));
        for w in &mut s.width {
            *w = clamp_or(*w, 0.0, MAX_WIDTH, 1.0);
        }
        s.bass_mono_hz = clamp_or(
            s.bass_mono_hz,
            crate::bass_mono::MIN_HZ,
            crate::bass_mono::MAX_HZ,
            d.bass_mono_hz,
        );
        s.side_hp_hz = clamp_or(s.side_hp_hz, MIN_SIDE_HP_HZ, MAX_SIDE_HP_HZ, d.side_hp_hz);
        s.balance = clamp_or(s.balance, -1.0, 1.0, 0.0);
        s
    }
}

/// The Imager processor; see the module documentation.
pub struct Imager {
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Last settings (sanitised).
    settings: ImagerSettings,
    /// The next `set_settings` jumps (after `prepare`/`reset`).
    snap: bool,
    /// Band count and phase mode currently running.
    topology: (usize, PhaseMode),
    /// Output gain of a topology switch (0..1, linear ramp, raised-cosine shaped).
    switch_gain: Smoother,
    /// Samples of silence left after switching to linear phase (the splitter refills).
    hold: usize,
    /// Minimum-phase crossover.
    crossover: Crossover,
    /// Linear-phase splitter.
    linear: LinearPhaseSplitter,
    /// Crossover frequency ramps (minimum phase).
    crossover_hz: [Smoother; MAX_BANDS - 1],
    /// Samples until the next crossover coefficient refresh while ramping.
    coef_countdown: usize,
    /// Width ramps.
    width: [Smoother; MAX_BANDS],
    /// Balance ramp.
    balance: Smoother,
    /// Input matrix cross-fade: from, to, samples left, length.
    in_from: [f32; 4],
    /// Target input matrix.
    in_to: [f32; 4],
    /// Samples left in the input-matrix cross-fade.
    in_fade_left: u32,
    /// Cross-fade length in samples.
    fade_len: u32,
    /// Side high-pass on/off amount.
    side_hp_amount: Smoother,
    /// Side high-pass frequency ramp.
    side_hp_hz: Smoother,
    /// Side high-pass coefficients (Butterworth, k = √2).
    side_hp_coefs: SvfCoefs,
    /// Samples until the next side high-pass coefficient refresh.
    side_hp_countdown: usize,
    /// Side high-pass memories.
    side_hp_state: SvfState,
    /// Bass mono stage.
    bass_mono: BassMono,
    /// Mono monitoring amount.
    mono_amount: Smoother,
    /// Overall correlation and mid/side levels.
    correlation: MidSideMeter,
    /// Per-band correlation.
    band_correlation: [MidSideMeter; MAX_BANDS],
    /// Scratch: input mid, side (`CHUNK` each).
    mid: Vec<f32>,
    /// Scratch: input side.
    side: Vec<f32>,
    /// Scratch: band mids (`MAX_BANDS+1` × `CHUNK`; the splitter has up to 5 bands).
    band_mid: Vec<Vec<f32>>,
    /// Scratch: band sides.
    band_side: Vec<Vec<f32>>,
    /// Scratch: per-sample widths (`MAX_BANDS` × `CHUNK`).
    width_buf: Vec<Vec<f32>>,
    /// Scratch: per-sample balance.
    balance_buf: Vec<f32>,
    /// Scratch: per-sample switch gain.
    gain_buf: Vec<f32>,
}

impl Default for Imager {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Imager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Imager")
            .field("settings", &self.settings)
            .finish()
    }
}

fn input_matrix(s: &ImagerSettings) -> [f32; 4] {
    let pl = if s.invert_left { -1.0 } else { 1.0 };
    let pr = if s.invert_right { -1.0 } else { 1.0 };
    if s.swap {
        [0.0, pr, pl, 0.0]
    } else {
        [pl, 0.0, 0.0, pr]
    }
}

impl Imager {
    /// Neutral settings; nothing allocated until `prepare`.
    pub fn new() -> Self {
        Self {
            sample_rate: 48_000.0,
            settings: ImagerSettings::default(),
            snap: true,
            topology: (3, PhaseMode::Minimum),
            switch_gain: Smoother::new(SmoothingStyle::Linear),
            hold: 0,
            crossover: Crossover::new(),
            linear: LinearPhaseSplitter::new(),
            crossover_hz: std::array::from_fn(|_| Smoother::new(SmoothingStyle::Logarithmic)),
            coef_countdown: 0,
            width: std::array::from_fn(|_| Smoother::new(SmoothingStyle::Linear)),
            balance: Smoother::new(SmoothingStyle::Linear),
            in_from: [1.0, 0.0, 0.0, 1.0],
            in_to: [1.0, 0.0, 0.0, 1.0],
            in_fade_left: 0,
            fade_len: 960,
            side_hp_amount: Smoother::new(SmoothingStyle::Linear),
            side_hp_hz: Smoother::new(SmoothingStyle::Logarithmic),
            side_hp_coefs: SvfCoefs::default(),
            side_hp_countdown: 0,
            side_hp_state: SvfState::default(),
            bass_mono: BassMono::new(),
            mono_amount: Smoother::new(SmoothingStyle::Linear),
            correlation: MidSideMeter::new(),
            band_correlation: std::array::from_fn(|_| MidSideMeter::new()),
            mid: Vec::new(),
            side: Vec::new(),
            band_mid: Vec::new(),
            band_side: Vec::new(),
            width_buf: Vec::new(),
            balance_buf: Vec::new(),
            gain_buf: Vec::new(),
        }
    }

    /// Allocates for `sample_rate` (8..=384 kHz; clamped to 1 kHz..=1 MHz). Any block
    /// length is processed afterwards; `channels` must be 2 (stereo only).
    pub fn prepare(&mut self, sample_rate: f32, max_block: usize, _channels: usize) {
        let sr = clamp_or(sample_rate, 1000.0, 1_000_000.0, 48_000.0);
        self.sample_rate = sr;
        self.crossover.prepare(sr, max_block, 2);
        self.linear.prepare(sr, max_block, 2);
        for s in &mut self.width {
            s.set_ramp_ms(sr, WIDTH_RAMP_MS);
        }
        for s in &mut self.crossover_hz {
            s.set_ramp_ms(sr, CROSSOVER_RAMP_MS);
        }
        self.balance.set_ramp_ms(sr, BALANCE_RAMP_MS);
        self.switch_gain.set_ramp_ms(sr, SWITCH_MS);
        self.side_hp_amount.set_ramp_ms(sr, CROSSFADE_MS);
        self.side_hp_hz.set_ramp_ms(sr, CROSSOVER_RAMP_MS);
        self.mono_amount.set_ramp_ms(sr, CROSSFADE_MS);
        self.fade_len = ((sr * CROSSFADE_MS * 1e-3).round() as u32).max(1);
        self.bass_mono.prepare(sr);
        self.correlation.prepare(sr, max_block, 2);
        for m in &mut self.band_correlation {
            m.prepare(sr, max_block, 2);
        }
        self.mid = vec![0.0; CHUNK];
        self.side = vec![0.0; CHUNK];
        self.band_mid = vec![vec![0.0; CHUNK]; MAX_BANDS + 1];
        self.band_side = vec![vec![0.0; CHUNK]; MAX_BANDS + 1];
        self.width_buf = vec![vec![0.0; CHUNK]; MAX_BANDS];
        self.balance_buf = vec![0.0; CHUNK];
        self.gain_buf = vec![0.0; CHUNK];
        self.reset();
    }

    /// Clears all state and meters; the next `set_settings` jumps.
    pub fn reset(&mut self) {
        self.snap = true;
        self.apply(true);
        self.correlation.reset();
        self.band_correlation.iter_mut().for_each(|m| m.reset());
    }

    /// Latency in samples: 0 in minimum phase, the splitter's in linear phase (follows
    /// the phase mode that is running).
    pub fn latency(&self) -> usize {
        match self.topology.1 {
            PhaseMode::Minimum => 0,
            PhaseMode::Linear => self.linear.latency(),
        }
    }

    /// Latency a given phase mode has at the prepared sample rate.
    pub fn latency_for(&self, phase: PhaseMode) -> usize {
        match phase {
            PhaseMode::Minimum => 0,
            PhaseMode::Linear => self.linear.latency(),
        }
    }

    /// Applies settings once per block (compare-then-update).
    pub fn set_settings(&mut self, settings: &ImagerSettings) {
        let s = settings.sanitized();
        if s == self.settings && !self.snap {
            return;
        }
        self.settings = s;
        let snap = self.snap;
        self.snap = false;
        self.apply(snap);
    }

    fn apply(&mut self, snap: bool) {
        let s = self.settings;
        let matrix = input_matrix(&s);
        let topology = (s.num_bands, s.phase);
        if snap {
            for (sm, &w) in self.width.iter_mut().zip(&s.width) {
                sm.reset(w);
            }
            for (sm, &hz) in self.crossover_hz.iter_mut().zip(&s.crossover_hz) {
                sm.reset(hz);
            }
            self.balance.reset(s.balance);
            self.in_from = matrix;
            self.in_to = matrix;
            self.in_fade_left = 0;
            self.side_hp_amount.reset(if s.side_hp { 1.0 } else { 0.0 });
            self.side_hp_hz.reset(s.side_hp_hz);
            self.side_hp_coefs = SvfCoefs::bilinear(
                f64::from(self.sample_rate),
                f64::from(s.side_hp_hz),
                2f64.sqrt(),
            );
            self.side_hp_state = SvfState::default();
            self.mono_amount
                .reset(if s.mono_monitor { 1.0 } else { 0.0 });
            self.switch_gain.reset(1.0);
            self.topology = topology;
            self.coef_countdown = 0;
            self.hold = 0;
            self.start_topology(true);
        } else {
            for (sm, &w) in self.width.iter_mut().zip(&s.width) {
                sm.set_target(w);
            }
            for (sm, &hz) in self.crossover_hz.iter_mut().zip(&s.crossover_hz) {
                sm.set_target(hz);
            }
            self.balance.set_target(s.balance);
            if matrix != self.in_to {
                self.in_from = self.current_matrix();
                self.in_to = matrix;
                self.in_fade_left = self.fade_len;
            }
            self.side_hp_amount
                .set_target(if s.side_hp { 1.0 } else { 0.0 });
            self.side_hp_hz.set_target(s.side_hp_hz);
            self.mono_amount
                .set_target(if s.mono_monitor { 1.0 } else { 0.0 });
            if topology != self.topology {
                self.switch_gain.set_target(0.0);
            } else if self.hold == 0 {
                self.switch_gain.set_target(1.0);
            }
        }
        self.bass_mono.set(s.bass_mono, s.bass_mono_hz, snap);
        if topology == self.topology {
            let n = self.topology.0.max(2) - 1;
            self.linear.set_bands(&s.crossover_hz[..n]);
        }
    }

    /// Starts the topology in `self.topology`: the minimum-phase crossover from cleared
    /// state; the linear-phase splitter is cleared only when `reset_linear` (it keeps its
    /// history across band-count changes, so no refill is needed).
    fn start_topology(&mut self, reset_linear: bool) {
        let n = self.topology.0;
        let hz: [f32; MAX_BANDS - 1] = std::array::from_fn(|i| self.crossover_hz[i].current());
        self.crossover.set_bands(&hz[..n.max(2) - 1]);
        self.crossover.reset();
        // One band in linear phase: any single crossover, both bands get one width.
        let lin_hz = self.settings.crossover_hz;
        self.linear.set_bands(&lin_hz[..n.max(2) - 1]);
        if reset_linear {
            self.linear.reset();
        }
    }

    /// The input matrix at the current point of its cross-fade.
    fn current_matrix(&self) -> [f32; 4] {
        if self.in_fade_left == 0 {
            return self.in_to;
        }
        let t = 1.0 - self.in_fade_left as f32 / self.fade_len as f32;
        std::array::from_fn(|i| self.in_from[i] + t * (self.in_to[i] - self.in_from[i]))
    }

    /// Designs the linear-phase kernel set `settings` need (its crossovers; one band
    /// uses the first crossover) at `sample_rate`. Allocates and takes about a
    /// millisecond per crossover: call it on a background thread and hand the result to
    /// [`Imager::install_kernels`]. See "Designing kernels off the audio thread" in
    /// [`crate::linear_phase`].
    pub fn design_kernels(settings: &ImagerSettings, sample_rate: f32) -> Box<KernelSet> {
        let s = settings.sanitized();
        let sr = clamp_or(sample_rate, 1000.0, 1_000_000.0, 48_000.0);
        LinearPhaseSplitter::design(&s.crossover_hz[..s.num_bands.max(2) - 1], sr)
    }

    /// Hands a kernel set from [`Imager::design_kernels`] to the linear-phase splitter
    /// (no allocation, no design, no blocking); the crossovers cross-fade to it as after
    /// a `set_settings` change. Returns a box to drop off the audio thread, if any
    /// ([`LinearPhaseSplitter::install_kernels`]).
    pub fn install_kernels(&mut self, set: Box<KernelSet>) -> Option<Box<KernelSet>> {
        self.linear.install_kernels(set)
    }

    /// Kernel storage an installed set replaced, to drop off the audio thread (poll once
    /// per block while installing sets).
    pub fn take_retired_kernels(&mut self) -> Option<Box<KernelSet>> {
        self.linear.take_retired_kernels()
    }

    /// `true` (default): a linear-phase crossover change in `set_settings` designs its
    /// kernels inline (on the audio thread, ~1 ms, allocation-free). `false`: kernels
    /// come only from [`Imager::install_kernels`] (the plugin's way).
    pub fn set_inline_kernel_design(&mut self, inline: bool) {
        self.linear.set_inline_design(inline);
    }

    /// Overall correlation of the output (before mono monitoring), −1..=1.
    pub fn correlation(&self) -> f32 {
        self.correlation.correlation()
    }

    /// Correlation of band `band`'s output.
    pub fn band_correlation(&self, band: usize) -> f32 {
        self.band_correlation
            .get(band)
            .map_or(0.0, MidSideMeter::correlation)
    }

    /// Mid RMS of the output (linear).
    pub fn mid_rms(&self) -> f32 {
        self.correlation.mid_rms()
    }

    /// Side RMS of the output (linear).
    pub fn side_rms(&self) -> f32 {
        self.correlation.side_rms()
    }

    /// Processes a stereo block in place (the first `min(len)` samples).
    pub fn process_stereo(&mut self, left: &mut [f32], right: &mut [f32]) {
        let len = left.len().min(right.len());
        if self.mid.is_empty() {
            return;
        }
        let mut i = 0;
        while i < len {
            let mut n = (len - i).min(CHUNK);
            let ramping = self.topology.1 == PhaseMode::Minimum
                && self.crossover_hz.iter().any(Smoother::is_smoothing);
            if ramping {
                if self.coef_countdown == 0 {
                    let hz: [f32; MAX_BANDS - 1] =
                        std::array::from_fn(|k| self.crossover_hz[k].current());
                    self.crossover.set_bands(&hz[..self.topology.0.max(2) - 1]);
                    self.coef_countdown = COEF_UPDATE_INTERVAL;
                }
                n = n.min(self.coef_countdown);
            }
            // A topology switch happens when the fade-out lands: stop the chunk there.
            if self.switch_gain.is_smoothing() {
                n = n.min(self.switch_gain.steps_left() as usize);
            }
            if self.hold > 0 {
                n = n.min(self.hold);
            }
            self.process_chunk(&mut left[i..i + n], &mut right[i..i + n]);
            for s in &mut self.crossover_hz {
                s.skip(n);
            }
            self.coef_countdown = if ramping { self.coef_countdown - n } else { 0 };
            if self.hold > 0 {
                self.hold -= n;
                if self.hold == 0 {
                    self.switch_gain.set_target(1.0);
                }
            } else if !self.switch_gain.is_smoothing() && self.switch_gain.current() == 0.0 {
                let new = (self.settings.num_bands, self.settings.phase);
                let to_linear = new.1 == PhaseMode::Linear && self.topology.1 != PhaseMode::Linear;
                self.topology = new;
                self.start_topology(to_linear);
                if to_linear {
                    // The splitter starts empty: stay silent until its output is real.
                    self.hold = self.linear.latency();
                } else {
                    self.switch_gain.set_target(1.0);
                }
            }
            i += n;
        }
        // The crossover flushes its memories in `process_stereo`, bass mono in `process`.
        self.side_hp_state.flush();
    }

    fn process_chunk(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len();
        let sanitize = |x: f32| {
            if x.is_finite() {
                x.clamp(-INPUT_LIMIT, INPUT_LIMIT)
            } else {
                0.0
            }
        };
        // Input matrix, M/S (constant matrix: one branch-free loop).
        if self.in_fade_left == 0 {
            let m = self.in_to;
            let (mid, side) = (&mut self.mid[..n], &mut self.side[..n]);
            for (((l, r), md), sd) in left.iter().zip(&*right).zip(mid).zip(side) {
                let (l, r) = (sanitize(*l), sanitize(*r));
                let (l, r) = (m[0] * l + m[1] * r, m[2] * l + m[3] * r);
                *md = 0.5 * l + 0.5 * r;
                *sd = 0.5 * l - 0.5 * r;
            }
        } else {
            for j in 0..n {
                let (l, r) = (sanitize(left[j]), sanitize(right[j]));
                let m = if self.in_fade_left > 0 {
                    self.in_fade_left -= 1;
                    self.current_matrix()
                } else {
                    self.in_to
                };
                let (l, r) = (m[0] * l + m[1] * r, m[2] * l + m[3] * r);
                self.mid[j] = 0.5 * l + 0.5 * r;
                self.side[j] = 0.5 * l - 0.5 * r;
            }
        }
        // Band split.
        let (nb, phase) = self.topology;
        let split_bands = match phase {
            PhaseMode::Minimum => {
                if nb == 1 {
                    self.band_mid[0][..n].copy_from_slice(&self.mid[..n]);
                    self.band_side[0][..n].copy_from_slice(&self.side[..n]);
                    1
                } else {
                    let mut bm: [&mut [f32]; MAX_BANDS] = Default::default();
                    let mut bs: [&mut [f32]; MAX_BANDS] = Default::default();
                    for (k, (a, b)) in self
                        .band_mid
                        .iter_mut()
                        .zip(self.band_side.iter_mut())
                        .take(nb)
                        .enumerate()
                    {
                        bm[k] = &mut a[..n];
                        bs[k] = &mut b[..n];
                    }
                    self.crossover.process_stereo(
                        &self.mid[..n],
                        &self.side[..n],
                        &mut bm[..nb],
                        &mut bs[..nb],
                    );
                    nb
                }
            }
            PhaseMode::Linear => {
                let sb = self.linear.num_bands();
                let mut bm: [&mut [f32]; MAX_BANDS + 1] = Default::default();
                let mut bs: [&mut [f32]; MAX_BANDS + 1] = Default::default();
                for (k, (a, b)) in self
                    .band_mid
                    .iter_mut()
                    .zip(self.band_side.iter_mut())
                    .take(sb)
                    .enumerate()
                {
                    bm[k] = &mut a[..n];
                    bs[k] = &mut b[..n];
                }
                self.linear.process_stereo(
                    &self.mid[..n],
                    &self.side[..n],
                    &mut bm[..sb],
                    &mut bs[..sb],
                );
                sb
            }
        };
        // Width per band (per-sample values; a settled smoother fills a constant):
        // `band_side` becomes `w_b·S_b` (for the band meters), `mid`/`side` the sums
        // `M' = Σ M_b`, `S' = Σ w_b S_b`. Bands past `nb` (linear phase, one band) use
        // the last width.
        for (sm, buf) in self.width.iter_mut().zip(self.width_buf.iter_mut()) {
            sm.next_block(&mut buf[..n]);
        }
        let (m_sum, s_sum) = (&mut self.mid[..n], &mut self.side[..n]);
        m_sum.fill(0.0);
        s_sum.fill(0.0);
        for k in 0..split_bands {
            let w = &self.width_buf[k.min(nb - 1)][..n];
            let (bm, bs) = (&self.band_mid[k][..n], &mut self.band_side[k][..n]);
            for ((((w, mb), sb), ms), ss) in
                w.iter().zip(bm).zip(bs).zip(&mut *m_sum).zip(&mut *s_sum)
            {
                let s = w * *sb;
                *sb = s;
                *ms += mb;
                *ss += s;
            }
        }
        // Side high-pass (per sample, only while on, fading or its frequency moves).
        if self.side_hp_amount.is_smoothing()
            || self.side_hp_amount.current() > 0.0
            || self.side_hp_hz.is_smoothing()
        {
            let coefs = &mut self.side_hp_coefs;
            for s_sum in s_sum.iter_mut() {
                if self.side_hp_amount.is_smoothing() || self.side_hp_amount.current() > 0.0 {
                    if self.side_hp_hz.is_smoothing() {
                        let hz = self.side_hp_hz.next();
                        if self.side_hp_countdown == 0 || !self.side_hp_hz.is_smoothing() {
                            *coefs = SvfCoefs::bilinear(
                                f64::from(self.sample_rate),
                                f64::from(hz),
                                2f64.sqrt(),
                            );
                            self.side_hp_countdown = COEF_UPDATE_INTERVAL;
                        }
                        self.side_hp_countdown -= 1;
                    }
                    let a = self.side_hp_amount.next();
                    let (bp, lp) = self.side_hp_state.tick(coefs, *s_sum);
                    let hp = *s_sum - coefs.k * bp - lp;
                    *s_sum += a * (hp - *s_sum);
                    if a == 0.0 {
                        self.side_hp_state = SvfState::default();
                    }
                } else if self.side_hp_hz.is_smoothing() {
                    // Off: jump to the target, the filter restarts clean when turned on.
                    let hz = self.side_hp_hz.target();
                    self.side_hp_hz.reset(hz);
                    *coefs =
                        SvfCoefs::bilinear(f64::from(self.sample_rate), f64::from(hz), 2f64.sqrt());
                }
            }
        }
        for (((l, r), m), s) in left
            .iter_mut()
            .zip(right.iter_mut())
            .zip(&*m_sum)
            .zip(&*s_sum)
        {
            *l = m + s;
            *r = m - s;
        }
        if nb == 1 {
            self.band_correlation[0].process(m_sum, s_sum);
        } else {
            for k in 0..nb.min(split_bands) {
                let (a, b) = (&self.band_mid[k][..n], &self.band_side[k][..n]);
                self.band_correlation[k].process(a, b);
            }
        }
        self.bass_mono.process(left, right);
        // Balance, topology switch gain, meters, mono monitoring.
        self.balance.next_block(&mut self.balance_buf[..n]);
        let gain = &mut self.gain_buf[..n];
        if self.switch_gain.is_smoothing() {
            // Raised-cosine shape: no slope step where the fade starts or ends.
            for g in gain.iter_mut() {
                *g = 0.5 - 0.5 * (std::f32::consts::PI * self.switch_gain.next()).cos();
            }
        } else {
            gain.fill(self.switch_gain.next());
        }
        let (mid, side) = (&mut self.mid[..n], &mut self.side[..n]);
        let gains = self.balance_buf[..n].iter().zip(&*gain);
        let outs = left
            .iter_mut()
            .zip(right.iter_mut())
            .zip(mid.iter_mut().zip(side.iter_mut()));
        for ((&b, &g), ((l, r), (m, s))) in gains.zip(outs) {
            let (gl, gr) = ((1.0 - b).min(1.0) * g, (1.0 + b).min(1.0) * g);
            *l *= gl;
            *r *= gr;
            *m = 0.5 * (*l + *r);
            *s = 0.5 * (*l - *r);
        }
        self.correlation.process(mid, side);
        if self.mono_amount.is_smoothing() || self.mono_amount.current() > 0.0 {
            for j in 0..n {
                let a = self.mono_amount.next();
                let m = self.mid[j];
                left[j] += a * (m - left[j]);
                right[j] += a * (m - right[j]);
            }
        }
    }
}

#[cfg(test)]
#[path = "imager/tests.rs"]
mod tests;
