//! The Reverb Send's parameters. IDs are short and never renamed: saved projects and
//! automation lanes refer to them.
//!
//! Smoothing: `dsp_core::reverb::Reverb` ramps every continuous setting per sample (30 ms;
//! pre-delay 2 s and size 1 s, as they move read positions) and cross-fades freeze over
//! 100 ms, so the parameters carry no smoother here. The host bypass glides the mix to 0 %
//! (the dry input, bit for bit once the 30 ms ramp has settled; the reverb has no latency).
//!
//! Send mode locks the mix at 100 % wet whatever the Mix knob says; presets never change
//! the send mode, nor the mix while send mode is on (see `editor::locked_ids`).
//!
//! No step sizes on the skewed ranges (decay, pre-delay, modulation rate, multipliers): a
//! step would snap the low end of a skewed range to a few values (the host's normalized
//! values would not round-trip); the displays round instead.
//!
//! Pre-delay sync: a note value replaces the Pre-delay knob, computed from the host's
//! tempo (120 BPM when the host gives none), clamped to 500 ms.

use dsp_core::reverb::{
    note_ms, ReverbSettings, MAX_HIGH_CUT_HZ, MAX_HIGH_MULT, MAX_HIGH_XOVER_HZ, MAX_LOW_CUT_HZ,
    MAX_LOW_MULT, MAX_LOW_XOVER_HZ, MAX_MOD_RATE_HZ, MAX_RT60_S, MAX_SIZE, MAX_WIDTH,
    MIN_HIGH_CUT_HZ, MIN_HIGH_MULT, MIN_HIGH_XOVER_HZ, MIN_LOW_CUT_HZ, MIN_LOW_MULT,
    MIN_LOW_XOVER_HZ, MIN_MOD_RATE_HZ, MIN_RT60_S, MIN_SIZE,
};
use lacquer_kit::dynamics_params::{format_hz, freq_param_in, parse_hz, percent_param};
use lacquer_kit::params::bool_param;
use nice_plug::prelude::*;
use std::sync::Arc;

/// Longest pre-delay on the knob (ms); tempo-synced values go to
/// [`dsp_core::reverb::MAX_PREDELAY_MS`].
pub const MAX_PREDELAY_KNOB_MS: f32 = 250.0;
/// Tempo assumed when the host gives none (BPM).
pub const DEFAULT_TEMPO_BPM: f64 = 120.0;

/// Pre-delay note value. Variant order is part of the saved state: append only.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncParam {
    /// The Pre-delay knob, in ms.
    #[id = "off"]
    #[name = "Off"]
    Off,
    #[id = "1/64"]
    #[name = "1/64"]
    N64,
    #[id = "1/32"]
    #[name = "1/32"]
    N32,
    #[id = "1/16t"]
    #[name = "1/16 T"]
    N16T,
    #[id = "1/16"]
    #[name = "1/16"]
    N16,
    #[id = "1/16d"]
    #[name = "1/16 D"]
    N16D,
    #[id = "1/8t"]
    #[name = "1/8 T"]
    N8T,
    #[id = "1/8"]
    #[name = "1/8"]
    N8,
    #[id = "1/8d"]
    #[name = "1/8 D"]
    N8D,
    #[id = "1/4"]
    #[name = "1/4"]
    N4,
}

impl SyncParam {
    /// Length in quarter notes (`None`: not synced).
    pub fn quarter_notes(self) -> Option<f64> {
        Some(match self {
            SyncParam::Off => return None,
            SyncParam::N64 => 1.0 / 16.0,
            SyncParam::N32 => 1.0 / 8.0,
            SyncParam::N16T => 1.0 / 6.0,
            SyncParam::N16 => 1.0 / 4.0,
            SyncParam::N16D => 3.0 / 8.0,
            SyncParam::N8T => 1.0 / 3.0,
            SyncParam::N8 => 1.0 / 2.0,
            SyncParam::N8D => 3.0 / 4.0,
            SyncParam::N4 => 1.0,
        })
    }
}

/// Every parameter of Lacquer Reverb Send, plus the editor's persisted state.
#[derive(Params)]
pub struct ReverbParams {
    /// Editor size and scale, saved with the project.
    #[persist = "editor-state"]
    pub editor_state: Arc<lacquer_kit::EditorState>,
    /// A/B compare slots, saved with the project.
    #[persist = "ab"]
    pub ab: Arc<lacquer_kit::AbState>,

