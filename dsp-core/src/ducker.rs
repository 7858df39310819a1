//! The Lacquer Ducker processor: sidechain ducking ("the kick ducks the bass") built from
//! the shared [`crate::dynamics`] core (D. Giannoulis, M. Massberg, J. D. Reiss, "Digital
//! Dynamic Range Compressor Design — A Tutorial and Analysis", JAES 60(6), 2012, Fig. 7(b):
//! detection → gain computer in dB → ballistics in dB → linear gain), with the gain
//! computer replaced by a trigger and an optional Linkwitz–Riley band split
//! ([`crate::crossover`], LR4) so only the lows are ducked:
//!
//! ```text
//! key (external | main | silence) → key HP/LP → peak power, L/R linked        (Detector)
//!   → trigger: depth while the key is above threshold (+ hold), else 0 dB     (this module)
//!   → attack / release in dB, exponential or linear release                  (Ballistics)
//!   → linear gain on the main input delayed by the lookahead                 (LookaheadDelay)
//!   → whole band: g·x,  or band-limited: g·low(x) + high(x)                  (Crossover, LR4)
//! ```
//!
//! * Trigger: the key counts as present from its first sample at or above the threshold
//!   until [`KEY_BRIDGE_MS`] + hold after its last one (the bridge is half a period of
//!   20 Hz, so the zero crossings of a low key never let go); while present the target gain
//!   change is the depth (−60..0 dB, or −∞ = [`DEPTH_FLOOR_DB`]), else 0 dB.
//! * Ballistics ([`crate::dynamics::ballistics`]): the gain change moves 63.2 % of the way
//!   to the depth in the attack time; back with the release time (exponential: 63.2 %;
//!   linear in dB: all of the way). Measured end to end within 5 % (tests).
//! * Lookahead `L`: the main input is delayed by `L` samples and [`Ducker::latency`]
//!   reports `L` (= the measured impulse delay), so the duck starts `L` samples before the
//!   hit reaches the output.
//! * Band-limited: `out = g·low + high` with `(low, high)` the LR4 split of the delayed
//!   input at 20..1000 Hz; `low + high` is the crossover's all-pass, so with depth 0 the
//!   magnitude is flat (measured ≤ 0.01 dB). Whole band: `out = g·x`, bit-exact `x` at 0 dB.
//! * Missing key (source External, no key given): no ducking (the detector listens to
//!   silence) or, if chosen, the main input keys itself. Source Internal: always the main.
//! * Key listen: the output is the filtered key, delayed by the lookahead (a monitoring
//!   switch, as in the Compressor); switching it cross-fades linearly over [`RAMP_MS`].
//! * A lookahead change cross-fades the delay's read position over [`RAMP_MS`].
//!
//! Smoothing: threshold and depth need none (the trigger's output is shaped by the
//! ballistics); attack, hold and release shape a smoothed signal. The key filter cutoffs and
//! the crossover frequency ramp logarithmically over [`RAMP_MS`], their coefficients
//! refreshed every [`GRID_SAMPLES`] samples counted from `reset`; switching band-limited
//! mode cross-fades linearly over [`RAMP_MS`]. So the output is the same for any block size.

use crate::crossover::{Crossover, LrOrder};
use crate::dynamics::ballistics::{Ballistics, BallisticsSettings, ReleaseCurve};
use crate::dynamics::detector::{DetectionMode, Detector, DetectorSettings, StereoMode};
use crate::dynamics::fast_math::{db_to_amp, power_to_db};
use crate::dynamics::lookahead::LookaheadDelay;
use crate::dynamics::MAX_DYNAMICS_CHANNELS;
use crate::lanes::{fold_max, fold_min};
use crate::smoother::{Smoother, SmoothingStyle};

