//! Lacquer Multiband: the plugin glue. Parameters map onto
//! `dsp_core::multiband::MultibandSettings` once per (sample-accurately split) block; the
//! processor ramps every continuous parameter per sample and cross-fades the discrete ones,
//! so the output does not depend on the host's block size. The latency (linear-phase split
//! plus lookahead) is reported at activation and re-announced when it changes. The host
//! bypass is `dsp_core::bypass` (a 20 ms fade to the latency-aligned input, bit-exact once
//! settled): the crossovers' all-pass is never bit-transparent, and the processor's own mix
//! keeps the input and output gains.
//!
//! Sidechain: with the source External, the key (mono or stereo sidechain port) runs through
//! the processor's copy of the same crossovers and each band detects on its key band. The
//! key counts as connected from its first non-zero sample ([`KeyLatch`], shared with the
//! Compressor and the Ducker); until then the bands detect on themselves and the editor
//! says "no key: using input".
//!
//! Meters, published once per block while the editor is open: in/out levels, per band the
//! gain reduction and the input peak, and the input and output audio for the pre/post
//! spectrum through two of the kit's bounded queues (dropped, never waited on).

use atomic_float::AtomicF32;
use dsp_core::bypass::Bypass;
use dsp_core::meter::LevelMeter;
use dsp_core::multiband::{Multiband, MultibandSettings, MAX_BANDS, MAX_LOOKAHEAD_MS};
use lacquer_kit::meters_bridge::{
    measure_stereo, AnalyzerQueue, AnalyzerSender, StereoLevelAtomics, METER_FLOOR_DB,
};
use lacquer_kit::sidechain::{KeyLatch, KeyPort, KeyStatus};
use nice_plug::prelude::*;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

pub mod editor;
pub mod params;

pub use params::MultibandParams;

/// Meter values the audio thread publishes for the editor.
#[derive(Debug)]
pub struct MultibandMeters {
    /// Input levels (peak hold and RMS).
    pub input: StereoLevelAtomics,
    /// Output levels.
    pub output: StereoLevelAtomics,
    /// Per band: largest gain change of the last block (dB; > 0 is reduction).
    pub band_gr_db: [AtomicF32; MAX_BANDS],
    /// Per band: input peak of the last block (dBFS).
    pub band_in_db: [AtomicF32; MAX_BANDS],
    /// [`KeyStatus`] as `u8`.
    pub key_status: AtomicU8,
    /// Sample rate of the running instance (the spectrum's axis).
    pub sample_rate: AtomicF32,
    /// Input audio for the "pre" spectrum.
    pub pre: AnalyzerQueue,
    /// Output audio for the "post" spectrum.
    pub post: AnalyzerQueue,
}

impl Default for MultibandMeters {
    fn default() -> Self {
        Self {
            input: StereoLevelAtomics::default(),
            output: StereoLevelAtomics::default(),
            band_gr_db: std::array::from_fn(|_| AtomicF32::new(0.0)),
            band_in_db: std::array::from_fn(|_| AtomicF32::new(METER_FLOOR_DB)),
            key_status: AtomicU8::new(KeyStatus::Internal as u8),
            sample_rate: AtomicF32::new(48_000.0),
            pre: AnalyzerQueue::default(),
            post: AnalyzerQueue::default(),
        }
    }
}

impl MultibandMeters {
    /// Where the detectors listen, as last published.
    pub fn key_status(&self) -> KeyStatus {
        KeyStatus::from_u8(self.key_status.load(Ordering::Relaxed))
    }
}

