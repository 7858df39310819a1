//! Shared steps of the host tests: load each plugin, set parameters, pick random settings.

use crate::bundle;
use crate::clap_ext;
use crate::clap_host::{load_entry, AudioConfig, Instance, ParamChange};
use crate::isolate::step;
use crate::plugins::{Kind, PluginSpec, PLUGINS};
use clack_host::entry::PluginEntry;
use clack_host::events::event_types::ParamValueEvent;
use clack_host::events::io::EventBuffer;
use clack_host::events::Pckn;
use clack_host::utils::ClapId;

/// Run `check` for every plugin in the table, announcing each one (so a crash names it).
pub fn for_each_plugin(what: &str, mut check: impl FnMut(&'static PluginSpec, &PluginEntry)) {
    for spec in crate::plugins::selected() {
        step(spec.name, what);
        let entry = load_entry(&bundle::clap_path(spec));
        check(spec, &entry);
    }
}

/// Fail unless some plugin in the table has what a check needs (`applies`). A check that every
/// plugin skips would pass while testing nothing; call this before the per-plugin loop.
#[track_caller]
pub fn require_some_plugin(needs: &str, applies: impl Fn(&PluginSpec) -> bool) {
    assert!(
        PLUGINS.iter().any(applies),
        "no plugin in the table has {needs}: this check would pass for none"
    );
}

/// A fresh, inactive instance.
pub fn instance(entry: &PluginEntry, spec: &'static PluginSpec) -> Instance {
    Instance::new(entry, spec)
}

/// 48 kHz, blocks up to 512: the default test configuration.
pub const DEFAULT_CONFIG: AudioConfig = AudioConfig {
    sample_rate: 48_000.0,
    min_block: 1,
    max_block: 512,
};

/// Set parameters on an inactive instance through `params.flush`, as a host does when it
/// restores automation before playback.
pub fn set_params_inactive(instance: &Instance, values: &[(u32, f64)]) {
    let mut events = EventBuffer::with_capacity(values.len());
    for &(id, value) in values {
        events.push(&ParamValueEvent::new(
            0,
            ClapId::new(id),
            Pckn::match_all(),
            value,
        ));
    }
    clap_ext::flush(instance, &events);
}

/// A random valid CLAP value for every parameter except bypass.
pub fn random_settings(spec: &PluginSpec, rng: &mut fastrand::Rng) -> Vec<(u32, f64)> {
    spec.params
        .iter()
        .filter(|p| !p.bypass)
        .map(|p| (p.clap_id(), random_value(p.kind, rng)))
        .collect()
}

/// A random valid CLAP value for a parameter of this kind.
pub fn random_value(kind: Kind, rng: &mut fastrand::Rng) -> f64 {
    match kind {
        Kind::Float { .. } => rng.f64(),
        Kind::Bool { .. } => f64::from(u8::from(rng.bool())),
        Kind::Enum { count, .. } => f64::from(rng.u32(0..count)),
    }
}

/// Parameter changes that set `values` at sample `time`.
pub fn changes_at(time: usize, values: &[(u32, f64)]) -> Vec<ParamChange> {
    values
        .iter()
        .map(|&(id, value)| ParamChange { time, id, value })
        .collect()
}

/// Normalized CLAP value of a plain value for a linear float range.
pub fn normalized(kind: Kind, plain: f64) -> f64 {
    match kind {
        Kind::Float { min, max, .. } => (plain - min) / (max - min),
        _ => panic!("normalized() is for linear float parameters"),
    }
}
