//! The Lacquer Reverb Send processor: an algorithmic stereo reverb for a send/return bus
//! (100 % wet) or an insert (dry/wet), built on the shared [`crate::fdn`] late-reverb
//! network:
//!
//! ```text
//! in L/R → sanitize → low cut (HP) → high cut (LP)  (Butterworth, 12 dB/oct)
//!   → pre-delay line ───────┬→ early reflections: 8 taps per side × size     (early)
//!                           └→ input diffusion: 4 Schroeder all-passes per side
//!                                → FDN, 8 modulated lines, Hadamard feedback  (late)
//!   wet = e·early + l·late → width (M/S) → out = (1 − mix)·dry + mix·wet
//! ```
//!
//! * Input diffusion follows J. Dattorro, "Effect Design Part 1: Reverberator and Other
//!   Filters", JAES 45(9), 1997, Fig. 1: four all-passes (gains 0.75, 0.75, 0.625, 0.625
//!   times the diffusion setting; lengths his 142, 107, 379, 277 samples at 29.8 kHz for
//!   the left side, ±10 % for the right so the sides decorrelate).
//! * Late reverb: [`Fdn`] (Jot & Chaigne 1991): RT60 set per band (mid, low and high
//!   multipliers with crossovers) exactly, whatever the size, because each line's
//!   attenuation is computed from its own (size-scaled) length.
//! * Early reflections: a sparse tapped delay (8 taps per side, 4–62 ms × size, gains
//!   falling 1.2 dB per tap, alternating signs), in the spirit of J. A. Moorer, "About
//!   This Reverberation Business", CMJ 3(2), 1979.
//! * Stereo: left input feeds the even lines, right the odd lines; the outputs are two
//!   orthogonal ±1 combinations of the lines, so the tail is decorrelated (IACC < 0.3):
//!   rows 4 and 1 of the network's own feedback matrix `H₈/√8`, read off the feedback
//!   vector it computes anyway ([`Fdn::tick_mixed`]).
//! * Freeze: the tank input fades out and the loop becomes lossless (see [`Fdn`]).
//! * Send mode locks the mix at 100 % whatever `mix` says, so presets never change it.
//! * Silence: after the input has been exactly zero and every stage below −120 dBFS for
//!   longer than the longest buffer, the reverb sleeps (no computation, wet output 0)
//!   until a non-zero input sample arrives.
//!
//! Smoothing: every continuous setting ramps per sample ([`RAMP_MS`], pre-delay over
//! [`SLOW_RAMP_MS`] and size over [`SIZE_RAMP_MS`] as they move read positions); filter and decay coefficients are
//! recomputed every [`GRID_SAMPLES`] samples counted from `reset` while their input moves,
//! and the FDN line lengths glide linearly between grid points. So the output is the same
//! for any block size.

use crate::fdn::{DecaySettings, Fdn, FDN_LINES};
use crate::smoother::{Smoother, SmoothingStyle};

