//! Reference tracks: commercial masters loaded from files to compare the live programme with
//! at matched loudness (the "Reference" A/B), and their loudness figures.
//!
//! - [`ReferenceLibrary`] is the persisted part (saved with the project by path, a
//!   `#[persist]` field of [`LoudnessParams`](crate::LoudnessParams)) and the loader: a
//!   background thread of its own decodes each file (`lacquer-media`: WAV, FLAC, MP3, Ogg
//!   Vorbis, AAC/ALAC), resamples it to the host's rate, conforms it to the host's channel
//!   layout and measures it with the same `LoudnessMeter` the plugin uses, never on the GUI's
//!   frame and never on the audio thread. A missing or unreadable file is a slot status
//!   shown in the editor, never an error anywhere else.
//! - The audio thread gets each decoded track as an `Arc` through a bounded lock-free queue
//!   ([`Shared::inbox`]); the track it replaces goes back through another one
//!   ([`Shared::outbox`]) and is dropped by the loader thread, so the audio thread never frees
//!   (it takes from the inbox only while the outbox has room). See [`player`].

use crossbeam::channel::{unbounded, RecvTimeoutError, Sender};
use crossbeam::queue::ArrayQueue;
use dsp_core::band_spectrum::NUM_BANDS;
use dsp_core::loudness::{LoudnessMeter, SILENCE_LUFS};
use nice_plug::params::persist::PersistentField;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

pub mod player;

/// Reference slots (the "Ref Track" choice parameter has one value per slot).
pub const MAX_REFERENCES: usize = 8;

/// Messages the audio thread can have waiting (installs and removals).
const INBOX_CAPACITY: usize = 4 * MAX_REFERENCES;

/// Replaced tracks waiting to be dropped off the audio thread.
const OUTBOX_CAPACITY: usize = 4 * MAX_REFERENCES;

/// How often the loader thread wakes to drop replaced tracks and retry queued installs.
const TICK: Duration = Duration::from_millis(100);

/// The loudness figures of a reference, measured at the host's rate on exactly the samples
/// that are played.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceSummary {
    /// File name shown in the editor.
    pub name: String,
    /// Length, seconds.
    pub seconds: f64,
    /// The file's own sample rate, Hz.
    pub source_rate_hz: u32,
    /// The file's own channel count.
    pub source_channels: usize,
    /// Integrated loudness (BS.1770-5 gating), LUFS; [`SILENCE_LUFS`] for silence.
    pub integrated_lufs: f64,
    /// Loudness range (EBU Tech 3342), LU.
    pub lra_lu: f64,
    /// True-peak maximum (4x), dBTP.
    pub true_peak_dbtp: f64,
    /// Sample-peak maximum, dBFS.
    pub sample_peak_dbfs: f64,
    /// Long-term 1/3-octave band levels (IEC 61260-1, 25 Hz … 20 kHz), dB, as
    /// [`crate::spectrum`] measures the live programme.
    pub spectrum_db: [f32; NUM_BANDS],
}

/// A decoded reference at the host's rate and channel layout (immutable once built).
#[derive(Debug)]
pub struct ReferenceTrack {
    /// One plane per host channel, all the same length (at least one sample).
    pub channels: Vec<Vec<f32>>,
    /// The host rate it was resampled to, Hz.
    pub sample_rate: f32,
    /// Its figures.
    pub summary: ReferenceSummary,
}

impl ReferenceTrack {
    /// Frames per channel.
    pub fn len(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }

