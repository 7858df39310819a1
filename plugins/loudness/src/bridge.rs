//! What the audio thread publishes for the editor, and the one request going the other way.
//!
//! - Readings are `AtomicF32`s written with `Relaxed` stores: the loudness values when a 100 ms
//!   slot closes (they change only then), the peak maxima once per block.
//! - The M/S history goes through a bounded lock-free queue, one point per 100 ms of audio;
//!   the audio thread drops a point (and counts it) when the queue is full, never waits.
//! - Reset is a flag the editor sets and the audio thread consumes (not a parameter: a reset is
//!   an action, not a setting a host should automate or save).
//! - An idle editor draws nothing; a closed slot wakes it through the kit's [`EditorWake`].

use atomic_float::AtomicF32;
use crossbeam::queue::ArrayQueue;
use dsp_core::band_spectrum::{NUM_BANDS, SILENT_BAND_DB};
use dsp_core::loudness::{LoudnessMeter, SILENCE_LUFS};
use lacquer_kit::meters_bridge::EditorWake;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};

/// History points the queue holds before the audio thread drops them (12.8 s of 100 ms points:
/// an editor that stalls that long loses points, never the audio thread its time).
pub const HISTORY_QUEUE_POINTS: usize = 128;

/// Running programme time after which the loudness range is final (EBU Tech 3342 asks for at
/// least a minute of programme before LRA is meaningful).
pub const LRA_PROVISIONAL_SECONDS: f32 = 60.0;

/// One 100 ms history point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryPoint {
    /// Momentary loudness at the end of the slot, LUFS.
    pub momentary_lufs: f32,
    /// Short-term loudness at the end of the slot, LUFS.
    pub short_term_lufs: f32,
}

/// Readings shared between the audio thread and the editor.
#[derive(Debug)]
pub struct LoudnessMeters {
    /// Momentary loudness (400 ms), LUFS.
    pub momentary: AtomicF32,
    /// Short-term loudness (3 s), LUFS.
    pub short_term: AtomicF32,
    /// Integrated loudness since reset, LUFS.
    pub integrated: AtomicF32,
    /// Loudness range since reset, LU.
    pub lra: AtomicF32,
    /// Largest momentary loudness since reset, LUFS.
    pub max_momentary: AtomicF32,
    /// Largest short-term loudness since reset, LUFS.
    pub max_short_term: AtomicF32,
    /// Largest true peak since reset, dBTP.
    pub true_peak_max: AtomicF32,
    /// Largest sample peak since reset, dBFS.
    pub sample_peak_max: AtomicF32,
    /// Peak-to-loudness ratio (true-peak max − integrated), LU.
    pub plr: AtomicF32,
    /// Peak-to-short-term-loudness ratio, LU.
    pub psr: AtomicF32,
    /// Running (not paused) programme time since reset, seconds: LRA is provisional below
    /// [`LRA_PROVISIONAL_SECONDS`]. The meter has no such getter; the glue counts it.
    pub running_seconds: AtomicF32,
    /// Whether the measurement runs (not paused).
    pub running: AtomicBool,
    /// Channels measured (1, 2 or 6).
    pub channels: AtomicU32,
    /// Sample rate of the measurement, Hz.
    pub sample_rate: AtomicF32,
    /// Resets the audio thread performed: the editor clears its history when this moves.
    pub resets: AtomicU32,
    /// Samples in clipped runs since reset (see [`crate::handover`]).
    pub clipped_samples: AtomicU64,
    /// Clipped runs since reset.
    pub clipped_runs: AtomicU64,
    /// What the output carries: 0 the live programme, `n` reference slot `n - 1`.
    pub reference_heard: AtomicU32,
    /// The matching gain applied to the heard reference, dB.
    pub reference_gain_db: AtomicF32,
    /// The live programme's long-term 1/3-octave band levels since reset, dB (see
    /// [`crate::spectrum`]).
    pub live_spectrum_db: [AtomicF32; NUM_BANDS],
    /// Analysis frames behind [`LoudnessMeters::live_spectrum_db`].
    pub live_spectrum_frames: AtomicU64,
    /// Set by the editor's reset button, consumed by the audio thread.
    reset_request: AtomicBool,
    /// M/S every 100 ms of audio, while the editor is open.
    history: ArrayQueue<HistoryPoint>,
    /// History points dropped because the queue was full.
    history_dropped: AtomicUsize,
    /// Wakes an idle editor when a slot closes.
    pub wake: EditorWake,
}

impl Default for LoudnessMeters {
    fn default() -> Self {
        let silence = SILENCE_LUFS as f32;
        Self {
            momentary: AtomicF32::new(silence),
            short_term: AtomicF32::new(silence),
            integrated: AtomicF32::new(silence),
            lra: AtomicF32::new(0.0),
            max_momentary: AtomicF32::new(silence),
            max_short_term: AtomicF32::new(silence),
            true_peak_max: AtomicF32::new(silence),
            sample_peak_max: AtomicF32::new(silence),
            plr: AtomicF32::new(0.0),
            psr: AtomicF32::new(0.0),
            running_seconds: AtomicF32::new(0.0),
            running: AtomicBool::new(true),
            channels: AtomicU32::new(2),
            sample_rate: AtomicF32::new(48_000.0),
            resets: AtomicU32::new(0),
            clipped_samples: AtomicU64::new(0),
            clipped_runs: AtomicU64::new(0),
            reference_heard: AtomicU32::new(0),
            reference_gain_db: AtomicF32::new(0.0),
            live_spectrum_db: std::array::from_fn(|_| AtomicF32::new(SILENT_BAND_DB as f32)),
            live_spectrum_frames: AtomicU64::new(0),
            reset_request: AtomicBool::new(false),
            history: ArrayQueue::new(HISTORY_QUEUE_POINTS),
            history_dropped: AtomicUsize::new(0),
            wake: EditorWake::default(),
        }
    }
}