/// Decay (mid-band RT60) range, seconds.
pub const MIN_RT60_S: f32 = 0.2;
/// Longest RT60 (s).
pub const MAX_RT60_S: f32 = 20.0;
/// Size range (multiple of the reference room's line lengths).
pub const MIN_SIZE: f32 = 0.25;
/// Largest size.
pub const MAX_SIZE: f32 = 2.0;
/// Longest pre-delay (ms; the knob goes to 250, tempo-synced values to this).
pub const MAX_PREDELAY_MS: f32 = 500.0;
/// Modulation rate range (Hz).
pub const MIN_MOD_RATE_HZ: f32 = 0.05;
/// Fastest modulation.
pub const MAX_MOD_RATE_HZ: f32 = 5.0;
/// Modulation depth at 100 % (peak delay excursion, ms).
pub const MAX_MOD_DEPTH_MS: f32 = 1.0;
/// Low decay multiplier range.
pub const MIN_LOW_MULT: f32 = 0.25;
/// Largest low multiplier.
pub const MAX_LOW_MULT: f32 = 4.0;
/// High decay multiplier range.
pub const MIN_HIGH_MULT: f32 = 0.1;
/// Largest high multiplier.
pub const MAX_HIGH_MULT: f32 = 2.0;
/// Low crossover range (Hz).
pub const MIN_LOW_XOVER_HZ: f32 = 50.0;
/// Highest low crossover.
pub const MAX_LOW_XOVER_HZ: f32 = 1000.0;
/// High crossover range (Hz).
pub const MIN_HIGH_XOVER_HZ: f32 = 1000.0;
/// Highest high crossover.
pub const MAX_HIGH_XOVER_HZ: f32 = 16_000.0;
/// Input low-cut range (Hz).
pub const MIN_LOW_CUT_HZ: f32 = 20.0;
/// Highest low cut.
pub const MAX_LOW_CUT_HZ: f32 = 1000.0;
/// Input high-cut range (Hz).
pub const MIN_HIGH_CUT_HZ: f32 = 1000.0;
/// Highest high cut.
pub const MAX_HIGH_CUT_HZ: f32 = 20_000.0;
/// Widest stereo width (1.5 = 150 %).
pub const MAX_WIDTH: f32 = 1.5;
/// Ramp of the continuous settings.
pub const RAMP_MS: f32 = 30.0;
/// Ramp of the pre-delay (it moves a read position: a full 0 → 250 ms move bends the
/// pitch of what passes by ≤ 12.5 %; a faster ramp is a tape-speed effect, not a click,
/// but reads as one).
pub const SLOW_RAMP_MS: f32 = 2000.0;
/// Ramp of the size (moves every line: a full sweep bends the pitch by ≤ 11 %).
pub const SIZE_RAMP_MS: f32 = 1000.0;
/// Ramp of the freeze cross-fade.
pub const FREEZE_MS: f32 = 100.0;
/// Coefficient refresh interval while a setting ramps (samples, counted from `reset`).
pub const GRID_SAMPLES: u64 = 32;
/// Largest input magnitude passed on to the dry path (+300 dBFS); non-finite input (NaN,
/// ±Inf: a fault, not a level) counts as 0.
pub const MAX_SAMPLE: f32 = 1e15;
/// Largest input magnitude fed to the reverb (+40 dBFS): a tail lasts seconds, so a burst of
/// absurd input (f32::MAX from a broken plugin upstream) must not ring at +300 dBFS for a
/// minute; real programme never comes near it.
pub const MAX_WET_INPUT: f32 = 100.0;
/// Input below this magnitude is treated as 0 (flushes denormals at the door).
pub const INPUT_FLOOR: f32 = 1e-15;
/// Level (amplitude) below which the tail counts as silent: −120 dBFS.
pub const TAIL_FLOOR: f32 = 1e-6;

/// FDN line lengths at size 1 (ms): spread 1 : 2.6, none a multiple of another, sum
/// 321 ms (modal density ≥ 0.32 modes/Hz).
const LINE_MS: [f32; FDN_LINES] = [23.1, 27.7, 31.3, 36.1, 41.9, 47.3, 53.9, 59.9];
/// Sign of each line's injection (left feeds even, right odd lines).
const INJECT_SIGN: [f32; FDN_LINES] = [1.0, 1.0, -1.0, 1.0, 1.0, -1.0, -1.0, -1.0];
/// Tank injection gain (each side feeds four lines).
const INJECT_GAIN: f32 = 0.5;
/// Early-reflection level (unit-energy taps × this).
const EARLY_GAIN: f32 = 0.5;
/// Early-reflection tap times at size 1 (ms), left and right.
const ER_MS: [[f32; 8]; 2] = [
    [4.3, 9.7, 14.1, 21.3, 27.9, 36.2, 44.7, 55.1],
    [5.9, 11.2, 17.6, 23.4, 31.8, 39.5, 49.9, 61.3],
];
/// Input diffuser lengths (ms): Dattorro's 142, 107, 379, 277 samples at 29 761 Hz for
/// the left side, and the right side's ±10 % variants.
/// The last two stages (≈ 17 and 23 ms, gain 0.5) are ours: they thicken the burst that
/// enters the tank so the tail is diffuse within 100 ms.
const DIFFUSER_MS: [[f32; 6]; 2] = [
    [4.771, 3.595, 12.735, 9.308, 17.13, 23.71],
    [4.31, 3.93, 11.56, 10.12, 16.27, 24.53],
];
/// Diffuser gains at diffusion 1 (Dattorro's input diffusion 1 and 2, then ours).
const DIFFUSER_GAIN: [f32; 6] = [0.75, 0.75, 0.625, 0.625, 0.6, 0.6];

