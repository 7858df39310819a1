//! Least-squares magnitude fits in Vicanek's "power" representation (see the parent
//! module): `|A(e^{jω})|² = A0φ0 + A1φ1 + A2φ2` with `φ1 = sin²(ω/2)`, `φ0 = 1 − φ1`,
//! `φ2 = 4φ0φ1`, and the same for `|B|²`. Everything is sized at compile time
//! ([`GRID_POINTS`] frequencies, 2×2 and 4×4 normal equations): no allocation, and a
//! bounded amount of work per design.
//!
//! * [`fit_numerator`]: poles fixed, `B0` fixed by the DC gain, `B1, B2` minimise the
//!   relative error of `|H|²` (linear least squares, as in the 2016 paper's spirit).
//! * [`refine`]: poles *and* zeros free. Gauss–Newton on the relative error of `|H|²`
//!   (`r = |B|²/(|A|²T) − 1`), unknowns `A0, A2, B1, B2` with the normalisation
//!   `A0 + A1 = const` and the exact DC gain `B0 = T(0)·A0`. The norm is continued from
//!   2 (least squares) to 6 and 12 by iteratively reweighted least squares (weights
//!   `|r|^(p−2)`), which pushes the fit towards the minimax one without the grid
//!   over-fitting a plain Lawson iteration showed. Every accepted step keeps `|A|²`
//!   strictly positive and `|B|²` non-negative on the whole unit circle, so both factor
//!   into a stable, minimum-phase biquad.

use super::design::{factor_numerator, prototype_mag2, Prototype};
use std::f64::consts::PI;

/// Frequencies of one fit.
pub(super) const GRID_POINTS: usize = 48;
/// Points spread log-uniformly from `ω0/100` to [`MAIN_TOP`].
const BACKGROUND_POINTS: usize = 24;
/// Points spread log-uniformly from `ω_lo/κ` to `ω_hi·κ`, where `ω_lo`, `ω_hi` are the
/// lowest and highest natural frequencies of the prototype's pole and zero pairs and
/// `κ = 1 + CLUSTER_WIDTH/Q` for the sharper pair.
const CLUSTER_POINTS: usize = 16;
/// Margin of the cluster beyond the resonances, in bandwidths.
const CLUSTER_WIDTH: f64 = 3.0;
/// Extra points log-uniform from [`TOP_BOTTOM`] to [`MAIN_TOP`], where the digital
/// response departs most from the analog one.
const TOP_POINTS: usize = 8;
/// Bottom of the top segment (rad/sample).
const TOP_BOTTOM: f64 = 0.75 * PI;
/// Top of the accuracy band (rad/sample): 0.9 × Nyquist.
const MAIN_TOP: f64 = 0.9 * PI;
/// Gauss–Newton iterations (each with up to [`MAX_HALVINGS`] step halvings).
const GN_ITERATIONS: [usize; 3] = [3, 4, 6];
/// Relative `|H|²` error (≈ 0.1 dB) below which a design needs no (more) refinement:
/// at low `ω0` the impulse-invariant start is already this close, so it costs nothing.
const GOOD_ENOUGH: f64 = 0.023;
/// Relative cost decrease below which a norm's iterations count as converged.
const MIN_GAIN: f64 = 0.02;
/// Step halvings tried before an iteration gives up.
const MAX_HALVINGS: usize = 6;
/// Exponent of the error norm minimised (2 = least squares; larger values approach
/// the minimax fit).
const NORM_P: [i32; 3] = [2, 6, 12];
/// Unknowns of the refinement.
const U: usize = 4;

/// Relative floor of the refinement's error scale: below `STOP_FLOOR × max target` (−60 dB
/// under the passband) the error of `|H|²` is measured against the floor, not the target,
/// so a stop band (low-/high-/band-pass, notch) cannot dominate the fit.
const STOP_FLOOR: f64 = 1e-6;

/// One fit frequency.
#[derive(Clone, Copy, Debug, Default)]
struct Point {
    /// Vicanek's basis `(φ0, φ1, φ2)` at this frequency.
    phi: [f64; 3],
    /// Prototype `|H|²` (the target).
    target: f64,
    /// Error scale of the refinement: `max(target, STOP_FLOOR × max target)`.
    scale: f64,
    /// Least-squares weight.
    weight: f64,
}

