//! Pan-law gains and the 2×2 matrices of the Panner (see the parent module for the
//! formulas). Gains are evaluated in `f64` and rounded once to `f32`.

use super::{Discrete, PanLaw, PanMode, PanTaper};
use std::f64::consts::{FRAC_1_SQRT_2, FRAC_PI_4};

/// Row-major 2×2 matrix: `out_l = m[0]·l + m[1]·r`, `out_r = m[2]·l + m[3]·r`.
pub(super) type Matrix = [f32; 4];

/// The identity matrix (neutral settings).
pub(super) const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0];

/// Base shape `(s_l, s_r)` and centre value `c0`. The sin/cos taper uses
/// `cos θ = sin((1−p)π/4)` so both hard sides are exactly 0 and 1.
fn base_shape(taper: PanTaper, pan: f64) -> (f64, f64, f64) {
    match taper {
        PanTaper::SinCos => (
            ((1.0 - pan) * FRAC_PI_4).sin(),
            ((1.0 + pan) * FRAC_PI_4).sin(),
            FRAC_1_SQRT_2,
        ),
        PanTaper::Linear => ((1.0 - pan) * 0.5, (1.0 + pan) * 0.5, 0.5),
    }
}

/// Centre attenuation in dB of a law (`None` for the 0 dB law).
fn law_db(law: PanLaw) -> Option<f64> {
    match law {
        PanLaw::ZeroDb => None,
        PanLaw::Minus3Db => Some(3.0),
        PanLaw::Minus4_5Db => Some(4.5),
        PanLaw::Minus6Db => Some(6.0),
    }
}

/// Mono-source pan-law gains `(left, right)` at `pan ∈ [−1, 1]` (clamped; NaN = centre)
/// for the given law, taper and compensation; see the module header for the formulas.
pub fn pan_gains(law: PanLaw, taper: PanTaper, compensated: bool, pan: f32) -> (f32, f32) {
    let pan = if pan.is_nan() {
        0.0
    } else {
        f64::from(pan.clamp(-1.0, 1.0))
    };
    if pan.abs() == 1.0 {
        // Hard sides (every Stereo-mode edge that is not moving): the formula's exact
        // values (sin(π/2) = 1, sin(0) = 0, 1^e = 1, 0^e = 0) without the
        // transcendental calls.
        let norm = match law_db(law) {
            Some(attenuation_db) if compensated => {
                let c0 = base_shape(taper, 0.0).2;
                c0.powf(attenuation_db / (-20.0 * c0.log10()))
            }
            _ => 1.0,
        };
        let near = (1.0 / norm) as f32;
        return if pan < 0.0 { (near, 0.0) } else { (0.0, near) };
    }
    let (sl, sr, c0) = base_shape(taper, pan);
    match law_db(law) {
        None => ((sl / c0).min(1.0) as f32, (sr / c0).min(1.0) as f32),
        Some(attenuation_db) => {
            let e = attenuation_db / (-20.0 * c0.log10());
            let norm = if compensated { c0.powf(e) } else { 1.0 };
            ((sl.powf(e) / norm) as f32, (sr.powf(e) / norm) as f32)
        }
    }
}

/// Placement gains: the law normalised so a hard-panned channel is unity on its side.
#[inline]
fn placement(d: &Discrete, pan: f32) -> (f32, f32) {
    pan_gains(d.law, d.taper, false, pan)
}

/// Mode matrix for the current continuous values.
pub(super) fn mode_matrix(
    d: &Discrete,
    pan: f32,
    left_pan: f32,
    right_pan: f32,
    width: f32,
) -> Matrix {
    match d.mode {
        PanMode::Balance => {
            let (bl, br) = pan_gains(PanLaw::ZeroDb, d.taper, false, pan);
            [bl, 0.0, 0.0, br]
        }
        PanMode::Stereo => {
            let pl = -1.0 + 2.0 * pan.max(0.0);
            let pr = 1.0 - 2.0 * (-pan).max(0.0);
            let (la, ra) = placement(d, pl);
            let (lb, rb) = placement(d, pr);
            let w0 = (1.0 + width) * 0.5;
            let w1 = (1.0 - width) * 0.5;
            [
                la * w0 + lb * w1,
                la * w1 + lb * w0,
                ra * w0 + rb * w1,
                ra * w1 + rb * w0,
            ]
        }
        PanMode::Dual => {
            let (la, ra) = placement(d, left_pan);
            let (lb, rb) = placement(d, right_pan);
            [la, lb, ra, rb]
        }
        PanMode::Mono => {
            let (gl, gr) = pan_gains(d.law, d.taper, d.compensated, pan);
            [gl * 0.5, gl * 0.5, gr * 0.5, gr * 0.5]
        }
    }
}

/// Input matrix: polarity per input channel, then swap. Mono input: the source is the
/// left input, fed to both matrix inputs.
pub(super) fn input_matrix(d: &Discrete) -> Matrix {
    let sl = if d.invert_left { -1.0 } else { 1.0 };
    let sr = if d.invert_right { -1.0 } else { 1.0 };
    if d.mono_input {
        [sl, 0.0, sl, 0.0]
    } else if d.swap {
        [0.0, sr, sl, 0.0]
    } else {
        [sl, 0.0, 0.0, sr]
    }
}

/// `g·m`.
#[inline(always)]
pub(super) fn scale(g: f32, m: &Matrix) -> Matrix {
    [g * m[0], g * m[1], g * m[2], g * m[3]]
}

/// `g·m·p` (the steady-state matrix).
#[inline(always)]
pub(super) fn compose(g: f32, m: &Matrix, p: &Matrix) -> Matrix {
    let gm = scale(g, m);
    [
        gm[0] * p[0] + gm[1] * p[2],
        gm[0] * p[1] + gm[1] * p[3],
        gm[2] * p[0] + gm[3] * p[2],
        gm[2] * p[1] + gm[3] * p[3],
    ]
}

/// `m·(l, r)`.
#[inline(always)]
pub(super) fn apply(m: &Matrix, l: f32, r: f32) -> (f32, f32) {
    (m[0] * l + m[1] * r, m[2] * l + m[3] * r)
}

/// `a + (b − a)·t` per element (exact `a` where `a == b`).
#[inline(always)]
pub(super) fn lerp(a: &Matrix, b: &Matrix, t: f32) -> Matrix {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
        a[3] + (b[3] - a[3]) * t,
    ]
}