/// Threshold range (dBFS): −60..0.
pub const MIN_THRESHOLD_DB: f32 = -60.0;
/// Deepest finite depth (dB); `f32::NEG_INFINITY` selects −∞.
pub const MIN_DEPTH_DB: f32 = -60.0;
/// The gain change used for a depth of −∞ (never NaN, 1e-6 in amplitude).
pub const DEPTH_FLOOR_DB: f32 = -120.0;
/// Attack range (ms).
pub const MIN_ATTACK_MS: f32 = 0.1;
/// Longest attack (ms).
pub const MAX_ATTACK_MS: f32 = 100.0;
/// Longest hold (ms).
pub const MAX_HOLD_MS: f32 = 500.0;
/// Release range (ms).
pub const MIN_RELEASE_MS: f32 = 10.0;
/// Longest release (ms).
pub const MAX_RELEASE_MS: f32 = 2000.0;
/// Longest lookahead (ms).
pub const MAX_LOOKAHEAD_MS: f32 = 20.0;
/// Band-limited crossover range (Hz).
pub const MIN_BAND_HZ: f32 = 20.0;
/// Highest band-limited crossover (Hz).
pub const MAX_BAND_HZ: f32 = 1000.0;
/// The key stays present this long after its last sample above threshold, before the hold.
pub const KEY_BRIDGE_MS: f32 = 25.0;
/// Ramp of the filter frequencies and cross-fade of band-limited mode.
pub const RAMP_MS: f32 = 20.0;
/// Coefficient refresh interval while a frequency ramps (samples, counted from `reset`).
pub const GRID_SAMPLES: u64 = 32;
/// Largest sample magnitude passed through the audio path (+300 dBFS).
pub const MAX_SAMPLE: f32 = 1e15;

/// Where the key comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// The sidechain input (see [`MissingKey`] when there is none).
    External,
    /// The main input (self-keyed).
    Internal,
}

/// What happens when the source is External and no key arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingKey {
    /// No ducking (the output is the delayed input).
    NoDucking,
    /// The main input keys itself.
    SelfKey,
}

/// Every user setting, applied once per (sub-)block with [`Ducker::set`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DuckerSettings {
    /// Key level (peak, dBFS) at which ducking starts, −60..0.
    pub threshold_db: f32,
    /// Gain change while ducked, −60..0 dB, or `f32::NEG_INFINITY`.
    pub depth_db: f32,
    /// 63.2 % of the way to the depth, 0.1..100 ms.
    pub attack_ms: f32,
    /// Extra time the key stays present after it falls below threshold, 0..500 ms.
    pub hold_ms: f32,
    /// Release, 10..2000 ms (see `release_curve`).
    pub release_ms: f32,
    /// Exponential (63.2 % in the release time) or linear in dB (all the way).
    pub release_curve: ReleaseCurve,
    /// Lookahead, 0..20 ms (reported as latency).
    pub lookahead_ms: f32,
    /// Key high-pass on/off.
    pub key_hp: bool,
    /// Key high-pass cutoff (10 Hz..20 kHz).
    pub key_hp_hz: f32,
    /// Key low-pass on/off.
    pub key_lp: bool,
    /// Key low-pass cutoff (10 Hz..20 kHz).
    pub key_lp_hz: f32,
    /// Output the filtered key instead of the ducked signal.
    pub key_listen: bool,
    /// Duck only below `band_hz`.
    pub band_limited: bool,
    /// Crossover of band-limited mode, 20..1000 Hz.
    pub band_hz: f32,
    /// External (sidechain) or internal key.
    pub source: KeySource,
    /// Behaviour without a key.
    pub missing_key: MissingKey,
}

impl Default for DuckerSettings {
    fn default() -> Self {
        Self {
            threshold_db: -30.0,
            depth_db: -12.0,
            attack_ms: 2.0,
            hold_ms: 0.0,
            release_ms: 150.0,
            release_curve: ReleaseCurve::Exponential,
            lookahead_ms: 0.0,
            key_hp: false,
            key_hp_hz: 30.0,
            key_lp: false,
            key_lp_hz: 8000.0,
            key_listen: false,
            band_limited: false,
            band_hz: 150.0,
            source: KeySource::External,
            missing_key: MissingKey::NoDucking,
        }
    }
}

