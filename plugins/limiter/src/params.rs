//! The Limiter's parameters. IDs are short and never renamed: saved projects and
//! automation lanes refer to them.
//!
//! Smoothing, chosen per parameter: `dsp_core::Limiter` ramps input gain and ceiling
//! (logarithmically, 20 ms) and the bypass itself, so they carry no smoother here. Release
//! and stereo link shape an already smooth gain signal and apply at once. Lookahead changes
//! the latency (the window restarts conservatively, never letting a peak through);
//! oversampling, dither and bits switch. The loudness target and the output lock only
//! affect the editor and the target readout.

use dsp_core::dither::{DitherBits, DitherMode};
use dsp_core::limiter::{
    LimiterSettings, MAX_INPUT_GAIN_DB, MAX_LOOKAHEAD_MS, MAX_RELEASE_MS, MIN_CEILING_DB,
    MIN_LOOKAHEAD_MS, MIN_RELEASE_MS,
};
use dsp_core::oversampler::OversamplingFactor;
use lacquer_kit::params::{bool_param, gain_db_param};
use nice_plug::prelude::*;
use std::sync::Arc;

/// Detection oversampling. Variant order is part of the saved state: append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OversamplingParam {
    #[id = "4x"]
    #[name = "4x"]
    X4,
    #[id = "8x"]
    #[name = "8x"]
    X8,
}

/// Output dither. Append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DitherParam {
    #[id = "off"]
    #[name = "Off"]
    Off,
    #[id = "tpdf"]
    #[name = "TPDF"]
    Tpdf,
    #[id = "shaped"]
    #[name = "Shaped"]
    Shaped,
}

/// Dither word length. Append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitsParam {
    #[id = "16"]
    #[name = "16 bit"]
    Bits16,
    #[id = "24"]
    #[name = "24 bit"]
    Bits24,
}

/// Loudness target. Append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetParam {
    /// Streaming (Spotify, YouTube, Tidal…).
    #[id = "m14"]
    #[name = "-14 LUFS"]
    Minus14,
    /// Apple Music, podcasts.
    #[id = "m16"]
    #[name = "-16 LUFS"]
    Minus16,
    /// EBU R128 broadcast.
    #[id = "m23"]
    #[name = "-23 LUFS"]
    Minus23,
    /// The custom value.
    #[id = "custom"]
    #[name = "Custom"]
    Custom,
}

/// Every parameter of Lacquer Limiter, plus the editor's persisted state.
#[derive(Params)]
pub struct LimiterParams {
    /// Editor size and scale, saved with the project.
    #[persist = "editor-state"]
    pub editor_state: Arc<lacquer_kit::EditorState>,
    /// A/B compare slots, saved with the project.
    #[persist = "ab"]
    pub ab: Arc<lacquer_kit::AbState>,

    /// Drive into the limiter (dB).
    #[id = "in"]
    pub input_gain_db: FloatParam,
    /// Output ceiling (dBTP): the output's true peak never exceeds it.
    #[id = "ceil"]
    pub ceiling_db: FloatParam,
    /// Release (ms, 63 % of the recovery).
    #[id = "rel"]
    pub release_ms: FloatParam,
    /// Program-dependent release.
    #[id = "arel"]
    pub auto_release: BoolParam,
    /// Lookahead (ms): the attack window, reported as latency.
    #[id = "look"]
    pub lookahead_ms: FloatParam,
    /// Stereo link, 0 (independent) to 1 (linked).
    #[id = "link"]
    pub link: FloatParam,
    /// Detection oversampling.
    #[id = "os"]
    pub oversampling: EnumParam<OversamplingParam>,
    /// Output dither.
    #[id = "dith"]
    pub dither: EnumParam<DitherParam>,
    /// Dither word length.
    #[id = "bits"]
    pub bits: EnumParam<BitsParam>,
    /// Loudness target of the target readout.
    #[id = "target"]
    pub target: EnumParam<TargetParam>,
    /// Custom target (LUFS).
    #[id = "tlufs"]
    pub custom_target_lufs: FloatParam,
    /// Output lock: presets leave ceiling, dither, bits and oversampling alone.
    #[id = "olock"]
    pub output_lock: BoolParam,
    /// Host bypass: glides to the latency-aligned input (bit-transparent once settled).
    #[id = "bypass"]
    pub bypass: BoolParam,
}

