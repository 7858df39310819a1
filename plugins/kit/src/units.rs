//! Typed-value parsing: what an engineer types into a value field ("-3.5 dB", "2k",
//! "250 ms", "1.2 kHz", "0.5 s") turned into a plain parameter value. The parameter's own
//! `string_to_value` is always tried first (see [`string_to_normalized`]); this parser is the
//! fallback that understands unit suffixes and the `k` multiplier for every parameter.

use nice_plug::prelude::Param;

/// Parse `text` as a plain value for a parameter whose display unit is `param_unit`
/// (e.g. `" dB"`, `" ms"`, `" Hz"`). Returns `None` when no number can be found.
///
/// ```
/// use lacquer_kit::units::parse_plain;
/// assert_eq!(parse_plain("-3.5 dB", " dB"), Some(-3.5));
/// assert_eq!(parse_plain("2k", " Hz"), Some(2000.0));
/// assert_eq!(parse_plain("1.5 kHz", " Hz"), Some(1500.0));
/// assert_eq!(parse_plain("250 ms", " ms"), Some(250.0));
/// assert_eq!(parse_plain("0.5 s", " ms"), Some(500.0));
/// assert_eq!(parse_plain("120ms", " s"), Some(0.12));
/// ```
pub fn parse_plain(text: &str, param_unit: &str) -> Option<f64> {
    let lower = text.trim().to_ascii_lowercase().replace(',', ".");
    let unit = param_unit.trim().to_ascii_lowercase();
    // Split into the numeric head and the suffix.
    let split = lower
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || c == '.'
                || ((c == '-' || c == '+') && i == 0)
                || (c == 'e' && is_exponent(&lower, i)))
        })
        .map_or(lower.len(), |(i, _)| i);
    let number: f64 = lower[..split].trim().parse().ok()?;
    let suffix = lower[split..].trim();
    let factor = match suffix {
        "" => 1.0,
        "k" => 1000.0,
        "khz" if unit == "hz" => 1000.0,
        "hz" if unit == "khz" => 0.001,
        "s" | "sec" if unit == "ms" => 1000.0,
        "ms" if unit == "s" => 0.001,
        "%" if unit.is_empty() => 0.01,
        s if s == unit => 1.0,
        // Known units that match the parameter loosely ("db" vs "dbfs", "x" ratios, "%").
        "db" | "dbfs" | "dbtp" | "lu" | "lufs" | "hz" | "ms" | "s" | "%" | "x" | ":1" => 1.0,
        _ => return None,
    };
    let value = number * factor;
    value.is_finite().then_some(value)
}

fn is_exponent(s: &str, i: usize) -> bool {
    // "1e3" is an exponent, "1 e" or a trailing "e" is not.
    i > 0
        && s[..i].chars().last().is_some_and(|c| c.is_ascii_digit())
        && s[i + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '+')
}