/// The Multiband plugin instance.
pub struct LacquerMultiband {
    /// Parameters shared with the host and the editor.
    params: Arc<MultibandParams>,
    /// Meters shared with the editor.
    meters: Arc<MultibandMeters>,
    /// The DSP.
    multiband: Multiband,
    /// Host bypass: fade to the latency-aligned input.
    bypass: Bypass,
    /// Main channels (1 or 2).
    channels: usize,
    /// Latency last reported to the host.
    latency: u32,
    /// The sidechain port has delivered a non-zero sample (see the module header).
    key_latch: KeyLatch,
    /// The bypass's second channel in the mono layout (a copy of the input).
    mono_scratch: Vec<f32>,
    /// Input peak/RMS measurement (editor open only).
    input_meter: LevelMeter,
    /// Output peak/RMS measurement (editor open only).
    output_meter: LevelMeter,
    /// Input chunks for the "pre" spectrum (editor open only).
    pre: AnalyzerSender,
    /// Output chunks for the "post" spectrum (editor open only).
    post: AnalyzerSender,
}

impl Default for LacquerMultiband {
    fn default() -> Self {
        Self {
            params: Arc::new(MultibandParams::default()),
            meters: Arc::new(MultibandMeters::default()),
            multiband: Multiband::new(),
            bypass: Bypass::new(),
            channels: 2,
            latency: 0,
            key_latch: KeyLatch::default(),
            mono_scratch: Vec::new(),
            input_meter: LevelMeter::new(),
            output_meter: LevelMeter::new(),
            pre: AnalyzerSender::default(),
            post: AnalyzerSender::default(),
        }
    }
}

/// The largest latency any setting can ask for at `sample_rate` (linear phase + 10 ms
/// lookahead), for the bypass's delay line.
fn max_latency(sample_rate: f32, max_block: usize) -> usize {
    let mut probe = Multiband::new();
    probe.prepare(sample_rate, max_block.clamp(1, 64), 1);
    probe.set(&MultibandSettings {
        linear_phase: true,
        lookahead_ms: MAX_LOOKAHEAD_MS,
        ..MultibandSettings::default()
    });
    probe.latency()
}

impl Plugin for LacquerMultiband {
    const NAME: &'static str = "Lacquer Multiband";
    const VENDOR: &'static str = "Lacquer";
    const URL: &'static str = env!("CARGO_PKG_HOMEPAGE");
    const EMAIL: &'static str = "lacquer@example.org";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &lacquer_kit::sidechain::KEYED_LAYOUTS;

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;

