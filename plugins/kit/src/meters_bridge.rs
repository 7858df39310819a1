//! Meter values published by the audio thread and read by the editor. Each value is an
//! `AtomicF32` written once per block with `Relaxed` ordering: the GUI never blocks audio.
//!
//! An idle editor draws no frames. To still notice new audio, a level store that changes the
//! value by more than [`WAKE_THRESHOLD_DB`] sets the editor's [`RepaintNotifier`] (one relaxed
//! atomic store, real-time safe) once an editor has attached itself with
//! [`StereoLevelAtomics::attach_editor`].
//!
//! Arrays (analyzer and scope samples) go through [`AnalyzerQueue`]: a bounded lock-free
//! queue of fixed-size stereo chunks. The producer never blocks and drops chunks when full.

use atomic_float::AtomicF32;
use crossbeam::queue::ArrayQueue;
use nice_plug_egui::RepaintNotifier;
use std::sync::atomic::Ordering;
use std::sync::OnceLock;

/// A level change smaller than this does not wake a sleeping editor.
pub const WAKE_THRESHOLD_DB: f32 = 0.05;

/// The floor every level meter rests at when there is no signal.
pub const METER_FLOOR_DB: f32 = -120.0;

/// Wakes an idle editor when the audio thread publishes a changed meter value.
#[derive(Default)]
pub struct EditorWake {
    /// Set once by the first editor that attaches; later editors share it.
    notifier: OnceLock<RepaintNotifier>,
    /// Wakes sent to an attached editor (unit tests only: `RepaintNotifier`'s flag cannot be
    /// read back from outside egui-baseview).
    #[cfg(test)]
    wakes: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for EditorWake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EditorWake")
            .field("attached", &self.notifier.get().is_some())
            .finish()
    }
}

impl EditorWake {
    /// Attach an editor's notifier (GUI thread). Returns the notifier in effect: the first
    /// one attached, so an editor opened a second time is woken by the same flag.
    pub fn attach(&self, notifier: RepaintNotifier) -> RepaintNotifier {
        self.notifier.get_or_init(|| notifier).clone()
    }

