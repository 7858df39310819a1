//! Lacquer's shared plugin-side kit: one look and one feel for all nine editors.
//!
//! - [`theme`]: palette, fonts, spacing, [`theme::section`] frames.
//! - [`widgets`]: [`Knob`], [`Fader`], [`Toggle`], [`Segmented`], [`NumericField`], each bound
//!   to a nice-plug parameter and editing it through `ParamSetter` gestures.
//! - [`meters`]: level (peak/RMS, hold, clip), gain reduction, correlation, LUFS readout.
//! - [`views`]: spectrum analyzer, response curve, scrolling history, vectorscope.
//! - [`header`], [`presets`], [`ab`], [`editor_state`]: the header bar, factory/user
//!   presets with locked parameters, A/B compare, persisted size and scale.
//! - [`meters_bridge`]: atomics and the analyzer queue between audio thread and editor.
//! - [`sidechain`]: the key port and the "key connected" latch of keyed plugins.
//! - [`app`]: the editor shell every plugin shares ([`app::EditorSpec`], [`app::create_editor`]).
//! - `testing` (doc-hidden): a fake host and a headless egui harness for any editor's tests.

pub mod ab;
pub mod app;
pub mod dynamics_params;
pub mod editor_state;
pub mod header;
pub mod meters;
pub mod meters_bridge;
pub mod param_control;
pub mod params;
pub mod presets;
pub mod sidechain;
pub mod theme;
pub mod units;
pub mod views;
pub mod widgets;

#[doc(hidden)]
pub mod testing;

pub use ab::{AbSlot, AbState};
pub use editor_state::EditorState;
pub use header::{Header, HeaderState};
pub use presets::{Preset, PresetLibrary};
pub use widgets::{Fader, Knob, NumericField, Segmented, Toggle};