/// The fit frequencies with their targets, for one prototype at one `ω0`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Grid {
    /// Fit points.
    points: [Point; GRID_POINTS],
    /// Prototype `|H|²` at DC.
    target_dc: f64,
}

impl Grid {
    /// The grid for `proto` designed at `w0` rad/sample, over the accuracy band up to
    /// `top` rad/sample (at most 0.9π; the shared designs use 0.9π). The refinement's
    /// error scale is floored at `stop_floor` (absolute `|H|²`), or at
    /// [`STOP_FLOOR`] × the largest target when that is higher. `centre` puts a point on
    /// `w0` exactly.
    pub(super) fn new(proto: &Prototype, w0: f64, top: f64, stop_floor: f64, centre: bool) -> Self {
        let (main_top, top_bottom) = if top >= MAIN_TOP {
            (MAIN_TOP, TOP_BOTTOM)
        } else {
            (top, top * (TOP_BOTTOM / MAIN_TOP))
        };
        // Cluster: across the prototype's pole and zero resonances.
        let (r_lo, r_hi, q_max) = proto.resonances();
        let kappa = 1.0 + CLUSTER_WIDTH / q_max.clamp(0.5, 100.0);
        let c_hi = (w0 * r_hi * kappa).min(main_top);
        let c_lo = (w0 * r_lo / kappa).min(0.5 * c_hi);
        let segments = [
            // (first, last, points, weight); log-uniform, `last` included.
            (
                (w0 / 100.0).clamp(1e-5, 0.5 * main_top),
                main_top,
                BACKGROUND_POINTS,
                1.0,
            ),
            (c_lo, c_hi, CLUSTER_POINTS - usize::from(centre), 1.0),
            (top_bottom, main_top, TOP_POINTS, 1.0),
            // With `centre`, one cluster point moves to `ω0` itself (a narrow peak or
            // dip between two grid points would otherwise go unseen).
            (w0.min(main_top), w0.min(main_top), usize::from(centre), 1.0),
        ];
        let mut points = [Point::default(); GRID_POINTS];
        let mut it = points.iter_mut();
        for (first, last, count, weight) in segments {
            let ratio = (last / first).powf(1.0 / count.max(2).saturating_sub(1) as f64);
            let mut omega = first;
            for (k, p) in it.by_ref().take(count).enumerate() {
                let o = if k + 1 == count {
                    last
                } else {
                    omega.min(last)
                };
                omega *= ratio;
                *p = Point {
                    phi: phi(o),
                    target: prototype_mag2(proto, o / w0),
                    scale: 0.0,
                    weight,
                };
            }
        }
        let floor =
            (STOP_FLOOR * points.iter().map(|p| p.target).fold(0.0, f64::max)).max(stop_floor);
        for p in &mut points {
            p.scale = p.target.max(floor).max(1e-300);
        }
        Self {
            points,
            target_dc: prototype_mag2(proto, 0.0),
        }
    }
}

impl Grid {
    /// A grid on explicit points `(ω rad/sample, target |H|², error scale, weight)` with
    /// `target_dc` the target at DC (a residual fit: the target and scale are whatever
    /// the caller's other sections leave to this one).
    pub(super) fn from_points(
        points: &[(f64, f64, f64, f64); GRID_POINTS],
        target_dc: f64,
    ) -> Self {
        Self {
            points: points.map(|(omega, target, scale, weight)| Point {
                phi: phi(omega),
                target,
                scale: scale.max(1e-300),
                weight,
            }),
            target_dc,
        }
    }
}

/// Vicanek's basis `[φ0, φ1, φ2]` at `omega` rad/sample: `φ1 = sin²(ω/2)`,
/// `φ0 = 1 − φ1`, `φ2 = 4φ0φ1`.
#[inline]
pub(super) fn phi(omega: f64) -> [f64; 3] {
    let phi1 = (0.5 * omega).sin().powi(2);
    let phi0 = 1.0 - phi1;
    [phi0, phi1, 4.0 * phi0 * phi1]
}

/// `P·φ`: `|P(e^{jω})|²` from power coefficients and the basis at `ω`.
#[inline(always)]
pub(super) fn dot(p: &[f64; 3], phi: &[f64; 3]) -> f64 {
    p[0] * phi[0] + p[1] * phi[1] + p[2] * phi[2]
}

