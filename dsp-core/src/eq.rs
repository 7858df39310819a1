//! The Lacquer Channel EQ processor: eight parametric bands plus a low cut and a high cut
//! (ten identical band slots; the plugin fixes the type of the last two), per-band
//! routing (stereo, left, right, mid, side), band solo, output gain and auto gain.
//!
//! Shapes: every second-order shape is a magnitude-matched design of [`crate::biquad`]
//! (M. Vicanek, "Matched Second Order Digital Filters", 2016, refined towards the minimax
//! fit; RBJ "Audio EQ Cookbook" analog prototypes), fitted over the audible band only and
//! with every shape refined ([`design`]), so each band follows its analog prototype
//! (within 0.5 dB up to 0.9 × Nyquist at 44.1/48 kHz, 0.1 dB up to 20 kHz at 96/192 kHz,
//! test `every_type_follows_its_analog_prototype_at_every_rate`) instead of cramping
//! towards Nyquist as a bilinear EQ does. Low and high cuts are Butterworth cascades of
//! order 1–16 (6–96 dB/oct) with a resonance option, see [`design`]. The whole EQ's response for the editor is
//! [`EqCurve::magnitude_db`], computed from the very sections the audio runs through.
//!
//! Structure: all active sections run in one pipelined SVF cascade per domain
//! ([`cascade`]): bands routed to stereo, left or right in an L/R cascade, then (only when
//! a band is routed to mid or side) `M = (L+R)/2, S = (L−R)/2`, the M/S cascade,
//! `L = M+S, R = M−S`. Filters in series commute, so grouping by domain does not change
//! the response. A band that is off has no section: it costs nothing, and with every
//! band off, output gain 0 dB and auto gain off the buffers are not touched
//! (bit-transparent).
//!
//! Automation: frequency (logarithmic), gain (linear in dB) and Q (logarithmic) ramp
//! over [`SMOOTH_MS`]; while a band's values move its sections are redesigned every
//! [`COEF_INTERVAL`] samples on a grid counted from `reset`, with the SVF memories
//! kept (the trapezoidal SVF tolerates coefficient changes without transients). Switch-
//! like changes (on/off, type, slope, routing, solo) build a new cascade and cross-fade
//! to it over [`CROSSFADE_MS`] (linear, equal gain); bands that did not change carry
//! their memories over, so only the changed band fades. A moving band uses the plain
//! per-section design (smooth in its values, a few microseconds); the correction of
//! [`design`] (a refit, maybe an extra section: up to a few hundred microseconds, and not
//! continuous in the values) is made once, when the values arrive, and the EQ cross-fades
//! to it the same way. Output gain ramps
//! logarithmically over [`SMOOTH_MS`]. Everything is stepped on sample counts from
//! `reset`, so the output is identical for any block size.
//!
//! Auto gain: the K-weighted (ITU-R BS.1770-5, [`crate::k_weighting`]) mean square of
//! the input and of the EQ's output, averaged over [`AUTO_GAIN_TIME_S`] (one-pole, updated
//! every [`AUTO_GAIN_INTERVAL`] samples), gives the gain `√(in/out)` (±24 dB) that keeps the
//! long-term loudness; it ramps between updates and holds while the input is below
//! −80 dB (silence does not pull it anywhere).
//!
//! Solo ("listen"): the output is the input through the soloed band's listen filter
//! ([`design::design_solo`]), on the channel(s) the band is routed to (the others mute).

pub mod cascade;
pub mod design;

use crate::biquad::design::Digital;
use crate::db::db_to_gain;
use crate::k_weighting::KWeighting;
use crate::smoother::{Smoother, SmoothingStyle};
use cascade::{Cascade, LaneCoefs};
use design::{design_band, design_band_plain, design_solo, BandDesign};

