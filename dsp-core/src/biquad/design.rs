//! `f64` coefficient design: analog prototypes (RBJ "Audio EQ Cookbook" forms) and
//! their magnitude-matched digital counterparts (Vicanek 2016), see the parent module.

use super::fit::{self, Grid, Refine};
use super::{FilterParams, FilterType};
use crate::db::db_to_gain_f64;
use std::f64::consts::PI;

/// Highest normalised frequency (rad/sample) used as the third magnitude-matching
/// point; above it the matching point stays here so the 3×3 fit stays well conditioned.
const MAX_MATCH_OMEGA: f64 = 0.9 * PI;

/// Analog prototype `H(s)` in normalised `s = jΩ`, `Ω = f/f0`, as
/// `(n2 s² + n1 s + n0)/(d2 s² + d1 s + d0)`, plus an overall scale.
pub(super) struct Prototype {
    /// Numerator `[n0, n1, n2]`.
    num: [f64; 3],
    /// Denominator `[d0, d1, d2]`.
    den: [f64; 3],
}

impl Prototype {
    /// `(lowest, highest)` natural frequency (relative to `f0`) of the pole and zero
    /// pairs, and the quality factor of the sharper pair (0 without a pair).
    pub(super) fn resonances(&self) -> (f64, f64, f64) {
        let pair = |c: &[f64; 3]| {
            if c[0] > 0.0 && c[2] > 0.0 && c[1] > 0.0 {
                Some(((c[0] / c[2]).sqrt(), (c[0] * c[2]).sqrt() / c[1]))
            } else {
                None
            }
        };
        let (mut lo, mut hi, mut q) = (1.0_f64, 1.0_f64, 0.0_f64);
        for (omega, qp) in [pair(&self.num), pair(&self.den)].into_iter().flatten() {
            (lo, hi, q) = (lo.min(omega), hi.max(omega), q.max(qp));
        }
        (lo, hi, q)
    }
}

fn prototype(p: &FilterParams) -> Prototype {
    let q = f64::from(p.q);
    // A = 10^(dB/40): the RBJ amplitude parameter.
    let a = db_to_gain_f64(f64::from(p.gain_db) * 0.5);
    let sa = a.sqrt();
    match p.filter_type {
        FilterType::Bell => Prototype {
            num: [1.0, a / q, 1.0],
            den: [1.0, 1.0 / (a * q), 1.0],
        },
        FilterType::LowShelf => Prototype {
            num: [a * a, a * sa / q, a],
            den: [1.0, sa / q, a],
        },
        FilterType::HighShelf | FilterType::Tilt => {
            // Tilt = high shelf scaled by 1/√G = 1/A: −gain/2 at DC, +gain/2 at HF.
            let scale = if p.filter_type == FilterType::Tilt {
                1.0 / a
            } else {
                1.0
            };
            Prototype {
                num: [a * scale, a * sa / q * scale, a * a * scale],
                den: [a, sa / q, 1.0],
            }
        }
        FilterType::LowPass => Prototype {
            num: [1.0, 0.0, 0.0],
            den: [1.0, 1.0 / q, 1.0],
        },
        FilterType::HighPass => Prototype {
            num: [0.0, 0.0, 1.0],
            den: [1.0, 1.0 / q, 1.0],
        },
        FilterType::BandPass => Prototype {
            num: [0.0, 1.0 / q, 0.0],
            den: [1.0, 1.0 / q, 1.0],
        },
        FilterType::Notch => Prototype {
            num: [1.0, 0.0, 1.0],
            den: [1.0, 1.0 / q, 1.0],
        },
        FilterType::AllPass => Prototype {
            num: [1.0, -1.0 / q, 1.0],
            den: [1.0, 1.0 / q, 1.0],
        },
    }
}

/// |H(jΩ)|² of the prototype.
pub(super) fn prototype_mag2(p: &Prototype, omega: f64) -> f64 {
    let w2 = omega * omega;
    let (nr, ni) = (p.num[0] - p.num[2] * w2, p.num[1] * omega);
    let (dr, di) = (p.den[0] - p.den[2] * w2, p.den[1] * omega);
    (nr * nr + ni * ni) / (dr * dr + di * di)
}

