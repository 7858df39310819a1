//! The Compressor's parameters. IDs are short and never renamed: saved projects and
//! automation lanes refer to them.
//!
//! Smoothing, chosen per parameter: `dsp_core::Compressor` ramps threshold, ratio, knee,
//! range, makeup and mix itself (20 ms), so those carry no smoother here. Attack, release,
//! hold, the RMS window and the key filter frequencies are not smoothed by the DSP: the glue
//! ramps them logarithmically (stereo link linearly) over [`GLIDE_MS`] with `dsp-core`'s
//! [`Smoother`] and hands the ramped values to the processor on a fixed grid of
//! [`GRID_SAMPLES`] samples (see `lib.rs`), so output is identical for any host block size.
//! Lookahead is an integer delay reported as latency and switches; the choices switch.

use dsp_core::compressor::{
    MAX_FINITE_RATIO, MAX_KNEE_DB, MAX_LOOKAHEAD_MS, MAX_MAKEUP_DB, MAX_RANGE_DB, MIN_THRESHOLD_DB,
};
use dsp_core::dynamics::{DetectionMode, StereoMode};
use dsp_core::{CompressorSettings, Listen, Smoother, SmoothingStyle};
use lacquer_kit::dynamics_params::{freq_param, percent_param, time_param};
pub use lacquer_kit::dynamics_params::{DetectionParam, SourceParam, StereoParam};
use lacquer_kit::params::{bool_param, gain_db_param};
use nice_plug::prelude::*;
use std::sync::Arc;

/// Ramp time of the glue's smoothers (attack, release, hold, RMS window, link, key filters).
pub const GLIDE_MS: f32 = 30.0;
/// The glue hands ramped values to the processor every this many samples (counted from
/// activation, so the grid does not depend on the host's block sizes).
pub const GRID_SAMPLES: u64 = 32;

/// What the output carries. Append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenParam {
    #[id = "off"]
    #[name = "Off"]
    Off,
    #[id = "key"]
    #[name = "Sidechain"]
    Sidechain,
    #[id = "delta"]
    #[name = "Delta"]
    Delta,
}

/// Every parameter of Lacquer Compressor, plus the editor's persisted window state.
#[derive(Params)]
pub struct CompressorParams {
    /// Editor size and scale, saved with the project.
    #[persist = "editor-state"]
    pub editor_state: Arc<lacquer_kit::EditorState>,
    /// A/B compare slots, saved with the project.
    #[persist = "ab"]
    pub ab: Arc<lacquer_kit::AbState>,

    /// Threshold in dBFS: the detector level where compression starts (knee centre).
    #[id = "thr"]
    pub threshold_db: FloatParam,
    /// Ratio 1:1..100:1 (ignored while `ratio_inf` is on).
    #[id = "ratio"]
    pub ratio: FloatParam,
    /// ∞:1 (a limiter's curve): a separate switch so 100:1 stays reachable and automating
    /// the ratio never jumps to infinity.
    #[id = "rinf"]
    pub ratio_inf: BoolParam,
    /// Soft-knee width in dB (0 = hard knee).
    #[id = "knee"]
    pub knee_db: FloatParam,
    /// Attack: 63.2 % of a gain step, in ms.
    #[id = "atk"]
    pub attack_ms: FloatParam,
    /// Release: 63.2 % of a gain step, in ms.
    #[id = "rel"]
    pub release_ms: FloatParam,
    /// Hold before the release starts, in ms.
    #[id = "hold"]
    pub hold_ms: FloatParam,
    /// Program-dependent release.
    #[id = "arel"]
    pub auto_release: BoolParam,
    /// Largest gain reduction in dB.
    #[id = "range"]
    pub range_db: FloatParam,
    /// Makeup gain in dB (on the compressed part).
    #[id = "makeup"]
    pub makeup_db: FloatParam,
    /// Adds the gain reduction at 0 dBFS back as makeup.
    #[id = "amkup"]
    pub auto_makeup: BoolParam,
    /// Wet share (parallel compression below 100 %).
    #[id = "mix"]
    pub mix: FloatParam,
    /// Lookahead in ms, reported to the host as latency.
    #[id = "look"]
    pub lookahead_ms: FloatParam,
    /// Peak or RMS detection.
    #[id = "det"]
    pub detection: EnumParam<DetectionParam>,
    /// RMS window in ms.
    #[id = "rmsw"]
    pub rms_window_ms: FloatParam,
    /// Stereo link, 0 (independent) to 1 (fully linked).
    #[id = "link"]
    pub link: FloatParam,
    /// L/R or M/S.
    #[id = "stm"]
    pub stereo_mode: EnumParam<StereoParam>,
    /// Key high-pass on/off.
    #[id = "khp"]
    pub key_hp: BoolParam,
    /// Key high-pass cutoff.
    #[id = "khpf"]
    pub key_hp_hz: FloatParam,
    /// Key low-pass on/off.
    #[id = "klp"]
    pub key_lp: BoolParam,
    /// Key low-pass cutoff.
    #[id = "klpf"]
    pub key_lp_hz: FloatParam,
    /// Listen: compressed output, the (filtered) key, or what the compression removes.
    #[id = "listen"]
    pub listen: EnumParam<ListenParam>,
    /// Level-matched output, to compare with bypass at equal loudness.
    #[id = "lvlm"]
    pub level_match: BoolParam,
    /// Internal (main input) or external (sidechain input) key.
    #[id = "scsrc"]
    pub source: EnumParam<SourceParam>,
    /// Host bypass: glides the mix to 0 %, the latency-aligned dry path (bit-transparent).
    #[id = "bypass"]
    pub bypass: BoolParam,
}

