//! Lacquer Compressor: the plugin glue. Parameters map onto
//! `dsp_core::CompressorSettings`; the sidechain bus (stereo or mono) feeds the detector when
//! the source is External and the host delivers a key; the lookahead is reported as latency
//! and re-announced when it changes; meters and the 5 s history reach the editor through
//! atomics and a bounded queue, only while the editor is open.
//!
//! Sub-blocks: the wrapper splits the host's blocks at parameter events (sample-accurate
//! automation). Inside those, the glue's ramped values (attack, release, hold, RMS window,
//! link, key filters; see `params.rs`) are handed to the processor every
//! [`GRID_SAMPLES`](params::GRID_SAMPLES) samples counted from activation, so the output is
//! the same for any host block size.
//!
//! "No key": the key counts as connected once the sidechain port has delivered a non-zero
//! sample while the source is External ([`lacquer_kit::sidechain::KeyLatch`], shared with the
//! Ducker); the detector switches to it at that exact sample. Until then (and whenever the
//! host stops passing the port) detection falls back to the main input and the editor says
//! "no key: using input".

use atomic_float::AtomicF32;
use crossbeam::queue::ArrayQueue;
use dsp_core::meter::LevelMeter;
use dsp_core::Compressor;
use lacquer_kit::meters_bridge::{measure_stereo, StereoLevelAtomics, METER_FLOOR_DB};
pub use lacquer_kit::sidechain::KeyStatus;
use lacquer_kit::sidechain::{KeyLatch, KeyPort};
use nice_plug::prelude::*;
use params::{Glides, SourceParam, GRID_SAMPLES};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

pub mod editor;
pub mod params;

pub use params::CompressorParams;

/// History points per second (the editor keeps 5 s of them).
pub const HISTORY_RATE_HZ: f32 = 50.0;
/// History points the queue holds before the audio side drops new ones (~2.5 s).
pub const HISTORY_QUEUE_LEN: usize = 128;

/// One history point: input peak, output peak and gain reduction over 1/50 s, all in dB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryPoint {
    /// Input peak (dBFS).
    pub input_db: f32,
    /// Output peak (dBFS).
    pub output_db: f32,
    /// Largest gain reduction (dB, ≥ 0).
    pub gain_reduction_db: f32,
}

/// Meter values the audio thread publishes for the editor.
#[derive(Debug)]
pub struct CompressorMeters {
    /// Input levels (peak hold and RMS), before compression.
    pub input: StereoLevelAtomics,
    /// Output levels.
    pub output: StereoLevelAtomics,
    /// Largest gain reduction of the last block, dB (≥ 0).
    pub gain_reduction_db: AtomicF32,
    /// Input peak of the last block (dBFS): the x of the curve's operating point.
    pub input_peak_db: AtomicF32,
    /// [`KeyStatus`] as `u8`.
    pub key_status: AtomicU8,
    /// History points; bounded, the audio side drops points when the editor lags.
    pub history: ArrayQueue<HistoryPoint>,
}

impl Default for CompressorMeters {
    fn default() -> Self {
        Self {
            input: StereoLevelAtomics::default(),
            output: StereoLevelAtomics::default(),
            gain_reduction_db: AtomicF32::new(0.0),
            input_peak_db: AtomicF32::new(METER_FLOOR_DB),
            key_status: AtomicU8::new(KeyStatus::Internal as u8),
            history: ArrayQueue::new(HISTORY_QUEUE_LEN),
        }
    }
}

impl CompressorMeters {
    /// The detector's source as last published.
    pub fn key_status(&self) -> KeyStatus {
        KeyStatus::from_u8(self.key_status.load(Ordering::Relaxed))
    }
}

/// History accumulation on the audio side.
#[derive(Debug, Clone, Copy, Default)]
struct HistoryAccumulator {
    /// Samples gathered into the current point.
    samples: usize,
    /// Samples per point.
    interval: usize,
    /// Running maxima (dB).
    input_db: f32,
    output_db: f32,
    gain_reduction_db: f32,
}

