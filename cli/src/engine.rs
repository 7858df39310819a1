//! An offline host for the plugins' own `Plugin` implementations: the CLI renders through
//! exactly the code a DAW runs (parameters, glue, `dsp-core`), with no DSP of its own.
//!
//! The calls follow nice-plug's CLAP wrapper: parameters are set while inactive, every
//! smoother is reset to its value (`update_smoother(rate, true)`, as the wrapper's `activate`
//! does), then `activate`, `reset` (the wrapper's `start_processing`) and `process` on blocks
//! of at most [`MAX_BLOCK`] frames, under flush-to-zero as in the wrapper's
//! `process_wrapper`. The values set are in force from the first sample: the plugins jump
//! their own glides on the first block after `reset`, and nothing moves afterwards.

use nice_plug::context::process::SendEventError;
use nice_plug::prelude::*;
use std::cell::Cell;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Largest slice a render hands [`Stage::process`] at once, and the largest host block.
pub const MAX_BLOCK: usize = 8192;

/// The host block size unless `--block-size` sets another.
pub const DEFAULT_BLOCK: usize = 1024;

/// The host block size of this process's renders: set once from the command line, before
/// any stage is activated ([`set_block_size`]).
static BLOCK: AtomicUsize = AtomicUsize::new(DEFAULT_BLOCK);

/// Sets the host block size (clamped to 1..=[`MAX_BLOCK`]) for every stage activated after.
pub fn set_block_size(frames: usize) {
    BLOCK.store(frames.clamp(1, MAX_BLOCK), Ordering::Relaxed);
}

/// The host block size: the `max_buffer_size` a stage is activated with and the length of
/// every block it is handed (but a file's last).
pub fn block_size() -> usize {
    BLOCK.load(Ordering::Relaxed)
}

/// Why a parameter could not be set.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamError {
    /// No parameter with this ID; `closest` is the nearest valid ID.
    UnknownId { id: String, closest: String },
    /// A value that is not a valid setting of a switch or choice; `closest` is the nearest
    /// valid one, `valid` all of them.
    UnknownValue {
        id: String,
        value: String,
        closest: String,
        valid: Vec<String>,
    },
    /// A number outside the parameter's range; `closest` is the range end nearest to it.
    OutOfRange {
        id: String,
        value: String,
        min: String,
        max: String,
        closest: String,
    },
}

/// The channel counts of the layout a stage was activated with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Main input channels.
    pub input: usize,
    /// Main output channels.
    pub output: usize,
    /// Sidechain channels (0: no sidechain port).
    pub key: usize,
}

/// One processor of a chain: a plugin driven offline.
pub trait Stage {
    /// Sets parameter `id` from text the plugin accepts (a value with or without its unit,
    /// a choice's name, on/off); see [`PluginStage::set_param`].
    fn set_param(&mut self, id: &str, text: &str) -> Result<(), ParamError>;
    /// Every parameter: ID, name, what it takes, default.
    fn describe(&self) -> Vec<[String; 4]>;
    /// The current value of `id` as the plugin displays it (no unit).
    fn param_text(&self, id: &str) -> Option<String>;
    /// Sets parameter `id` to a plain value (a preset's), clamped to its range.
    fn set_plain(&mut self, id: &str, plain: f32) -> Result<(), ParamError>;
    /// The plugin's parameters (for presets).
    fn params(&self) -> Arc<dyn Params>;
    /// Whether the plugin has a sidechain input.
    fn keyed(&self) -> bool;
    /// Activates for `channels` main inputs (and a key of `key_channels`, 0 for none) at
    /// `sample_rate`; returns the layout chosen, or `None` when no layout takes that many
    /// channels (or a mono signal upmixed to two).
    fn activate(
        &mut self,
        sample_rate: f32,
        channels: usize,
        key_channels: usize,
    ) -> Option<Layout>;
    /// Latency reported by the plugin, samples.
    fn latency(&self) -> usize;
    /// Processes one block in place: `main` has max(input, output) channels (inputs first,
    /// the rest silent), `key` the sidechain's channels (silent when no file was given).
    fn process(&mut self, main: &mut [&mut [f32]], key: &mut [&mut [f32]]);
}

