//! The checked-in list of Lacquer plugins the host tests drive: one entry per plugin.
//!
//! A new plugin joins the whole matrix by adding one line to [`PLUGINS`] (and, when it has
//! parameters, its `&[ParamSpec]` list). IDs here are a promise to users: a saved project or
//! an automation lane refers to them, so changing one must fail a test.

/// What the plugin's main audio ports look like in its default configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// Channels of the main input port (0: no main input).
    pub main_in: u32,
    /// Channels of the main output port.
    pub main_out: u32,
    /// Channels of the sidechain input port, if the plugin has one.
    pub sidechain: Option<u32>,
    /// Channels of the aux output port, if the plugin has one.
    pub aux_out: Option<u32>,
    /// Whether a mono-in/stereo-out configuration is offered through audio-ports-config.
    pub mono_in_config: bool,
}

/// How the plugin reports latency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Latency {
    /// Always zero samples.
    Zero,
    /// Fixed, non-zero, at every setting.
    Fixed(u32),
    /// Depends on a lookahead parameter (its string ID): changing it changes the latency,
    /// which must be announced to the host.
    Lookahead {
        /// String ID of the lookahead parameter.
        param: &'static str,
        /// Further parameters that change the latency (a phase mode), which tests that
        /// compare against the activation's latency leave alone too.
        also: &'static [&'static str],
    },
}

/// What kind of value a parameter holds, as nice-plug exposes it over CLAP.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Continuous float; plain range and default in the parameter's own unit.
    Float {
        /// Lowest plain value.
        min: f64,
        /// Highest plain value.
        max: f64,
        /// Default plain value.
        default: f64,
    },
    /// On/off.
    Bool {
        /// Default state.
        default: bool,
    },
    /// Enum with `count` variants, default variant index `default`.
    Enum {
        /// Number of variants.
        count: u32,
        /// Index of the default variant.
        default: u32,
    },
}

/// One parameter: the string ID nice-plug hashes to the CLAP ID, the display name, its kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// `#[id = "…"]` in the plugin's params struct. Never renamed.
    pub id: &'static str,
    /// The display name the host shows.
    pub name: &'static str,
    /// Range and default.
    pub kind: Kind,
    /// Whether this is the host bypass parameter.
    pub bypass: bool,
}

/// One line per plugin.
#[derive(Debug, Clone, Copy)]
pub struct PluginSpec {
    /// File stem of the bundles: `target/bundled/<stem>.clap` and `<stem>.vst3`.
    pub bundle: &'static str,
    /// Short name used for fixture folders (`tests/fixtures/<short>/`) and messages.
    pub short: &'static str,
    /// CLAP plugin ID.
    pub clap_id: &'static str,
    /// The name the host shows.
    pub name: &'static str,
    /// CLAP features every build must declare (more are allowed).
    pub features: &'static [&'static str],
    /// Audio port layout.
    pub ports: Ports,
    /// Whether output is identical for any split of the input into blocks.
    pub block_size_invariant: bool,
    /// A pure meter: the output is the input, bit for bit, at every setting, in every layout
    /// (`meter_output_is_the_input_bit_for_bit`, CLAP and VST3).
    pub passes_audio_unchanged: bool,
    /// Latency behaviour.
    pub latency: Latency,
    /// Settings (string ID, CLAP value) for the impulse latency test, which finds the first
    /// output sample above -60 dB of the peak: a 100 %-wet effect (a reverb) needs some dry
    /// signal so the impulse that arrives first is the latency-aligned dry path, not its
    /// first reflection. Empty: the defaults.
    pub latency_probe: &'static [(&'static str, f64)],
    /// Every parameter, in the order the plugin declares them.
    pub params: &'static [ParamSpec],
    /// A parameter whose plain value is a gain in dB with 0 dB as default, used to measure
    /// sample-accurate automation (constant input, step the gain, find the first changed sample).
    pub gain_param: Option<&'static str>,
    /// The VST3 class ID (`Vst3Plugin::VST3_CLASS_ID`).
    pub vst3_class_id: [u8; 16],
    /// Settings (string ID, CLAP value) under which a key signal on the sidechain must change
    /// the output (a low threshold for a compressor, full key mix for the fixture), so the
    /// sidechain tests can hear whether a key arrived. Empty without a sidechain.
    pub key_settings: &'static [(&'static str, f64)],
    /// Settings (string ID, CLAP value) that engage every stateful path of the processor
    /// (filters, envelopes, delay lines, lookahead), so that the long-silence test checks state
    /// that must decay, not a bit-transparent shortcut. Empty only for a stateless plugin.
    pub stateful_settings: &'static [(&'static str, f64)],
    /// A test-only plugin (`tests/fixture-plugin`): bundled by `cargo xtask test`, never
    /// installed. Its line exercises harness paths no product plugin has yet.
    pub test_only: bool,
}

/// Every vendor string.
pub const VENDOR: &str = "Lacquer";

const fn float(
    id: &'static str,
    name: &'static str,
    min: f64,
    max: f64,
    default: f64,
) -> ParamSpec {
    ParamSpec {
        id,
        name,
        kind: Kind::Float { min, max, default },
        bypass: false,
    }
}

const fn boolean(id: &'static str, name: &'static str, default: bool) -> ParamSpec {
    ParamSpec {
        id,
        name,
        kind: Kind::Bool { default },
        bypass: false,
    }
}

const fn choice(id: &'static str, name: &'static str, count: u32, default: u32) -> ParamSpec {
    ParamSpec {
        id,
        name,
        kind: Kind::Enum { count, default },
        bypass: false,
    }
}