/// Band slots: eight parametric bands, then the low cut and the high cut.
pub const NUM_BANDS: usize = 10;
/// Lowest band frequency.
pub const MIN_FREQ_HZ: f32 = 10.0;
/// Highest band frequency (further capped at 0.49 × the sample rate).
pub const MAX_FREQ_HZ: f32 = 22_000.0;
/// Band gain range (±).
pub const MAX_GAIN_DB: f32 = 30.0;
/// Lowest Q.
pub const MIN_Q: f32 = 0.1;
/// Highest Q of bells, notches, band-passes and all-passes.
pub const MAX_Q: f32 = 40.0;
/// Highest Q of shelves and tilt (above it one biquad cannot follow the prototype
/// within 0.5 dB, see [`crate::biquad`]).
pub const MAX_SHELF_Q: f32 = 3.0;
/// Highest cut resonance.
pub const MAX_CUT_Q: f32 = 10.0;
/// Lowest cut Q (a softer knee than Butterworth's 0.707): below it a steep cut's broadest
/// section spreads its droop far past the corner, beyond Nyquist for a low cut above a few
/// kHz at 44.1/48 kHz (a 96 dB/oct Q 0.1 low cut at 5.4 kHz missed its prototype by 3 dB).
pub const MIN_CUT_Q: f32 = 0.5;
/// Output gain range (±).
pub const MAX_OUTPUT_GAIN_DB: f32 = 24.0;
/// Ramp time of frequency, gain, Q and output gain.
pub const SMOOTH_MS: f32 = 20.0;
/// Coefficient refresh interval (samples) while a band's values move.
pub const COEF_INTERVAL: u64 = 16;
/// Cross-fade time of switch-like changes.
pub const CROSSFADE_MS: f32 = 20.0;
/// Averaging time constant of the auto gain's loudness estimates.
pub const AUTO_GAIN_TIME_S: f64 = 3.0;
/// Auto gain update interval (samples).
pub const AUTO_GAIN_INTERVAL: u64 = 64;
/// Largest auto gain correction (±dB).
pub const MAX_AUTO_GAIN_DB: f32 = 24.0;
/// Input mean square below which the auto gain holds (−80 dB).
const AUTO_GAIN_GATE: f64 = 1e-8;

/// A band's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BandType {
    /// Peaking bell.
    Bell,
    /// Low shelf (`freq_hz` = half-gain point).
    LowShelf,
    /// High shelf.
    HighShelf,
    /// High-pass cascade (slope, resonance).
    LowCut,
    /// Low-pass cascade.
    HighCut,
    /// Notch.
    Notch,
    /// Band-pass, unity peak.
    BandPass,
    /// Tilt: −gain/2 below, +gain/2 above `freq_hz`.
    Tilt,
    /// All-pass (phase only).
    AllPass,
}

impl BandType {
    /// Every type, in declaration order.
    pub const ALL: [BandType; 9] = [
        BandType::Bell,
        BandType::LowShelf,
        BandType::HighShelf,
        BandType::LowCut,
        BandType::HighCut,
        BandType::Notch,
        BandType::BandPass,
        BandType::Tilt,
        BandType::AllPass,
    ];

    /// True for the types whose `gain_db` matters.
    pub fn has_gain(self) -> bool {
        matches!(
            self,
            BandType::Bell | BandType::LowShelf | BandType::HighShelf | BandType::Tilt
        )
    }

    /// Lowest Q for this type.
    pub fn min_q(self) -> f32 {
        match self {
            BandType::LowCut | BandType::HighCut => MIN_CUT_Q,
            _ => MIN_Q,
        }
    }

    /// Highest Q for this type.
    pub fn max_q(self) -> f32 {
        match self {
            BandType::LowShelf | BandType::HighShelf | BandType::Tilt => MAX_SHELF_Q,
            BandType::LowCut | BandType::HighCut => MAX_CUT_Q,
            _ => MAX_Q,
        }
    }
}

/// Cut slope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CutSlope {
    /// 6 dB/oct (first order).
    Db6,
    /// 12 dB/oct.
    Db12,
    /// 18 dB/oct.
    Db18,
    /// 24 dB/oct.
    Db24,
    /// 36 dB/oct.
    Db36,
    /// 48 dB/oct.
    Db48,
    /// 72 dB/oct.
    Db72,
    /// 96 dB/oct.
    Db96,
}

impl CutSlope {
    /// Every slope, in declaration order.
    pub const ALL: [CutSlope; 8] = [
        CutSlope::Db6,
        CutSlope::Db12,
        CutSlope::Db18,
        CutSlope::Db24,
        CutSlope::Db36,
        CutSlope::Db48,
        CutSlope::Db72,
        CutSlope::Db96,
    ];

    /// Filter order (slope / 6 dB).
    pub fn order(self) -> usize {
        match self {
            CutSlope::Db6 => 1,
            CutSlope::Db12 => 2,
            CutSlope::Db18 => 3,
            CutSlope::Db24 => 4,
            CutSlope::Db36 => 6,
            CutSlope::Db48 => 8,
            CutSlope::Db72 => 12,
            CutSlope::Db96 => 16,
        }
    }
}

/// Which part of the stereo signal a band filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routing {
    /// Both channels.
    Stereo,
    /// Left only.
    Left,
    /// Right only.
    Right,
    /// Mid `(L+R)/2`.
    Mid,
    /// Side `(L−R)/2`.
    Side,
}

impl Routing {
    /// Every routing, in declaration order.
    pub const ALL: [Routing; 5] = [
        Routing::Stereo,
        Routing::Left,
        Routing::Right,
        Routing::Mid,
        Routing::Side,
    ];
}

