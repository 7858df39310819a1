//! The Multiband's parameters. IDs are short and never renamed: saved projects and
//! automation lanes refer to them. Per-band parameters are a nested array, so their IDs
//! carry the band number (`thr_1` … `thr_5`).
//!
//! Smoothing: `dsp_core::multiband::Multiband` ramps thresholds, ratios (as `1/ratio`),
//! knees, ranges, makeups, input/output gain and mix (20 ms), moves the minimum-phase
//! crossovers logarithmically (60 ms per octave) and cross-fades the linear-phase kernels,
//! band bypass/solo/mute and L/R–M/S; band count, slope and phase mode dip through silence
//! (10 ms out, 10 ms in). Attack, release, RMS window and link change the detector and
//! ballistics, whose state carries over, so the gain stays continuous; they need no ramp.
//! The host bypass is the glue's (`dsp_core::bypass`): a 20 ms fade to the input delayed
//! by the latency.
//!
//! Gain budget: input and output ±12 dB, makeup ±18 dB per band, upward expansion at most
//! +12 dB ([`MAX_UPWARD_DB`]): no setting adds more than 54 dB, so a full-scale input stays
//! below +60 dBFS whatever the automation does (the host tests' fuzz checks it).
//!
//! Defaults are transparent: every threshold at 0 dBFS with a hard knee, so no band acts
//! below full scale and the output is the crossovers' all-pass (flat magnitude).

use dsp_core::crossover::LrOrder;
use dsp_core::dynamics::{DetectionMode, StereoMode};
use dsp_core::multiband::{
    BandSettings, MultibandSettings, MAX_BANDS, MAX_CROSSOVER_HZ, MAX_FINITE_RATIO, MAX_KNEE_DB,
    MAX_LOOKAHEAD_MS, MAX_RANGE_DB, MAX_TILT_DB_PER_OCT, MIN_CROSSOVER_HZ, MIN_THRESHOLD_DB,
};
use lacquer_kit::dynamics_params::{freq_param_in, percent_param, time_param};
pub use lacquer_kit::dynamics_params::{DetectionParam, SourceParam, StereoParam};
use lacquer_kit::params::{bool_param, gain_db_param};
use nice_plug::prelude::*;
use std::sync::Arc;

/// Smallest ratio the plugin offers (1:4 upward expansion; the processor goes further).
pub const MIN_RATIO: f32 = 0.25;
/// Largest gain an upward-expanding band (ratio below 1:1) may add, whatever the range:
/// the range is the largest gain change, and above 12 dB an upward expander is a feedback
/// hazard, not a mastering tool.
pub const MAX_UPWARD_DB: f32 = 12.0;
/// Input and output gain range (±dB).
pub const IO_GAIN_DB: f32 = 12.0;
/// Per-band makeup range (±dB).
pub const MAKEUP_DB: f32 = 18.0;

/// Band count. Variant order is part of the saved state: append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandsParam {
    #[id = "2"]
    #[name = "2"]
    Two,
    #[id = "3"]
    #[name = "3"]
    Three,
    #[id = "4"]
    #[name = "4"]
    Four,
    #[id = "5"]
    #[name = "5"]
    Five,
}

impl BandsParam {
    /// The number of bands.
    pub fn count(self) -> usize {
        match self {
            BandsParam::Two => 2,
            BandsParam::Three => 3,
            BandsParam::Four => 4,
            BandsParam::Five => 5,
        }
    }
}

/// Crossover slope. Append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlopeParam {
    #[id = "lr2"]
    #[name = "12 dB/oct"]
    Lr2,
    #[id = "lr4"]
    #[name = "24 dB/oct"]
    Lr4,
    #[id = "lr8"]
    #[name = "48 dB/oct"]
    Lr8,
}

/// Band-split phase. Append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseParam {
    /// Linkwitz–Riley crossovers with all-pass compensation: no latency.
    #[id = "min"]
    #[name = "Minimum"]
    Minimum,
    /// Linear-phase FIR bands: latency reported to the host.
    #[id = "lin"]
    #[name = "Linear"]
    Linear,
}

