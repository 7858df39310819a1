//! Lacquer Loudness: the plugin glue around `dsp_core::loudness::LoudnessMeter` (ITU-R
//! BS.1770-5 / EBU R128). The audio passes through untouched (bit for bit, latency 0): the
//! plugin only reads it. Parameters are read once per block; readings reach the editor through
//! atomics and a bounded history queue ([`bridge`]); the block is split at the meter's 100 ms
//! slots so the history is exact for any block size ([`measure`]).

use nice_plug::prelude::*;
use std::sync::Arc;

pub mod bridge;
pub mod editor;
pub mod export;
pub mod measure;
pub mod params;

pub use bridge::LoudnessMeters;
pub use params::LoudnessParams;

use measure::Measurement;

/// The Loudness plugin instance.
pub struct LacquerLoudness {
    /// Parameters shared with the host and the editor.
    params: Arc<LoudnessParams>,
    /// Readings shared with the editor.
    meters: Arc<LoudnessMeters>,
    /// The meter and its block-splitting glue.
    measurement: Measurement,
    /// Whether the host transport played in the previous block (reset-on-play edge).
    was_playing: bool,
}

impl Default for LacquerLoudness {
    fn default() -> Self {
        Self {
            params: Arc::new(LoudnessParams::default()),
            meters: Arc::new(LoudnessMeters::default()),
            measurement: Measurement::default(),
            was_playing: false,
        }
    }
}

/// The layouts: stereo (default), mono, and 5.1 (L R C LFE Ls Rs) where the host offers it.
const fn layout(channels: u32) -> AudioIOLayout {
    AudioIOLayout {
        main_input_channels: NonZeroU32::new(channels),
        main_output_channels: NonZeroU32::new(channels),
        ..AudioIOLayout::const_default()
    }
}

impl Plugin for LacquerLoudness {
    const NAME: &'static str = "Lacquer Loudness";
    const VENDOR: &'static str = "Lacquer";
    const URL: &'static str = env!("CARGO_PKG_HOMEPAGE");
    const EMAIL: &'static str = "lacquer@example.org";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[layout(2), layout(1), layout(6)];

    const SAMPLE_ACCURATE_AUTOMATION: bool = false;

    type SysExMessage = ();
    type BackgroundTask = ();
    type Editor = editor::LoudnessEditor;

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self, _async_executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        editor::create(self.params.clone(), self.meters.clone())
    }

    fn activate(
        &mut self,
        audio_io_layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        _context: &mut impl ActivateContext<Self>,
    ) -> bool {
        let channels = audio_io_layout
            .main_input_channels
            .map_or(2, NonZeroU32::get) as usize;
        self.measurement.prepare(
            buffer_config.sample_rate,
            buffer_config.max_buffer_size as usize,
            channels,
            &self.meters,
        );
        true
    }

    /// Host resets (start/stop processing, CLAP `reset`) keep the measurement: hosts send them
    /// when playback stops or a plugin sleeps, and a meter on the master bus must not lose
    /// the programme's integrated loudness then. The measurement is reset by the user (the
    /// editor's Reset button, or Reset On Play) and by a new activation (another rate or
    /// layout). The meter holds no audio-path state: the output never depends on it.
    fn reset(&mut self) {}

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        let playing = context.transport().playing;
        let play_started = playing && !self.was_playing;
        self.was_playing = playing;
        let user_reset = self.meters.take_reset_request();
        if user_reset || (play_started && self.params.reset_on_play.value()) {
            self.measurement.reset(&self.meters);
        }
        let editor_open = self.params.editor_state.is_open();
        self.measurement.process(
            // The input, read only: the wrapper already placed it in the output buffers.
            buffer.as_slice_immutable(),
            !self.params.pause.value(),
            self.params.oversampling(),
            editor_open,
            &self.meters,
        );
        ProcessStatus::Normal
    }
}

impl ClapPlugin for LacquerLoudness {
    const CLAP_ID: &'static str = "org.lacquer.loudness";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("EBU R128 / ITU-R BS.1770 loudness meter: M, S, I, LRA, true peak, platform targets");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Analyzer,
        ClapFeature::Stereo,
        ClapFeature::Mono,
        ClapFeature::Surround,
        ClapFeature::Utility,
        ClapFeature::Mastering,
    ];
}

impl Vst3Plugin for LacquerLoudness {
    const VST3_CLASS_ID: [u8; 16] = *b"LacquerLoudnes01";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[
        Vst3SubCategory::Fx,
        Vst3SubCategory::Analyzer,
        Vst3SubCategory::Tools,
    ];
}

// The CLAP and VST3 entry points only in the bundles (`cargo xtask` turns `export` on): two
// plugin libraries linked into one binary (the `lacquer` CLI) would define them twice.
#[cfg(feature = "export")]
nice_export_clap!(LacquerLoudness);
#[cfg(feature = "export")]
nice_export_vst3!(LacquerLoudness);
