//! Lacquer Imager: the plugin glue. Parameters map onto `dsp_core::imager::ImagerSettings`
//! once per (sample-accurately split) block; the processor ramps everything per sample, so
//! the output does not depend on the host's block size. The linear-phase mode's latency is
//! reported at activation and re-announced when the phase mode changes. The host bypass is
//! `dsp_core::bypass` (a 20 ms fade to the latency-aligned input, bit-exact once settled).
//!
//! Meters, read from the processor once per block while the editor is open: correlation
//! overall and per band (300 ms), mid and side RMS, in/out levels, a 50 Hz history of the
//! correlation and of side − mid, and the output audio for the spectrum and the
//! vectorscope through the kit's bounded queue (dropped, never waited on, when the editor
//! lags). Stereo only: width has no meaning on one channel.

use atomic_float::AtomicF32;
use crossbeam::queue::ArrayQueue;
use dsp_core::bypass::Bypass;
use dsp_core::imager::{Imager, PhaseMode, MAX_BANDS};
use dsp_core::meter::LevelMeter;
use lacquer_kit::meters_bridge::{
    measure_stereo, AnalyzerQueue, AnalyzerSender, StereoLevelAtomics,
};
use nice_plug::prelude::*;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub mod editor;
pub mod params;

pub use params::ImagerParams;

/// History points per second (the editor keeps 5 s of them).
pub const HISTORY_RATE_HZ: f32 = 50.0;
/// History points the queue holds before the audio side drops new ones (~2.5 s).
pub const HISTORY_QUEUE_LEN: usize = 128;
/// Floor of the mid/side level readouts (dBFS).
pub const LEVEL_FLOOR_DB: f32 = -100.0;

/// One history point over 1/50 s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryPoint {
    /// Lowest overall correlation in the interval (−1..+1).
    pub correlation: f32,
    /// Side RMS minus mid RMS (dB): above 0 the side is louder than the mid.
    pub side_minus_mid_db: f32,
}

/// Meter values the audio thread publishes for the editor.
#[derive(Debug)]
pub struct ImagerMeters {
    /// Input levels (peak hold and RMS).
    pub input: StereoLevelAtomics,
    /// Output levels.
    pub output: StereoLevelAtomics,
    /// Output correlation, −1..+1 (300 ms).
    pub correlation: AtomicF32,
    /// Per-band output correlation.
    pub band_correlation: [AtomicF32; MAX_BANDS],
    /// Mid RMS of the output (dBFS).
    pub mid_db: AtomicF32,
    /// Side RMS of the output (dBFS).
    pub side_db: AtomicF32,
    /// Sample rate of the running instance (the spectrum's axis).
    pub sample_rate: AtomicF32,
    /// Output audio for the spectrum and the vectorscope.
    pub analyzer: AnalyzerQueue,
    /// Correlation and side − mid history.
    pub history: ArrayQueue<HistoryPoint>,
}

impl Default for ImagerMeters {
    fn default() -> Self {
        Self {
            input: StereoLevelAtomics::default(),
            output: StereoLevelAtomics::default(),
            correlation: AtomicF32::new(1.0),
            band_correlation: std::array::from_fn(|_| AtomicF32::new(1.0)),
            mid_db: AtomicF32::new(LEVEL_FLOOR_DB),
            side_db: AtomicF32::new(LEVEL_FLOOR_DB),
            sample_rate: AtomicF32::new(48_000.0),
            analyzer: AnalyzerQueue::default(),
            history: ArrayQueue::new(HISTORY_QUEUE_LEN),
        }
    }
}

/// History accumulation on the audio side.
#[derive(Debug, Clone, Copy, Default)]
struct HistoryAccumulator {
    /// Samples gathered into the current point.
    samples: usize,
    /// Samples per point.
    interval: usize,
    /// Lowest correlation so far.
    correlation: f32,
    /// Largest side − mid so far (dB).
    side_minus_mid_db: f32,
}

/// The Imager plugin instance.
pub struct LacquerImager {
    /// Parameters shared with the host and the editor.
    params: Arc<ImagerParams>,
    /// Meters shared with the editor.
    meters: Arc<ImagerMeters>,
    /// The DSP.
    imager: Imager,
    /// Host bypass: fade to the latency-aligned input.
    bypass: Bypass,
    /// Latency last reported to the host.
    latency: u32,
    /// Input peak/RMS measurement (editor open only).
    input_meter: LevelMeter,
    /// Output peak/RMS measurement (editor open only).
    output_meter: LevelMeter,
    /// Output chunks for the analyzer queue (editor open only).
    analyzer: AnalyzerSender,
    /// The point being gathered for the history.
    history: HistoryAccumulator,
}

impl Default for LacquerImager {
    fn default() -> Self {
        Self {
            params: Arc::new(ImagerParams::default()),
            meters: Arc::new(ImagerMeters::default()),
            imager: Imager::new(),
            bypass: Bypass::new(),
            latency: 0,
            input_meter: LevelMeter::new(),
            output_meter: LevelMeter::new(),
            analyzer: AnalyzerSender::default(),
            history: HistoryAccumulator::default(),
        }
    }
}

/// dBFS of an RMS value, floored.
fn to_db(x: f32) -> f32 {
    if x > 0.0 && x.is_finite() {
        (20.0 * x.log10()).max(LEVEL_FLOOR_DB)
    } else {
        LEVEL_FLOOR_DB
    }
}

