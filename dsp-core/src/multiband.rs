//! The Lacquer Multiband processor: 2–5 bands, each compressed by the shared dynamics
//! core ([`crate::dynamics`], the Compressor's feed-forward log-domain design after
//! D. Giannoulis, M. Massberg, J. D. Reiss, "Digital Dynamic Range Compressor Design — A
//! Tutorial and Analysis", JAES 60(6), 2012), then summed:
//!
//! ```text
//! in → input gain → split (LR2/4/8 all-pass compensated | linear phase)
//!   per band: key band → Detector → GainCurve (eq. 4) → Ballistics → gain
//!             band audio → lookahead delay → × gain × makeup (bypass, M/S, solo/mute)
//!   Σ bands = wet;  out = output gain · (dry_d + mix·(wet − dry_d))
//! ```
//!
//! * Split, minimum phase: [`crate::crossover::Crossover`] (Linkwitz–Riley tree with
//!   all-pass compensation, S. Lipshitz & J. Vanderkooy, JAES 34(11), 1986): with no band
//!   acting the output is an all-pass of the input, flat within 0.01 dB (tested for every
//!   band count × slope × a sweep of crossover positions). Linear phase:
//!   [`crate::linear_phase::LinearPhaseSplitter`] (bands sum to the input delayed by its
//!   latency; nulls below −90 dB, tested).
//! * Crossovers are clamped to [`MIN_CROSSOVER_HZ`]..[`MAX_CROSSOVER_HZ`] (and 0.45·fs),
//!   sorted and kept at least [`MIN_CROSSOVER_RATIO`] apart. Minimum-phase crossovers ramp
//!   logarithmically at [`CROSSOVER_MS_PER_OCTAVE`] (at least [`MIN_CROSSOVER_RAMP_MS`])
//!   with coefficients refreshed every
//!   [`COEF_UPDATE_INTERVAL`] samples (no click, level bump ≤ 0.5 dB, tested); linear-phase
//!   ones cross-fade kernels inside the splitter.
//! * Per band the static curve is the Compressor's (`GainCurve`, `CurveSide::Above`,
//!   ratio 0.05..100 or ∞; below 1:1 it is upward expansion above the threshold, bounded
//!   by the range); steady sines centred in each band match eq. (4) within 0.1 dB (tested).
//! * External sidechain: the key runs through its own copy of the same crossovers (same
//!   slope, frequencies, ramps; a second linear-phase splitter in linear-phase mode) and
//!   each band detects on its key band.
//! * Detector tilt `τ` dB/octave: band `b`'s detected level is raised by
//!   `τ·log2(f_b / 1 kHz)`, `f_b` the geometric centre of the band (outer edges 20 Hz and
//!   20 kHz); `τ = 3` is pink weighting (equal power per octave reads equal in every
//!   band), so the lows no longer dominate. Applied as a shift of the band's threshold,
//!   so it is smoothed with it.
//! * Lookahead `L` (0..[`MAX_LOOKAHEAD_MS`]): each band's audio is delayed by `L` after
//!   its detector; the dry path is delayed by the split latency + `L`. [`Multiband::latency`]
//!   = split latency + `L` = the measured impulse delay (tested). Mix 0 is the delayed
//!   input bit for bit (at 0 dB input/output gain).
//!
//! Smoothing (per sample, so any host block size gives the same output): threshold,
//! `1/ratio`, knee, range (linear ramps), makeup, input and output gain (logarithmic),
//! mix, bypass, solo/mute weight and L/R–M/S (linear cross-fades), all over
//! [`PARAM_RAMP_MS`]; lookahead changes cross-fade the delays' read positions. Band count,
//! slope and phase mode re-route the signal: the output fades to silence over
//! [`SWITCH_MS`] (smoothstep-shaped, so the fade has no kink), the new topology starts (the crossover keeps its state; when entering
//! linear phase the cleared splitter and delays stay silent until their output is real),
//! and fades back in.

use crate::crossover::{Crossover, LrOrder};
use crate::dynamics::detector::{DetectionMode, StereoMode};
use crate::dynamics::lookahead::LookaheadDelay;
use crate::lanes::fold_max_abs;
use crate::linear_phase::LinearPhaseSplitter;
use crate::smoother::{Smoother, SmoothingStyle};

mod band;
use band::{smooth_lanes, Band, Scratch};