/// Pre-delay length of a note value at a tempo: `quarter_notes` beats at `bpm` (ms,
/// clamped to [`MAX_PREDELAY_MS`]).
pub fn note_ms(quarter_notes: f64, bpm: f64) -> f32 {
    if !(bpm.is_finite() && bpm > 0.0 && quarter_notes.is_finite()) {
        return 0.0;
    }
    ((quarter_notes.max(0.0) * 60_000.0 / bpm) as f32).min(MAX_PREDELAY_MS)
}

/// Every user setting, applied once per (sub-)block with [`Reverb::set`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReverbSettings {
    /// Mid-band RT60 (s), 0.2..20.
    pub rt60_s: f32,
    /// Room size (line and reflection lengths), 0.25..2 (1 = reference).
    pub size: f32,
    /// Pre-delay (ms), 0..500.
    pub predelay_ms: f32,
    /// Early/late balance: 0 = early only, 0.5 = both at unity, 1 = late only.
    pub early_late: f32,
    /// Input diffusion 0..1.
    pub diffusion: f32,
    /// Modulation rate (Hz), 0.05..5.
    pub mod_rate_hz: f32,
    /// Modulation depth 0..1 (1 = ±[`MAX_MOD_DEPTH_MS`]).
    pub mod_depth: f32,
    /// RT60 below the low crossover as a multiple of the mid RT60, 0.25..4.
    pub low_mult: f32,
    /// RT60 above the high crossover as a multiple of the mid RT60, 0.1..2.
    pub high_mult: f32,
    /// Low crossover (Hz), 50..1000.
    pub low_xover_hz: f32,
    /// High crossover (Hz), 1000..16000.
    pub high_xover_hz: f32,
    /// Input low cut (Hz), 20..1000.
    pub low_cut_hz: f32,
    /// Input high cut (Hz), 1000..20000.
    pub high_cut_hz: f32,
    /// Stereo width of the wet signal, 0..1.5.
    pub width: f32,
    /// Freeze: hold the tail, stop feeding it.
    pub freeze: bool,
    /// Dry/wet, 0..1 (ignored in send mode).
    pub mix: f32,
    /// Send mode: mix locked at 100 % wet.
    pub send_mode: bool,
}

impl Default for ReverbSettings {
    fn default() -> Self {
        Self {
            rt60_s: 2.0,
            size: 1.0,
            predelay_ms: 10.0,
            early_late: 0.6,
            diffusion: 0.8,
            mod_rate_hz: 0.5,
            mod_depth: 0.1,
            low_mult: 1.0,
            high_mult: 0.5,
            low_xover_hz: 250.0,
            high_xover_hz: 4000.0,
            low_cut_hz: 40.0,
            high_cut_hz: 12_000.0,
            width: 1.0,
            freeze: false,
            mix: 1.0,
            send_mode: true,
        }
    }
}