const fn bypass() -> ParamSpec {
    ParamSpec {
        id: "bypass",
        name: "Bypass",
        kind: Kind::Bool { default: false },
        bypass: true,
    }
}

/// Lacquer Panner's parameters.
pub const PANNER_PARAMS: &[ParamSpec] = &[
    choice("mode", "Mode", 4, 1),
    float("pan", "Pan", -1.0, 1.0, 0.0),
    float("width", "Width", 0.0, 2.0, 1.0),
    float("lpan", "Left Pan", -1.0, 1.0, -1.0),
    float("rpan", "Right Pan", -1.0, 1.0, 1.0),
    choice("law", "Pan Law", 4, 1),
    choice("taper", "Taper", 2, 0),
    boolean("comp", "Compensated", false),
    boolean("bmono", "Bass Mono", false),
    float("bmfreq", "Bass Mono Freq", 20.0, 500.0, 120.0),
    boolean("swap", "Swap L/R", false),
    boolean("invl", "Invert Left", false),
    boolean("invr", "Invert Right", false),
    float("out", "Output", -24.0, 24.0, 0.0),
    bypass(),
];

/// Lacquer Loudness's parameters.
pub const LOUDNESS_PARAMS: &[ParamSpec] = &[
    choice("target", "Target", 9, 6),
    float("tlufs", "Custom Target", -36.0, -5.0, -23.0),
    float("tceil", "Custom Ceiling", -9.0, 0.0, -1.0),
    choice("scale", "Scale", 2, 0),
    choice("unit", "Unit", 2, 0),
    boolean("pause", "Pause", false),
    boolean("rstplay", "Reset On Play", false),
    choice("tpos", "True Peak", 2, 0),
    bypass(),
    boolean("ref", "Reference", false),
    choice("refslot", "Ref Track", 8, 0),
    float("refstart", "Ref Start", 0.0, 600.0, 0.0),
    float("hdroom", "Headroom Target", -12.0, 0.0, -3.0),
];

/// Lacquer Compressor's parameters.
pub const COMPRESSOR_PARAMS: &[ParamSpec] = &[
    float("thr", "Threshold", -60.0, 0.0, 0.0),
    float("ratio", "Ratio", 1.0, 100.0, 4.0),
    boolean("rinf", "Infinite Ratio", false),
    float("knee", "Knee", 0.0, 24.0, 0.0),
    float("atk", "Attack", 0.01, 500.0, 10.0),
    float("rel", "Release", 1.0, 5000.0, 100.0),
    float("hold", "Hold", 0.0, 500.0, 0.0),
    boolean("arel", "Auto Release", false),
    float("range", "Range", 0.0, 60.0, 60.0),
    float("makeup", "Makeup", -30.0, 30.0, 0.0),
    boolean("amkup", "Auto Makeup", false),
    float("mix", "Mix", 0.0, 1.0, 1.0),
    float("look", "Lookahead", 0.0, 20.0, 0.0),
    choice("det", "Detection", 2, 0),
    float("rmsw", "RMS Window", 1.0, 100.0, 10.0),
    float("link", "Stereo Link", 0.0, 1.0, 1.0),
    choice("stm", "Stereo Mode", 2, 0),
    boolean("khp", "Key HP", false),
    float("khpf", "Key HP Freq", 10.0, 20_000.0, 80.0),
    boolean("klp", "Key LP", false),
    float("klpf", "Key LP Freq", 10.0, 20_000.0, 12_000.0),
    choice("listen", "Listen", 3, 0),
    boolean("lvlm", "Level Match", false),
    choice("scsrc", "Sidechain", 2, 0),
    bypass(),
];

/// Lacquer Ducker's parameters.
pub const DUCKER_PARAMS: &[ParamSpec] = &[
    float("thr", "Threshold", -60.0, 0.0, -30.0),
    float("depth", "Depth", -60.0, 0.0, -12.0),
    boolean("dinf", "Depth -inf", false),
    float("atk", "Attack", 0.1, 100.0, 2.0),
    float("hold", "Hold", 0.0, 500.0, 0.0),
    float("rel", "Release", 10.0, 2000.0, 150.0),
    choice("rcurve", "Release Curve", 2, 0),
    float("look", "Lookahead", 0.0, 20.0, 0.0),
    boolean("khp", "Key HP", false),
    float("khpf", "Key HP Freq", 10.0, 20_000.0, 30.0),
    boolean("klp", "Key LP", false),
    float("klpf", "Key LP Freq", 10.0, 20_000.0, 8000.0),
    boolean("klisten", "Key Listen", false),
    boolean("band", "Band Limited", false),
    float("bandf", "Band Freq", 20.0, 1000.0, 150.0),
    choice("scsrc", "Sidechain", 2, 1),
    choice("nokey", "No Key", 2, 0),
    bypass(),
];

/// Lacquer Limiter's parameters.
pub const LIMITER_PARAMS: &[ParamSpec] = &[
    float("in", "Input Gain", 0.0, 24.0, 0.0),
    float("ceil", "Ceiling", -12.0, 0.0, -1.0),
    float("rel", "Release", 1.0, 1000.0, 100.0),
    boolean("arel", "Auto Release", true),
    float("look", "Lookahead", 0.5, 10.0, 5.0),
    float("link", "Stereo Link", 0.0, 1.0, 1.0),
    choice("os", "Oversampling", 2, 0),
    choice("dith", "Dither", 3, 0),
    choice("bits", "Dither Bits", 2, 0),
    choice("target", "Target", 4, 0),
    float("tlufs", "Custom Target", -36.0, -5.0, -14.0),
    boolean("olock", "Output Lock", false),
    bypass(),
];