/// Most bands.
pub const MAX_BANDS: usize = 5;
/// Fewest bands.
pub const MIN_BANDS: usize = 2;
/// Crossover range.
pub const MIN_CROSSOVER_HZ: f32 = 20.0;
/// Upper end of the crossover range (also limited to 0.45·fs).
pub const MAX_CROSSOVER_HZ: f32 = 20_000.0;
/// Smallest ratio between neighbouring crossovers (1/3 octave).
pub const MIN_CROSSOVER_RATIO: f32 = 1.259_921;
/// Ramp time of every continuous parameter and discrete cross-fade.
pub const PARAM_RAMP_MS: f32 = 20.0;
/// Logarithmic ramp speed of the minimum-phase crossovers: this many ms per octave moved
/// (a constant sweep rate, so a long move bumps the level no more than a short one).
pub const CROSSOVER_MS_PER_OCTAVE: f32 = 60.0;
/// Shortest crossover ramp.
pub const MIN_CROSSOVER_RAMP_MS: f32 = 20.0;
/// Coefficient refresh interval (samples) while a crossover ramps.
pub const COEF_UPDATE_INTERVAL: usize = 16;
/// Fade-out and fade-in time of a band-count, slope or phase-mode change.
pub const SWITCH_MS: f32 = 10.0;
/// Longest lookahead.
pub const MAX_LOOKAHEAD_MS: f32 = 10.0;
/// Threshold range (dBFS).
pub const MIN_THRESHOLD_DB: f32 = -80.0;
/// Smallest ratio (upward expansion).
pub const MIN_RATIO: f32 = 0.05;
/// Largest finite ratio (`f32::INFINITY` is accepted too).
pub const MAX_FINITE_RATIO: f32 = 100.0;
/// Widest knee.
pub const MAX_KNEE_DB: f32 = 24.0;
/// Largest gain change.
pub const MAX_RANGE_DB: f32 = 60.0;
/// Makeup range (±).
pub const MAX_MAKEUP_DB: f32 = 30.0;
/// Input/output gain range (±).
pub const MAX_GAIN_DB: f32 = 24.0;
/// Detector tilt range (± dB/octave).
pub const MAX_TILT_DB_PER_OCT: f32 = 6.0;
/// Largest sample magnitude passed through the audio path (+180 dBFS; the linear-phase
/// splitter's limit).
pub const MAX_SAMPLE: f32 = 1e9;

/// Settings of one band.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BandSettings {
    /// Threshold, −80..0 dBFS.
    pub threshold_db: f32,
    /// Ratio 0.05..100 or ∞ (below 1: upward expansion above the threshold).
    pub ratio: f32,
    /// Soft-knee width, 0..24 dB.
    pub knee_db: f32,
    /// Attack (63.2 % of a gain step), 0.01..500 ms.
    pub attack_ms: f32,
    /// Release, 1..5000 ms.
    pub release_ms: f32,
    /// Largest gain change, 0..60 dB.
    pub range_db: f32,
    /// Makeup gain, ±30 dB.
    pub makeup_db: f32,
    /// Band passes at unity gain (its detector and meters keep running).
    pub bypass: bool,
    /// Only soloed bands are heard when any band is soloed.
    pub solo: bool,
    /// Band silent (wins over solo).
    pub mute: bool,
    /// Peak or RMS detection.
    pub detection: DetectionMode,
    /// RMS window, 1..100 ms.
    pub rms_window_ms: f32,
    /// Stereo link 0..1.
    pub link: f32,
    /// L/R or M/S detection and gain.
    pub stereo_mode: StereoMode,
}

impl Default for BandSettings {
    fn default() -> Self {
        Self {
            threshold_db: -20.0,
            ratio: 2.0,
            knee_db: 6.0,
            attack_ms: 10.0,
            release_ms: 150.0,
            range_db: MAX_RANGE_DB,
            makeup_db: 0.0,
            bypass: false,
            solo: false,
            mute: false,
            detection: DetectionMode::Peak,
            rms_window_ms: 10.0,
            link: 1.0,
            stereo_mode: StereoMode::LeftRight,
        }
    }
}

/// Every user setting, applied once per (sub-)block with [`Multiband::set`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MultibandSettings {
    /// Bands, 2..=5.
    pub num_bands: usize,
    /// Crossovers (the first `num_bands − 1` are used), 20 Hz..20 kHz.
    pub crossover_hz: [f32; MAX_BANDS - 1],
    /// Slope of the minimum-phase crossovers.
    pub slope: LrOrder,
    /// Linear-phase split (latency) instead of minimum phase.
    pub linear_phase: bool,
    /// Per band.
    pub bands: [BandSettings; MAX_BANDS],
    /// Input gain, ±24 dB (drives dry and wet alike).
    pub input_gain_db: f32,
    /// Output gain, ±24 dB.
    pub output_gain_db: f32,
    /// Wet share 0..1.
    pub mix: f32,
    /// Detector tilt in dB/octave around 1 kHz (3 = pink), ±6.
    pub tilt_db_per_oct: f32,
    /// Lookahead 0..10 ms (latency).
    pub lookahead_ms: f32,
    /// Detect on the external key (when one is passed to `process_stereo`).
    pub external_key: bool,
}

impl Default for MultibandSettings {
    fn default() -> Self {
        Self {
            num_bands: 4,
            crossover_hz: [120.0, 1000.0, 6000.0, 12_000.0],
            slope: LrOrder::Lr4,
            linear_phase: false,
            bands: [BandSettings::default(); MAX_BANDS],
            input_gain_db: 0.0,
            output_gain_db: 0.0,
            mix: 1.0,
            tilt_db_per_oct: 0.0,
            lookahead_ms: 0.0,
            external_key: false,
        }
    }
}

/// `v` clamped to `lo..=hi`, `def` when NaN.
fn pick(v: f32, lo: f32, hi: f32, def: f32) -> f32 {
    if v.is_nan() {
        def
    } else {
        v.clamp(lo, hi)
    }
}

