//! Lacquer's host-level tests: load the built CLAP and VST3 bundles from `target/bundled/`
//! and drive them the way a DAW does (block sizes, sample rates, automation at sample
//! offsets, state save/reload, bypass, hostile input, hours of silence).
//!
//! The library is the harness; the tests live in `tests/clap_*.rs` (API, audio, robustness,
//! state, and `clap_validator.rs` for the checks free-audio/clap-validator runs), `tests/vst3.rs`
//! and `tests/vst3_controller.rs` (automation through `IParameterChanges`, `IEditController`).
//! `tests/zz_suite_wall_time.rs` runs last and reports the suite's wall time (see [`timing`]).
//! The plugin list is [`plugins::PLUGINS`]: a plugin joins every test by adding one line there.
//! It includes a test-only fixture plugin (`tests/fixture-plugin`: sidechain input, aux
//! output, a lookahead that changes the latency) so the sidechain, aux-port and
//! latency-change checks run before a product plugin needs them.
//! Build the bundles first: `cargo xtask test` does both.
//!
//! Adding a plugin: one line in [`plugins::PLUGINS`] (plus its `&[ParamSpec]` list), then
//! `LACQUER_WRITE_FIXTURES=1 cargo test -p lacquer-host-tests old_state_fixtures` once to save
//! its state fixture under `tests/fixtures/<short>/`, and commit the fixture.
//!
//! Environment: `LACQUER_BUNDLE_DIR` points at another bundle folder (e.g. release bundles);
//! `LACQUER_HOST_TESTS_IN_PROCESS=1` runs test bodies without a child process (for a
//! debugger); `LACQUER_WRITE_FIXTURES=1` writes a missing fixture for the current version.

pub mod bundle;
pub mod clap_ext;
pub mod clap_host;
pub mod harness;
pub mod isolate;
pub mod plugins;
pub mod signal;
pub mod timing;
pub mod vst3_host;

/// Everything a host test file uses, in one import.
pub mod prelude {
    pub use crate::bundle;
    pub use crate::clap_ext::{self, ChunkedReader, ChunkedWriter};
    pub use crate::clap_host::{AudioConfig, Instance, ParamChange};
    pub use crate::harness::{
        changes_at, for_each_plugin, instance, normalized, random_settings, random_value,
        require_some_plugin, set_params_inactive, DEFAULT_CONFIG,
    };
    pub use crate::host_test;
    pub use crate::isolate::step;
    pub use crate::plugins::{param_hash, Kind, Latency, PluginSpec, PLUGINS, VENDOR};
    pub use crate::signal::{
        assert_finite_below, assert_identical, constant, first_non_finite, music, noise, peak,
        plain_from_text,
    };
    pub use clack_host::events::io::EventBuffer;
}