/// Lacquer Reverb Send's parameters.
pub const REVERB_SEND_PARAMS: &[ParamSpec] = &[
    float("decay", "Decay", 0.2, 20.0, 2.0),
    float("size", "Size", 0.25, 2.0, 1.0),
    float("pre", "Pre-delay", 0.0, 250.0, 10.0),
    choice("presync", "Pre-delay Sync", 10, 0),
    float("erl", "Early/Late", 0.0, 1.0, 0.6),
    float("diff", "Diffusion", 0.0, 1.0, 0.8),
    float("mrate", "Mod Rate", 0.05, 5.0, 0.5),
    float("mdepth", "Mod Depth", 0.0, 1.0, 0.1),
    float("lmult", "Low Decay", 0.25, 4.0, 1.0),
    float("hmult", "High Decay", 0.1, 2.0, 0.5),
    float("lx", "Low Crossover", 50.0, 1000.0, 250.0),
    float("hx", "High Crossover", 1000.0, 16_000.0, 4000.0),
    float("lcut", "Low Cut", 20.0, 1000.0, 40.0),
    float("hcut", "High Cut", 1000.0, 20_000.0, 12_000.0),
    float("width", "Width", 0.0, 1.5, 1.0),
    boolean("freeze", "Freeze", false),
    float("mix", "Mix", 0.0, 1.0, 1.0),
    boolean("send", "Send Mode", true),
    bypass(),
];

/// Lacquer Imager's parameters: crossovers `x_1..x_3` and widths `w_1..w_4` (nested arrays).
pub const IMAGER_PARAMS: &[ParamSpec] = &[
    choice("bands", "Bands", 4, 2),
    float("x_1", "Crossover 1", 20.0, 20_000.0, 200.0),
    float("x_2", "Crossover 2", 20.0, 20_000.0, 2000.0),
    float("x_3", "Crossover 3", 20.0, 20_000.0, 8000.0),
    float("w_1", "Band 1 Width", 0.0, 2.0, 1.0),
    float("w_2", "Band 2 Width", 0.0, 2.0, 1.0),
    float("w_3", "Band 3 Width", 0.0, 2.0, 1.0),
    float("w_4", "Band 4 Width", 0.0, 2.0, 1.0),
    choice("phase", "Phase", 2, 0),
    boolean("bmono", "Bass Mono", false),
    float("bmfreq", "Bass Mono Freq", 20.0, 500.0, 120.0),
    boolean("shp", "Side HP", false),
    float("shpf", "Side HP Freq", 20.0, 500.0, 40.0),
    float("bal", "Balance", -1.0, 1.0, 0.0),
    boolean("swap", "Swap L/R", false),
    boolean("invl", "Invert Left", false),
    boolean("invr", "Invert Right", false),
    boolean("mono", "Mono", false),
    bypass(),
];