impl Default for CompressorParams {
    fn default() -> Self {
        Self {
            editor_state: lacquer_kit::EditorState::new(
                crate::editor::WIDTH,
                crate::editor::HEIGHT,
            ),
            ab: lacquer_kit::AbState::new(),
            // 0 dB threshold and a hard knee: nothing below 0 dBFS is touched on insert
            // (bit-transparent); pull the threshold down to compress.
            threshold_db: gain_db_param("Threshold", 0.0, MIN_THRESHOLD_DB, 0.0),
            ratio: FloatParam::new(
                "Ratio",
                4.0,
                FloatRange::Skewed {
                    min: 1.0,
                    max: MAX_FINITE_RATIO,
                    factor: FloatRange::skew_factor(-2.0),
                },
            )
            .with_value_to_string(Arc::new(|v| {
                if v < 9.95 {
                    format!("{v:.1}:1")
                } else {
                    format!("{v:.0}:1")
                }
            }))
            .with_string_to_value(Arc::new(|s| {
                s.trim().trim_end_matches(":1").trim().parse().ok()
            })),
            ratio_inf: bool_param("Infinite Ratio", false),
            knee_db: gain_db_param("Knee", 0.0, 0.0, MAX_KNEE_DB),
            attack_ms: time_param("Attack", 10.0, 0.01, 500.0, -2.5),
            release_ms: time_param("Release", 100.0, 1.0, 5000.0, -2.0),
            hold_ms: time_param("Hold", 0.0, 0.0, 500.0, -1.5),
            auto_release: bool_param("Auto Release", false),
            range_db: gain_db_param("Range", MAX_RANGE_DB, 0.0, MAX_RANGE_DB),
            makeup_db: gain_db_param("Makeup", 0.0, -MAX_MAKEUP_DB, MAX_MAKEUP_DB),
            auto_makeup: bool_param("Auto Makeup", false),
            mix: percent_param("Mix", 1.0),
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
            detection: EnumParam::new("Detection", DetectionParam::Peak),
            rms_window_ms: time_param("RMS Window", 10.0, 1.0, 100.0, -1.0),
            link: percent_param("Stereo Link", 1.0),
            stereo_mode: EnumParam::new("Stereo Mode", StereoParam::LeftRight),
            key_hp: bool_param("Key HP", false),
            key_hp_hz: freq_param("Key HP Freq", 80.0),
            key_lp: bool_param("Key LP", false),
            key_lp_hz: freq_param("Key LP Freq", 12_000.0),
            listen: EnumParam::new("Listen", ListenParam::Off),
            level_match: bool_param("Level Match", false),
            source: EnumParam::new("Sidechain", SourceParam::Internal),
            bypass: bool_param("Bypass", false).make_bypass(),
        }
    }
}

/// The glue's smoothers for the parameters the DSP does not ramp itself.
#[derive(Debug, Clone)]
pub struct Glides {
    /// Attack (log).
    pub attack_ms: Smoother,
    /// Release (log).
    pub release_ms: Smoother,
    /// Hold (log; its range starts at 0, so it ramps between `hold + 1 ms` values).
    pub hold_ms_plus_1: Smoother,
    /// RMS window (log).
    pub rms_window_ms: Smoother,
    /// Stereo link (linear).
    pub link: Smoother,
    /// Key high-pass cutoff (log).
    pub key_hp_hz: Smoother,
    /// Key low-pass cutoff (log).
    pub key_lp_hz: Smoother,
}

impl Default for Glides {
    fn default() -> Self {
        let log = || Smoother::new(SmoothingStyle::Logarithmic);
        Self {
            attack_ms: log(),
            release_ms: log(),
            hold_ms_plus_1: log(),
            rms_window_ms: log(),
            link: Smoother::new(SmoothingStyle::Linear),
            key_hp_hz: log(),
            key_lp_hz: log(),
        }
    }
}

impl Glides {
    /// Every smoother, in a fixed order.
    fn all(&mut self) -> [&mut Smoother; 7] {
        [
            &mut self.attack_ms,
            &mut self.release_ms,
            &mut self.hold_ms_plus_1,
            &mut self.rms_window_ms,
            &mut self.link,
            &mut self.key_hp_hz,
            &mut self.key_lp_hz,
        ]
    }

    /// Ramp time for `sample_rate` (call at activation).
    pub fn prepare(&mut self, sample_rate: f32) {
        for s in self.all() {
            s.set_ramp_ms(sample_rate, GLIDE_MS);
        }
    }

