//! The Loudness meter's parameters. IDs are short and never renamed: saved projects and
//! automation lanes refer to them. None is smoothed: they are read once per block. Only the
//! reference A/B (`ref`, `refslot`) changes the audio, and its player cross-fades every switch.

use crate::reference::ReferenceLibrary;
use dsp_core::loudness::targets::{Target, TARGETS};
use dsp_core::oversampler::OversamplingFactor;
use lacquer_kit::params::bool_param;
use nice_plug::prelude::*;
use std::sync::Arc;

/// Latest loop start the "Ref Start" parameter offers, seconds (a start past a reference's
/// end plays it from the top).
pub const MAX_START_S: f32 = 600.0;

/// The loudness target. Variant order is part of the saved state and matches
/// [`dsp_core::loudness::targets::TARGETS`] (Custom last): append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetParam {
    #[id = "spotify"]
    #[name = "Spotify"]
    Spotify,
    #[id = "apple"]
    #[name = "Apple Music"]
    AppleMusic,
    #[id = "youtube"]
    #[name = "YouTube"]
    YouTube,
    #[id = "tidal"]
    #[name = "Tidal"]
    Tidal,
    #[id = "deezer"]
    #[name = "Deezer"]
    Deezer,
    #[id = "amazon"]
    #[name = "Amazon Music"]
    AmazonMusic,
    #[id = "ebu"]
    #[name = "EBU R128"]
    EbuR128,
    #[id = "atsc"]
    #[name = "ATSC A/85"]
    AtscA85,
    #[id = "custom"]
    #[name = "Custom"]
    Custom,
}

/// The EBU Tech 3341 display scales.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleParam {
    /// −18 … +9 LU around the target.
    #[id = "ebu9"]
    #[name = "EBU +9"]
    Plus9,
    /// −36 … +18 LU around the target.
    #[id = "ebu18"]
    #[name = "EBU +18"]
    Plus18,
}

impl ScaleParam {
    /// (bottom, top) of the scale in LU relative to the target.
    pub fn range_lu(self) -> (f32, f32) {
        match self {
            ScaleParam::Plus9 => (-18.0, 9.0),
            ScaleParam::Plus18 => (-36.0, 18.0),
        }
    }
}

/// Absolute (LUFS) or relative-to-target (LU) readouts.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitParam {
    #[id = "lufs"]
    #[name = "LUFS"]
    Lufs,
    #[id = "lu"]
    #[name = "LU"]
    Lu,
}

/// True-peak oversampling factor.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OversamplingParam {
    #[id = "4x"]
    #[name = "4x"]
    X4,
    #[id = "8x"]
    #[name = "8x"]
    X8,
}

/// Which reference slot the A/B plays. Variant order is part of the saved state.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefSlotParam {
    #[id = "r1"]
    #[name = "1"]
    R1,
    #[id = "r2"]
    #[name = "2"]
    R2,
    #[id = "r3"]
    #[name = "3"]
    R3,
    #[id = "r4"]
    #[name = "4"]
    R4,
    #[id = "r5"]
    #[name = "5"]
    R5,
    #[id = "r6"]
    #[name = "6"]
    R6,
    #[id = "r7"]
    #[name = "7"]
    R7,
    #[id = "r8"]
    #[name = "8"]
    R8,
}

/// Every parameter of Lacquer Loudness, plus the editor's persisted window state.
#[derive(Params)]
pub struct LoudnessParams {
    /// Editor size and scale, saved with the project.
    #[persist = "editor-state"]
    pub editor_state: Arc<lacquer_kit::EditorState>,
    /// A/B compare slots, saved with the project.
    #[persist = "ab"]
    pub ab: Arc<lacquer_kit::AbState>,
    /// The reference tracks, saved by path and reloaded with the project.
    #[persist = "refs"]
    pub references: Arc<ReferenceLibrary>,

