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
//! First-order section (6 dB/oct and the real pole of odd orders): the analog
//! `1/(1+s/ω0)` or `(s/ω0)/(1+s/ω0)` written as the biquad prototype `(1+s)/(1+s)²` or
//! `(s+s²)/(1+s)²` (same magnitude) and refined like the others, so the extra pole and
//! zero absorb the error a one-pole leaves near Nyquist (a minimax one-pole after
//! Vicanek's "Matched One-Pole Digital Shelving Filters" still missed by ≈ 0.75 dB near
//! 0.75π). It costs the same: every section runs in the SVF cascade.

use super::{BandSettings, BandType};
use crate::biquad::design::{design_first_order, design_with, Digital, FitSpec};
use crate::biquad::{BiquadCoefs, FilterParams, FilterType, BUTTERWORTH_Q, MIN_FREQ_HZ};
use std::f64::consts::PI;

/// Most sections one band uses (96 dB/oct = order 16 = 8 second-order sections).
pub const MAX_SECTIONS_PER_BAND: usize = 8;

/// The sections of one band, in `f64` direct form.
#[derive(Clone, Copy, Debug)]
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
        let k = (pairs - k) as f64; // largest angle (lowest Q) first
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

/// The sections of `band` (already sanitised) at `sample_rate`.
pub fn design_band(band: &BandSettings, sample_rate: f32) -> BandDesign {
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
