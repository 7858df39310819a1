//! Lacquer Test Fixture: a test-only plugin (never installed) that gives the host tests a
//! sidechain input port and a lookahead parameter that changes the reported latency, so the
//! harness's sidechain and latency-change checks run before a real plugin has them.
//!
//! Signal path, per sample: `out = (delay(main, lookahead) + key_mix · sidechain) · gain`;
//! the aux output ("Key Out") carries the sidechain as received, so a host that leaves the
//! aux ports out of its process call is exercised on both sides.
//! Every term is exact at the defaults and at `key_mix = 1`, `out = 0 dB` (an integer delay
//! through a linear-interpolating `DelayLine` reads the stored sample, and the gain is 1.0),
//! so the tests can compare outputs bit for bit. A missing or disconnected sidechain is
//! silence. Parameters are not smoothed on purpose: a step lands on the exact sample of its
//! event, which the sample-accurate automation and latency tests measure.

use dsp_core::{DelayLine, Interpolation};
use nice_plug::prelude::*;
use std::sync::Arc;

/// Longest lookahead, in milliseconds (the delay line is sized for it at each activation).
pub const MAX_LOOKAHEAD_MS: f32 = 10.0;

/// Parameters of the fixture. IDs are in `tests/src/plugins.rs`; never rename them.
#[derive(Params)]
pub struct FixtureParams {
    /// Delay of the main signal, reported to the host as latency: the lookahead a
    /// compressor or limiter has, without the DSP around it.
    #[id = "lookahead_ms"]
    pub lookahead_ms: FloatParam,
    /// How much of the sidechain is added to the output, so the tests can hear whether the
    /// sidechain arrived (and that nothing else arrived in its place).
    #[id = "key_mix"]
    pub key_mix: FloatParam,
    /// Output gain in dB: the harness's gain-parameter slot (sample-accurate automation).
    #[id = "out"]
    pub output_gain_db: FloatParam,
}

impl Default for FixtureParams {
    fn default() -> Self {
        Self {
            lookahead_ms: FloatParam::new(
                "Lookahead",
                0.0,
                FloatRange::Linear {
                    min: 0.0,
                    max: MAX_LOOKAHEAD_MS,
                },
            )
            .with_unit(" ms")
            .with_step_size(0.01),
            key_mix: FloatParam::new("Key Mix", 0.0, FloatRange::Linear { min: 0.0, max: 1.0 })
                .with_step_size(0.01),
            output_gain_db: lacquer_kit::params::output_gain_param(),
        }
    }
}

/// The fixture plugin.
pub struct LacquerTestFixture {
    /// Parameters shared with the host.
    params: Arc<FixtureParams>,
    /// Delays the main signal by the lookahead; sized in `activate` for the maximum.
    delay: DelayLine,
    /// Sample rate of the current activation, to turn milliseconds into samples.
    sample_rate: f32,
    /// The latency last reported to the host, so it is only announced when it changes.
    latency_samples: u32,
    /// Denormal probe: a one-pole level follower per channel with NO denormal flushing, the
    /// kind of naive recursive path plugins have in meters and smoothers. Denormal input keeps
    /// it in the subnormal range, where x86 takes a microcode assist on every operation unless
    /// the wrapper sets FTZ and DAZ (LACQUER PATCH h); the host test
    /// `denormal_input_costs_no_more_cpu_than_normal_input` sees that cost through it.
    /// Product plugins flush their own states (dsp-core), so they cannot show the guard working.
    probe: [f32; 2],
}

impl Default for LacquerTestFixture {
    fn default() -> Self {
        let mut delay = DelayLine::new(MAX_LOOKAHEAD_MS);
        // Linear: allows a delay of 0 and reads integer delays exactly.
        delay.set_interpolation(Interpolation::Linear);
        Self {
            params: Arc::new(FixtureParams::default()),
            delay,
            sample_rate: 48_000.0,
            latency_samples: 0,
            probe: [0.0; 2],
        }
    }
}

impl LacquerTestFixture {
    /// The lookahead in whole samples at the current rate: `round(ms · fs / 1000)`.
    fn lookahead_samples(&self) -> u32 {
        let ms = self
            .params
            .lookahead_ms
            .value()
            .clamp(0.0, MAX_LOOKAHEAD_MS);
        (f64::from(ms) * f64::from(self.sample_rate) / 1000.0).round() as u32
    }
}