    /// Whether it holds no audio (never true for a loaded track).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Maps the file's channels onto the host's: a mono file plays on both sides (L and R of a
/// 5.1 layout); a stereo file on a mono bus is folded down as (L + R) / 2; a stereo file in
/// 5.1 plays on L and R; more channels than the host has are dropped beyond the first two
/// (unless the counts match).
fn conform(mut planes: Vec<Vec<f32>>, host_channels: usize) -> Vec<Vec<f32>> {
    let frames = planes.iter().map(Vec::len).min().unwrap_or(0);
    for p in &mut planes {
        p.truncate(frames);
    }
    if planes.len() == host_channels {
        return planes;
    }
    let (left, right) = match planes.len() {
        0 => (vec![0.0; frames], vec![0.0; frames]),
        1 => (planes[0].clone(), std::mem::take(&mut planes[0])),
        _ => {
            let right = std::mem::take(&mut planes[1]);
            (std::mem::take(&mut planes[0]), right)
        }
    };
    match host_channels {
        1 => vec![left
            .iter()
            .zip(&right)
            .map(|(l, r)| 0.5 * (l + r))
            .collect()],
        n => {
            let mut out = vec![left, right];
            out.resize_with(n.max(2), || vec![0.0; frames]);
            out.truncate(n.max(1));
            out
        }
    }
}

/// Measures `channels` with the plugin's own meter (same channel weights as the live
/// measurement for 1, 2 and 6 channels).
fn measure(channels: &[Vec<f32>], sample_rate: f32) -> (f64, f64, f64, f64) {
    const BLOCK: usize = 4096;
    let mut meter = LoudnessMeter::new();
    meter.prepare(sample_rate, BLOCK, channels.len());
    let len = channels.first().map_or(0, Vec::len);
    let mut start = 0;
    while start < len {
        let end = (start + BLOCK).min(len);
        let slices: Vec<&[f32]> = channels.iter().map(|c| &c[start..end]).collect();
        meter.process(&slices);
        start = end;
    }
    meter.flush_true_peak();
    (
        meter.integrated_lufs(),
        meter.loudness_range_lu(),
        meter.true_peak_max_dbtp(),
        meter.sample_peak_max_dbfs(),
    )
}

/// Decodes, resamples, conforms and measures one file (allocates; the loader thread).
pub fn load_track(
    path: &Path,
    sample_rate: f32,
    host_channels: usize,
) -> Result<ReferenceTrack, String> {
    let (planes, source_rate_hz) = lacquer_media::decode_all(path).map_err(|e| e.to_string())?;
    let source_channels = planes.len();
    let host_rate = sample_rate.round().clamp(8_000.0, 768_000.0) as u32;
    let planes = lacquer_media::resample_planar(&planes, source_rate_hz, host_rate)
        .map_err(|e| e.to_string())?;
    let channels = conform(planes, host_channels.max(1));
    if channels.first().is_none_or(Vec::is_empty) {
        return Err(format!("'{}' holds no audio", path.display()));
    }
    let rate = host_rate as f32;
    let (integrated_lufs, lra_lu, true_peak_dbtp, sample_peak_dbfs) = measure(&channels, rate);
    let seconds = channels[0].len() as f64 / f64::from(host_rate);
    let spectrum_db = crate::spectrum::analyse(&channels, rate);
    Ok(ReferenceTrack {
        channels,
        sample_rate: rate,
        summary: ReferenceSummary {
            name: path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            seconds,
            source_rate_hz,
            source_channels,
            integrated_lufs,
            lra_lu,
            true_peak_dbtp,
            sample_peak_dbfs,
            spectrum_db,
        },
    })
}

/// What a slot holds, as the editor shows it.
#[derive(Debug, Clone)]
pub enum SlotStatus {
    /// Waiting for the host's sample rate (before the plugin is activated) or being loaded.
    Loading,
    /// Decoded and measured.
    Ready(Arc<ReferenceTrack>),
    /// Missing, unreadable or not audio: the reason, shown in the editor.
    Failed(String),
}

/// One slot of the library.
#[derive(Debug, Clone)]
pub struct Slot {
    /// The file, as saved with the project.
    pub path: String,
    /// Its state.
    pub status: SlotStatus,
}

/// A message to the audio thread: slot `slot` now plays `track` (`None`: nothing).
#[derive(Debug)]
pub struct Install {
    /// Slot index, `< MAX_REFERENCES`.
    pub slot: usize,
    /// The new track.
    pub track: Option<Arc<ReferenceTrack>>,
}

/// What the library, its loader thread and the audio thread share.
#[derive(Debug)]
pub struct Shared {
    /// Tracks (and removals) for the audio thread, lock-free.
    pub inbox: ArrayQueue<Install>,
    /// Tracks the audio thread replaced, to be dropped by the loader thread, lock-free.
    pub outbox: ArrayQueue<Arc<ReferenceTrack>>,
    /// The library's state (GUI, main and loader threads only; never the audio thread).
    state: Mutex<LibraryState>,
    /// Bumped whenever a slot's status changes (the editor repaints when it moves).
    pub changes: AtomicU32,
    /// Set when the library is dropped: the loader skips the jobs still queued.
    closing: AtomicBool,
}

/// The slots and the host format.
#[derive(Debug, Default)]
struct LibraryState {
    /// `MAX_REFERENCES` slots; `None` is empty.
    slots: Vec<Option<Slot>>,
    /// Per slot, bumped on every change; a load whose generation is stale is discarded.
    generations: Vec<u64>,
    /// Host sample rate and channel count, once the plugin was activated.
    host: Option<(f32, usize)>,
    /// Installs the full inbox could not take yet (sent in order on the next tick).
    pending: VecDeque<Install>,
}

/// One load for the loader thread.
#[derive(Debug)]
struct Job {
    slot: usize,
    generation: u64,
    path: String,
    sample_rate: f32,
    channels: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, LibraryState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends an install to the audio thread in order (queued when the inbox is full).
    fn send(&self, state: &mut LibraryState, install: Install) {
        state.pending.push_back(install);
        self.flush(state);
    }