/// The host side of the contexts a plugin is handed: it records the latency and answers
/// everything else as a host with no transport, no events and no GUI would.
struct OfflineContext {
    /// Latency the plugin last reported (samples).
    latency: Cell<u32>,
    /// A stopped transport at the render's sample rate.
    transport: Transport,
}

impl<P: Plugin> ActivateContext<P> for OfflineContext {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Clap
    }
    fn execute(&self, _task: P::BackgroundTask) {}
    fn set_latency_samples(&self, samples: u32) {
        self.latency.set(samples);
    }
    fn set_current_voice_capacity(&self, _capacity: u32) {}
}

impl<P: Plugin> ProcessContext<P> for OfflineContext {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Clap
    }
    fn execute_background(&self, _task: P::BackgroundTask) {}
    fn execute_gui(&self, _task: P::BackgroundTask) {}
    fn transport(&self) -> &Transport {
        &self.transport
    }
    fn next_event(&mut self) -> Option<PluginNoteEvent<P>> {
        None
    }
    fn try_send_event(
        &mut self,
        event: PluginNoteEvent<P>,
    ) -> Result<(), (PluginNoteEvent<P>, SendEventError)> {
        Err((event, SendEventError::NoOutputBuffer))
    }
    fn set_latency_samples(&self, samples: u32) {
        self.latency.set(samples);
    }
    fn request_restart(&self) {}
    fn set_current_voice_capacity(&self, _capacity: u32) {}
}

/// A plugin of type `P` run offline.
pub struct PluginStage<P: Plugin> {
    /// The plugin instance (its own glue and DSP).
    plugin: P,
    /// Its parameters, kept alive while `map` points into them.
    params: Arc<dyn Params>,
    /// `Params::param_map()`: ID, pointer, group.
    map: Vec<(String, ParamPtr, String)>,
    /// The contexts' host side.
    context: OfflineContext,
    /// Aux input channels of the layout in use (0: none).
    key_channels: usize,
}

impl<P: Plugin + Default> Default for PluginStage<P> {
    fn default() -> Self {
        let plugin = P::default();
        let params = plugin.params();
        let map = params.param_map();
        Self {
            plugin,
            params,
            map,
            context: OfflineContext {
                latency: Cell::new(0),
                transport: Transport::new(48_000.0),
            },
            key_channels: 0,
        }
    }
}

fn channels(n: Option<NonZeroU32>) -> usize {
    n.map_or(0, NonZeroU32::get) as usize
}

impl<P: Plugin> PluginStage<P> {
    fn ptr(&self, id: &str) -> Result<ParamPtr, ParamError> {
        self.map
            .iter()
            .find(|(i, _, _)| i == id)
            .map(|(_, p, _)| *p)
            .ok_or_else(|| ParamError::UnknownId {
                id: id.to_owned(),
                closest: closest(id, self.map.iter().map(|(i, _, _)| i.as_str())),
            })
    }
}

/// The names of a stepped parameter's values (a choice's names, a switch's On/Off).
///
/// # Safety
/// `ptr` must come from a live `param_map()`.
unsafe fn step_names(ptr: ParamPtr, steps: usize) -> Vec<(String, f32)> {
    (0..=steps)
        .map(|i| {
            let norm = i as f32 / steps as f32;
            (unsafe { ptr.normalized_value_to_string(norm, false) }, norm)
        })
        .collect()
}

