//! Presets: named sets of parameter values by parameter ID, in human-readable JSON.
//!
//! Values are plain values (the parameter's own unit: dB, Hz, -1..1 for pan, the variant index
//! for enums), converted through each parameter's normalized<->plain mapping found with
//! `Params::param_map()`. A value may also be a string in the parameter's own display form
//! ("32L", "Stereo Pan", "-3 dB"), which is handy when writing factory presets by hand.
//!
//! Loading applies every value through the `ParamSetter` (begin/set/end per parameter) so the
//! host records it, skips the bypass parameter and the loader's *locked* IDs (output settings
//! the user wants to keep), and first stores the current settings in the inactive A/B slot so
//! one click on A/B undoes the load.
//!
//! Factory presets ship under `assets/presets/<plugin>/*.json` and are embedded with
//! `include_str!`; user presets live in [`user_preset_dir`].

use crate::ab::{self, AbState, Snapshot};
use nice_plug::prelude::{ParamPtr, ParamSetter, Params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Current preset file format version.
pub const PRESET_VERSION: u32 = 1;

/// One preset as stored on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preset {
    /// Name shown in the header's preset menu.
    pub name: String,
    /// The plugin it belongs to (the `<plugin>` folder name, e.g. "panner").
    pub plugin: String,
    /// File format version, for future migrations.
    #[serde(default = "default_version")]
    pub version: u32,
    /// Free text shown as the menu tooltip.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Parameter ID -> plain number or display string.
    pub params: BTreeMap<String, serde_json::Value>,
}

fn default_version() -> u32 {
    PRESET_VERSION
}

/// What went wrong reading or applying a preset.
#[derive(Debug)]
pub enum PresetError {
    /// The JSON did not parse.
    Json(serde_json::Error),
    /// The preset is for another plugin.
    WrongPlugin {
        /// Plugin the preset names.
        found: String,
        /// Plugin that tried to load it.
        expected: String,
    },
    /// Reading or writing the file failed.
    Io(std::io::Error),
}

impl std::fmt::Display for PresetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PresetError::Json(e) => write!(f, "invalid preset JSON: {e}"),
            PresetError::WrongPlugin { found, expected } => {
                write!(f, "preset is for '{found}', not '{expected}'")
            }
            PresetError::Io(e) => write!(f, "preset file: {e}"),
        }
    }
}

impl std::error::Error for PresetError {}

/// How a preset load went.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ApplyReport {
    /// Parameters set.
    pub applied: usize,
    /// IDs skipped because they are locked (or the bypass).
    pub locked: Vec<String>,
    /// IDs in the preset this plugin does not have, or values that did not parse.
    pub unknown: Vec<String>,
}

impl Preset {
    /// Parse a preset from JSON.
    pub fn from_json(json: &str) -> Result<Self, PresetError> {
        serde_json::from_str(json).map_err(PresetError::Json)
    }

    /// Pretty JSON, one parameter per line.
    pub fn to_json(&self) -> String {
        // Serializing a map of strings/numbers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Capture the current values of `params` (plain values; bypass excluded).
    pub fn capture(name: &str, plugin: &str, params: &dyn Params) -> Self {
        let params = ab::snapshot(params)
            .into_iter()
            .map(|(id, plain)| (id, json_number(plain)))
            .collect();
        Self {
            name: name.to_owned(),
            plugin: plugin.to_owned(),
            version: PRESET_VERSION,
            description: String::new(),
            params,
        }
    }

    /// Resolve the stored values into plain values for `params`, dropping `locked` IDs.
    pub fn resolve(&self, params: &dyn Params, locked: &[String]) -> (Snapshot, ApplyReport) {
        let map: BTreeMap<String, ParamPtr> = params
            .param_map()
            .into_iter()
            .map(|(id, ptr, _)| (id, ptr))
            .collect();
        let mut report = ApplyReport::default();
        let mut values = Snapshot::new();
        for (id, value) in &self.params {
            let Some(&ptr) = map.get(id) else {
                report.unknown.push(id.clone());
                continue;
            };
            if locked.contains(id) || ab::is_bypass(ptr) {
                report.locked.push(id.clone());
                continue;
            }
            let plain = match value {
                serde_json::Value::Number(n) => n.as_f64().map(|v| v as f32),
                serde_json::Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
                serde_json::Value::String(s) => {
                    // SAFETY: `ptr` comes from `params.param_map()` and `params` is borrowed.
                    unsafe {
                        ptr.string_to_normalized_value(s)
                            .or_else(|| {
                                crate::units::parse_plain(s, ptr.unit())
                                    .map(|p| ptr.preview_normalized(p as f32))
                            })
                            .map(|n| ptr.preview_plain(n.clamp(0.0, 1.0)))
                    }
                }
                _ => None,
            };
            match plain {
                Some(p) if p.is_finite() => {
                    values.insert(id.clone(), p);
                }
                _ => report.unknown.push(id.clone()),
            }
        }
        report.applied = values.len();
        (values, report)
    }
}

/// Plain values are stored with at most 6 significant decimals so files stay readable.
fn json_number(plain: f32) -> serde_json::Value {
    let rounded = (plain as f64 * 1e6).round() / 1e6;
    serde_json::Number::from_f64(rounded).map_or(serde_json::Value::Null, Into::into)
}

/// Where user presets for `plugin` live: `<data dir>/Lacquer/presets/<plugin>/` (see
/// [`user_data_dir`]). `LACQUER_PRESET_DIR` overrides the `.../Lacquer/presets` part (tests,
/// portable installs).
pub fn user_preset_dir(plugin: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("LACQUER_PRESET_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join(plugin));
    }
    Some(user_data_dir()?.join("presets").join(plugin))
}

/// Lacquer's per-user data folder, `<data dir>/Lacquer`, with the data dir being
/// `$XDG_DATA_HOME` (or `~/.local/share`) on Linux/BSD, `~/Library/Application Support` on
/// macOS and `%APPDATA%` on Windows. User presets and exported measurements live under it.
pub fn user_data_dir() -> Option<PathBuf> {
    let base = if cfg!(target_os = "windows") {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Library/Application Support"))
    } else {
        std::env::var_os("XDG_DATA_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
    }?;
    Some(base.join("Lacquer"))
}

/// A file name for a preset name: letters, digits, space, dash and underscore survive.
pub fn file_name_for(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = if cleaned.is_empty() {
        "Untitled".to_owned()
    } else {
        cleaned
    };
    format!("{cleaned}.json")
}

/// Where a preset came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresetSource {
    /// Shipped with the plugin.
    Factory,
    /// Saved by the user at this path.
    User(PathBuf),
}

/// A plugin's presets: the embedded factory set plus the user's folder.
#[derive(Debug, Clone)]
pub struct PresetLibrary {
    /// Folder name and `plugin` field ("panner").
    pub plugin: String,
    /// Factory then user presets, in menu order.
    pub presets: Vec<(PresetSource, Preset)>,
    /// Parameter IDs a preset load never changes.
    pub locked: Vec<String>,
    /// The user folder, if one could be determined.
    pub user_dir: Option<PathBuf>,
    /// Name of the preset loaded last (shown in the header).
    pub current: Option<String>,
    /// Last error to show in the header, if any.
    pub last_error: Option<String>,
}

impl PresetLibrary {
    /// Build a library from embedded factory JSON (`include_str!`) and the user folder.
    /// Factory presets that fail to parse are reported in `last_error` (tests catch them).
    pub fn new(plugin: &str, factory_json: &[&str], locked: &[&str]) -> Self {
        let mut lib = Self {
            plugin: plugin.to_owned(),
            presets: Vec::new(),
            locked: locked.iter().map(|s| (*s).to_owned()).collect(),
            user_dir: user_preset_dir(plugin),
            current: None,
            last_error: None,
        };
        for json in factory_json {
            match Preset::from_json(json) {
                Ok(p) => lib.presets.push((PresetSource::Factory, p)),
                Err(e) => lib.last_error = Some(e.to_string()),
            }
        }
        lib.rescan_user();
        lib
    }

