//! The Lacquer Limiter processor: a true-peak lookahead brickwall limiter whose output,
//! measured as true peak (ITU-R BS.1770-5 Annex 2), never exceeds the ceiling.
//!
//! ```text
//! x → input gain → ┬→ oversampler (4x/8x) → |·| max per frame → r = T₁/max(p, T₁)
//!                  │     → stereo link → release (auto) → hold + 2 boxes (K = lookahead)  G₁
//!                  └→ delay K + 11 ──────────────────────────────────────────────── × G₁ = y
//! y ─┬→ BS.1770 Annex 2 4x peak (both channels) → r₂ = T₂/max(p₂, T₂) → hold + 2 boxes   G₂
//!    └→ delay K₂ + 5 ─────────────────────────────────────────────────────────── × G₂ → dither
//! ```
//!
//! * Stage 1 (shaping): the required gain comes from the oversampled envelope of the input
//!   ([`crate::oversampler::Oversampler`], Kaiser sinc, 0.085 dB ripple), so inter-sample
//!   peaks are seen, with [`STAGE1_MARGIN_DB`] of headroom. The attack is the
//!   hold-plus-boxes window of [`window`]: the gain reaches every requirement exactly when
//!   the sample arrives, along a smooth S-curve across the lookahead. Release is a one-pole
//!   towards unity in the linear domain (`g ← 1 − (1 − g)·a`, 63 % in `release_ms`);
//!   auto release slows it up to [`AUTO_RELEASE_SLOWDOWN`]× while the gain reduction sits
//!   at its long-term average (dense programme: no pumping) and keeps the set release
//!   after transients that dip below it (the program-dependent release idea of
//!   Giannoulis et al., JAES 60(6) 2012, §III-C, on the linear gain). Stereo link `ℓ`:
//!   each channel's required gain moves `ℓ` of the way to the smaller one.
//! * Stage 2 (guarantee): the exact measurement the promise is checked with, the Annex 2
//!   filter ([`annex2`]), reads the stage-1 output `y`; wherever it would exceed
//!   `T₂ = ceiling − dither headroom` a short, linked hold-plus-boxes correction of
//!   `K₂ ≈ 0.33 ms` lowers it. Stage 1's margin makes this stage idle on ordinary
//!   programme; it catches what the gain modulation of stage 1 and the difference between
//!   the two interpolators leave (near-Nyquist content, where the Annex filter reads up to
//!   0.6 dB above the band-limited peak).
//! * Latency: `(K + 11) + (K₂ + 5)` samples, `K = round(lookahead·fs) + 1`
//!   ([`Limiter::latency`], equal to the measured impulse delay).
//! * Dither ([`crate::dither`]) runs last; its worst-case peak is taken off the ceiling.
//! * Loudness: a [`crate::loudness::LoudnessMeter`] on the output gives integrated and
//!   short-term LUFS; [`gain_to_target_db`] is the input gain still needed.
//!
//! Cost (`benches/dsp.rs`, 48 kHz stereo, +12 dB drive, linked, loudness metering). Per
//! block, not per sample: stage-1 peaks come straight from the folded oversampler bank
//! ([`Oversampler::frame_peaks`]); the release recursion, the hold and both boxes run in
//! one per-sample loop ([`window::WindowEnvelope::process_mapped`]) so their dependency
//! chains overlap, and the release chain is a multiply, an add, a `max` and a `min`
//! ([`ReleaseStep`]); peak and gain folds use NaN-free `min`/`max` (every value there is
//! finite); the stage gains are applied as the delayed audio is read ([`delay`]), and the
//! bypass path is read only while bypass is engaged. Measured 2026-12-02 on a machine
//! loaded by other sessions (load 4.5 on 2 cores), before/after in one sitting, thread
//! CPU time, best of 20 interleaved runs, ns per stereo sample: 4x 85.7 → 63.8 (block 64),
//! 103.7 → 57.7 (512); 8x 98.7 → 75.7, 108.8 → 71.6; 4x unlinked with shaped dither
//! 181.5 → 109.9, 164.6 → 108.0. What remains at 4x (perf): the loudness meter's own true
//! peak (≈ 19 %) and K-weighting (≈ 9 %), stage-1 oversampling (≈ 15 %), the Annex 2
//! stage (≈ 10 %), the fused release/window loop (≈ 14 %).
//!
//! Session 7 (all bit-identical): an idle stage 2 (exact-unity gains meeting a window at
//! rest) skips its per-sample loop ([`window::WindowEnvelope::process`]); unlinked
//! channels run their release/window recursions in one loop
//! ([`window::WindowEnvelope::process_mapped_pair`]) and the dither both channels' error
//! feedback in one loop ([`crate::dither::Dither::process_pair`]), so the independent
//! latency-bound chains overlap. Measured 2026-12-02 (another machine: AMD EPYC, 48 KiB
//! L1d, load ≈ 3 from other sessions), thread CPU time, best of 10 runs, three
//! interleaved before/after sittings, ns per stereo sample: 4x 29.1–29.6 → 27.8–28.4
//! (block 64), 27.0–27.9 → 25.2–25.6 (512); 8x 35.6–36.1 → 33.8–34.3, 33.2–33.8 →
//! 31.3–33.9; 4x unlinked with shaped dither 55.6–57.8 → 47.0–47.6, 54.5–54.7 →
//! 41.9–43.9. Block 512 is cheaper per sample than block 64 on this machine; internal
//! sub-blocks of 64 or 128 samples (a smaller working set) measured 2–6 % slower at 512.
//! Loudness metering is ≈ 9 ns of the 4x figure (true peak 5.5, K-weighting 3.3).
//!
//! Bypass glides (linearly, [`PARAM_RAMP_MS`]) to the input delayed by the latency, so the
//! host's delay compensation stays right and a settled bypass is bit-transparent.
//!
//! Smoothing: input gain and ceiling ramp logarithmically over [`PARAM_RAMP_MS`] (the
//! ceiling's ramp means the promise during a ceiling change is the larger of the two);
//! release and link act on a smoothed signal. Lookahead changes restart the window at the
//! lowest gain it holds (and change the latency); oversampling switches the interpolator
//! in place. All per sample, so any host block size gives identical output.

