//! Lacquer Reverb Send: the plugin glue. Parameters map onto `dsp_core::ReverbSettings`
//! once per (sub-)block (the pre-delay sync reads the host tempo); the processor ramps every
//! continuous setting per sample, so the output does not depend on the host's block size.
//! Meters and the 5 s level history (the tail view) reach the editor through atomics and a
//! bounded queue, only while the editor is open.
//!
//! Layouts: stereo, mono in → stereo out (the source feeds both sides of the reverb), and
//! mono (the stereo reverb's two outputs averaged; the dry path stays bit-exact). No
//! latency. The tail is reported to the host (`ProcessStatus::Tail`: pre-delay,
//! reflections and 120 dB of the slowest band's decay; endless while frozen); once the
//! tail is below −120 dBFS and the input is silent the processor sleeps.

use atomic_float::AtomicF32;
use crossbeam::queue::ArrayQueue;
use dsp_core::meter::LevelMeter;
use dsp_core::reverb::Reverb;
use lacquer_kit::meters_bridge::{measure_stereo, StereoLevelAtomics, METER_FLOOR_DB};
use nice_plug::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub mod editor;
pub mod params;

pub use params::ReverbParams;

/// History points per second (the editor keeps 5 s of them).
pub const HISTORY_RATE_HZ: f32 = 50.0;
/// History points the queue holds before the audio side drops new ones (~2.5 s).
pub const HISTORY_QUEUE_LEN: usize = 128;

/// One history point: input and output peak over 1/50 s, in dBFS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryPoint {
    /// Input peak (dBFS).
    pub input_db: f32,
    /// Output peak (dBFS): the reverb's tail in send mode.
    pub output_db: f32,
}

/// Meter values the audio thread publishes for the editor.
#[derive(Debug)]
pub struct ReverbMeters {
    /// Input levels (peak hold and RMS).
    pub input: StereoLevelAtomics,
    /// Output levels.
    pub output: StereoLevelAtomics,
    /// Sample rate of the running instance (the decay curve's frequency axis).
    pub sample_rate: AtomicF32,
    /// Pre-delay in effect (ms): the synced note value at the host tempo, or the knob.
    pub predelay_ms: AtomicF32,
    /// The processor sleeps (tail below −120 dBFS, input silent): no CPU spent.
    pub asleep: AtomicBool,
    /// History points; bounded, the audio side drops points when the editor lags.
    pub history: ArrayQueue<HistoryPoint>,
}

impl Default for ReverbMeters {
    fn default() -> Self {
        Self {
            input: StereoLevelAtomics::default(),
            output: StereoLevelAtomics::default(),
            sample_rate: AtomicF32::new(48_000.0),
            predelay_ms: AtomicF32::new(0.0),
            asleep: AtomicBool::new(false),
            history: ArrayQueue::new(HISTORY_QUEUE_LEN),
        }
    }
}

/// How the host connected the main ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// 2 in, 2 out.
    Stereo,
    /// 1 in, 2 out: the source feeds both sides.
    MonoToStereo,
    /// 1 in, 1 out: the two outputs averaged.
    Mono,
}

/// History accumulation on the audio side.
#[derive(Debug, Clone, Copy, Default)]
struct HistoryAccumulator {
    /// Samples gathered into the current point.
    samples: usize,
    /// Samples per point.
    interval: usize,
    /// Running input peak (linear).
    input: f32,
    /// Running output peak (linear).
    output: f32,
}

/// The Reverb Send plugin instance.
pub struct LacquerReverbSend {
    /// Parameters shared with the host and the editor.
    params: Arc<ReverbParams>,
    /// Meters shared with the editor.
    meters: Arc<ReverbMeters>,
    /// The DSP.
    reverb: Reverb,
    /// Port layout of this activation.
    layout: Layout,
    /// Second channel for the mono layout (allocated in `activate`).
    scratch: Vec<f32>,
    /// Input peak/RMS measurement (editor open only).
    input_meter: LevelMeter,
    /// Output peak/RMS measurement (editor open only).
    output_meter: LevelMeter,
    /// The point being gathered for the history.
    history: HistoryAccumulator,
}

impl Default for LacquerReverbSend {
    fn default() -> Self {
        Self {
            params: Arc::new(ReverbParams::default()),
            meters: Arc::new(ReverbMeters::default()),
            reverb: Reverb::new(),
            layout: Layout::Stereo,
            scratch: Vec::new(),
            input_meter: LevelMeter::new(),
            output_meter: LevelMeter::new(),
            history: HistoryAccumulator::default(),
        }
    }
}

