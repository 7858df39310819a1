//! Lacquer Limiter: the plugin glue. Parameters map onto `dsp_core::LimiterSettings` once
//! per (sub-)block; the processor's latency (lookahead + interpolation filters) is reported
//! at activation and re-announced from `process` when the lookahead changes; meters, the
//! loudness readouts and the 5 s history reach the editor through atomics and a bounded
//! queue, only while the editor is open.
//!
//! Sub-blocks: with sample-accurate automation the wrapper splits host blocks at parameter
//! events; the processor smooths per sample, so the output does not depend on the host's
//! block size.

use atomic_float::AtomicF32;
use crossbeam::queue::ArrayQueue;
use dsp_core::limiter::gain_to_target_db;
use dsp_core::meter::LevelMeter;
use dsp_core::Limiter;
use lacquer_kit::meters_bridge::{
    measure_stereo, LevelAtomics, StereoLevelAtomics, METER_FLOOR_DB,
};
use nice_plug::prelude::*;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub mod editor;
pub mod params;

pub use params::LimiterParams;

/// History points per second (the editor keeps 5 s of them).
pub const HISTORY_RATE_HZ: f32 = 50.0;
/// History points the queue holds before the audio side drops new ones (~2.5 s).
pub const HISTORY_QUEUE_LEN: usize = 128;

/// One history point: input and output true peak and gain reduction over 1/50 s, in dB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryPoint {
    /// Input true peak after the input gain (dBTP).
    pub input_db: f32,
    /// Output true peak (dBTP).
    pub output_db: f32,
    /// Largest gain reduction (dB, ≥ 0).
    pub gain_reduction_db: f32,
}

/// Meter values the audio thread publishes for the editor.
#[derive(Debug)]
pub struct LimiterMeters {
    /// Input levels (peak hold and RMS), before the input gain.
    pub input: StereoLevelAtomics,
    /// Output true peak of the last block (as peak) and its short-term loudness (as the
    /// body of the bar).
    pub output_true_peak: LevelAtomics,
    /// Largest gain reduction of the last block, dB (≥ 0).
    pub gain_reduction_db: AtomicF32,
    /// Integrated loudness of the output since activation (LUFS).
    pub integrated_lufs: AtomicF32,
    /// Short-term loudness of the output (LUFS).
    pub short_term_lufs: AtomicF32,
    /// Largest output true peak since activation (dBTP).
    pub true_peak_max_db: AtomicF32,
    /// Input gain still needed to reach the target (dB; 0 without a reading).
    pub to_target_db: AtomicF32,
    /// History points; bounded, the audio side drops points when the editor lags.
    pub history: ArrayQueue<HistoryPoint>,
}