    /// Moves queued installs into the inbox while it has room.
    fn flush(&self, state: &mut LibraryState) {
        while let Some(install) = state.pending.pop_front() {
            if let Err(install) = self.inbox.push(install) {
                state.pending.push_front(install);
                break;
            }
        }
    }

    /// Drops the tracks the audio thread handed back (never called on the audio thread).
    pub fn collect_garbage(&self) {
        while self.outbox.pop().is_some() {}
    }
}

/// The reference slots of one plugin instance, saved with the project by path.
#[derive(Debug)]
pub struct ReferenceLibrary {
    /// Shared with the loader thread and the audio thread.
    shared: Arc<Shared>,
    /// The loader thread's job queue and handle, once it runs (dropping the queue ends it).
    jobs: Mutex<Option<Loader>>,
}

/// The loader thread.
#[derive(Debug)]
struct Loader {
    /// Its job queue.
    jobs: Sender<Job>,
    /// Joined when the library is dropped.
    thread: Option<JoinHandle<()>>,
}

/// Ends the loader thread and waits for it (at most the file it is decoding), so no code of
/// this library runs after the plugin is gone (a host may unload the library next).
impl Drop for ReferenceLibrary {
    fn drop(&mut self) {
        self.shared.closing.store(true, Ordering::Relaxed);
        let loader = self
            .jobs
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(Loader { jobs, thread }) = loader {
            drop(jobs);
            if let Some(thread) = thread {
                let _ = thread.join();
            }
        }
    }
}

impl Default for ReferenceLibrary {
    fn default() -> Self {
        Self {
            shared: Arc::new(Shared {
                inbox: ArrayQueue::new(INBOX_CAPACITY),
                outbox: ArrayQueue::new(OUTBOX_CAPACITY),
                state: Mutex::new(LibraryState {
                    slots: vec![None; MAX_REFERENCES],
                    generations: vec![0; MAX_REFERENCES],
                    ..LibraryState::default()
                }),
                changes: AtomicU32::new(0),
                closing: AtomicBool::new(false),
            }),
            jobs: Mutex::new(None),
        }
    }
}

impl ReferenceLibrary {
    /// A library for the editor and the plugin to share.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The part the audio thread uses.
    pub fn shared(&self) -> Arc<Shared> {
        self.shared.clone()
    }

    /// Every slot (GUI thread).
    pub fn slots(&self) -> Vec<Option<Slot>> {
        self.shared.collect_garbage();
        self.shared.lock().slots.clone()
    }

    /// The saved paths (`None`: empty slot).
    pub fn paths(&self) -> Vec<Option<String>> {
        self.shared
            .lock()
            .slots
            .iter()
            .map(|s| s.as_ref().map(|s| s.path.clone()))
            .collect()
    }

    /// Whether any slot is still loading.
    pub fn is_loading(&self) -> bool {
        self.shared
            .lock()
            .slots
            .iter()
            .flatten()
            .any(|s| matches!(s.status, SlotStatus::Loading))
    }

    /// The host's sample rate and channel count (from `activate`, main thread). Every slot is
    /// reloaded when they change.
    pub fn prepare(&self, sample_rate: f32, channels: usize) {
        let host = (sample_rate, channels.max(1));
        let mut state = self.shared.lock();
        if state.host == Some(host) {
            return;
        }
        state.host = Some(host);
        for slot in 0..MAX_REFERENCES {
            if let Some(path) = state.slots[slot].as_ref().map(|s| s.path.clone()) {
                self.start_load(&mut state, slot, path);
            }
        }
    }

    /// Puts `path` into the first empty slot and starts loading it; returns the slot, or
    /// `None` when every slot is taken or the path is blank.
    pub fn add(&self, path: &str) -> Option<usize> {
        let path = path.trim();
        if path.is_empty() {
            return None;
        }
        let mut state = self.shared.lock();
        let slot = state.slots.iter().position(Option::is_none)?;
        self.start_load(&mut state, slot, path.to_owned());
        Some(slot)
    }

    /// Empties `slot` (the audio thread stops playing it within a block).
    pub fn remove(&self, slot: usize) {
        if slot >= MAX_REFERENCES {
            return;
        }
        let mut state = self.shared.lock();
        state.generations[slot] += 1;
        state.slots[slot] = None;
        self.shared.send(&mut state, Install { slot, track: None });
        self.shared.changes.fetch_add(1, Ordering::Relaxed);
    }

    /// Loads the saved slots (state load), replacing every slot. A slot that already holds
    /// the same file (loaded or loading) is kept; a failed one is tried again.
    pub fn set_paths(&self, paths: &[Option<String>]) {
        let mut state = self.shared.lock();
        for slot in 0..MAX_REFERENCES {
            match paths.get(slot).cloned().flatten() {
                Some(path) if !path.trim().is_empty() => {
                    let same = state.slots[slot].as_ref().is_some_and(|s| {
                        s.path == path && !matches!(s.status, SlotStatus::Failed(_))
                    });
                    if same {
                        continue;
                    }
                    self.start_load(&mut state, slot, path);
                }
                _ => {
                    state.generations[slot] += 1;
                    if state.slots[slot].take().is_some() {
                        self.shared.send(&mut state, Install { slot, track: None });
                    }
                }
            }
        }
        self.shared.changes.fetch_add(1, Ordering::Relaxed);
    }