/// The normalized value `text` asks `ptr` for (see [`Stage::set_param`]).
///
/// # Safety
/// `ptr` must come from a live `param_map()`.
unsafe fn normalized_from_text(ptr: ParamPtr, id: &str, text: &str) -> Result<f32, ParamError> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    // Switches and choices: a name (any case), on/off, or the plugin's own parsing.
    if let Some(steps) = unsafe { ptr.step_count() }.filter(|&s| s > 0) {
        let names = unsafe { step_names(ptr, steps) };
        if let Some((_, norm)) = names.iter().find(|(n, _)| n.to_ascii_lowercase() == lower) {
            return Ok(*norm);
        }
        if steps == 1 {
            match lower.as_str() {
                "on" | "true" | "yes" | "1" => return Ok(1.0),
                "off" | "false" | "no" | "0" => return Ok(0.0),
                _ => {}
            }
        }
        let numeric = lacquer_kit::units::parse_plain(text, unsafe { ptr.unit() });
        // Integer parameters (a band count) take numbers; choices take only names.
        let is_choice = names.iter().any(|(n, _)| n.parse::<f64>().is_err());
        if !is_choice {
            if let Some(plain) = numeric {
                return unsafe { in_range(ptr, id, text, plain) };
            }
        }
        if let Some(norm) = unsafe { ptr.string_to_normalized_value(text) } {
            return Ok(norm);
        }
        let valid: Vec<String> = names.into_iter().map(|(n, _)| n).collect();
        return Err(ParamError::UnknownValue {
            id: id.to_owned(),
            value: text.to_owned(),
            closest: closest(&lower, valid.iter().map(String::as_str)),
            valid,
        });
    }
    // Continuous: the plugin's own parser first ("70" is 70 % for a mix); its result is
    // clamped, so a value it puts on a range end counts only when the text is that end.
    let own = unsafe { ptr.string_to_normalized_value(text) };
    if let Some(norm) = own {
        let shown = unsafe { ptr.normalized_value_to_string(norm, false) };
        let at_end = norm <= 0.0 || norm >= 1.0;
        let is_end = match (leading_number(text), leading_number(&shown)) {
            (Some(t), Some(e)) => (t - e).abs() <= 1e-6 * e.abs().max(1.0),
            _ => false,
        };
        if !at_end || is_end {
            return Ok(norm);
        }
    }
    // A number in the parameter's plain unit (or a related one: "2k", "0.5 s"), as presets
    // are read, checked against the range.
    if let Some(plain) = lacquer_kit::units::parse_plain(text, unsafe { ptr.unit() }) {
        return unsafe { in_range(ptr, id, text, plain) };
    }
    // Anything else the plugin's parser reads ("-inf").
    own.ok_or_else(|| {
        let (min, max) = unsafe { range_text(ptr) };
        ParamError::OutOfRange {
            id: id.to_owned(),
            value: text.to_owned(),
            closest: min.clone(),
            min,
            max,
        }
    })
}

/// The number a text starts with ("-3.5 dB" -> -3.5).
fn leading_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let end = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+'))))
        .map_or(text.len(), |(i, _)| i);
    text[..end].parse().ok()
}

/// The range ends of `ptr` as text with units.
///
/// # Safety
/// `ptr` must come from a live `param_map()`.
unsafe fn range_text(ptr: ParamPtr) -> (String, String) {
    unsafe {
        (
            ptr.normalized_value_to_string(0.0, true),
            ptr.normalized_value_to_string(1.0, true),
        )
    }
}

/// `plain`'s normalized value, or an error naming the range when it lies outside.
///
/// # Safety
/// `ptr` must come from a live `param_map()`.
unsafe fn in_range(ptr: ParamPtr, id: &str, text: &str, plain: f64) -> Result<f32, ParamError> {
    let (a, b) = unsafe { (ptr.preview_plain(0.0) as f64, ptr.preview_plain(1.0) as f64) };
    let (lo, hi) = (a.min(b), a.max(b));
    // Half a part in 10^5 of the span: the display rounding of a value typed from the
    // range's printed end.
    let slack = (hi - lo).abs() * 5e-6;
    if plain.is_finite() && plain >= lo - slack && plain <= hi + slack {
        return Ok(unsafe { ptr.preview_normalized(plain.clamp(lo, hi) as f32) });
    }
    let (min, max) = unsafe { range_text(ptr) };
    let near_low = !plain.is_finite() && plain < 0.0 || (plain - lo).abs() < (plain - hi).abs();
    let closest = if near_low == (a <= b) {
        min.clone()
    } else {
        max.clone()
    };
    Err(ParamError::OutOfRange {
        id: id.to_owned(),
        value: text.to_owned(),
        min,
        max,
        closest,
    })
}

impl<P: Plugin> Stage for PluginStage<P> {
    /// Text is read as: a switch's or choice's name (any case) or on/off/true/false; a number
    /// with or without a unit (`lacquer_kit::units::parse_plain`, as presets are read),
    /// checked against the range; else the plugin's own `string_to_normalized_value`.
    fn set_param(&mut self, id: &str, text: &str) -> Result<(), ParamError> {
        let ptr = self.ptr(id)?;
        // SAFETY: `ptr` comes from `self.params.param_map()`; `self.params` keeps it alive.
        unsafe {
            let norm = normalized_from_text(ptr, id, text)?;
            ptr._internal_set_normalized_value(norm);
        }
        Ok(())
    }