impl ReverbSettings {
    /// Settings clamped to the documented ranges (NaN → default).
    pub fn clamped(&self) -> Self {
        let d = Self::default();
        let pick =
            |v: f32, lo: f32, hi: f32, def: f32| if v.is_nan() { def } else { v.clamp(lo, hi) };
        Self {
            rt60_s: pick(self.rt60_s, MIN_RT60_S, MAX_RT60_S, d.rt60_s),
            size: pick(self.size, MIN_SIZE, MAX_SIZE, d.size),
            predelay_ms: pick(self.predelay_ms, 0.0, MAX_PREDELAY_MS, d.predelay_ms),
            early_late: pick(self.early_late, 0.0, 1.0, d.early_late),
            diffusion: pick(self.diffusion, 0.0, 1.0, d.diffusion),
            mod_rate_hz: pick(
                self.mod_rate_hz,
                MIN_MOD_RATE_HZ,
                MAX_MOD_RATE_HZ,
                d.mod_rate_hz,
            ),
            mod_depth: pick(self.mod_depth, 0.0, 1.0, d.mod_depth),
            low_mult: pick(self.low_mult, MIN_LOW_MULT, MAX_LOW_MULT, d.low_mult),
            high_mult: pick(self.high_mult, MIN_HIGH_MULT, MAX_HIGH_MULT, d.high_mult),
            low_xover_hz: pick(
                self.low_xover_hz,
                MIN_LOW_XOVER_HZ,
                MAX_LOW_XOVER_HZ,
                d.low_xover_hz,
            ),
            high_xover_hz: pick(
                self.high_xover_hz,
                MIN_HIGH_XOVER_HZ,
                MAX_HIGH_XOVER_HZ,
                d.high_xover_hz,
            ),
            low_cut_hz: pick(
                self.low_cut_hz,
                MIN_LOW_CUT_HZ,
                MAX_LOW_CUT_HZ,
                d.low_cut_hz,
            ),
            high_cut_hz: pick(
                self.high_cut_hz,
                MIN_HIGH_CUT_HZ,
                MAX_HIGH_CUT_HZ,
                d.high_cut_hz,
            ),
            width: pick(self.width, 0.0, MAX_WIDTH, d.width),
            mix: pick(self.mix, 0.0, 1.0, d.mix),
            ..*self
        }
    }

    /// The mix in effect (1 in send mode).
    pub fn effective_mix(&self) -> f32 {
        if self.send_mode {
            1.0
        } else {
            self.mix
        }
    }
}

/// Indices of the smoothers in [`Reverb::ramps`].
#[derive(Clone, Copy)]
enum R {
    Rt60,
    Size,
    Predelay,
    EarlyLate,
    Diffusion,
    ModRate,
    ModDepth,
    LowMult,
    HighMult,
    LowXover,
    HighXover,
    LowCut,
    HighCut,
    Width,
    Freeze,
    Mix,
}

/// Number of smoothed settings.
const RAMPS: usize = 16;

mod chunk;
mod diffuser;
mod input_delay;
mod input_filter;
use diffuser::Diffuser;
use input_delay::InputDelay;
use input_filter::InputFilter;

/// The reverb. Lifecycle: `new` → `prepare` → (`set` → `process_stereo`)* / `reset`.
#[derive(Clone, Debug)]
pub struct Reverb {
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Clamped settings in use.
    settings: ReverbSettings,
    /// Last settings passed to `set` (unclamped), for compare-then-update.
    requested: Option<ReverbSettings>,
    /// True until the first `set` after `prepare`/`reset`: ramps jump.
    snap: bool,
    /// One smoother per continuous setting (index = [`R`]).
    ramps: [Smoother; RAMPS],
    /// Current value of each smoother (read per sample).
    now: [f32; RAMPS],
    /// True while any smoother moves (per-sample stepping needed).
    moving: bool,
    /// Input low cut and high cut.
    input: InputFilter,
    /// Filtered input: the pre-delay and early-reflection taps read it.
    pre: InputDelay,
    /// Input diffusion all-passes.
    diffuser: Diffuser,
    /// The late network.
    fdn: Fdn,
    /// Early-reflection tap gains (signed, unit energy per side).
    tap_gain: [f32; 8],
    /// Samples since `reset` (places the coefficient grid).
    clock: u64,
    /// Consecutive samples with zero input and every stage below [`TAIL_FLOOR`].
    quiet: u64,
    /// `quiet` at which the reverb goes to sleep (longest buffer + margin).
    sleep_after: u64,
    /// Sleeping: wet output is 0 and nothing is computed until input returns.
    asleep: bool,
    /// Peak |wet| of the last block (meter).
    wet_peak: f32,
    /// Tests: always take the per-sample path (the reference for the settled path).
    #[cfg(test)]
    force_tick: bool,
    /// Tests: samples that took the per-sample path.
    #[cfg(test)]
    ticks: u64,
}

