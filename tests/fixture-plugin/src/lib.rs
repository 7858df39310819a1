//! Lacquer Test Fixture: a test-only plugin (never installed) that gives the host tests a
//! sidechain input port and a lookahead parameter that changes the reported latency, so the
//! harness's sidechain and latency-change checks run before a real plugin has them.

use nice_plug::prelude::*;
use std::sync::Arc;

/// Parameters of the fixture.
#[derive(Params, Default)]
pub struct FixtureParams {}

/// The fixture plugin: currently a pass-through.
#[derive(Default)]
pub struct LacquerTestFixture {
    /// Parameters shared with the host.
    params: Arc<FixtureParams>,
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
        ..AudioIOLayout::const_default()
    }];
    const SAMPLE_ACCURATE_AUTOMATION: bool = true;
    type SysExMessage = ();
    type BackgroundTask = ();
    type Editor = ();

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn process(
        &mut self,
        _buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        _context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
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

nice_export_clap!(LacquerTestFixture);
nice_export_vst3!(LacquerTestFixture);