impl DuckerSettings {
    /// Settings clamped to the documented ranges (NaN → default; depth below −60 → −∞).
    pub fn clamped(&self) -> Self {
        let d = Self::default();
        let pick =
            |v: f32, lo: f32, hi: f32, def: f32| if v.is_nan() { def } else { v.clamp(lo, hi) };
        Self {
            threshold_db: pick(self.threshold_db, MIN_THRESHOLD_DB, 0.0, d.threshold_db),
            depth_db: if self.depth_db < MIN_DEPTH_DB {
                f32::NEG_INFINITY
            } else {
                pick(self.depth_db, MIN_DEPTH_DB, 0.0, d.depth_db)
            },
            attack_ms: pick(self.attack_ms, MIN_ATTACK_MS, MAX_ATTACK_MS, d.attack_ms),
            hold_ms: pick(self.hold_ms, 0.0, MAX_HOLD_MS, 0.0),
            release_ms: pick(
                self.release_ms,
                MIN_RELEASE_MS,
                MAX_RELEASE_MS,
                d.release_ms,
            ),
            lookahead_ms: pick(self.lookahead_ms, 0.0, MAX_LOOKAHEAD_MS, 0.0),
            key_hp_hz: pick(self.key_hp_hz, 10.0, 20_000.0, d.key_hp_hz),
            key_lp_hz: pick(self.key_lp_hz, 10.0, 20_000.0, d.key_lp_hz),
            band_hz: pick(self.band_hz, MIN_BAND_HZ, MAX_BAND_HZ, d.band_hz),
            ..*self
        }
    }

    /// The target gain change while ducked, in dB (−∞ → [`DEPTH_FLOOR_DB`]).
    pub fn depth_gain_db(&self) -> f32 {
        self.depth_db.max(DEPTH_FLOOR_DB)
    }
}

/// The ducker. Lifecycle: `new` → `prepare` → (`set` → `process_stereo`)* / `reset`;
/// `latency` after `set`.
#[derive(Clone, Debug)]
pub struct Ducker {
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Channels from `prepare` (1 or 2).
    channels: usize,
    /// Largest chunk processed at once (scratch size).
    max_block: usize,
    /// Clamped settings in use.
    settings: DuckerSettings,
    /// Last settings passed to `set` (unclamped), for compare-then-update.
    requested: Option<DuckerSettings>,
    /// True until the first `set` after `prepare`/`reset`: ramps jump.
    snap: bool,
    /// Key to level.
    detector: Detector,
    /// Gain-change smoothing.
    ballistics: Ballistics,
    /// Lookahead delay of the main input.
    delay: LookaheadDelay,
    /// The filtered key through the same delay (key listen).
    key_delay: LookaheadDelay,
    /// Delayed key of the current chunk.
    key_buf: [Vec<f32>; MAX_DYNAMICS_CHANNELS],
    /// Key-listen share 0..1 (linear cross-fade).
    listen_mix: Smoother,
    /// Per-sample key-listen share of the chunk.
    listen_buf: Vec<f32>,
    /// Two-band LR4 split of band-limited mode.
    crossover: Crossover,
    /// Key high-pass cutoff (log ramp).
    key_hp_hz: Smoother,
    /// Key low-pass cutoff (log ramp).
    key_lp_hz: Smoother,
    /// Band-limited crossover (log ramp).
    band_hz: Smoother,
    /// Band-limited share 0..1 (linear cross-fade).
    band_mix: Smoother,
    /// Ramped frequencies (HP, LP, band) in use until the next grid point.
    latched: [f32; 3],
    /// Samples since `reset` (places the coefficient grid).
    clock: u64,
    /// Samples since the key was last at or above threshold (saturating).
    since_above: u32,
    /// Bridge + hold in samples.
    hold_samples: u32,
    /// The threshold as a power (squared peak amplitude).
    threshold_power: f32,
    /// Key power per detection channel (channel 0: the louder one, after detection).
    levels: [Vec<f32>; MAX_DYNAMICS_CHANNELS],
    /// Gain change (dB), then linear gain, per sample of the chunk.
    gains: Vec<f32>,
    /// Low band per channel (band-limited mode).
    low: [Vec<f32>; MAX_DYNAMICS_CHANNELS],
    /// High band per channel (band-limited mode).
    high: [Vec<f32>; MAX_DYNAMICS_CHANNELS],
    /// Per-sample band-limited share of the chunk.
    mix_buf: Vec<f32>,
    /// Zeros: the key when there is none and no self-keying.
    silence: Vec<f32>,
    /// Highest key level of the last `process_stereo` (dB).
    key_level_db: f32,
    /// Deepest gain change of the last `process_stereo` (dB, ≤ 0).
    gain_db: f32,
}