/// Turn typed text into a normalized value for `param`: the parameter's own parser first,
/// then [`parse_plain`] with the parameter's unit, then "on"/"off" for two-state parameters.
pub fn string_to_normalized<P: Param>(param: &P, text: &str) -> Option<f32> {
    if let Some(normalized) = param.string_to_normalized_value(text) {
        return Some(normalized.clamp(0.0, 1.0));
    }
    let ptr = param.as_ptr();
    if let Some(plain) = parse_plain(text, param.unit()) {
        // SAFETY: `ptr` comes from a live `&P` borrowed for the whole call.
        let normalized = unsafe { ptr.preview_normalized(plain as f32) };
        return Some(normalized.clamp(0.0, 1.0));
    }
    if param.step_count() == Some(1) {
        return match text.trim().to_ascii_lowercase().as_str() {
            "on" | "yes" | "true" => Some(1.0),
            "off" | "no" | "false" => Some(0.0),
            _ => None,
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use nice_plug::prelude::*;

    #[test]
    fn parses_units_and_multipliers() {
        assert_eq!(parse_plain("-3.5 dB", " dB"), Some(-3.5));
        assert_eq!(parse_plain(" -3.5dB ", " dB"), Some(-3.5));
        assert_eq!(parse_plain("-3,5", " dB"), Some(-3.5));
        assert_eq!(parse_plain("2k", " Hz"), Some(2000.0));
        assert_eq!(parse_plain("2.5K", ""), Some(2500.0));
        assert_eq!(parse_plain("250 ms", " ms"), Some(250.0));
        assert_eq!(parse_plain("1e3", " Hz"), Some(1000.0));
        assert_eq!(parse_plain("50%", ""), Some(0.5));
        assert_eq!(parse_plain("4:1", ""), Some(4.0));
        assert_eq!(parse_plain("abc", " dB"), None);
        assert_eq!(parse_plain("3 furlongs", " dB"), None);
        assert_eq!(parse_plain("", " dB"), None);
    }

    #[test]
    fn falls_back_to_the_kit_parser() {
        let hz = FloatParam::new(
            "Freq",
            100.0,
            FloatRange::Linear {
                min: 20.0,
                max: 20_000.0,
            },
        )
        .with_unit(" Hz");
        let n = string_to_normalized(&hz, "2k").unwrap();
        assert!((hz.preview_plain(n) - 2000.0).abs() < 1e-2);
        let pan = FloatParam::new(
            "Pan",
            0.0,
            FloatRange::Linear {
                min: -1.0,
                max: 1.0,
            },
        )
        .with_value_to_string(formatters::v2s_f32_panning())
        .with_string_to_value(formatters::s2v_f32_panning());
        let n = string_to_normalized(&pan, "32L").unwrap();
        assert!((pan.preview_plain(n) + 0.32).abs() < 1e-6);
        let on = BoolParam::new("On", false);
        assert_eq!(string_to_normalized(&on, "on"), Some(1.0));
    }
}

/// A parameter text parser, as `BoolParam::with_string_to_value` takes it.
pub type StringToBool = std::sync::Arc<dyn Fn(&str) -> Option<bool> + Send + Sync>;
/// A parameter text formatter, as `BoolParam::with_value_to_string` takes it.
pub type BoolToString = std::sync::Arc<dyn Fn(bool) -> String + Send + Sync>;

/// A strict on/off parser for `BoolParam::with_string_to_value`: nice-plug's default reads
/// any unknown text as "off", so a host's text entry (or a typo) silently switched things
/// off. This accepts on/off, true/false, yes/no, 1/0 (any case) and rejects the rest.
pub fn s2v_bool_strict() -> StringToBool {
    std::sync::Arc::new(
        |text: &str| match text.trim().to_ascii_lowercase().as_str() {
            "on" | "true" | "yes" | "1" | "enabled" => Some(true),
            "off" | "false" | "no" | "0" | "disabled" => Some(false),
            _ => None,
        },
    )
}

/// "On"/"Off" display for a `BoolParam`, matching [`s2v_bool_strict`].
pub fn v2s_bool_on_off() -> BoolToString {
    std::sync::Arc::new(|value| if value { "On" } else { "Off" }.to_owned())
}

#[cfg(test)]
mod bool_tests {
    use super::*;

    #[test]
    fn strict_bool_parser_accepts_words_and_rejects_garbage() {
        let parse = s2v_bool_strict();
        for on in ["On", " TRUE ", "yes", "1", "enabled"] {
            assert_eq!(parse(on), Some(true), "{on}");
        }
        for off in ["off", "False", "NO", "0", "disabled"] {
            assert_eq!(parse(off), Some(false), "{off}");
        }
        for garbage in ["", "maybe", "onn", "2", "-1", "nan"] {
            assert_eq!(parse(garbage), None, "{garbage:?}");
        }
        let show = v2s_bool_on_off();
        assert_eq!(parse(&show(true)), Some(true));
        assert_eq!(parse(&show(false)), Some(false));
    }
}