/// Lacquer Multiband's parameters: crossovers `x_1..x_4`, then per band (IDs suffixed `_1`..`_5`)
/// threshold, ratio, knee, attack, release, range, makeup, detection, link, stereo mode,
/// bypass, solo, mute; then the global controls.
pub const MULTIBAND_PARAMS: &[ParamSpec] = &[
    choice("bands", "Bands", 4, 2),
    float("x_1", "Crossover 1", 20.0, 20_000.0, 120.0),
    float("x_2", "Crossover 2", 20.0, 20_000.0, 1000.0),
    float("x_3", "Crossover 3", 20.0, 20_000.0, 6000.0),
    float("x_4", "Crossover 4", 20.0, 20_000.0, 12_000.0),
    choice("slope", "Slope", 3, 1),
    choice("phase", "Phase", 2, 0),
    float("thr_1", "Band 1 Threshold", -80.0, 0.0, 0.0),
    float("ratio_1", "Band 1 Ratio", 0.25, 100.0, 2.0),
    float("knee_1", "Band 1 Knee", 0.0, 24.0, 0.0),
    float("atk_1", "Band 1 Attack", 0.01, 500.0, 10.0),
    float("rel_1", "Band 1 Release", 1.0, 5000.0, 150.0),
    float("range_1", "Band 1 Range", 0.0, 60.0, 24.0),
    float("mkup_1", "Band 1 Makeup", -18.0, 18.0, 0.0),
    choice("det_1", "Band 1 Detection", 2, 0),
    float("link_1", "Band 1 Link", 0.0, 1.0, 1.0),
    choice("stm_1", "Band 1 Stereo", 2, 0),
    boolean("byp_1", "Band 1 Bypass", false),
    boolean("solo_1", "Band 1 Solo", false),
    boolean("mute_1", "Band 1 Mute", false),
    float("thr_2", "Band 2 Threshold", -80.0, 0.0, 0.0),
    float("ratio_2", "Band 2 Ratio", 0.25, 100.0, 2.0),
    float("knee_2", "Band 2 Knee", 0.0, 24.0, 0.0),
    float("atk_2", "Band 2 Attack", 0.01, 500.0, 10.0),
    float("rel_2", "Band 2 Release", 1.0, 5000.0, 150.0),
    float("range_2", "Band 2 Range", 0.0, 60.0, 24.0),
    float("mkup_2", "Band 2 Makeup", -18.0, 18.0, 0.0),
    choice("det_2", "Band 2 Detection", 2, 0),
    float("link_2", "Band 2 Link", 0.0, 1.0, 1.0),
    choice("stm_2", "Band 2 Stereo", 2, 0),
    boolean("byp_2", "Band 2 Bypass", false),
    boolean("solo_2", "Band 2 Solo", false),
    boolean("mute_2", "Band 2 Mute", false),
    float("thr_3", "Band 3 Threshold", -80.0, 0.0, 0.0),
    float("ratio_3", "Band 3 Ratio", 0.25, 100.0, 2.0),
    float("knee_3", "Band 3 Knee", 0.0, 24.0, 0.0),
    float("atk_3", "Band 3 Attack", 0.01, 500.0, 10.0),
    float("rel_3", "Band 3 Release", 1.0, 5000.0, 150.0),
    float("range_3", "Band 3 Range", 0.0, 60.0, 24.0),
    float("mkup_3", "Band 3 Makeup", -18.0, 18.0, 0.0),
    choice("det_3", "Band 3 Detection", 2, 0),
    float("link_3", "Band 3 Link", 0.0, 1.0, 1.0),
    choice("stm_3", "Band 3 Stereo", 2, 0),
    boolean("byp_3", "Band 3 Bypass", false),
    boolean("solo_3", "Band 3 Solo", false),
    boolean("mute_3", "Band 3 Mute", false),
    float("thr_4", "Band 4 Threshold", -80.0, 0.0, 0.0),
    float("ratio_4", "Band 4 Ratio", 0.25, 100.0, 2.0),
    float("knee_4", "Band 4 Knee", 0.0, 24.0, 0.0),
    float("atk_4", "Band 4 Attack", 0.01, 500.0, 10.0),
    float("rel_4", "Band 4 Release", 1.0, 5000.0, 150.0),
    float("range_4", "Band 4 Range", 0.0, 60.0, 24.0),
    float("mkup_4", "Band 4 Makeup", -18.0, 18.0, 0.0),
    choice("det_4", "Band 4 Detection", 2, 0),
    float("link_4", "Band 4 Link", 0.0, 1.0, 1.0),
    choice("stm_4", "Band 4 Stereo", 2, 0),
    boolean("byp_4", "Band 4 Bypass", false),
    boolean("solo_4", "Band 4 Solo", false),
    boolean("mute_4", "Band 4 Mute", false),
    float("thr_5", "Band 5 Threshold", -80.0, 0.0, 0.0),
    float("ratio_5", "Band 5 Ratio", 0.25, 100.0, 2.0),
    float("knee_5", "Band 5 Knee", 0.0, 24.0, 0.0),
    float("atk_5", "Band 5 Attack", 0.01, 500.0, 10.0),
    float("rel_5", "Band 5 Release", 1.0, 5000.0, 150.0),
    float("range_5", "Band 5 Range", 0.0, 60.0, 24.0),
    float("mkup_5", "Band 5 Makeup", -18.0, 18.0, 0.0),
    choice("det_5", "Band 5 Detection", 2, 0),
    float("link_5", "Band 5 Link", 0.0, 1.0, 1.0),
    choice("stm_5", "Band 5 Stereo", 2, 0),
    boolean("byp_5", "Band 5 Bypass", false),
    boolean("solo_5", "Band 5 Solo", false),
    boolean("mute_5", "Band 5 Mute", false),
    float("in", "Input", -12.0, 12.0, 0.0),
    float("out", "Output", -12.0, 12.0, 0.0),
    float("mix", "Mix", 0.0, 1.0, 1.0),
    float("tilt", "Detector Tilt", -6.0, 6.0, 0.0),
    float("look", "Lookahead", 0.0, 10.0, 0.0),
    float("rmsw", "RMS Window", 1.0, 100.0, 10.0),
    choice("scsrc", "Sidechain", 2, 0),
    bypass(),
];

/// `1/√2` as the plugins store it (`f32`), for Q defaults.
const BUTTERWORTH_Q: f64 = std::f32::consts::FRAC_1_SQRT_2 as f64;