/// Magnitude in dB of the analog prototype at `freq_hz` (no warping, no clamping of
/// `freq_hz`; the prototype's own `freq_hz` is the clamped design frequency).
pub fn analog_magnitude_db(params: &FilterParams, freq_hz: f64) -> f64 {
    let proto = prototype(params);
    let mag2 = prototype_mag2(&proto, freq_hz / f64::from(params.freq_hz));
    10.0 * mag2.max(1e-300).log10()
}

/// Normalised digital biquad `b0 + b1 z⁻¹ + b2 z⁻²` over `1 + a1 z⁻¹ + a2 z⁻²`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Digital {
    /// Numerator.
    pub b: [f64; 3],
    /// Denominator `[1, a1, a2]`.
    pub a: [f64; 3],
}

/// Impulse-invariant pole pair of `s² + (Ωp/Qp)s + Ωp²` (Ωp in rad/sample).
fn matched_poles(omega_p: f64, qp: f64) -> (f64, f64) {
    let zeta = 0.5 / qp;
    let r = (-zeta * omega_p).exp();
    let a1 = if zeta < 1.0 {
        -2.0 * r * (omega_p * (1.0 - zeta * zeta).sqrt()).cos()
    } else {
        -2.0 * r * (omega_p * (zeta * zeta - 1.0).sqrt()).cosh()
    };
    (a1, r * r)
}

/// Over which band and how closely a design follows its prototype.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitSpec {
    /// Top of the accuracy band (rad/sample, at most 0.9π).
    pub top_omega: f64,
    /// Worst relative `|H|²` error on the fit grid at which refinement may stop
    /// (0.023 ≈ 0.1 dB).
    pub good_enough: f64,
    /// Refine poles and zeros together for every shape (low-/high-/band-pass with a free
    /// numerator, the notch with its zeros kept on the unit circle), not only for bells,
    /// shelves and tilt; with more Gauss–Newton iterations.
    pub refine_all: bool,
    /// Absolute `|H|²` below which the refinement measures the error against this floor
    /// instead of the target (a stop band matters in amplitude, not in dB); 0 for
    /// 10⁻⁶ × the largest target.
    pub stop_floor: f64,
}

impl FitSpec {
    /// The shared designs ([`design`], [`crate::biquad::BiquadCoefs::design`]): accuracy
    /// band up to 0.9 × Nyquist, ≈ 0.1 dB, bells, shelves and tilt refined.
    pub const SHARED: Self = Self {
        top_omega: MAX_MATCH_OMEGA,
        good_enough: 0.023,
        refine_all: false,
        stop_floor: 0.0,
    };

    /// Every shape refined over `0..min(top_hz, 0.9 × Nyquist)` to within `tol_db`
    /// (on the fit grid) where possible, stop bands below `stop_floor_db` measured in
    /// amplitude.
    pub fn refined(sample_rate: f64, top_hz: f64, tol_db: f64, stop_floor_db: f64) -> Self {
        Self {
            top_omega: (2.0 * PI * top_hz / sample_rate).min(MAX_MATCH_OMEGA),
            good_enough: 10f64.powf(tol_db / 10.0) - 1.0,
            refine_all: true,
            stop_floor: 10f64.powf(stop_floor_db / 10.0),
        }
    }

    fn refine(&self, shape: Option<[f64; 3]>) -> Refine {
        Refine {
            good_enough: self.good_enough,
            iterations: if self.refine_all {
                EXTRA_ITERATIONS
            } else {
                Refine::SHARED.iterations
            },
            shape,
        }
    }
}

/// Corner (rad/sample) above which a refined high-pass that misses its tolerance is
/// also tried with a free numerator (below it the double zero at DC is always right, and
/// the second refinement would only cost time).
const FREE_HIGH_PASS_OMEGA: f64 = 0.25 * PI;

/// Gauss–Newton iterations per norm of [`FitSpec::refined`] designs.
const EXTRA_ITERATIONS: [usize; 3] = [4, 6, 8];

/// Designs the digital filter (parameters must already be clamped).
pub fn design(sample_rate: f64, params: &FilterParams) -> Digital {
    design_with(sample_rate, params, &FitSpec::SHARED)
}