impl Default for LimiterMeters {
    fn default() -> Self {
        Self {
            input: StereoLevelAtomics::default(),
            output_true_peak: LevelAtomics::default(),
            gain_reduction_db: AtomicF32::new(0.0),
            integrated_lufs: AtomicF32::new(METER_FLOOR_DB),
            short_term_lufs: AtomicF32::new(METER_FLOOR_DB),
            true_peak_max_db: AtomicF32::new(METER_FLOOR_DB),
            to_target_db: AtomicF32::new(0.0),
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
    /// Running maximum of the input true peak (dB).
    input_db: f32,
    /// Running maximum of the output true peak (dB).
    output_db: f32,
    /// Running maximum of the gain reduction (dB).
    gain_reduction_db: f32,
}

/// The Limiter plugin instance.
pub struct LacquerLimiter {
    /// Parameters shared with the host and the editor.
    params: Arc<LimiterParams>,
    /// Meters shared with the editor.
    meters: Arc<LimiterMeters>,
    /// The DSP; all limiting, dithering and loudness measurement happens here.
    limiter: Limiter,
    /// Main channels (1 or 2).
    channels: usize,
    /// Latency last reported to the host.
    latency: u32,
    /// Input peak/RMS measurement (editor open only).
    input_meter: LevelMeter,
    /// The point being gathered for the history.
    history: HistoryAccumulator,
}

impl Default for LacquerLimiter {
    fn default() -> Self {
        Self {
            params: Arc::new(LimiterParams::default()),
            meters: Arc::new(LimiterMeters::default()),
            limiter: Limiter::new(),
            channels: 2,
            latency: 0,
            input_meter: LevelMeter::new(),
            history: HistoryAccumulator::default(),
        }
    }
}

/// A layout with `main` channels in and out.
const fn layout(main: u32, name: &'static str) -> AudioIOLayout {
    AudioIOLayout {
        main_input_channels: NonZeroU32::new(main),
        main_output_channels: NonZeroU32::new(main),
        aux_input_ports: &[],
        aux_output_ports: &[],
        names: PortNames {
            layout: Some(name),
            main_input: Some("Input"),
            main_output: Some("Output"),
            aux_inputs: &[],
            aux_outputs: &[],
        },
    }
}

impl Plugin for LacquerLimiter {
    const NAME: &'static str = "Lacquer Limiter";
    const VENDOR: &'static str = "Lacquer";
    const URL: &'static str = env!("CARGO_PKG_HOMEPAGE");
    const EMAIL: &'static str = "lacquer@example.org";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[layout(2, "Stereo"), layout(1, "Mono")];

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;

    type SysExMessage = ();
    type BackgroundTask = ();
    type Editor = editor::LimiterEditor;

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
        context: &mut impl ActivateContext<Self>,
    ) -> bool {
        let (sample_rate, max_block) = (
            buffer_config.sample_rate,
            buffer_config.max_buffer_size as usize,
        );
        self.channels = audio_io_layout
            .main_input_channels
            .map_or(2, NonZeroU32::get)
            .clamp(1, 2) as usize;
        self.limiter.prepare(sample_rate, max_block, self.channels);
        self.input_meter.prepare(sample_rate, max_block, 2);
        self.history = HistoryAccumulator {
            interval: (sample_rate / HISTORY_RATE_HZ).round().max(1.0) as usize,
            ..HistoryAccumulator::default()
        };
        self.reset();
        self.latency = self.limiter.latency() as u32;
        context.set_latency_samples(self.latency);
        true
    }

    fn reset(&mut self) {
        self.input_meter.reset();
        // `set` fixes the latency `activate` reports; `reset` then re-arms the jump so the
        // first block starts at the values in force then.
        self.limiter.set(&self.params.settings());
        self.limiter.reset();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        let n = buffer.samples();
        let chans = self.channels;
        let editor_open = self.params.editor_state.is_open();
        let main = buffer.as_slice();
        if main.len() < chans || n == 0 {
            return ProcessStatus::Normal;
        }
        if editor_open {
            measure_stereo(
                &mut self.input_meter,
                main[0],
                main[chans - 1],
                &self.meters.input,
            );
        }
        self.limiter.set(&self.params.settings());
        let latency = self.limiter.latency() as u32;
        if latency != self.latency {
            self.latency = latency;
            context.set_latency_samples(latency);
        }
        self.limiter.process(&mut main[..chans]);
        if editor_open {
            self.publish(n);
        }
        ProcessStatus::Normal
    }
}

impl LacquerLimiter {
    /// Publish the meters and gather the history point (editor open only; points are
    /// dropped, never waited on, when the editor has not drained the queue).
    fn publish(&mut self, samples: usize) {
        let l = &self.limiter;
        let m = &self.meters;
        let (gr, input_db, output_db) = (
            l.gain_reduction_db(),
            l.input_true_peak_db(),
            l.output_true_peak_db(),
        );
        let loudness = l.loudness();
        let (integrated, short_term) = (loudness.integrated_lufs(), loudness.short_term_lufs());
        m.gain_reduction_db.store(gr, Ordering::Relaxed);
        m.output_true_peak.store(
            output_db.max(METER_FLOOR_DB),
            (short_term as f32).max(METER_FLOOR_DB),
        );
        m.integrated_lufs
            .store((integrated as f32).max(METER_FLOOR_DB), Ordering::Relaxed);
        m.short_term_lufs
            .store((short_term as f32).max(METER_FLOOR_DB), Ordering::Relaxed);
        m.true_peak_max_db.store(
            (loudness.true_peak_max_dbtp() as f32).max(METER_FLOOR_DB),
            Ordering::Relaxed,
        );
        let target = f64::from(self.params.target_lufs());
        m.to_target_db.store(
            gain_to_target_db(target, integrated) as f32,
            Ordering::Relaxed,
        );
        let h = &mut self.history;
        if h.samples == 0 {
            h.input_db = METER_FLOOR_DB;
            h.output_db = METER_FLOOR_DB;
            h.gain_reduction_db = 0.0;
        }
        h.samples += samples;
        h.input_db = h.input_db.max(input_db);
        h.output_db = h.output_db.max(output_db);
        h.gain_reduction_db = h.gain_reduction_db.max(gr);
        if h.samples >= h.interval {
            h.samples = 0;
            let _ = m.history.push(HistoryPoint {
                input_db: h.input_db,
                output_db: h.output_db,
                gain_reduction_db: h.gain_reduction_db,
            });
        }
    }
}

impl ClapPlugin for LacquerLimiter {
    const CLAP_ID: &'static str = "org.lacquer.limiter";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("True-peak lookahead brickwall limiter with ceiling, release, dither and loudness");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Limiter,
        ClapFeature::Mastering,
        ClapFeature::Stereo,
        ClapFeature::Mono,
    ];
}

impl Vst3Plugin for LacquerLimiter {
    const VST3_CLASS_ID: [u8; 16] = *b"LacquerLimiter01";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[
        Vst3SubCategory::Fx,
        Vst3SubCategory::Dynamics,
        Vst3SubCategory::Mastering,
    ];
}

// The CLAP and VST3 entry points only in the bundles (`cargo xtask` turns `export` on): two
// plugin libraries linked into one binary (the `lacquer` CLI) would define them twice.
#[cfg(feature = "export")]
nice_export_clap!(LacquerLimiter);
#[cfg(feature = "export")]
nice_export_vst3!(LacquerLimiter);