mod annex2;
mod delay;
mod window;

use crate::dither::{Dither, DitherBits, DitherMode};
use crate::loudness::LoudnessMeter;
use crate::oversampler::{Oversampler, OversamplingFactor, TAPS_PER_PHASE};
use crate::smoother::{Smoother, SmoothingStyle};
use delay::ChunkDelay;
use window::WindowEnvelope;

/// Channels processed.
pub const MAX_LIMITER_CHANNELS: usize = 2;
/// Ramp of input gain and ceiling.
pub const PARAM_RAMP_MS: f32 = 20.0;
/// Lookahead range (ms).
pub const MIN_LOOKAHEAD_MS: f32 = 0.5;
/// See [`MIN_LOOKAHEAD_MS`].
pub const MAX_LOOKAHEAD_MS: f32 = 10.0;
/// Input gain range (dB).
pub const MAX_INPUT_GAIN_DB: f32 = 24.0;
/// Ceiling range (dBTP).
pub const MIN_CEILING_DB: f32 = -12.0;
/// Release range (ms).
pub const MIN_RELEASE_MS: f32 = 1.0;
/// See [`MIN_RELEASE_MS`].
pub const MAX_RELEASE_MS: f32 = 1000.0;
/// Headroom of stage 1 below the ceiling (dB).
pub const STAGE1_MARGIN_DB: f32 = 0.15;
/// Headroom of stage 2 below the ceiling (dB), for the modulation of its own correction.
pub const STAGE2_MARGIN_DB: f32 = 0.01;
/// Longest auto release relative to the set release.
pub const AUTO_RELEASE_SLOWDOWN: f32 = 4.0;
/// Time constant of the long-term gain-reduction average of the auto release.
pub const AUTO_RELEASE_AVERAGE_MS: f32 = 1500.0;
/// Magnitude the input is clamped to after the input gain (+160 dBFS).
pub const MAX_SAMPLE: f32 = 1e8;
/// Stage-2 window in milliseconds (at least [`MIN_STAGE2_WINDOW`] samples).
const STAGE2_WINDOW_MS: f32 = 1.0 / 3.0;
/// See [`STAGE2_WINDOW_MS`].
const MIN_STAGE2_WINDOW: usize = 8;
/// Largest chunk processed at once.
const CHUNK: usize = 512;

/// Every user setting, applied with [`Limiter::set`] once per (sub-)block.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LimiterSettings {
    /// Drive into the limiter, 0..24 dB.
    pub input_gain_db: f32,
    /// Output ceiling, −12..0 dBTP.
    pub ceiling_db: f32,
    /// Lookahead (attack window), 0.5..10 ms.
    pub lookahead_ms: f32,
    /// Release, 1..1000 ms (63 % of the recovery).
    pub release_ms: f32,
    /// Program-dependent release.
    pub auto_release: bool,
    /// Stereo link, 0..1.
    pub link: f32,
    /// Detection oversampling (4x or 8x; 2x accepted for very high rates).
    pub oversampling: OversamplingFactor,
    /// Output dither.
    pub dither: DitherMode,
    /// Dither word length.
    pub dither_bits: DitherBits,
    /// Bypass: glides (over [`PARAM_RAMP_MS`]) to the input delayed by the latency.
    pub bypass: bool,
}