/// [`design`] with an explicit accuracy band and tolerance (parameters must already be
/// clamped).
pub fn design_with(sample_rate: f64, params: &FilterParams, spec: &FitSpec) -> Digital {
    // Bells, shelves and tilt obey H(gain)·H(−gain) = 1 (RBJ forms). Design the variant
    // whose poles are easiest to place exactly and invert if needed: for a bell the boost
    // (its resonant pair becomes the exactly placed poles, the damped pair the fitted
    // zeros); for shelves the variant whose poles lie below f0 (low shelf: boost, high
    // shelf and tilt: cut), so impulse-invariant poles never alias above Nyquist. The
    // fitted numerator is minimum phase, so the inverse is stable.
    let invert = match params.filter_type {
        FilterType::Bell | FilterType::LowShelf => params.gain_db < 0.0,
        FilterType::HighShelf | FilterType::Tilt => params.gain_db > 0.0,
        _ => false,
    };
    if invert {
        let other = design_direct(
            sample_rate,
            &FilterParams {
                gain_db: -params.gain_db,
                ..*params
            },
            spec,
        );
        let b0 = other.b[0];
        return Digital {
            b: [1.0 / b0, other.a[1] / b0, other.a[2] / b0],
            a: [1.0, other.b[1] / b0, other.b[2] / b0],
        };
    }
    design_direct(sample_rate, params, spec)
}

/// A first-order low-pass `1/(1 + s/ω0)` (`high_pass = false`) or high-pass
/// `(s/ω0)/(1 + s/ω0)` at `freq_hz`, designed as a biquad: the prototype written as
/// `(1 + s)/(1 + s)²` or `(s + s²)/(1 + s)²`, whose magnitude is exactly the first-order
/// one, so the refinement has a second pole and zero to follow it with.
pub fn design_first_order(
    sample_rate: f64,
    freq_hz: f64,
    high_pass: bool,
    spec: &FitSpec,
) -> Digital {
    let proto = Prototype {
        num: if high_pass {
            [0.0, 1.0, 1.0]
        } else {
            [1.0, 1.0, 0.0]
        },
        den: [1.0, 2.0, 1.0],
    };
    let w0 = 2.0 * PI * freq_hz / sample_rate;
    let kind = if high_pass {
        FilterType::HighPass
    } else {
        FilterType::LowPass
    };
    design_prototype(&proto, w0, kind, spec)
}

fn design_direct(sample_rate: f64, params: &FilterParams, spec: &FitSpec) -> Digital {
    let proto = prototype(params);
    let w0 = 2.0 * PI * f64::from(params.freq_hz) / sample_rate;
    design_prototype(&proto, w0, params.filter_type, spec)
}

