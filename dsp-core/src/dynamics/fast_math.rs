//! Vectorisable approximations of `log2` and `exp2` for the per-sample dB conversions of
//! the dynamics core (J.-M. Muller, "Elementary Functions", 3rd ed., ch. 11: range
//! reduction to the exponent and a short series on the reduced argument).
//!
//! `log2`: `x = 2^e·m`, `m ∈ [√½, √2)`, `log2 m = (2/ln 2)·atanh t`, `t = (m−1)/(m+1)`,
//! `|t| ≤ 0.1716`, series to `t⁷` (truncation ≤ 5e-8). `exp2`: `x = i + f`,
//! `i = round(x)`, `|f| ≤ ½`, `2^f = e^{f·ln 2}`, Taylor to the 6th power (≤ 2e-7
//! relative). No branches,
//! no table: loops over them auto-vectorise. Tested against `std` over the whole range.

/// `10·log10(2)`: dB per octave of power.
pub const DB_PER_LOG2_POWER: f32 = 3.010_3;
/// `log2(10)/20`: `2^(dB·this)` is the amplitude gain of `dB`.
pub const LOG2_PER_DB: f32 = 0.166_096_4;

/// `log2(x)` for normal positive `x` (callers keep `x ≥ 1e-30`).
#[inline(always)]
pub fn log2(x: f32) -> f32 {
    let bits = x.to_bits();
    let mut e = ((bits >> 23) & 0xff) as i32 - 127;
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    // Centre the mantissa on 1 (branch-free select).
    let big = m > std::f32::consts::SQRT_2;
    m = if big { m * 0.5 } else { m };
    e += big as i32;
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let series = t * (1.0 + t2 * (1.0 / 3.0 + t2 * (1.0 / 5.0 + t2 * (1.0 / 7.0))));
    e as f32 + 2.0 * std::f32::consts::LOG2_E * series
}

/// `2^x`, `x` clamped to `[−126, 126]`.
#[inline(always)]
pub fn exp2(x: f32) -> f32 {
    // Round to nearest with the 1.5·2²³ trick: the low mantissa bits of `t` hold
    // `round(x)` in two's complement, no float-to-int conversion (which would need
    // saturation checks and stop the loop from vectorising).
    const MAGIC: f32 = 12_582_912.0;
    let x = x.clamp(-126.0, 126.0);
    let t = x + MAGIC;
    let i = t.to_bits().wrapping_sub(MAGIC.to_bits()) as i32;
    let u = (x - (t - MAGIC)) * std::f32::consts::LN_2; // |u| ≤ ln2/2
    let p = 1.0
        + u * (1.0
            + u * (1.0 / 2.0
                + u * (1.0 / 6.0 + u * (1.0 / 24.0 + u * (1.0 / 120.0 + u * (1.0 / 720.0))))));
    p * f32::from_bits(((i + 127) as u32) << 23)
}

/// Power (`x²`, floored at 1e-20 = −200 dB) to dB.
#[inline(always)]
pub fn power_to_db(power: f32) -> f32 {
    DB_PER_LOG2_POWER * log2(power.max(1e-20))
}

/// dB to linear amplitude gain; exactly 1 at 0 dB (so no gain change is bit-transparent).
#[inline(always)]
pub fn db_to_amp(gain_db: f32) -> f32 {
    let g = exp2(gain_db * LOG2_PER_DB);
    if gain_db == 0.0 {
        1.0
    } else {
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_and_exp2_match_std() {
        let mut worst_log = 0.0_f64;
        let mut x = 1e-30_f64;
        while x < 1e30 {
            let got = log2(x as f32) as f64;
            let want = (x as f32 as f64).log2();
            worst_log = worst_log.max((got - want).abs());
            x *= 1.000_37;
        }
        // 1e-5 octaves of power = 3e-5 dB (f32 rounding of results near ±100).
        assert!(worst_log < 1e-5, "log2 error {worst_log}");
        let mut worst_exp = 0.0_f64;
        let mut v = -125.0_f64;
        while v < 125.0 {
            let got = exp2(v as f32) as f64;
            let want = (v as f32 as f64).exp2();
            worst_exp = worst_exp.max((got / want - 1.0).abs());
            v += 0.001_7;
        }
        assert!(worst_exp < 1e-6, "exp2 error {worst_exp}");
        // dB helpers against the textbook definitions (20·log10 |x|, 10^(dB/20)).
        assert_eq!(db_to_amp(0.0), 1.0);
        for db in [-200.0_f32, -60.0, -6.020_6, 0.0, 12.5, 40.0] {
            let amp = 10.0_f64.powf(db as f64 / 20.0);
            assert!((db_to_amp(db) as f64 / amp - 1.0).abs() < 1e-6, "{db}");
            let p = (amp * amp) as f32;
            assert!((power_to_db(p) - db).abs() < 2e-4, "{db}");
        }
    }
}
