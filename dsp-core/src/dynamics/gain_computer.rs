//! The static curve of a compressor/expander: the quadratic soft knee of D. Giannoulis,
//! M. Massberg, J. D. Reiss, "Digital Dynamic Range Compressor Design — A Tutorial and
//! Analysis", JAES 60(6), 2012, eq. (4), with threshold `T`, ratio `R`, knee width `W`
//! (all dB), on the level `x` in dB:
//!
//! ```text
//! y = x                                   2(x − T) < −W
//! y = x + (1/R − 1)(x − T + W/2)² / (2W)  |2(x − T)| ≤ W
//! y = T + (x − T)/R                       2(x − T) > W
//! ```
//!
//! The gain computer returns the gain change `g = y − x` in dB. [`CurveSide::Above`] is
//! the paper's curve (R > 1: downward compression; R < 1: upward expansion);
//! [`CurveSide::Below`] mirrors it about the threshold, `g_below(d) = −g_above(−d)` with
//! `d = x − T` (R > 1: upward compression of quiet signals; R < 1: downward expansion),
//! for the Multiband. `R = ∞` (`1/R = 0`) is a limiter curve. The result is clamped to
//! `±range_db` (the largest gain change allowed).
//!
//! Branch-free form used by both the pure function and the block loop, with
//! `s = 1/R − 1`, `h = W/2`, `z = clamp(d + h, 0, W)`:
//! `g = s·(z²/(2W) + max(d − h, 0))` — equal to eq. (4) in all three regions, and to the
//! hard knee when `W = 0` (where `1/(2W)` is replaced by 0).

/// Largest range (gain change) accepted by the gain computer.
pub const MAX_RANGE_DB: f32 = 120.0;
/// Smallest ratio (1:20; expanders and upward curves use ratios below 1).
pub const MIN_RATIO: f32 = 0.05;
/// Widest knee.
pub const MAX_KNEE_DB: f32 = 48.0;
/// Threshold limits (dBFS).
pub const MIN_THRESHOLD_DB: f32 = -120.0;
/// Upper threshold limit (dBFS).
pub const MAX_THRESHOLD_DB: f32 = 24.0;

/// Which side of the threshold the ratio acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CurveSide {
    /// Levels above the threshold are scaled (classic compressor / upward expander).
    Above,
    /// Levels below the threshold are scaled (upward compressor / downward expander).
    Below,
}

/// A static gain curve; `Copy`, no state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GainCurve {
    /// Threshold `T` in dB.
    threshold_db: f32,
    /// Knee half width `W/2` in dB.
    half_knee_db: f32,
    /// Knee width `W` in dB.
    knee_db: f32,
    /// `1/(2W)`, 0 for a hard knee.
    inv_two_knee: f32,
    /// `1/R − 1` (≤ 0 for compression above the threshold).
    slope: f32,
    /// Largest `|g|` in dB.
    range_db: f32,
    /// Side of the threshold the curve acts on.
    side: CurveSide,
}

impl Default for GainCurve {
    /// Unity: ratio 1 (no gain change).
    fn default() -> Self {
        Self::new(0.0, 1.0, 0.0, MAX_RANGE_DB, CurveSide::Above)
    }
}

impl GainCurve {
    /// A curve; values are clamped (`ratio` may be `f32::INFINITY`; NaN gives unity
    /// ratio, 0 dB threshold, hard knee, full range).
    pub fn new(
        threshold_db: f32,
        ratio: f32,
        knee_db: f32,
        range_db: f32,
        side: CurveSide,
    ) -> Self {
        let pick =
            |v: f32, lo: f32, hi: f32, def: f32| if v.is_nan() { def } else { v.clamp(lo, hi) };
        let threshold_db = pick(threshold_db, MIN_THRESHOLD_DB, MAX_THRESHOLD_DB, 0.0);
        let knee_db = pick(knee_db, 0.0, MAX_KNEE_DB, 0.0);
        let ratio = pick(ratio, MIN_RATIO, f32::INFINITY, 1.0);
        let range_db = pick(range_db, 0.0, MAX_RANGE_DB, MAX_RANGE_DB);
        Self::from_slope(threshold_db, 1.0 / ratio - 1.0, knee_db, range_db, side)
    }

    /// A curve from the slope `1/R − 1` directly (used by smoothed parameter paths,
    /// which ramp `1/R`); no clamping beyond `knee_db ≥ 0`.
    pub fn from_slope(
        threshold_db: f32,
        slope: f32,
        knee_db: f32,
        range_db: f32,
        side: CurveSide,
    ) -> Self {
        let knee_db = knee_db.max(0.0);
        Self {
            threshold_db,
            half_knee_db: 0.5 * knee_db,
            knee_db,
            inv_two_knee: if knee_db > 0.0 { 0.5 / knee_db } else { 0.0 },
            slope,
            range_db: range_db.max(0.0),
            side,
        }
    }

