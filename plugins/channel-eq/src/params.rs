//! The Channel EQ's parameters. IDs are short and never renamed: saved projects and
//! automation lanes refer to them. The eight bands are a nested array (IDs `on_1` …
//! `solo_8`), the cuts carry the prefixes `lc_` and `hc_`. Smoothing happens in
//! `dsp-core` (the processor ramps frequency, gain, Q and output gain and cross-fades the
//! switches), so none of these carries a nice-plug smoother.

use dsp_core::eq::{
    BandSettings, BandType, CutSlope, EqSettings, Routing, MAX_CUT_Q, MAX_FREQ_HZ, MAX_GAIN_DB,
    MAX_Q, MIN_CUT_Q, MIN_FREQ_HZ, MIN_Q, NUM_BANDS,
};
use lacquer_kit::params::{bool_param, gain_db_param, output_gain_param};
use nice_plug::prelude::*;
use std::sync::Arc;

/// Parametric bands (the low and high cut come on top).
pub const PARAMETRIC_BANDS: usize = 8;
/// Index of the low cut in [`EqSettings::bands`].
pub const LOW_CUT: usize = 8;
/// Index of the high cut.
pub const HIGH_CUT: usize = 9;

/// Default frequencies of the eight bands, spread over the spectrum.
pub const DEFAULT_FREQS_HZ: [f32; PARAMETRIC_BANDS] =
    [60.0, 150.0, 400.0, 1000.0, 2500.0, 5000.0, 9000.0, 14_000.0];

/// Band shape as the host sees it. Variant order is part of the saved state: append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeParam {
    #[id = "bell"]
    #[name = "Bell"]
    Bell,
    #[id = "lshelf"]
    #[name = "Low Shelf"]
    LowShelf,
    #[id = "hshelf"]
    #[name = "High Shelf"]
    HighShelf,
    #[id = "lcut"]
    #[name = "Low Cut"]
    LowCut,
    #[id = "hcut"]
    #[name = "High Cut"]
    HighCut,
    #[id = "notch"]
    #[name = "Notch"]
    Notch,
    #[id = "bpass"]
    #[name = "Band Pass"]
    BandPass,
    #[id = "tilt"]
    #[name = "Tilt Shelf"]
    Tilt,
    #[id = "apass"]
    #[name = "All Pass"]
    AllPass,
}

impl TypeParam {
    /// The processor's type.
    pub fn dsp(self) -> BandType {
        BandType::ALL[self as usize]
    }
}

/// Cut slope. Variant order is part of the saved state: append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlopeParam {
    #[id = "6"]
    #[name = "6 dB/oct"]
    Db6,
    #[id = "12"]
    #[name = "12 dB/oct"]
    Db12,
    #[id = "18"]
    #[name = "18 dB/oct"]
    Db18,
    #[id = "24"]
    #[name = "24 dB/oct"]
    Db24,
    #[id = "36"]
    #[name = "36 dB/oct"]
    Db36,
    #[id = "48"]
    #[name = "48 dB/oct"]
    Db48,
    #[id = "72"]
    #[name = "72 dB/oct"]
    Db72,
    #[id = "96"]
    #[name = "96 dB/oct"]
    Db96,
}

impl SlopeParam {
    /// The processor's slope.
    pub fn dsp(self) -> CutSlope {
        CutSlope::ALL[self as usize]
    }
}

/// Channel routing. Variant order is part of the saved state: append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoutingParam {
    #[id = "stereo"]
    #[name = "Stereo"]
    Stereo,
    #[id = "left"]
    #[name = "Left"]
    Left,
    #[id = "right"]
    #[name = "Right"]
    Right,
    #[id = "mid"]
    #[name = "Mid"]
    Mid,
    #[id = "side"]
    #[name = "Side"]
    Side,
}

impl RoutingParam {
    /// The processor's routing.
    pub fn dsp(self) -> Routing {
        Routing::ALL[self as usize]
    }
}

