//! The Imager's parameters. IDs are short and never renamed: saved projects and automation
//! lanes refer to them.
//!
//! Smoothing: `dsp_core::imager::Imager` ramps widths and balance linearly (20 ms), the
//! crossovers and the side high-pass logarithmically (20 ms), cross-fades swap, polarity,
//! side high-pass on/off and mono monitoring (20 ms), and dips through silence (5 ms out,
//! 5 ms in) when the band count or the phase mode re-routes the signal; so the parameters
//! carry no smoother here. The host bypass is the glue's (`dsp_core::bypass`): a 20 ms fade
//! to the input delayed by the latency.

use dsp_core::bass_mono;
use dsp_core::imager::{
    ImagerSettings, PhaseMode, MAX_BANDS, MAX_CROSSOVER_HZ, MAX_SIDE_HP_HZ, MAX_WIDTH,
    MIN_CROSSOVER_HZ, MIN_SIDE_HP_HZ,
};
use lacquer_kit::dynamics_params::freq_param_in;
use lacquer_kit::params::bool_param;
use nice_plug::prelude::*;
use std::sync::Arc;

/// Band count. Variant order is part of the saved state: append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandsParam {
    #[id = "1"]
    #[name = "1"]
    One,
    #[id = "2"]
    #[name = "2"]
    Two,
    #[id = "3"]
    #[name = "3"]
    Three,
    #[id = "4"]
    #[name = "4"]
    Four,
}

impl BandsParam {
    /// The number of bands.
    pub fn count(self) -> usize {
        match self {
            BandsParam::One => 1,
            BandsParam::Two => 2,
            BandsParam::Three => 3,
            BandsParam::Four => 4,
        }
    }
}

/// Band-split phase. Append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseParam {
    /// LR4 crossovers with all-pass compensation: no latency.
    #[id = "min"]
    #[name = "Minimum"]
    Minimum,
    /// Linear-phase FIR bands: latency reported to the host.
    #[id = "lin"]
    #[name = "Linear"]
    Linear,
}

/// One band's width: 0..200 % (stored as 0..2).
#[derive(Params)]
pub struct BandParams {
    /// Width of the band (side gain): 0 % mono, 100 % unchanged, 200 % side +6 dB.
    #[id = "w"]
    pub width: FloatParam,
}

/// Every parameter of Lacquer Imager, plus the editor's persisted state.
#[derive(Params)]
pub struct ImagerParams {
    /// Editor size and scale, saved with the project.
    #[persist = "editor-state"]
    pub editor_state: Arc<lacquer_kit::EditorState>,
    /// A/B compare slots, saved with the project.
    #[persist = "ab"]
    pub ab: Arc<lacquer_kit::AbState>,

    /// Number of bands.
    #[id = "bands"]
    pub bands: EnumParam<BandsParam>,
    /// Crossovers between the bands (Hz; kept in order by the processor).
    #[nested(array, group = "Crossover")]
    pub crossovers: [CrossoverParams; MAX_BANDS - 1],
    /// Per-band widths.
    #[nested(array, group = "Band")]
    pub band: [BandParams; MAX_BANDS],
    /// Band-split phase mode.
    #[id = "phase"]
    pub phase: EnumParam<PhaseParam>,
    /// Sum the lows to mono.
    #[id = "bmono"]
    pub bass_mono: BoolParam,
    /// Bass mono frequency (LR4).
    #[id = "bmfreq"]
    pub bass_mono_hz: FloatParam,
    /// High-pass on the side signal.
    #[id = "shp"]
    pub side_hp: BoolParam,
    /// Side high-pass frequency.
    #[id = "shpf"]
    pub side_hp_hz: FloatParam,
    /// Balance: −100 % left … +100 % right (the far channel falls).
    #[id = "bal"]
    pub balance: FloatParam,
    /// Swap left and right.
    #[id = "swap"]
    pub swap: BoolParam,
    /// Invert the left input's polarity.
    #[id = "invl"]
    pub invert_left: BoolParam,
    /// Invert the right input's polarity.
    #[id = "invr"]
    pub invert_right: BoolParam,
    /// Listen in mono ((L+R)/2 on both outputs); the meters still read stereo.
    #[id = "mono"]
    pub mono_monitor: BoolParam,
    /// Host bypass: fades to the input delayed by the latency (bit-transparent once settled).
    #[id = "bypass"]
    pub bypass: BoolParam,
}

/// One crossover frequency.
#[derive(Params)]
pub struct CrossoverParams {
    /// Frequency (Hz).
    #[id = "x"]
    pub hz: FloatParam,
}

