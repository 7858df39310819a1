//! The Lacquer Compressor processor: a feed-forward, log-domain compressor after
//! D. Giannoulis, M. Massberg, J. D. Reiss, "Digital Dynamic Range Compressor Design — A
//! Tutorial and Analysis", JAES 60(6), 2012 (Fig. 7(b)), built from the shared
//! [`crate::dynamics`] core:
//!
//! ```text
//! key (external, else main) → key HP/LP → L/R|M/S → peak|RMS → dB → link      (Detector)
//!   → soft-knee static curve, range clamp                                   (GainCurve)
//!   → attack/hold/release in dB, optional auto release                      (Ballistics)
//!   → linear gain on the main input delayed by the lookahead                (LookaheadDelay)
//!   → makeup, dry/wet mix, delta/sidechain listen, level match
//! ```
//!
//! * Static curve: eq. (4) of the paper ([`GainCurve`]); steady-state gain reduction on
//!   sines matches it within 0.1 dB (test `static_curve_on_sines_…`).
//! * Time constants: the gain change in dB moves 63.2 % of a step in exactly the attack
//!   (release) time ([`crate::dynamics::ballistics`]); measured end to end within 5 %.
//! * Lookahead `L` samples: the audio path (dry and wet) is delayed by `L` and
//!   [`Compressor::latency`] reports `L` (= measured impulse delay). The detector sees a
//!   step `L` samples early, so when it reaches the output the gain change has covered
//!   `1 − e^{−L/(τ_a·fs)}` of its way (exponential attack): the overshoot above the
//!   static curve is at most `e^{−L/(τ_a·fs)}` × the static gain reduction (tested).
//! * Mix: `out = x_d·((1 − mix) + mix·m·g)` with `x_d` the delayed input, `g` the
//!   gain-reduction gain and `m` the makeup gain; the dry path is the same delayed
//!   signal, so parallel compression cannot comb, and mix 0 is `x_d` bit for bit. In M/S
//!   mode the wet part is `decode(G·encode(x_d))` with per-M/S gains.
//! * Auto makeup: `m_auto = −G(0 dBFS)`, the static gain change at a 0 dBFS detector
//!   level (range clamp included), so a steady 0 dBFS input leaves at 0 dBFS; added to
//!   the manual makeup.
//! * Delta listen: `out = x_d − wet_GR` = `x_d·(1 − g)` (what the gain reduction removes,
//!   before makeup and mix), so delta + (mix 100 %, makeup 0) output = `x_d` exactly.
//! * Sidechain listen: out = the filtered key, delayed by the lookahead.
//! * Level-matched bypass (`level_match`): the output is divided by `⟨t⟩`, the running
//!   mean of the total linear gain `t = (1 − mix) + mix·m·g` (averaged over channels)
//!   through a one-pole of [`LEVEL_MATCH_MS`], so on steady programme the output sits at
//!   the input level and A/B against bypass is at equal level (tested within 0.1 dB).
//!   Engaging it fades in over [`PARAM_RAMP_MS`].
//!
//! Smoothing (all per sample, so any host block size gives the same output): threshold,
//! `1/ratio`, knee and range ramp linearly over [`PARAM_RAMP_MS`] (the static curve is
//! re-evaluated per sample while they move, a block loop otherwise); makeup is a
//! logarithmic ramp of the linear gain, mix a linear ramp. Attack, release and hold need
//! none (they shape a smoothed signal), key filter changes act only on the detector.
//! The first `set` after `prepare`/`reset` jumps.
//!
//! Switches cross-fade: a change of listen (off/key/delta) or of L/R–M/S blends the old
//! output path into the new one linearly over [`PARAM_RAMP_MS`] (both computed on the
//! same delayed input meanwhile); a lookahead change cross-fades the delay's read
//! position over the same time (the key path for key listen is delayed alongside). The
//! detection switches (peak/RMS, auto release, key filters, internal/external key) change
//! only the detector, whose gain is smoothed by the ballistics.

