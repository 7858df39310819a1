//! Band → digital sections: magnitude-matched biquads ([`crate::biquad`], M. Vicanek,
//! "Matched Second Order Digital Filters", 2016, refined towards the minimax fit) for
//! every second-order shape, Butterworth cascades for the cuts, and the solo shapes.
//!
//! The EQ's designs use [`FitSpec::refined`], not the shared [`FitSpec::SHARED`]: every
//! shape has its poles and zeros refined together (the shared design refines only bells,
//! shelves and tilt; a notch keeps its zeros on the unit circle at `f0`, a second-order
//! high-pass its double zero at DC), each section aims at 0.3 × the target
//! divided by the square root of the number of sections of its band (0.5 dB at
//! 44.1/48 kHz, 0.1 dB from 88.2 kHz; the sections' errors do not all peak together), and the fit band stops at [`FIT_TOP_HZ`] (or 1.5 × the corner) instead of
//! 0.9 × Nyquist: at 96 and 192 kHz a biquad then follows the prototype through the
//! audible band within ≈ 0.05 dB instead of spreading its error up to 43 or 86 kHz.
//! Above that band the sections are free to depart from the prototype.
//!
//! Butterworth of order `n` (S. Butterworth, "On the Theory of Filter Amplifiers", 1930;
//! pole angles as in any filter handbook, e.g. Zverev 1967): pairs at angles `φ_k` from the
//! negative real axis, `φ_k = (2k−1)π/(2n)` (n even) or `kπ/n` (n odd, plus a real pole),
//! each a second-order section with `Q_k = 1/(2 cos φ_k)` at the corner frequency. The
//! resonance option scales the `Q` of the section built last by `q/√½`, so `q = √½` is
//! exactly Butterworth and 12 dB/oct is the plain resonant second-order cut. In a cascade
//! a section's error only shows where the whole cut is above [`CASCADE_FLOOR_DB`], so
//! each section's fit counts its error in amplitude below its own level at that point.
//!
//! Whole-band check and correction (44.1/48 kHz, corners from fs/12, bells and
//! band-passes from fs/4): the band's sections against the whole band's prototype on a
//! 128-point grid; a band that misses by more than [`correct_above_db`] is corrected by
//! free-pole-and-zero fits ([`crate::biquad::design::fit_free`]) to the residual the other
//! sections leave: a cascade's last and first sections are refitted; if it still
//! misses, a resonant cut's resonant section becomes a Butterworth section times a bell
//! (`(s² + s/Q_k + 1)/(s² + s/(ρQ_k) + 1)`), other shapes get one extra section started
//! from the identity, and the pair is refitted in turn. Each step is kept only if it
//! lowers the check's worst deviation. Cost only for those bands.
//!
//! First-order section (6 dB/oct and the real pole of odd orders): the analog
//! `1/(1+s/ω0)` or `(s/ω0)/(1+s/ω0)` written as the biquad prototype `(1+s)/(1+s)²` or
//! `(s+s²)/(1+s)²` (same magnitude) and refined like the others, so the extra pole and
//! zero absorb the error a one-pole leaves near Nyquist (a minimax one-pole after
//! Vicanek's "Matched One-Pole Digital Shelving Filters" still missed by ≈ 0.75 dB near
//! 0.75π). It costs the same: every section runs in the SVF cascade.

use super::{BandSettings, BandType};
use crate::biquad::design::{
    basis, design_first_order, design_with, fit_free, fit_free_pair, Analog, Digital, FitPoint,
    FitSpec, FREE_FIT_POINTS,
};
use crate::biquad::{BiquadCoefs, FilterParams, FilterType, BUTTERWORTH_Q, MIN_FREQ_HZ};
use std::f64::consts::PI;

/// Most sections one band uses (96 dB/oct = order 16 = 8 second-order sections).
pub const MAX_SECTIONS_PER_BAND: usize = 8;

/// The sections of one band, in `f64` direct form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BandDesign {
    /// Sections (the first `len` are used).
    pub sections: [Digital; MAX_SECTIONS_PER_BAND],
    /// Number of sections.
    pub len: usize,
}