    /// New targets from the parameters (once per sub-block; same targets are no-ops).
    pub fn set_targets(&mut self, params: &CompressorParams) {
        self.attack_ms.set_target(params.attack_ms.value());
        self.release_ms.set_target(params.release_ms.value());
        self.hold_ms_plus_1.set_target(params.hold_ms.value() + 1.0);
        self.rms_window_ms.set_target(params.rms_window_ms.value());
        self.link.set_target(params.link.value());
        self.key_hp_hz.set_target(params.key_hp_hz.value());
        self.key_lp_hz.set_target(params.key_lp_hz.value());
    }

    /// Jump to the targets (activation, reset).
    pub fn snap(&mut self) {
        for s in self.all() {
            let t = s.target();
            s.reset(t);
        }
    }

    /// Whether any ramp runs.
    pub fn moving(&mut self) -> bool {
        self.all().iter().any(|s| s.is_smoothing())
    }

    /// Advance every ramp by `samples`.
    pub fn skip(&mut self, samples: usize) {
        for s in self.all() {
            s.skip(samples);
        }
    }

    /// The ramped values now: (attack, release, hold, RMS window, link, HP, LP).
    pub fn current(&mut self) -> [f32; 7] {
        let mut out = [0.0; 7];
        for (o, s) in out.iter_mut().zip(self.all()) {
            *o = s.current();
        }
        out[2] = (out[2] - 1.0).max(0.0);
        out
    }
}

impl CompressorParams {
    /// Read every parameter once and build the processor's settings, with the glue-ramped
    /// values `glided` (from [`Glides::current`]). Bypass keeps the lookahead (the latency
    /// must not change) and glides the mix to 0 %: the delayed dry signal, bit for bit.
    pub fn settings(&self, glided: &[f32; 7]) -> CompressorSettings {
        let [attack_ms, release_ms, hold_ms, rms_window_ms, link, key_hp_hz, key_lp_hz] = *glided;
        let mut s = CompressorSettings {
            threshold_db: self.threshold_db.value(),
            ratio: if self.ratio_inf.value() {
                f32::INFINITY
            } else {
                self.ratio.value()
            },
            knee_db: self.knee_db.value(),
            attack_ms,
            release_ms,
            hold_ms,
            auto_release: self.auto_release.value(),
            range_db: self.range_db.value(),
            makeup_db: self.makeup_db.value(),
            auto_makeup: self.auto_makeup.value(),
            mix: self.mix.value(),
            lookahead_ms: self.lookahead_ms.value(),
            detection: match self.detection.value() {
                DetectionParam::Peak => DetectionMode::Peak,
                DetectionParam::Rms => DetectionMode::Rms,
            },
            rms_window_ms,
            link,
            stereo_mode: match self.stereo_mode.value() {
                StereoParam::LeftRight => StereoMode::LeftRight,
                StereoParam::MidSide => StereoMode::MidSide,
            },
            key_hp: self.key_hp.value(),
            key_hp_hz,
            key_lp: self.key_lp.value(),
            key_lp_hz,
            listen: match self.listen.value() {
                ListenParam::Off => Listen::Off,
                ListenParam::Sidechain => Listen::Sidechain,
                ListenParam::Delta => Listen::Delta,
            },
            level_match: self.level_match.value(),
        };
        if self.bypass.value() {
            s.mix = 0.0;
            s.listen = Listen::Off;
            s.level_match = false;
        }
        s
    }

    /// Settings straight from the parameters (no ramps): for the editor's curve.
    pub fn target_settings(&self) -> CompressorSettings {
        self.settings(&[
            self.attack_ms.value(),
            self.release_ms.value(),
            self.hold_ms.value(),
            self.rms_window_ms.value(),
            self.link.value(),
            self.key_hp_hz.value(),
            self.key_lp_hz.value(),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// text → value → text is stable across every decimals switch (clap-validator's
    /// `param-conversions` checks this).
    #[test]
    fn displays_round_trip() {
        let p = CompressorParams::default();
        for param in [
            &p.attack_ms,
            &p.release_ms,
            &p.hold_ms,
            &p.rms_window_ms,
            &p.ratio,
            &p.key_hp_hz,
            &p.key_lp_hz,
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
    }

    #[test]
    fn infinite_ratio_and_bypass_map_onto_the_settings() {
        let p = CompressorParams::default();
        let s = p.target_settings();
        assert_eq!(s.ratio, 4.0);
        assert_eq!(s.mix, 1.0);
        assert_eq!(s.threshold_db, 0.0);
        assert_eq!(s.knee_db, 0.0);
    }

    #[test]
    fn glides_ramp_logarithmically_and_land() {
        let mut g = Glides::default();
        g.prepare(48_000.0);
        let p = CompressorParams::default();
        g.set_targets(&p);
        g.snap();
        assert_eq!(g.current()[0], 10.0);
        assert_eq!(g.current()[2], 0.0);
        g.attack_ms.set_target(1000.0);
        g.skip(720); // half of 30 ms
        let mid = g.current()[0];
        // Geometric midpoint of 10 and 1000 is 100.
        assert!((mid - 100.0).abs() < 0.5, "{mid}");
        g.skip(720);
        assert_eq!(g.current()[0], 1000.0);
        assert!(!g.moving());
    }
}