/// Default crossovers (Hz).
pub const DEFAULT_CROSSOVERS: [f32; MAX_BANDS - 1] = [200.0, 2000.0, 8000.0];

impl Default for ImagerParams {
    fn default() -> Self {
        Self {
            editor_state: lacquer_kit::EditorState::new(
                crate::editor::WIDTH,
                crate::editor::HEIGHT,
            ),
            ab: lacquer_kit::AbState::new(),
            bands: EnumParam::new("Bands", BandsParam::Three),
            crossovers: std::array::from_fn(|i| CrossoverParams {
                hz: freq_param_in(
                    &format!("Crossover {}", i + 1),
                    DEFAULT_CROSSOVERS[i],
                    MIN_CROSSOVER_HZ,
                    MAX_CROSSOVER_HZ,
                    -2.5,
                ),
            }),
            band: std::array::from_fn(|i| BandParams {
                width: FloatParam::new(
                    format!("Band {} Width", i + 1),
                    1.0,
                    FloatRange::Linear {
                        min: 0.0,
                        max: MAX_WIDTH,
                    },
                )
                .with_unit(" %")
                .with_step_size(0.001)
                .with_value_to_string(formatters::v2s_f32_percentage(0))
                .with_string_to_value(formatters::s2v_f32_percentage()),
            }),
            phase: EnumParam::new("Phase", PhaseParam::Minimum),
            bass_mono: bool_param("Bass Mono", false),
            bass_mono_hz: freq_param_in(
                "Bass Mono Freq",
                bass_mono::DEFAULT_HZ,
                bass_mono::MIN_HZ,
                bass_mono::MAX_HZ,
                -1.0,
            ),
            side_hp: bool_param("Side HP", false),
            side_hp_hz: freq_param_in("Side HP Freq", 40.0, MIN_SIDE_HP_HZ, MAX_SIDE_HP_HZ, -1.0),
            balance: FloatParam::new(
                "Balance",
                0.0,
                FloatRange::Linear {
                    min: -1.0,
                    max: 1.0,
                },
            )
            .with_unit(" %")
            .with_step_size(0.001)
            .with_value_to_string(formatters::v2s_f32_percentage(0))
            .with_string_to_value(formatters::s2v_f32_percentage()),
            swap: bool_param("Swap L/R", false),
            invert_left: bool_param("Invert Left", false),
            invert_right: bool_param("Invert Right", false),
            mono_monitor: bool_param("Mono", false),
            bypass: bool_param("Bypass", false).make_bypass(),
        }
    }
}

impl ImagerParams {
    /// The processor settings the parameters describe now (the bypass is the glue's).
    pub fn settings(&self) -> ImagerSettings {
        ImagerSettings {
            num_bands: self.bands.value().count(),
            crossover_hz: std::array::from_fn(|i| self.crossovers[i].hz.value()),
            width: std::array::from_fn(|i| self.band[i].width.value()),
            phase: match self.phase.value() {
                PhaseParam::Minimum => PhaseMode::Minimum,
                PhaseParam::Linear => PhaseMode::Linear,
            },
            bass_mono: self.bass_mono.value(),
            bass_mono_hz: self.bass_mono_hz.value(),
            side_hp: self.side_hp.value(),
            side_hp_hz: self.side_hp_hz.value(),
            balance: self.balance.value(),
            swap: self.swap.value(),
            invert_left: self.invert_left.value(),
            invert_right: self.invert_right.value(),
            mono_monitor: self.mono_monitor.value(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_processor_defaults_and_ids_are_suffixed() {
        let p = ImagerParams::default();
        assert_eq!(p.settings(), ImagerSettings::default());
        let ids: Vec<String> = p.param_map().into_iter().map(|(id, _, _)| id).collect();
        for id in [
            "bands", "x_1", "x_3", "w_1", "w_4", "phase", "bmfreq", "bypass",
        ] {
            assert!(ids.iter().any(|i| i == id), "{id} not in {ids:?}");
        }
    }

    #[test]
    fn texts_round_trip() {
        let p = ImagerParams::default();
        for (param, text, want) in [
            (&p.band[0].width, "150%", 1.5),
            (&p.band[3].width, "0 %", 0.0),
            (&p.balance, "-30%", -0.3),
            (&p.crossovers[1].hz, "2.5k", 2500.0),
            (&p.side_hp_hz, "80 Hz", 80.0),
        ] {
            let n = param.string_to_normalized_value(text).unwrap();
            let v = param.preview_plain(n);
            assert!((v - want).abs() < 1e-3 * want.abs().max(1.0), "{text}: {v}");
        }
    }
}