/// The identity section.
pub const IDENTITY: Digital = Digital {
    b: [1.0, 0.0, 0.0],
    a: [1.0, 0.0, 0.0],
};

impl BandDesign {
    fn empty() -> Self {
        Self {
            sections: [IDENTITY; MAX_SECTIONS_PER_BAND],
            len: 0,
        }
    }

    fn push(&mut self, d: Digital) {
        if self.len < MAX_SECTIONS_PER_BAND {
            self.sections[self.len] = d;
            self.len += 1;
        }
    }

    /// Magnitude in dB of the whole band at `freq_hz`.
    pub fn magnitude_db(&self, sample_rate: f64, freq_hz: f64) -> f64 {
        self.sections[..self.len]
            .iter()
            .map(|d| d.magnitude_db(sample_rate, freq_hz))
            .sum()
    }
}

/// The `Q` of each second-order section of an order-`order` Butterworth cascade (sharpest
/// first) and whether a first-order section completes it.
pub fn butterworth_qs(order: usize) -> ([f64; MAX_SECTIONS_PER_BAND], usize, bool) {
    let mut qs = [0.0; MAX_SECTIONS_PER_BAND];
    let pairs = (order / 2).min(MAX_SECTIONS_PER_BAND);
    let n = order as f64;
    for (k, q) in qs.iter_mut().enumerate().take(pairs) {
        let k = (pairs - k) as f64; // largest angle from the real axis (highest Q) first
        let phi = if order.is_multiple_of(2) {
            (2.0 * k - 1.0) * PI / (2.0 * n)
        } else {
            k * PI / n
        };
        *q = 1.0 / (2.0 * phi.cos());
    }
    (qs, pairs, order % 2 == 1)
}

/// Top of the band the EQ's sections are fitted over (Hz; further capped at 0.9 ×
/// Nyquist): the audible band with a margin. Above it (only at 96 kHz and up) the
/// sections are free to depart from the prototype, which lets a biquad follow it far more
/// closely below.
pub const FIT_TOP_HZ: f64 = 24_000.0;

/// The accuracy target (dB): 0.1 dB at 88.2 kHz and above, else 0.5 dB.
fn target_db(sample_rate: f32) -> f64 {
    if sample_rate >= 88_200.0 {
        0.1
    } else {
        0.5
    }
}

/// Stop-band floor of the EQ's fits (dB): below it a section's error counts in amplitude.
const STOP_FLOOR_DB: f64 = -40.0;

/// Level (dB) of a whole cut below which its sections' errors count in amplitude.
const CASCADE_FLOOR_DB: f64 = -50.0;

/// Fit specification for a band at `freq_hz` of `sections` sections at `sample_rate`:
/// each section aims at a share of the target (0.3/√sections of it); the
/// fit band reaches at least 1.5 × `freq_hz` so a corner's resonance lies inside it.
fn spec(sample_rate: f32, freq_hz: f32, sections: usize) -> FitSpec {
    spec_floor(sample_rate, freq_hz, sections, STOP_FLOOR_DB)
}

/// [`spec`] with an explicit stop-band floor (dB).
fn spec_floor(sample_rate: f32, freq_hz: f32, sections: usize, floor_db: f64) -> FitSpec {
    let tol = 0.3 * target_db(sample_rate) / (sections.max(1) as f64).sqrt();
    let top = FIT_TOP_HZ.max(1.5 * f64::from(freq_hz));
    FitSpec::refined(f64::from(sample_rate), top, tol, floor_db)
}

/// Stop-band floor (dB) of one section of an order-`order` Butterworth cut: the
/// section's own prototype level (at most 0 dB) where the whole cut is at
/// [`CASCADE_FLOOR_DB`]; beyond that point the section's error cannot show in the cut's
/// response, so it is measured in amplitude there. `q = 0` is the first-order section.
fn section_floor_db(order: usize, q: f64) -> f64 {
    // Low-pass side: the cut is at the floor at Ω_c = (10^(−floor/10) − 1)^(1/2n).
    let omega = (10f64.powf(-CASCADE_FLOOR_DB / 10.0) - 1.0).powf(0.5 / order.max(1) as f64);
    let w2 = omega * omega;
    let mag2 = if q > 0.0 {
        1.0 / ((1.0 - w2).powi(2) + w2 / (q * q))
    } else {
        1.0 / (1.0 + w2)
    };
    (10.0 * mag2.log10()).min(0.0)
}