impl BandSettings {
    /// Clamped to the documented ranges (NaN → default).
    pub fn clamped(&self) -> Self {
        let d = Self::default();
        Self {
            threshold_db: pick(self.threshold_db, MIN_THRESHOLD_DB, 0.0, d.threshold_db),
            ratio: if self.ratio == f32::INFINITY {
                f32::INFINITY
            } else {
                pick(self.ratio, MIN_RATIO, MAX_FINITE_RATIO, d.ratio)
            },
            knee_db: pick(self.knee_db, 0.0, MAX_KNEE_DB, d.knee_db),
            range_db: pick(self.range_db, 0.0, MAX_RANGE_DB, d.range_db),
            makeup_db: pick(self.makeup_db, -MAX_MAKEUP_DB, MAX_MAKEUP_DB, 0.0),
            link: pick(self.link, 0.0, 1.0, 1.0),
            ..*self
        }
    }
}

/// Crossovers clamped to the range (and `0.45·fs`), sorted, and spread so neighbours are
/// at least [`MIN_CROSSOVER_RATIO`] apart (pushed up, then down from the top).
pub fn sanitize_crossovers(sample_rate: f32, hz: &[f32]) -> [f32; MAX_BANDS - 1] {
    let hi = MAX_CROSSOVER_HZ.min(0.45 * sample_rate);
    let mut out = MultibandSettings::default().crossover_hz;
    let n = hz.len().min(MAX_BANDS - 1);
    for (k, o) in out.iter_mut().enumerate().take(n) {
        *o = pick(hz[k], MIN_CROSSOVER_HZ, hi, 1000.0);
    }
    out[..n].sort_by(|a, b| a.total_cmp(b));
    for k in 1..n {
        out[k] = out[k].max(out[k - 1] * MIN_CROSSOVER_RATIO);
    }
    if n > 0 {
        out[n - 1] = out[n - 1].min(hi);
    }
    for k in (0..n.saturating_sub(1)).rev() {
        out[k] = out[k].min(out[k + 1] / MIN_CROSSOVER_RATIO);
    }
    out
}

impl MultibandSettings {
    /// Clamped to the documented ranges at `sample_rate` (NaN → default).
    pub fn clamped(&self, sample_rate: f32) -> Self {
        let nb = self.num_bands.clamp(MIN_BANDS, MAX_BANDS);
        let mut hz = self.crossover_hz;
        let sane = sanitize_crossovers(sample_rate, &hz[..nb - 1]);
        hz[..nb - 1].copy_from_slice(&sane[..nb - 1]);
        Self {
            num_bands: nb,
            crossover_hz: hz,
            bands: self.bands.map(|b| b.clamped()),
            input_gain_db: pick(self.input_gain_db, -MAX_GAIN_DB, MAX_GAIN_DB, 0.0),
            output_gain_db: pick(self.output_gain_db, -MAX_GAIN_DB, MAX_GAIN_DB, 0.0),
            mix: pick(self.mix, 0.0, 1.0, 1.0),
            tilt_db_per_oct: pick(
                self.tilt_db_per_oct,
                -MAX_TILT_DB_PER_OCT,
                MAX_TILT_DB_PER_OCT,
                0.0,
            ),
            lookahead_ms: pick(self.lookahead_ms, 0.0, MAX_LOOKAHEAD_MS, 0.0),
            ..*self
        }
    }

    /// Detector level offset of band `b` from the tilt (dB).
    fn tilt_offset_db(&self, b: usize) -> f32 {
        if self.tilt_db_per_oct == 0.0 {
            return 0.0;
        }
        let nb = self.num_bands;
        let lo = if b == 0 {
            MIN_CROSSOVER_HZ
        } else {
            self.crossover_hz[b - 1]
        };
        let hi = if b + 1 >= nb {
            MAX_CROSSOVER_HZ
        } else {
            self.crossover_hz[b]
        };
        let centre = (lo * hi).sqrt();
        self.tilt_db_per_oct * (centre / 1000.0).log2()
    }
}

/// Split topology: band count, slope, linear phase.
type Topology = (usize, LrOrder, bool);