use crate::dynamics::ballistics::{Ballistics, BallisticsSettings};
use crate::dynamics::detector::{DetectionMode, Detector, DetectorSettings, StereoMode};
use crate::dynamics::fast_math::db_to_amp;
use crate::dynamics::gain_computer::{CurveSide, GainCurve};
use crate::dynamics::lookahead::LookaheadDelay;
use crate::dynamics::MAX_DYNAMICS_CHANNELS;
use crate::one_pole::coef_for_time_ms;
use crate::smoother::{Smoother, SmoothingStyle};

mod apply;

/// Ramp time of threshold, ratio, knee, range, makeup, mix and level-match engage.
pub const PARAM_RAMP_MS: f32 = 20.0;
/// Time constant of the level-match average.
pub const LEVEL_MATCH_MS: f32 = 1000.0;
/// Longest lookahead.
pub const MAX_LOOKAHEAD_MS: f32 = 20.0;
/// Threshold range (dBFS).
pub const MIN_THRESHOLD_DB: f32 = -60.0;
/// Ratio range: 1..100, and `f32::INFINITY`.
pub const MAX_FINITE_RATIO: f32 = 100.0;
/// Widest knee.
pub const MAX_KNEE_DB: f32 = 24.0;
/// Largest gain reduction.
pub const MAX_RANGE_DB: f32 = 60.0;
/// Makeup range (±).
pub const MAX_MAKEUP_DB: f32 = 30.0;
/// Largest sample magnitude passed through the audio path (+300 dBFS).
pub const MAX_SAMPLE: f32 = 1e15;

/// What the output carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listen {
    /// The compressed signal.
    Off,
    /// The filtered key (delayed by the lookahead).
    Sidechain,
    /// What the gain reduction removes: `x_d − x_d·g`.
    Delta,
}

/// Every user setting, applied once per (sub-)block with [`Compressor::set`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompressorSettings {
    /// Threshold, −60..0 dBFS.
    pub threshold_db: f32,
    /// Ratio 1..100, or `f32::INFINITY`.
    pub ratio: f32,
    /// Soft-knee width, 0..24 dB.
    pub knee_db: f32,
    /// Attack, 0.01..500 ms (63.2 % of a gain step).
    pub attack_ms: f32,
    /// Release, 1..5000 ms (63.2 % of a gain step).
    pub release_ms: f32,
    /// Hold before release, 0..500 ms.
    pub hold_ms: f32,
    /// Program-dependent release (see [`crate::dynamics::ballistics`]).
    pub auto_release: bool,
    /// Largest gain reduction, 0..60 dB.
    pub range_db: f32,
    /// Manual makeup gain, ±30 dB.
    pub makeup_db: f32,
    /// Adds `−G(0 dBFS)` to the makeup.
    pub auto_makeup: bool,
    /// Wet share, 0..1 (parallel compression below 1).
    pub mix: f32,
    /// Lookahead, 0..20 ms (reported as latency).
    pub lookahead_ms: f32,
    /// Peak or RMS detection.
    pub detection: DetectionMode,
    /// RMS window, 1..100 ms.
    pub rms_window_ms: f32,
    /// Stereo link, 0..1.
    pub link: f32,
    /// L/R or M/S detection and gain.
    pub stereo_mode: StereoMode,
    /// Key high-pass on/off.
    pub key_hp: bool,
    /// Key high-pass cutoff, 10 Hz..20 kHz.
    pub key_hp_hz: f32,
    /// Key low-pass on/off.
    pub key_lp: bool,
    /// Key low-pass cutoff, 10 Hz..20 kHz.
    pub key_lp_hz: f32,
    /// Output: compressed, key, or delta.
    pub listen: Listen,
    /// Level-matched output for A/B against bypass.
    pub level_match: bool,
}

impl Default for CompressorSettings {
    fn default() -> Self {
        Self {
            threshold_db: -18.0,
            ratio: 4.0,
            knee_db: 6.0,
            attack_ms: 10.0,
            release_ms: 100.0,
            hold_ms: 0.0,
            auto_release: false,
            range_db: MAX_RANGE_DB,
            makeup_db: 0.0,
            auto_makeup: false,
            mix: 1.0,
            lookahead_ms: 0.0,
            detection: DetectionMode::Peak,
            rms_window_ms: 10.0,
            link: 1.0,
            stereo_mode: StereoMode::LeftRight,
            key_hp: false,
            key_hp_hz: 80.0,
            key_lp: false,
            key_lp_hz: 12_000.0,
            listen: Listen::Off,
            level_match: false,
        }
    }
}