/// Lacquer Channel EQ's parameters: eight bands (IDs suffixed `_1`..`_8`), the cuts, output.
pub const CHANNEL_EQ_PARAMS: &[ParamSpec] = &[
    boolean("on_1", "Band 1 On", false),
    choice("type_1", "Band 1 Type", 9, 1),
    float("freq_1", "Band 1 Freq", 10.0, 22_000.0, 60.0),
    float("gain_1", "Band 1 Gain", -30.0, 30.0, 0.0),
    float("q_1", "Band 1 Q", 0.1, 40.0, BUTTERWORTH_Q),
    choice("slope_1", "Band 1 Slope", 8, 3),
    choice("route_1", "Band 1 Routing", 5, 0),
    boolean("solo_1", "Band 1 Solo", false),
    boolean("on_2", "Band 2 On", false),
    choice("type_2", "Band 2 Type", 9, 0),
    float("freq_2", "Band 2 Freq", 10.0, 22_000.0, 150.0),
    float("gain_2", "Band 2 Gain", -30.0, 30.0, 0.0),
    float("q_2", "Band 2 Q", 0.1, 40.0, BUTTERWORTH_Q),
    choice("slope_2", "Band 2 Slope", 8, 3),
    choice("route_2", "Band 2 Routing", 5, 0),
    boolean("solo_2", "Band 2 Solo", false),
    boolean("on_3", "Band 3 On", false),
    choice("type_3", "Band 3 Type", 9, 0),
    float("freq_3", "Band 3 Freq", 10.0, 22_000.0, 400.0),
    float("gain_3", "Band 3 Gain", -30.0, 30.0, 0.0),
    float("q_3", "Band 3 Q", 0.1, 40.0, BUTTERWORTH_Q),
    choice("slope_3", "Band 3 Slope", 8, 3),
    choice("route_3", "Band 3 Routing", 5, 0),
    boolean("solo_3", "Band 3 Solo", false),
    boolean("on_4", "Band 4 On", false),
    choice("type_4", "Band 4 Type", 9, 0),
    float("freq_4", "Band 4 Freq", 10.0, 22_000.0, 1_000.0),
    float("gain_4", "Band 4 Gain", -30.0, 30.0, 0.0),
    float("q_4", "Band 4 Q", 0.1, 40.0, BUTTERWORTH_Q),
    choice("slope_4", "Band 4 Slope", 8, 3),
    choice("route_4", "Band 4 Routing", 5, 0),
    boolean("solo_4", "Band 4 Solo", false),
    boolean("on_5", "Band 5 On", false),
    choice("type_5", "Band 5 Type", 9, 0),
    float("freq_5", "Band 5 Freq", 10.0, 22_000.0, 2_500.0),
    float("gain_5", "Band 5 Gain", -30.0, 30.0, 0.0),
    float("q_5", "Band 5 Q", 0.1, 40.0, BUTTERWORTH_Q),
    choice("slope_5", "Band 5 Slope", 8, 3),
    choice("route_5", "Band 5 Routing", 5, 0),
    boolean("solo_5", "Band 5 Solo", false),
    boolean("on_6", "Band 6 On", false),
    choice("type_6", "Band 6 Type", 9, 0),
    float("freq_6", "Band 6 Freq", 10.0, 22_000.0, 5_000.0),
    float("gain_6", "Band 6 Gain", -30.0, 30.0, 0.0),
    float("q_6", "Band 6 Q", 0.1, 40.0, BUTTERWORTH_Q),
    choice("slope_6", "Band 6 Slope", 8, 3),
    choice("route_6", "Band 6 Routing", 5, 0),
    boolean("solo_6", "Band 6 Solo", false),
    boolean("on_7", "Band 7 On", false),
    choice("type_7", "Band 7 Type", 9, 0),
    float("freq_7", "Band 7 Freq", 10.0, 22_000.0, 9_000.0),
    float("gain_7", "Band 7 Gain", -30.0, 30.0, 0.0),
    float("q_7", "Band 7 Q", 0.1, 40.0, BUTTERWORTH_Q),
    choice("slope_7", "Band 7 Slope", 8, 3),
    choice("route_7", "Band 7 Routing", 5, 0),
    boolean("solo_7", "Band 7 Solo", false),
    boolean("on_8", "Band 8 On", false),
    choice("type_8", "Band 8 Type", 9, 2),
    float("freq_8", "Band 8 Freq", 10.0, 22_000.0, 14_000.0),
    float("gain_8", "Band 8 Gain", -30.0, 30.0, 0.0),
    float("q_8", "Band 8 Q", 0.1, 40.0, BUTTERWORTH_Q),
    choice("slope_8", "Band 8 Slope", 8, 3),
    choice("route_8", "Band 8 Routing", 5, 0),
    boolean("solo_8", "Band 8 Solo", false),
    boolean("lc_on", "Low Cut On", false),
    float("lc_freq", "Low Cut Freq", 10.0, 22_000.0, 30.0),
    choice("lc_slope", "Low Cut Slope", 8, 3),
    float("lc_q", "Low Cut Q", 0.5, 10.0, BUTTERWORTH_Q),
    boolean("hc_on", "High Cut On", false),
    float("hc_freq", "High Cut Freq", 10.0, 22_000.0, 18_000.0),
    choice("hc_slope", "High Cut Slope", 8, 3),
    float("hc_q", "High Cut Q", 0.5, 10.0, BUTTERWORTH_Q),
    float("out", "Output", -24.0, 24.0, 0.0),
    boolean("agc", "Auto Gain", false),
    bypass(),
];

/// Lacquer Test Fixture's parameters (test-only plugin, `tests/fixture-plugin`).
pub const FIXTURE_PARAMS: &[ParamSpec] = &[
    float("lookahead_ms", "Lookahead", 0.0, 10.0, 0.0),
    float("key_mix", "Key Mix", 0.0, 1.0, 0.0),
    float("out", "Output", -24.0, 24.0, 0.0),
];