/// The multiband compressor. Lifecycle: `new` → `prepare` → (`set` → `process_stereo`)* /
/// `reset`; `latency` after `set`.
pub struct Multiband {
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Channels (1 or 2).
    channels: usize,
    /// Largest chunk (scratch size).
    max_block: usize,
    /// Clamped settings in use.
    settings: MultibandSettings,
    /// Last settings passed to `set`, for compare-then-update.
    requested: Option<MultibandSettings>,
    /// True until the first `set` after `prepare`/`reset`.
    snap: bool,
    /// Topology being played.
    topology: Topology,
    /// Minimum-phase split of the audio.
    crossover: Crossover,
    /// The same split of the external key.
    key_crossover: Crossover,
    /// Linear-phase split of the audio.
    linear: LinearPhaseSplitter,
    /// Linear-phase split of the external key.
    key_linear: LinearPhaseSplitter,
    /// Minimum-phase crossover frequencies (logarithmic ramps).
    crossover_hz: [Smoother; MAX_BANDS - 1],
    /// Frequencies the minimum-phase crossovers were last set to.
    applied_hz: [f32; MAX_BANDS - 1],
    /// Samples until the next coefficient refresh while ramping.
    coef_countdown: usize,
    /// Output gain of topology switches (fade out, switch, fade in).
    switch_gain: Smoother,
    /// Silent samples left before fading in after a switch.
    hold: usize,
    /// The bands.
    bands: [Band; MAX_BANDS],
    /// Dry path delay (split latency + lookahead).
    dry_delay: LookaheadDelay,
    /// Input gain (logarithmic ramp).
    input_gain: Smoother,
    /// Output gain (logarithmic ramp).
    output_gain: Smoother,
    /// Wet share (linear ramp).
    mix: Smoother,
    /// Band audio, left/right, per band.
    band_audio: [[Vec<f32>; 2]; MAX_BANDS],
    /// Key bands, left/right, per band.
    key_audio: [[Vec<f32>; 2]; MAX_BANDS],
    /// Input (gained, sanitised), then dry, per channel.
    dry: [Vec<f32>; 2],
    /// Sanitised key per channel.
    key_in: [Vec<f32>; 2],
    /// Wet sum per channel.
    wet: [Vec<f32>; 2],
    /// Per band and detection channel: levels, then gain changes, then gains.
    band_gains: [[Vec<f32>; 2]; MAX_BANDS],
    /// Inputs of the unused lanes of the ballistics' four-chain loop.
    lane_pad: [Vec<f32>; 3],
    /// Per-sample scratch of the band output paths: makeup, bypass, weight, M/S.
    band_scratch: [Vec<f32>; 4],
    /// Per-sample scratch: mix, output gain, switch fade (0–2), input gain (6), mono key (7).
    scratch: [Vec<f32>; 8],
    /// Input peak of the last block (linear; the getter converts to dB, so blocks pay
    /// no logarithms for meters nobody reads).
    input_peak: f32,
    /// Output peak of the last block (linear).
    output_peak: f32,
    /// Per-band gain reduction of the last block (dB ≥ 0).
    band_gr_db: [f32; MAX_BANDS],
    /// Per-band input peak of the last block (linear).
    band_in_peak: [f32; MAX_BANDS],
}

impl Default for Multiband {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Multiband {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Multiband")
            .field("sample_rate", &self.sample_rate)
            .field("settings", &self.settings)
            .field("latency", &self.latency())
            .finish()
    }
}

impl Multiband {
    /// Default settings, unprepared (call `prepare`).
    pub fn new() -> Self {
        let s = MultibandSettings::default();
        Self {
            sample_rate: 48_000.0,
            channels: 2,
            max_block: 0,
            settings: s,
            requested: None,
            snap: true,
            topology: (s.num_bands, s.slope, s.linear_phase),
            crossover: Crossover::new(),
            key_crossover: Crossover::new(),
            linear: LinearPhaseSplitter::new(),
            key_linear: LinearPhaseSplitter::new(),
            crossover_hz: std::array::from_fn(|_| Smoother::new(SmoothingStyle::Logarithmic)),
            applied_hz: [0.0; MAX_BANDS - 1],
            coef_countdown: 0,
            switch_gain: Smoother::new(SmoothingStyle::Linear),
            hold: 0,
            bands: std::array::from_fn(|_| Band::new()),
            dry_delay: LookaheadDelay::new(),
            input_gain: Smoother::new(SmoothingStyle::Logarithmic),
            output_gain: Smoother::new(SmoothingStyle::Logarithmic),
            mix: Smoother::new(SmoothingStyle::Linear),
            band_audio: Default::default(),
            key_audio: Default::default(),
            dry: Default::default(),
            key_in: Default::default(),
            wet: Default::default(),
            band_gains: Default::default(),
            lane_pad: Default::default(),
            band_scratch: Default::default(),
            scratch: Default::default(),
            input_peak: 0.0,
            output_peak: 0.0,
            band_gr_db: [0.0; MAX_BANDS],
            band_in_peak: [0.0; MAX_BANDS],
        }
    }

    /// Allocates everything for `sample_rate`, blocks up to `max_block` (longer blocks
    /// run in chunks) and 1 or 2 channels.
    pub fn prepare(&mut self, sample_rate: f32, max_block: usize, channels: usize) {
        self.sample_rate = if sample_rate.is_finite() && sample_rate > 0.0 {
            sample_rate
        } else {
            48_000.0
        };
        self.channels = channels.clamp(1, 2);
        self.max_block = max_block.max(1);
        let (fs, n, ch) = (self.sample_rate, self.max_block, self.channels);
        for x in [&mut self.crossover, &mut self.key_crossover] {
            x.prepare(fs, n, ch);
        }
        for x in [&mut self.linear, &mut self.key_linear] {
            x.prepare(fs, n, ch);
        }
        let max_la = (MAX_LOOKAHEAD_MS * 1e-3 * fs).ceil() as usize;
        for b in &mut self.bands {
            b.prepare(fs, n, ch, max_la, PARAM_RAMP_MS);
        }
        self.dry_delay.prepare(max_la + self.linear.latency(), n);
        self.dry_delay
            .set_glide_samples((PARAM_RAMP_MS * 1e-3 * fs).round() as usize);
        for s in &mut self.crossover_hz {
            s.set_ramp_ms(fs, MIN_CROSSOVER_RAMP_MS);
        }
        self.switch_gain.set_ramp_ms(fs, SWITCH_MS);
        for s in [&mut self.input_gain, &mut self.output_gain, &mut self.mix] {
            s.set_ramp_ms(fs, PARAM_RAMP_MS);
        }
        let buf = || [vec![0.0; n], vec![0.0; n]];
        self.band_audio = std::array::from_fn(|_| buf());
        self.key_audio = std::array::from_fn(|_| buf());
        self.dry = buf();
        self.key_in = buf();
        self.wet = buf();
        self.band_gains = std::array::from_fn(|_| buf());
        self.lane_pad = std::array::from_fn(|_| vec![0.0; n]);
        self.band_scratch = std::array::from_fn(|_| vec![0.0; n]);
        self.scratch = std::array::from_fn(|_| vec![0.0; n]);
        let s = self.settings;
        self.apply_settings(&s);
        self.requested = None;
        self.reset();
    }