impl CompressorSettings {
    /// Settings clamped to the documented ranges (NaN → default).
    pub fn clamped(&self) -> Self {
        let d = Self::default();
        let pick =
            |v: f32, lo: f32, hi: f32, def: f32| if v.is_nan() { def } else { v.clamp(lo, hi) };
        Self {
            threshold_db: pick(self.threshold_db, MIN_THRESHOLD_DB, 0.0, d.threshold_db),
            ratio: if self.ratio == f32::INFINITY {
                f32::INFINITY
            } else {
                pick(self.ratio, 1.0, MAX_FINITE_RATIO, d.ratio)
            },
            knee_db: pick(self.knee_db, 0.0, MAX_KNEE_DB, d.knee_db),
            range_db: pick(self.range_db, 0.0, MAX_RANGE_DB, d.range_db),
            makeup_db: pick(self.makeup_db, -MAX_MAKEUP_DB, MAX_MAKEUP_DB, 0.0),
            mix: pick(self.mix, 0.0, 1.0, d.mix),
            lookahead_ms: pick(self.lookahead_ms, 0.0, MAX_LOOKAHEAD_MS, 0.0),
            ..*self
        }
    }

    /// The static curve these settings describe.
    fn curve(&self) -> GainCurve {
        GainCurve::new(
            self.threshold_db,
            self.ratio,
            self.knee_db,
            self.range_db,
            CurveSide::Above,
        )
    }

    /// Total makeup in dB (manual + auto).
    fn makeup_total_db(&self) -> f32 {
        let auto = if self.auto_makeup {
            -self.curve().gain_db(0.0)
        } else {
            0.0
        };
        self.makeup_db + auto
    }
}

/// The compressor. Lifecycle: `new` → `prepare` → (`set` → `process_stereo`)* /
/// `reset`; `latency` after `set`.
#[derive(Clone, Debug)]
pub struct Compressor {
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Channels from `prepare` (1 or 2).
    channels: usize,
    /// Largest chunk processed at once (scratch size).
    max_block: usize,
    /// Clamped settings in use.
    settings: CompressorSettings,
    /// Last settings passed to `set` (unclamped), for compare-then-update.
    requested: Option<CompressorSettings>,
    /// True until the first `set` after `prepare`/`reset`: targets are jumped to.
    snap: bool,
    /// Key to level.
    detector: Detector,
    /// Gain-change smoothing.
    ballistics: Ballistics,
    /// Audio-path delay (lookahead and latency-aligned dry).
    delay: LookaheadDelay,
    /// The filtered key through the same delay (key listen).
    key_delay: LookaheadDelay,
    /// Delayed key of the current chunk.
    key_buf: [Vec<f32>; MAX_DYNAMICS_CHANNELS],
    /// Output path in use: what the output carries, and whether gains act on M/S.
    path: (Listen, StereoMode),
    /// Path being faded out while `path_fade` moves (0 → 1).
    old_path: (Listen, StereoMode),
    /// Weight of `path` against `old_path` (linear ramp).
    path_fade: Smoother,
    /// The old path's output while a path cross-fade runs.
    fade_buf: [Vec<f32>; MAX_DYNAMICS_CHANNELS],
    /// Per-sample weight of the new path in the current chunk.
    fade_w: Vec<f32>,
    /// Threshold in dB (linear ramp).
    threshold: Smoother,
    /// `1/ratio` (linear ramp; ∞ → 0).
    inv_ratio: Smoother,
    /// Knee width in dB (linear ramp).
    knee: Smoother,
    /// Range in dB (linear ramp).
    range: Smoother,
    /// Makeup as linear gain (logarithmic ramp).
    makeup: Smoother,
    /// Wet share (linear ramp).
    mix: Smoother,
    /// Level-match engage amount 0..1 (linear ramp).
    level_match: Smoother,
    /// Running mean of the total linear gain (level match).
    level_match_avg: f32,
    /// Pole of the level-match average.
    level_match_coef: f32,
    /// Levels, then gains (dB, then linear), per detection channel.
    gains: [Vec<f32>; MAX_DYNAMICS_CHANNELS],
    /// Per-sample makeup gain of the current chunk.
    makeup_buf: Vec<f32>,
    /// Per-sample mix of the current chunk.
    mix_buf: Vec<f32>,
    /// Per-sample level-match amount of the current chunk.
    match_buf: Vec<f32>,
    /// Input peak of the last block (dBFS).
    input_peak_db: f32,
    /// Output peak of the last block (dBFS).
    output_peak_db: f32,
    /// Largest gain reduction of the last block (dB, ≥ 0).
    gain_reduction_db: f32,
}