/// A second-order section from the shared biquad design ([`FitSpec::SHARED`], for the
/// solo filters).
fn biquad(
    sample_rate: f32,
    filter_type: FilterType,
    freq_hz: f32,
    q: f32,
    gain_db: f32,
) -> Digital {
    let c = BiquadCoefs::design(
        sample_rate,
        &FilterParams {
            filter_type,
            freq_hz,
            q,
            gain_db,
        },
    );
    let (b, a) = c.direct_form();
    Digital { b, a }
}

/// A second-order section refined to `spec` over the EQ's fit band.
fn refined(
    sample_rate: f32,
    spec: &FitSpec,
    filter_type: FilterType,
    freq_hz: f32,
    q: f32,
    gain_db: f32,
) -> Digital {
    let params = FilterParams {
        filter_type,
        freq_hz,
        q,
        gain_db,
    }
    .clamped(sample_rate);
    design_with(f64::from(sample_rate), &params, spec)
}

/// The sections of a low cut (`high_pass`) or high cut: Butterworth of `order` with the
/// resonance `q` on the last section, which [`butterworth_qs`] makes the least sharp one
/// (orders ≥ 2; for orders above 2 that is not the sharpest section).
fn cut(
    design: &mut BandDesign,
    sample_rate: f32,
    freq_hz: f32,
    order: usize,
    q: f32,
    high_pass: bool,
) {
    let (qs, pairs, odd) = butterworth_qs(order);
    let ft = if high_pass {
        FilterType::HighPass
    } else {
        FilterType::LowPass
    };
    let sections = pairs + usize::from(odd);
    let spec_for = |q: f64| spec_floor(sample_rate, freq_hz, sections, section_floor_db(order, q));
    if odd {
        let f = f64::from(freq_hz.clamp(MIN_FREQ_HZ, 0.49 * sample_rate));
        design.push(design_first_order(
            f64::from(sample_rate),
            f,
            high_pass,
            &spec_for(0.0),
        ));
    }
    for (i, &qk) in qs.iter().enumerate().take(pairs) {
        let qk = if i + 1 == pairs {
            qk * f64::from(q) / f64::from(BUTTERWORTH_Q)
        } else {
            qk
        };
        design.push(refined(
            sample_rate,
            &spec_for(qk),
            ft,
            freq_hz,
            qk as f32,
            0.0,
        ));
    }
}

/// The sections of `band` (already sanitised) at `sample_rate`: the per-section design,
/// then checked against the whole prototype and corrected where it misses
/// ([`correct`]).
pub fn design_band(band: &BandSettings, sample_rate: f32) -> BandDesign {
    let mut d = design_band_plain(band, sample_rate);
    if needs_check(band, sample_rate) {
        correct(&mut d, band, sample_rate);
    }
    d
}

/// [`design_band`] without the correction: what a band uses while its values move (it
/// follows the values smoothly and cheaply; the correction, a few hundred microseconds
/// at worst and not continuous in the values, is applied once they settle).
pub fn design_band_plain(band: &BandSettings, sample_rate: f32) -> BandDesign {
    let mut d = BandDesign::empty();
    let (f, q, g) = (band.freq_hz, band.q, band.gain_db);
    let spec = spec(sample_rate, f, 1);
    let two = |t| refined(sample_rate, &spec, t, f, q, g);
    match band.band_type {
        BandType::Bell => d.push(two(FilterType::Bell)),
        BandType::LowShelf => d.push(two(FilterType::LowShelf)),
        BandType::HighShelf => d.push(two(FilterType::HighShelf)),
        BandType::Tilt => d.push(two(FilterType::Tilt)),
        BandType::Notch => d.push(two(FilterType::Notch)),
        BandType::BandPass => d.push(two(FilterType::BandPass)),
        BandType::AllPass => d.push(two(FilterType::AllPass)),
        BandType::LowCut => cut(&mut d, sample_rate, f, band.slope.order(), q, true),
        BandType::HighCut => cut(&mut d, sample_rate, f, band.slope.order(), q, false),
    }
    d
}