    /// Mid-band reverberation time RT60 (s).
    #[id = "decay"]
    pub decay_s: FloatParam,
    /// Room size (multiple of the reference room; shown in %). Does not change the RT60.
    #[id = "size"]
    pub size: FloatParam,
    /// Pre-delay (ms) when not synced.
    #[id = "pre"]
    pub predelay_ms: FloatParam,
    /// Pre-delay as a note value at the host tempo.
    #[id = "presync"]
    pub predelay_sync: EnumParam<SyncParam>,
    /// Early/late balance: 0 % early only, 50 % both, 100 % late only.
    #[id = "erl"]
    pub early_late: FloatParam,
    /// Input diffusion.
    #[id = "diff"]
    pub diffusion: FloatParam,
    /// Modulation rate (Hz).
    #[id = "mrate"]
    pub mod_rate_hz: FloatParam,
    /// Modulation depth.
    #[id = "mdepth"]
    pub mod_depth: FloatParam,
    /// RT60 below the low crossover, as a multiple of the mid RT60.
    #[id = "lmult"]
    pub low_mult: FloatParam,
    /// RT60 above the high crossover, as a multiple of the mid RT60.
    #[id = "hmult"]
    pub high_mult: FloatParam,
    /// Low decay crossover (Hz).
    #[id = "lx"]
    pub low_xover_hz: FloatParam,
    /// High decay crossover (Hz).
    #[id = "hx"]
    pub high_xover_hz: FloatParam,
    /// Input low cut (Hz).
    #[id = "lcut"]
    pub low_cut_hz: FloatParam,
    /// Input high cut (Hz).
    #[id = "hcut"]
    pub high_cut_hz: FloatParam,
    /// Stereo width of the wet signal (0..150 %).
    #[id = "width"]
    pub width: FloatParam,
    /// Freeze: hold the tail forever, stop feeding it.
    #[id = "freeze"]
    pub freeze: BoolParam,
    /// Dry/wet (ignored in send mode).
    #[id = "mix"]
    pub mix: FloatParam,
    /// Send mode: 100 % wet, whatever Mix says.
    #[id = "send"]
    pub send_mode: BoolParam,
    /// Host bypass: glides the mix to 0 %, the dry input (bit-transparent once settled).
    #[id = "bypass"]
    pub bypass: BoolParam,
}

/// "0.35 s", "2.00 s", "12.5 s": two decimals below 10 s, one above; the decimals switch
/// where the ROUNDED value crosses 10, so text → value → text is stable.
pub fn format_seconds(v: f32) -> String {
    if v < 9.995 {
        format!("{v:.2}")
    } else {
        format!("{v:.1}")
    }
}

/// "2", "2 s", "2.5s", "800 ms" → seconds.
pub fn parse_seconds(s: &str) -> Option<f32> {
    let t = s.trim().to_ascii_lowercase();
    if let Some(ms) = t.strip_suffix("ms") {
        return ms.trim().parse::<f32>().ok().map(|v| v / 1000.0);
    }
    t.trim_end_matches('s').trim().parse().ok()
}

/// "1.00", "0.50" (nice-plug appends the " x" unit).
fn format_mult(v: f32) -> String {
    format!("{v:.2}")
}

/// "2", "2x", "2 x", "×2" → multiple.
fn parse_mult(s: &str) -> Option<f32> {
    s.trim()
        .trim_start_matches('×')
        .trim_end_matches(['x', 'X', '×'])
        .trim()
        .parse()
        .ok()
}

/// "0", "4.2", "120" (nice-plug appends " ms").
fn format_ms(v: f32) -> String {
    lacquer_kit::dynamics_params::format_ms(v)
}

/// A decay multiplier on a range symmetric around 1 on a log scale (skewed so 1 sits where
/// the geometric mean of the range does).
fn mult_param(name: &str, default: f32, min: f32, max: f32) -> FloatParam {
    // Normalised position of 1.0 on a log axis, as a skew: x^factor = position.
    let centre = (1.0 / min).ln() / (max / min).ln();
    let linear_centre = (1.0 - min) / (max - min);
    let factor = centre.ln() / linear_centre.ln();
    FloatParam::new(name, default, FloatRange::Skewed { min, max, factor })
        .with_unit(" x")
        .with_value_to_string(Arc::new(format_mult))
        .with_string_to_value(Arc::new(parse_mult))
}