/// Smallest value of `P0φ0 + P1φ1 + P2φ2` over the unit circle (`φ1 ∈ [0, 1]`).
fn min_on_circle(p: &[f64; 3]) -> f64 {
    let mut m = p[0].min(p[1]);
    if p[2] < 0.0 {
        // Convex in φ1: the interior stationary point may be lower.
        let x = (p[1] - p[0] + 4.0 * p[2]) / (8.0 * p[2]);
        if x > 0.0 && x < 1.0 {
            m = m.min(p[0] * (1.0 - x) + p[1] * x + 4.0 * p[2] * x * (1.0 - x));
        }
    }
    m
}

/// Power coefficients `(A0, A1, A2)` of a normalised denominator `[1, a1, a2]` (or of
/// any `[b0, b1, b2]`).
pub(super) fn power(c: &[f64; 3]) -> [f64; 3] {
    [
        (c[0] + c[1] + c[2]).powi(2),
        (c[0] - c[1] + c[2]).powi(2),
        -4.0 * c[0] * c[2],
    ]
}

/// Poles fixed (`|A|²` given), `B0` fixed by the DC gain: least-squares `B1, B2` for the
/// relative error of `|H|²` over the grid. Stop-band points (high-/band-pass near DC)
/// are weighted as if they were −60 dB below the largest target so they cannot
/// dominate. `None` when the solution is not a realisable (non-negative) `|B|²`.
pub(super) fn fit_numerator(grid: &Grid, a_pow: &[f64; 3]) -> Option<[f64; 3]> {
    let big_b0 = a_pow[0] * grid.target_dc;
    let max_target = grid
        .points
        .iter()
        .map(|p| p.target * dot(a_pow, &p.phi))
        .fold(0.0, f64::max);
    let floor = 1e-6 * max_target;
    let (mut s11, mut s12, mut s22, mut t1, mut t2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for p in &grid.points {
        let target = p.target * dot(a_pow, &p.phi);
        let scale = target.max(floor);
        if scale <= 0.0 {
            continue;
        }
        let w = p.weight;
        let (u, v, rhs) = (
            p.phi[1] / scale,
            p.phi[2] / scale,
            (target - big_b0 * p.phi[0]) / scale,
        );
        s11 += w * u * u;
        s12 += w * u * v;
        s22 += w * v * v;
        t1 += w * u * rhs;
        t2 += w * v * rhs;
    }
    let det = s11 * s22 - s12 * s12;
    if det.abs() <= 1e-300 || !det.is_finite() {
        return None;
    }
    let b = [
        big_b0,
        (t1 * s22 - t2 * s12) / det,
        (s11 * t2 - s12 * t1) / det,
    ];
    (b.iter().all(|v| v.is_finite()) && min_on_circle(&b) >= 0.0).then_some(b)
}

/// `(Σ w·|r|^p, max |r|)` with `r = (|B|²/|A|² − T)/S` (`S` = the point's error scale,
/// the target `T` outside a stop band); `None` if `|A|²` is not positive at every point.
fn cost(grid: &Grid, norm_p: i32, a: &[f64; 3], b: &[f64; 3]) -> Option<(f64, f64)> {
    let (mut sum, mut max) = (0.0_f64, 0.0_f64);
    for p in &grid.points {
        let ap = dot(a, &p.phi);
        if ap <= 0.0 {
            return None;
        }
        let r = (dot(b, &p.phi) / ap - p.target) / p.scale;
        sum += p.weight * r.abs().powi(norm_p);
        if p.weight > 0.0 {
            max = max.max(r.abs());
        }
    }
    sum.is_finite().then_some((sum, max))
}

/// Worst error `max |r|` of `(a, b)` on the grid (infinite when `|A|²` is not positive).
pub(super) fn worst(grid: &Grid, a: &[f64; 3], b: &[f64; 3]) -> f64 {
    cost(grid, 2, a, b).map_or(f64::INFINITY, |(_, max)| max)
}

/// Solves the N×N system `m·x = rhs` (Gaussian elimination, partial pivoting).
fn solve<const N: usize>(mut m: [[f64; N]; N], mut rhs: [f64; N]) -> Option<[f64; N]> {
    for col in 0..N {
        let pivot = (col..N).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[pivot][col].abs() < 1e-300 {
            return None;
        }
        m.swap(col, pivot);
        rhs.swap(col, pivot);
        let pivot_row = m[col];
        for row in col + 1..N {
            let f = m[row][col] / pivot_row[col];
            for (v, p) in m[row].iter_mut().zip(&pivot_row).skip(col) {
                *v -= f * p;
            }
            rhs[row] -= f * rhs[col];
        }
    }
    let mut x = [0.0; N];
    for row in (0..N).rev() {
        let mut s = rhs[row];
        for k in row + 1..N {
            s -= m[row][k] * x[k];
        }
        x[row] = s / m[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// One reweighted Gauss–Newton direction for the `norm_p` cost at `(a, b)`, in the
/// unknowns `(A0, A2, B1, B2)` (with a fixed numerator `shape`, `B = β·shape`: `β` is
/// tied to `A0` by the DC gain, or, when the shape has zeros at DC, the third unknown;
/// the other steps are zero); `None` when the normal equations are singular.
fn gn_direction(
    grid: &Grid,
    norm_p: i32,
    a: &[f64; 3],
    b: &[f64; 3],
    shape: Option<&[f64; 3]>,
) -> Option<[f64; U]> {
    let t0 = grid.target_dc;
    let mut n = [[0.0; U]; U];
    let mut g = [0.0; U];
    for p in &grid.points {
        let ap = dot(a, &p.phi);
        let inv = 1.0 / (ap * p.scale);
        let q = dot(b, &p.phi) / ap;
        let [phi0, phi1, phi2] = p.phi;
        let j = match shape {
            None => [
                (t0 * phi0 - q * (phi0 - phi1)) * inv,
                -q * phi2 * inv,
                phi1 * inv,
                phi2 * inv,
            ],
            // Zeros at DC (high-pass): the scale `β` of `B = β·shape` is free.
            Some(s) if s[0] <= 0.0 => [
                -q * (phi0 - phi1) * inv,
                -q * phi2 * inv,
                dot(s, &p.phi) * inv,
                0.0,
            ],
            Some(s) => [
                (t0 / s[0] * dot(s, &p.phi) - q * (phi0 - phi1)) * inv,
                -q * phi2 * inv,
                0.0,
                0.0,
            ],
        };
        let r = (q - p.target) / p.scale;
        accumulate(&mut n, &mut g, &j, r, p.weight, norm_p);
    }
    irls_step(&n, &g, 1e-9, norm_p)
}

/// Adds one point's Jacobian row `j` and scaled residual `r` to the upper triangle of the
/// normal equations `n` and the gradient `g`, with the IRLS weight of the P-norm,
/// `weight·|r|^(P−2)`.
fn accumulate<const N: usize>(
    n: &mut [[f64; N]; N],
    g: &mut [f64; N],
    j: &[f64; N],
    r: f64,
    weight: f64,
    norm_p: i32,
) {
    let w = weight * r.abs().powi(norm_p - 2);
    for row in 0..N {
        g[row] += w * j[row] * r;
        for col in row..N {
            n[row][col] += w * j[row] * j[col];
        }
    }
}

/// The step of [`accumulate`]d normal equations: Jacobi scaling (the unknowns differ by
/// many orders of magnitude at low ω0), the upper triangle mirrored, Levenberg `damping`
/// on the scaled diagonal, and the P-norm's Newton factor (its Hessian is (P − 1)× the
/// reweighted Gauss–Newton matrix). `None` when the system is singular.
fn irls_step<const N: usize>(
    n: &[[f64; N]; N],
    g: &[f64; N],
    damping: f64,
    norm_p: i32,
) -> Option<[f64; N]> {
    let d: [f64; N] = std::array::from_fn(|k| if n[k][k] > 0.0 { n[k][k].sqrt() } else { 1.0 });
    let mut m = [[0.0; N]; N];
    let mut rhs = [0.0; N];
    for row in 0..N {
        for col in 0..N {
            let v = if col >= row { n[row][col] } else { n[col][row] };
            m[row][col] = v / (d[row] * d[col]);
        }
        m[row][row] += damping;
        rhs[row] = -g[row] / d[row];
    }
    let y = solve(m, rhs)?;
    let newton = 1.0 / f64::from(norm_p - 1);
    Some(std::array::from_fn(|k| newton * y[k] / d[k]))
}

/// How a refinement runs: the error at which it may stop, how many Gauss–Newton
/// iterations each norm gets, and an optional fixed numerator shape.
#[derive(Clone, Copy, Debug)]
pub(super) struct Refine {
    /// Worst relative `|H|²` error on the grid below which the refinement stops.
    pub good_enough: f64,
    /// Iterations of each norm in [`NORM_P`].
    pub iterations: [usize; 3],
    /// Fixed numerator power coefficients up to scale (a notch keeps its zeros on the
    /// unit circle, a high-pass its double zero at DC): the poles move, and the scale
    /// too when the shape is zero at DC.
    pub shape: Option<[f64; 3]>,
}

impl Refine {
    /// The shared designs' refinement (bells, shelves, tilt).
    pub const SHARED: Self = Self {
        good_enough: GOOD_ENOUGH,
        iterations: GN_ITERATIONS,
        shape: None,
    };
}

/// Gauss–Newton refinement of `(|A|², |B|²)` (power coefficients), see the module
/// header. Stops as soon as every accuracy-band point is within `how.good_enough`.
/// Returns the refined pair, or the input when no step improves it.
pub(super) fn refine(grid: &Grid, a: [f64; 3], b: [f64; 3], how: &Refine) -> ([f64; 3], [f64; 3]) {
    let sum01 = a[0] + a[1];
    let t0 = grid.target_dc;
    // `b1` carries `β·s[1]` when the shape's scale is free.
    let numerator = |a0: f64, b1: f64, b2: f64| match &how.shape {
        None => [t0 * a0, b1, b2],
        Some(s) if s[0] <= 0.0 => s.map(|v| v * b1 / s[1]),
        Some(s) => s.map(|v| v * t0 * a0 / s[0]),
    };
    let (mut a, mut b) = (a, numerator(a[0], b[1], b[2]));
    for (stage, &norm_p) in NORM_P.iter().enumerate() {
        let Some((mut best, max_err)) = cost(grid, norm_p, &a, &b) else {
            return (a, b);
        };
        if max_err < how.good_enough {
            break;
        }
        for _ in 0..how.iterations[stage] {
            let Some(mut step) = gn_direction(grid, norm_p, &a, &b, how.shape.as_ref()) else {
                break;
            };
            let mut accepted = None;
            for _ in 0..MAX_HALVINGS {
                let a0 = a[0] + step[0];
                let na = [a0, sum01 - a0, a[2] + step[1]];
                let b1 = match &how.shape {
                    Some(s) if s[0] <= 0.0 => b[1] + step[2] * s[1],
                    _ => b[1] + step[2],
                };
                let nb = numerator(a0, b1, b[2] + step[3]);
                // A fixed shape is realisable by construction (and may touch zero).
                let nb_ok = how.shape.is_some() || min_on_circle(&nb) >= 0.0;
                if min_on_circle(&na) > 0.0 && nb_ok {
                    if let Some((c, max_err)) = cost(grid, norm_p, &na, &nb) {
                        if c < best {
                            accepted = Some((best - c) / best);
                            (a, b, best) = (na, nb, c);
                            if max_err < how.good_enough {
                                return (a, b);
                            }
                            break;
                        }
                    }
                }
                step = step.map(|s| 0.5 * s);
            }
            // Converged (or stuck): go on with the next norm.
            if accepted.is_none_or(|gain| gain < MIN_GAIN) {
                break;
            }
        }
    }
    (a, b)
}

/// Factors power coefficients into a minimum-phase `[p0, p1, p2]`.
pub(super) fn factor(p: &[f64; 3]) -> [f64; 3] {
    factor_numerator(p[0], p[1], p[2])
}

/// Two sections in power coefficients, `(|A|², |B|²)` each, refined together by
/// [`refine_pair`].
pub(super) type Pair = [([f64; 3], [f64; 3]); 2];

/// Unknowns of [`refine_pair`]: each section's `A0, A2, B1, B2`.
const U2: usize = 2 * U;

/// Norms of [`refine_pair`] and the Gauss–Newton iterations of each: continued further
/// towards the minimax fit than one section's ([`NORM_P`]), since a pair is used only
/// where the worst point decides.
const PAIR_NORMS: [(i32, usize); 5] = [(2, 4), (6, 6), (12, 8), (24, 8), (48, 8)];

/// Each section's `|B|²/|A|²` at one point, or `None` when a `|A|²` is not positive.
fn pair_parts(pair: &Pair, phi: &[f64; 3]) -> Option<([f64; 2], [f64; 2])> {
    let ap = pair.map(|(a, _)| dot(&a, phi));
    if ap.iter().any(|&v| v <= 0.0) {
        return None;
    }
    let q = [0, 1].map(|k| dot(&pair[k].1, phi) / ap[k]);
    Some((q, ap))
}

/// [`cost`] of the cascade `pair`.
fn cost_pair(grid: &Grid, norm_p: i32, pair: &Pair) -> Option<(f64, f64)> {
    let (mut sum, mut max) = (0.0_f64, 0.0_f64);
    for p in &grid.points {
        let (q, _) = pair_parts(pair, &p.phi)?;
        let r = (q[0] * q[1] - p.target) / p.scale;
        sum += p.weight * r.abs().powi(norm_p);
        if p.weight > 0.0 {
            max = max.max(r.abs());
        }
    }
    sum.is_finite().then_some((sum, max))
}

/// [`gn_direction`] for the cascade of two free sections, each with its DC gain `t0[k]`
/// kept: the derivative of the product by one section's unknowns is the other
/// section's `|H|²` times that section's own derivative.
fn gn_direction_pair(grid: &Grid, norm_p: i32, pair: &Pair, t0: [f64; 2]) -> Option<[f64; U2]> {
    let mut n = [[0.0; U2]; U2];
    let mut g = [0.0; U2];
    for p in &grid.points {
        let (q, ap) = pair_parts(pair, &p.phi)?;
        let [phi0, phi1, phi2] = p.phi;
        let mut j = [0.0; U2];
        for k in 0..2 {
            let inv = q[1 - k] / (ap[k] * p.scale);
            j[U * k..U * k + U].copy_from_slice(&[
                (t0[k] * phi0 - q[k] * (phi0 - phi1)) * inv,
                -q[k] * phi2 * inv,
                phi1 * inv,
                phi2 * inv,
            ]);
        }
        let r = (q[0] * q[1] - p.target) / p.scale;
        accumulate(&mut n, &mut g, &j, r, p.weight, norm_p);
    }
    // More damping than one section's: the two sections can trade a pole or zero with
    // each other, which leaves the normal equations nearly singular.
    irls_step(&n, &g, 1e-6, norm_p)
}

/// [`refine`] of two sections together towards the grid's targets for their product
/// (a band's two sections near Nyquist, where refitting one at a time stalls: each
/// section's best move needs the other's). Each section keeps its DC gain and its
/// normalisation; every accepted step keeps both realisable. Returns the refined pair,
/// or `start` when no step improves it.
pub(super) fn refine_pair(grid: &Grid, start: Pair, good_enough: f64) -> Pair {
    let sum01 = start.map(|(a, _)| a[0] + a[1]);
    let t0 = start.map(|(a, b)| b[0] / a[0]);
    if t0.iter().any(|v| !v.is_finite()) {
        return start;
    }
    let mut pair = start;
    for (norm_p, iterations) in PAIR_NORMS {
        let Some((mut best, max_err)) = cost_pair(grid, norm_p, &pair) else {
            return pair;
        };
        if max_err < good_enough {
            break;
        }
        for _ in 0..iterations {
            let Some(mut step) = gn_direction_pair(grid, norm_p, &pair, t0) else {
                break;
            };
            let mut accepted = None;
            for _ in 0..MAX_HALVINGS {
                let next: Pair = std::array::from_fn(|k| {
                    let (a, b) = pair[k];
                    let s = &step[U * k..U * k + U];
                    let a0 = a[0] + s[0];
                    (
                        [a0, sum01[k] - a0, a[2] + s[1]],
                        [t0[k] * a0, b[1] + s[2], b[2] + s[3]],
                    )
                });
                let ok = next
                    .iter()
                    .all(|(a, b)| min_on_circle(a) > 0.0 && min_on_circle(b) >= 0.0);
                if ok {
                    if let Some((c, max_err)) = cost_pair(grid, norm_p, &next) {
                        if c < best {
                            accepted = Some((best - c) / best);
                            (pair, best) = (next, c);
                            if max_err < good_enough {
                                return pair;
                            }
                            break;
                        }
                    }
                }
                step = step.map(|s| 0.5 * s);
            }
            if accepted.is_none_or(|gain| gain < MIN_GAIN) {
                break;
            }
        }
    }
    pair
}