/// Shelves, tilt and cuts at or above this fraction of the sample rate (below 88.2 kHz)
/// have their whole response checked against the prototype after the design and, where
/// it misses, corrected ([`correct`]); below it every shape is within the target by a
/// margin.
const CHECK_FROM: f32 = 1.0 / 12.0;

/// Bells and band-passes: the same from this fraction of the sample rate (they miss only
/// above ≈ 14 kHz at 44.1 kHz, with high Q and gain).
const CHECK_PEAKS_FROM: f32 = 0.25;

/// Worst deviation (dB) on the check grid above which a band is corrected: the
/// issue's 0.5 dB (44.1/48 kHz) or 0.1 dB (88.2 kHz and up) less a margin for
/// frequencies between the grid's points.
fn correct_above_db(sample_rate: f32) -> f64 {
    if sample_rate < HIGH_RATE {
        0.42
    } else {
        0.08
    }
}

/// Sample rates from which the accuracy target is 0.1 dB up to 20 kHz.
const HIGH_RATE: f32 = 88_200.0;

/// Level (`|H|²`, −40 dB under a 0 dB passband) below which the correction fits count
/// the error in amplitude.
const CORRECT_FLOOR: f64 = 1e-4;

/// Level (`|H|²`, −30 dB) below which the check measures amplitude, not dB (as the
/// issue's accuracy test does).
const CHECK_FLOOR: f64 = 1e-3;

/// Frequencies of the check (a third log-spaced from 10 Hz to the top of the fit band, a
/// third linear over its top half, a third log-spaced from a third of the corner to the
/// top, where a steep or resonant corner's ripple is).
const CHECK_POINTS: usize = 192;

/// True when `band` may miss its prototype after the per-section design: at 44.1/48 kHz,
/// shelves, tilt and cuts with the corner above [`CHECK_FROM`] × the sample rate, bells
/// and band-passes above [`CHECK_PEAKS_FROM`] × (notches and all-passes stay within the
/// target over the whole range); at 88.2 kHz and up, resonant cuts above [`CHECK_FROM`]
/// × (an 18 dB/oct Q 5 low cut at 20 kHz, 96 kHz: 0.104 dB before the correction).
fn needs_check(band: &BandSettings, sample_rate: f32) -> bool {
    if sample_rate >= HIGH_RATE {
        let cut = matches!(band.band_type, BandType::LowCut | BandType::HighCut);
        let resonant = (band.q - BUTTERWORTH_Q).abs() > 1e-6;
        return cut && resonant && band.freq_hz >= CHECK_FROM * sample_rate;
    }
    let from = match band.band_type {
        BandType::Bell | BandType::BandPass => CHECK_PEAKS_FROM,
        BandType::LowShelf
        | BandType::HighShelf
        | BandType::Tilt
        | BandType::LowCut
        | BandType::HighCut => CHECK_FROM,
        BandType::Notch | BandType::AllPass => return false,
    };
    band.freq_hz >= from * sample_rate
}

/// The whole band's analog prototype: the RBJ form of its shape, or for a cut the
/// product of its Butterworth sections (resonance on the last, as [`cut`] builds it).
enum BandPrototype {
    /// One second-order shape.
    Shape(Analog),
    /// A cut: high-pass (low cut) or not, order, resonance `q`.
    Cut(bool, usize, f64),
}