    /// Clears all state; the next `set` jumps to its values.
    pub fn reset(&mut self) {
        self.crossover.reset();
        self.key_crossover.reset();
        self.linear.reset();
        self.key_linear.reset();
        for b in &mut self.bands {
            b.reset();
        }
        self.dry_delay.reset();
        self.input_peak = 0.0;
        self.output_peak = 0.0;
        self.band_gr_db = [0.0; MAX_BANDS];
        self.band_in_peak = [0.0; MAX_BANDS];
        self.hold = 0;
        self.coef_countdown = 0;
        self.snap = true;
        self.snap_all();
    }

    /// Jumps every smoother, delay and the topology to the settings.
    fn snap_all(&mut self) {
        for s in self.crossover_hz.iter_mut().chain([
            &mut self.input_gain,
            &mut self.output_gain,
            &mut self.mix,
        ]) {
            s.reset(s.target());
        }
        let s = self.settings;
        self.topology = (s.num_bands, s.slope, s.linear_phase);
        self.start_topology(false);
        for b in &mut self.bands {
            for s in b.smoothers_mut() {
                s.reset(s.target());
            }
            b.delay.jump();
        }
        self.dry_delay.jump();
        self.switch_gain.reset(1.0);
        self.hold = 0;
    }

    /// Applies settings (clamped). Call once per block (or sub-block) before processing.
    pub fn set(&mut self, settings: &MultibandSettings) {
        if self.requested.as_ref() != Some(settings) {
            self.requested = Some(*settings);
            self.apply_settings(settings);
        }
        if self.snap {
            self.snap_all();
            self.snap = false;
        } else if self.wanted_topology() != self.topology
            && !self.switch_gain.is_smoothing()
            && self.hold == 0
        {
            self.switch_gain.set_target(0.0);
        }
    }

    /// The topology the settings ask for.
    fn wanted_topology(&self) -> Topology {
        let s = &self.settings;
        (s.num_bands, s.slope, s.linear_phase)
    }

    /// Sets every target.
    fn apply_settings(&mut self, settings: &MultibandSettings) {
        let s = settings.clamped(self.sample_rate);
        self.settings = s;
        let la = (s.lookahead_ms * 1e-3 * self.sample_rate).round() as usize;
        let any_solo = s.bands[..s.num_bands].iter().any(|b| b.solo);
        for (k, b) in self.bands.iter_mut().enumerate() {
            let bs = &s.bands[k];
            let weight = if bs.mute || (any_solo && !bs.solo) {
                0.0
            } else {
                1.0
            };
            let threshold = bs.threshold_db - s.tilt_offset_db(k);
            b.set(bs, threshold, weight, la);
        }
        let split = if self.topology.2 {
            self.linear.latency()
        } else {
            0
        };
        self.dry_delay.set_delay_samples(split + la);
        for (sm, &hz) in self.crossover_hz.iter_mut().zip(&s.crossover_hz) {
            if hz != sm.target() {
                let octaves = (hz / sm.current()).log2().abs();
                let ms = (CROSSOVER_MS_PER_OCTAVE * octaves).max(MIN_CROSSOVER_RAMP_MS);
                sm.set_ramp_ms(self.sample_rate, ms);
                sm.set_target(hz);
            }
        }
        let nb = s.num_bands;
        self.linear.set_bands(&s.crossover_hz[..nb - 1]);
        self.key_linear.set_bands(&s.crossover_hz[..nb - 1]);
        self.input_gain
            .set_target(crate::db::db_to_gain(s.input_gain_db));
        self.output_gain
            .set_target(crate::db::db_to_gain(s.output_gain_db));
        self.mix.set_target(s.mix);
    }

    /// Starts `self.topology`: crossovers at the current ramp values; the linear-phase
    /// splitters and every delay are cleared when `reset_paths` (phase-mode change).
    fn start_topology(&mut self, reset_paths: bool) {
        let (nb, order, _) = self.topology;
        let hz: [f32; MAX_BANDS - 1] = std::array::from_fn(|k| self.crossover_hz[k].current());
        for x in [&mut self.crossover, &mut self.key_crossover] {
            x.set_order(order);
            x.set_bands(&hz[..nb - 1]);
            // Splits in use keep their state (a cleared tree rings for tens of ms after
            // the fade-in, tested); ones just added start from whatever they hold.
            if reset_paths {
                x.reset();
            }
        }
        self.applied_hz = hz;
        let target = self.settings.crossover_hz;
        self.linear.set_bands(&target[..nb - 1]);
        self.key_linear.set_bands(&target[..nb - 1]);
        let la = (self.settings.lookahead_ms * 1e-3 * self.sample_rate).round() as usize;
        let split = if self.topology.2 {
            self.linear.latency()
        } else {
            0
        };
        self.dry_delay.set_delay_samples(split + la);
        if reset_paths {
            self.linear.reset();
            self.key_linear.reset();
            self.dry_delay.reset();
            self.dry_delay.jump();
            for b in &mut self.bands {
                b.delay.reset();
                b.delay.jump();
            }
        }
    }

