//! Lacquer Channel EQ: the plugin glue. Parameters map onto `dsp_core::eq::EqSettings` once
//! per (sample-accurately split) block; the processor ramps, redesigns and cross-fades.
//! Meters, the auto gain's correction and the post-EQ audio for the spectrum analyzer reach
//! the editor through atomics and the kit's bounded queue, only while the editor is open.

use atomic_float::AtomicF32;
use dsp_core::eq::Eq;
use dsp_core::meter::LevelMeter;
use lacquer_kit::meters_bridge::{
    measure_stereo, AnalyzerQueue, AnalyzerSender, StereoLevelAtomics,
};
use nice_plug::prelude::*;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub mod editor;
pub mod params;

pub use params::EqParams;

/// Meter values the audio thread publishes for the editor.
#[derive(Debug)]
pub struct EqMeters {
    /// Output levels (after the EQ and the gains).
    pub output: StereoLevelAtomics,
    /// The auto gain's correction now, dB.
    pub auto_gain_db: AtomicF32,
    /// The sample rate the processor runs at (the editor's curve is designed for it).
    pub sample_rate: AtomicF32,
    /// Post-EQ audio for the spectrum analyzer (bounded; dropped when the editor lags).
    pub analyzer: AnalyzerQueue,
    /// Pre-EQ audio for the "pre" spectrum.
    pub pre: AnalyzerQueue,
}

impl Default for EqMeters {
    fn default() -> Self {
        Self {
            output: StereoLevelAtomics::default(),
            auto_gain_db: AtomicF32::new(0.0),
            sample_rate: AtomicF32::new(48_000.0),
            analyzer: AnalyzerQueue::default(),
            pre: AnalyzerQueue::default(),
        }
    }
}

/// The Channel EQ plugin instance.
pub struct LacquerChannelEq {
    /// Parameters shared with the host and the editor.
    params: Arc<EqParams>,
    /// Meters shared with the editor.
    meters: Arc<EqMeters>,
    /// The DSP; all filtering happens here.
    eq: Eq,
    /// Main channels (1 or 2).
    channels: usize,
    /// Output peak/RMS measurement (editor open only).
    output_meter: LevelMeter,
    /// Gathers post-EQ samples into analyzer chunks (editor open only).
    analyzer: AnalyzerSender,
    /// Gathers pre-EQ samples (editor open only).
    pre: AnalyzerSender,
}

impl Default for LacquerChannelEq {
    fn default() -> Self {
        Self {
            params: Arc::new(EqParams::default()),
            meters: Arc::new(EqMeters::default()),
            eq: Eq::new(),
            channels: 2,
            output_meter: LevelMeter::new(),
            analyzer: AnalyzerSender::default(),
            pre: AnalyzerSender::default(),
        }
    }
}

impl Plugin for LacquerChannelEq {
    const NAME: &'static str = "Lacquer Channel EQ";
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
            main_output_channels: NonZeroU32::new(1),
            ..AudioIOLayout::const_default()
        },
    ];

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;

    type SysExMessage = ();
    type BackgroundTask = ();
    type Editor = editor::EqEditor;

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
        let (sample_rate, max_block) = (
            buffer_config.sample_rate,
            buffer_config.max_buffer_size as usize,
        );
        self.channels = audio_io_layout
            .main_input_channels
            .map_or(2, NonZeroU32::get)
            .clamp(1, 2) as usize;
        self.eq.prepare(sample_rate, max_block, self.channels);
        self.output_meter.prepare(sample_rate, max_block, 2);
        self.meters
            .sample_rate
            .store(sample_rate, Ordering::Relaxed);
        true
    }

    fn reset(&mut self) {
        self.eq.reset();
        self.output_meter.reset();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        _context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        self.eq.set_settings(&self.params.settings());
        let editor_open = self.params.editor_state.is_open();
        let channels = self.channels;
        let main = buffer.as_slice();
        if main.len() < channels {
            return ProcessStatus::Normal;
        }
        if editor_open {
            let (left, right): (&[f32], &[f32]) = match &main[..channels] {
                [l, r] => (l, r),
                [m] => (m, m),
                _ => return ProcessStatus::Normal,
            };
            self.pre.push_block(&self.meters.pre, left, right);
        }
        match &mut main[..channels] {
            [left, right] => self.eq.process_stereo(left, right),
            [mono] => self.eq.process_mono(mono),
            _ => {}
        }
        if editor_open {
            let (left, right): (&[f32], &[f32]) = match &main[..channels] {
                [l, r] => (l, r),
                [m] => (m, m),
                _ => return ProcessStatus::Normal,
            };
            measure_stereo(&mut self.output_meter, left, right, &self.meters.output);
            self.meters
                .auto_gain_db
                .store(self.eq.auto_gain_db(), Ordering::Relaxed);
            self.analyzer.push_block(&self.meters.analyzer, left, right);
        }
        ProcessStatus::Normal
    }
}

impl ClapPlugin for LacquerChannelEq {
    const CLAP_ID: &'static str = "org.lacquer.channel-eq";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("Parametric EQ: cuts, shelves, bells, notch, tilt; live spectrum and curve");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Equalizer,
        ClapFeature::Stereo,
        ClapFeature::Mono,
    ];
}

impl Vst3Plugin for LacquerChannelEq {
    const VST3_CLASS_ID: [u8; 16] = *b"LacquerChanEQ001";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] =
        &[Vst3SubCategory::Fx, Vst3SubCategory::Eq];
}

// The CLAP and VST3 entry points only in the bundles (`cargo xtask` turns `export` on): two
// plugin libraries linked into one binary (the `lacquer` CLI) would define them twice.
#[cfg(feature = "export")]
nice_export_clap!(LacquerChannelEq);
#[cfg(feature = "export")]
nice_export_vst3!(LacquerChannelEq);