impl BandPrototype {
    fn new(band: &BandSettings) -> Self {
        let filter_type = match band.band_type {
            BandType::Bell => FilterType::Bell,
            BandType::LowShelf => FilterType::LowShelf,
            BandType::HighShelf => FilterType::HighShelf,
            BandType::Tilt => FilterType::Tilt,
            BandType::Notch => FilterType::Notch,
            BandType::BandPass => FilterType::BandPass,
            BandType::AllPass => FilterType::AllPass,
            BandType::LowCut | BandType::HighCut => {
                return Self::Cut(
                    band.band_type == BandType::LowCut,
                    band.slope.order(),
                    f64::from(band.q),
                )
            }
        };
        Self::Shape(Analog::new(&FilterParams {
            filter_type,
            freq_hz: band.freq_hz,
            q: band.q,
            gain_db: band.gain_db,
        }))
    }

    /// `|H(jΩ)|²` at `Ω = omega_rel`.
    fn mag2(&self, omega_rel: f64) -> f64 {
        let (high_pass, order, q) = match self {
            Self::Shape(a) => return a.mag2(omega_rel),
            &Self::Cut(high_pass, order, q) => (high_pass, order, q),
        };
        // A high-pass at Ω is the low-pass at 1/Ω (the Butterworth forms).
        if high_pass && omega_rel <= 0.0 {
            return 0.0;
        }
        let x = if high_pass {
            1.0 / omega_rel
        } else {
            omega_rel
        };
        let x2 = x * x;
        let (qs, pairs, odd) = butterworth_qs(order);
        let mut m = if odd { 1.0 / (1.0 + x2) } else { 1.0 };
        for (i, &qk) in qs.iter().enumerate().take(pairs) {
            let qk = if i + 1 == pairs {
                qk * q / f64::from(BUTTERWORTH_Q)
            } else {
                qk
            };
            m /= (1.0 - x2).powi(2) + x2 / (qk * qk);
        }
        m
    }
}

/// Deviation (dB) of `got` from `want` (`|H|²`): in dB above [`CHECK_FLOOR`], below
/// it the amplitude difference in dB of that floor.
fn deviation_db(got: f64, want: f64) -> f64 {
    let floor = CHECK_FLOOR;
    if want >= floor {
        (10.0 * (got / want).log10()).abs()
    } else {
        let diff = (got.sqrt() - want.sqrt()).abs();
        20.0 * ((floor.sqrt() + diff) / floor.sqrt()).log10()
    }
}

/// Where a band that misses its prototype after the per-section design
/// ([`needs_check`]) is fitted: two guard points above the accuracy band (0.95π and
/// 0.995π, where a fit only has to stay near the prototype), log-spaced points from
/// 10 Hz to the top and more linear points over its top half, where a biquad departs
/// from the prototype most.
fn correction_grid(lo: f64, top: f64) -> [f64; FREE_FIT_POINTS] {
    const GUARD: usize = 2;
    const LOG: usize = 30;
    let lin = FREE_FIT_POINTS - GUARD - LOG;
    std::array::from_fn(|i| match i {
        0 => 0.95 * PI,
        1 => 0.995 * PI,
        _ if i < GUARD + LOG => {
            let k = (i - GUARD) as f64 / (LOG - 1) as f64;
            lo * (top / lo).powf(k)
        }
        _ => {
            let k = (i - GUARD - LOG + 1) as f64 / (lin + 1) as f64;
            top * (0.5 + 0.5 * k)
        }
    })
}

/// The check of [`correct`]: its own, denser grid than the fits' (log-spaced from
/// 10 Hz, and linear over the top half of the band), so a fit cannot hide an error
/// between its points; each point's basis and prototype `|H|²`.
fn check_grid(band: &BandSettings, w0: f64, lo: f64, top: f64) -> [([f64; 3], f64); CHECK_POINTS] {
    let proto = BandPrototype::new(band);
    let third = CHECK_POINTS / 3;
    let near = (w0 / 3.0).clamp(lo, top);
    std::array::from_fn(|i| {
        let (segment, k) = (i / third, (i % third) as f64 / (third - 1) as f64);
        let w = match segment {
            0 => lo * (top / lo).powf(k),
            1 => top * (0.5 + 0.5 * k),
            _ => near * (top / near).powf(k),
        };
        (basis(w), proto.mag2(w / w0))
    })
}