/// The plugin list. Add one line per plugin as it lands.
pub const PLUGINS: &[PluginSpec] = &[
    PluginSpec {
        bundle: "Lacquer Panner",
        short: "panner",
        clap_id: "org.lacquer.panner",
        name: "Lacquer Panner",
        features: &["audio-effect", "stereo", "mono", "utility", "mixing"],
        ports: Ports {
            main_in: 2,
            main_out: 2,
            sidechain: None,
            aux_out: None,
            mono_in_config: true,
        },
        block_size_invariant: true,
        passes_audio_unchanged: false,
        latency: Latency::Zero,
        latency_probe: &[],
        params: PANNER_PARAMS,
        gain_param: Some("out"),
        vst3_class_id: *b"LacquerPanner001",
        key_settings: &[],
        // Bass mono at 250 Hz (its LR4 crossover holds state), panned and narrowed (the matrix
        // path, not the bit-transparent one), output +6 dB.
        stateful_settings: &[
            ("bmono", 1.0),
            ("bmfreq", 0.5),
            ("pan", 0.3),
            ("width", 0.4),
            ("out", 0.625),
        ],
        test_only: false,
    },
    PluginSpec {
        bundle: "Lacquer Loudness",
        short: "loudness",
        clap_id: "org.lacquer.loudness",
        name: "Lacquer Loudness",
        features: &["audio-effect", "analyzer", "stereo", "mono", "surround"],
        // Stereo by default; mono and 5.1 (L R C LFE Ls Rs) through audio-ports-config.
        ports: Ports {
            main_in: 2,
            main_out: 2,
            sidechain: None,
            aux_out: None,
            mono_in_config: false,
        },
        block_size_invariant: true,
        passes_audio_unchanged: true,
        latency: Latency::Zero,
        latency_probe: &[],
        params: LOUDNESS_PARAMS,
        gain_param: None,
        vst3_class_id: *b"LacquerLoudnes01",
        key_settings: &[],
        // The meter's K-weighting filters and true-peak interpolator hold state; 8x true peak
        // and a custom target engage the most of it (the audio passes through regardless).
        stateful_settings: &[("tpos", 1.0), ("target", 8.0), ("tlufs", 0.5)],
        test_only: false,
    },
    PluginSpec {
        bundle: "Lacquer Compressor",
        short: "compressor",
        clap_id: "org.lacquer.compressor",
        name: "Lacquer Compressor",
        features: &["audio-effect", "compressor", "stereo", "mono"],
        ports: Ports {
            main_in: 2,
            main_out: 2,
            sidechain: Some(2),
            aux_out: None,
            mono_in_config: false,
        },
        block_size_invariant: true,
        passes_audio_unchanged: false,
        latency: Latency::Lookahead {
            param: "look",
            also: &[],
        },
        latency_probe: &[],
        params: COMPRESSOR_PARAMS,
        // Makeup: 0 dB default, and the default curve (0 dB threshold, hard knee) leaves a
        // constant 0 dBFS input untouched, so the step is the makeup's alone.
        gain_param: Some("makeup"),
        vst3_class_id: *b"LacquerCompres01",
        // External key, threshold -40 dB, 8:1: a loud key pulls the gain down hard.
        key_settings: &[("scsrc", 1.0), ("thr", 1.0 / 3.0), ("ratio", 0.5)],
        // Threshold -30 dB, RMS detection, key HP and LP (their filters hold state), 10 ms
        // lookahead (the delay line), a slow release (the envelope), 70 % mix.
        stateful_settings: &[
            ("thr", 0.5),
            ("det", 1.0),
            ("khp", 1.0),
            ("khpf", 0.3),
            ("klp", 1.0),
            ("look", 0.5),
            ("rel", 0.8),
            ("mix", 0.7),
        ],
        test_only: false,
    },
    PluginSpec {
        bundle: "Lacquer Ducker",
        short: "ducker",
        clap_id: "org.lacquer.ducker",
        name: "Lacquer Ducker",
        features: &["audio-effect", "compressor", "stereo", "mono"],
        ports: Ports {
            main_in: 2,
            main_out: 2,
            sidechain: Some(2),
            aux_out: None,
            mono_in_config: false,
        },
        block_size_invariant: true,
        passes_audio_unchanged: false,
        latency: Latency::Lookahead {
            param: "look",
            also: &[],
        },
        latency_probe: &[],
        params: DUCKER_PARAMS,
        // No 0 dB-default gain: the depth defaults to -12 dB and acts only with a key.
        gain_param: None,
        vst3_class_id: *b"LacquerDucker001",
        // External key (the default), threshold -30 dB, depth -30 dB: a loud key ducks hard.
        key_settings: &[("scsrc", 1.0), ("thr", 0.5), ("depth", 0.5)],
        // Self-keyed without a key (so it ducks in every test), key HP and LP (their filters
        // hold state), band-limited at ~140 Hz (the LR4 split), 10 ms lookahead (the delay
        // line), a slow linear release (the envelope).
        stateful_settings: &[
            ("nokey", 1.0),
            ("thr", 0.5),
            ("khp", 1.0),
            ("khpf", 0.3),
            ("klp", 1.0),
            ("band", 1.0),
            ("bandf", 0.5),
            ("look", 0.5),
            ("rel", 0.8),
            ("rcurve", 1.0),
        ],
        test_only: false,
    },
    PluginSpec {
        bundle: "Lacquer Limiter",
        short: "limiter",
        clap_id: "org.lacquer.limiter",
        name: "Lacquer Limiter",
        features: &["audio-effect", "limiter", "mastering", "stereo", "mono"],
        ports: Ports {
            main_in: 2,
            main_out: 2,
            sidechain: None,
            aux_out: None,
            mono_in_config: false,
        },
        block_size_invariant: true,
        passes_audio_unchanged: false,
        latency: Latency::Lookahead {
            param: "look",
            also: &[],
        },
        latency_probe: &[],
        params: LIMITER_PARAMS,
        // Input gain starts at 0 dB and only goes up (a step down cannot be measured).
        gain_param: None,
        vst3_class_id: *b"LacquerLimiter01",
        key_settings: &[],
        // +12 dB drive into a -6 dBTP ceiling (the windows, release and delays all hold
        // state), 8x detection, 30 % link, noise-shaped dither (its error feedback).
        stateful_settings: &[
            ("in", 0.5),
            ("ceil", 0.5),
            ("os", 1.0),
            ("link", 0.3),
            ("dith", 2.0),
        ],
        test_only: false,
    },
    PluginSpec {
        bundle: "Lacquer Channel EQ",
        short: "channel-eq",
        clap_id: "org.lacquer.channel-eq",
        name: "Lacquer Channel EQ",
        features: &["audio-effect", "equalizer", "stereo", "mono"],
        ports: Ports {
            main_in: 2,
            main_out: 2,
            sidechain: None,
            aux_out: None,
            mono_in_config: false,
        },
        block_size_invariant: true,
        passes_audio_unchanged: false,
        latency: Latency::Zero,
        latency_probe: &[],
        params: CHANNEL_EQ_PARAMS,
        gain_param: Some("out"),
        vst3_class_id: *b"LacquerChanEQ001",
        key_settings: &[],
        // A low shelf boost, a mid-routed bell, both cuts at 24 dB/oct (every cascade holds
        // state, the M/S one too) and auto gain (its K-weighted averages).
        stateful_settings: &[
            ("on_1", 1.0),
            ("gain_1", 0.65),
            ("on_4", 1.0),
            ("gain_4", 0.3),
            ("route_4", 3.0),
            ("lc_on", 1.0),
            ("hc_on", 1.0),
            ("hc_freq", 0.6),
            ("agc", 1.0),
        ],
        test_only: false,
    },
    PluginSpec {
        bundle: "Lacquer Reverb Send",
        short: "reverb-send",
        clap_id: "org.lacquer.reverb-send",
        name: "Lacquer Reverb Send",
        features: &["audio-effect", "reverb", "stereo", "mono"],
        ports: Ports {
            main_in: 2,
            main_out: 2,
            sidechain: None,
            aux_out: None,
            mono_in_config: true,
        },
        block_size_invariant: true,
        passes_audio_unchanged: false,
        latency: Latency::Zero,
        // Send mode off at 50 % mix: the dry impulse (half scale) arrives first and is the
        // peak; the reflections follow the 10 ms pre-delay.
        latency_probe: &[("send", 0.0), ("mix", 0.5)],
        params: REVERB_SEND_PARAMS,
        gain_param: None,
        vst3_class_id: *b"LacquerReverb001",
        key_settings: &[],
        // A 2 s decay with longer lows and shorter highs (the shelving decay filters), input
        // cuts (their biquads), pre-delay and modulation: every line, diffuser and filter holds
        // state. The tail falls below -120 dB within 8 s, well inside the test's 2 minutes.
        stateful_settings: &[
            ("decay", 0.55),
            ("lmult", 0.6),
            ("hmult", 0.3),
            ("lcut", 0.3),
            ("hcut", 0.5),
            ("pre", 0.4),
            ("mdepth", 0.5),
        ],
        test_only: false,
    },
    PluginSpec {
        bundle: "Lacquer Imager",
        short: "imager",
        clap_id: "org.lacquer.imager",
        name: "Lacquer Imager",
        features: &["audio-effect", "stereo", "utility", "mastering"],
        ports: Ports {
            main_in: 2,
            main_out: 2,
            sidechain: None,
            aux_out: None,
            mono_in_config: false,
        },
        block_size_invariant: true,
        passes_audio_unchanged: false,
        // Linear phase adds the splitter's latency; minimum phase (the default) has none.
        latency: Latency::Lookahead {
            param: "phase",
            also: &[],
        },
        latency_probe: &[],
        params: IMAGER_PARAMS,
        gain_param: None,
        vst3_class_id: *b"LacquerImager001",
        key_settings: &[],
        // Four linear-phase bands (the FFT splitter's overlap state), narrow lows and wide
        // highs, bass mono and the side high-pass (their filters).
        stateful_settings: &[
            ("bands", 3.0),
            ("phase", 1.0),
            ("w_1", 0.2),
            ("w_4", 0.9),
            ("bmono", 1.0),
            ("shp", 1.0),
            ("shpf", 0.5),
        ],
        test_only: false,
    },
    PluginSpec {
        bundle: "Lacquer Multiband",
        short: "multiband",
        clap_id: "org.lacquer.multiband",
        name: "Lacquer Multiband",
        features: &["audio-effect", "compressor", "stereo", "mono", "mastering"],
        ports: Ports {
            main_in: 2,
            main_out: 2,
            sidechain: Some(2),
            aux_out: None,
            mono_in_config: false,
        },
        block_size_invariant: true,
        passes_audio_unchanged: false,
        // Lookahead adds latency, and so does linear phase (re-announced the same way).
        latency: Latency::Lookahead {
            param: "look",
            also: &["phase"],
        },
        latency_probe: &[],
        params: MULTIBAND_PARAMS,
        // No exact gain step: the crossovers' all-pass rings on the constant test input.
        gain_param: None,
        vst3_class_id: *b"LacquerMultiBd01",
        // External key; every band at -40 dB, 8:1: a loud key pulls the bands down hard.
        key_settings: &[
            ("scsrc", 1.0),
            ("thr_1", 0.5),
            ("thr_2", 0.5),
            ("thr_3", 0.5),
            ("thr_4", 0.5),
            ("ratio_1", 0.6),
            ("ratio_2", 0.6),
            ("ratio_3", 0.6),
            ("ratio_4", 0.6),
        ],
        // Linear phase (the FFT splitter's overlap state), 5 ms lookahead (delay lines),
        // every band at -40 dB with RMS detection and slow releases (envelopes), 70 % mix.
        stateful_settings: &[
            ("phase", 1.0),
            ("look", 0.5),
            ("thr_1", 0.5),
            ("thr_2", 0.5),
            ("thr_3", 0.5),
            ("thr_4", 0.5),
            ("det_1", 1.0),
            ("det_3", 1.0),
            ("rel_2", 0.8),
            ("rel_4", 0.8),
            ("mix", 0.7),
        ],
        test_only: false,
    },
    PluginSpec {
        // Test-only (`tests/fixture-plugin`, never installed): the sidechain and lookahead
        // properties no product plugin has yet. Output = delay(main, lookahead) + key_mix · sidechain.
        bundle: "Lacquer Test Fixture",
        short: "fixture",
        clap_id: "org.lacquer.test-fixture",
        name: "Lacquer Test Fixture",
        features: &["audio-effect", "stereo"],
        ports: Ports {
            main_in: 2,
            main_out: 2,
            sidechain: Some(2),
            aux_out: Some(2),
            mono_in_config: false,
        },
        block_size_invariant: true,
        passes_audio_unchanged: false,
        latency: Latency::Lookahead {
            param: "lookahead_ms",
            also: &[],
        },
        latency_probe: &[],
        params: FIXTURE_PARAMS,
        gain_param: Some("out"),
        vst3_class_id: *b"LacquerFixture01",
        key_settings: &[("key_mix", 1.0)],
        // A 5 ms lookahead: the delay line holds 5 ms of the signal.
        stateful_settings: &[("lookahead_ms", 0.5)],
        test_only: true,
    },
];