impl Default for LimiterSettings {
    fn default() -> Self {
        Self {
            input_gain_db: 0.0,
            ceiling_db: -1.0,
            lookahead_ms: 5.0,
            release_ms: 100.0,
            auto_release: true,
            link: 1.0,
            oversampling: OversamplingFactor::X4,
            dither: DitherMode::Off,
            dither_bits: DitherBits::Bits16,
            bypass: false,
        }
    }
}

impl LimiterSettings {
    /// Settings clamped to the documented ranges (NaN → default).
    pub fn clamped(&self) -> Self {
        let d = Self::default();
        let pick =
            |v: f32, lo: f32, hi: f32, def: f32| if v.is_nan() { def } else { v.clamp(lo, hi) };
        Self {
            input_gain_db: pick(self.input_gain_db, 0.0, MAX_INPUT_GAIN_DB, d.input_gain_db),
            ceiling_db: pick(self.ceiling_db, MIN_CEILING_DB, 0.0, d.ceiling_db),
            lookahead_ms: pick(
                self.lookahead_ms,
                MIN_LOOKAHEAD_MS,
                MAX_LOOKAHEAD_MS,
                d.lookahead_ms,
            ),
            release_ms: pick(
                self.release_ms,
                MIN_RELEASE_MS,
                MAX_RELEASE_MS,
                d.release_ms,
            ),
            link: pick(self.link, 0.0, 1.0, d.link),
            ..*self
        }
    }
}

/// Input gain in dB still needed to bring `integrated_lufs` to `target_lufs` (0 while the
/// measurement has no reading, i.e. below −70 LUFS).
pub fn gain_to_target_db(target_lufs: f64, integrated_lufs: f64) -> f64 {
    if integrated_lufs > -70.0 && integrated_lufs.is_finite() {
        target_lufs - integrated_lufs
    } else {
        0.0
    }
}

/// Release state of one channel.
#[derive(Clone, Copy, Debug)]
struct Release {
    /// Current released gain (linear, ≤ 1).
    gain: f32,
    /// Long-term mean of the gain-reduction depth `1 − gain` (auto release).
    average_depth: f32,
}

impl Default for Release {
    fn default() -> Self {
        Self {
            gain: 1.0,
            average_depth: 0.0,
        }
    }
}

/// The limiter. Lifecycle: `new` → `prepare` → (`set` → `process`)* / `reset`.
#[derive(Clone, Debug)]
pub struct Limiter {
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Channels from `prepare` (1 or 2).
    channels: usize,
    /// Settings in use (clamped).
    settings: LimiterSettings,
    /// Last settings given to `set` (unclamped), for compare-then-update.
    requested: Option<LimiterSettings>,
    /// The first `set` after `prepare`/`reset` jumps the smoothers.
    snap: bool,
    /// Input gain, linear (logarithmic ramp).
    input_gain: Smoother,
    /// Ceiling, linear (logarithmic ramp).
    ceiling: Smoother,
    /// Stage-1 interpolator.
    oversampler: Oversampler,
    /// Stage-1 attack windows, per channel.
    stage1: [WindowEnvelope; MAX_LIMITER_CHANNELS],
    /// Stage-1 release states.
    release: [Release; MAX_LIMITER_CHANNELS],
    /// Release pole `a` (set release).
    release_coef: f32,
    /// Release pole at the slowest auto release.
    slow_release_coef: f32,
    /// Pole of the long-term depth average.
    average_coef: f32,
    /// Whether the last chunk ran linked (one envelope for both channels).
    was_linked: bool,
    /// Stage-1 audio delay.
    delay1: ChunkDelay,
    /// Stage-2 Annex 2 detector.
    annex2: annex2::Annex2Peak,
    /// Stage-2 window (linked).
    stage2: WindowEnvelope,
    /// Stage-2 audio delay.
    delay2: ChunkDelay,
    /// The input delayed by the whole latency (bypass path).
    dry_delay: ChunkDelay,
    /// Bypass amount 0..1 (linear ramp).
    bypass: Smoother,
    /// Per-channel bypass-path scratch.
    dry: [Vec<f32>; MAX_LIMITER_CHANNELS],
    /// Per-sample bypass amount of the chunk.
    ramp_bypass: Vec<f32>,
    /// Output dither.
    dither: Dither,
    /// Output loudness.
    loudness: LoudnessMeter,
    /// Per-channel audio scratch (input after gain, then `y`).
    audio: [Vec<f32>; MAX_LIMITER_CHANNELS],
    /// Per-channel gain scratch.
    gains: [Vec<f32>; MAX_LIMITER_CHANNELS],
    /// Per-sample input gain and ceiling of the chunk.
    ramp_gain: Vec<f32>,
    /// See `ramp_gain`.
    ramp_ceiling: Vec<f32>,
    /// Stage-2 gains.
    gains2: Vec<f32>,
    /// Largest gain reduction of the last block (dB, ≥ 0).
    gain_reduction_db: f32,
    /// Input (after input gain) true peak of the last block, dBTP.
    input_peak_db: f32,
    /// Output true peak of the last block (Annex 2 reading of the final gain stage), dBTP.
    output_peak_db: f32,
}