/// One band's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BandSettings {
    /// Band on.
    pub enabled: bool,
    /// Shape.
    pub band_type: BandType,
    /// Centre / corner frequency.
    pub freq_hz: f32,
    /// Gain (bell, shelves, tilt).
    pub gain_db: f32,
    /// Bandwidth / shelf slope / cut resonance (`√½` = Butterworth).
    pub q: f32,
    /// Cut slope (cuts only).
    pub slope: CutSlope,
    /// Channels filtered.
    pub routing: Routing,
    /// Listen to this band only.
    pub solo: bool,
}

impl Default for BandSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            band_type: BandType::Bell,
            freq_hz: 1000.0,
            gain_db: 0.0,
            q: std::f32::consts::FRAC_1_SQRT_2,
            slope: CutSlope::Db24,
            routing: Routing::Stereo,
            solo: false,
        }
    }
}

/// `value` clamped into `[lo, hi]`, NaN → `default`.
fn clamp_or(value: f32, lo: f32, hi: f32, default: f32) -> f32 {
    if value.is_nan() {
        default
    } else {
        value.clamp(lo, hi)
    }
}

/// Highest band frequency at `sample_rate`.
pub fn max_freq_hz(sample_rate: f32) -> f32 {
    MAX_FREQ_HZ.min(0.49 * sample_rate).max(MIN_FREQ_HZ)
}

impl BandSettings {
    /// The settings with every value clamped into range for `sample_rate` (NaN → default).
    pub fn sanitized(&self, sample_rate: f32) -> Self {
        let d = Self::default();
        let hi = max_freq_hz(sample_rate);
        Self {
            freq_hz: clamp_or(self.freq_hz, MIN_FREQ_HZ, hi, d.freq_hz.min(hi)),
            gain_db: clamp_or(self.gain_db, -MAX_GAIN_DB, MAX_GAIN_DB, 0.0),
            q: clamp_or(self.q, self.band_type.min_q(), self.band_type.max_q(), d.q),
            ..*self
        }
    }

    /// The switch-like part: a change cross-fades.
    fn shape(&self) -> Shape {
        if self.enabled {
            Shape {
                active: true,
                band_type: self.band_type,
                slope: self.slope,
                routing: self.routing,
            }
        } else {
            Shape::OFF
        }
    }
}

/// Everything the EQ exposes; applied once per (sub-)block.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EqSettings {
    /// Band slots (see [`NUM_BANDS`]).
    pub bands: [BandSettings; NUM_BANDS],
    /// Output gain, ±24 dB.
    pub output_gain_db: f32,
    /// Hold the long-term loudness.
    pub auto_gain: bool,
}

impl Default for EqSettings {
    fn default() -> Self {
        Self {
            bands: [BandSettings::default(); NUM_BANDS],
            output_gain_db: 0.0,
            auto_gain: false,
        }
    }
}

impl EqSettings {
    /// Every value clamped for `sample_rate`.
    pub fn sanitized(&self, sample_rate: f32) -> Self {
        Self {
            bands: self.bands.map(|b| b.sanitized(sample_rate)),
            output_gain_db: clamp_or(
                self.output_gain_db,
                -MAX_OUTPUT_GAIN_DB,
                MAX_OUTPUT_GAIN_DB,
                0.0,
            ),
            auto_gain: self.auto_gain,
        }
    }

    /// The soloed band: the first enabled band with `solo` set.
    pub fn soloed(&self) -> Option<usize> {
        self.bands.iter().position(|b| b.enabled && b.solo)
    }
}

/// The switch-like part of a band.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shape {
    /// In the cascade.
    active: bool,
    /// Type.
    band_type: BandType,
    /// Slope.
    slope: CutSlope,
    /// Routing.
    routing: Routing,
}

impl Shape {
    /// A band that is off (its other fields do not matter).
    const OFF: Shape = Shape {
        active: false,
        band_type: BandType::Bell,
        slope: CutSlope::Db24,
        routing: Routing::Stereo,
    };
}

/// Where a band's sections sit in a [`Chain`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Place {
    /// In the M/S cascade (else L/R).
    ms: bool,
    /// First slot.
    start: usize,
    /// Number of slots (0: not in the chain).
    len: usize,
}

/// One configuration of the EQ's filters.
#[derive(Clone, Debug)]
struct Chain {
    /// Stereo, left and right bands.
    lr: Cascade,
    /// Mid and side bands.
    ms: Cascade,
    /// Each band's slots.
    place: [Place; NUM_BANDS],
    /// The shapes this chain was built for.
    shapes: [Shape; NUM_BANDS],
    /// The soloed band it was built for.
    solo: Option<usize>,
    /// A band's redesign needs a different number of sections than it has slots (a
    /// correction section came or went, [`design`]): rebuild with a cross-fade.
    resized: bool,
}

impl Default for Chain {
    fn default() -> Self {
        Self {
            lr: Cascade::default(),
            ms: Cascade::default(),
            place: [Place::default(); NUM_BANDS],
            shapes: [Shape::OFF; NUM_BANDS],
            solo: None,
            resized: false,
        }
    }
}