/// A percentage on `0..=max` (stored as a share: 1 = 100 %).
fn share_param(name: &str, default: f32, min: f32, max: f32) -> FloatParam {
    FloatParam::new(name, default, FloatRange::Linear { min, max })
        .with_unit(" %")
        .with_step_size(0.001)
        .with_value_to_string(formatters::v2s_f32_percentage(0))
        .with_string_to_value(formatters::s2v_f32_percentage())
}

impl Default for ReverbParams {
    fn default() -> Self {
        let d = ReverbSettings::default();
        Self {
            editor_state: lacquer_kit::EditorState::new(
                crate::editor::WIDTH,
                crate::editor::HEIGHT,
            ),
            ab: lacquer_kit::AbState::new(),
            decay_s: FloatParam::new(
                "Decay",
                d.rt60_s,
                FloatRange::Skewed {
                    min: MIN_RT60_S,
                    max: MAX_RT60_S,
                    factor: FloatRange::skew_factor(-2.0),
                },
            )
            .with_unit(" s")
            .with_value_to_string(Arc::new(format_seconds))
            .with_string_to_value(Arc::new(parse_seconds)),
            size: share_param("Size", d.size, MIN_SIZE, MAX_SIZE),
            predelay_ms: FloatParam::new(
                "Pre-delay",
                d.predelay_ms,
                FloatRange::Skewed {
                    min: 0.0,
                    max: MAX_PREDELAY_KNOB_MS,
                    factor: FloatRange::skew_factor(-1.0),
                },
            )
            .with_unit(" ms")
            .with_value_to_string(Arc::new(format_ms))
            .with_string_to_value(Arc::new(lacquer_kit::dynamics_params::parse_ms)),
            predelay_sync: EnumParam::new("Pre-delay Sync", SyncParam::Off),
            early_late: percent_param("Early/Late", d.early_late),
            diffusion: percent_param("Diffusion", d.diffusion),
            mod_rate_hz: FloatParam::new(
                "Mod Rate",
                d.mod_rate_hz,
                FloatRange::Skewed {
                    min: MIN_MOD_RATE_HZ,
                    max: MAX_MOD_RATE_HZ,
                    factor: FloatRange::skew_factor(-1.5),
                },
            )
            .with_unit(" Hz")
            .with_value_to_string(formatters::v2s_f32_rounded(2))
            .with_string_to_value(Arc::new(|s: &str| {
                s.trim()
                    .to_ascii_lowercase()
                    .trim_end_matches("hz")
                    .trim()
                    .parse()
                    .ok()
            })),
            mod_depth: percent_param("Mod Depth", d.mod_depth),
            low_mult: mult_param("Low Decay", d.low_mult, MIN_LOW_MULT, MAX_LOW_MULT),
            high_mult: mult_param("High Decay", d.high_mult, MIN_HIGH_MULT, MAX_HIGH_MULT),
            low_xover_hz: freq_param_in(
                "Low Crossover",
                d.low_xover_hz,
                MIN_LOW_XOVER_HZ,
                MAX_LOW_XOVER_HZ,
                -1.0,
            ),
            high_xover_hz: freq_param_in(
                "High Crossover",
                d.high_xover_hz,
                MIN_HIGH_XOVER_HZ,
                MAX_HIGH_XOVER_HZ,
                -1.0,
            ),
            low_cut_hz: freq_param_in(
                "Low Cut",
                d.low_cut_hz,
                MIN_LOW_CUT_HZ,
                MAX_LOW_CUT_HZ,
                -1.5,
            ),
            high_cut_hz: freq_param_in(
                "High Cut",
                d.high_cut_hz,
                MIN_HIGH_CUT_HZ,
                MAX_HIGH_CUT_HZ,
                -1.0,
            ),
            width: share_param("Width", d.width, 0.0, MAX_WIDTH),
            freeze: bool_param("Freeze", false),
            mix: percent_param("Mix", d.mix),
            send_mode: bool_param("Send Mode", d.send_mode),
            bypass: bool_param("Bypass", false).make_bypass(),
        }
    }
}

