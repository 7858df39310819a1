//! Decibel helpers: amplitude decibels, `dB = 20·log10(|gain|)` (IEC 60027-3 field
//! quantity convention), floored at [`MINUS_INFINITY_DB`] so that silence has a finite,
//! comparable value for meters and parameter displays.

/// The floor used for "minus infinity": `gain_to_db(0.0)` returns this, and
/// `db_to_gain(MINUS_INFINITY_DB)` (or anything below) returns exactly `0.0`.
pub const MINUS_INFINITY_DB: f32 = -200.0;

/// Linear gain that corresponds to [`MINUS_INFINITY_DB`] (`10^(-200/20)`); anything at or
/// below it reads as minus infinity.
pub const MINUS_INFINITY_GAIN: f32 = 1e-10;

/// Converts decibels to a linear amplitude gain. Values at or below [`MINUS_INFINITY_DB`]
/// (and NaN) give exactly `0.0`; `0 dB` gives exactly `1.0`.
#[inline]
pub fn db_to_gain(gain_db: f32) -> f32 {
    if gain_db > MINUS_INFINITY_DB {
        10.0_f32.powf(gain_db * 0.05)
    } else {
        0.0
    }
}

/// Converts a linear amplitude gain (sign ignored) to decibels, floored at
/// [`MINUS_INFINITY_DB`]; NaN reads as minus infinity.
#[inline]
pub fn gain_to_db(gain: f32) -> f32 {
    let magnitude = gain.abs();
    if magnitude > MINUS_INFINITY_GAIN {
        20.0 * magnitude.log10()
    } else {
        MINUS_INFINITY_DB
    }
}

/// `f64` version of [`db_to_gain`], for coefficient design.
#[inline]
pub fn db_to_gain_f64(gain_db: f64) -> f64 {
    if gain_db > MINUS_INFINITY_DB as f64 {
        10.0_f64.powf(gain_db * 0.05)
    } else {
        0.0
    }
}

/// `f64` version of [`gain_to_db`], for measurements in tests and GUI curves.
#[inline]
pub fn gain_to_db_f64(gain: f64) -> f64 {
    let magnitude = gain.abs();
    if magnitude > MINUS_INFINITY_GAIN as f64 {
        20.0 * magnitude.log10()
    } else {
        MINUS_INFINITY_DB as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_reference_points() {
        assert_eq!(db_to_gain(0.0), 1.0);
        assert_eq!(gain_to_db(1.0), 0.0);
        // 20·log10(2) = 6.0206 dB.
        assert!((gain_to_db(2.0) - 6.020_6).abs() < 1e-3);
        assert!((db_to_gain(-6.020_6) - 0.5).abs() < 1e-4);
        for i in -190..=40 {
            let db = i as f32 + 0.25;
            let back = gain_to_db(db_to_gain(db));
            assert!((back - db).abs() < 1e-3, "{db} -> {back}");
        }
    }

    #[test]
    fn floors() {
        assert_eq!(gain_to_db(0.0), MINUS_INFINITY_DB);
        assert_eq!(gain_to_db(f32::NAN), MINUS_INFINITY_DB);
        assert_eq!(db_to_gain(MINUS_INFINITY_DB), 0.0);
        assert_eq!(db_to_gain(-1000.0), 0.0);
        assert_eq!(db_to_gain(f32::NAN), 0.0);
        assert_eq!(gain_to_db(-0.5), gain_to_db(0.5));
        assert_eq!(gain_to_db_f64(0.0), MINUS_INFINITY_DB as f64);
        assert!((db_to_gain_f64(20.0) - 10.0).abs() < 1e-12);
    }
}