impl Plugin for LacquerImager {
    const NAME: &'static str = "Lacquer Imager";
    const VENDOR: &'static str = "Lacquer";
    const URL: &'static str = env!("CARGO_PKG_HOMEPAGE");
    const EMAIL: &'static str = "lacquer@example.org";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[AudioIOLayout {
        main_input_channels: NonZeroU32::new(2),
        main_output_channels: NonZeroU32::new(2),
        aux_input_ports: &[],
        aux_output_ports: &[],
        names: PortNames {
            layout: Some("Stereo"),
            main_input: Some("Input"),
            main_output: Some("Output"),
            aux_inputs: &[],
            aux_outputs: &[],
        },
    }];

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;

    type SysExMessage = ();
    type BackgroundTask = ();
    type Editor = editor::ImagerEditor;

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self, _async_executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        editor::create(self.params.clone(), self.meters.clone())
    }

    fn activate(
        &mut self,
        _audio_io_layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        context: &mut impl ActivateContext<Self>,
    ) -> bool {
        let (sample_rate, max_block) = (
            buffer_config.sample_rate,
            buffer_config.max_buffer_size as usize,
        );
        self.imager.prepare(sample_rate, max_block, 2);
        self.bypass
            .prepare(sample_rate, self.imager.latency_for(PhaseMode::Linear));
        self.input_meter.prepare(sample_rate, max_block, 2);
        self.output_meter.prepare(sample_rate, max_block, 2);
        self.meters
            .sample_rate
            .store(sample_rate, Ordering::Relaxed);
        self.history = HistoryAccumulator {
            interval: (sample_rate / HISTORY_RATE_HZ).round().max(1.0) as usize,
            ..HistoryAccumulator::default()
        };
        self.reset();
        self.latency = self.imager.latency() as u32;
        context.set_latency_samples(self.latency);
        true
    }

    fn reset(&mut self) {
        self.input_meter.reset();
        self.output_meter.reset();
        self.history.samples = 0;
        // `set_settings` fixes the phase mode (and so the latency `activate` reports);
        // `reset` then re-arms the jump so the first block starts at the values in force.
        self.imager.set_settings(&self.params.settings());
        self.imager.reset();
        self.bypass.reset();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        let editor_open = self.params.editor_state.is_open();
        self.imager.set_settings(&self.params.settings());
        let latency = self.imager.latency() as u32;
        if latency != self.latency {
            self.latency = latency;
            context.set_latency_samples(latency);
        }
        self.bypass
            .set(self.params.bypass.value(), self.imager.latency());
        let n = buffer.samples();
        let [left, right, ..] = buffer.as_slice() else {
            return ProcessStatus::Normal;
        };
        if n == 0 {
            return ProcessStatus::Normal;
        }
        if editor_open {
            measure_stereo(&mut self.input_meter, left, right, &self.meters.input);
        }
        let imager = &mut self.imager;
        self.bypass
            .run_stereo(left, right, |l, r| imager.process_stereo(l, r));
        if editor_open {
            measure_stereo(&mut self.output_meter, left, right, &self.meters.output);
            self.analyzer.push_block(&self.meters.analyzer, left, right);
            self.publish(n);
        }
        ProcessStatus::Normal
    }
}

impl LacquerImager {
    /// Publish the processor's meters and gather the history point.
    fn publish(&mut self, samples: usize) {
        let im = &self.imager;
        let m = &self.meters;
        let corr = im.correlation();
        m.correlation.store(corr, Ordering::Relaxed);
        for (b, a) in m.band_correlation.iter().enumerate() {
            a.store(im.band_correlation(b), Ordering::Relaxed);
        }
        let (mid_db, side_db) = (to_db(im.mid_rms()), to_db(im.side_rms()));
        m.mid_db.store(mid_db, Ordering::Relaxed);
        m.side_db.store(side_db, Ordering::Relaxed);
        let h = &mut self.history;
        if h.samples == 0 {
            h.correlation = 1.0;
            h.side_minus_mid_db = -200.0;
        }
        h.samples += samples;
        h.correlation = h.correlation.min(corr);
        h.side_minus_mid_db = h.side_minus_mid_db.max(side_db - mid_db);
        if h.samples >= h.interval {
            h.samples = 0;
            let _ = m.history.push(HistoryPoint {
                correlation: h.correlation,
                side_minus_mid_db: h.side_minus_mid_db,
            });
        }
    }
}

impl ClapPlugin for LacquerImager {
    const CLAP_ID: &'static str = "org.lacquer.imager";
    const CLAP_DESCRIPTION: Option<&'static str> = Some(
        "Multiband stereo width with mono-safe bass, side high-pass, correlation and vectorscope",
    );
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Stereo,
        ClapFeature::Utility,
        ClapFeature::Mastering,
    ];
}

impl Vst3Plugin for LacquerImager {
    const VST3_CLASS_ID: [u8; 16] = *b"LacquerImager001";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[
        Vst3SubCategory::Fx,
        Vst3SubCategory::Spatial,
        Vst3SubCategory::Mastering,
    ];
}

// The CLAP and VST3 entry points only in the bundles (`cargo xtask` turns `export` on): two
// plugin libraries linked into one binary (the `lacquer` CLI) would define them twice.
#[cfg(feature = "export")]
nice_export_clap!(LacquerImager);
#[cfg(feature = "export")]
nice_export_vst3!(LacquerImager);