impl Default for Ducker {
    fn default() -> Self {
        Self::new()
    }
}

impl Ducker {
    /// Default settings, unprepared (call `prepare`).
    pub fn new() -> Self {
        let log = || Smoother::new(SmoothingStyle::Logarithmic);
        Self {
            sample_rate: 48_000.0,
            channels: 2,
            max_block: 0,
            settings: DuckerSettings::default(),
            requested: None,
            snap: true,
            detector: Detector::new(),
            ballistics: Ballistics::new(),
            delay: LookaheadDelay::new(),
            key_delay: LookaheadDelay::new(),
            key_buf: [Vec::new(), Vec::new()],
            listen_mix: Smoother::new(SmoothingStyle::Linear),
            listen_buf: Vec::new(),
            crossover: Crossover::new(),
            key_hp_hz: log(),
            key_lp_hz: log(),
            band_hz: log(),
            band_mix: Smoother::new(SmoothingStyle::Linear),
            latched: [0.0; 3],
            clock: 0,
            since_above: u32::MAX,
            hold_samples: 0,
            threshold_power: 0.0,
            levels: [Vec::new(), Vec::new()],
            gains: Vec::new(),
            low: [Vec::new(), Vec::new()],
            high: [Vec::new(), Vec::new()],
            mix_buf: Vec::new(),
            silence: Vec::new(),
            key_level_db: crate::db::MINUS_INFINITY_DB,
            gain_db: 0.0,
        }
    }