    fn describe(&self) -> Vec<[String; 4]> {
        self.map
            .iter()
            .map(|(id, ptr, _)| {
                // SAFETY: as in `set_param`.
                unsafe {
                    let takes = match ptr.step_count().filter(|&s| s > 0) {
                        Some(steps) => step_names(*ptr, steps)
                            .into_iter()
                            .map(|(n, _)| n)
                            .collect::<Vec<_>>()
                            .join(" | "),
                        None => {
                            let (min, max) = range_text(*ptr);
                            format!("{min} .. {max}")
                        }
                    };
                    [
                        id.clone(),
                        ptr.name().to_owned(),
                        takes,
                        ptr.normalized_value_to_string(ptr.default_normalized_value(), true),
                    ]
                }
            })
            .collect()
    }

    fn param_text(&self, id: &str) -> Option<String> {
        let ptr = self.ptr(id).ok()?;
        // SAFETY: as in `set_param`.
        Some(unsafe { ptr.normalized_value_to_string(ptr.unmodulated_normalized_value(), false) })
    }

    fn set_plain(&mut self, id: &str, plain: f32) -> Result<(), ParamError> {
        let ptr = self.ptr(id)?;
        // SAFETY: as in `set_param`.
        unsafe { ptr._internal_set_normalized_value(ptr.preview_normalized(plain)) };
        Ok(())
    }

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn keyed(&self) -> bool {
        P::AUDIO_IO_LAYOUTS
            .iter()
            .any(|l| !l.aux_input_ports.is_empty())
    }

    fn activate(
        &mut self,
        sample_rate: f32,
        channels_in: usize,
        key_channels: usize,
    ) -> Option<Layout> {
        let fits = |l: &&AudioIOLayout, n: usize| channels(l.main_input_channels) == n;
        let key_of = |l: &AudioIOLayout| l.aux_input_ports.first().map_or(0, |c| c.get() as usize);
        let layouts = P::AUDIO_IO_LAYOUTS;
        let layout = [channels_in, 2]
            .into_iter()
            .filter(|&n| n == channels_in || channels_in == 1)
            .find_map(|n| {
                let mut candidates = layouts.iter().filter(|l| fits(l, n)).peekable();
                let first = *candidates.peek()?;
                Some(
                    candidates
                        .find(|l| key_channels == 0 || key_of(l) == key_channels)
                        .unwrap_or(first),
                )
            })?;
        self.key_channels = key_of(layout);
        self.context.transport = Transport::new(sample_rate);
        for (_, ptr, _) in &self.map {
            // SAFETY: as in `set_param`.
            unsafe { ptr._internal_update_smoother(sample_rate, true) };
        }
        let config = BufferConfig {
            sample_rate,
            min_buffer_size: None,
            max_buffer_size: block_size() as u32,
            process_mode: ProcessMode::Offline,
        };
        let context = &mut self.context;
        if !self.plugin.activate(layout, &config, context) {
            return None;
        }
        self.plugin.reset();
        Some(Layout {
            input: channels(layout.main_input_channels),
            output: channels(layout.main_output_channels),
            key: self.key_channels,
        })
    }

    fn latency(&self) -> usize {
        self.context.latency.get() as usize
    }

    /// Splits the slice into host blocks of [`block_size`] frames.
    fn process(&mut self, main: &mut [&mut [f32]], key: &mut [&mut [f32]]) {
        let n = main.first().map_or(0, |c| c.len());
        let block = block_size();
        let mut start = 0;
        while start < n {
            let end = (start + block).min(n);
            let mut main_block: Vec<&mut [f32]> =
                main.iter_mut().map(|c| &mut c[start..end]).collect();
            let mut key_block: Vec<&mut [f32]> =
                key.iter_mut().map(|c| &mut c[start..end]).collect();
            self.process_block(&mut main_block, &mut key_block);
            start = end;
        }
    }
}