/// A snapshot of every reading, for the editor and the export.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Readings {
    /// See [`LoudnessMeters::momentary`].
    pub momentary: f32,
    /// See [`LoudnessMeters::short_term`].
    pub short_term: f32,
    /// See [`LoudnessMeters::integrated`].
    pub integrated: f32,
    /// See [`LoudnessMeters::lra`].
    pub lra: f32,
    /// See [`LoudnessMeters::max_momentary`].
    pub max_momentary: f32,
    /// See [`LoudnessMeters::max_short_term`].
    pub max_short_term: f32,
    /// See [`LoudnessMeters::true_peak_max`].
    pub true_peak_max: f32,
    /// See [`LoudnessMeters::sample_peak_max`].
    pub sample_peak_max: f32,
    /// See [`LoudnessMeters::plr`].
    pub plr: f32,
    /// See [`LoudnessMeters::psr`].
    pub psr: f32,
    /// See [`LoudnessMeters::running_seconds`].
    pub running_seconds: f32,
    /// See [`LoudnessMeters::running`].
    pub running: bool,
    /// See [`LoudnessMeters::channels`].
    pub channels: u32,
    /// See [`LoudnessMeters::sample_rate`].
    pub sample_rate: f32,
}

impl Readings {
    /// Whether LRA still covers less than [`LRA_PROVISIONAL_SECONDS`] of programme.
    pub fn lra_is_provisional(&self) -> bool {
        self.running_seconds < LRA_PROVISIONAL_SECONDS
    }
}

impl LoudnessMeters {
    /// Publish the loudness readings (audio thread, when a 100 ms slot closed).
    pub fn publish_loudness(&self, meter: &LoudnessMeter, running_seconds: f64) {
        let r = Ordering::Relaxed;
        self.momentary.store(meter.momentary_lufs() as f32, r);
        self.short_term.store(meter.short_term_lufs() as f32, r);
        self.integrated.store(meter.integrated_lufs() as f32, r);
        self.lra.store(meter.loudness_range_lu() as f32, r);
        self.max_momentary
            .store(meter.max_momentary_lufs() as f32, r);
        self.max_short_term
            .store(meter.max_short_term_lufs() as f32, r);
        self.plr.store(meter.plr_lu() as f32, r);
        self.psr.store(meter.psr_lu() as f32, r);
        self.running_seconds.store(running_seconds as f32, r);
        self.running.store(meter.is_running(), r);
        self.publish_peaks(meter);
    }

    /// Publish the peak maxima (audio thread, once per block).
    pub fn publish_peaks(&self, meter: &LoudnessMeter) {
        let r = Ordering::Relaxed;
        self.true_peak_max
            .store(meter.true_peak_max_dbtp() as f32, r);
        self.sample_peak_max
            .store(meter.sample_peak_max_dbfs() as f32, r);
    }

    /// Every reading at once (GUI thread).
    pub fn load(&self) -> Readings {
        let r = Ordering::Relaxed;
        Readings {
            momentary: self.momentary.load(r),
            short_term: self.short_term.load(r),
            integrated: self.integrated.load(r),
            lra: self.lra.load(r),
            max_momentary: self.max_momentary.load(r),
            max_short_term: self.max_short_term.load(r),
            true_peak_max: self.true_peak_max.load(r),
            sample_peak_max: self.sample_peak_max.load(r),
            plr: self.plr.load(r),
            psr: self.psr.load(r),
            running_seconds: self.running_seconds.load(r),
            running: self.running.load(r),
            channels: self.channels.load(r),
            sample_rate: self.sample_rate.load(r),
        }
    }

    /// Ask the audio thread to reset the measurement (GUI thread).
    pub fn request_reset(&self) {
        self.reset_request.store(true, Ordering::Release);
    }

    /// Take a pending reset request (audio thread).
    pub fn take_reset_request(&self) -> bool {
        self.reset_request.swap(false, Ordering::Acquire)
    }

    /// Hand a history point to the editor; dropped (and counted) when the queue is full.
    pub fn push_history(&self, point: HistoryPoint) {
        if self.history.push(point).is_err() {
            self.history_dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The oldest history point not yet taken (GUI thread).
    pub fn pop_history(&self) -> Option<HistoryPoint> {
        self.history.pop()
    }

    /// History points dropped because the editor did not drain the queue in time.
    pub fn history_dropped(&self) -> usize {
        self.history_dropped.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_history_queue_drops_instead_of_blocking() {
        let meters = LoudnessMeters::default();
        let point = HistoryPoint {
            momentary_lufs: -20.0,
            short_term_lufs: -21.0,
        };
        for _ in 0..HISTORY_QUEUE_POINTS + 5 {
            meters.push_history(point);
        }
        assert_eq!(meters.history_dropped(), 5);
        let mut n = 0;
        while meters.pop_history().is_some() {
            n += 1;
        }
        assert_eq!(n, HISTORY_QUEUE_POINTS);
    }

    #[test]
    fn reset_request_is_consumed_once() {
        let meters = LoudnessMeters::default();
        assert!(!meters.take_reset_request());
        meters.request_reset();
        assert!(meters.take_reset_request());
        assert!(!meters.take_reset_request());
    }
}