impl Default for Limiter {
    fn default() -> Self {
        Self::new()
    }
}

impl Limiter {
    /// Default settings, unprepared.
    pub fn new() -> Self {
        Self {
            sample_rate: 48_000.0,
            channels: 2,
            settings: LimiterSettings::default(),
            requested: None,
            snap: true,
            input_gain: Smoother::new(SmoothingStyle::Logarithmic),
            ceiling: Smoother::new(SmoothingStyle::Logarithmic),
            oversampler: Oversampler::new(),
            stage1: Default::default(),
            release: Default::default(),
            release_coef: 0.0,
            slow_release_coef: 0.0,
            average_coef: 0.0,
            was_linked: true,
            delay1: ChunkDelay::default(),
            annex2: Default::default(),
            stage2: WindowEnvelope::default(),
            delay2: ChunkDelay::default(),
            dry_delay: ChunkDelay::default(),
            bypass: Smoother::new(SmoothingStyle::Linear),
            dry: Default::default(),
            ramp_bypass: Vec::new(),
            dither: Dither::new(),
            loudness: LoudnessMeter::new(),
            audio: Default::default(),
            gains: Default::default(),
            ramp_gain: Vec::new(),
            ramp_ceiling: Vec::new(),
            gains2: Vec::new(),
            gain_reduction_db: 0.0,
            input_peak_db: crate::db::MINUS_INFINITY_DB,
            output_peak_db: crate::db::MINUS_INFINITY_DB,
        }
    }

    /// Allocates everything for `sample_rate` and 1 or 2 channels (any block length is
    /// accepted; `max_block` only sizes the loudness meter's chunks).
    pub fn prepare(&mut self, sample_rate: f32, max_block: usize, channels: usize) {
        self.sample_rate = if sample_rate.is_finite() && sample_rate > 0.0 {
            sample_rate.clamp(1_000.0, 1_000_000.0)
        } else {
            48_000.0
        };
        self.channels = channels.clamp(1, MAX_LIMITER_CHANNELS);
        let fs = self.sample_rate;
        let max_window = self.window_samples(MAX_LOOKAHEAD_MS);
        for w in &mut self.stage1 {
            w.prepare(max_window);
        }
        let w2 = self.stage2_window();
        self.stage2.prepare(w2);
        self.delay1.prepare(max_window + TAPS_PER_PHASE, CHUNK);
        self.delay2.prepare(w2 + annex2::FRAME_DELAY, CHUNK);
        self.dry_delay.prepare(
            max_window + TAPS_PER_PHASE + w2 + annex2::FRAME_DELAY,
            CHUNK,
        );
        self.oversampler.prepare(fs, CHUNK, self.channels);
        self.annex2.prepare(self.channels);
        self.dither.prepare(fs, CHUNK, self.channels);
        self.loudness
            .prepare(fs, max_block.clamp(1, CHUNK), self.channels);
        for s in [&mut self.input_gain, &mut self.ceiling, &mut self.bypass] {
            s.set_ramp_ms(fs, PARAM_RAMP_MS);
        }
        self.dry = [vec![0.0; CHUNK], vec![0.0; CHUNK]];
        self.ramp_bypass = vec![0.0; CHUNK];
        self.audio = [vec![0.0; CHUNK], vec![0.0; CHUNK]];
        self.gains = [vec![1.0; CHUNK], vec![1.0; CHUNK]];
        self.ramp_gain = vec![1.0; CHUNK];
        self.ramp_ceiling = vec![1.0; CHUNK];
        self.gains2 = vec![1.0; CHUNK];
        self.average_coef = crate::one_pole::coef_for_time_ms(fs, AUTO_RELEASE_AVERAGE_MS);
        let s = self.settings;
        self.apply_settings(&s);
        self.requested = None;
        self.reset();
    }