impl Default for Reverb {
    fn default() -> Self {
        Self::new()
    }
}

impl Reverb {
    /// Default settings, unprepared (call `prepare`).
    pub fn new() -> Self {
        let mut ramps = [Smoother::new(SmoothingStyle::Linear); RAMPS];
        for r in [
            R::Rt60,
            R::ModRate,
            R::LowMult,
            R::HighMult,
            R::LowXover,
            R::HighXover,
            R::LowCut,
            R::HighCut,
        ] {
            ramps[r as usize] = Smoother::new(SmoothingStyle::Logarithmic);
        }
        let mut g = [0.0_f32; 8];
        let mut e = 0.0;
        for (k, v) in g.iter_mut().enumerate() {
            *v = 0.87_f32.powi(k as i32) * if k % 2 == 0 { 1.0 } else { -1.0 };
            e += *v * *v;
        }
        g.iter_mut().for_each(|v| *v /= e.sqrt());
        let er_max = ER_MS[1][7] * MAX_SIZE;
        Self {
            sample_rate: 48_000.0,
            settings: ReverbSettings::default(),
            requested: None,
            snap: true,
            ramps,
            now: [0.0; RAMPS],
            moving: false,
            input: InputFilter::default(),
            pre: InputDelay::new(MAX_PREDELAY_MS + er_max + 1.0),
            diffuser: Diffuser::new(&DIFFUSER_MS),
            fdn: Fdn::new(LINE_MS[FDN_LINES - 1] * MAX_SIZE + MAX_MOD_DEPTH_MS + 1.0),
            tap_gain: g,
            clock: 0,
            quiet: 0,
            sleep_after: u64::MAX,
            asleep: false,
            wet_peak: 0.0,
            #[cfg(test)]
            force_tick: false,
            #[cfg(test)]
            ticks: 0,
        }
    }

    /// Allocates everything for `sample_rate` (any block size works; `max_block` unused).
    pub fn prepare(&mut self, sample_rate: f32, max_block: usize, _channels: usize) {
        self.sample_rate = if sample_rate.is_finite() && sample_rate > 0.0 {
            sample_rate.clamp(1000.0, 1_000_000.0)
        } else {
            48_000.0
        };
        let fs = self.sample_rate;
        self.pre.prepare(fs);
        self.diffuser.prepare(fs);
        self.fdn.prepare(fs, max_block, 2);
        for (i, s) in self.ramps.iter_mut().enumerate() {
            let ms = if i == R::Size as usize {
                SIZE_RAMP_MS
            } else if i == R::Predelay as usize {
                SLOW_RAMP_MS
            } else if i == R::Freeze as usize {
                FREEZE_MS
            } else {
                RAMP_MS
            };
            s.set_ramp_ms(fs, ms);
        }
        self.sleep_after = (self.pre.max_delay_samples()
            + self.diffuser.total_samples()
            + (self.fdn.max_base_delay(0.0) as usize)
            + 64) as u64;
        let s = self.settings;
        self.requested = None;
        self.apply(&s);
        self.reset();
    }

    /// Clears all state; the next `set` jumps to its values.
    pub fn reset(&mut self) {
        self.input.reset();
        self.pre.reset();
        self.diffuser.reset();
        self.fdn.reset();
        self.clock = 0;
        self.quiet = 0;
        self.asleep = false;
        self.wet_peak = 0.0;
        self.snap = true;
        self.snap_ramps();
    }

    /// Latency in samples: 0 (the dry path is not delayed).
    pub fn latency(&self) -> usize {
        0
    }

    /// The clamped settings in use.
    pub fn settings(&self) -> &ReverbSettings {
        &self.settings
    }

    /// True while the reverb sleeps (silent input, tail below −120 dBFS).
    pub fn is_asleep(&self) -> bool {
        self.asleep
    }

    /// Peak |wet| of the last processed block.
    pub fn wet_peak(&self) -> f32 {
        self.wet_peak
    }

