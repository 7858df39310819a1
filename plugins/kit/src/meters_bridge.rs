//! Meter values published by the audio thread and read by the editor. Each value is an
//! `AtomicF32` written once per block with `Relaxed` ordering: the GUI never blocks audio.

use atomic_float::AtomicF32;
use std::sync::atomic::Ordering;

/// The floor every level meter rests at when there is no signal.
pub const METER_FLOOR_DB: f32 = -120.0;

/// One channel's level: peak and RMS in dBFS.
#[derive(Debug)]
pub struct LevelAtomics {
    /// Block peak (sample peak) in dBFS, held/decayed by the producer.
    pub peak_db: AtomicF32,
    /// RMS level in dBFS over the producer's integration window.
    pub rms_db: AtomicF32,
}

impl Default for LevelAtomics {
    fn default() -> Self {
        Self {
            peak_db: AtomicF32::new(METER_FLOOR_DB),
            rms_db: AtomicF32::new(METER_FLOOR_DB),
        }
    }
}

impl LevelAtomics {
    /// Publish new values (audio thread).
    pub fn store(&self, peak_db: f32, rms_db: f32) {
        self.peak_db.store(peak_db, Ordering::Relaxed);
        self.rms_db.store(rms_db, Ordering::Relaxed);
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