/// Lane coefficients of a band's section `c` for its routing: `(left or mid, right or
/// side)`, the unrouted lane passing (or, when soloed, muting).
fn lanes_for(
    routing: Routing,
    c: LaneCoefs,
    mono: bool,
    solo: bool,
) -> (bool, LaneCoefs, LaneCoefs) {
    let other = if solo {
        LaneCoefs::MUTE
    } else {
        LaneCoefs::IDENTITY
    };
    if mono {
        return (false, c, c);
    }
    match routing {
        Routing::Stereo => (false, c, c),
        Routing::Left => (false, c, other),
        Routing::Right => (false, other, c),
        Routing::Mid => (true, c, other),
        Routing::Side => (true, other, c),
    }
}

impl Chain {
    /// Builds the chain for `settings` (shapes and the given continuous values).
    fn build(
        &mut self,
        settings: &[BandSettings; NUM_BANDS],
        moving: [bool; NUM_BANDS],
        solo: Option<usize>,
        sr: f32,
        mono: bool,
    ) {
        self.lr.clear();
        self.ms.clear();
        self.place = [Place::default(); NUM_BANDS];
        self.shapes = settings.map(|b| b.shape());
        self.solo = solo;
        self.resized = false;
        for (k, band) in settings.iter().enumerate() {
            let shape = band.shape();
            if !shape.active || (solo.is_some() && solo != Some(k)) {
                continue;
            }
            if mono && shape.routing == Routing::Side {
                continue;
            }
            let design = self.design(k, band, sr, !moving[k]);
            let ms = !mono && matches!(shape.routing, Routing::Mid | Routing::Side);
            let cascade = if ms { &mut self.ms } else { &mut self.lr };
            let start = cascade.len();
            let mut len = 0;
            for d in &design.sections[..design.len] {
                let (_, l, r) = lanes_for(
                    shape.routing,
                    LaneCoefs::from_digital(d),
                    mono,
                    solo.is_some(),
                );
                if cascade.push(&l, &r).is_some() {
                    len += 1;
                }
            }
            self.place[k] = Place { ms, start, len };
        }
    }

    /// Band `k`'s design in this chain (its solo filter when soloed): corrected when
    /// `settled`, the plain per-section design while its values move.
    fn design(&self, k: usize, band: &BandSettings, sr: f32, settled: bool) -> BandDesign {
        if self.solo == Some(k) {
            design_solo(band, sr)
        } else if settled {
            design_band(band, sr)
        } else {
            design_band_plain(band, sr)
        }
    }

    /// Redesigns band `k` in place (same shape, new continuous values; `settled`: its
    /// last redesign, the values have arrived). When the design does not fit the band's
    /// slots as they are (the settled design is corrected, [`design`], so it differs from
    /// the plain one the band moved with; or a moving band leaves a corrected design and
    /// needs fewer sections), the slots keep their coefficients and the chain is marked
    /// [`Chain::resized`]: it is rebuilt and cross-faded to.
    fn update(&mut self, k: usize, band: &BandSettings, sr: f32, mono: bool, settled: bool) {
        let p = self.place[k];
        if p.len == 0 {
            return;
        }
        let plain = self.design(k, band, sr, false);
        let design = if settled {
            self.design(k, band, sr, true)
        } else {
            plain
        };
        if design != plain || design.len != p.len {
            self.resized = true;
            return;
        }
        let cascade = if p.ms { &mut self.ms } else { &mut self.lr };
        for (i, d) in design.sections[..design.len].iter().enumerate() {
            let c = LaneCoefs::from_digital(d);
            let (_, l, r) = lanes_for(band.routing, c, mono, self.solo.is_some());
            cascade.set(p.start + i, &l, &r);
        }
    }

    /// Copies the memories of every band whose shape did not change from `old`.
    fn inherit(&mut self, old: &Chain) {
        if self.solo != old.solo {
            return;
        }
        for k in 0..NUM_BANDS {
            let (p, q) = (self.place[k], old.place[k]);
            if p.len == 0 || p.len != q.len || p.ms != q.ms || self.shapes[k] != old.shapes[k] {
                continue;
            }
            let (dst, src) = if p.ms {
                (&mut self.ms, &old.ms)
            } else {
                (&mut self.lr, &old.lr)
            };
            for i in 0..p.len {
                dst.set_slot_state(p.start + i, src.slot_state(q.start + i));
            }
        }
    }

    /// True when the chain has no section.
    fn is_empty(&self) -> bool {
        self.lr.is_empty() && self.ms.is_empty()
    }

