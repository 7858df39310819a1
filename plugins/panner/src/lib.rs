//! Lacquer Panner: the plugin glue. Parameters map onto `dsp_core::PannerSettings` once per
//! (sample-accurately split) block; the processor smooths and pans; meters are published
//! through atomics while the editor is open.

use atomic_float::AtomicF32;
use dsp_core::meter::{CorrelationMeter, LevelMeter};
use dsp_core::Panner;
use lacquer_kit::meters_bridge::{measure_stereo, StereoLevelAtomics};
use nice_plug::prelude::*;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub mod editor;
pub mod params;

pub use params::PannerParams;

/// Meter values the audio thread publishes for the editor.
#[derive(Debug, Default)]
pub struct PannerMeters {
    /// Input levels, before panning.
    pub input: StereoLevelAtomics,
    /// Output levels, after panning and output gain.
    pub output: StereoLevelAtomics,
    /// Output phase correlation, -1 (anti-phase) to +1 (mono).
    pub correlation: AtomicF32,
}

/// The Panner plugin instance.
pub struct LacquerPanner {
    /// Parameters shared with the host and the editor.
    params: Arc<PannerParams>,
    /// Meters shared with the editor.
    meters: Arc<PannerMeters>,
    /// The DSP; all panning happens here.
    panner: Panner,
    /// The host chose the mono-in/stereo-out layout (the processor knows it from `prepare`;
    /// the glue needs it only to meter the mono source).
    mono_input: bool,
    /// Input peak/RMS measurement (runs only while the editor is open).
    input_meter: LevelMeter,
    /// Output peak/RMS measurement (runs only while the editor is open).
    output_meter: LevelMeter,
    /// Output phase correlation (runs only while the editor is open).
    correlation_meter: CorrelationMeter,
}

impl Default for LacquerPanner {
    fn default() -> Self {
        Self {
            params: Arc::new(PannerParams::default()),
            meters: Arc::new(PannerMeters::default()),
            panner: Panner::new(),
            mono_input: false,
            input_meter: LevelMeter::new(),
            output_meter: LevelMeter::new(),
            correlation_meter: CorrelationMeter::new(),
        }
    }
}

impl Plugin for LacquerPanner {
    const NAME: &'static str = "Lacquer Panner";
    const VENDOR: &'static str = "Lacquer";
    const URL: &'static str = env!("CARGO_PKG_HOMEPAGE");
    const EMAIL: &'static str = "lacquer@example.org";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(2),
            main_output_channels: NonZeroU32::new(2),
            ..AudioIOLayout::const_default()
        },
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(1),
            main_output_channels: NonZeroU32::new(2),
            ..AudioIOLayout::const_default()
        },
    ];

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;

    type SysExMessage = ();
    type BackgroundTask = ();
    type Editor = editor::PannerEditor;

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
        let input_channels = audio_io_layout
            .main_input_channels
            .map_or(2, NonZeroU32::get) as usize;
        self.mono_input = input_channels == 1;
        self.panner.prepare(
            buffer_config.sample_rate,
            buffer_config.max_buffer_size as usize,
            input_channels.min(2),
        );
        let (sample_rate, max_block) = (
            buffer_config.sample_rate,
            buffer_config.max_buffer_size as usize,
        );
        self.input_meter.prepare(sample_rate, max_block, 2);
        self.output_meter.prepare(sample_rate, max_block, 2);
        self.correlation_meter.prepare(sample_rate, max_block, 2);
        true
    }

    fn reset(&mut self) {
        self.panner.reset();
        self.input_meter.reset();
        self.output_meter.reset();
        self.correlation_meter.reset();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        _context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        self.panner.set_settings(&self.params.settings());
        let editor_open = self.params.editor_state.is_open();
        let [left, right, ..] = buffer.as_slice() else {
            return ProcessStatus::Normal;
        };
        if editor_open {
            // Mono-in/stereo-out: the processor takes `left` as the source and writes both
            // outputs; `right` holds the wrapper's silence, so meter the source on both bars.
            let input_right: &[f32] = if self.mono_input { left } else { right };
            measure_stereo(&mut self.input_meter, left, input_right, &self.meters.input);
        }
        self.panner.process_stereo(left, right);
        if editor_open {
            measure_stereo(&mut self.output_meter, left, right, &self.meters.output);
            self.correlation_meter.process(left, right);
            self.meters
                .correlation
                .store(self.correlation_meter.correlation(), Ordering::Relaxed);
        }
        ProcessStatus::Normal
    }
}

impl ClapPlugin for LacquerPanner {
    const CLAP_ID: &'static str = "org.lacquer.panner";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("Pan laws, balance, stereo and dual pan, width and bass mono");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Stereo,
        ClapFeature::Mono,
        ClapFeature::Utility,
        ClapFeature::Mixing,
    ];
}

impl Vst3Plugin for LacquerPanner {
    const VST3_CLASS_ID: [u8; 16] = *b"LacquerPanner001";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[
        Vst3SubCategory::Fx,
        Vst3SubCategory::Spatial,
        Vst3SubCategory::Tools,
    ];
}

// The CLAP and VST3 entry points only in the bundles (`cargo xtask` turns `export` on): two
// plugin libraries linked into one binary (the `lacquer` CLI) would define them twice.
#[cfg(feature = "export")]
nice_export_clap!(LacquerPanner);
#[cfg(feature = "export")]
nice_export_vst3!(LacquerPanner);