/// Worst [`deviation_db`] of `d` over `check`.
fn check_worst(check: &[([f64; 3], f64); CHECK_POINTS], d: &BandDesign) -> f64 {
    check
        .iter()
        .map(|(phi, p)| {
            let got: f64 = d.sections[..d.len]
                .iter()
                .map(|s| s.mag2_basis(phi))
                .product();
            deviation_db(got, *p)
        })
        .fold(0.0_f64, f64::max)
}

/// Worst deviation (dB) of `d` from `band`'s prototype on the check grid (test probe).
#[cfg(test)]
pub fn check_deviation_db(band: &BandSettings, sample_rate: f32, d: &BandDesign) -> f64 {
    let sr = f64::from(sample_rate);
    let f0 = f64::from(band.freq_hz);
    let w0 = 2.0 * PI * f0 / sr;
    let top = (2.0 * PI * FIT_TOP_HZ.max(1.5 * f0) / sr).min(0.9 * PI);
    let lo = 2.0 * PI * f64::from(MIN_FREQ_HZ) / sr;
    check_worst(&check_grid(band, w0, lo, top), d)
}

/// The resonant section of a resonant cut (order ≥ 2) split in two: the Butterworth
/// section (`Q_k`) and the bell that turns it into the resonant one, `(s² + s/Q_k +
/// 1)/(s² + s/(ρQ_k) + 1)` with `ρ = q/√½`: the RBJ bell with `A = √ρ` (gain `20·log ρ`
/// dB) and `Q = A·Q_k`. Each is a shape the refined designs follow closely near Nyquist,
/// where the single resonant section cannot; `None` for other bands.
fn resonance_split(band: &BandSettings, sample_rate: f32) -> Option<(Digital, Digital)> {
    let high_pass = match band.band_type {
        BandType::LowCut => true,
        BandType::HighCut => false,
        _ => return None,
    };
    let order = band.slope.order();
    let rho = f64::from(band.q) / f64::from(BUTTERWORTH_Q);
    let (qs, pairs, odd) = butterworth_qs(order);
    if pairs == 0 || (rho - 1.0).abs() < 1e-6 {
        return None;
    }
    let qk = qs[pairs - 1];
    let sections = pairs + usize::from(odd) + 1;
    let f = band.freq_hz;
    let ft = if high_pass {
        FilterType::HighPass
    } else {
        FilterType::LowPass
    };
    let plain = refined(
        sample_rate,
        &spec_floor(sample_rate, f, sections, section_floor_db(order, qk)),
        ft,
        f,
        qk as f32,
        0.0,
    );
    let a = rho.sqrt();
    let bell = refined(
        sample_rate,
        &spec(sample_rate, f, sections),
        FilterType::Bell,
        f,
        (a * qk) as f32,
        (20.0 * rho.log10()) as f32,
    );
    Some((plain, bell))
}

/// Alternating refits of the last section and the correction section.
const CORRECTION_ROUNDS: usize = 4;

/// Joint refits of two sections (each restarts the norm continuation from the last one's
/// result).
const PAIR_ROUNDS: usize = 6;

/// Error-scale multiplier of the guard points: a fit may leave them ≈ 10× as far off
/// as the accuracy band (a few dB), but cannot put a peak there.
const GUARD_SCALE: f64 = 10.0;