/// The digital counterpart of `proto` at `w0` rad/sample, `kind` choosing the method.
fn design_prototype(proto: &Prototype, w0: f64, kind: FilterType, spec: &FitSpec) -> Digital {
    // Denominator d2 s² + d1 s + d0 → Ωp² = d0/d2, Ωp/Qp = d1/d2.
    let omega_p = (proto.den[0] / proto.den[2]).sqrt();
    let qp = omega_p * proto.den[2] / proto.den[1];
    let (a1, a2) = matched_poles(w0 * omega_p, qp);
    let a = [1.0, a1, a2];
    let b = match kind {
        FilterType::AllPass => [a2, a1, 1.0],
        FilterType::Notch => {
            // Zeros exactly on the unit circle at ω0, unity at DC.
            let c = w0.cos();
            let notch = |a1: f64, a2: f64| {
                let k = (1.0 + a1 + a2) / (2.0 - 2.0 * c);
                [k, -2.0 * c * k, k]
            };
            if spec.refine_all {
                // Only the poles move; the zeros stay at ω0.
                let grid = Grid::new(proto, w0, spec.top_omega, spec.stop_floor, false);
                let shape = fit::power(&[1.0, -2.0 * c, 1.0]);
                let a_pow = fit::power(&a);
                let (ra, _) = fit::refine(&grid, a_pow, a_pow, &spec.refine(Some(shape)));
                let fa = fit::factor(&ra);
                let (a1, a2) = (fa[1] / fa[0], fa[2] / fa[0]);
                return Digital {
                    b: notch(a1, a2),
                    a: [1.0, a1, a2],
                };
            }
            notch(a1, a2)
        }
        _ => {
            // A refined band-pass's narrow peak gets a grid point of its own.
            let centre = spec.refine_all && kind == FilterType::BandPass;
            let grid = Grid::new(proto, w0, spec.top_omega, spec.stop_floor, centre);
            let a_pow = fit::power(&a);
            let fitted = fit::fit_numerator(&grid, &a_pow);
            let gain_type = matches!(
                kind,
                FilterType::Bell | FilterType::LowShelf | FilterType::HighShelf | FilterType::Tilt
            );
            if gain_type || spec.refine_all {
                let b_pow = fitted.unwrap_or_else(|| {
                    fit::power(&if kind == FilterType::Bell {
                        match_peak(proto, a1, a2, w0)
                    } else {
                        match_numerator(proto, a1, a2, w0)
                    })
                });
                // A second-order high-pass keeps the analog double zero at DC exactly
                // (`(1 − z⁻¹)²`, the 12 dB/oct skirt): only its scale and the poles move.
                let double_zero = kind == FilterType::HighPass && proto.num[1] == 0.0;
                let shape = double_zero.then(|| fit::power(&[1.0, -2.0, 1.0]));
                let b_start = match shape {
                    Some(s) => s.map(|v| v * b_pow[1].max(1e-300) / s[1]),
                    None => b_pow,
                };
                let (mut ra, mut rb) = fit::refine(&grid, a_pow, b_start, &spec.refine(shape));
                // A resonant corner high in the band may need the freedom of a second
                // zero: try the free numerator too and keep the better.
                if shape.is_some()
                    && w0 > FREE_HIGH_PASS_OMEGA
                    && fit::worst(&grid, &ra, &rb) > spec.good_enough
                {
                    let (fa, fb) = fit::refine(&grid, a_pow, b_pow, &spec.refine(None));
                    if fit::worst(&grid, &fa, &fb) < fit::worst(&grid, &ra, &rb) {
                        (ra, rb) = (fa, fb);
                    }
                }
                let (fa, fb) = (fit::factor(&ra), fit::factor(&rb));
                return Digital {
                    b: fb.map(|v| v / fa[0]),
                    a: [1.0, fa[1] / fa[0], fa[2] / fa[0]],
                };
            }
            fitted
                .map(|b_pow| fit::factor(&b_pow))
                .unwrap_or_else(|| match_numerator(proto, a1, a2, w0))
        }
    };
    Digital { b, a }
}

/// Points of a [`fit_free`] fit.
pub const FREE_FIT_POINTS: usize = fit::GRID_POINTS;

/// One point of a [`fit_free`] fit.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FitPoint {
    /// Frequency (rad/sample).
    pub omega: f64,
    /// Wanted `|H|²` of the fitted section there.
    pub target: f64,
    /// Error scale: the fit minimises `(|H|² − target)/scale` (towards the minimax).
    pub scale: f64,
    /// Weight of the point (1 in the accuracy band).
    pub weight: f64,
}

/// Gauss–Newton iterations per norm of a [`fit_free`] fit.
const FREE_ITERATIONS: [usize; 3] = [4, 6, 10];

/// A biquad with free poles and zeros refined from `start` towards `points` (the
/// refinement of [`crate::biquad::fit`], DC gain fixed at `target_dc`), stopping once the
/// worst scaled error is below `good_enough`. Used on the residual another design leaves
/// (the target is what the other sections of a band still owe the prototype): the result
/// is stable and minimum phase, or `start` itself when no step improves it.
pub fn fit_free(
    start: &Digital,
    points: &[FitPoint; FREE_FIT_POINTS],
    target_dc: f64,
    good_enough: f64,
) -> Digital {
    let grid = Grid::from_points(
        &points.map(|p| (p.omega, p.target, p.scale, p.weight)),
        target_dc,
    );
    let how = Refine {
        good_enough,
        iterations: FREE_ITERATIONS,
        shape: None,
    };
    let (ra, rb) = fit::refine(&grid, fit::power(&start.a), fit::power(&start.b), &how);
    let (fa, fb) = (fit::factor(&ra), fit::factor(&rb));
    if fa[0].is_nan() || fa[0] <= 0.0 || fa.iter().chain(&fb).any(|v| !v.is_finite()) {
        return *start;
    }
    Digital {
        b: fb.map(|v| v / fa[0]),
        a: [1.0, fa[1] / fa[0], fa[2] / fa[0]],
    }
}