impl Default for Compressor {
    fn default() -> Self {
        Self::new()
    }
}

impl Compressor {
    /// Default settings, unprepared (call `prepare`).
    pub fn new() -> Self {
        Self {
            sample_rate: 48_000.0,
            channels: 2,
            max_block: 0,
            settings: CompressorSettings::default(),
            requested: None,
            snap: true,
            detector: Detector::new(),
            ballistics: Ballistics::new(),
            delay: LookaheadDelay::new(),
            key_delay: LookaheadDelay::new(),
            key_buf: [Vec::new(), Vec::new()],
            path: (Listen::Off, StereoMode::LeftRight),
            old_path: (Listen::Off, StereoMode::LeftRight),
            path_fade: Smoother::new(SmoothingStyle::Linear),
            fade_buf: [Vec::new(), Vec::new()],
            fade_w: Vec::new(),
            threshold: Smoother::new(SmoothingStyle::Linear),
            inv_ratio: Smoother::new(SmoothingStyle::Linear),
            knee: Smoother::new(SmoothingStyle::Linear),
            range: Smoother::new(SmoothingStyle::Linear),
            makeup: Smoother::new(SmoothingStyle::Logarithmic),
            mix: Smoother::new(SmoothingStyle::Linear),
            level_match: Smoother::new(SmoothingStyle::Linear),
            level_match_avg: 1.0,
            level_match_coef: 0.0,
            gains: [Vec::new(), Vec::new()],
            makeup_buf: Vec::new(),
            mix_buf: Vec::new(),
            match_buf: Vec::new(),
            input_peak_db: crate::db::MINUS_INFINITY_DB,
            output_peak_db: crate::db::MINUS_INFINITY_DB,
            gain_reduction_db: 0.0,
        }
    }

    /// Allocates everything for `sample_rate`, blocks up to `max_block` (larger blocks
    /// are processed in chunks) and 1 or 2 channels.
    pub fn prepare(&mut self, sample_rate: f32, max_block: usize, channels: usize) {
        self.sample_rate = if sample_rate.is_finite() && sample_rate > 0.0 {
            sample_rate
        } else {
            48_000.0
        };
        self.channels = channels.clamp(1, MAX_DYNAMICS_CHANNELS);
        self.max_block = max_block.max(1);
        let (fs, n) = (self.sample_rate, self.max_block);
        self.detector.prepare(fs, n, self.channels);
        self.ballistics.prepare(fs, n, self.channels);
        let glide = (PARAM_RAMP_MS * 1e-3 * fs).round() as usize;
        for d in [&mut self.delay, &mut self.key_delay] {
            d.prepare((MAX_LOOKAHEAD_MS * 1e-3 * fs).ceil() as usize, n);
            d.set_glide_samples(glide);
        }
        for s in self.smoothers_mut() {
            s.set_ramp_ms(fs, PARAM_RAMP_MS);
        }
        self.path_fade.set_ramp_ms(fs, PARAM_RAMP_MS);
        self.key_buf = [vec![0.0; n], vec![0.0; n]];
        self.fade_buf = [vec![0.0; n], vec![0.0; n]];
        self.fade_w = vec![1.0; n];
        self.level_match_coef = coef_for_time_ms(fs, LEVEL_MATCH_MS);
        self.gains = [vec![0.0; n], vec![0.0; n]];
        self.makeup_buf = vec![0.0; n];
        self.mix_buf = vec![0.0; n];
        self.match_buf = vec![0.0; n];
        let s = self.settings;
        self.apply_settings(&s);
        self.requested = None;
        self.reset();
    }