/// Corrects a band whose sections miss the band's prototype by more than
/// [`correct_above_db`] on the [`correction_grid`]: first the last section is refitted
/// with free poles and zeros to what the other sections leave (the cascade's errors no
/// longer add up), then, if the band still misses and has room, one more section is
/// fitted to the residual (a resonant corner near Nyquist that one biquad cannot hold).
/// Each step is kept only when it lowers the worst deviation, so the result is never
/// worse than the per-section design; bounded cost (two fits of
/// [`FREE_FIT_POINTS`] points).
fn correct(d: &mut BandDesign, band: &BandSettings, sample_rate: f32) {
    if d.len == 0 {
        return;
    }
    let sr = f64::from(sample_rate);
    let f0 = f64::from(band.freq_hz);
    let w0 = 2.0 * PI * f0 / sr;
    let top = (2.0 * PI * FIT_TOP_HZ.max(1.5 * f0) / sr).min(0.9 * PI);
    let lo = 2.0 * PI * f64::from(MIN_FREQ_HZ) / sr;
    let omegas = correction_grid(lo, top);
    let phis = omegas.map(basis);
    let proto = BandPrototype::new(band);
    let want = omegas.map(|w| proto.mag2(w / w0));
    let floor = CORRECT_FLOOR;
    let correct_above = correct_above_db(sample_rate);
    let good_enough = 10f64.powf(0.6 * correct_above / 10.0) - 1.0;
    let check = check_grid(band, w0, lo, top);
    let worst = |d: &BandDesign| check_worst(&check, d);
    let mut err = worst(d);
    if err <= correct_above {
        return;
    }
    // The fit of section `slot` (or of a new one) from `start` given the others.
    let fit = |d: &BandDesign, slot: usize, start: &Digital| {
        let points: [FitPoint; FREE_FIT_POINTS] = std::array::from_fn(|i| {
            let w = omegas[i];
            let others: f64 = d.sections[..d.len]
                .iter()
                .enumerate()
                .filter(|&(k, _)| k != slot)
                .map(|(_, s)| s.mag2_basis(&phis[i]))
                .product::<f64>()
                .max(1e-300);
            let guard = if i < 2 { GUARD_SCALE } else { 1.0 };
            FitPoint {
                omega: w,
                target: want[i] / others,
                scale: guard * want[i].max(floor) / others,
                weight: 1.0,
            }
        });
        // DC: the lowest point's target, or an exact zero where the target vanishes.
        let lowest = points[2].target;
        let max_target = points.iter().map(|p| p.target).fold(0.0_f64, f64::max);
        let dc = if lowest > 1e-5 * max_target {
            lowest
        } else {
            0.0
        };
        fit_free(start, &points, dc, good_enough)
    };
    // The joint fit of sections `i` and `j` given the others.
    let fit_pair = |d: &BandDesign, i: usize, j: usize| {
        let points: [FitPoint; FREE_FIT_POINTS] = std::array::from_fn(|p| {
            let others: f64 = d.sections[..d.len]
                .iter()
                .enumerate()
                .filter(|&(k, _)| k != i && k != j)
                .map(|(_, s)| s.mag2_basis(&phis[p]))
                .product::<f64>()
                .max(1e-300);
            let guard = if p < 2 { GUARD_SCALE } else { 1.0 };
            FitPoint {
                omega: omegas[p],
                target: want[p] / others,
                scale: guard * want[p].max(floor) / others,
                weight: 1.0,
            }
        });
        let mut next = *d;
        [next.sections[i], next.sections[j]] =
            fit_free_pair(&[d.sections[i], d.sections[j]], &points, good_enough);
        next
    };
    // Up to [`PAIR_ROUNDS`] joint refits of two sections of `t` (worst deviation `e`):
    // the last two, and in a longer cascade in turn the first (the sharpest) with the last
    // and with the one before it;
    // each kept only when it lowers the worst deviation (one at a time, each section's
    // best move can need the other's, and the descent stalls).
    let refit_pair = |mut t: BandDesign, mut e: f64| {
        for round in 0..PAIR_ROUNDS {
            if e <= correct_above || t.len < 2 {
                break;
            }
            let last = t.len - 1;
            let (i, j) = match round % 3 {
                1 if t.len > 2 => (0, last),
                2 if t.len > 2 => (0, last - 1),
                _ => (last - 1, last),
            };
            let next = fit_pair(&t, i, j);
            let en = worst(&next);
            if en < e {
                (t, e) = (next, en);
            } else if round > 0 {
                break;
            }
        }
        (t, e)
    };
    // 1. The last section refitted to what the others leave; in a cascade then the
    // first (the sharpest) and the last again.
    let last = d.len - 1;
    for &slot in [last, 0, last].iter().take(if last > 0 { 3 } else { 1 }) {
        if err <= correct_above {
            break;
        }
        let mut trial = *d;
        trial.sections[slot] = fit(d, slot, &d.sections[slot]);
        let e = worst(&trial);
        if e < err {
            (*d, err) = (trial, e);
        }
    }
    // 2. One more section fitted to the residual, then the sections refitted in turn
    // to what the others leave (block coordinate descent; each round keeps the worst
    // deviation from rising).
    if err > correct_above && d.len < MAX_SECTIONS_PER_BAND {
        // The band with one more section, from `split` (a resonant cut's resonant
        // section as a Butterworth one times a bell) or from the identity (a start on
        // the worst deviation, e.g. a bell of its size there, led the fits into narrow
        // features between the check's points).
        let extend = |split: Option<(Digital, Digital)>| {
            let mut trial = *d;
            let new = d.len;
            trial.len += 1;
            match split {
                Some((plain, bell)) => {
                    (trial.sections[new - 1], trial.sections[new]) = (plain, bell);
                    trial.sections[new] = fit(&trial, new, &bell);
                }
                None => {
                    trial.sections[new] = IDENTITY;
                    trial.sections[new] = fit(&trial, new, &IDENTITY);
                }
            }
            let mut e = worst(&trial);
            for round in 0..CORRECTION_ROUNDS {
                if e <= correct_above {
                    break;
                }
                let slot = if round % 2 == 0 { new - 1 } else { new };
                let mut next = trial;
                next.sections[slot] = fit(&trial, slot, &trial.sections[slot]);
                let en = worst(&next);
                if en < e {
                    (trial, e) = (next, en);
                }
            }
            // 3. Still off: two sections refitted together.
            refit_pair(trial, e)
        };
        let split = resonance_split(band, sample_rate);
        let (mut trial, mut e) = extend(split);
        // A resonant cut the split start leaves off: the identity start too.
        if e > correct_above && split.is_some() {
            let (other, eo) = extend(None);
            if eo < e {
                (trial, e) = (other, eo);
            }
        }
        if e < err {
            (*d, err) = (trial, e);
        }
    }
    // A band with no room for another section (96 dB/oct): its last two sections
    // refitted together.
    if err > correct_above && d.len == MAX_SECTIONS_PER_BAND {
        let (trial, e) = refit_pair(*d, err);
        if e < err {
            *d = trial;
        }
    }
}