    /// Clears all state; the next `set` jumps to its values.
    pub fn reset(&mut self) {
        for w in &mut self.stage1 {
            w.reset();
        }
        self.stage2.reset();
        self.release = Default::default();
        self.delay1.reset();
        self.delay2.reset();
        self.dry_delay.reset();
        self.oversampler.reset();
        self.annex2.reset();
        self.dither.reset();
        self.loudness.reset();
        self.gain_reduction_db = 0.0;
        self.input_peak_db = crate::db::MINUS_INFINITY_DB;
        self.output_peak_db = crate::db::MINUS_INFINITY_DB;
        self.snap = true;
        for s in [&mut self.input_gain, &mut self.ceiling, &mut self.bypass] {
            s.reset(s.target());
        }
    }

    /// `K` for a lookahead: `round(ms·fs) + 1` samples.
    fn window_samples(&self, lookahead_ms: f32) -> usize {
        (lookahead_ms * 1e-3 * self.sample_rate).round() as usize + 1
    }

    /// `K₂`.
    fn stage2_window(&self) -> usize {
        ((STAGE2_WINDOW_MS * 1e-3 * self.sample_rate).round() as usize).max(MIN_STAGE2_WINDOW)
    }

    /// Applies settings (clamped). Call once per block or sub-block.
    pub fn set(&mut self, settings: &LimiterSettings) {
        if self.requested.as_ref() != Some(settings) {
            self.requested = Some(*settings);
            self.apply_settings(settings);
        }
        if self.snap {
            for s in [&mut self.input_gain, &mut self.ceiling, &mut self.bypass] {
                s.reset(s.target());
            }
            self.snap = false;
        }
    }

    fn apply_settings(&mut self, settings: &LimiterSettings) {
        let s = settings.clamped();
        self.settings = s;
        let fs = self.sample_rate;
        self.input_gain
            .set_target(crate::db::db_to_gain(s.input_gain_db));
        self.ceiling.set_target(crate::db::db_to_gain(s.ceiling_db));
        let k = self.window_samples(s.lookahead_ms);
        for w in &mut self.stage1 {
            w.set_window(k);
        }
        self.delay1.set_delay_samples(k + TAPS_PER_PHASE / 2 - 1);
        self.delay2
            .set_delay_samples(self.stage2_window() + annex2::FRAME_DELAY);
        self.dry_delay
            .set_delay_samples(self.delay1.latency() + self.delay2.latency());
        self.bypass.set_target(if s.bypass { 1.0 } else { 0.0 });
        self.oversampler.set_factor(s.oversampling);
        self.release_coef = crate::one_pole::coef_for_time_ms(fs, s.release_ms);
        self.slow_release_coef =
            crate::one_pole::coef_for_time_ms(fs, s.release_ms * AUTO_RELEASE_SLOWDOWN);
        self.dither.set(s.dither, s.dither_bits);
    }

    /// Settings in use (clamped).
    pub fn settings(&self) -> &LimiterSettings {
        &self.settings
    }

    /// Latency in samples: `(K + 11) + (K₂ + 5)`.
    pub fn latency(&self) -> usize {
        self.delay1.latency() + self.delay2.latency()
    }

    /// Largest gain reduction of the last block, dB ≥ 0.
    pub fn gain_reduction_db(&self) -> f32 {
        self.gain_reduction_db
    }

    /// True peak of the input (after the input gain) in the last block, dBTP.
    pub fn input_true_peak_db(&self) -> f32 {
        self.input_peak_db
    }

    /// True peak (Annex 2) of the output before dither in the last block, dBTP.
    pub fn output_true_peak_db(&self) -> f32 {
        self.output_peak_db
    }

    /// The output loudness meter (integrated, short-term, true-peak max…).
    pub fn loudness(&self) -> &LoudnessMeter {
        &self.loudness
    }

    /// Restarts the loudness measurement.
    pub fn reset_loudness(&mut self) {
        self.loudness.reset();
    }

