//! Lacquer Ducker: the plugin glue. Parameters map onto `dsp_core::DuckerSettings` once per
//! (sub-)block (the wrapper splits blocks at parameter events: sample-accurate automation);
//! the sidechain bus (stereo or mono) is the key when the source is External and a key
//! arrives; the lookahead is reported as latency and re-announced when it changes; meters and
//! the 5 s history (key level, gain change) reach the editor through atomics and a bounded
//! queue, only while the editor is open.
//!
//! "No key": the key counts as connected once the sidechain port has delivered a non-zero
//! sample while the source is External ([`lacquer_kit::sidechain::KeyLatch`], shared with the
//! Compressor); the processor switches to it at that exact sample. Until then (and whenever
//! the host stops passing the port) the processor is told there is no key: it does not duck,
//! or keys on the input when "No Key" is Self-Key; the editor says "no key signal".

use atomic_float::AtomicF32;
use crossbeam::queue::ArrayQueue;
use dsp_core::meter::LevelMeter;
use dsp_core::Ducker;
use lacquer_kit::meters_bridge::{measure_stereo, StereoLevelAtomics, METER_FLOOR_DB};
use lacquer_kit::sidechain::{KeyLatch, KeyPort};
use nice_plug::prelude::*;
use params::SourceParam;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

pub mod editor;
pub mod params;

pub use params::DuckerParams;

/// History points per second (the editor keeps 5 s of them).
pub const HISTORY_RATE_HZ: f32 = 50.0;
/// History points the queue holds before the audio side drops new ones (~2.5 s).
pub const HISTORY_QUEUE_LEN: usize = 128;

/// Where the key comes from right now, for the editor's indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum KeyStatus {
    /// Source Internal: the input ducks itself.
    Internal = 0,
    /// Source External and a key arrives.
    External = 1,
    /// Source External but no key arrives.
    NoKey = 2,
}

impl KeyStatus {
    /// Decode the atomic's value.
    pub fn from_u8(v: u8) -> Self {
        match v {
            1 => KeyStatus::External,
            2 => KeyStatus::NoKey,
            _ => KeyStatus::Internal,
        }
    }
}

/// One history point over 1/50 s: the highest key level and the deepest gain change, in dB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryPoint {
    /// Key level (dBFS, after the key filters).
    pub key_db: f32,
    /// Gain change (dB, ≤ 0).
    pub gain_db: f32,
}

/// Meter values the audio thread publishes for the editor.
#[derive(Debug)]
pub struct DuckerMeters {
    /// Output levels.
    pub output: StereoLevelAtomics,
    /// Deepest gain change of the last block as a positive reduction in dB (depth meter).
    pub reduction_db: AtomicF32,
    /// Highest key level of the last block (dBFS).
    pub key_db: AtomicF32,
    /// [`KeyStatus`] as `u8`.
    pub key_status: AtomicU8,
    /// History points; bounded, the audio side drops points when the editor lags.
    pub history: ArrayQueue<HistoryPoint>,
}

impl Default for DuckerMeters {
    fn default() -> Self {
        Self {
            output: StereoLevelAtomics::default(),
            reduction_db: AtomicF32::new(0.0),
            key_db: AtomicF32::new(METER_FLOOR_DB),
            key_status: AtomicU8::new(KeyStatus::NoKey as u8),
            history: ArrayQueue::new(HISTORY_QUEUE_LEN),
        }
    }
}

impl DuckerMeters {
    /// The key source as last published.
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
    /// Running maximum of the key level (dB).
    key_db: f32,
    /// Running minimum of the gain change (dB).
    gain_db: f32,
}

/// The Ducker plugin instance.
pub struct LacquerDucker {
    /// Parameters shared with the host and the editor.
    params: Arc<DuckerParams>,
    /// Meters shared with the editor.
    meters: Arc<DuckerMeters>,
    /// The DSP; all ducking happens here.
    ducker: Ducker,
    /// Main input channels (1 or 2).
    channels: usize,
    /// Latency last reported to the host.
    latency: u32,
    /// Whether a key is connected (see the module header).
    key_latch: KeyLatch,
    /// Output peak/RMS measurement (editor open only).
    output_meter: LevelMeter,
    /// The point being gathered for the history.
    history: HistoryAccumulator,
}

impl Default for LacquerDucker {
    fn default() -> Self {
        Self {
            params: Arc::new(DuckerParams::default()),
            meters: Arc::new(DuckerMeters::default()),
            ducker: Ducker::new(),
            channels: 2,
            latency: 0,
            key_latch: KeyLatch::default(),
            output_meter: LevelMeter::new(),
            history: HistoryAccumulator::default(),
        }
    }
}

impl Plugin for LacquerDucker {
    const NAME: &'static str = "Lacquer Ducker";
    const VENDOR: &'static str = "Lacquer";
    const URL: &'static str = env!("CARGO_PKG_HOMEPAGE");
    const EMAIL: &'static str = "lacquer@example.org";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &lacquer_kit::sidechain::KEYED_LAYOUTS;

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;