/// What the band's solo ("listen") lets through: the part of the spectrum the band acts
/// on, shaped like the band. A bell is `1 + (G−1)·BP(Q·A)` in the RBJ form (`A =
/// 10^(|g|/40)`), so its listen filter is that unity-peak band-pass, `Q·A`, which narrows
/// with the gain exactly as the bell does; a notch removes `BP(Q)`, so that; a low shelf
/// acts below its frequency (low-pass at `f`, the shelf's `Q`), a high shelf and the
/// tilt above it (high-pass); a low cut removes what its complementary low-pass passes,
/// a high cut the high-pass; band-pass and all-pass listen to themselves.
pub fn design_solo(band: &BandSettings, sample_rate: f32) -> BandDesign {
    let mut d = BandDesign::empty();
    let (f, q) = (band.freq_hz, band.q);
    let a = 10f32.powf(band.gain_db.abs() / 40.0);
    let shelf_q = q.clamp(0.5, 3.0);
    let s = match band.band_type {
        BandType::Bell => biquad(sample_rate, FilterType::BandPass, f, (q * a).min(40.0), 0.0),
        BandType::Notch | BandType::BandPass => {
            biquad(sample_rate, FilterType::BandPass, f, q, 0.0)
        }
        BandType::LowShelf => biquad(sample_rate, FilterType::LowPass, f, shelf_q, 0.0),
        BandType::HighShelf | BandType::Tilt => {
            biquad(sample_rate, FilterType::HighPass, f, shelf_q, 0.0)
        }
        BandType::LowCut => biquad(sample_rate, FilterType::LowPass, f, BUTTERWORTH_Q, 0.0),
        BandType::HighCut => biquad(sample_rate, FilterType::HighPass, f, BUTTERWORTH_Q, 0.0),
        BandType::AllPass => biquad(sample_rate, FilterType::AllPass, f, q, 0.0),
    };
    d.push(s);
    d
}