/// Two biquads refined together from `start` towards `points`, whose targets are for
/// their product (the cascade of both): [`fit_free`] for a pair, each section keeping
/// its DC gain. Used where refitting the sections one at a time stalls (a steep, high
/// shelf near Nyquist). Both results are stable and minimum phase, or `start` itself
/// when no step improves it.
pub fn fit_free_pair(
    start: &[Digital; 2],
    points: &[FitPoint; FREE_FIT_POINTS],
    good_enough: f64,
) -> [Digital; 2] {
    let grid = Grid::from_points(&points.map(|p| (p.omega, p.target, p.scale, p.weight)), 0.0);
    let pair = fit::refine_pair(
        &grid,
        start.map(|d| (fit::power(&d.a), fit::power(&d.b))),
        good_enough,
    );
    let out = pair.map(|(ra, rb)| {
        let (fa, fb) = (fit::factor(&ra), fit::factor(&rb));
        (fa[0] > 0.0 && fa.iter().chain(&fb).all(|v| v.is_finite())).then(|| Digital {
            b: fb.map(|v| v / fa[0]),
            a: [1.0, fa[1] / fa[0], fa[2] / fa[0]],
        })
    });
    match out {
        [Some(first), Some(second)] => [first, second],
        _ => *start,
    }
}

/// Vicanek's basis `[φ0, φ1, φ2]` of `omega` rad/sample (for [`Digital::mag2_basis`]).
pub fn basis(omega: f64) -> [f64; 3] {
    fit::phi(omega)
}

/// The analog prototype of a [`FilterParams`], built once for many evaluations.
pub struct Analog(Prototype);

impl Analog {
    /// The prototype of `params`.
    pub fn new(params: &FilterParams) -> Self {
        Self(prototype(params))
    }

    /// `|H(jΩ)|²` at `Ω = omega_rel` (relative to the design frequency).
    pub fn mag2(&self, omega_rel: f64) -> f64 {
        prototype_mag2(&self.0, omega_rel)
    }
}

/// Vicanek's magnitude matching: with `φ1 = sin²(ω/2)`, `φ0 = 1 − φ1`,
/// `φ2 = 4φ0φ1`, `|A|² = A0φ0 + A1φ1 + A2φ2` (`A0 = (1+a1+a2)²`,
/// `A1 = (1−a1+a2)²`, `A2 = −4a2`); the numerator's `B0, B1, B2` are solved from the
/// prototype magnitude at DC, Nyquist and `ω_m = min(ω0, 0.9π)`, then factored back
/// into a minimum-phase `b0, b1, b2`.
fn match_numerator(proto: &Prototype, a1: f64, a2: f64, w0: f64) -> [f64; 3] {
    let a_pow = fit::power(&[1.0, a1, a2]);
    let [big_a0, big_a1, _] = a_pow;
    // Ω of the digital frequencies relative to f0 (un-warped: we match the analog curve).
    let mag2_at = |w: f64| prototype_mag2(proto, w / w0);
    let big_b0 = big_a0 * mag2_at(0.0);
    let big_b1 = big_a1 * mag2_at(PI);
    let wm = w0.min(MAX_MATCH_OMEGA);
    let phi = fit::phi(wm);
    let [phi0, phi1, phi2] = phi;
    let a_mag2 = fit::dot(&a_pow, &phi);
    let big_b2 = (mag2_at(wm) * a_mag2 - big_b0 * phi0 - big_b1 * phi1) / phi2;
    factor_numerator(big_b0, big_b1, big_b2)
}