/// One band's dynamics.
#[derive(Params)]
pub struct BandParams {
    /// Threshold (dBFS, knee centre).
    #[id = "thr"]
    pub threshold_db: FloatParam,
    /// Ratio: above 1 compresses, below 1 expands upward above the threshold.
    #[id = "ratio"]
    pub ratio: FloatParam,
    /// Soft-knee width (dB).
    #[id = "knee"]
    pub knee_db: FloatParam,
    /// Attack: 63.2 % of a gain step (ms).
    #[id = "atk"]
    pub attack_ms: FloatParam,
    /// Release (ms).
    #[id = "rel"]
    pub release_ms: FloatParam,
    /// Largest gain change (dB).
    #[id = "range"]
    pub range_db: FloatParam,
    /// Makeup gain (dB).
    #[id = "mkup"]
    pub makeup_db: FloatParam,
    /// Peak or RMS detection.
    #[id = "det"]
    pub detection: EnumParam<DetectionParam>,
    /// Stereo link 0..100 %.
    #[id = "link"]
    pub link: FloatParam,
    /// L/R or M/S.
    #[id = "stm"]
    pub stereo_mode: EnumParam<StereoParam>,
    /// The band passes at unity (its meters keep running).
    #[id = "byp"]
    pub bypass: BoolParam,
    /// Only soloed bands are heard when any band is soloed.
    #[id = "solo"]
    pub solo: BoolParam,
    /// The band is silent (wins over solo).
    #[id = "mute"]
    pub mute: BoolParam,
}

/// One crossover frequency.
#[derive(Params)]
pub struct CrossoverParams {
    /// Frequency (Hz; the processor keeps them in order and 1/3 octave apart).
    #[id = "x"]
    pub hz: FloatParam,
}

/// Every parameter of Lacquer Multiband, plus the editor's persisted state.
#[derive(Params)]
pub struct MultibandParams {
    /// Editor size and scale, saved with the project.
    #[persist = "editor-state"]
    pub editor_state: Arc<lacquer_kit::EditorState>,
    /// A/B compare slots, saved with the project.
    #[persist = "ab"]
    pub ab: Arc<lacquer_kit::AbState>,

    /// Number of bands.
    #[id = "bands"]
    pub bands: EnumParam<BandsParam>,
    /// Crossovers between the bands.
    #[nested(array, group = "Crossover")]
    pub crossovers: [CrossoverParams; MAX_BANDS - 1],
    /// Crossover slope (minimum phase).
    #[id = "slope"]
    pub slope: EnumParam<SlopeParam>,
    /// Band-split phase mode.
    #[id = "phase"]
    pub phase: EnumParam<PhaseParam>,
    /// Per-band dynamics.
    #[nested(array, group = "Band")]
    pub band: [BandParams; MAX_BANDS],
    /// Input gain (drives dry and wet alike).
    #[id = "in"]
    pub input_gain_db: FloatParam,
    /// Output gain.
    #[id = "out"]
    pub output_gain_db: FloatParam,
    /// Wet share (latency-aligned dry below 100 %).
    #[id = "mix"]
    pub mix: FloatParam,
    /// Detector tilt (dB/octave around 1 kHz; +3 = pink, the lows no longer dominate).
    #[id = "tilt"]
    pub tilt: FloatParam,
    /// Lookahead (ms), reported as latency.
    #[id = "look"]
    pub lookahead_ms: FloatParam,
    /// RMS window of every band (ms).
    #[id = "rmsw"]
    pub rms_window_ms: FloatParam,
    /// Internal or external (sidechain) key.
    #[id = "scsrc"]
    pub source: EnumParam<SourceParam>,
    /// Host bypass: fades to the input delayed by the latency (bit-transparent once settled).
    #[id = "bypass"]
    pub bypass: BoolParam,
}

/// Default crossovers (Hz): the processor's.
pub const DEFAULT_CROSSOVERS: [f32; MAX_BANDS - 1] = [120.0, 1000.0, 6000.0, 12_000.0];

/// The ratio's text: "2.0:1", "20:1", "0.50:1" (decimals switch on the rounded value, so
/// text → value → text is stable).
pub fn format_ratio(v: f32) -> String {
    if v < 0.995 {
        format!("{v:.2}:1")
    } else if v < 9.95 {
        format!("{v:.1}:1")
    } else {
        format!("{v:.0}:1")
    }
}

/// "2", "2:1", "1:2" (→ 0.5).
pub fn parse_ratio(s: &str) -> Option<f32> {
    let t = s.trim();
    match t.split_once(':') {
        Some((a, b)) => {
            let (a, b) = (a.trim().parse::<f32>().ok()?, b.trim().parse::<f32>().ok()?);
            (b > 0.0).then(|| a / b)
        }
        None => t.parse().ok(),
    }
}