    type SysExMessage = ();
    type BackgroundTask = ();
    type Editor = editor::DuckerEditor;

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
        self.ducker.prepare(sample_rate, max_block, self.channels);
        self.output_meter.prepare(sample_rate, max_block, 2);
        self.history = HistoryAccumulator {
            interval: (sample_rate / HISTORY_RATE_HZ).round().max(1.0) as usize,
            ..HistoryAccumulator::default()
        };
        self.reset();
        self.latency = self.ducker.latency() as u32;
        context.set_latency_samples(self.latency);
        true
    }

    fn reset(&mut self) {
        self.output_meter.reset();
        self.key_latch.reset();
        // This `set` fixes the latency for `activate` to report; the `reset` after it re-arms
        // the jump, so the first block jumps to the values in force THEN (a host may set
        // parameters between activation and the first block, as a VST3 host's flush does).
        self.ducker.set(&self.params.settings());
        self.ducker.reset();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        let n = buffer.samples();
        let external = self.params.source.value() == SourceParam::External;
        let editor_open = self.params.editor_state.is_open();
        self.ducker.set(&self.params.settings());
        let latency = self.ducker.latency() as u32;
        if latency != self.latency {
            self.latency = latency;
            context.set_latency_samples(latency);
        }
        let port = KeyPort::from_aux(aux, n);
        let key_channels = port.channels();
        self.key_latch.begin_block(&port);
        let chans = self.channels;
        let main = buffer.as_slice();
        if main.len() < chans || n == 0 {
            return ProcessStatus::Normal;
        }
        let mut block_gain = 0.0_f32;
        let mut block_key = f32::NEG_INFINITY;
        // Split at the key's first non-zero sample, where it starts to count.
        for (s, e, keyed) in self.key_latch.spans(&port, 0, n, external) {
            if s == e {
                continue;
            }
            let mut chunk: [&mut [f32]; 2] = [&mut [], &mut []];
            for (dst, src) in chunk.iter_mut().zip(main.iter_mut()) {
                *dst = &mut src[s..e];
            }
            let key_chunk = port.span(s, e);
            let key_ref = (keyed && key_channels > 0).then_some(&key_chunk[..key_channels]);
            self.ducker.process_stereo(&mut chunk[..chans], key_ref);
            let (gain, key) = (self.ducker.gain_db(), self.ducker.key_level_db());
            block_gain = block_gain.min(gain);
            block_key = block_key.max(key);
            if editor_open {
                self.gather_history(e - s, key, gain);
            }
        }
        if editor_open {
            measure_stereo(
                &mut self.output_meter,
                main[0],
                main[chans - 1],
                &self.meters.output,
            );
            let meters = &self.meters;
            meters.reduction_db.store(-block_gain, Ordering::Relaxed);
            meters
                .key_db
                .store(block_key.max(METER_FLOOR_DB), Ordering::Relaxed);
            let status = match (external, self.key_latch.seen() && key_channels > 0) {
                (false, _) => KeyStatus::Internal,
                (true, true) => KeyStatus::External,
                (true, false) => KeyStatus::NoKey,
            };
            meters.key_status.store(status as u8, Ordering::Relaxed);
        }
        ProcessStatus::Normal
    }
}

impl LacquerDucker {
    /// Add a processed span to the history point; push the point when it is full (dropped,
    /// never waited on, when the editor has not drained the queue).
    fn gather_history(&mut self, samples: usize, key_db: f32, gain_db: f32) {
        let h = &mut self.history;
        if h.samples == 0 {
            h.key_db = METER_FLOOR_DB;
            h.gain_db = 0.0;
        }
        h.samples += samples;
        h.key_db = h.key_db.max(key_db);
        h.gain_db = h.gain_db.min(gain_db);
        if h.samples >= h.interval {
            h.samples = 0;
            let _ = self.meters.history.push(HistoryPoint {
                key_db: h.key_db,
                gain_db: h.gain_db,
            });
        }
    }
}

impl ClapPlugin for LacquerDucker {
    const CLAP_ID: &'static str = "org.lacquer.ducker";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("Sidechain ducker with hold, lookahead, key filters and band-limited ducking");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Compressor,
        ClapFeature::Stereo,
        ClapFeature::Mono,
    ];
}

impl Vst3Plugin for LacquerDucker {
    const VST3_CLASS_ID: [u8; 16] = *b"LacquerDucker001";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] =
        &[Vst3SubCategory::Fx, Vst3SubCategory::Dynamics];
}

// The CLAP and VST3 entry points only in the bundles (`cargo xtask` turns `export` on): two
// plugin libraries linked into one binary (the `lacquer` CLI) would define them twice.
#[cfg(feature = "export")]
nice_export_clap!(LacquerDucker);
#[cfg(feature = "export")]
nice_export_vst3!(LacquerDucker);
