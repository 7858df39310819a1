//! Parameter builders and shared choices of the dynamics plugins (Compressor, Ducker,
//! Multiband): times in ms on skewed ranges, frequencies in Hz/kHz, shares in percent;
//! detection, stereo mode and key source. Display and parsing round-trip exactly
//! (text → value → text is stable, as clap-validator's `param-conversions` checks): the
//! decimals switch where the ROUNDED value crosses a decade.

use nice_plug::prelude::{formatters, Enum, FloatParam, FloatRange};
use std::sync::Arc;

/// A time in ms on a skewed range, shown as "0.05 ms", "4.2 ms", "120 ms"; parses "1.5 s".
pub fn time_param(name: &str, default: f32, min: f32, max: f32, skew: f32) -> FloatParam {
    FloatParam::new(
        name,
        default,
        FloatRange::Skewed {
            min,
            max,
            factor: FloatRange::skew_factor(skew),
        },
    )
    .with_unit(" ms")
    .with_value_to_string(Arc::new(format_ms))
    .with_string_to_value(Arc::new(parse_ms))
}

/// "0.05", "4.2", "120" (nice-plug appends the " ms" unit). The decimals switch where the
/// ROUNDED value crosses 1 and 10, so text → value → text is stable (0.999 shows "1.0").
pub fn format_ms(v: f32) -> String {
    if v < 0.995 {
        format!("{v:.2}")
    } else if v < 9.95 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

/// "12", "12 ms", "1.5 s" → ms.
pub fn parse_ms(s: &str) -> Option<f32> {
    let t = s.trim().to_ascii_lowercase();
    if let Some(sec) = t.strip_suffix('s').filter(|r| !r.ends_with('m')) {
        return sec.trim().parse::<f32>().ok().map(|v| v * 1000.0);
    }
    t.trim_end_matches("ms").trim().parse().ok()
}

/// A frequency on a skewed 10 Hz..20 kHz range, shown as "80.0 Hz", "120 Hz", "12.00 kHz".
pub fn freq_param(name: &str, default: f32) -> FloatParam {
    freq_param_in(name, default, 10.0, 20_000.0, -2.5)
}

/// A frequency on a skewed `min..max` range (same display and parsing as [`freq_param`]).
pub fn freq_param_in(name: &str, default: f32, min: f32, max: f32, skew: f32) -> FloatParam {
    FloatParam::new(
        name,
        default,
        FloatRange::Skewed {
            min,
            max,
            factor: FloatRange::skew_factor(skew),
        },
    )
    .with_value_to_string(Arc::new(format_hz))
    .with_string_to_value(Arc::new(parse_hz))
}

/// Hz below 1 kHz, kHz above; decimals switch on the rounded value (stable round trips).
pub fn format_hz(v: f32) -> String {
    if v < 99.95 {
        format!("{v:.1} Hz")
    } else if v < 999.5 {
        format!("{v:.0} Hz")
    } else {
        format!("{:.2} kHz", v / 1000.0)
    }
}

/// "80", "80 Hz", "2k", "2.5 kHz" → Hz.
pub fn parse_hz(s: &str) -> Option<f32> {
    let t = s.trim().to_ascii_lowercase();
    let t = t.trim_end_matches("hz").trim();
    match t.strip_suffix('k') {
        Some(k) => k.trim().parse::<f32>().ok().map(|v| v * 1000.0),
        None => t.parse().ok(),
    }
}

/// A 0..1 share shown in percent.
pub fn percent_param(name: &str, default: f32) -> FloatParam {
    FloatParam::new(name, default, FloatRange::Linear { min: 0.0, max: 1.0 })
        .with_unit(" %")
        .with_step_size(0.001)
        .with_value_to_string(formatters::v2s_f32_percentage(0))
        .with_string_to_value(formatters::s2v_f32_percentage())
}

/// Peak or RMS detection. Variant order is part of the saved state: append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectionParam {
    #[id = "peak"]
    #[name = "Peak"]
    Peak,
    #[id = "rms"]
    #[name = "RMS"]
    Rms,
}

/// Left/right or mid/side detection and gain. Append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StereoParam {
    #[id = "lr"]
    #[name = "L/R"]
    LeftRight,
    #[id = "ms"]
    #[name = "M/S"]
    MidSide,
}

/// Where a keyed plugin's detector listens. Append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceParam {
    /// The main input.
    #[id = "int"]
    #[name = "Internal"]
    Internal,
    /// The sidechain input when the host connects one, else the main input.
    #[id = "ext"]
    #[name = "External"]
    External,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_frequencies_parse_and_format() {
        assert_eq!(parse_ms("12"), Some(12.0));
        assert_eq!(parse_ms("12 ms"), Some(12.0));
        assert_eq!(parse_ms("1.5 s"), Some(1500.0));
        assert_eq!(format_ms(0.05), "0.05");
        assert_eq!(format_ms(4.25), "4.2");
        assert_eq!(format_ms(120.0), "120");
        assert_eq!(format_ms(0.999_99), "1.0");
        assert_eq!(parse_hz("2.5 kHz"), Some(2500.0));
        assert_eq!(parse_hz("80"), Some(80.0));
        assert_eq!(format_hz(999.6), "1.00 kHz");
    }
}