    /// Clears all state; the next `set` jumps to its values.
    pub fn reset(&mut self) {
        self.detector.reset();
        self.ballistics.reset();
        self.delay.reset();
        self.key_delay.reset();
        self.level_match_avg = 1.0;
        self.input_peak_db = crate::db::MINUS_INFINITY_DB;
        self.output_peak_db = crate::db::MINUS_INFINITY_DB;
        self.gain_reduction_db = 0.0;
        self.snap = true;
        self.snap_smoothers();
    }

    /// Every parameter smoother, for what is done to all of them alike.
    fn smoothers_mut(&mut self) -> [&mut Smoother; 7] {
        [
            &mut self.threshold,
            &mut self.inv_ratio,
            &mut self.knee,
            &mut self.range,
            &mut self.makeup,
            &mut self.mix,
            &mut self.level_match,
        ]
    }

    /// Jumps every smoother to its target.
    fn snap_smoothers(&mut self) {
        for s in self.smoothers_mut() {
            s.reset(s.target());
        }
    }

    /// Applies settings (clamped). Call once per block (or sub-block) before processing.
    pub fn set(&mut self, settings: &CompressorSettings) {
        // Hosts re-send unchanged settings every block: skip the work then.
        if self.requested.as_ref() != Some(settings) {
            self.requested = Some(*settings);
            self.apply_settings(settings);
        }
        if self.snap {
            self.snap_smoothers();
            self.delay.jump();
            self.key_delay.jump();
            self.path = (self.settings.listen, self.settings.stereo_mode);
            self.path_fade.reset(1.0);
            self.snap = false;
        } else if self.path != (self.settings.listen, self.settings.stereo_mode)
            && !self.path_fade.is_smoothing()
        {
            // A switch during a cross-fade waits for it to end (see `process_chunk`).
            self.start_path_fade();
        }
    }

    /// Starts the cross-fade from the path in use to the one the settings ask for.
    fn start_path_fade(&mut self) {
        self.old_path = self.path;
        self.path = (self.settings.listen, self.settings.stereo_mode);
        self.path_fade.reset(0.0);
        self.path_fade.set_target(1.0);
    }

    /// Sets every target and sub-module.
    fn apply_settings(&mut self, settings: &CompressorSettings) {
        let s = settings.clamped();
        self.settings = s;
        self.detector.set(&DetectorSettings {
            mode: s.detection,
            rms_window_ms: s.rms_window_ms,
            stereo_mode: s.stereo_mode,
            link: s.link,
            key_hp: s.key_hp,
            key_hp_hz: s.key_hp_hz,
            key_lp: s.key_lp,
            key_lp_hz: s.key_lp_hz,
        });
        self.ballistics.set(&BallisticsSettings {
            attack_ms: s.attack_ms,
            release_ms: s.release_ms,
            hold_ms: s.hold_ms,
            auto_release: s.auto_release,
            ..BallisticsSettings::default()
        });
        let lookahead = (s.lookahead_ms * 1e-3 * self.sample_rate).round() as usize;
        self.delay.set_delay_samples(lookahead);
        self.key_delay.set_delay_samples(lookahead);
        self.threshold.set_target(s.threshold_db);
        self.inv_ratio.set_target(1.0 / s.ratio);
        self.knee.set_target(s.knee_db);
        self.range.set_target(s.range_db);
        self.makeup
            .set_target(crate::db::db_to_gain(s.makeup_total_db()));
        self.mix.set_target(s.mix);
        self.level_match
            .set_target(if s.level_match { 1.0 } else { 0.0 });
    }

    /// Settings in use (clamped).
    pub fn settings(&self) -> &CompressorSettings {
        &self.settings
    }

    /// Latency in samples (the lookahead).
    pub fn latency(&self) -> usize {
        self.delay.latency()
    }

    /// Input peak of the last block in dBFS (meter).
    pub fn input_level_db(&self) -> f32 {
        self.input_peak_db
    }