impl ReverbParams {
    /// The processor settings the parameters describe now, at host tempo `bpm` (used only
    /// when the pre-delay is synced). Bypass turns send mode off and the mix to 0 %.
    pub fn settings(&self, bpm: Option<f64>) -> ReverbSettings {
        let predelay_ms = match self.predelay_sync.value().quarter_notes() {
            Some(q) => note_ms(
                q,
                bpm.filter(|b| b.is_finite() && *b > 0.0)
                    .unwrap_or(DEFAULT_TEMPO_BPM),
            ),
            None => self.predelay_ms.value(),
        };
        let mut s = ReverbSettings {
            rt60_s: self.decay_s.value(),
            size: self.size.value(),
            predelay_ms,
            early_late: self.early_late.value(),
            diffusion: self.diffusion.value(),
            mod_rate_hz: self.mod_rate_hz.value(),
            mod_depth: self.mod_depth.value(),
            low_mult: self.low_mult.value(),
            high_mult: self.high_mult.value(),
            low_xover_hz: self.low_xover_hz.value(),
            high_xover_hz: self.high_xover_hz.value(),
            low_cut_hz: self.low_cut_hz.value(),
            high_cut_hz: self.high_cut_hz.value(),
            width: self.width.value(),
            freeze: self.freeze.value(),
            mix: self.mix.value(),
            send_mode: self.send_mode.value(),
        };
        if self.bypass.value() {
            s.send_mode = false;
            s.mix = 0.0;
        }
        s
    }
}

/// Display helper for the editor: a frequency as the parameters show it.
pub fn hz_text(v: f32) -> String {
    format_hz(v)
}

/// Parse helper shared with the editor's tests.
pub fn parse_hz_text(s: &str) -> Option<f32> {
    parse_hz(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lacquer_kit::testing::FakeHost;

    #[test]
    fn defaults_are_the_processor_defaults() {
        let p = ReverbParams::default();
        assert_eq!(p.settings(None), ReverbSettings::default());
    }

    #[test]
    fn bypass_is_the_dry_signal_and_sync_follows_the_tempo() {
        let p = Arc::new(ReverbParams::default());
        let host = FakeHost::new(p.clone());
        host.set(&p.bypass, true);
        let s = p.settings(Some(90.0));
        assert!(!s.send_mode);
        assert_eq!(s.effective_mix(), 0.0);
        host.set(&p.predelay_sync, SyncParam::N16);
        // A 1/16 note at 90 BPM: 60 000 / 90 / 4 ms.
        let s = p.settings(Some(90.0));
        assert!(
            (s.predelay_ms - 60_000.0 / 90.0 / 4.0).abs() < 1e-3,
            "{s:?}"
        );
        // No tempo (or a broken one): 120 BPM.
        assert!((p.settings(None).predelay_ms - 125.0).abs() < 1e-3);
        assert!((p.settings(Some(f64::NAN)).predelay_ms - 125.0).abs() < 1e-3);
        // A quarter at 100 BPM (600 ms) is clamped to 500 ms.
        host.set(&p.predelay_sync, SyncParam::N4);
        assert_eq!(p.settings(Some(100.0)).predelay_ms, 500.0);
        assert!(host.violations().is_empty());
    }

    #[test]
    fn texts_round_trip() {
        let p = ReverbParams::default();
        for (param, text, want) in [
            (&p.decay_s, "3.5 s", 3.5),
            (&p.decay_s, "800 ms", 0.8),
            (&p.low_mult, "2x", 2.0),
            (&p.high_mult, "0.5", 0.5),
            (&p.low_xover_hz, "300 Hz", 300.0),
            (&p.high_cut_hz, "8k", 8000.0),
            (&p.size, "150%", 1.5),
            (&p.width, "120 %", 1.2),
            (&p.mod_rate_hz, "1.5 Hz", 1.5),
        ] {
            let n = param.string_to_normalized_value(text).unwrap();
            let v = param.preview_plain(n);
            assert!((v - want).abs() < 0.01 * want, "{text}: {v}");
            let shown = param.normalized_value_to_string(n, false);
            let again = param.preview_plain(param.string_to_normalized_value(&shown).unwrap());
            assert_eq!(
                param.normalized_value_to_string(param.preview_normalized(again), false),
                shown,
                "{text}"
            );
        }
        // The multipliers' skew puts 1x where the geometric mean of the range is.
        let n = p.low_mult.preview_normalized(1.0);
        assert!((n - 0.5).abs() < 1e-3, "{n}");
    }
}