/// The Compressor plugin instance.
pub struct LacquerCompressor {
    /// Parameters shared with the host and the editor.
    params: Arc<CompressorParams>,
    /// Meters shared with the editor.
    meters: Arc<CompressorMeters>,
    /// The DSP; all compression happens here.
    compressor: Compressor,
    /// Ramps of the parameters the DSP does not smooth.
    glides: Glides,
    /// Ramped values in use until the next grid point.
    latched: [f32; 7],
    /// Samples processed since activation/reset (places the glide grid).
    clock: u64,
    /// Main input channels (1 or 2).
    channels: usize,
    /// Latency last reported to the host.
    latency: u32,
    /// The sidechain port has delivered a non-zero sample (see the module header).
    key_latch: KeyLatch,
    /// True from activation/reset until the first block: the glides jump to their targets.
    snap: bool,
    /// Input peak/RMS measurement (editor open only).
    input_meter: LevelMeter,
    /// Output peak/RMS measurement (editor open only).
    output_meter: LevelMeter,
    /// The point being gathered for the history.
    history: HistoryAccumulator,
}

impl Default for LacquerCompressor {
    fn default() -> Self {
        Self {
            params: Arc::new(CompressorParams::default()),
            meters: Arc::new(CompressorMeters::default()),
            compressor: Compressor::new(),
            glides: Glides::default(),
            latched: [0.0; 7],
            clock: 0,
            channels: 2,
            latency: 0,
            key_latch: KeyLatch::default(),
            snap: true,
            input_meter: LevelMeter::new(),
            output_meter: LevelMeter::new(),
            history: HistoryAccumulator::default(),
        }
    }
}

impl Plugin for LacquerCompressor {
    const NAME: &'static str = "Lacquer Compressor";
    const VENDOR: &'static str = "Lacquer";
    const URL: &'static str = env!("CARGO_PKG_HOMEPAGE");
    const EMAIL: &'static str = "lacquer@example.org";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &lacquer_kit::sidechain::KEYED_LAYOUTS;

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;