/// A layout with `main_in` channels in and `main_out` out.
const fn layout(main_in: u32, main_out: u32, name: &'static str) -> AudioIOLayout {
    AudioIOLayout {
        main_input_channels: NonZeroU32::new(main_in),
        main_output_channels: NonZeroU32::new(main_out),
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

impl Plugin for LacquerReverbSend {
    const NAME: &'static str = "Lacquer Reverb Send";
    const VENDOR: &'static str = "Lacquer";
    const URL: &'static str = env!("CARGO_PKG_HOMEPAGE");
    const EMAIL: &'static str = "lacquer@example.org";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[
        layout(2, 2, "Stereo"),
        layout(1, 2, "Mono to Stereo"),
        layout(1, 1, "Mono"),
    ];

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;

    type SysExMessage = ();
    type BackgroundTask = ();
    type Editor = editor::ReverbEditor;

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
        let ins = audio_io_layout
            .main_input_channels
            .map_or(2, NonZeroU32::get);
        let outs = audio_io_layout
            .main_output_channels
            .map_or(2, NonZeroU32::get);
        self.layout = match (ins, outs) {
            (1, 1) => Layout::Mono,
            (1, _) => Layout::MonoToStereo,
            _ => Layout::Stereo,
        };
        self.scratch = vec![0.0; max_block.max(1)];
        self.reverb.prepare(sample_rate, max_block, 2);
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
        true
    }

    fn reset(&mut self) {
        self.input_meter.reset();
        self.output_meter.reset();
        self.history.samples = 0;
        // `reset` re-arms the processor's jump, so the first block starts at the values in
        // force then (no ramp from the defaults).
        self.reverb.reset();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        let n = buffer.samples();
        let editor_open = self.params.editor_state.is_open();
        let settings = self.params.settings(context.transport().tempo);
        self.reverb.set(&settings);
        let main = buffer.as_slice();
        if main.is_empty() || n == 0 {
            return ProcessStatus::Normal;
        }
        let input_peak = if editor_open {
            let (l, r): (&[f32], &[f32]) = match (self.layout, &main[..]) {
                (Layout::Stereo, [l, r, ..]) => (l, r),
                (_, [l, ..]) => (l, l),
                _ => unreachable!("main is not empty"),
            };
            let peak = peak_abs(l).max(peak_abs(r));
            measure_stereo(&mut self.input_meter, l, r, &self.meters.input);
            peak
        } else {
            0.0
        };
        match (self.layout, &mut main[..]) {
            (Layout::Stereo, [left, right, ..]) => self.reverb.process_stereo(left, right),
            (Layout::MonoToStereo, [left, right, ..]) => {
                self.reverb.process_mono_to_stereo(left, right)
            }
            (_, [mono, ..]) => {
                let len = n.min(self.scratch.len());
                let other = &mut self.scratch[..len];
                let mono = &mut mono[..other.len()];
                self.reverb.process_mono_to_stereo(mono, other);
                for (m, o) in mono.iter_mut().zip(other.iter()) {
                    *m = 0.5 * (*m + *o);
                }
            }
            _ => {}
        }
        if editor_open {
            let (l, r): (&[f32], &[f32]) = match (self.layout, &main[..]) {
                (Layout::Mono, [m, ..]) => (m, m),
                (_, [l, r, ..]) => (l, r),
                (_, [m]) => (m, m),
                _ => unreachable!("main is not empty"),
            };
            let output_peak = peak_abs(l).max(peak_abs(r));
            measure_stereo(&mut self.output_meter, l, r, &self.meters.output);
            self.publish(n, &settings, input_peak, output_peak);
        }
        if settings.freeze {
            ProcessStatus::KeepAlive
        } else if self.reverb.is_asleep() {
            ProcessStatus::Normal
        } else {
            let tail = self.reverb.tail_samples().unwrap_or(u64::from(u32::MAX));
            ProcessStatus::Tail(tail.min(u64::from(u32::MAX)) as u32)
        }
    }
}

impl LacquerReverbSend {
    /// Publish the state readouts and gather the history point (editor open only; points
    /// are dropped, never waited on, when the editor has not drained the queue).
    fn publish(
        &mut self,
        samples: usize,
        settings: &dsp_core::reverb::ReverbSettings,
        input_peak: f32,
        output_peak: f32,
    ) {
        let m = &self.meters;
        m.predelay_ms
            .store(settings.clamped().predelay_ms, Ordering::Relaxed);
        m.asleep.store(self.reverb.is_asleep(), Ordering::Relaxed);
        let h = &mut self.history;
        if h.samples == 0 {
            h.input = 0.0;
            h.output = 0.0;
        }
        h.samples += samples;
        h.input = h.input.max(input_peak);
        h.output = h.output.max(output_peak);
        if h.samples >= h.interval {
            h.samples = 0;
            let _ = m.history.push(HistoryPoint {
                input_db: to_db(h.input),
                output_db: to_db(h.output),
            });
        }
    }
}

/// Largest |x| (NaN counts as 0).
fn peak_abs(x: &[f32]) -> f32 {
    x.iter().fold(0.0_f32, |m, v| m.max(v.abs()))
}

/// dBFS of a linear peak, floored at the meters' floor.
fn to_db(x: f32) -> f32 {
    if x > 0.0 && x.is_finite() {
        (20.0 * x.log10()).max(METER_FLOOR_DB)
    } else {
        METER_FLOOR_DB
    }
}

impl ClapPlugin for LacquerReverbSend {
    const CLAP_ID: &'static str = "org.lacquer.reverb-send";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("Dense algorithmic reverb with exact RT60, per-band decay, pre-delay sync and freeze");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Reverb,
        ClapFeature::Stereo,
        ClapFeature::Mono,
    ];
}

impl Vst3Plugin for LacquerReverbSend {
    const VST3_CLASS_ID: [u8; 16] = *b"LacquerReverb001";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] =
        &[Vst3SubCategory::Fx, Vst3SubCategory::Reverb];
}

// The CLAP and VST3 entry points only in the bundles (`cargo xtask` turns `export` on): two
// plugin libraries linked into one binary (the `lacquer` CLI) would define them twice.
#[cfg(feature = "export")]
nice_export_clap!(LacquerReverbSend);
#[cfg(feature = "export")]
nice_export_vst3!(LacquerReverbSend);