    /// Filters a stereo chunk in place.
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        self.lr.process(left, right);
        if !self.ms.is_empty() {
            for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                (*l, *r) = (0.5 * (*l + *r), 0.5 * (*l - *r));
            }
            self.ms.process(left, right);
            for (m, s) in left.iter_mut().zip(right.iter_mut()) {
                (*m, *s) = (*m + *s, *m - *s);
            }
        }
    }

    /// Flushes denormal and poisoned memories.
    fn flush(&mut self) {
        self.lr.flush();
        self.ms.flush();
    }

    /// Clears every memory (coefficients kept).
    fn clear_state(&mut self) {
        for c in [&mut self.lr, &mut self.ms] {
            for slot in 0..c.len() {
                c.set_slot_state(slot, [0.0; 4]);
            }
        }
    }
}

/// Ramps of one band's continuous values.
#[derive(Clone, Copy, Debug)]
struct BandRamps {
    /// Frequency (logarithmic).
    freq_hz: Smoother,
    /// Gain in dB (linear).
    gain_db: Smoother,
    /// Q (logarithmic).
    q: Smoother,
    /// The coefficients lag the ramps: redesign at the next grid point.
    dirty: bool,
}

impl Default for BandRamps {
    fn default() -> Self {
        Self {
            freq_hz: Smoother::new(SmoothingStyle::Logarithmic),
            gain_db: Smoother::new(SmoothingStyle::Linear),
            q: Smoother::new(SmoothingStyle::Logarithmic),
            dirty: false,
        }
    }
}

impl BandRamps {
    fn all(&mut self) -> [&mut Smoother; 3] {
        [&mut self.freq_hz, &mut self.gain_db, &mut self.q]
    }

    fn moving(&self) -> bool {
        self.freq_hz.is_smoothing() || self.gain_db.is_smoothing() || self.q.is_smoothing()
    }
}

/// The auto gain's measurement.
#[derive(Clone, Debug)]
struct AutoGain {
    /// K-weighting of the input.
    k_in: KWeighting,
    /// K-weighting of the EQ's output (before output and auto gain).
    k_out: KWeighting,
    /// Sums of squares since the last update: input, output (per channel).
    sums: [[f64; 2]; 2],
    /// Averaged mean squares: input, output.
    mean: [f64; 2],
    /// One-pole coefficient per update.
    alpha: f64,
    /// Samples summed since the last update.
    count: u64,
    /// The applied correction (linear gain, logarithmic ramp between updates).
    gain: Smoother,
}

impl Default for AutoGain {
    fn default() -> Self {
        Self {
            k_in: KWeighting::new(),
            k_out: KWeighting::new(),
            sums: [[0.0; 2]; 2],
            mean: [0.0; 2],
            alpha: 0.0,
            count: 0,
            gain: Smoother::new(SmoothingStyle::Logarithmic),
        }
    }
}

impl AutoGain {
    /// Forgets the measurement (not the applied gain).
    fn clear(&mut self) {
        self.k_in.reset();
        self.k_out.reset();
        self.sums = [[0.0; 2]; 2];
        self.mean = [0.0; 2];
        self.count = 0;
    }

    /// Folds the sums into the averages and sets the gain's target.
    fn update(&mut self, channels: usize) {
        if self.count == 0 {
            return;
        }
        let n = (self.count * channels as u64) as f64;
        for i in 0..2 {
            let ms = (self.sums[i][0] + self.sums[i][1]) / n;
            self.mean[i] += self.alpha * (ms - self.mean[i]);
        }
        self.sums = [[0.0; 2]; 2];
        self.count = 0;
        let [m_in, m_out] = self.mean;
        if m_in > AUTO_GAIN_GATE && m_out > 0.0 && m_in.is_finite() && m_out.is_finite() {
            let limit = f64::from(db_to_gain(MAX_AUTO_GAIN_DB));
            let g = (m_in / m_out).sqrt().clamp(1.0 / limit, limit);
            self.gain.set_target(g as f32);
        }
    }
}

/// The Channel EQ processor. See the module documentation.
#[derive(Clone, Debug)]
pub struct Eq {
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Mono input (`channels == 1`).
    mono: bool,
    /// Last settings (sanitised).
    settings: EqSettings,
    /// The next `set_settings` jumps (after `prepare`/`reset`).
    snap: bool,
    /// Samples since `reset`: places the coefficient and auto gain grids.
    clock: u64,
    /// Per-band ramps.
    ramps: [BandRamps; NUM_BANDS],
    /// The running filters.
    chain: Box<Chain>,
    /// The filters being faded out.
    old: Box<Chain>,
    /// Cross-fade length in samples.
    fade_len: u32,
    /// Samples left in the running cross-fade (0: none).
    fade_left: u32,
    /// Output gain (linear, logarithmic ramp).
    out_gain: Smoother,
    /// Auto gain measurement and correction.
    auto: AutoGain,
    /// Scratch: the faded-out chain's left and right, the mono input's second lane.
    scratch: [Vec<f32>; 3],
}