impl<P: Plugin> PluginStage<P> {
    /// One host block, at most [`block_size`] frames.
    fn process_block(&mut self, main: &mut [&mut [f32]], key: &mut [&mut [f32]]) {
        let n = main.first().map_or(0, |c| c.len());
        let mut buffer = Buffer::default();
        // SAFETY: every slice is `n` long and lives for this call.
        unsafe {
            buffer.set_slices(n, |slices| slices.extend(main.iter_mut().map(|c| &mut **c)));
        }
        let mut key_buffer = Buffer::default();
        // SAFETY: as above; the key has the layout's aux channel count.
        unsafe {
            key_buffer.set_slices(n, |slices| {
                slices.extend(key.iter_mut().take(self.key_channels).map(|c| &mut **c))
            });
        }
        let mut inputs = [key_buffer];
        let inputs: &mut [Buffer] = if self.key_channels > 0 {
            &mut inputs
        } else {
            &mut []
        };
        let mut aux = AuxiliaryBuffers {
            inputs,
            outputs: &mut [],
        };
        self.plugin
            .process(&mut buffer, &mut aux, &mut self.context);
    }
}

/// The candidate nearest to `word` by edit distance.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    candidates
        .min_by_key(|c| crate::edit_distance(&word.to_ascii_lowercase(), &c.to_ascii_lowercase()))
        .unwrap_or("")
        .to_owned()
}

/// Flush-to-zero and denormals-are-zero while alive, as nice-plug's wrapper sets them around
/// every `process` call (x86-64; elsewhere a no-op). Restores the caller's bits on drop.
pub struct ScopedFtz {
    /// MXCSR as it was.
    #[cfg(target_arch = "x86_64")]
    saved: u32,
}

impl ScopedFtz {
    /// FTZ (bit 15) and DAZ (bit 6) on.
    #[allow(deprecated)]
    pub fn enable() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_mm_getcsr, _mm_setcsr};
            // SAFETY: SSE is part of x86-64; only the two flush bits change.
            let saved = unsafe { _mm_getcsr() };
            unsafe { _mm_setcsr(saved | 0x8040) };
            Self { saved }
        }
        #[cfg(not(target_arch = "x86_64"))]
        Self {}
    }
}

impl Drop for ScopedFtz {
    #[allow(deprecated)]
    fn drop(&mut self) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: restores the value read in `enable`.
        unsafe {
            std::arch::x86_64::_mm_setcsr(self.saved)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lacquer_compressor::LacquerCompressor;

    fn compressor() -> PluginStage<LacquerCompressor> {
        PluginStage::default()
    }

    #[test]
    fn values_are_read_as_the_plugin_shows_them() {
        let mut c = compressor();
        for (id, text, shown) in [
            ("thr", "-18", "-18.0"),
            ("thr", "-18 dB", "-18.0"),
            ("thr", "-60", "-60.0"),
            ("thr", "0", "0.0"),
            ("mix", "70", "70"),
            ("mix", "100", "100"),
            ("mix", "0", "0"),
            ("atk", "0.5 s", "500"),
            ("khpf", "2k", "2.00 kHz"),
            ("det", "rms", "RMS"),
            ("rinf", "on", "On"),
            ("rinf", "false", "Off"),
        ] {
            c.set_param(id, text)
                .unwrap_or_else(|e| panic!("{id}={text}: {e:?}"));
            let got = c.param_text(id).unwrap();
            assert!(
                got.starts_with(shown),
                "{id}={text} shows {got}, not {shown}"
            );
        }
    }

    #[test]
    fn bad_values_name_the_closest_valid_one() {
        let mut c = compressor();
        assert!(matches!(
            c.set_param("thr", "+6"),
            Err(ParamError::OutOfRange { closest, .. }) if closest.starts_with("0.0")
        ));
        assert!(matches!(
            c.set_param("mix", "170"),
            Err(ParamError::OutOfRange { closest, .. }) if closest.starts_with("100")
        ));
        assert!(matches!(
            c.set_param("det", "peek"),
            Err(ParamError::UnknownValue { closest, .. }) if closest == "Peak"
        ));
        assert!(matches!(
            c.set_param("treshold", "-10"),
            Err(ParamError::UnknownId { closest, .. }) if closest == "thr" || closest == "hold"
        ));
        // A failed set leaves the value alone.
        assert_eq!(c.param_text("thr").as_deref(), Some("0.0"));
    }
}
