//! The Panner's parameters. IDs are short and never renamed: saved projects and automation
//! lanes refer to them. Smoothing is done in `dsp-core` (the processor smooths pan, width and
//! gain itself), so none of these carries a nice-plug smoother.

use dsp_core::{PanLaw, PanMode, PanTaper, PannerSettings};
use lacquer_kit::params::{bool_param, output_gain_param};
use nice_plug::prelude::*;
use std::sync::Arc;

/// The pan mode as the host sees it. Variant order is part of the saved state: append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeParam {
    #[id = "balance"]
    #[name = "Balance"]
    Balance,
    #[id = "stereo"]
    #[name = "Stereo Pan"]
    Stereo,
    #[id = "dual"]
    #[name = "Dual Pan"]
    Dual,
    #[id = "mono"]
    #[name = "Mono Pan"]
    Mono,
}

/// Attenuation of a centred mono source. Variant order is part of the saved state: append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LawParam {
    #[id = "0db"]
    #[name = "0 dB"]
    ZeroDb,
    #[id = "-3db"]
    #[name = "-3 dB"]
    Minus3Db,
    #[id = "-4.5db"]
    #[name = "-4.5 dB"]
    Minus4_5Db,
    #[id = "-6db"]
    #[name = "-6 dB"]
    Minus6Db,
}

/// The shape of the pan curve between centre and the sides.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaperParam {
    #[id = "sincos"]
    #[name = "Sin/Cos"]
    SinCos,
    #[id = "linear"]
    #[name = "Linear"]
    Linear,
}

/// Every parameter of Lacquer Panner, plus the editor's persisted window state.
#[derive(Params)]
pub struct PannerParams {
    /// Editor size and scale; saved with the project so the window reopens as the user left
    /// it. (nice-plug-egui 0.6's `EguiEditorState` is not serializable, so the kit's type is
    /// the persisted one.)
    #[persist = "editor-state"]
    pub editor_state: Arc<lacquer_kit::EditorState>,
    /// A/B compare slots, saved with the project.
    #[persist = "ab"]
    pub ab: Arc<lacquer_kit::AbState>,

    /// Balance, stereo pan (position + width), dual pan or mono pan.
    #[id = "mode"]
    pub mode: EnumParam<ModeParam>,
    /// Balance / stereo position / mono position, -1 (hard left) to +1 (hard right).
    #[id = "pan"]
    pub pan: FloatParam,
    /// Stereo width, 0 (mono) to 2 (200 %); 1 leaves the image as it is.
    #[id = "width"]
    pub width: FloatParam,
    /// Dual pan: where the left input channel is placed.
    #[id = "lpan"]
    pub left_pan: FloatParam,
    /// Dual pan: where the right input channel is placed.
    #[id = "rpan"]
    pub right_pan: FloatParam,
    /// Centre attenuation of the pan law.
    #[id = "law"]
    pub law: EnumParam<LawParam>,
    /// Pan curve shape.
    #[id = "taper"]
    pub taper: EnumParam<TaperParam>,
    /// Keep the centre at unity gain (the sides rise by the law's amount instead).
    #[id = "comp"]
    pub compensated: BoolParam,
    /// Sum the low end to mono below `bass_mono_hz`.
    #[id = "bmono"]
    pub bass_mono: BoolParam,
    /// Bass mono crossover frequency (LR4).
    #[id = "bmfreq"]
    pub bass_mono_hz: FloatParam,
    /// Swap the left and right channels.
    #[id = "swap"]
    pub swap: BoolParam,
    /// Invert the polarity of the left channel.
    #[id = "invl"]
    pub invert_left: BoolParam,
    /// Invert the polarity of the right channel.
    #[id = "invr"]
    pub invert_right: BoolParam,
    /// Output gain in dB.
    #[id = "out"]
    pub output_gain_db: FloatParam,
    /// Host bypass: glides every setting to neutral, which is bit-transparent.
    #[id = "bypass"]
    pub bypass: BoolParam,
}

fn pan_param(name: &str, default: f32) -> FloatParam {
    FloatParam::new(
        name,
        default,
        FloatRange::Linear {
            min: -1.0,
            max: 1.0,
        },
    )
    .with_step_size(0.01)
    .with_value_to_string(formatters::v2s_f32_panning())
    .with_string_to_value(formatters::s2v_f32_panning())
}

impl Default for PannerParams {
    fn default() -> Self {
        Self {
            editor_state: lacquer_kit::EditorState::new(
                crate::editor::WIDTH,
                crate::editor::HEIGHT,
            ),
            ab: lacquer_kit::AbState::new(),
            mode: EnumParam::new("Mode", ModeParam::Stereo),
            pan: pan_param("Pan", 0.0),
            width: FloatParam::new("Width", 1.0, FloatRange::Linear { min: 0.0, max: 2.0 })
                .with_unit(" %")
                .with_step_size(0.001)
                .with_value_to_string(formatters::v2s_f32_percentage(0))
                .with_string_to_value(formatters::s2v_f32_percentage()),
            left_pan: pan_param("Left Pan", -1.0),
            right_pan: pan_param("Right Pan", 1.0),
            law: EnumParam::new("Pan Law", LawParam::Minus3Db),
            taper: EnumParam::new("Taper", TaperParam::SinCos),
            compensated: bool_param("Compensated", false),
            bass_mono: bool_param("Bass Mono", false),
            bass_mono_hz: FloatParam::new(
                "Bass Mono Freq",
                120.0,
                FloatRange::Skewed {
                    min: 20.0,
                    max: 500.0,
                    factor: FloatRange::skew_factor(-1.0),
                },
            )
            .with_unit(" Hz")
            .with_step_size(1.0),
            swap: bool_param("Swap L/R", false),
            invert_left: bool_param("Invert Left", false),
            invert_right: bool_param("Invert Right", false),
            output_gain_db: output_gain_param(),
            bypass: bool_param("Bypass", false).make_bypass(),
        }
    }
}

impl PannerParams {
    /// Read every parameter once and build the processor's settings (once per sub-block).
    pub fn settings(&self) -> PannerSettings {
        if self.bypass.value() {
            return PannerSettings::default();
        }
        PannerSettings {
            mode: match self.mode.value() {
                ModeParam::Balance => PanMode::Balance,
                ModeParam::Stereo => PanMode::Stereo,
                ModeParam::Dual => PanMode::Dual,
                ModeParam::Mono => PanMode::Mono,
            },
            law: match self.law.value() {
                LawParam::ZeroDb => PanLaw::ZeroDb,
                LawParam::Minus3Db => PanLaw::Minus3Db,
                LawParam::Minus4_5Db => PanLaw::Minus4_5Db,
                LawParam::Minus6Db => PanLaw::Minus6Db,
            },
            taper: match self.taper.value() {
                TaperParam::SinCos => PanTaper::SinCos,
                TaperParam::Linear => PanTaper::Linear,
            },
            compensated: self.compensated.value(),
            pan: self.pan.value(),
            width: self.width.value(),
            left_pan: self.left_pan.value(),
            right_pan: self.right_pan.value(),
            bass_mono: self.bass_mono.value(),
            bass_mono_hz: self.bass_mono_hz.value(),
            swap: self.swap.value(),
            invert_left: self.invert_left.value(),
            invert_right: self.invert_right.value(),
            output_gain_db: self.output_gain_db.value(),
        }
    }
}
