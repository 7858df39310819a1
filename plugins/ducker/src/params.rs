//! The Ducker's parameters. IDs are short and never renamed: saved projects and automation
//! lanes refer to them.
//!
//! Smoothing, chosen per parameter: none in the glue. Threshold and depth drive the trigger,
//! whose output the ballistics smooth; attack, hold and release shape that smoothed signal;
//! `dsp_core::Ducker` ramps the key filter and band frequencies itself and cross-fades the
//! band-limited switch. Lookahead is an integer delay reported as latency and switches.

use dsp_core::ducker::{
    MAX_ATTACK_MS, MAX_BAND_HZ, MAX_HOLD_MS, MAX_LOOKAHEAD_MS, MAX_RELEASE_MS, MIN_ATTACK_MS,
    MIN_BAND_HZ, MIN_DEPTH_DB, MIN_RELEASE_MS, MIN_THRESHOLD_DB,
};
use dsp_core::dynamics::ballistics::ReleaseCurve;
use dsp_core::{DuckerSettings, KeySource, MissingKey};
pub use lacquer_kit::dynamics_params::SourceParam;
use lacquer_kit::dynamics_params::{freq_param, freq_param_in, time_param};
use lacquer_kit::params::{bool_param, gain_db_param};
use nice_plug::prelude::*;
use std::sync::Arc;

/// Without a key on the sidechain. Append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoKeyParam {
    /// No ducking.
    #[id = "none"]
    #[name = "No Ducking"]
    NoDucking,
    /// The input keys itself.
    #[id = "self"]
    #[name = "Self-Key"]
    SelfKey,
}

/// Release shape. Append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurveParam {
    /// One-pole in dB (63.2 % back in the release time).
    #[id = "exp"]
    #[name = "Exponential"]
    Exponential,
    /// Linear in dB (all the way back in the release time).
    #[id = "lin"]
    #[name = "Linear"]
    Linear,
}

/// Every parameter of Lacquer Ducker, plus the editor's persisted window state.
#[derive(Params)]
pub struct DuckerParams {
    /// Editor size and scale, saved with the project.
    #[persist = "editor-state"]
    pub editor_state: Arc<lacquer_kit::EditorState>,
    /// A/B compare slots, saved with the project.
    #[persist = "ab"]
    pub ab: Arc<lacquer_kit::AbState>,

    /// Key level (peak, dBFS) at which ducking starts.
    #[id = "thr"]
    pub threshold_db: FloatParam,
    /// Gain change while ducked (ignored while `depth_inf` is on).
    #[id = "depth"]
    pub depth_db: FloatParam,
    /// −∞ depth (full mute): a separate switch, so −60 dB stays reachable and automating the
    /// depth never jumps to silence.
    #[id = "dinf"]
    pub depth_inf: BoolParam,
    /// Attack: 63.2 % of the way to the depth, in ms.
    #[id = "atk"]
    pub attack_ms: FloatParam,
    /// Time the key stays present after it falls below threshold (after a 25 ms bridge).
    #[id = "hold"]
    pub hold_ms: FloatParam,
    /// Release time, in ms (see the release curve).
    #[id = "rel"]
    pub release_ms: FloatParam,
    /// Exponential or linear-in-dB release.
    #[id = "rcurve"]
    pub release_curve: EnumParam<CurveParam>,
    /// Lookahead in ms, reported to the host as latency.
    #[id = "look"]
    pub lookahead_ms: FloatParam,
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
    /// Output the filtered key (to tune the key filters).
    #[id = "klisten"]
    pub key_listen: BoolParam,
    /// Duck only below the band frequency.
    #[id = "band"]
    pub band_limited: BoolParam,
    /// Crossover of band-limited mode.
    #[id = "bandf"]
    pub band_hz: FloatParam,
    /// Internal (the track itself) or external (sidechain) key.
    #[id = "scsrc"]
    pub source: EnumParam<SourceParam>,
    /// What to do when the sidechain carries no key.
    #[id = "nokey"]
    pub no_key: EnumParam<NoKeyParam>,
    /// Host bypass: depth glides back to 0 dB with the release, band mode cross-fades out;
    /// then the output is the latency-aligned input, bit for bit.
    #[id = "bypass"]
    pub bypass: BoolParam,
}