    /// The platform or delivery spec the readouts are judged against.
    #[id = "target"]
    pub target: EnumParam<TargetParam>,
    /// Custom target: integrated loudness, LUFS.
    #[id = "tlufs"]
    pub custom_lufs: FloatParam,
    /// Custom target: true-peak ceiling, dBTP.
    #[id = "tceil"]
    pub custom_ceiling_dbtp: FloatParam,
    /// EBU +9 or +18 scale for the bars and the history.
    #[id = "scale"]
    pub scale: EnumParam<ScaleParam>,
    /// Readouts in LUFS or in LU relative to the target.
    #[id = "unit"]
    pub unit: EnumParam<UnitParam>,
    /// Pause the measurement (Tech 3341 §2.2): M and S keep following the signal, nothing
    /// is added to I, LRA or the maxima.
    #[id = "pause"]
    pub pause: BoolParam,
    /// Reset the measurement when the host transport starts playing.
    #[id = "rstplay"]
    pub reset_on_play: BoolParam,
    /// True-peak oversampling, 4x (BS.1770) or 8x.
    #[id = "tpos"]
    pub true_peak_oversampling: EnumParam<OversamplingParam>,
    /// Host bypass. The meter never changes the audio; only the reference A/B does, and bypass
    /// fades it back to the input. Metering goes on either way.
    #[id = "bypass"]
    pub bypass: BoolParam,
    /// Loudness-matched A/B: the output carries the chosen reference instead of the input.
    /// A switch, not smoothed: the player cross-fades every change.
    #[id = "ref"]
    pub reference: BoolParam,
    /// Which reference slot the A/B plays (cross-faded when it changes).
    #[id = "refslot"]
    pub reference_slot: EnumParam<RefSlotParam>,
    /// Where the reference's loop starts, seconds (latched when the reference fades in).
    #[id = "refstart"]
    pub reference_start_s: FloatParam,
    /// The handover view's peak target: headroom is this minus the true-peak maximum.
    #[id = "hdroom"]
    pub headroom_target_dbfs: FloatParam,
}

impl Default for LoudnessParams {
    fn default() -> Self {
        Self {
            editor_state: lacquer_kit::EditorState::new(
                crate::editor::WIDTH,
                crate::editor::HEIGHT,
            ),
            ab: lacquer_kit::AbState::new(),
            target: EnumParam::new("Target", TargetParam::EbuR128),
            custom_lufs: FloatParam::new(
                "Custom Target",
                -23.0,
                FloatRange::Linear {
                    min: -36.0,
                    max: -5.0,
                },
            )
            .with_unit(" LUFS")
            .with_step_size(0.1),
            custom_ceiling_dbtp: FloatParam::new(
                "Custom Ceiling",
                -1.0,
                FloatRange::Linear {
                    min: -9.0,
                    max: 0.0,
                },
            )
            .with_unit(" dBTP")
            .with_step_size(0.1),
            scale: EnumParam::new("Scale", ScaleParam::Plus9),
            unit: EnumParam::new("Unit", UnitParam::Lufs),
            pause: bool_param("Pause", false),
            reset_on_play: bool_param("Reset On Play", false),
            true_peak_oversampling: EnumParam::new("True Peak", OversamplingParam::X4),
            bypass: bool_param("Bypass", false).make_bypass(),
            references: ReferenceLibrary::new(),
            reference: bool_param("Reference", false),
            reference_slot: EnumParam::new("Ref Track", RefSlotParam::R1),
            reference_start_s: FloatParam::new(
                "Ref Start",
                0.0,
                FloatRange::Linear {
                    min: 0.0,
                    max: MAX_START_S,
                },
            )
            .with_unit(" s")
            .with_step_size(0.1),
            headroom_target_dbfs: FloatParam::new(
                "Headroom Target",
                -3.0,
                FloatRange::Linear {
                    min: -12.0,
                    max: 0.0,
                },
            )
            .with_unit(" dBFS")
            .with_step_size(0.1),
        }
    }
}

impl LoudnessParams {
    /// The chosen target with its figures (the custom one from its two parameters).
    pub fn target(&self) -> Target {
        let index = self.target.value() as usize;
        match TARGETS.get(index) {
            Some(t) if self.target.value() != TargetParam::Custom => *t,
            _ => Target::custom(
                f64::from(self.custom_lufs.value()),
                f64::from(self.custom_ceiling_dbtp.value()),
            ),
        }
    }

    /// The true-peak oversampling factor for the meter.
    pub fn oversampling(&self) -> OversamplingFactor {
        match self.true_peak_oversampling.value() {
            OversamplingParam::X4 => OversamplingFactor::X4,
            OversamplingParam::X8 => OversamplingFactor::X8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lacquer_kit::testing::FakeHost;

    fn set(params: &Arc<LoudnessParams>, host: &FakeHost, value: TargetParam) {
        let setter = ParamSetter::new(host);
        setter.begin_set_parameter(&params.target);
        setter.set_parameter(&params.target, value);
        setter.end_set_parameter(&params.target);
    }

    #[test]
    fn target_variants_follow_the_table() {
        let params = Arc::new(LoudnessParams::default());
        let host = FakeHost::new(params.clone());
        assert_eq!(TargetParam::variants().len(), TARGETS.len() + 1);
        for (i, t) in TARGETS.iter().enumerate() {
            assert_eq!(TargetParam::variants()[i], t.name);
            set(&params, &host, TargetParam::from_index(i));
            assert_eq!(params.target(), *t);
        }
        set(&params, &host, TargetParam::Custom);
        assert_eq!(params.target().name, "Custom");
        assert_eq!(params.target().target_lufs, -23.0);
        assert_eq!(params.target().ceiling_dbtp, -1.0);
    }
}