/// "0.50", "4.2", "120" (nice-plug appends " ms"); decimals switch on the rounded value.
fn format_ms(v: f32) -> String {
    if v < 0.995 {
        format!("{v:.2}")
    } else if v < 9.95 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

/// "12", "12 ms", "0.5 s" → ms.
fn parse_ms(s: &str) -> Option<f32> {
    let t = s.trim().to_ascii_lowercase();
    if let Some(sec) = t.strip_suffix('s').filter(|r| !r.ends_with('m')) {
        return sec.trim().parse::<f32>().ok().map(|v| v * 1000.0);
    }
    t.trim_end_matches("ms").trim().parse().ok()
}

impl Default for LimiterParams {
    fn default() -> Self {
        Self {
            editor_state: lacquer_kit::EditorState::new(
                crate::editor::WIDTH,
                crate::editor::HEIGHT,
            ),
            ab: lacquer_kit::AbState::new(),
            input_gain_db: gain_db_param("Input Gain", 0.0, 0.0, MAX_INPUT_GAIN_DB),
            ceiling_db: gain_db_param("Ceiling", -1.0, MIN_CEILING_DB, 0.0).with_unit(" dBTP"),
            release_ms: FloatParam::new(
                "Release",
                100.0,
                FloatRange::Skewed {
                    min: MIN_RELEASE_MS,
                    max: MAX_RELEASE_MS,
                    factor: FloatRange::skew_factor(-2.0),
                },
            )
            .with_unit(" ms")
            .with_value_to_string(Arc::new(format_ms))
            .with_string_to_value(Arc::new(parse_ms)),
            auto_release: bool_param("Auto Release", true),
            lookahead_ms: FloatParam::new(
                "Lookahead",
                5.0,
                FloatRange::Linear {
                    min: MIN_LOOKAHEAD_MS,
                    max: MAX_LOOKAHEAD_MS,
                },
            )
            .with_unit(" ms")
            .with_step_size(0.01)
            .with_value_to_string(Arc::new(format_ms))
            .with_string_to_value(Arc::new(parse_ms)),
            link: FloatParam::new(
                "Stereo Link",
                1.0,
                FloatRange::Linear { min: 0.0, max: 1.0 },
            )
            .with_unit(" %")
            .with_step_size(0.001)
            .with_value_to_string(formatters::v2s_f32_percentage(0))
            .with_string_to_value(formatters::s2v_f32_percentage()),
            oversampling: EnumParam::new("Oversampling", OversamplingParam::X4),
            dither: EnumParam::new("Dither", DitherParam::Off),
            bits: EnumParam::new("Dither Bits", BitsParam::Bits16),
            target: EnumParam::new("Target", TargetParam::Minus14),
            custom_target_lufs: FloatParam::new(
                "Custom Target",
                -14.0,
                FloatRange::Linear {
                    min: -36.0,
                    max: -5.0,
                },
            )
            .with_unit(" LUFS")
            .with_step_size(0.1),
            output_lock: bool_param("Output Lock", false),
            bypass: bool_param("Bypass", false).make_bypass(),
        }
    }
}

impl LimiterParams {
    /// The processor settings the parameters describe now.
    pub fn settings(&self) -> LimiterSettings {
        LimiterSettings {
            input_gain_db: self.input_gain_db.value(),
            ceiling_db: self.ceiling_db.value(),
            lookahead_ms: self.lookahead_ms.value(),
            release_ms: self.release_ms.value(),
            auto_release: self.auto_release.value(),
            link: self.link.value(),
            oversampling: match self.oversampling.value() {
                OversamplingParam::X4 => OversamplingFactor::X4,
                OversamplingParam::X8 => OversamplingFactor::X8,
            },
            dither: match self.dither.value() {
                DitherParam::Off => DitherMode::Off,
                DitherParam::Tpdf => DitherMode::Tpdf,
                DitherParam::Shaped => DitherMode::NoiseShaped,
            },
            dither_bits: match self.bits.value() {
                BitsParam::Bits16 => DitherBits::Bits16,
                BitsParam::Bits24 => DitherBits::Bits24,
            },
            bypass: self.bypass.value(),
        }
    }

    /// The loudness target in LUFS.
    pub fn target_lufs(&self) -> f32 {
        match self.target.value() {
            TargetParam::Minus14 => -14.0,
            TargetParam::Minus16 => -16.0,
            TargetParam::Minus23 => -23.0,
            TargetParam::Custom => self.custom_target_lufs.value(),
        }
    }
}