    /// Settings in use (clamped).
    pub fn settings(&self) -> &MultibandSettings {
        &self.settings
    }

    /// Latency in samples: split latency (linear phase) + lookahead.
    pub fn latency(&self) -> usize {
        self.dry_delay.latency()
    }

    /// Input peak of the last block (dBFS).
    pub fn input_level_db(&self) -> f32 {
        crate::db::gain_to_db(self.input_peak)
    }

    /// Output peak of the last block (dBFS).
    pub fn output_level_db(&self) -> f32 {
        crate::db::gain_to_db(self.output_peak)
    }

    /// Largest gain reduction of band `b` in the last block (dB, ≥ 0).
    pub fn band_gain_reduction_db(&self, b: usize) -> f32 {
        self.band_gr_db.get(b).copied().unwrap_or(0.0)
    }

    /// Peak input level of band `b` in the last block (dBFS).
    pub fn band_input_level_db(&self, b: usize) -> f32 {
        crate::db::gain_to_db(self.band_in_peak.get(b).copied().unwrap_or(0.0))
    }

    /// Processes `main` in place (1 or 2 channels). `key`: external sidechain (mono or
    /// stereo), used when `external_key` is set and it covers the block; otherwise each
    /// band detects on itself. Any block length; never allocates or panics.
    pub fn process_stereo(&mut self, main: &mut [&mut [f32]], key: Option<&[&[f32]]>) {
        let chans = self.channels.min(main.len());
        if chans == 0 || self.max_block == 0 {
            return;
        }
        let len = main[..chans].iter().map(|b| b.len()).min().unwrap_or(0);
        let key_len = key.map_or(0, |k| k.iter().map(|s| s.len()).min().unwrap_or(0));
        let key = match key {
            Some(k) if !k.is_empty() && key_len >= len && self.settings.external_key => Some(k),
            _ => None,
        };
        let mut in_peak = 0.0_f32;
        let mut out_peak = 0.0_f32;
        for b in &mut self.bands {
            b.gr_db = 0.0;
            b.in_peak = 0.0;
        }
        let mut i = 0;
        while i < len {
            let mut n = (len - i).min(self.max_block);
            let linear = self.topology.2;
            let ramping = !linear && self.crossover_hz.iter().any(Smoother::is_smoothing);
            if ramping {
                if self.coef_countdown == 0 {
                    self.refresh_crossovers();
                    self.coef_countdown = COEF_UPDATE_INTERVAL;
                }
                n = n.min(self.coef_countdown);
            } else if !linear
                && (0..MAX_BANDS - 1).any(|k| self.applied_hz[k] != self.crossover_hz[k].current())
            {
                self.refresh_crossovers();
            }
            if self.switch_gain.is_smoothing() {
                n = n.min(self.switch_gain.steps_left() as usize);
            }
            if self.hold > 0 {
                n = n.min(self.hold);
            }
            for b in main[..chans].iter() {
                in_peak = fold_max_abs(in_peak, &b[i..i + n]);
            }
            let mut chunk: [&mut [f32]; 2] = [&mut [], &mut []];
            for (dst, src) in chunk.iter_mut().zip(main[..chans].iter_mut()) {
                *dst = &mut src[i..i + n];
            }
            let key_chunk: [&[f32]; 2];
            let key_ref = match key {
                Some(k) => {
                    key_chunk = [&k[0][i..i + n], &k[k.len().min(2) - 1][i..i + n]];
                    Some(key_chunk)
                }
                None => None,
            };
            self.process_chunk(&mut chunk[..chans], key_ref);
            for b in chunk[..chans].iter() {
                out_peak = fold_max_abs(out_peak, b);
            }
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
                let new = self.wanted_topology();
                let phase_changed = new.2 != self.topology.2;
                self.topology = new;
                self.start_topology(phase_changed);
                self.hold = if phase_changed {
                    self.latency()
                } else if new.2 {
                    // The splitter switches band count at its next partition.
                    self.linear.partition_len()
                } else {
                    0
                };
                if self.hold == 0 {
                    self.switch_gain.set_target(1.0);
                }
            }
            i += n;
        }
        // No `Crossover::end_block` here: every split path used above (`process_stereo`,
        // `process_block`) already flushes the memories it ran, and a full flush of both
        // trees cost about as much as the splitting at block 64.
        self.input_peak = in_peak;
        self.output_peak = out_peak;
        for (k, b) in self.bands.iter().enumerate() {
            self.band_gr_db[k] = b.gr_db;
            self.band_in_peak[k] = b.in_peak;
        }
    }

    /// Sets the minimum-phase crossovers to the ramps' current values.
    fn refresh_crossovers(&mut self) {
        let nb = self.topology.0;
        let hz: [f32; MAX_BANDS - 1] = std::array::from_fn(|k| self.crossover_hz[k].current());
        self.crossover.set_bands(&hz[..nb - 1]);
        self.key_crossover.set_bands(&hz[..nb - 1]);
        self.applied_hz = hz;
    }

    /// One chunk of at most `max_block` samples.
    fn process_chunk(&mut self, main: &mut [&mut [f32]], key: Option<[&[f32]; 2]>) {
        let chans = main.len();
        let n = main[0].len();
        let nb = self.topology.0;
        let linear = self.topology.2;
        // 1. Input gain, sanitised, into `dry`.
        if self.input_gain.is_smoothing() {
            let g = &mut self.scratch[6][..n];
            self.input_gain.next_block(g);
            for (d, m) in self.dry.iter_mut().zip(main.iter()) {
                for ((y, &x), &gv) in d[..n].iter_mut().zip(m.iter()).zip(g.iter()) {
                    let x = if x.is_finite() { x } else { 0.0 };
                    *y = (x * gv).clamp(-MAX_SAMPLE, MAX_SAMPLE);
                }
            }
        } else {
            // Settled: the value `next_block` would fill in, without the buffer.
            let gv = self.input_gain.target();
            for (d, m) in self.dry.iter_mut().zip(main.iter()) {
                for (y, &x) in d[..n].iter_mut().zip(m.iter()) {
                    let x = if x.is_finite() { x } else { 0.0 };
                    *y = (x * gv).clamp(-MAX_SAMPLE, MAX_SAMPLE);
                }
            }
        }
        // 2. Split the audio (and the key).
        {
            let [l, r] = &self.dry;
            let [bl, br] = split_bands(&mut self.band_audio, n);
            if chans == 2 {
                let (mut bl, mut br) = (bl, br);
                if linear {
                    self.linear
                        .process_stereo(&l[..n], &r[..n], &mut bl[..nb], &mut br[..nb]);
                } else {
                    self.crossover
                        .process_stereo(&l[..n], &r[..n], &mut bl[..nb], &mut br[..nb]);
                }
            } else {
                let mut bl = bl;
                if linear {
                    self.linear.process_mono(&l[..n], &mut bl[..nb]);
                } else {
                    self.crossover.process_block(0, &l[..n], &mut bl[..nb]);
                }
            }
        }
        if let Some(k) = key {
            for (d, src) in self.key_in.iter_mut().zip(k) {
                for (y, &x) in d[..n].iter_mut().zip(src.iter()) {
                    *y = if x.is_finite() {
                        x.clamp(-MAX_SAMPLE, MAX_SAMPLE)
                    } else {
                        0.0
                    };
                }
            }
            let [l, r] = &self.key_in;
            let [bl, br] = split_bands(&mut self.key_audio, n);
            let (mut bl, mut br) = (bl, br);
            if chans == 2 {
                if linear {
                    self.key_linear
                        .process_stereo(&l[..n], &r[..n], &mut bl[..nb], &mut br[..nb]);
                } else {
                    self.key_crossover.process_stereo(
                        &l[..n],
                        &r[..n],
                        &mut bl[..nb],
                        &mut br[..nb],
                    );
                }
            } else {
                // Mono processor: the key's two channels averaged.
                let mono = &mut self.scratch[7][..n];
                for ((y, &a), &b) in mono.iter_mut().zip(&l[..n]).zip(&r[..n]) {
                    *y = 0.5 * (a + b);
                }
                if linear {
                    self.key_linear.process_mono(mono, &mut bl[..nb]);
                } else {
                    self.key_crossover.process_block(0, mono, &mut bl[..nb]);
                }
            }
        }
        // 3. Bands into the wet sum: every band's detector and static curve, then the
        // plain ballistics of all bands four chains per vector (their recursions are the
        // serial part; side by side they overlap), then each band's output path.
        for w in self.wet[..chans].iter_mut() {
            w[..n].fill(0.0);
        }
        let mut actives = [0; MAX_BANDS];
        for (b, band) in self.bands[..nb].iter_mut().enumerate() {
            let [a0, a1] = &mut self.band_audio[b];
            let audio: [&mut [f32]; 2] = [&mut a0[..n], &mut a1[..n]];
            let [k0, k1] = &self.key_audio[b];
            let keys: [&[f32]; 2] = [&k0[..n], &k1[..n]];
            let key_ref = key.map(|_| &keys[..chans]);
            let [g0, g1] = &mut self.band_gains[b];
            let mut gains: [&mut [f32]; 2] = [&mut g0[..n], &mut g1[..n]];
            actives[b] = band.analyse(&audio[..chans], key_ref, &mut gains);
        }
        let smoothed = self.smooth_bands(nb, n, &actives);
        {
            let [s2, s3, s4, s5] = &mut self.band_scratch;
            let mut sc = Scratch {
                makeup: &mut s2[..n],
                bypass: &mut s3[..n],
                weight: &mut s4[..n],
                ms: &mut s5[..n],
            };
            let [w0, w1] = &mut self.wet;
            let mut wet: [&mut [f32]; 2] = [&mut w0[..n], &mut w1[..n]];
            for (b, band) in self.bands[..nb].iter_mut().enumerate() {
                let [a0, a1] = &mut self.band_audio[b];
                let mut audio: [&mut [f32]; 2] = [&mut a0[..n], &mut a1[..n]];
                let [g0, g1] = &mut self.band_gains[b];
                let mut gains: [&mut [f32]; 2] = [&mut g0[..n], &mut g1[..n]];
                band.finish(
                    &mut audio[..chans],
                    &mut wet[..chans],
                    &mut gains,
                    smoothed[b],
                    &mut sc,
                );
            }
        }
        // 4. Dry path delayed to match, mix, output gain, switch fade.
        {
            let [d0, d1] = &mut self.dry;
            let mut dry: [&mut [f32]; 2] = [&mut d0[..n], &mut d1[..n]];
            self.dry_delay.process(&mut dry[..chans]);
        }
        let settled = !self.mix.is_smoothing()
            && !self.output_gain.is_smoothing()
            && !self.switch_gain.is_smoothing();
        if settled {
            // The values `next_block` would fill in, as constants (same arithmetic).
            let (mx, g, f) = (
                self.mix.target(),
                self.output_gain.target(),
                self.switch_gain.target(),
            );
            let f = f * f * (3.0 - 2.0 * f);
            for ((m, d), w) in main.iter_mut().zip(&self.dry).zip(&self.wet) {
                for ((y, &d), &w) in m.iter_mut().zip(&d[..n]).zip(&w[..n]) {
                    *y = (d + mx * (w - d)) * g * f;
                }
            }
            return;
        }
        let [s0, s1, s2, ..] = &mut self.scratch;
        let (mix, gain, sw) = (&mut s0[..n], &mut s1[..n], &mut s2[..n]);
        self.mix.next_block(mix);
        self.output_gain.next_block(gain);
        self.switch_gain.next_block(sw);
        // Smoothstep of the linear switch ramp: no kink where the fade turns.
        for v in sw.iter_mut() {
            *v = *v * *v * (3.0 - 2.0 * *v);
        }
        for ((m, d), w) in main.iter_mut().zip(&self.dry).zip(&self.wet) {
            let samples = m.iter_mut().zip(&d[..n]).zip(&w[..n]);
            for ((((y, &d), &w), &mx), (&g, &f)) in samples.zip(&*mix).zip(gain.iter().zip(&*sw)) {
                *y = (d + mx * (w - d)) * g * f;
            }
        }
    }
}