    /// Gain change in dB for an input level `level_db` (the static curve).
    #[inline(always)]
    pub fn gain_db(&self, level_db: f32) -> f32 {
        let d = level_db - self.threshold_db;
        let d = match self.side {
            CurveSide::Above => d,
            CurveSide::Below => -d,
        };
        let z = (d + self.half_knee_db).clamp(0.0, self.knee_db);
        let g = self.slope * (z * z * self.inv_two_knee + (d - self.half_knee_db).max(0.0));
        let g = match self.side {
            CurveSide::Above => g,
            CurveSide::Below => -g,
        };
        g.clamp(-self.range_db, self.range_db)
    }

    /// [`GainCurve::gain_db`] over a block (`min` length); auto-vectorised.
    pub fn process(&self, levels_db: &[f32], gains_db: &mut [f32]) {
        for (g, &x) in gains_db.iter_mut().zip(levels_db) {
            *g = self.gain_db(x);
        }
    }

    /// Threshold in dB.
    pub fn threshold_db(&self) -> f32 {
        self.threshold_db
    }

    /// Knee width in dB.
    pub fn knee_db(&self) -> f32 {
        self.knee_db
    }

    /// `1/R − 1`.
    pub fn slope(&self) -> f32 {
        self.slope
    }

    /// Range in dB.
    pub fn range_db(&self) -> f32 {
        self.range_db
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Giannoulis et al. eq. (4), written out literally (f64), returning `y − x`.
    fn reference(x: f64, t: f64, r: f64, w: f64) -> f64 {
        let y = if 2.0 * (x - t) < -w {
            x
        } else if 2.0 * (x - t).abs() <= w {
            x + (1.0 / r - 1.0) * (x - t + w / 2.0).powi(2) / (2.0 * w)
        } else {
            t + (x - t) / r
        };
        y - x
    }

    #[test]
    fn static_curve_matches_eq4_on_a_grid() {
        let mut worst = 0.0_f64;
        for t in [-60.0, -30.0, -12.0, 0.0] {
            for r in [0.25, 0.5, 1.0, 1.5, 2.0, 4.0, 10.0, 100.0, f64::INFINITY] {
                for w in [0.0, 0.5, 6.0, 12.0, 24.0] {
                    let c = GainCurve::new(
                        t as f32,
                        r as f32,
                        w as f32,
                        MAX_RANGE_DB,
                        CurveSide::Above,
                    );
                    let b = GainCurve::new(
                        t as f32,
                        r as f32,
                        w as f32,
                        MAX_RANGE_DB,
                        CurveSide::Below,
                    );
                    for i in 0..=400 {
                        let x = -100.0 + 0.3 * i as f64;
                        // The full range (120 dB) clamps the steepest expansions.
                        let want = reference(x, t, r, w).clamp(-120.0, 120.0);
                        worst = worst.max((c.gain_db(x as f32) as f64 - want).abs());
                        // Below: the mirror image about the threshold.
                        let want_b = (-reference(2.0 * t - x, t, r, w)).clamp(-120.0, 120.0);
                        worst = worst.max((b.gain_db(x as f32) as f64 - want_b).abs());
                    }
                }
            }
        }
        assert!(worst < 1e-4, "worst {worst} dB");
    }

    #[test]
    fn below_side_is_upward_compression_and_downward_expansion() {
        // 2:1 below −40 dB: −60 dB in → −50 dB out (+10 dB).
        let up = GainCurve::new(-40.0, 2.0, 0.0, 60.0, CurveSide::Below);
        assert!((up.gain_db(-60.0) - 10.0).abs() < 1e-5);
        assert_eq!(up.gain_db(-20.0), 0.0);
        // 1:2 below −40 dB: −50 dB in → −60 dB out (−10 dB).
        let down = GainCurve::new(-40.0, 0.5, 0.0, 60.0, CurveSide::Below);
        assert!((down.gain_db(-50.0) + 10.0).abs() < 1e-5);
    }

    #[test]
    fn range_clamps_and_block_equals_scalar() {
        let c = GainCurve::new(-40.0, f32::INFINITY, 6.0, 12.0, CurveSide::Above);
        assert_eq!(c.gain_db(0.0), -12.0);
        assert!(
            (c.gain_db(-37.0) - reference(-37.0, -40.0, f64::INFINITY, 6.0) as f32).abs() < 1e-5
        );
        let e = GainCurve::new(-40.0, 0.25, 0.0, 12.0, CurveSide::Above);
        assert_eq!(e.gain_db(0.0), 12.0);
        let levels: Vec<f32> = (0..500).map(|i| -100.0 + 0.25 * i as f32).collect();
        let mut block = vec![0.0; 500];
        c.process(&levels, &mut block);
        let scalar: Vec<f32> = levels.iter().map(|&x| c.gain_db(x)).collect();
        assert_eq!(block, scalar);
        // Hostile settings are clamped, never NaN.
        let h = GainCurve::new(f32::NAN, f32::NAN, f32::NAN, f32::NAN, CurveSide::Above);
        assert_eq!(h.gain_db(0.0), 0.0);
        assert_eq!(
            GainCurve::new(0.0, 0.0, -5.0, 1e9, CurveSide::Above).range_db(),
            MAX_RANGE_DB
        );
    }
}