impl Plugin for LacquerTestFixture {
    const NAME: &'static str = "Lacquer Test Fixture";
    const VENDOR: &'static str = "Lacquer";
    const URL: &'static str = env!("CARGO_PKG_HOMEPAGE");
    const EMAIL: &'static str = "lacquer@example.org";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[AudioIOLayout {
        main_input_channels: NonZeroU32::new(2),
        main_output_channels: NonZeroU32::new(2),
        aux_input_ports: &[new_nonzero_u32(2)],
        aux_output_ports: &[new_nonzero_u32(2)],
        names: PortNames {
            layout: Some("Stereo with sidechain and key out"),
            main_input: Some("Input"),
            main_output: Some("Output"),
            aux_inputs: &["Sidechain"],
            aux_outputs: &["Key Out"],
        },
    }];
    const SAMPLE_ACCURATE_AUTOMATION: bool = true;
    type SysExMessage = ();
    type BackgroundTask = ();
    type Editor = ();

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn activate(
        &mut self,
        _audio_io_layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        context: &mut impl ActivateContext<Self>,
    ) -> bool {
        self.sample_rate = buffer_config.sample_rate;
        self.delay.prepare(
            buffer_config.sample_rate,
            buffer_config.max_buffer_size as usize,
            2,
        );
        self.latency_samples = self.lookahead_samples();
        context.set_latency_samples(self.latency_samples);
        true
    }

    fn reset(&mut self) {
        self.delay.reset();
        self.probe = [0.0; 2];
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        // Parameters once per (sample-accurately split) block.
        let delay_samples = self.lookahead_samples();
        if delay_samples != self.latency_samples {
            self.latency_samples = delay_samples;
            context.set_latency_samples(delay_samples);
        }
        let key_mix = self.params.key_mix.value();
        let gain = util::db_to_gain(self.params.output_gain_db.value());
        let frames = buffer.samples();
        // nice-plug hands a missing port zeroed storage of another length, or nothing at all:
        // anything but a full-length channel is silence.
        let sidechain: Option<&[&mut [f32]]> = aux
            .inputs
            .first()
            .map(|b| b.as_slice_immutable())
            .filter(|channels| channels.len() >= 2 && channels.iter().all(|c| c.len() == frames));
        if let Some(key_out) = aux.outputs.first_mut() {
            for (ch, channel) in key_out.as_slice().iter_mut().enumerate() {
                match sidechain {
                    Some(s) if ch < s.len() => channel.copy_from_slice(&s[ch][..channel.len()]),
                    _ => channel.fill(0.0),
                }
            }
        }
        let [left, right, ..] = buffer.as_slice() else {
            return ProcessStatus::Normal;
        };
        let delay = delay_samples as f32;
        // The unflushed probe (see the field): a few operations per sample on the input.
        for (ch, channel) in [&*left, &*right].into_iter().enumerate() {
            let mut level = self.probe[ch];
            for &x in channel.iter() {
                // A chain of multiplies (no fast-math: evaluated left to right, not folded).
                level = level * 0.5 + x * 0.9 * 0.9 * 0.9 * 0.9 * 0.9 * 0.9;
            }
            self.probe[ch] = if level.is_finite() { level } else { 0.0 };
        }
        for i in 0..frames {
            for (ch, x) in [&mut left[i], &mut right[i]].into_iter().enumerate() {
                self.delay.write(ch, *x);
                let key = sidechain.map_or(0.0, |s| s[ch][i]);
                *x = (self.delay.read(ch, delay) + key_mix * key) * gain;
            }
            self.delay.advance();
        }
        ProcessStatus::Normal
    }
}

impl ClapPlugin for LacquerTestFixture {
    const CLAP_ID: &'static str = "org.lacquer.test-fixture";
    const CLAP_DESCRIPTION: Option<&'static str> = Some("Test-only fixture for the host tests");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[ClapFeature::AudioEffect, ClapFeature::Stereo];
}

impl Vst3Plugin for LacquerTestFixture {
    const VST3_CLASS_ID: [u8; 16] = *b"LacquerFixture01";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[Vst3SubCategory::Fx];
}

// The CLAP and VST3 entry points only in the bundles (`cargo xtask` turns `export` on): two
// plugin libraries linked into one binary (the `lacquer` CLI) would define them twice.
#[cfg(feature = "export")]
nice_export_clap!(LacquerTestFixture);
#[cfg(feature = "export")]
nice_export_vst3!(LacquerTestFixture);