    /// Allocates everything for `sample_rate`, blocks up to `max_block` (larger blocks are
    /// processed in chunks) and 1 or 2 channels.
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
        self.ballistics.prepare(fs, n, 1);
        let glide = (RAMP_MS * 1e-3 * fs).round() as usize;
        for d in [&mut self.delay, &mut self.key_delay] {
            d.prepare((MAX_LOOKAHEAD_MS * 1e-3 * fs).ceil() as usize, n);
            d.set_glide_samples(glide);
        }
        self.crossover.prepare(fs, n, self.channels);
        self.crossover.set_order(LrOrder::Lr4);
        for s in [
            &mut self.key_hp_hz,
            &mut self.key_lp_hz,
            &mut self.band_hz,
            &mut self.band_mix,
            &mut self.listen_mix,
        ] {
            s.set_ramp_ms(fs, RAMP_MS);
        }
        self.key_buf = [vec![0.0; n], vec![0.0; n]];
        self.listen_buf = vec![0.0; n];
        self.levels = [vec![0.0; n], vec![0.0; n]];
        self.gains = vec![0.0; n];
        self.low = [vec![0.0; n], vec![0.0; n]];
        self.high = [vec![0.0; n], vec![0.0; n]];
        self.mix_buf = vec![0.0; n];
        self.silence = vec![0.0; n];
        let s = self.settings;
        self.apply_settings(&s);
        self.requested = None;
        self.latched = [f32::NAN; 3];
        self.reset();
    }

    /// Clears all state; the next `set` jumps to its values.
    pub fn reset(&mut self) {
        self.detector.reset();
        self.ballistics.reset();
        self.delay.reset();
        self.key_delay.reset();
        self.crossover.reset();
        self.clock = 0;
        self.since_above = u32::MAX;
        self.key_level_db = crate::db::MINUS_INFINITY_DB;
        self.gain_db = 0.0;
        self.snap = true;
        self.snap_ramps();
    }

    /// Jumps every ramp to its target and latches the frequencies.
    fn snap_ramps(&mut self) {
        for s in [
            &mut self.key_hp_hz,
            &mut self.key_lp_hz,
            &mut self.band_hz,
            &mut self.band_mix,
            &mut self.listen_mix,
        ] {
            s.reset(s.target());
        }
        self.delay.jump();
        self.key_delay.jump();
        self.latch();
    }

    /// Hands the ramped frequencies to the detector and the crossover.
    fn latch(&mut self) {
        let now = [
            self.key_hp_hz.current(),
            self.key_lp_hz.current(),
            self.band_hz.current(),
        ];
        if now == self.latched {
            return;
        }
        self.latched = now;
        let s = &self.settings;
        self.detector.set(&DetectorSettings {
            mode: DetectionMode::Peak,
            rms_window_ms: 10.0,
            stereo_mode: StereoMode::LeftRight,
            link: 1.0,
            key_hp: s.key_hp,
            key_hp_hz: now[0],
            key_lp: s.key_lp,
            key_lp_hz: now[1],
        });
        self.crossover.set_bands(&[now[2]]);
    }

    /// Applies settings (clamped). Call once per block (or sub-block) before processing.
    pub fn set(&mut self, settings: &DuckerSettings) {
        if self.requested.as_ref() != Some(settings) {
            self.requested = Some(*settings);
            self.apply_settings(settings);
        }
        if self.snap {
            self.snap_ramps();
            self.snap = false;
        }
    }

    /// Sets every target and sub-module.
    fn apply_settings(&mut self, settings: &DuckerSettings) {
        let s = settings.clamped();
        let switches_changed = s.key_hp != self.settings.key_hp || s.key_lp != self.settings.key_lp;
        self.settings = s;
        if switches_changed {
            // Force the detector update with the filter switches.
            self.latched = [f32::NAN; 3];
            self.latch();
        }
        self.ballistics.set(&BallisticsSettings {
            attack_ms: s.attack_ms,
            release_ms: s.release_ms,
            hold_ms: 0.0,
            auto_release: false,
            release_curve: s.release_curve,
        });
        let fs = self.sample_rate;
        self.hold_samples = ((s.hold_ms + KEY_BRIDGE_MS) * 1e-3 * fs).round() as u32;
        self.threshold_power = 10.0_f32.powf(0.1 * s.threshold_db);
        let lookahead = (s.lookahead_ms * 1e-3 * fs).round() as usize;
        self.delay.set_delay_samples(lookahead);
        self.key_delay.set_delay_samples(lookahead);
        self.listen_mix
            .set_target(if s.key_listen { 1.0 } else { 0.0 });
        self.key_hp_hz.set_target(s.key_hp_hz);
        self.key_lp_hz.set_target(s.key_lp_hz);
        self.band_hz.set_target(s.band_hz);
        let band = if s.band_limited { 1.0 } else { 0.0 };
        if band > 0.0 && !self.banding() {
            // The split has not run since band-limited mode was last off: start it clean.
            self.crossover.reset();
        }
        self.band_mix.set_target(band);
    }

    /// Whether the band split runs (band-limited, or fading in or out).
    fn banding(&self) -> bool {
        self.band_mix.is_smoothing() || self.band_mix.target() > 0.0
    }

    /// Settings in use (clamped).
    pub fn settings(&self) -> &DuckerSettings {
        &self.settings
    }

    /// Latency in samples (the lookahead).
    pub fn latency(&self) -> usize {
        self.delay.latency()
    }

    /// Highest detected key level of the last `process_stereo`, dB (−200 for silence).
    pub fn key_level_db(&self) -> f32 {
        self.key_level_db
    }

    /// Deepest gain change of the last `process_stereo`, dB (≤ 0).
    pub fn gain_db(&self) -> f32 {
        self.gain_db
    }

    /// The gain change now, dB (≤ 0).
    pub fn current_gain_db(&self) -> f32 {
        self.ballistics.value(0)
    }

    /// Processes `main` in place (1 or 2 channels; with `channels == 1` only `main[0]`).
    /// `key`: the external sidechain (mono or stereo); `None`, empty or shorter than the
    /// block means "no key" (see [`MissingKey`]). Any block length; never allocates.
    pub fn process_stereo(&mut self, main: &mut [&mut [f32]], key: Option<&[&[f32]]>) {
        let chans = self.channels.min(main.len());
        if chans == 0 || self.max_block == 0 {
            return;
        }
        let n = main[..chans].iter().map(|b| b.len()).min().unwrap_or(0);
        let key = key.filter(|k| !k.is_empty() && k.iter().all(|c| c.len() >= n));
        self.key_level_db = -200.0;
        self.gain_db = 0.0;
        let mut start = 0;
        while start < n {
            if self.clock.is_multiple_of(GRID_SAMPLES) {
                self.latch();
            }
            let now = [
                self.key_hp_hz.current(),
                self.key_lp_hz.current(),
                self.band_hz.current(),
            ];
            let moving = self.key_hp_hz.is_smoothing()
                || self.key_lp_hz.is_smoothing()
                || self.band_hz.is_smoothing()
                || now != self.latched;
            let mut end = (start + self.max_block).min(n);
            if moving {
                let to_grid = (GRID_SAMPLES - self.clock % GRID_SAMPLES) as usize;
                end = end.min(start + to_grid);
            }
            let mut chunk: [&mut [f32]; MAX_DYNAMICS_CHANNELS] = [&mut [], &mut []];
            for (dst, src) in chunk.iter_mut().zip(main[..chans].iter_mut()) {
                *dst = &mut src[start..end];
            }
            let key_chunk: [&[f32]; MAX_DYNAMICS_CHANNELS];
            let key_ref = match key {
                Some(k) => {
                    key_chunk = [&k[0][start..end], &k[k.len().min(2) - 1][start..end]];
                    Some(&key_chunk[..k.len().min(2)])
                }
                None => None,
            };
            self.process_chunk(&mut chunk[..chans], key_ref);
            let len = end - start;
            for s in [&mut self.key_hp_hz, &mut self.key_lp_hz, &mut self.band_hz] {
                s.skip(len);
            }
            self.clock += len as u64;
            start = end;
        }
    }

    /// One chunk of at most `max_block` samples.
    fn process_chunk(&mut self, main: &mut [&mut [f32]], key: Option<&[&[f32]]>) {
        let chans = main.len();
        let n = main[0].len();
        // 1. Key power (linked: channel 0 holds the louder one).
        {
            let silence: [&[f32]; 1] = [&self.silence[..n]];
            let source = match (self.settings.source, key) {
                (KeySource::Internal, _) => None,
                (KeySource::External, Some(k)) => Some(k),
                (KeySource::External, None) => match self.settings.missing_key {
                    MissingKey::SelfKey => None,
                    MissingKey::NoDucking => Some(&silence[..]),
                },
            };
            let [l0, l1] = &mut self.levels;
            let mut levels: [&mut [f32]; 2] = [&mut l0[..n], &mut l1[..n]];
            let mains: [&[f32]; 2] = [&*main[0], &*main[chans - 1]];
            self.detector
                .process_power(&mains[..chans], source, &mut levels[..chans]);
        }
        // 2. Trigger: the depth while the key is present (peak power against the
        // threshold's power: no logarithm per sample).
        let (thr, depth) = (self.threshold_power, self.settings.depth_gain_db());
        let hold = self.hold_samples;
        let mut since = self.since_above;
        let gains = &mut self.gains[..n];
        let power = &self.levels[0][..n];
        for (g, &p) in gains.iter_mut().zip(power) {
            since = if p >= thr { 0 } else { since.saturating_add(1) };
            *g = if since <= hold { depth } else { 0.0 };
        }
        self.since_above = since;
        let level = power_to_db(fold_max(0.0, power));
        self.key_level_db = self.key_level_db.max(level);
        // 3. Ballistics, then linear gain.
        self.ballistics.process(0, gains);
        self.gain_db = fold_min(self.gain_db, gains);
        for g in gains.iter_mut() {
            *g = db_to_amp(*g);
        }
        // 4. Audio path: lookahead delay of the main input, and of the key while it is heard
        // or the delay is not the identity (so key listen starts with the right samples).
        for b in main.iter_mut() {
            for x in b.iter_mut() {
                *x = x.clamp(-MAX_SAMPLE, MAX_SAMPLE);
            }
        }
        self.delay.process(main);
        let listening = self.listen_mix.is_smoothing() || self.listen_mix.target() > 0.0;
        if listening || !self.key_delay.is_identity() {
            let [k0, k1] = &mut self.key_buf;
            let mut keys: [&mut [f32]; 2] = [&mut k0[..n], &mut k1[..n]];
            for (c, k) in keys[..chans].iter_mut().enumerate() {
                for (d, &x) in k.iter_mut().zip(self.detector.key(c)) {
                    *d = x.clamp(-MAX_SAMPLE, MAX_SAMPLE);
                }
            }
            self.key_delay.process(&mut keys[..chans]);
        }
        // 5. Gain: whole band, or the lows only (cross-faded while switching).
        self.duck(main, n, chans);
        // 6. Key listen, cross-faded; the ducked signal keeps running underneath.
        if listening {
            let ramp = n.min(self.listen_mix.steps_left() as usize);
            self.listen_mix.next_block(&mut self.listen_buf[..ramp]);
            let on = self.listen_mix.target() > 0.0;
            for (c, b) in main.iter_mut().enumerate() {
                let key = &self.key_buf[c][..n];
                for ((y, &k), &w) in b[..ramp].iter_mut().zip(key).zip(&self.listen_buf[..ramp]) {
                    *y += w * (k - *y);
                }
                if on {
                    b[ramp..].copy_from_slice(&key[ramp..]);
                }
            }
        }
    }

    /// Applies the gain of the chunk to the delayed input: whole band, or the lows only.
    fn duck(&mut self, main: &mut [&mut [f32]], n: usize, chans: usize) {
        let banding = self.banding();
        self.band_mix.next_block(&mut self.mix_buf[..n]);
        let gains = &self.gains[..n];
        if !banding {
            for b in main.iter_mut() {
                for (x, &g) in b.iter_mut().zip(gains) {
                    *x *= g;
                }
            }
            return;
        }
        {
            let [lo0, lo1] = &mut self.low;
            let [hi0, hi1] = &mut self.high;
            let mut left: [&mut [f32]; 2] = [&mut lo0[..n], &mut hi0[..n]];
            let mut right: [&mut [f32]; 2] = [&mut lo1[..n], &mut hi1[..n]];
            if chans == 2 {
                self.crossover
                    .process_stereo(main[0], main[1], &mut left, &mut right);
            } else {
                self.crossover.process_block(0, main[0], &mut left);
            }
        }
        let mix = &self.mix_buf[..n];
        for (c, b) in main.iter_mut().enumerate() {
            let (low, high) = (&self.low[c][..n], &self.high[c][..n]);
            for ((((x, &g), &m), &lo), &hi) in b.iter_mut().zip(gains).zip(mix).zip(low).zip(high) {
                *x = (1.0 - m) * g * *x + m * (g * lo + hi);
            }
        }
    }
}

#[cfg(test)]
mod tests;