    /// The late network (for curves: [`Fdn::rt60_at`]).
    pub fn fdn(&self) -> &Fdn {
        &self.fdn
    }

    /// How long the output keeps sounding after the input stops, in samples (pre-delay +
    /// reflections + the time the slowest band needs to fall 120 dB); `None` while frozen.
    pub fn tail_samples(&self) -> Option<u64> {
        let s = &self.settings;
        if s.freeze {
            return None;
        }
        let slowest = s.rt60_s * s.low_mult.max(s.high_mult).max(1.0);
        let secs = (s.predelay_ms + ER_MS[1][7] * s.size) * 1e-3 + 2.0 * slowest;
        Some((secs * self.sample_rate).ceil() as u64)
    }

    /// Jumps every ramp to its target and designs everything.
    fn snap_ramps(&mut self) {
        for (i, s) in self.ramps.iter_mut().enumerate() {
            s.reset(s.target());
            self.now[i] = s.current();
        }
        self.moving = false;
        let d = self.line_delays(self.now[R::Size as usize]);
        self.fdn.set_delays(&d);
        self.latch(true);
        self.update_taps();
    }

    /// Applies settings (clamped). Call once per block (or sub-block) before processing.
    pub fn set(&mut self, settings: &ReverbSettings) {
        if self.requested.as_ref() != Some(settings) {
            self.requested = Some(*settings);
            self.apply(settings);
        }
        if self.snap {
            self.snap_ramps();
            self.snap = false;
        }
    }

    /// Sets every target.
    fn apply(&mut self, settings: &ReverbSettings) {
        let s = settings.clamped();
        self.settings = s;
        let targets = [
            (R::Rt60, s.rt60_s),
            (R::Size, s.size),
            (R::Predelay, s.predelay_ms),
            (R::EarlyLate, s.early_late),
            (R::Diffusion, s.diffusion),
            (R::ModRate, s.mod_rate_hz),
            (R::ModDepth, s.mod_depth),
            (R::LowMult, s.low_mult),
            (R::HighMult, s.high_mult),
            (R::LowXover, s.low_xover_hz),
            (R::HighXover, s.high_xover_hz),
            (R::LowCut, s.low_cut_hz),
            (R::HighCut, s.high_cut_hz),
            (R::Width, s.width),
            (R::Freeze, if s.freeze { 1.0 } else { 0.0 }),
            (R::Mix, s.effective_mix()),
        ];
        for (r, v) in targets {
            self.ramps[r as usize].set_target(v);
            self.moving |= self.ramps[r as usize].is_smoothing();
        }
    }

    /// FDN line lengths (samples) at `size`.
    fn line_delays(&self, size: f32) -> [f32; FDN_LINES] {
        LINE_MS.map(|ms| ms * 1e-3 * size * self.sample_rate)
    }

    /// Pre-delay and reflection read positions for the current pre-delay and size.
    fn update_taps(&mut self) {
        let k = 1e-3 * self.sample_rate;
        let pre = self.now[R::Predelay as usize] * k;
        let size = self.now[R::Size as usize] * k;
        let mut taps = [[0.0; 8]; 2];
        for (taps, times) in taps.iter_mut().zip(&ER_MS) {
            for (t, ms) in taps.iter_mut().zip(times) {
                *t = pre + ms * size;
            }
        }
        let pd = self.now[R::Predelay as usize] * 1e-3 * self.sample_rate;
        self.pre.set_positions(pd, &taps);
    }

