//! The editor's persisted window state: size and user scale (75–200 %), saved in the plugin
//! state with `#[persist = "editor"]`, plus whether an editor is open right now (so the audio
//! thread only publishes meters and analyzer samples while someone is looking).
//!
//! `nice-plug-egui`'s own `EguiEditorState` is not serializable in 0.6, so this type is the
//! persisted one and [`EditorState::egui_state`] builds a fresh `EguiEditorState` from it each
//! time an editor opens.

use crate::theme::{MAX_SCALE, MIN_SCALE};
use nice_plug::params::persist::PersistentField;
use nice_plug_egui::EguiEditorState;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

/// The serialized part of [`EditorState`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EditorPrefs {
    /// Logical width at 100 % scale.
    pub width: u32,
    /// Logical height at 100 % scale.
    pub height: u32,
    /// User scale on top of the system's scale factor, 0.75..=2.0.
    pub scale: f32,
}

/// Persisted editor size and scale, plus the live "editor open" flag.
#[derive(Debug)]
pub struct EditorState {
    /// Size and scale; GUI thread and state (de)serialization only, never the audio thread.
    prefs: RwLock<EditorPrefs>,
    /// True between the editor's `build()` and `editor_closed()`; read by the audio thread.
    open: AtomicBool,
    /// The default size, used as the minimum when resizing.
    default_size: (u32, u32),
}

impl EditorState {
    /// A state with the editor's default logical size at 100 % scale.
    pub fn new(width: u32, height: u32) -> Arc<Self> {
        Arc::new(Self {
            prefs: RwLock::new(EditorPrefs {
                width,
                height,
                scale: 1.0,
            }),
            open: AtomicBool::new(false),
            default_size: (width, height),
        })
    }

    /// Whether an editor window is open (lock-free; safe on the audio thread).
    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }

    /// Mark the editor open/closed (called by the app's `build()` / `editor_closed()`).
    pub fn set_open(&self, open: bool) {
        self.open.store(open, Ordering::Release);
    }

    /// The current size and scale.
    pub fn prefs(&self) -> EditorPrefs {
        *self.prefs.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The default (and minimum) logical size.
    pub fn default_size(&self) -> (u32, u32) {
        self.default_size
    }

    /// The user scale, clamped to 75–200 %.
    pub fn scale(&self) -> f32 {
        self.prefs().scale.clamp(MIN_SCALE, MAX_SCALE)
    }

    /// Remember a new user scale.
    pub fn set_scale(&self, scale: f32) {
        self.prefs.write().unwrap_or_else(|e| e.into_inner()).scale =
            scale.clamp(MIN_SCALE, MAX_SCALE);
    }

    /// Remember a new logical size (at 100 % scale), never below the default size.
    pub fn set_size(&self, width: u32, height: u32) {
        let mut prefs = self.prefs.write().unwrap_or_else(|e| e.into_inner());
        prefs.width = width.max(self.default_size.0);
        prefs.height = height.max(self.default_size.1);
    }

    /// A fresh `EguiEditorState` for `create_egui_editor`, with the saved size and scale.
    pub fn egui_state(&self) -> Arc<EguiEditorState> {
        let prefs = self.prefs();
        EguiEditorState::from_size(
            nice_plug::editor::dpi::LogicalSize::new(prefs.width as f64, prefs.height as f64),
            prefs.scale.clamp(MIN_SCALE, MAX_SCALE),
        )
    }
}

impl<'a> PersistentField<'a, EditorPrefs> for EditorState {
    fn set(&self, new_value: EditorPrefs) {
        let mut prefs = self.prefs.write().unwrap_or_else(|e| e.into_inner());
        *prefs = EditorPrefs {
            width: new_value.width.max(self.default_size.0),
            height: new_value.height.max(self.default_size.1),
            scale: if new_value.scale.is_finite() {
                new_value.scale.clamp(MIN_SCALE, MAX_SCALE)
            } else {
                1.0
            },
        };
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&EditorPrefs) -> R,
    {
        f(&self.prefs())
    }
}

impl<'a> PersistentField<'a, EditorPrefs> for Arc<EditorState> {
    fn set(&self, new_value: EditorPrefs) {
        self.as_ref().set(new_value);
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&EditorPrefs) -> R,
    {
        self.as_ref().map(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_and_scale_round_trip_through_json() {
        let state = EditorState::new(600, 400);
        state.set_size(900, 500);
        state.set_scale(1.5);
        let json = PersistentField::map(&state, |p| serde_json::to_string(p).unwrap());
        let restored = EditorState::new(600, 400);
        PersistentField::set(
            &restored,
            serde_json::from_str::<EditorPrefs>(&json).unwrap(),
        );
        assert_eq!(restored.prefs(), state.prefs());
        restored.set_scale(5.0);
        assert_eq!(restored.scale(), MAX_SCALE);
        restored.set_size(10, 10);
        assert_eq!(
            (restored.prefs().width, restored.prefs().height),
            (600, 400)
        );
    }
}