impl BandParams {
    /// Band `b` (0-based) with the transparent defaults.
    fn new(b: usize) -> Self {
        let n = b + 1;
        Self {
            threshold_db: gain_db_param(&format!("Band {n} Threshold"), 0.0, MIN_THRESHOLD_DB, 0.0),
            ratio: FloatParam::new(
                format!("Band {n} Ratio"),
                2.0,
                FloatRange::Skewed {
                    min: MIN_RATIO,
                    max: MAX_FINITE_RATIO,
                    factor: FloatRange::skew_factor(-2.2),
                },
            )
            .with_value_to_string(Arc::new(format_ratio))
            .with_string_to_value(Arc::new(parse_ratio)),
            knee_db: gain_db_param(&format!("Band {n} Knee"), 0.0, 0.0, MAX_KNEE_DB),
            attack_ms: time_param(&format!("Band {n} Attack"), 10.0, 0.01, 500.0, -2.5),
            release_ms: time_param(&format!("Band {n} Release"), 150.0, 1.0, 5000.0, -2.0),
            range_db: gain_db_param(&format!("Band {n} Range"), 24.0, 0.0, MAX_RANGE_DB),
            makeup_db: gain_db_param(&format!("Band {n} Makeup"), 0.0, -MAKEUP_DB, MAKEUP_DB),
            detection: EnumParam::new(format!("Band {n} Detection"), DetectionParam::Peak),
            link: percent_param(&format!("Band {n} Link"), 1.0),
            stereo_mode: EnumParam::new(format!("Band {n} Stereo"), StereoParam::LeftRight),
            bypass: bool_param(&format!("Band {n} Bypass"), false),
            solo: bool_param(&format!("Band {n} Solo"), false),
            mute: bool_param(&format!("Band {n} Mute"), false),
        }
    }

    /// The processor's band settings (`rms_window_ms` is global).
    pub fn settings(&self, rms_window_ms: f32) -> BandSettings {
        let ratio = self.ratio.value();
        let range = self.range_db.value();
        BandSettings {
            threshold_db: self.threshold_db.value(),
            ratio,
            knee_db: self.knee_db.value(),
            attack_ms: self.attack_ms.value(),
            release_ms: self.release_ms.value(),
            range_db: if ratio < 1.0 {
                range.min(MAX_UPWARD_DB)
            } else {
                range
            },
            makeup_db: self.makeup_db.value(),
            bypass: self.bypass.value(),
            solo: self.solo.value(),
            mute: self.mute.value(),
            detection: match self.detection.value() {
                DetectionParam::Peak => DetectionMode::Peak,
                DetectionParam::Rms => DetectionMode::Rms,
            },
            rms_window_ms,
            link: self.link.value(),
            stereo_mode: match self.stereo_mode.value() {
                StereoParam::LeftRight => StereoMode::LeftRight,
                StereoParam::MidSide => StereoMode::MidSide,
            },
        }
    }
}

impl Default for MultibandParams {
    fn default() -> Self {
        Self {
            editor_state: lacquer_kit::EditorState::new(
                crate::editor::WIDTH,
                crate::editor::HEIGHT,
            ),
            ab: lacquer_kit::AbState::new(),
            bands: EnumParam::new("Bands", BandsParam::Four),
            crossovers: std::array::from_fn(|i| CrossoverParams {
                hz: freq_param_in(
                    &format!("Crossover {}", i + 1),
                    DEFAULT_CROSSOVERS[i],
                    MIN_CROSSOVER_HZ,
                    MAX_CROSSOVER_HZ,
                    -2.5,
                ),
            }),
            slope: EnumParam::new("Slope", SlopeParam::Lr4),
            phase: EnumParam::new("Phase", PhaseParam::Minimum),
            band: std::array::from_fn(BandParams::new),
            input_gain_db: gain_db_param("Input", 0.0, -IO_GAIN_DB, IO_GAIN_DB),
            output_gain_db: gain_db_param("Output", 0.0, -IO_GAIN_DB, IO_GAIN_DB),
            mix: percent_param("Mix", 1.0),
            tilt: FloatParam::new(
                "Detector Tilt",
                0.0,
                FloatRange::Linear {
                    min: -MAX_TILT_DB_PER_OCT,
                    max: MAX_TILT_DB_PER_OCT,
                },
            )
            .with_unit(" dB/oct")
            .with_step_size(0.1),
            lookahead_ms: FloatParam::new(
                "Lookahead",
                0.0,
                FloatRange::Linear {
                    min: 0.0,
                    max: MAX_LOOKAHEAD_MS,
                },
            )
            .with_unit(" ms")
            .with_step_size(0.01),
            rms_window_ms: time_param("RMS Window", 10.0, 1.0, 100.0, -1.0),
            source: EnumParam::new("Sidechain", SourceParam::Internal),
            bypass: bool_param("Bypass", false).make_bypass(),
        }
    }
}