    /// Redesigns what moves: the filters, modulation and decay. `all` designs everything
    /// from the current values (after a snap or once settled).
    fn latch(&mut self, all: bool) {
        // On the grid, design for the values one grid step ahead (the glides land there),
        // so the final design after the ramps settle changes nothing.
        let mut ahead = self.now;
        if !all {
            for (v, s) in ahead.iter_mut().zip(&self.ramps) {
                if s.is_smoothing() {
                    *v = s.peek(GRID_SAMPLES as u32);
                }
            }
        }
        let n = &ahead;
        let fs = self.sample_rate;
        let moving = |r: R| all || self.ramps[r as usize].is_smoothing();
        if moving(R::LowCut) || moving(R::HighCut) {
            let hz = n[R::HighCut as usize].min(0.45 * fs);
            self.input.set(fs, n[R::LowCut as usize], hz);
        }
        if moving(R::ModRate) || moving(R::ModDepth) || moving(R::Size) {
            let depth = n[R::ModDepth as usize] * MAX_MOD_DEPTH_MS * 1e-3 * fs;
            let glide = if all { 0 } else { GRID_SAMPLES as u32 };
            self.fdn
                .set_modulation_glide(n[R::ModRate as usize], depth, glide);
        }
        let decay_moving = [
            R::Rt60,
            R::LowMult,
            R::HighMult,
            R::LowXover,
            R::HighXover,
            R::Freeze,
        ]
        .iter()
        .any(|&r| moving(r));
        if decay_moving {
            self.fdn.set_decay_glide(
                &DecaySettings {
                    rt60_s: n[R::Rt60 as usize],
                    low_mult: n[R::LowMult as usize],
                    high_mult: n[R::HighMult as usize],
                    low_hz: n[R::LowXover as usize],
                    high_hz: n[R::HighXover as usize],
                },
                n[R::Freeze as usize],
                if all { 0 } else { GRID_SAMPLES as u32 },
            );
        }
    }

    /// Processes a stereo block in place (the shorter slice sets the length).
    pub fn process_stereo(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        let (left, right) = (&mut left[..n], &mut right[..n]);
        let mut peak = 0.0_f32;
        let mut i = 0;
        while i < n {
            if self.asleep && !self.moving {
                // Asleep with every setting settled: the output is exactly 0 until an
                // input sample wakes the reverb (as `tick` would give); only the clock
                // moves, so the grid stays where it was.
                let skip = quiet_run(&left[i..], &right[i..]);
                left[i..i + skip].fill(0.0);
                right[i..i + skip].fill(0.0);
                self.clock += skip as u64;
                i += skip;
                if i == n {
                    break;
                }
            }
            let len = self.chunk_len(n - i);
            if len > 0 {
                let p = self.process_chunk(&mut left[i..i + len], &mut right[i..i + len]);
                peak = peak.max(p);
                i += len;
                continue;
            }
            let (l, r) = self.tick(left[i], right[i]);
            peak = peak.max(l.abs()).max(r.abs());
            left[i] = l;
            right[i] = r;
            i += 1;
        }
        self.wet_peak = peak;
    }

    /// Mono input in `left`, stereo output in `left`/`right` (`right`'s input is ignored).
    pub fn process_mono_to_stereo(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        right[..n].copy_from_slice(&left[..n]);
        self.process_stereo(left, right);
    }