    /// Output peak of the last block in dBFS (meter).
    pub fn output_level_db(&self) -> f32 {
        self.output_peak_db
    }

    /// Largest gain reduction of the last block in dB, ≥ 0 (meter).
    pub fn gain_reduction_db(&self) -> f32 {
        self.gain_reduction_db
    }

    /// Processes `main` in place (1 or 2 channels, the first `prepare`d ones are used;
    /// with `channels == 1` only `main[0]`). `key`: external sidechain (mono or stereo);
    /// `None`, empty, or shorter than the block detects on `main`. Any block length; never allocates or panics.
    pub fn process_stereo(&mut self, main: &mut [&mut [f32]], key: Option<&[&[f32]]>) {
        let chans = self.channels.min(main.len());
        if chans == 0 || self.max_block == 0 {
            return;
        }
        let n = main[..chans].iter().map(|b| b.len()).min().unwrap_or(0);
        let key_len = key.map_or(0, |k| k.iter().map(|s| s.len()).min().unwrap_or(0));
        let mut input_peak = 0.0_f32;
        let mut output_peak = 0.0_f32;
        let mut gr = 0.0_f32;
        let mut start = 0;
        while start < n {
            let end = (start + self.max_block).min(n);
            for b in main[..chans].iter() {
                input_peak = b[start..end].iter().fold(input_peak, |m, x| m.max(x.abs()));
            }
            let mut chunk: [&mut [f32]; MAX_DYNAMICS_CHANNELS] = [&mut [], &mut []];
            for (dst, src) in chunk.iter_mut().zip(main[..chans].iter_mut()) {
                *dst = &mut src[start..end];
            }
            let key_chunk: [&[f32]; MAX_DYNAMICS_CHANNELS];
            let key_ref = match key {
                Some(k) if !k.is_empty() && key_len >= end => {
                    key_chunk = [&k[0][start..end], &k[k.len().min(2) - 1][start..end]];
                    Some(&key_chunk[..k.len().min(2)])
                }
                _ => None,
            };
            gr = gr.max(self.process_chunk(&mut chunk[..chans], key_ref));
            for b in chunk[..chans].iter() {
                output_peak = b.iter().fold(output_peak, |m, x| m.max(x.abs()));
            }
            start = end;
        }
        self.input_peak_db = crate::db::gain_to_db(input_peak);
        self.output_peak_db = crate::db::gain_to_db(output_peak);
        self.gain_reduction_db = gr;
    }