/// Vicanek's peaking fit: `|H|²` is matched at DC, and in value *and* slope (zero, it
/// is the peak) at `ω0`; in terms of `φ1`, `N(φ1) = B0φ0 + B1φ1 + 4B2φ0φ1` must equal
/// `G²·D(φ1)` with equal derivative: `B0 = A0`, `B2 = (R1 − R2φ1 − B0)/(4φ1²)`,
/// `B1 = R2 + B0 + 4(φ1 − φ0)B2` with `R1 = G²·D`, `R2 = G²·D'`.
fn match_peak(proto: &Prototype, a1: f64, a2: f64, w0: f64) -> [f64; 3] {
    let a_pow = fit::power(&[1.0, a1, a2]);
    let [big_a0, big_a1, big_a2] = a_pow;
    let g2 = prototype_mag2(proto, 1.0);
    let wm = w0.min(MAX_MATCH_OMEGA);
    let phi = fit::phi(wm);
    let [phi0, phi1, _] = phi;
    let r1 = fit::dot(&a_pow, &phi) * g2;
    let r2 = (-big_a0 + big_a1 + 4.0 * (phi0 - phi1) * big_a2) * g2;
    let big_b0 = big_a0;
    let big_b2 = (r1 - r2 * phi1 - big_b0) / (4.0 * phi1 * phi1);
    let big_b1 = r2 + big_b0 + 4.0 * (phi1 - phi0) * big_b2;
    factor_numerator(big_b0, big_b1, big_b2)
}

/// Minimum-phase `b0, b1, b2` from `B0, B1, B2` (Vicanek eq. 9–11).
pub(super) fn factor_numerator(big_b0: f64, big_b1: f64, big_b2: f64) -> [f64; 3] {
    let (s0, s1) = (big_b0.max(0.0).sqrt(), big_b1.max(0.0).sqrt());
    let w = 0.5 * (s0 + s1);
    let b0 = 0.5 * (w + (w * w + big_b2).max(0.0).sqrt());
    let b1 = 0.5 * (s0 - s1);
    let b2 = if b0 > 0.0 { -big_b2 / (4.0 * b0) } else { 0.0 };
    [b0, b1, b2]
}

impl Digital {
    /// |H(e^{jω})| in dB at `freq_hz`.
    pub fn magnitude_db(&self, sample_rate: f64, freq_hz: f64) -> f64 {
        let w = 2.0 * PI * freq_hz / sample_rate;
        let (c1, s1, c2, s2) = (w.cos(), w.sin(), (2.0 * w).cos(), (2.0 * w).sin());
        let nr = self.b[0] + self.b[1] * c1 + self.b[2] * c2;
        let ni = -(self.b[1] * s1 + self.b[2] * s2);
        let dr = 1.0 + self.a[1] * c1 + self.a[2] * c2;
        let di = -(self.a[1] * s1 + self.a[2] * s2);
        10.0 * ((nr * nr + ni * ni) / (dr * dr + di * di))
            .max(1e-300)
            .log10()
    }

    /// `|H(e^{jω})|²` at `omega` rad/sample.
    pub fn mag2(&self, omega: f64) -> f64 {
        self.mag2_basis(&basis(omega))
    }

    /// `|H(e^{jω})|²` from the basis [`basis`] of `ω` (no trigonometry).
    pub fn mag2_basis(&self, basis: &[f64; 3]) -> f64 {
        fit::dot(&fit::power(&self.b), basis) / fit::dot(&fit::power(&self.a), basis)
    }

    /// Maps the biquad onto trapezoidal-SVF coefficients `(g, k, m0, m1, m2)` with the
    /// same transfer function: `g = √(A(1)/A(−1))`, `k = 2(1−a2)/(g·A(−1))`, and the
    /// output mix solved from `B(−1)`, `B(1)` and `b0 − b2`.
    pub fn to_svf(&self) -> (f64, f64, [f64; 3]) {
        let [b0, b1, b2] = self.b;
        let [_, a1, a2] = self.a;
        let d_pos = (1.0 + a1 + a2).max(1e-300);
        let d_neg = (1.0 - a1 + a2).max(1e-300);
        let g = (d_pos / d_neg).sqrt();
        let k = 2.0 * (1.0 - a2) / (g * d_neg);
        let a0 = 4.0 / d_neg; // 1 + g(g + k)
        let m0 = a0 * (b0 - b1 + b2) / 4.0;
        let m2 = a0 * (b0 + b1 + b2) / (4.0 * g * g) - m0;
        let m1 = a0 * (b0 - b2) / (2.0 * g) - m0 * k;
        (g, k, [m0, m1, m2])
    }
}