    /// One stereo sample.
    #[inline]
    fn tick(&mut self, in_l: f32, in_r: f32) -> (f32, f32) {
        #[cfg(test)]
        {
            self.ticks += 1;
        }
        if self.clock.is_multiple_of(GRID_SAMPLES) {
            if self.moving {
                self.on_grid();
            }
            if !self.asleep {
                // On the grid (not per block), so block size never changes the output.
                self.fdn.sanitize();
                self.input.flush();
            }
        }
        self.clock += 1;
        if self.moving {
            for (v, s) in self.now.iter_mut().zip(&mut self.ramps) {
                if s.is_smoothing() {
                    *v = s.next();
                }
            }
            self.update_taps();
        }
        let (xl, xr) = (clean_input(in_l), clean_input(in_r));
        let mix = self.now[R::Mix as usize];
        if self.asleep {
            if xl == 0.0 && xr == 0.0 {
                return (0.0, 0.0);
            }
            self.asleep = false;
            self.quiet = 0;
        }
        // Input filters → pre-delay buffer.
        let wet_in = |x: f32| x.clamp(-MAX_WET_INPUT, MAX_WET_INPUT);
        let (fl, fr) = self.input.tick(wet_in(xl), wet_in(xr));
        // Early reflections and the pre-delayed input.
        let ([el, er], [pl, pr]) = self.pre.tick(fl, fr, &self.tap_gain);
        // Diffusion → tank.
        let g = self.now[R::Diffusion as usize];
        let (dl, dr) = self.diffuser.tick(pl, pr, g, &DIFFUSER_GAIN);
        let feed = INJECT_GAIN * (1.0 - self.now[R::Freeze as usize]);
        let mut inject = [0.0_f32; FDN_LINES];
        for (i, v) in inject.iter_mut().enumerate() {
            // (feed·sign)·x, as the settled path's precomputed line gains.
            *v = (feed * INJECT_SIGN[i]) * if i % 2 == 0 { dl } else { dr };
        }
        // The two output combinations (rows 4 and 1 of H₈/√8) and the lines' energy.
        let (ll, lr, mut energy) = self.fdn.tick_mixed(&inject);
        let b = self.now[R::EarlyLate as usize];
        let (eg, lg) = ((2.0 - 2.0 * b).min(1.0) * EARLY_GAIN, (2.0 * b).min(1.0));
        let (wl, wr) = (eg * el + lg * ll, eg * er + lg * lr);
        let w = self.now[R::Width as usize];
        let (mid, side) = (0.5 * (wl + wr), 0.5 * (wl - wr) * w);
        let (wl, wr) = (mid + side, mid - side);
        // Sleep bookkeeping: every stage's newest value below the floor.
        energy += fl * fl + fr * fr + dl * dl + dr * dr + el * el + er * er;
        if xl == 0.0 && xr == 0.0 && energy <= TAIL_FLOOR * TAIL_FLOOR {
            self.quiet += 1;
            if self.quiet >= self.sleep_after && self.now[R::Freeze as usize] == 0.0 {
                self.asleep = true;
            }
        } else {
            self.quiet = 0;
        }
        ((1.0 - mix) * xl + mix * wl, (1.0 - mix) * xr + mix * wr)
    }

    /// Grid point while something ramps: redesign what moves, glide the line lengths
    /// toward the size one grid step ahead, stop when everything has settled.
    fn on_grid(&mut self) {
        self.latch(false);
        let size = &self.ramps[R::Size as usize];
        if size.is_smoothing() {
            let ahead = size.peek(GRID_SAMPLES as u32);
            let d = self.line_delays(ahead);
            self.fdn.glide_delays(&d, GRID_SAMPLES as u32);
        }
        self.moving = self.ramps.iter().any(|s| s.is_smoothing());
        if !self.moving {
            // Settled: one final design at the targets.
            self.latch(true);
            let d = self.line_delays(self.now[R::Size as usize]);
            self.fdn.glide_delays(&d, 1);
        }
    }
}

/// Input as the reverb takes it: below [`INPUT_FLOOR`] or NaN → 0, beyond
/// ±[`MAX_SAMPLE`] (or infinite) → ±[`MAX_SAMPLE`].
#[inline(always)]
fn clean_input(x: f32) -> f32 {
    if x.abs() >= INPUT_FLOOR && x.abs() <= MAX_SAMPLE {
        x
    } else if !x.is_finite() || x.abs() < INPUT_FLOOR {
        0.0
    } else {
        MAX_SAMPLE.copysign(x)
    }
}

/// Number of leading samples whose input `clean`s to 0 on both sides (`|x|` below
/// [`INPUT_FLOOR`], NaN or ±Inf): the samples a sleeping reverb answers with silence.
fn quiet_run(left: &[f32], right: &[f32]) -> usize {
    const CHUNK: usize = 16;
    let n = left.len().min(right.len());
    let loud = |x: &f32| x.abs() >= INPUT_FLOOR && x.abs() <= f32::MAX;
    let mut i = 0;
    // Whole chunks first (no early exit inside: vectorises).
    while i + CHUNK <= n {
        let any = left[i..i + CHUNK]
            .iter()
            .zip(&right[i..i + CHUNK])
            .fold(false, |a, (l, r)| a | loud(l) | loud(r));
        if any {
            break;
        }
        i += CHUNK;
    }
    while i < n && !loud(&left[i]) && !loud(&right[i]) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests;