    /// Limits `main` in place (1 or 2 channels; with one prepared channel only `main[0]`).
    /// Any block length; never allocates or panics.
    pub fn process(&mut self, main: &mut [&mut [f32]]) {
        let chans = self.channels.min(main.len());
        if chans == 0 || self.audio[0].is_empty() {
            return;
        }
        let n = main[..chans].iter().map(|b| b.len()).min().unwrap_or(0);
        let (mut min_gain, mut in_peak, mut out_peak) = (1.0_f32, 0.0_f32, 0.0_f32);
        let mut start = 0;
        while start < n {
            let end = (start + CHUNK).min(n);
            let (g, i, o) = self.process_chunk(main, chans, start, end);
            min_gain = min_gain.min(g);
            in_peak = in_peak.max(i);
            out_peak = out_peak.max(o);
            start = end;
        }
        if n > 0 {
            self.gain_reduction_db = -crate::db::gain_to_db(min_gain).min(0.0);
            self.input_peak_db = crate::db::gain_to_db(in_peak);
            self.output_peak_db = crate::db::gain_to_db(out_peak);
        }
    }

    /// One chunk; returns (smallest gain, input true peak, output true peak).
    // Channel loops index several per-channel arrays (buffers, scratch, states) at once.
    #[allow(clippy::needless_range_loop)]
    fn process_chunk(
        &mut self,
        main: &mut [&mut [f32]],
        chans: usize,
        start: usize,
        end: usize,
    ) -> (f32, f32, f32) {
        let n = end - start;
        let s = self.settings;
        let headroom = Dither::peak_bound(s.dither, s.dither_bits);
        self.input_gain.next_block(&mut self.ramp_gain[..n]);
        self.ceiling.next_block(&mut self.ramp_ceiling[..n]);
        let margin1 = crate::db::db_to_gain(-STAGE1_MARGIN_DB);
        let margin2 = crate::db::db_to_gain(-STAGE2_MARGIN_DB);
        // 0. The bypass path: the input, delayed by the whole latency (read only while
        // the bypass is engaged or gliding).
        let bypass_active = self.bypass.is_smoothing() || self.bypass.target() > 0.0;
        for c in 0..chans {
            self.dry_delay.write_sanitized(c, &main[c][start..end]);
            if bypass_active {
                self.dry_delay.read(c, &mut self.dry[c][..n]);
            }
        }
        self.dry_delay.advance(n);
        self.bypass.next_block(&mut self.ramp_bypass[..n]);
        // 1. Input gain, oversampled peak, required gain.
        let mut in_peak = 0.0_f32;
        for c in 0..chans {
            let a = &mut self.audio[c][..n];
            for ((y, &x), &g) in a.iter_mut().zip(&main[c][start..end]).zip(&self.ramp_gain) {
                let x = if x.is_nan() { 0.0 } else { x };
                *y = (x * g).clamp(-MAX_SAMPLE, MAX_SAMPLE);
            }
            // Peak of each sample's oversampled frame (bit-identical to the maximum of
            // `|·|` over the frame `Oversampler::process` writes).
            let r = &mut self.gains[c][..n];
            self.oversampler.frame_peaks(c, a, r);
            in_peak = fold_lanes(in_peak, r, greater);
            for (r, &ceil) in r.iter_mut().zip(&self.ramp_ceiling) {
                let t = ceil * margin1 - headroom;
                *r = t / greater(*r, t);
            }
        }
        // 2. Link, release, attack window.
        let linked = chans == 2 && s.link >= 1.0;
        if chans == 2 && s.link > 0.0 {
            let [g0, g1] = &mut self.gains;
            for (a, b) in g0[..n].iter_mut().zip(g1[..n].iter_mut()) {
                let m = lesser(*a, *b);
                *a += s.link * (m - *a);
                *b += s.link * (m - *b);
            }
        }
        if self.was_linked && !linked && chans == 2 {
            let [w0, w1] = &mut self.stage1;
            w1.copy_state_from(w0);
            self.release[1] = self.release[0];
        }
        self.was_linked = linked;
        let slow = if s.auto_release {
            self.slow_release_coef
        } else {
            self.release_coef
        };
        let step = |state| ReleaseStep::new(state, self.release_coef, slow, self.average_coef);
        if linked || chans == 1 {
            self.release[0] =
                step(self.release[0]).run(&mut self.stage1[0], &mut self.gains[0][..n]);
        } else {
            // Unlinked stereo: both channels' recursions in one loop.
            let ([w0, w1], [g0, g1]) = (&mut self.stage1, &mut self.gains);
            self.release = ReleaseStep::run_pair(
                [step(self.release[0]), step(self.release[1])],
                (w0, w1),
                (&mut g0[..n], &mut g1[..n]),
            );
        }
        // 3. Delay and apply stage 1: y.
        for c in 0..chans {
            self.delay1.write(c, &self.audio[c][..n]);
            // Linked, channel 0's gains serve both channels.
            let gc = if linked { 0 } else { c };
            self.delay1
                .read_scaled(c, &self.gains[gc][..n], &mut self.audio[c][..n]);
        }
        self.delay1.advance(n);
        // 4. Stage 2: Annex 2 peak of y (linked), correction window.
        let p2 = &mut self.gains2[..n];
        p2.fill(0.0);
        for c in 0..chans {
            self.annex2.accumulate(c, &self.audio[c][..n], p2);
        }
        // `max(min(p, t))` over the chunk, lane-wise (exact: `min`/`max` do not round).
        let mut lanes = [0.0_f32; 8];
        for (i, (r, &ceil)) in p2.iter_mut().zip(&self.ramp_ceiling).enumerate() {
            let t = ceil * margin2 - headroom;
            lanes[i % 8] = greater(lanes[i % 8], lesser(*r, t));
            *r = t / greater(*r, t);
        }
        let out_peak = fold_lanes(0.0, &lanes, greater);
        self.stage2.process(p2);
        for c in 0..chans {
            self.delay2.write(c, &self.audio[c][..n]);
        }
        let mut min_gain = 1.0_f32;
        // GR meter: the smallest product of the two stages' gains in the chunk.
        let g2 = fold_lanes(1.0, &self.gains2[..n], lesser);
        let mut g1 = 1.0_f32;
        for c in 0..chans {
            // Linked, channel 0's stage-1 gains serve both channels.
            if c == 0 || !linked {
                g1 = fold_lanes(1.0, &self.gains[c][..n], lesser);
            }
            min_gain = min_gain.min(g1 * g2);
            self.delay2
                .read_scaled(c, &self.gains2[..n], &mut main[c][start..end]);
        }
        // Dither: both channels in one loop (their error-feedback chains overlap).
        match main {
            [left, right, ..] if chans == 2 => self
                .dither
                .process_pair(&mut left[start..end], &mut right[start..end]),
            _ => self.dither.process(0, &mut main[0][start..end]),
        }
        if bypass_active {
            for c in 0..chans {
                let out = &mut main[c][start..end];
                for ((o, &d), &b) in out.iter_mut().zip(&self.dry[c][..n]).zip(&self.ramp_bypass) {
                    // Exactly `d` at b = 1 and exactly the wet output at b = 0.
                    *o = *o * (1.0 - b) + d * b;
                }
            }
        }
        self.delay2.advance(n);
        // 5. Loudness of the output.
        match chans {
            1 => self.loudness.process(&[&main[0][start..end]]),
            _ => self
                .loudness
                .process(&[&main[0][start..end], &main[1][start..end]]),
        }
        (min_gain, in_peak, out_peak)
    }
}