    /// Ask the editor for a frame (audio thread; one relaxed store).
    #[inline]
    pub fn wake(&self) {
        if let Some(notifier) = self.notifier.get() {
            notifier.request_repaint();
            #[cfg(test)]
            self.wakes.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// One channel's level: peak and RMS in dBFS.
#[derive(Debug)]
pub struct LevelAtomics {
    /// Block peak (sample peak) in dBFS, held/decayed by the producer.
    pub peak_db: AtomicF32,
    /// RMS level in dBFS over the producer's integration window.
    pub rms_db: AtomicF32,
    /// Wakes the editor when a stored value moves.
    pub wake: EditorWake,
}

impl Default for LevelAtomics {
    fn default() -> Self {
        Self {
            peak_db: AtomicF32::new(METER_FLOOR_DB),
            rms_db: AtomicF32::new(METER_FLOOR_DB),
            wake: EditorWake::default(),
        }
    }
}

impl LevelAtomics {
    /// Publish new values (audio thread). Wakes an attached editor when either value moved.
    pub fn store(&self, peak_db: f32, rms_db: f32) {
        let old_peak = self.peak_db.swap(peak_db, Ordering::Relaxed);
        let old_rms = self.rms_db.swap(rms_db, Ordering::Relaxed);
        if (old_peak - peak_db).abs() > WAKE_THRESHOLD_DB
            || (old_rms - rms_db).abs() > WAKE_THRESHOLD_DB
        {
            self.wake.wake();
        }
    }

    /// Read (peak_db, rms_db) (GUI thread).
    pub fn load(&self) -> (f32, f32) {
        (
            self.peak_db.load(Ordering::Relaxed),
            self.rms_db.load(Ordering::Relaxed),
        )
    }
}

/// A stereo pair of level meters.
#[derive(Debug, Default)]
pub struct StereoLevelAtomics {
    /// Left channel.
    pub left: LevelAtomics,
    /// Right channel.
    pub right: LevelAtomics,
}

impl StereoLevelAtomics {
    /// Publish both channels (audio thread).
    pub fn store(&self, left: (f32, f32), right: (f32, f32)) {
        self.left.store(left.0, left.1);
        self.right.store(right.0, right.1);
    }

    /// Let level changes wake this editor (GUI thread, at editor creation). Returns the
    /// notifier in effect; give that one to `create_egui_editor`.
    pub fn attach_editor(&self, notifier: RepaintNotifier) -> RepaintNotifier {
        let notifier = self.left.wake.attach(notifier);
        self.right.wake.attach(notifier.clone());
        notifier
    }
}

/// Run a level meter over a stereo block and publish its values to `out`: the peak is the
/// meter's IEC 60268-18 hold (instant attack, 20 dB per 1.7 s fall), so an editor reading
/// at frame rate never misses a transient that fell between two frames. Pass the same
/// slice twice for a mono source (both bars show it). Audio thread; no allocation.
pub fn measure_stereo(
    meter: &mut dsp_core::meter::LevelMeter,
    left: &[f32],
    right: &[f32],
    out: &StereoLevelAtomics,
) {
    meter.process(0, left);
    meter.process(1, right);
    out.store(
        (meter.peak_hold_db(0), meter.rms_db(0)),
        (meter.peak_hold_db(1), meter.rms_db(1)),
    );
}

/// Frames per analyzer chunk.
pub const CHUNK_FRAMES: usize = 256;
/// One chunk of stereo frames `[left, right]`.
pub type StereoChunk = [[f32; 2]; CHUNK_FRAMES];
/// Chunks the queue holds before the producer starts dropping (~0.37 s at 44.1 kHz).
pub const QUEUE_CHUNKS: usize = 64;

/// Analyzer/scope samples from the audio thread to the editor: a bounded lock-free queue.
/// The producer side ([`AnalyzerSender`]) never blocks and never allocates after creation.
pub struct AnalyzerQueue {
    /// The chunks in flight.
    queue: ArrayQueue<StereoChunk>,
    /// Chunks dropped because the GUI did not drain in time (diagnostics).
    dropped: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for AnalyzerQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnalyzerQueue")
            .field("len", &self.queue.len())
            .field("dropped", &self.dropped())
            .finish()
    }
}

impl Default for AnalyzerQueue {
    fn default() -> Self {
        Self::with_capacity(QUEUE_CHUNKS)
    }
}

impl AnalyzerQueue {
    /// A queue holding `chunks` chunks (allocates; call outside the audio thread).
    pub fn with_capacity(chunks: usize) -> Self {
        Self {
            queue: ArrayQueue::new(chunks.max(1)),
            dropped: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Hand over one chunk; dropped (never waited on) when the queue is full.
    #[inline]
    pub fn push(&self, chunk: StereoChunk) {
        if self.queue.push(chunk).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Take the oldest chunk (GUI thread).
    pub fn pop(&self) -> Option<StereoChunk> {
        self.queue.pop()
    }

    /// How many chunks were dropped because the queue was full.
    pub fn dropped(&self) -> usize {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// The audio-thread side of an [`AnalyzerQueue`]: gathers samples into a chunk and pushes
/// whole chunks. Owned by the plugin's process state.
#[derive(Debug)]
pub struct AnalyzerSender {
    /// The chunk being filled.
    chunk: StereoChunk,
    /// Frames already in `chunk`.
    filled: usize,
}

impl Default for AnalyzerSender {
    fn default() -> Self {
        Self {
            chunk: [[0.0; 2]; CHUNK_FRAMES],
            filled: 0,
        }
    }
}

impl AnalyzerSender {
    /// Append a block of stereo samples; full chunks go to `queue`. No allocation, no lock.
    pub fn push_block(&mut self, queue: &AnalyzerQueue, left: &[f32], right: &[f32]) {
        for (&l, &r) in left.iter().zip(right) {
            self.chunk[self.filled] = [l, r];
            self.filled += 1;
            if self.filled == CHUNK_FRAMES {
                queue.push(self.chunk);
                self.filled = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_queue_drops_instead_of_blocking() {
        let queue = AnalyzerQueue::with_capacity(2);
        let mut sender = AnalyzerSender::default();
        let block = vec![0.5f32; CHUNK_FRAMES * 5];
        sender.push_block(&queue, &block, &block);
        assert_eq!(queue.dropped(), 3);
        assert!(queue.pop().is_some());
        assert!(queue.pop().is_some());
        assert!(queue.pop().is_none());
    }

    #[test]
    fn level_changes_wake_an_attached_editor() {
        let levels = StereoLevelAtomics::default();
        let wakes = |l: &StereoLevelAtomics| {
            l.left.wake.wakes.load(Ordering::Relaxed) + l.right.wake.wakes.load(Ordering::Relaxed)
        };
        // Without an editor nothing is woken (and nothing panics).
        levels.store((-6.0, -9.0), (-6.0, -9.0));
        assert_eq!(wakes(&levels), 0);
        levels.attach_editor(RepaintNotifier::new());
        // A second editor shares the first one's flag (the first notifier stays in effect).
        levels.attach_editor(RepaintNotifier::new());
        // Unchanged values, and moves within the threshold, do not wake.
        levels.store((-6.0, -9.0), (-6.0, -9.0));
        levels.store((-6.0 + WAKE_THRESHOLD_DB * 0.5, -9.0), (-6.0, -9.0));
        assert_eq!(wakes(&levels), 0);
        // A peak move on the left wakes once; an RMS move on the right wakes once more.
        levels.store((-3.0, -9.0), (-6.0, -9.0));
        assert_eq!(wakes(&levels), 1);
        levels.store((-3.0, -9.0), (-6.0, -12.0));
        assert_eq!(wakes(&levels), 2);
    }
}