impl Default for Eq {
    fn default() -> Self {
        Self::new()
    }
}

impl Eq {
    /// A transparent EQ at 48 kHz, stereo, blocks up to 1024; call `prepare`.
    pub fn new() -> Self {
        let mut eq = Self {
            sample_rate: 48_000.0,
            mono: false,
            settings: EqSettings::default(),
            snap: true,
            clock: 0,
            ramps: [BandRamps::default(); NUM_BANDS],
            chain: Box::default(),
            old: Box::default(),
            fade_len: 960,
            fade_left: 0,
            out_gain: Smoother::new(SmoothingStyle::Logarithmic),
            auto: AutoGain::default(),
            scratch: [Vec::new(), Vec::new(), Vec::new()],
        };
        eq.prepare(48_000.0, 1024, 2);
        eq
    }

    /// Sets the sample rate (designed for 8..=384 kHz), the largest block and the channel
    /// count (1 = mono, otherwise stereo). The only method that allocates.
    pub fn prepare(&mut self, sample_rate: f32, max_block: usize, channels: usize) {
        self.sample_rate = clamp_or(sample_rate, 1000.0, 1_000_000.0, 48_000.0);
        self.mono = channels == 1;
        let sr = self.sample_rate;
        for r in &mut self.ramps {
            for s in r.all() {
                s.set_ramp_ms(sr, SMOOTH_MS);
            }
        }
        self.out_gain.set_ramp_ms(sr, SMOOTH_MS);
        self.fade_len = ((sr * CROSSFADE_MS * 1e-3).round() as u32).max(1);
        let chunk = max_block.clamp(1, 8192);
        for s in &mut self.scratch {
            *s = vec![0.0; chunk];
        }
        self.auto.k_in.prepare(sr, chunk, 2);
        self.auto.k_out.prepare(sr, chunk, 2);
        self.auto.alpha =
            1.0 - (-(AUTO_GAIN_INTERVAL as f64) / (AUTO_GAIN_TIME_S * f64::from(sr))).exp();
        self.auto
            .gain
            .set_ramp_ms(sr, (AUTO_GAIN_INTERVAL as f32) * 1000.0 / sr);
        self.settings = self.settings.sanitized(sr);
        self.reset();
    }

    /// Clears every filter memory and the auto gain, stops ramps and fades, and makes the
    /// next `set_settings` jump.
    pub fn reset(&mut self) {
        self.clock = 0;
        self.fade_left = 0;
        self.old.lr.clear();
        self.old.ms.clear();
        self.auto.clear();
        self.auto.gain.reset(1.0);
        self.apply_snap();
        self.snap = true;
    }

    /// Latency in samples (always 0).
    pub fn latency(&self) -> usize {
        0
    }

    /// The settings in force (sanitised).
    pub fn settings(&self) -> &EqSettings {
        &self.settings
    }

    /// Applies settings: ramps, dirty flags; a switch-like change starts a cross-fade at
    /// the next processed sample. Cheap when nothing changed.
    pub fn set_settings(&mut self, settings: &EqSettings) {
        let s = settings.sanitized(self.sample_rate);
        if s == self.settings && !self.snap {
            return;
        }
        self.settings = s;
        if self.snap {
            self.snap = false;
            self.apply_snap();
            return;
        }
        for (k, band) in s.bands.iter().enumerate() {
            let r = &mut self.ramps[k];
            let running = self.chain.shapes[k].active;
            if !running || !band.enabled {
                // Not sounding: start at the new values when it comes in.
                r.freq_hz.reset(band.freq_hz);
                r.gain_db.reset(band.gain_db);
                r.q.reset(band.q);
                continue;
            }
            let before = (r.freq_hz.target(), r.gain_db.target(), r.q.target());
            r.freq_hz.set_target(band.freq_hz);
            r.gain_db.set_target(band.gain_db);
            r.q.set_target(band.q);
            if before != (r.freq_hz.target(), r.gain_db.target(), r.q.target()) {
                r.dirty = true;
            }
        }
        self.out_gain.set_target(db_to_gain(s.output_gain_db));
        if !s.auto_gain {
            self.auto.gain.set_target(1.0);
        }
    }

    /// Jumps to `self.settings`: ramps settled, chain rebuilt, memories cleared.
    fn apply_snap(&mut self) {
        let s = self.settings;
        for (r, b) in self.ramps.iter_mut().zip(&s.bands) {
            r.freq_hz.reset(b.freq_hz);
            r.gain_db.reset(b.gain_db);
            r.q.reset(b.q);
            r.dirty = false;
        }
        self.out_gain.reset(db_to_gain(s.output_gain_db));
        self.chain.build(
            &s.bands,
            [false; NUM_BANDS],
            s.soloed(),
            self.sample_rate,
            self.mono,
        );
        self.fade_left = 0;
    }

