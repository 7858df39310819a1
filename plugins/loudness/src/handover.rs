//! The handover view's clip count: a mix going to mastering should not clip. A clip is a run
//! of at least [`CLIP_RUN`] consecutive samples on one channel with |x| ≥ [`CLIP_LEVEL`]
//! (−0.0087 dBFS), the definition the `lacquer check` command uses: one full-scale sample is a
//! loud peak, three in a row are a flat top. The count is of samples in such runs (a run of 5
//! counts 5) and of runs; runs continue across block boundaries. Sample and true peak come from
//! the loudness meter; headroom is the chosen target minus the true-peak maximum.

use crate::bridge::LoudnessMeters;
use dsp_core::loudness::MAX_LOUDNESS_CHANNELS;
use std::sync::atomic::Ordering;

/// |x| at or above this is full scale (−0.0087 dBFS).
pub const CLIP_LEVEL: f32 = 0.999;

/// Consecutive full-scale samples that make a clip.
pub const CLIP_RUN: u32 = 3;

/// Counts clipped samples and runs since reset (audio thread; no allocation).
#[derive(Debug, Clone, Default)]
pub struct ClipCounter {
    /// Current full-scale run length per channel.
    run: [u32; MAX_LOUDNESS_CHANNELS],
    /// Samples in runs of at least [`CLIP_RUN`].
    clipped_samples: u64,
    /// Such runs.
    clipped_runs: u64,
}

impl ClipCounter {
    /// Clears the counts and the running runs.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Counts one block (channels beyond [`MAX_LOUDNESS_CHANNELS`] are ignored).
    pub fn process(&mut self, channels: &[impl AsRef<[f32]>]) {
        for (run, channel) in self.run.iter_mut().zip(channels) {
            for &x in channel.as_ref() {
                // NaN is not full scale (it fails the comparison) and ends a run.
                if x.abs() >= CLIP_LEVEL {
                    *run = run.saturating_add(1);
                    if *run == CLIP_RUN {
                        self.clipped_samples += u64::from(CLIP_RUN);
                        self.clipped_runs += 1;
                    } else if *run > CLIP_RUN {
                        self.clipped_samples += 1;
                    }
                } else {
                    *run = 0;
                }
            }
        }
    }

    /// Samples in clipped runs since reset.
    pub fn clipped_samples(&self) -> u64 {
        self.clipped_samples
    }

    /// Clipped runs since reset.
    pub fn clipped_runs(&self) -> u64 {
        self.clipped_runs
    }

    /// Publishes the counts for the editor.
    pub fn publish(&self, meters: &LoudnessMeters) {
        meters
            .clipped_samples
            .store(self.clipped_samples, Ordering::Relaxed);
        meters
            .clipped_runs
            .store(self.clipped_runs, Ordering::Relaxed);
    }
}

/// Headroom against `target_dbfs`: how far the true-peak maximum stays below it, dB
/// (negative: over the target).
pub fn headroom_db(target_dbfs: f32, true_peak_dbtp: f32) -> f32 {
    target_dbfs - true_peak_dbtp
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference count, written from the definition over a whole signal at once.
    fn brute_force(x: &[f32]) -> (u64, u64) {
        let mut samples = 0;
        let mut runs = 0;
        let mut i = 0;
        while i < x.len() {
            if x[i].abs() >= 0.999 {
                let mut j = i;
                while j < x.len() && x[j].abs() >= 0.999 {
                    j += 1;
                }
                if j - i >= 3 {
                    samples += (j - i) as u64;
                    runs += 1;
                }
                i = j;
            } else {
                i += 1;
            }
        }
        (samples, runs)
    }

    #[test]
    fn runs_of_three_or_more_full_scale_samples_count_across_blocks() {
        // Planted: runs of 1, 2, 3, 5 and 40 at ±full scale, 0.9989 (just under), NaN.
        let mut x = vec![0.5f32; 2000];
        let mut at = 10;
        for (len, value) in [
            (1, 1.0),
            (2, -1.0),
            (3, 0.999),
            (5, -1.2),
            (40, 1.0),
            (4, 0.9989),
        ] {
            x[at..at + len].fill(value);
            at += len + 7;
        }
        x[at..at + 3].copy_from_slice(&[1.0, f32::NAN, 1.0]);
        assert_eq!(brute_force(&x), (48, 3));
        for block in [1, 2, 3, 7, 64, 2000] {
            let mut c = ClipCounter::default();
            for chunk in x.chunks(block) {
                c.process(&[chunk, chunk]);
            }
            // Two identical channels: twice the count.
            assert_eq!((c.clipped_samples(), c.clipped_runs()), (96, 6), "{block}");
            c.reset();
            assert_eq!(c.clipped_samples(), 0);
        }
    }

    #[test]
    fn random_signals_agree_with_the_definition() {
        let mut rng = 0x9e37_79b9_u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for _ in 0..20 {
            let x: Vec<f32> = (0..5000)
                .map(|_| if next() % 3 == 0 { 0.2 } else { 1.0 })
                .collect();
            let mut c = ClipCounter::default();
            let mut at = 0;
            while at < x.len() {
                let n = (1 + next() % 300) as usize;
                let end = (at + n).min(x.len());
                c.process(&[&x[at..end]]);
                at = end;
            }
            assert_eq!((c.clipped_samples(), c.clipped_runs()), brute_force(&x));
        }
    }

    #[test]
    fn headroom_is_target_minus_true_peak() {
        assert_eq!(headroom_db(-3.0, -5.5), 2.5);
        assert_eq!(headroom_db(-3.0, -1.0), -2.0);
    }
}