    /// Use another user folder (tests).
    pub fn with_user_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.user_dir = dir;
        self.rescan_user();
        self
    }

    /// Re-read the user folder (after saving, or when the menu opens).
    pub fn rescan_user(&mut self) {
        self.presets
            .retain(|(source, _)| *source == PresetSource::Factory);
        let Some(dir) = &self.user_dir else { return };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut user: Vec<(PresetSource, Preset)> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .filter_map(|p| {
                let preset = Preset::from_json(&std::fs::read_to_string(&p).ok()?).ok()?;
                (preset.plugin == self.plugin).then_some((PresetSource::User(p), preset))
            })
            .collect();
        user.sort_by_key(|(_, preset)| preset.name.to_lowercase());
        self.presets.extend(user);
    }

    /// Save the current settings as a user preset; returns the file written.
    pub fn save_user(&mut self, name: &str, params: &dyn Params) -> Result<PathBuf, PresetError> {
        let dir = self.user_dir.clone().ok_or_else(|| {
            PresetError::Io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no user preset folder (HOME/APPDATA not set)",
            ))
        })?;
        std::fs::create_dir_all(&dir).map_err(PresetError::Io)?;
        let preset = Preset::capture(name.trim(), &self.plugin, params);
        let path = dir.join(file_name_for(name));
        std::fs::write(&path, preset.to_json()).map_err(PresetError::Io)?;
        self.current = Some(preset.name);
        self.rescan_user();
        Ok(path)
    }

    /// Load a preset file from anywhere (drag-in, tests).
    pub fn read_file(path: &Path) -> Result<Preset, PresetError> {
        Preset::from_json(&std::fs::read_to_string(path).map_err(PresetError::Io)?)
    }

    /// Apply preset `index`: remember the current settings in the inactive A/B slot (one
    /// click undoes the load), then set every unlocked value as its own begin/set/end.
    pub fn load(
        &mut self,
        index: usize,
        params: &dyn Params,
        setter: &ParamSetter,
        ab: &AbState,
    ) -> Result<ApplyReport, PresetError> {
        let Some((_, preset)) = self.presets.get(index) else {
            return Ok(ApplyReport::default());
        };
        let preset = preset.clone();
        self.apply(&preset, params, setter, ab)
    }

    /// Apply any preset with this library's locks (see [`Self::load`]).
    pub fn apply(
        &mut self,
        preset: &Preset,
        params: &dyn Params,
        setter: &ParamSetter,
        ab: &AbState,
    ) -> Result<ApplyReport, PresetError> {
        if preset.plugin != self.plugin {
            return Err(PresetError::WrongPlugin {
                found: preset.plugin.clone(),
                expected: self.plugin.clone(),
            });
        }
        let (values, report) = preset.resolve(params, &self.locked);
        ab.remember_for_undo(params);
        ab::apply_snapshot(params, setter, &values, &self.locked);
        self.current = Some(preset.name.clone());
        self.last_error = None;
        Ok(report)
    }
}