impl Multiband {
    /// Runs the ballistics of every band whose smoother is the plain one
    /// ([`Band::plain_poles`]) on `band_gains[b][..actives[b]]`, four (band, channel)
    /// chains per [`smooth_lanes`] call (bit-identical to one call per chain), and
    /// returns which bands it smoothed.
    fn smooth_bands(
        &mut self,
        nb: usize,
        n: usize,
        actives: &[usize; MAX_BANDS],
    ) -> [bool; MAX_BANDS] {
        let mut smoothed = [false; MAX_BANDS];
        let mut chains = [(0, 0); 2 * MAX_BANDS];
        let mut count = 0;
        for (b, band) in self.bands[..nb].iter().enumerate() {
            if band.plain_poles().is_some() {
                smoothed[b] = true;
                for c in 0..actives[b] {
                    chains[count] = (b, c);
                    count += 1;
                }
            }
        }
        // Only the pads the last group of four uses.
        let pads_used = (4 - count % 4) % 4;
        for pad in &mut self.lane_pad[..pads_used] {
            pad[..n].fill(0.0);
        }
        let mut slots: [[Option<&mut [f32]>; 2]; MAX_BANDS] = Default::default();
        for (slot, [g0, g1]) in slots.iter_mut().zip(self.band_gains.iter_mut()) {
            *slot = [Some(&mut g0[..n]), Some(&mut g1[..n])];
        }
        let [p0, p1, p2] = &mut self.lane_pad;
        let mut pads = [Some(&mut p0[..n]), Some(&mut p1[..n]), Some(&mut p2[..n])];
        for group in chains[..count].chunks(4) {
            let (mut att, mut rel, mut y) = ([0.0; 4], [0.0; 4], [0.0; 4]);
            let mut bufs: [&mut [f32]; 4] = Default::default();
            let mut pad = 0;
            for (k, buf) in bufs.iter_mut().enumerate() {
                if let Some(&(b, c)) = group.get(k) {
                    let band = &self.bands[b];
                    (att[k], rel[k]) = band.plain_poles().unwrap_or((0.0, 0.0));
                    y[k] = band.ballistics.fast_state(c);
                    *buf = slots[b][c].take().unwrap_or_default();
                } else {
                    *buf = pads[pad].take().unwrap_or_default();
                    pad += 1;
                }
            }
            smooth_lanes(att, rel, &mut y, bufs);
            for (k, &(b, c)) in group.iter().enumerate() {
                self.bands[b].ballistics.store_fast_state(c, y[k]);
            }
        }
        smoothed
    }
}

/// The band buffers of `n` samples as left and right slice arrays.
fn split_bands(bufs: &mut [[Vec<f32>; 2]; MAX_BANDS], n: usize) -> [[&mut [f32]; MAX_BANDS]; 2] {
    let [b0, b1, b2, b3, b4] = bufs;
    let [l0, r0] = b0;
    let [l1, r1] = b1;
    let [l2, r2] = b2;
    let [l3, r3] = b3;
    let [l4, r4] = b4;
    [
        [
            &mut l0[..n],
            &mut l1[..n],
            &mut l2[..n],
            &mut l3[..n],
            &mut l4[..n],
        ],
        [
            &mut r0[..n],
            &mut r1[..n],
            &mut r2[..n],
            &mut r3[..n],
            &mut r4[..n],
        ],
    ]
}

#[cfg(test)]
mod tests;