impl MultibandParams {
    /// The processor settings the parameters describe now (the host bypass is the glue's;
    /// `external_key` says whether the key should be used when one arrives).
    pub fn settings(&self) -> MultibandSettings {
        let rms = self.rms_window_ms.value();
        MultibandSettings {
            num_bands: self.bands.value().count(),
            crossover_hz: std::array::from_fn(|i| self.crossovers[i].hz.value()),
            slope: match self.slope.value() {
                SlopeParam::Lr2 => LrOrder::Lr2,
                SlopeParam::Lr4 => LrOrder::Lr4,
                SlopeParam::Lr8 => LrOrder::Lr8,
            },
            linear_phase: self.phase.value() == PhaseParam::Linear,
            bands: std::array::from_fn(|b| self.band[b].settings(rms)),
            input_gain_db: self.input_gain_db.value(),
            output_gain_db: self.output_gain_db.value(),
            mix: self.mix.value(),
            tilt_db_per_oct: self.tilt.value(),
            lookahead_ms: self.lookahead_ms.value(),
            external_key: self.source.value() == SourceParam::External,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_map_to_transparent_settings_and_ids_are_suffixed() {
        let p = MultibandParams::default();
        let s = p.settings();
        let d = MultibandSettings::default();
        assert_eq!(s.num_bands, 4);
        assert_eq!(s.crossover_hz, d.crossover_hz);
        assert_eq!(s.slope, LrOrder::Lr4);
        assert!(!s.linear_phase && !s.external_key);
        assert_eq!((s.mix, s.lookahead_ms, s.tilt_db_per_oct), (1.0, 0.0, 0.0));
        for b in &s.bands {
            assert_eq!((b.threshold_db, b.knee_db, b.makeup_db), (0.0, 0.0, 0.0));
            assert!(!b.bypass && !b.solo && !b.mute);
        }
        let ids: Vec<String> = p.param_map().into_iter().map(|(id, _, _)| id).collect();
        for id in [
            "bands", "x_1", "x_4", "slope", "phase", "thr_1", "ratio_5", "mkup_3", "solo_2",
            "mute_4", "byp_1", "in", "out", "mix", "tilt", "look", "rmsw", "scsrc", "bypass",
        ] {
            assert!(ids.iter().any(|i| i == id), "{id} not in {ids:?}");
        }
    }

    #[test]
    fn upward_expansion_is_capped_and_the_gain_budget_holds() {
        let p = Arc::new(MultibandParams::default());
        let host = lacquer_kit::testing::FakeHost::new(p.clone());
        let setter = ParamSetter::new(&host);
        let band = &p.band[0];
        let rms = 10.0;
        // Compression keeps the full range; expansion gets at most MAX_UPWARD_DB.
        setter.set_parameter(&band.ratio, 4.0);
        setter.set_parameter(&band.range_db, 40.0);
        assert_eq!(band.settings(rms).range_db, 40.0);
        setter.set_parameter(&band.ratio, 0.5);
        assert_eq!(band.settings(rms).range_db, MAX_UPWARD_DB);
        setter.set_parameter(&band.range_db, 6.0);
        assert_eq!(band.settings(rms).range_db, 6.0);
        // Largest added gain over every bound: input + upward expansion + makeup + output.
        let max = |f: &FloatParam| f.preview_plain(1.0);
        let budget = max(&p.input_gain_db)
            + MAX_UPWARD_DB
            + max(&p.band[0].makeup_db)
            + max(&p.output_gain_db);
        assert!(budget <= 54.0, "{budget}");
    }

    #[test]
    fn texts_round_trip() {
        let p = MultibandParams::default();
        for (param, text, want) in [
            (&p.band[0].ratio, "4:1", 4.0),
            (&p.band[0].ratio, "1:2", 0.5),
            (&p.band[1].threshold_db, "-24 dB", -24.0),
            (&p.band[2].attack_ms, "1.5 s", 500.0),
            (&p.band[2].release_ms, "80 ms", 80.0),
            (&p.crossovers[1].hz, "2.5k", 2500.0),
            (&p.mix, "50%", 0.5),
            (&p.tilt, "3", 3.0),
        ] {
            let n = param.string_to_normalized_value(text).unwrap();
            let v = param.preview_plain(n);
            assert!((v - want).abs() < 2e-3 * want.abs().max(1.0), "{text}: {v}");
        }
        for v in [0.25, 0.5, 0.999, 1.0, 2.0, 9.96, 20.0, 100.0] {
            let t = format_ratio(v);
            assert_eq!(format_ratio(parse_ratio(&t).unwrap()), t, "{v}");
        }
    }
}