/// Instant attack, one-pole release towards unity (linear), optionally program-dependent:
/// `a = a_set + (a_slow − a_set)·w` with `w = min(1, d̄/d)`, `d = 1 − g` the current
/// gain-reduction depth and `d̄` its long-term mean, i.e. `g ← min(r, 1 − d·a_set −
/// (a_slow − a_set)·min(d, d̄))`. Run per sample inside the attack window's loop
/// ([`WindowEnvelope::process_mapped`]), so this recursion, the longest dependency chain
/// of the limiter, overlaps the hold and the boxes.
#[derive(Clone, Copy, Debug)]
struct ReleaseStep {
    /// Released gain `g` (the previous output).
    gain: f32,
    /// Long-term mean depth `d̄` (after the previous sample).
    average_depth: f32,
    /// `a_set`.
    coef: f32,
    /// `a_slow`.
    slow: f32,
    /// Pole of the average (`d̄ ← d̄·keep + d·(1 − keep)`).
    keep: f32,
}

impl ReleaseStep {
    fn new(state: Release, coef: f32, slow: f32, keep: f32) -> Self {
        Self {
            gain: state.gain,
            average_depth: state.average_depth,
            coef,
            slow,
            keep,
        }
    }

    /// Runs the release over the required gains `r` into `window` (which shapes `r` in
    /// place) and returns the new state.
    #[inline(always)]
    fn run(mut self, window: &mut WindowEnvelope, r: &mut [f32]) -> Release {
        if self.is_fixed() {
            window.process_mapped(r, |x| self.fixed(x));
        } else {
            let auto = self.auto();
            window.process_mapped(r, |x| self.auto_step(&auto, x));
        }
        self.state()
    }

