//! Lacquer's host-level tests: load the built CLAP and VST3 bundles from `target/bundled/`
//! and drive them the way a DAW does (block sizes, sample rates, automation at sample
//! offsets, state save/reload, bypass, hostile input, hours of silence).
//!
//! The library is the harness; the tests live in `tests/clap.rs` and `tests/vst3.rs`. The
//! plugin list is [`plugins::PLUGINS`]: a plugin joins every test by adding one line there.
//! Build the bundles first: `cargo xtask test` does both.

pub mod bundle;
pub mod clap_ext;
pub mod clap_host;
pub mod harness;
pub mod isolate;
pub mod plugins;
pub mod signal;
pub mod vst3_host;
