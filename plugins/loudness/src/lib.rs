//! Lacquer Loudness: the plugin glue around `dsp_core::loudness::LoudnessMeter` (ITU-R
//! BS.1770-5 / EBU R128). The audio passes through untouched (bit for bit, latency 0) unless
//! the "Reference" A/B is on: then the output carries a reference track at the live
//! programme's loudness ([`reference`]); the meters always measure the input. Parameters are
//! read once per block; readings reach the editor through atomics and a bounded history queue
//! ([`bridge`]); the block is split at the meter's 100 ms slots so the history is exact for any
//! block size ([`measure`]). The handover view's clip count is in [`handover`].

use nice_plug::prelude::*;
use std::sync::Arc;

pub mod bridge;
pub mod editor;
pub mod export;
pub mod handover;
pub mod measure;
pub mod params;
pub mod reference;
pub mod spectrum;

pub use bridge::LoudnessMeters;
pub use params::LoudnessParams;

use measure::Measurement;
use reference::player::{PlayerSettings, ReferencePlayer, Source};

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
    /// The reference A/B's audio side.
    player: ReferencePlayer,
    /// The live programme's long-term 1/3-octave spectrum (beside the references').
    spectrum: spectrum::LiveSpectrum,
}

impl Default for LacquerLoudness {
    fn default() -> Self {
        let params = Arc::new(LoudnessParams::default());
        let player = ReferencePlayer::new(params.references.shared());
        Self {
            params,
            meters: Arc::new(LoudnessMeters::default()),
            measurement: Measurement::default(),
            was_playing: false,
            player,
            spectrum: spectrum::LiveSpectrum::default(),
        }
    }
}

impl LacquerLoudness {
    /// The parameters (tests and offline hosts set them through a `ParamSetter`).
    pub fn loudness_params(&self) -> &Arc<LoudnessParams> {
        &self.params
    }

    /// The readings shared with the editor.
    pub fn meters(&self) -> &Arc<LoudnessMeters> {
        &self.meters
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
        self.spectrum
            .prepare(buffer_config.sample_rate, &self.meters);
        let channels = channels.clamp(1, dsp_core::loudness::MAX_LOUDNESS_CHANNELS);
        self.player.prepare(buffer_config.sample_rate, channels);
        // Loads (or reloads at this rate and layout) the references, on their own thread.
        self.params
            .references
            .prepare(buffer_config.sample_rate, channels);
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
            self.spectrum.reset(&self.meters);
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
        // GUI-only work: the spectrum is analysed only while the editor shows it.
        if editor_open {
            self.spectrum.process(
                buffer.as_slice_immutable(),
                !self.params.pause.value(),
                &self.meters,
            );
        }
        let reference_on = self.params.reference.value() && !self.params.bypass.value();
        // The gated integrated loudness scans the meter's histogram: only while a reference
        // may be heard.
        let (live_integrated_lufs, live_short_term_lufs) =
            if reference_on || self.player.source() != Source::Live || self.player.is_fading() {
                let meter = self.measurement.meter();
                (meter.integrated_lufs(), meter.short_term_lufs())
            } else {
                (
                    dsp_core::loudness::SILENCE_LUFS,
                    dsp_core::loudness::SILENCE_LUFS,
                )
            };
        let settings = PlayerSettings {
            reference_on,
            slot: self.params.reference_slot.value() as usize,
            start_seconds: self.params.reference_start_s.value(),
            live_integrated_lufs,
            live_short_term_lufs,
        };
        self.player.process(buffer.as_slice(), &settings);
        let heard = match self.player.source() {
            Source::Live => 0,
            Source::Reference(slot) => slot as u32 + 1,
        };
        let r = std::sync::atomic::Ordering::Relaxed;
        self.meters.reference_heard.store(heard, r);
        self.meters
            .reference_gain_db
            .store(self.player.gain_db(), r);
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