    /// The bands with their continuous values as the ramps stand now.
    fn current_bands(&self) -> [BandSettings; NUM_BANDS] {
        std::array::from_fn(|k| {
            let r = &self.ramps[k];
            BandSettings {
                freq_hz: r.freq_hz.current(),
                gain_db: r.gain_db.current(),
                q: r.q.current(),
                ..self.settings.bands[k]
            }
        })
    }

    /// True when a switch-like change waits for a cross-fade.
    fn shapes_pending(&self) -> bool {
        let s = &self.settings;
        s.soloed() != self.chain.solo
            || s.bands
                .iter()
                .zip(&self.chain.shapes)
                .any(|(b, sh)| b.shape() != *sh)
    }

    /// Starts the cross-fade to the current shapes.
    fn start_fade(&mut self) {
        std::mem::swap(&mut self.chain, &mut self.old);
        let bands = self.current_bands();
        let moving = self.ramps.map(|r| r.moving());
        self.chain.build(
            &bands,
            moving,
            self.settings.soloed(),
            self.sample_rate,
            self.mono,
        );
        self.chain.inherit(&self.old);
        for r in &mut self.ramps {
            r.dirty = r.moving();
        }
        self.fade_left = self.fade_len;
    }

    /// Redesigns the moving bands (on the coefficient grid).
    fn update_coefs(&mut self) {
        let bands = self.current_bands();
        for (k, band) in bands.iter().enumerate() {
            let r = &mut self.ramps[k];
            if r.dirty {
                let settled = !r.moving();
                self.chain
                    .update(k, band, self.sample_rate, self.mono, settled);
                r.dirty = !settled;
            }
        }
    }

    /// True while auto gain measures or its correction moves.
    fn auto_running(&self) -> bool {
        (self.settings.auto_gain && self.chain.solo.is_none()) || self.auto.gain.is_smoothing()
    }

    /// True when the output is the input, bit for bit.
    pub fn is_transparent(&self) -> bool {
        self.chain.is_empty()
            && self.fade_left == 0
            && !self.out_gain.is_smoothing()
            && self.out_gain.current() == 1.0
            && !self.auto_running()
            && self.auto.gain.current() == 1.0
    }

    /// Processes a mono (`buffers.len() == 1`) or stereo block in place.
    pub fn process(&mut self, buffers: &mut [&mut [f32]]) {
        match buffers {
            [l, r, ..] => self.process_stereo(l, r),
            [m] => self.process_mono(m),
            [] => {}
        }
    }

    /// Processes a mono block (prepared with `channels == 1`).
    pub fn process_mono(&mut self, buf: &mut [f32]) {
        let mut right = std::mem::take(&mut self.scratch[2]);
        let mut pos = 0;
        while pos < buf.len() {
            let n = (buf.len() - pos).min(right.len());
            let chunk = &mut buf[pos..pos + n];
            right[..n].copy_from_slice(chunk);
            self.process_stereo(chunk, &mut right[..n]);
            pos += n;
        }
        self.scratch[2] = right;
    }

    /// Processes `left`/`right` in place (the first `min(len)` samples).
    pub fn process_stereo(&mut self, left: &mut [f32], right: &mut [f32]) {
        let len = left.len().min(right.len());
        if len == 0 {
            return;
        }
        if self.is_transparent() && !self.shapes_pending() && !self.ramps.iter().any(|r| r.dirty) {
            self.clock += len as u64;
            return;
        }
        let mut pos = 0;
        while pos < len {
            if self.fade_left == 0 && (self.shapes_pending() || self.chain.resized) {
                self.start_fade();
            }
            let moving = self.ramps.iter().any(|r| r.dirty);
            if moving && self.clock.is_multiple_of(COEF_INTERVAL) {
                self.update_coefs();
            }
            let mut n = (len - pos).min(self.scratch[0].len());
            if self.ramps.iter().any(|r| r.dirty) {
                n = n.min((COEF_INTERVAL - self.clock % COEF_INTERVAL) as usize);
            }
            let auto = self.auto_running();
            if auto {
                n = n.min((AUTO_GAIN_INTERVAL - self.clock % AUTO_GAIN_INTERVAL) as usize);
            }
            if self.fade_left > 0 {
                n = n.min(self.fade_left as usize);
            }
            self.run_chunk(&mut left[pos..pos + n], &mut right[pos..pos + n], auto);
            for r in &mut self.ramps {
                for s in r.all() {
                    s.skip(n);
                }
            }
            self.clock += n as u64;
            pos += n;
        }
        self.chain.flush();
        self.old.flush();
    }