impl Default for DuckerParams {
    fn default() -> Self {
        Self {
            editor_state: lacquer_kit::EditorState::new(
                crate::editor::WIDTH,
                crate::editor::HEIGHT,
            ),
            ab: lacquer_kit::AbState::new(),
            threshold_db: gain_db_param("Threshold", -30.0, MIN_THRESHOLD_DB, 0.0),
            depth_db: gain_db_param("Depth", -12.0, MIN_DEPTH_DB, 0.0),
            depth_inf: bool_param("Depth -inf", false),
            attack_ms: time_param("Attack", 2.0, MIN_ATTACK_MS, MAX_ATTACK_MS, -1.5),
            hold_ms: time_param("Hold", 0.0, 0.0, MAX_HOLD_MS, -1.5),
            release_ms: time_param("Release", 150.0, MIN_RELEASE_MS, MAX_RELEASE_MS, -1.5),
            release_curve: EnumParam::new("Release Curve", CurveParam::Exponential),
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
            key_hp: bool_param("Key HP", false),
            key_hp_hz: freq_param("Key HP Freq", 30.0),
            key_lp: bool_param("Key LP", false),
            key_lp_hz: freq_param("Key LP Freq", 8000.0),
            key_listen: bool_param("Key Listen", false),
            band_limited: bool_param("Band Limited", false),
            band_hz: freq_param_in("Band Freq", 150.0, MIN_BAND_HZ, MAX_BAND_HZ, -1.0),
            source: EnumParam::new("Sidechain", SourceParam::External),
            no_key: EnumParam::new("No Key", NoKeyParam::NoDucking),
            bypass: bool_param("Bypass", false).make_bypass(),
        }
    }
}

impl DuckerParams {
    /// Read every parameter once and build the processor's settings. Bypass keeps the
    /// lookahead (the latency must not change) and sets depth 0, whole band, no listen.
    pub fn settings(&self) -> DuckerSettings {
        let mut s = DuckerSettings {
            threshold_db: self.threshold_db.value(),
            depth_db: if self.depth_inf.value() {
                f32::NEG_INFINITY
            } else {
                self.depth_db.value()
            },
            attack_ms: self.attack_ms.value(),
            hold_ms: self.hold_ms.value(),
            release_ms: self.release_ms.value(),
            release_curve: match self.release_curve.value() {
                CurveParam::Exponential => ReleaseCurve::Exponential,
                CurveParam::Linear => ReleaseCurve::LinearDb,
            },
            lookahead_ms: self.lookahead_ms.value(),
            key_hp: self.key_hp.value(),
            key_hp_hz: self.key_hp_hz.value(),
            key_lp: self.key_lp.value(),
            key_lp_hz: self.key_lp_hz.value(),
            key_listen: self.key_listen.value(),
            band_limited: self.band_limited.value(),
            band_hz: self.band_hz.value(),
            source: match self.source.value() {
                SourceParam::Internal => KeySource::Internal,
                SourceParam::External => KeySource::External,
            },
            missing_key: match self.no_key.value() {
                NoKeyParam::NoDucking => MissingKey::NoDucking,
                NoKeyParam::SelfKey => MissingKey::SelfKey,
            },
        };
        if self.bypass.value() {
            s.depth_db = 0.0;
            s.band_limited = false;
            s.key_listen = false;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// text → value → text is stable across every decimals switch (clap-validator's
    /// `param-conversions` checks this).
    #[test]
    fn displays_round_trip() {
        let p = DuckerParams::default();
        // (Threshold and depth are the kit's `gain_db_param`, whose "-0.0 dB" near 0 reads
        // back as "0.0 dB", as in the Compressor; not checked here.)
        for param in [
            &p.attack_ms,
            &p.hold_ms,
            &p.release_ms,
            &p.lookahead_ms,
            &p.key_hp_hz,
            &p.key_lp_hz,
            &p.band_hz,
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
    fn defaults_and_bypass_map_onto_the_settings() {
        let p = DuckerParams::default();
        let s = p.settings();
        assert_eq!(s.depth_db, -12.0);
        assert_eq!(s.source, KeySource::External);
        assert_eq!(s.missing_key, MissingKey::NoDucking);
        assert_eq!(
            s,
            DuckerSettings {
                hold_ms: 0.0,
                ..DuckerSettings::default()
            }
        );
    }
}