/// One parametric band.
#[derive(Params)]
pub struct BandParams {
    /// Band on.
    #[id = "on"]
    pub on: BoolParam,
    /// Shape.
    #[id = "type"]
    pub band_type: EnumParam<TypeParam>,
    /// Centre / corner frequency.
    #[id = "freq"]
    pub freq_hz: FloatParam,
    /// Gain (bell, shelves, tilt).
    #[id = "gain"]
    pub gain_db: FloatParam,
    /// Bandwidth, shelf slope or cut resonance.
    #[id = "q"]
    pub q: FloatParam,
    /// Slope when the type is a cut.
    #[id = "slope"]
    pub slope: EnumParam<SlopeParam>,
    /// Channels filtered.
    #[id = "route"]
    pub routing: EnumParam<RoutingParam>,
    /// Listen to what this band touches.
    #[id = "solo"]
    pub solo: BoolParam,
}

impl BandParams {
    /// Band `index` (0-based) with its default type and frequency.
    fn new(index: usize) -> Self {
        let n = index + 1;
        let band_type = match index {
            0 => TypeParam::LowShelf,
            i if i == PARAMETRIC_BANDS - 1 => TypeParam::HighShelf,
            _ => TypeParam::Bell,
        };
        Self {
            on: bool_param(&format!("Band {n} On"), false),
            band_type: EnumParam::new(format!("Band {n} Type"), band_type),
            freq_hz: freq_param(&format!("Band {n} Freq"), DEFAULT_FREQS_HZ[index]),
            gain_db: gain_db_param(&format!("Band {n} Gain"), 0.0, -MAX_GAIN_DB, MAX_GAIN_DB),
            q: q_param(&format!("Band {n} Q"), MIN_Q, MAX_Q),
            slope: EnumParam::new(format!("Band {n} Slope"), SlopeParam::Db24),
            routing: EnumParam::new(format!("Band {n} Routing"), RoutingParam::Stereo),
            solo: bool_param(&format!("Band {n} Solo"), false),
        }
    }

    /// The processor's band.
    fn settings(&self) -> BandSettings {
        BandSettings {
            enabled: self.on.value(),
            band_type: self.band_type.value().dsp(),
            freq_hz: self.freq_hz.value(),
            gain_db: self.gain_db.value(),
            q: self.q.value(),
            slope: self.slope.value().dsp(),
            routing: self.routing.value().dsp(),
            solo: self.solo.value(),
        }
    }
}

/// The low or the high cut.
#[derive(Params)]
pub struct CutParams {
    /// Cut on.
    #[id = "on"]
    pub on: BoolParam,
    /// Corner frequency.
    #[id = "freq"]
    pub freq_hz: FloatParam,
    /// Slope.
    #[id = "slope"]
    pub slope: EnumParam<SlopeParam>,
    /// Resonance (0.707 = Butterworth; 12 dB/oct and steeper).
    #[id = "q"]
    pub q: FloatParam,
}

impl CutParams {
    /// The low (`high = false`) or high cut.
    fn new(high: bool) -> Self {
        let name = if high { "High Cut" } else { "Low Cut" };
        Self {
            on: bool_param(&format!("{name} On"), false),
            freq_hz: freq_param(&format!("{name} Freq"), if high { 18_000.0 } else { 30.0 }),
            slope: EnumParam::new(format!("{name} Slope"), SlopeParam::Db24),
            q: q_param(&format!("{name} Q"), MIN_CUT_Q, MAX_CUT_Q),
        }
    }

    /// The processor's band.
    fn settings(&self, high: bool) -> BandSettings {
        BandSettings {
            enabled: self.on.value(),
            band_type: if high {
                BandType::HighCut
            } else {
                BandType::LowCut
            },
            freq_hz: self.freq_hz.value(),
            gain_db: 0.0,
            q: self.q.value(),
            slope: self.slope.value().dsp(),
            routing: Routing::Stereo,
            solo: false,
        }
    }
}

/// Every parameter of Lacquer Channel EQ, plus the editor's persisted window state.
#[derive(Params)]
pub struct EqParams {
    /// Editor size and scale, saved with the project.
    #[persist = "editor-state"]
    pub editor_state: Arc<lacquer_kit::EditorState>,
    /// A/B compare slots, saved with the project.
    #[persist = "ab"]
    pub ab: Arc<lacquer_kit::AbState>,

    /// The eight parametric bands.
    #[nested(array, group = "Band")]
    pub bands: [BandParams; PARAMETRIC_BANDS],
    /// The low cut.
    #[nested(id_prefix = "lc", group = "Low Cut")]
    pub low_cut: CutParams,
    /// The high cut.
    #[nested(id_prefix = "hc", group = "High Cut")]
    pub high_cut: CutParams,
    /// Output gain in dB.
    #[id = "out"]
    pub output_gain_db: FloatParam,
    /// Hold the long-term loudness while bands boost or cut.
    #[id = "agc"]
    pub auto_gain: BoolParam,
    /// Host bypass: every band off and 0 dB, reached through the processor's cross-fade
    /// and ramps (bit-transparent once there).
    #[id = "bypass"]
    pub bypass: BoolParam,
}

