//! Parameter builders every Lacquer plugin shares, so the same kind of control reads, parses
//! and steps the same way in every plugin and every host.

use crate::units::{s2v_bool_strict, v2s_bool_on_off};
use nice_plug::prelude::{BoolParam, FloatParam, FloatRange};

/// The range of every plugin's output (make-up) gain, in dB.
pub const OUTPUT_GAIN_RANGE_DB: (f32, f32) = (-24.0, 24.0);

/// An on/off parameter that shows "On"/"Off" and rejects text it does not understand
/// (nice-plug's default would read any unknown text as "off").
pub fn bool_param(name: &str, default: bool) -> BoolParam {
    BoolParam::new(name, default)
        .with_value_to_string(v2s_bool_on_off())
        .with_string_to_value(s2v_bool_strict())
}

/// A gain in dB over `min_db..=max_db`, 0.1 dB steps, shown as "-3.5 dB".
pub fn gain_db_param(name: &str, default_db: f32, min_db: f32, max_db: f32) -> FloatParam {
    FloatParam::new(
        name,
        default_db,
        FloatRange::Linear {
            min: min_db,
            max: max_db,
        },
    )
    .with_unit(" dB")
    .with_step_size(0.1)
}

/// The output gain every Lacquer plugin ends with: ±24 dB, default 0 dB.
pub fn output_gain_param() -> FloatParam {
    let (min_db, max_db) = OUTPUT_GAIN_RANGE_DB;
    gain_db_param("Output", 0.0, min_db, max_db)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nice_plug::prelude::Param;

    #[test]
    fn output_gain_reads_and_parses_in_db() {
        let p = output_gain_param();
        assert_eq!(p.default_plain_value(), 0.0);
        let half = p.preview_normalized(-6.0);
        assert_eq!(p.normalized_value_to_string(half, true), "-6.0 dB");
        let parsed = p.string_to_normalized_value("-6.0").unwrap();
        assert!((p.preview_plain(parsed) + 6.0).abs() < 1e-6);
        assert_eq!(p.preview_plain(0.0), -24.0);
        assert_eq!(p.preview_plain(1.0), 24.0);
    }

    #[test]
    fn bool_param_rejects_garbage() {
        let p = bool_param("On", false);
        assert_eq!(p.string_to_normalized_value("On"), Some(1.0));
        assert_eq!(p.string_to_normalized_value("off"), Some(0.0));
        assert_eq!(p.string_to_normalized_value("maybe"), None);
        assert_eq!(p.normalized_value_to_string(1.0, true), "On");
    }
}