/// The CLAP (and VST3) parameter ID nice-plug derives from a string ID: a Java-style string
/// hash with the top bit cleared (VST3 reserves it for host parameters), the formula of
/// nice-plug's crate-private `wrapper::util::hash_param_id`.
///
/// The check that this matches what the plugins really do is not the unit test below (that
/// only pins the formula): `clap_api::params_match_checked_in_list` compares the IDs every
/// built plugin reports over CLAP with this function of the table's string IDs, and the VST3
/// controller tests do the same over VST3.
pub fn param_hash(id: &str) -> u32 {
    let mut hash: u32 = 0;
    for byte in id.bytes() {
        hash = hash.wrapping_mul(31).wrapping_add(u32::from(byte));
    }
    hash & !(1 << 31)
}

/// The plugins the per-plugin loops visit: every line of [`PLUGINS`], or only those whose
/// `short` names are listed (comma-separated) in `LACQUER_ONLY`, to iterate on one plugin
/// without running the whole matrix (`LACQUER_ONLY=reverb-send cargo test -p
/// lacquer-host-tests`). CI never sets it.
pub fn selected() -> impl Iterator<Item = &'static PluginSpec> {
    let only = std::env::var("LACQUER_ONLY").unwrap_or_default();
    let only: Vec<String> = only
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    PLUGINS
        .iter()
        .filter(move |p| only.is_empty() || only.iter().any(|o| o == p.short))
}