    type SysExMessage = ();
    type BackgroundTask = ();
    type Editor = editor::MultibandEditor;

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
            (buffer_config.max_buffer_size as usize).max(1),
        );
        self.channels = audio_io_layout
            .main_input_channels
            .map_or(2, NonZeroU32::get)
            .clamp(1, 2) as usize;
        self.multiband
            .prepare(sample_rate, max_block, self.channels);
        self.bypass
            .prepare(sample_rate, max_latency(sample_rate, max_block));
        self.mono_scratch = vec![0.0; max_block];
        self.input_meter.prepare(sample_rate, max_block, 2);
        self.output_meter.prepare(sample_rate, max_block, 2);
        self.meters
            .sample_rate
            .store(sample_rate, Ordering::Relaxed);
        self.reset();
        self.latency = self.multiband.latency() as u32;
        context.set_latency_samples(self.latency);
        true
    }

    fn reset(&mut self) {
        self.input_meter.reset();
        self.output_meter.reset();
        self.key_latch.reset();
        // `set` fixes the phase mode and lookahead (the latency `activate` reports); `reset`
        // then re-arms the jump so the first block starts at the values in force then.
        self.multiband.set(&self.params.settings());
        self.multiband.reset();
        self.bypass.reset();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        let n = buffer.samples();
        let editor_open = self.params.editor_state.is_open();
        let settings = self.params.settings();
        let external = settings.external_key;
        self.multiband.set(&settings);
        let latency = self.multiband.latency() as u32;
        if latency != self.latency {
            self.latency = latency;
            context.set_latency_samples(latency);
        }
        self.bypass
            .set(self.params.bypass.value(), self.multiband.latency());
        let port = KeyPort::from_aux(aux, n);
        let key_channels = port.channels();
        self.key_latch.begin_block(&port);
        let chans = self.channels;
        let main = buffer.as_slice();
        if n == 0 || main.len() < chans || n > self.mono_scratch.len() {
            return ProcessStatus::Normal;
        }
        if editor_open {
            measure_stereo(
                &mut self.input_meter,
                main[0],
                main[chans - 1],
                &self.meters.input,
            );
            self.pre
                .push_block(&self.meters.pre, main[0], main[chans - 1]);
        }
        let mut band_gr = [f32::NEG_INFINITY; MAX_BANDS];
        let mut band_in = [f32::NEG_INFINITY; MAX_BANDS];
        {
            let Self {
                multiband,
                bypass,
                key_latch,
                mono_scratch,
                ..
            } = self;
            let mut offset = 0;
            let mut run = |l: &mut [f32], r: &mut [f32]| {
                let (start, end) = (offset, offset + l.len());
                offset = end;
                for (s, e, keyed) in key_latch.spans(&port, start, end, external) {
                    if s == e {
                        continue;
                    }
                    let (a, b) = (s - start, e - start);
                    let key_chunk = port.span(s, e);
                    let key = (external && keyed && key_channels > 0)
                        .then_some(&key_chunk[..key_channels]);
                    if chans == 2 {
                        multiband.process_stereo(&mut [&mut l[a..b], &mut r[a..b]], key);
                    } else {
                        multiband.process_stereo(&mut [&mut l[a..b]], key);
                        r[a..b].copy_from_slice(&l[a..b]);
                    }
                    for k in 0..MAX_BANDS {
                        band_gr[k] = band_gr[k].max(multiband.band_gain_reduction_db(k));
                        band_in[k] = band_in[k].max(multiband.band_input_level_db(k));
                    }
                }
            };
            if chans == 2 {
                let [left, right, ..] = main else {
                    return ProcessStatus::Normal;
                };
                bypass.run_stereo(left, right, &mut run);
            } else {
                let scratch = &mut mono_scratch[..n];
                scratch.copy_from_slice(main[0]);
                bypass.run_stereo(main[0], scratch, &mut run);
            }
        }
        if editor_open {
            measure_stereo(
                &mut self.output_meter,
                main[0],
                main[chans - 1],
                &self.meters.output,
            );
            self.post
                .push_block(&self.meters.post, main[0], main[chans - 1]);
            let m = &self.meters;
            for k in 0..MAX_BANDS {
                m.band_gr_db[k].store(band_gr[k].max(0.0), Ordering::Relaxed);
                m.band_in_db[k].store(band_in[k].max(METER_FLOOR_DB), Ordering::Relaxed);
            }
            let status = KeyStatus::new(external, self.key_latch.seen() && key_channels > 0);
            m.key_status.store(status as u8, Ordering::Relaxed);
        }
        ProcessStatus::Normal
    }
}

impl ClapPlugin for LacquerMultiband {
    const CLAP_ID: &'static str = "org.lacquer.multiband";
    const CLAP_DESCRIPTION: Option<&'static str> = Some(
        "Mastering multiband compressor: 2-5 phase-coherent or linear-phase bands, external sidechain",
    );
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Compressor,
        ClapFeature::Stereo,
        ClapFeature::Mono,
        ClapFeature::Mastering,
    ];
}

impl Vst3Plugin for LacquerMultiband {
    const VST3_CLASS_ID: [u8; 16] = *b"LacquerMultiBd01";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[
        Vst3SubCategory::Fx,
        Vst3SubCategory::Dynamics,
        Vst3SubCategory::Mastering,
    ];
}

// The CLAP and VST3 entry points only in the bundles (`cargo xtask` turns `export` on): two
// plugin libraries linked into one binary (the `lacquer` CLI) would define them twice.
#[cfg(feature = "export")]
nice_export_clap!(LacquerMultiband);
#[cfg(feature = "export")]
nice_export_vst3!(LacquerMultiband);