    /// Marks `slot` as loading `path`, stops the audio thread playing its old track, and
    /// queues the load once the host format is known.
    fn start_load(&self, state: &mut LibraryState, slot: usize, path: String) {
        state.generations[slot] += 1;
        let had_track = matches!(
            state.slots[slot],
            Some(Slot {
                status: SlotStatus::Ready(_),
                ..
            })
        );
        state.slots[slot] = Some(Slot {
            path: path.clone(),
            status: SlotStatus::Loading,
        });
        if had_track {
            self.shared.send(state, Install { slot, track: None });
        }
        self.shared.changes.fetch_add(1, Ordering::Relaxed);
        let Some((sample_rate, channels)) = state.host else {
            return;
        };
        let job = Job {
            slot,
            generation: state.generations[slot],
            path,
            sample_rate,
            channels,
        };
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let loader = jobs.get_or_insert_with(|| spawn_loader(self.shared.clone()));
        if let Err(e) = loader.jobs.send(job) {
            // The loader thread is gone (it panicked): say so in the slot, start a new one on
            // the next load.
            *jobs = None;
            if let Some(s) = state.slots[slot].as_mut() {
                s.status = SlotStatus::Failed(format!("loader stopped; add '{}' again", e.0.path));
            }
        }
    }

    /// Blocks until no slot is loading or `timeout` passed (tests and offline use).
    pub fn wait_loaded(&self, timeout: Duration) -> bool {
        let start = std::time::Instant::now();
        while self.is_loading() {
            if start.elapsed() > timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }
}

/// Starts the loader thread: runs the jobs in order, installs each result (unless the slot
/// changed meanwhile), drops what the audio thread hands back, and ends when the library is
/// dropped.
fn spawn_loader(shared: Arc<Shared>) -> Loader {
    let (sender, receiver) = unbounded::<Job>();
    let spawned = std::thread::Builder::new()
        .name("lacquer-loudness-references".to_owned())
        .spawn(move || loop {
            match receiver.recv_timeout(TICK) {
                Ok(job) => run_job(&shared, job),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    shared.collect_garbage();
                    break;
                }
            }
            shared.collect_garbage();
            let mut state = shared.lock();
            shared.flush(&mut state);
        });
    // Without a thread the receiver is gone with the closure: `send` fails and the slot
    // reports it.
    Loader {
        jobs: sender,
        thread: spawned.ok(),
    }
}

/// Loads one job's file and installs it if its slot still wants it.
fn run_job(shared: &Shared, job: Job) {
    let stale = |state: &LibraryState| state.generations[job.slot] != job.generation;
    if shared.closing.load(Ordering::Relaxed) || stale(&shared.lock()) {
        return;
    }
    let result = load_track(Path::new(&job.path), job.sample_rate, job.channels);
    let mut state = shared.lock();
    if stale(&state) {
        return;
    }
    let status = match result {
        Ok(track) => {
            let track = Arc::new(track);
            shared.send(
                &mut state,
                Install {
                    slot: job.slot,
                    track: Some(track.clone()),
                },
            );
            SlotStatus::Ready(track)
        }
        Err(reason) => SlotStatus::Failed(reason),
    };
    if let Some(slot) = state.slots[job.slot].as_mut() {
        slot.status = status;
    }
    shared.changes.fetch_add(1, Ordering::Relaxed);
}

/// The saved form: one path per slot (`null` for an empty slot), in slot order.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SavedReferences(pub Vec<Option<String>>);

/// Saved by path; loading the state reloads them.
impl<'a> PersistentField<'a, SavedReferences> for Arc<ReferenceLibrary> {
    fn set(&self, new_value: SavedReferences) {
        self.set_paths(&new_value.0);
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&SavedReferences) -> R,
    {
        f(&SavedReferences(self.paths()))
    }
}

/// Whether an integrated loudness is a measured value (not silence, not "not yet").
pub fn is_measured(lufs: f64) -> bool {
    lufs.is_finite() && lufs > SILENCE_LUFS + 1.0 && lufs > -70.0
}

/// A path as typed (quotes from a file manager's "copy path" removed, `~/` expanded).
pub fn clean_path(text: &str) -> String {
    let t = text.trim().trim_matches(|c| c == '"' || c == '\'');
    if let Some(rest) = t.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest).display().to_string();
        }
    }
    t.to_owned()
}

#[cfg(test)]
pub(crate) mod tests;