    /// [`ReleaseStep::run`] of two unlinked channels (same settings) in one loop
    /// ([`WindowEnvelope::process_mapped_pair`]: the two recursions overlap), bit for bit.
    #[inline(always)]
    fn run_pair(
        [mut one, mut two]: [Self; 2],
        windows: (&mut WindowEnvelope, &mut WindowEnvelope),
        gains: (&mut [f32], &mut [f32]),
    ) -> [Release; 2] {
        if one.is_fixed() {
            WindowEnvelope::process_mapped_pair(windows, gains, |x| one.fixed(x), |x| two.fixed(x));
        } else {
            let auto = one.auto();
            WindowEnvelope::process_mapped_pair(
                windows,
                gains,
                |x| one.auto_step(&auto, x),
                |x| two.auto_step(&auto, x),
            );
        }
        [one.state(), two.state()]
    }

    /// Whether the release is fixed (no auto release).
    fn is_fixed(&self) -> bool {
        self.coef >= self.slow
    }

    /// Fixed release, one sample: `g ← min(r, 1 − (1 − g)·a)`.
    #[inline(always)]
    fn fixed(&mut self, x: f32) -> f32 {
        self.gain = lesser(x, 1.0 - (1.0 - self.gain) * self.coef);
        self.gain
    }

    /// The auto release's per-block constants. With `s = a_slow − a_set > 0`,
    /// `1 − d·a_set − s·min(d, d̄)` is the larger of the slow release
    /// `(1 − a_slow) + a_slow·g` and the set release less the average,
    /// `(1 − a_set) + a_set·g − s·d̄ₙ`, where `d̄ₙ = (d̄·keep + take) − take·g`
    /// (`take = 1 − keep`). Written as `off + (a_set + s·take)·g` with `off` from the
    /// previous `d̄` only, the chain from one gain to the next is a multiply, an add, a
    /// `max` and a `min` (no division, no NaN-aware `min`: every value here is finite).
    fn auto(&self) -> AutoRelease {
        let (take, spread) = (1.0 - self.keep, self.slow - self.coef);
        AutoRelease {
            take,
            spread,
            slow_offset: 1.0 - self.slow,
            fast_slope: self.coef + spread * take,
        }
    }

    /// Auto release, one sample.
    #[inline(always)]
    fn auto_step(&mut self, c: &AutoRelease, x: f32) -> f32 {
        let carried = self.average_depth * self.keep + c.take;
        let off = (1.0 - self.coef) - c.spread * carried;
        self.average_depth = carried - c.take * self.gain;
        let released = greater(
            c.slow_offset + self.slow * self.gain,
            off + c.fast_slope * self.gain,
        );
        self.gain = lesser(x, released);
        self.gain
    }

    /// The state to keep, finite and out of the denormal range.
    fn state(&self) -> Release {
        let (gain, average_depth) = (self.gain, self.average_depth);
        Release {
            gain: if gain.is_finite() {
                gain.clamp(0.0, 1.0)
            } else {
                1.0
            },
            average_depth: if average_depth > 1e-12 && average_depth.is_finite() {
                average_depth
            } else {
                0.0
            },
        }
    }
}

/// Per-block constants of the auto release (see [`ReleaseStep::auto`]).
#[derive(Clone, Copy, Debug)]
struct AutoRelease {
    /// `1 − keep`.
    take: f32,
    /// `a_slow − a_set`.
    spread: f32,
    /// `1 − a_slow`.
    slow_offset: f32,
    /// `a_set + spread·take`.
    fast_slope: f32,
}

/// `v.iter().fold(init, pick)` for [`lesser`] or [`greater`], eight lanes at a time so the
/// comparisons do not form one serial chain (exact: neither rounds, and the values here
/// are never NaN, so the result is the serial fold's bit for bit).
#[inline(always)]
fn fold_lanes(init: f32, v: &[f32], pick: impl Fn(f32, f32) -> f32) -> f32 {
    let mut lanes = [init; 8];
    let mut chunks = v.chunks_exact(8);
    for c in &mut chunks {
        for (m, &x) in lanes.iter_mut().zip(c) {
            *m = pick(*m, x);
        }
    }
    let tail = chunks.remainder().iter().fold(init, |m, &x| pick(m, x));
    lanes.iter().fold(tail, |m, &x| pick(m, x))
}

/// `min` of two values that are never NaN (one `minss`).
#[inline(always)]
fn lesser(a: f32, b: f32) -> f32 {
    if b < a {
        b
    } else {
        a
    }
}

/// `max` of two values that are never NaN (one `maxss`).
#[inline(always)]
fn greater(a: f32, b: f32) -> f32 {
    if b > a {
        b
    } else {
        a
    }
}

#[cfg(test)]
mod tests;
