//! A/B compare. The live parameters are the active slot; the other slot is a stored
//! [`Snapshot`]. Switching swaps them through the `ParamSetter` (begin/set/end per changed
//! parameter) so the host sees and records it. Both slots are saved with the plugin state
//! (`#[persist = "ab"]`).
//!
//! Snapshots hold plain values by parameter ID, taken with `Params::param_map()`; the bypass
//! parameter is never part of a snapshot.

use nice_plug::params::persist::PersistentField;
use nice_plug::prelude::{ParamFlags, ParamPtr, ParamSetter, Params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// Parameter ID -> plain value.
pub type Snapshot = BTreeMap<String, f32>;

/// Which slot is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AbSlot {
    /// Slot A is live.
    #[default]
    A,
    /// Slot B is live.
    B,
}

impl AbSlot {
    /// The other slot.
    pub fn other(self) -> Self {
        match self {
            AbSlot::A => AbSlot::B,
            AbSlot::B => AbSlot::A,
        }
    }

    /// "A" or "B".
    pub fn name(self) -> &'static str {
        match self {
            AbSlot::A => "A",
            AbSlot::B => "B",
        }
    }
}

/// The serialized A/B data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AbData {
    /// The live slot.
    pub active: AbSlot,
    /// The stored (inactive) slot; `None` until the first switch or copy.
    pub stored: Option<Snapshot>,
}

/// Persisted A/B state; GUI thread only.
#[derive(Debug, Default)]
pub struct AbState {
    /// Guarded by a lock: touched only by the GUI and state (de)serialization.
    data: RwLock<AbData>,
}

/// True for the host bypass parameter.
pub(crate) fn is_bypass(ptr: ParamPtr) -> bool {
    // SAFETY: callers pass pointers from a live `param_map()`.
    unsafe { ptr.flags().contains(ParamFlags::BYPASS) }
}

/// Plain values of every parameter except the bypass.
pub fn snapshot(params: &dyn Params) -> Snapshot {
    params
        .param_map()
        .into_iter()
        .filter(|(_, ptr, _)| !is_bypass(*ptr))
        // SAFETY: `ptr` comes from `params.param_map()` and `params` is borrowed.
        .map(|(id, ptr, _)| (id, unsafe { ptr.unmodulated_plain_value() }))
        .collect()
}

/// Set every value in `values` that differs from the live one, each as begin/set/end, skipping
/// `locked` IDs and the bypass. Returns how many parameters changed.
pub fn apply_snapshot(
    params: &dyn Params,
    setter: &ParamSetter,
    values: &Snapshot,
    locked: &[String],
) -> usize {
    let mut changed = 0;
    for (id, ptr, _) in params.param_map() {
        if locked.contains(&id) || is_bypass(ptr) {
            continue;
        }
        let Some(&plain) = values.get(&id) else {
            continue;
        };
        // SAFETY: `ptr` comes from `params.param_map()`; `params` outlives this loop, and
        // `raw_context` is the host's GUI context the setter was built from.
        unsafe {
            let normalized = ptr.preview_normalized(plain);
            if (normalized - ptr.unmodulated_normalized_value()).abs() <= f32::EPSILON {
                continue;
            }
            setter.raw_context.raw_begin_set_parameter(ptr);
            setter
                .raw_context
                .raw_set_parameter_normalized(ptr, normalized);
            setter.raw_context.raw_end_set_parameter(ptr);
        }
        changed += 1;
    }
    changed
}

impl AbState {
    /// A fresh state: A live, B empty (B becomes a copy of A on the first switch).
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The live slot (read every frame by the header: no copy of the stored snapshot).
    pub fn active(&self) -> AbSlot {
        self.guard().active
    }

    /// Whether the stored slot has been filled yet.
    pub fn has_stored(&self) -> bool {
        self.guard().stored.is_some()
    }

    fn guard(&self) -> std::sync::RwLockReadGuard<'_, AbData> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Switch A<->B: the live values go to the stored slot and the stored values become live.
    /// The first switch just labels the copy (B starts as a copy of A). `locked` IDs keep
    /// their live value.
    pub fn switch(&self, params: &dyn Params, setter: &ParamSetter, locked: &[String]) {
        let live = snapshot(params);
        let mut data = self.data.write().unwrap_or_else(|e| e.into_inner());
        if let Some(stored) = data.stored.take() {
            apply_snapshot(params, setter, &stored, locked);
        }
        data.stored = Some(live);
        data.active = data.active.other();
    }

    /// Copy the live slot into the other one ("A -> B" while A is live).
    pub fn copy_to_other(&self, params: &dyn Params) {
        self.data.write().unwrap_or_else(|e| e.into_inner()).stored = Some(snapshot(params));
    }

    /// Before a preset load: keep the current settings in the other slot so switching back
    /// is a one-step undo.
    pub fn remember_for_undo(&self, params: &dyn Params) {
        self.copy_to_other(params);
    }
}

impl<'a> PersistentField<'a, AbData> for AbState {
    fn set(&self, new_value: AbData) {
        *self.data.write().unwrap_or_else(|e| e.into_inner()) = new_value;
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&AbData) -> R,
    {
        f(&self.guard())
    }
}

impl<'a> PersistentField<'a, AbData> for Arc<AbState> {
    fn set(&self, new_value: AbData) {
        self.as_ref().set(new_value);
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&AbData) -> R,
    {
        self.as_ref().map(f)
    }
}