    /// One chunk with fixed coefficients.
    fn run_chunk(&mut self, left: &mut [f32], right: &mut [f32], auto: bool) {
        let n = left.len();
        let measure = auto && self.settings.auto_gain && self.chain.solo.is_none();
        let (ch_b, channels) = if self.mono { (None, 1) } else { (Some(1), 2) };
        if measure {
            self.auto
                .k_in
                .sum_squares_pair(0, ch_b, left, right, &mut self.auto.sums[0]);
        }
        if self.fade_left > 0 {
            let [ol, or, _] = &mut self.scratch;
            let (ol, or) = (&mut ol[..n], &mut or[..n]);
            ol.copy_from_slice(left);
            or.copy_from_slice(right);
            self.old.process(ol, or);
            self.chain.process(left, right);
            let inv = 1.0 / self.fade_len as f32;
            let done = self.fade_len - self.fade_left;
            for (i, (((l, r), &a), &b)) in left
                .iter_mut()
                .zip(right.iter_mut())
                .zip(ol.iter())
                .zip(or.iter())
                .enumerate()
            {
                let t = (done + i as u32 + 1) as f32 * inv;
                *l = a + (*l - a) * t;
                *r = b + (*r - b) * t;
            }
            self.fade_left -= n as u32;
            if self.fade_left == 0 {
                self.old.lr.clear();
                self.old.ms.clear();
            }
        } else {
            self.chain.process(left, right);
        }
        if measure {
            self.auto
                .k_out
                .sum_squares_pair(0, ch_b, left, right, &mut self.auto.sums[1]);
            self.auto.count += n as u64;
        }
        // The gain of this chunk was decided before it: a new target starts after it.
        self.apply_gain(left, right);
        if measure && (self.clock + n as u64).is_multiple_of(AUTO_GAIN_INTERVAL) {
            self.auto.update(channels);
        }
    }

    /// Output gain times auto gain.
    fn apply_gain(&mut self, left: &mut [f32], right: &mut [f32]) {
        if self.out_gain.is_smoothing() || self.auto.gain.is_smoothing() {
            for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                let g = self.out_gain.next() * self.auto.gain.next();
                *l *= g;
                *r *= g;
            }
        } else {
            let g = self.out_gain.current() * self.auto.gain.current();
            if g != 1.0 {
                for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                    *l *= g;
                    *r *= g;
                }
            }
        }
    }

    /// The auto gain's correction now, in dB (0 when off).
    pub fn auto_gain_db(&self) -> f32 {
        crate::db::gain_to_db(self.auto.gain.current())
    }

    /// True when every filter memory is exactly zero (test probe).
    pub fn state_is_zero(&self) -> bool {
        self.chain.lr.is_zero() && self.chain.ms.is_zero()
    }

    /// Sections running now (L/R and M/S cascades; test and bench probe).
    pub fn active_sections(&self) -> usize {
        self.chain.lr.len() + self.chain.ms.len()
    }

    /// Clears the memories only (keeps ramps and fades), e.g. after a transport jump.
    pub fn clear_memories(&mut self) {
        self.chain.clear_state();
        self.old.clear_state();
    }
}

/// The EQ's magnitude response for settings, from the sections the audio runs through
/// (designed once; [`EqCurve::magnitude_db`] is cheap enough for a GUI).
#[derive(Clone, Debug)]
pub struct EqCurve {
    /// Sample rate of the designs.
    sample_rate: f64,
    /// Each band's sections (`len == 0` when off).
    bands: [BandDesign; NUM_BANDS],
    /// Output gain.
    output_gain_db: f64,
}

impl EqCurve {
    /// The response of `settings` at `sample_rate` (solo is ignored: the EQ curve).
    pub fn new(settings: &EqSettings, sample_rate: f32) -> Self {
        let s = settings.sanitized(sample_rate);
        let bands = std::array::from_fn(|k| {
            let b = &s.bands[k];
            let mut d = design_band(b, sample_rate);
            if !b.enabled {
                d.len = 0;
            }
            d
        });
        Self {
            sample_rate: f64::from(sample_rate),
            bands,
            output_gain_db: f64::from(s.output_gain_db),
        }
    }

    /// Magnitude in dB at `freq_hz` of every enabled band in series plus the output gain
    /// (for bands that all act on the same channels, the response of those channels).
    pub fn magnitude_db(&self, freq_hz: f64) -> f64 {
        self.output_gain_db
            + self
                .bands
                .iter()
                .map(|b| b.magnitude_db(self.sample_rate, freq_hz))
                .sum::<f64>()
    }

    /// Magnitude in dB of band `k` alone (0 when off).
    pub fn band_magnitude_db(&self, k: usize, freq_hz: f64) -> f64 {
        self.bands
            .get(k)
            .map_or(0.0, |b| b.magnitude_db(self.sample_rate, freq_hz))
    }

    /// Band `k`'s sections in direct form (for tests and analysis).
    pub fn band_sections(&self, k: usize) -> &[Digital] {
        let b = &self.bands[k];
        &b.sections[..b.len]
    }
}

#[cfg(test)]
mod tests;