/// A frequency on a skewed 10 Hz..22 kHz range, shown as "80.0 Hz", "120 Hz", "12.00 kHz".
fn freq_param(name: &str, default: f32) -> FloatParam {
    FloatParam::new(
        name,
        default,
        FloatRange::Skewed {
            min: MIN_FREQ_HZ,
            max: MAX_FREQ_HZ,
            factor: FloatRange::skew_factor(-2.5),
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

/// Q on a skewed `min..max` range, two decimals.
fn q_param(name: &str, min: f32, max: f32) -> FloatParam {
    FloatParam::new(
        name,
        std::f32::consts::FRAC_1_SQRT_2,
        FloatRange::Skewed {
            min,
            max,
            factor: FloatRange::skew_factor(-2.0),
        },
    )
    .with_value_to_string(formatters::v2s_f32_rounded(2))
}

impl Default for EqParams {
    fn default() -> Self {
        Self {
            editor_state: lacquer_kit::EditorState::new(
                crate::editor::WIDTH,
                crate::editor::HEIGHT,
            ),
            ab: lacquer_kit::AbState::new(),
            bands: std::array::from_fn(BandParams::new),
            low_cut: CutParams::new(false),
            high_cut: CutParams::new(true),
            output_gain_db: output_gain_param(),
            auto_gain: bool_param("Auto Gain", false),
            bypass: bool_param("Bypass", false).make_bypass(),
        }
    }
}

impl EqParams {
    /// Read every parameter once and build the processor's settings (once per sub-block).
    /// Bypass: every band off, 0 dB, no auto gain (the processor fades there).
    pub fn settings(&self) -> EqSettings {
        let mut s = self.target_settings();
        if self.bypass.value() {
            for b in &mut s.bands {
                b.enabled = false;
            }
            s.output_gain_db = 0.0;
            s.auto_gain = false;
        }
        s
    }

    /// The settings without bypass (the editor's curve).
    pub fn target_settings(&self) -> EqSettings {
        let mut bands = [BandSettings::default(); NUM_BANDS];
        for (b, p) in bands.iter_mut().zip(&self.bands) {
            *b = p.settings();
        }
        bands[LOW_CUT] = self.low_cut.settings(false);
        bands[HIGH_CUT] = self.high_cut.settings(true);
        EqSettings {
            bands,
            output_gain_db: self.output_gain_db.value(),
            auto_gain: self.auto_gain.value(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// text → value → text is stable (clap-validator's `param-conversions` checks this).
    #[test]
    fn displays_round_trip() {
        let p = EqParams::default();
        for param in [
            &p.bands[0].freq_hz,
            &p.bands[0].q,
            &p.low_cut.q,
            &p.high_cut.freq_hz,
        ] {
            for i in 0..=2000 {
                let v = i as f32 / 2000.0;
                let text = param.normalized_value_to_string(v, true);
                let back = param
                    .string_to_normalized_value(&text)
                    .unwrap_or_else(|| panic!("{}: {text:?} does not parse", param.name()));
                let again = param.normalized_value_to_string(back, true);
                assert_eq!(text, again, "{} at {v}", param.name());
            }
        }
        assert_eq!(parse_hz("2.5 kHz"), Some(2500.0));
        assert_eq!(parse_hz("80"), Some(80.0));
    }

    #[test]
    fn defaults_are_transparent_and_bypass_turns_everything_off() {
        let p = EqParams::default();
        let s = p.settings();
        assert!(s.bands.iter().all(|b| !b.enabled));
        assert_eq!(s.output_gain_db, 0.0);
        assert_eq!(s.bands[LOW_CUT].band_type, BandType::LowCut);
        assert_eq!(s.bands[HIGH_CUT].band_type, BandType::HighCut);
        assert_eq!(TypeParam::Tilt.dsp(), BandType::Tilt);
        assert_eq!(SlopeParam::Db96.dsp(), CutSlope::Db96);
        assert_eq!(RoutingParam::Side.dsp(), Routing::Side);
    }
}