    type SysExMessage = ();
    type BackgroundTask = ();
    type Editor = editor::CompressorEditor;

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
        self.compressor
            .prepare(sample_rate, max_block, self.channels);
        self.glides.prepare(sample_rate);
        self.input_meter.prepare(sample_rate, max_block, 2);
        self.output_meter.prepare(sample_rate, max_block, 2);
        self.history = HistoryAccumulator {
            interval: (sample_rate / HISTORY_RATE_HZ).round().max(1.0) as usize,
            ..HistoryAccumulator::default()
        };
        self.reset();
        self.latency = self.compressor.latency() as u32;
        context.set_latency_samples(self.latency);
        true
    }

    fn reset(&mut self) {
        self.compressor.reset();
        self.input_meter.reset();
        self.output_meter.reset();
        self.glides.set_targets(&self.params);
        self.glides.snap();
        self.latched = self.glides.current();
        self.clock = 0;
        self.key_latch.reset();
        // This `set` fixes the latency for `activate` to report; the second `reset` re-arms
        // the jump, so the first block jumps to the values in force THEN (a host may set
        // parameters between activation and the first block, as a VST3 host's flush does).
        self.compressor.set(&self.params.settings(&self.latched));
        self.compressor.reset();
        self.snap = true;
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        let n = buffer.samples();
        self.glides.set_targets(&self.params);
        if self.snap {
            self.snap = false;
            self.glides.snap();
            self.latched = self.glides.current();
        }
        let external = self.params.source.value() == SourceParam::External;
        let editor_open = self.params.editor_state.is_open();
        let port = KeyPort::from_aux(aux, n);
        let key_channels = port.channels();
        self.key_latch.begin_block(&port);
        let chans = self.channels;
        let main = buffer.as_slice();
        if main.len() < chans {
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
        let mut block_gr = 0.0_f32;
        let mut block_in = f32::NEG_INFINITY;
        let mut pos = 0;
        while pos < n {
            let on_grid = self.clock.is_multiple_of(GRID_SAMPLES);
            if on_grid {
                self.latched = self.glides.current();
            }
            let len = if self.glides.moving() || self.latched != self.glides.current() {
                let to_grid = GRID_SAMPLES - self.clock % GRID_SAMPLES;
                (to_grid as usize).min(n - pos)
            } else {
                n - pos
            };
            let settings = self.params.settings(&self.latched);
            self.compressor.set(&settings);
            let latency = self.compressor.latency() as u32;
            if latency != self.latency {
                self.latency = latency;
                context.set_latency_samples(latency);
            }
            // Split at the key's first non-zero sample, where it starts to count.
            let spans = self.key_latch.spans(&port, pos, pos + len, external);
            for (s, e, keyed) in spans {
                if s == e {
                    continue;
                }
                let mut chunk: [&mut [f32]; 2] = [&mut [], &mut []];
                for (dst, src) in chunk.iter_mut().zip(main.iter_mut()) {
                    *dst = &mut src[s..e];
                }
                let key_chunk = port.span(s, e);
                let key_ref =
                    (external && keyed && key_channels > 0).then_some(&key_chunk[..key_channels]);
                self.compressor.process_stereo(&mut chunk[..chans], key_ref);
                let (gr, input_db) = (
                    self.compressor.gain_reduction_db(),
                    self.compressor.input_level_db(),
                );
                block_gr = block_gr.max(gr);
                block_in = block_in.max(input_db);
                if editor_open {
                    self.gather_history(e - s, input_db, gr);
                }
            }
            self.glides.skip(len);
            self.clock += len as u64;
            pos += len;
        }
        if editor_open {
            measure_stereo(
                &mut self.output_meter,
                main[0],
                main[chans - 1],
                &self.meters.output,
            );
            let meters = &self.meters;
            meters.gain_reduction_db.store(block_gr, Ordering::Relaxed);
            meters
                .input_peak_db
                .store(block_in.max(METER_FLOOR_DB), Ordering::Relaxed);
            let status = KeyStatus::new(external, self.key_latch.seen() && key_channels > 0);
            meters.key_status.store(status as u8, Ordering::Relaxed);
        }
        ProcessStatus::Normal
    }
}

impl LacquerCompressor {
    /// Add a processed span to the history point; push the point when it is full (dropped,
    /// never waited on, when the editor has not drained the queue).
    fn gather_history(&mut self, samples: usize, input_db: f32, gr: f32) {
        let h = &mut self.history;
        if h.samples == 0 {
            h.input_db = METER_FLOOR_DB;
            h.output_db = METER_FLOOR_DB;
            h.gain_reduction_db = 0.0;
        }
        h.samples += samples;
        h.input_db = h.input_db.max(input_db);
        h.output_db = h.output_db.max(self.compressor.output_level_db());
        h.gain_reduction_db = h.gain_reduction_db.max(gr);
        if h.samples >= h.interval {
            h.samples = 0;
            let _ = self.meters.history.push(HistoryPoint {
                input_db: h.input_db,
                output_db: h.output_db,
                gain_reduction_db: h.gain_reduction_db,
            });
        }
    }
}

impl ClapPlugin for LacquerCompressor {
    const CLAP_ID: &'static str = "org.lacquer.compressor";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("Feed-forward compressor with knee, lookahead, external sidechain and parallel mix");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Compressor,
        ClapFeature::Stereo,
        ClapFeature::Mono,
    ];
}

impl Vst3Plugin for LacquerCompressor {
    const VST3_CLASS_ID: [u8; 16] = *b"LacquerCompres01";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] =
        &[Vst3SubCategory::Fx, Vst3SubCategory::Dynamics];
}

// The CLAP and VST3 entry points only in the bundles (`cargo xtask` turns `export` on): two
// plugin libraries linked into one binary (the `lacquer` CLI) would define them twice.
#[cfg(feature = "export")]
nice_export_clap!(LacquerCompressor);
#[cfg(feature = "export")]
nice_export_vst3!(LacquerCompressor);