    /// One chunk of at most `max_block` samples; returns its largest gain reduction.
    fn process_chunk(&mut self, main: &mut [&mut [f32]], key: Option<&[&[f32]]>) -> f32 {
        let chans = main.len();
        let n = main[0].len();
        // 1. Levels in dB into `gains`.
        {
            let [g0, g1] = &mut self.gains;
            let mut levels: [&mut [f32]; 2] = [&mut g0[..n], &mut g1[..n]];
            let mains: [&[f32]; 2] = [&*main[0], &*main[chans - 1]];
            self.detector
                .process(&mains[..chans], key, &mut levels[..chans]);
        }
        // 2. Static curve (per sample while its parameters ramp). Fully linked, both
        // levels are identical: one channel is computed and smoothed, then copied.
        let linked = chans == 2 && self.settings.link == 1.0;
        let active = if linked { 1 } else { chans };
        let moving = self.threshold.is_smoothing()
            || self.inv_ratio.is_smoothing()
            || self.knee.is_smoothing()
            || self.range.is_smoothing();
        if moving {
            for i in 0..n {
                let curve = GainCurve::from_slope(
                    self.threshold.next(),
                    self.inv_ratio.next() - 1.0,
                    self.knee.next(),
                    self.range.next(),
                    CurveSide::Above,
                );
                for g in self.gains[..active].iter_mut() {
                    g[i] = curve.gain_db(g[i]);
                }
            }
        } else {
            let curve = GainCurve::from_slope(
                self.threshold.target(),
                self.inv_ratio.target() - 1.0,
                self.knee.target(),
                self.range.target(),
                CurveSide::Above,
            );
            for g in self.gains[..active].iter_mut() {
                for v in g[..n].iter_mut() {
                    *v = curve.gain_db(*v);
                }
            }
        }
        // 3. Ballistics.
        for (c, g) in self.gains[..active].iter_mut().enumerate() {
            self.ballistics.process(c, &mut g[..n]);
        }
        let gr = self.gains[..active]
            .iter()
            .map(|g| g[..n].iter().fold(0.0_f32, |m, &v| m.max(-v)))
            .fold(0.0_f32, f32::max);
        for g in self.gains[..active].iter_mut() {
            for v in g[..n].iter_mut() {
                *v = db_to_amp(*v);
            }
        }
        if linked {
            let [g0, g1] = &mut self.gains;
            g1[..n].copy_from_slice(&g0[..n]);
            // Keep channel 1's state in step for a later unlink.
            self.ballistics.copy_state(0, 1);
        }
        // 4. Audio path: lookahead delay (the key too while it may be heard), then the
        // output path, cross-faded from the old one after a switch.
        for b in main.iter_mut() {
            for x in b.iter_mut() {
                *x = x.clamp(-MAX_SAMPLE, MAX_SAMPLE);
            }
        }
        // (The delays also store non-finite samples as 0.)
        self.delay.process(main);
        if !self.path_fade.is_smoothing()
            && self.path != (self.settings.listen, self.settings.stereo_mode)
        {
            self.start_path_fade();
        }
        let fading = self.path_fade.is_smoothing();
        // The delayed key is needed while it is heard, and kept running while the delay is
        // not the identity so key listen starts with the right samples in the line.
        let keyed = self.path.0 == Listen::Sidechain
            || (fading && self.old_path.0 == Listen::Sidechain)
            || !self.key_delay.is_identity();
        if keyed {
            let [k0, k1] = &mut self.key_buf;
            let mut keys: [&mut [f32]; 2] = [&mut k0[..n], &mut k1[..n]];
            for (c, k) in keys[..chans].iter_mut().enumerate() {
                for (d, &x) in k.iter_mut().zip(self.detector.key(c)) {
                    *d = x.clamp(-MAX_SAMPLE, MAX_SAMPLE);
                }
            }
            self.key_delay.process(&mut keys[..chans]);
        }
        self.makeup.next_block(&mut self.makeup_buf[..n]);
        self.mix.next_block(&mut self.mix_buf[..n]);
        let gains: [&[f32]; 2] = [&self.gains[0][..n], &self.gains[1][..n]];
        let keys: [&[f32]; 2] = [&self.key_buf[0][..n], &self.key_buf[1][..n]];
        let stage = apply::Stage {
            gains: &gains[..chans],
            makeup: &self.makeup_buf[..n],
            mix: &self.mix_buf[..n],
            keys: &keys[..chans],
        };
        if fading {
            let [f0, f1] = &mut self.fade_buf;
            let mut old: [&mut [f32]; 2] = [&mut f0[..n], &mut f1[..n]];
            for (o, b) in old.iter_mut().zip(main.iter()) {
                o.copy_from_slice(b);
            }
            stage.run(self.old_path, &mut old[..chans]);
            stage.run(self.path, main);
            // Blend only while the ramp runs, so the samples after it are the new path's
            // bit for bit whatever the chunking.
            let ramp = n.min(self.path_fade.steps_left() as usize);
            self.path_fade.next_block(&mut self.fade_w[..ramp]);
            for (b, o) in main.iter_mut().zip(old.iter()) {
                for ((y, &x_old), &w) in b.iter_mut().zip(o.iter()).zip(&self.fade_w[..ramp]) {
                    *y = x_old + w * (*y - x_old);
                }
            }
        } else {
            stage.run(self.path, main);
        }
        // 5. Level match.
        if self.level_match.is_smoothing() || self.level_match.target() > 0.0 {
            self.level_match.next_block(&mut self.match_buf[..n]);
            apply::level_match(
                main,
                &gains[..chans],
                &self.makeup_buf[..n],
                &self.mix_buf[..n],
                &self.match_buf[..n],
                &mut self.level_match_avg,
                self.level_match_coef,
            );
        } else {
            self.level_match_avg = 1.0;
        }
        gr
    }
}

#[cfg(test)]
mod tests;