/// Find a plugin by its short name (panics with the list when unknown).
pub fn by_short(short: &str) -> &'static PluginSpec {
    PLUGINS
        .iter()
        .find(|p| p.short == short)
        .unwrap_or_else(|| panic!("no plugin {short:?} in the table"))
}

impl PluginSpec {
    /// The spec of a parameter by string ID.
    pub fn param(&self, id: &str) -> &'static ParamSpec {
        self.params
            .iter()
            .find(|p| p.id == id)
            .unwrap_or_else(|| panic!("{}: no parameter {id:?} in the table", self.name))
    }
}

impl ParamSpec {
    /// The CLAP ID of this parameter.
    pub fn clap_id(&self) -> u32 {
        param_hash(self.id)
    }

    /// CLAP value range as nice-plug exposes it: floats are normalized `0..=1`, stepped
    /// parameters are `0..=steps`.
    pub fn clap_range(&self) -> (f64, f64) {
        match self.kind {
            Kind::Float { .. } => (0.0, 1.0),
            Kind::Bool { .. } => (0.0, 1.0),
            Kind::Enum { count, .. } => (0.0, f64::from(count - 1)),
        }
    }

    /// Whether the host sees this parameter as stepped.
    pub fn stepped(&self) -> bool {
        !matches!(self.kind, Kind::Float { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_matches_java_string_hash() {
        // "a" = 97; "ab" = 97 * 31 + 98.
        assert_eq!(param_hash("a"), 97);
        assert_eq!(param_hash("ab"), 97 * 31 + 98);
        assert_eq!(param_hash(""), 0);
        assert_eq!(param_hash("bypass") >> 31, 0);
    }

    /// `test_only` in the table says the same as `bundler.toml` (which decides what `cargo xtask
    /// install` skips), and every bundle there has a line here.
    #[test]
    fn test_only_matches_bundler_toml() {
        let path = crate::bundle::workspace_root().join("bundler.toml");
        let text = std::fs::read_to_string(&path).expect("bundler.toml");
        // Each `[package]` section: its `name = "…"` and whether it says `test_only = true`.
        let mut bundles: Vec<(String, bool)> = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                bundles.push((String::new(), false));
            } else if let (Some(last), Some(value)) =
                (bundles.last_mut(), line.strip_prefix("name"))
            {
                last.0 = value
                    .trim_start_matches([' ', '='])
                    .trim_matches('"')
                    .to_owned();
            } else if let Some(last) = bundles.last_mut() {
                if line.replace(' ', "") == "test_only=true" {
                    last.1 = true;
                }
            }
        }
        for (name, test_only) in &bundles {
            let spec = PLUGINS
                .iter()
                .find(|p| p.bundle == name)
                .unwrap_or_else(|| panic!("bundler.toml lists {name:?}, the table does not"));
            assert_eq!(spec.test_only, *test_only, "{name}: test_only");
        }
        assert_eq!(bundles.len(), PLUGINS.len(), "bundler.toml: {bundles:?}");
    }

    #[test]
    fn table_is_consistent() {
        for plugin in PLUGINS {
            let mut hashes: Vec<u32> = plugin.params.iter().map(ParamSpec::clap_id).collect();
            hashes.sort_unstable();
            hashes.dedup();
            assert_eq!(
                hashes.len(),
                plugin.params.len(),
                "{}: hash collision",
                plugin.name
            );
            assert!(plugin.params.iter().filter(|p| p.bypass).count() <= 1);
            if let Some(gain) = plugin.gain_param {
                assert!(matches!(plugin.param(gain).kind, Kind::Float { .. }));
            }
            if let Latency::Lookahead { param, also } = plugin.latency {
                plugin.param(param);
                for id in also {
                    plugin.param(id);
                }
            }
            assert_eq!(
                plugin.ports.sidechain.is_some(),
                !plugin.key_settings.is_empty(),
                "{}: a sidechain needs key_settings (and only a sidechain)",
                plugin.name
            );
            for (id, _) in plugin.key_settings.iter().chain(plugin.stateful_settings) {
                plugin.param(id);
            }
        }
    }
}
