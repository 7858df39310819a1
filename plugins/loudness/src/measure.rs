//! The glue between the host's blocks and `dsp_core::loudness::LoudnessMeter`: splits every
//! block at the meter's 100 ms slot boundaries, so that one history point per slot reaches the
//! editor whatever the host's block size, counts running programme time (for the provisional
//! LRA), and publishes the readings. No DSP of its own.

use crate::bridge::{HistoryPoint, LoudnessMeters};
use crate::handover::ClipCounter;
use dsp_core::loudness::{LoudnessMeter, MAX_LOUDNESS_CHANNELS};
use dsp_core::oversampler::OversamplingFactor;
use std::sync::atomic::Ordering;

/// Samples per 100 ms slot at `sample_rate`, exactly as the meter computes it (`round(fs/10)`
/// with the rate clamped to 8–768 kHz). The meter has no getter for it; its slot test
/// (`history_points_fall_on_the_meters_slot_boundaries`) checks the two agree.
pub fn slot_len(sample_rate: f32) -> usize {
    let fs = if sample_rate.is_finite() {
        sample_rate.clamp(8_000.0, 768_000.0)
    } else {
        48_000.0
    };
    ((fs / 10.0).round() as usize).max(1)
}

/// Per-instance measurement state on the audio thread.
#[derive(Debug)]
pub struct Measurement {
    /// The BS.1770 / EBU R128 meter.
    meter: LoudnessMeter,
    /// Channels measured.
    channels: usize,
    /// Sample rate, Hz.
    sample_rate: f32,
    /// Samples per 100 ms slot.
    slot_len: usize,
    /// Samples until the meter closes its current slot.
    samples_to_slot: usize,
    /// Samples measured while running since reset (programme time).
    running_samples: u64,
    /// The handover view's clip count (counts while running, like the maxima).
    clips: ClipCounter,
}

impl Default for Measurement {
    fn default() -> Self {
        Self {
            meter: LoudnessMeter::new(),
            channels: 2,
            sample_rate: 48_000.0,
            slot_len: slot_len(48_000.0),
            samples_to_slot: slot_len(48_000.0),
            running_samples: 0,
            clips: ClipCounter::default(),
        }
    }
}

impl Measurement {
    /// Prepare for a layout (allocates; sets the BS.1770-5 channel weights for 1, 2 and 6
    /// channels: L R C LFE Ls Rs = 1 1 1 0 1.41 1.41) and reset.
    pub fn prepare(
        &mut self,
        sample_rate: f32,
        max_block: usize,
        channels: usize,
        meters: &LoudnessMeters,
    ) {
        self.channels = channels.clamp(1, MAX_LOUDNESS_CHANNELS);
        self.sample_rate = sample_rate;
        self.slot_len = slot_len(sample_rate);
        self.meter.prepare(sample_rate, max_block, self.channels);
        meters
            .channels
            .store(self.channels as u32, Ordering::Relaxed);
        meters.sample_rate.store(sample_rate, Ordering::Relaxed);
        self.reset(meters);
    }

    /// Clear the measurement (Tech 3341 reset) and tell the editor.
    pub fn reset(&mut self, meters: &LoudnessMeters) {
        self.meter.reset();
        self.samples_to_slot = self.slot_len;
        self.running_samples = 0;
        self.clips.reset();
        self.clips.publish(meters);
        meters.publish_loudness(&self.meter, 0.0);
        meters.resets.fetch_add(1, Ordering::Relaxed);
        meters.wake.wake();
    }

    /// The meter (read-only), for tests.
    pub fn meter(&self) -> &LoudnessMeter {
        &self.meter
    }

    /// Running programme time since reset, seconds.
    pub fn running_seconds(&self) -> f64 {
        self.running_samples as f64 / f64::from(self.sample_rate.max(1.0))
    }

    /// Measure one host block. `running` is the inverse of the pause parameter; with
    /// `editor_open` the readings are published and one history point per closed slot is
    /// queued (nothing is published for a closed editor but the peaks, once per block).
    pub fn process(
        &mut self,
        channels: &[impl AsRef<[f32]>],
        running: bool,
        factor: OversamplingFactor,
        editor_open: bool,
        meters: &LoudnessMeters,
    ) {
        self.meter.set_running(running);
        self.meter.set_true_peak_factor(factor);
        let n = channels
            .iter()
            .take(self.channels)
            .map(|c| c.as_ref().len())
            .min()
            .unwrap_or(0);
        let mut done = 0;
        while done < n {
            let seg = (n - done).min(self.samples_to_slot);
            let mut slices: [&[f32]; MAX_LOUDNESS_CHANNELS] = [&[]; MAX_LOUDNESS_CHANNELS];
            for (slice, channel) in slices.iter_mut().zip(channels.iter().take(self.channels)) {
                *slice = &channel.as_ref()[done..done + seg];
            }
            self.meter
                .process(&slices[..self.channels.min(channels.len())]);
            if running {
                self.running_samples += seg as u64;
            }
            done += seg;
            self.samples_to_slot -= seg;
            if self.samples_to_slot == 0 {
                self.samples_to_slot = self.slot_len;
                if editor_open {
                    meters.push_history(HistoryPoint {
                        momentary_lufs: self.meter.momentary_lufs() as f32,
                        short_term_lufs: self.meter.short_term_lufs() as f32,
                    });
                    meters.publish_loudness(&self.meter, self.running_seconds());
                    meters.wake.wake();
                }
            }
        }
        if running {
            self.clips
                .process(&channels[..channels.len().min(self.channels)]);
        }
        if editor_open {
            meters.publish_peaks(&self.meter);
            self.clips.publish(meters);
        }
    }

    /// The clip count since reset.
    pub fn clips(&self) -> &ClipCounter {
        &self.clips
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(len: usize, fs: f32, amp: f32) -> Vec<f32> {
        (0..len)
            .map(|i| amp * (std::f32::consts::TAU * 997.0 * i as f32 / fs).sin())
            .collect()
    }

    /// Feed `signal` (stereo, same on both sides) in blocks from `sizes` (cycled); return the
    /// history points and the final integrated / true-peak readings.
    fn run(fs: f32, signal: &[f32], sizes: &[usize]) -> (Vec<HistoryPoint>, f64, f64) {
        let meters = LoudnessMeters::default();
        let mut m = Measurement::default();
        m.prepare(fs, 8192, 2, &meters);
        let mut points = Vec::new();
        let mut at = 0;
        let mut k = 0;
        while at < signal.len() {
            let len = sizes[k % sizes.len()].min(signal.len() - at);
            let block = &signal[at..at + len];
            m.process(&[block, block], true, OversamplingFactor::X4, true, &meters);
            while let Some(p) = meters.pop_history() {
                points.push(p);
            }
            at += len;
            k += 1;
        }
        (
            points,
            m.meter().integrated_lufs(),
            m.meter().true_peak_max_dbtp(),
        )
    }

    #[test]
    fn history_is_identical_for_any_block_size() {
        let fs = 44_100.0;
        let signal: Vec<f32> = tone(3 * 44_100 + 1234, fs, 0.3)
            .iter()
            .enumerate()
            .map(|(i, x)| x * (1.0 + 0.5 * (i as f32 / 9000.0).sin()))
            .collect();
        let reference = run(fs, &signal, &[512]);
        // One point per closed 100 ms slot (4410 samples at 44.1 kHz).
        assert_eq!(reference.0.len(), signal.len() / 4410);
        let mut rng = 0x2545_f491_u64;
        let random: Vec<usize> = (0..997)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                1 + (rng % 5000) as usize
            })
            .collect();
        for sizes in [&[1usize][..], &[64], &[4410], &[8192], &random] {
            let got = run(fs, &signal, sizes);
            let what = format!("blocks {:?}", &sizes[..sizes.len().min(3)]);
            // Same slots, so the same values up to the meter's summation order (f64 sums
            // of K-weighted squares may be split differently across blocks).
            assert_eq!(got.0.len(), reference.0.len(), "{what}");
            for (a, b) in got.0.iter().zip(&reference.0) {
                assert!((a.momentary_lufs - b.momentary_lufs).abs() < 1e-4, "{what}");
                assert!(
                    (a.short_term_lufs - b.short_term_lufs).abs() < 1e-4,
                    "{what}"
                );
            }
            assert!((got.1 - reference.1).abs() < 1e-6, "{what}");
            assert!((got.2 - reference.2).abs() < 1e-6, "{what}");
        }
    }

    #[test]
    fn history_points_fall_on_the_meters_slot_boundaries() {
        // Silence, then a tone starting exactly at a slot boundary: the first point after the
        // boundary is the first non-silent one, and a point is taken every slot_len samples.
        for fs in [8_000.0f32, 44_100.0, 48_000.0, 96_000.0, 384_000.0] {
            let slot = slot_len(fs);
            let mut signal = vec![0.0f32; 3 * slot];
            signal.extend(tone(2 * slot, fs, 0.5));
            let (points, ..) = run(fs, &signal, &[slot / 3 + 1]);
            assert_eq!(points.len(), 5, "{fs}");
            assert!(points[2].momentary_lufs < -150.0, "{fs}: {points:?}");
            assert!(points[3].momentary_lufs > -30.0, "{fs}: {points:?}");
        }
    }

    #[test]
    fn closed_editor_gets_no_history_and_lra_time_counts_running_only() {
        let meters = LoudnessMeters::default();
        let mut m = Measurement::default();
        m.prepare(48_000.0, 512, 2, &meters);
        let x = tone(48_000, 48_000.0, 0.5);
        m.process(&[&x, &x], true, OversamplingFactor::X4, false, &meters);
        assert!(meters.pop_history().is_none());
        m.process(&[&x, &x], false, OversamplingFactor::X4, true, &meters);
        assert!((m.running_seconds() - 1.0).abs() < 1e-12);
        assert!(meters.load().lra_is_provisional());
        m.reset(&meters);
        assert_eq!(m.running_seconds(), 0.0);
        assert_eq!(meters.resets.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn surround_lfe_is_not_measured() {
        // 5.1: a loud LFE adds nothing; the same signal on a surround channel reads +1.5 dB
        // (weight 1.41) over the same signal on a front channel.
        let fs = 48_000.0;
        let x = tone(4 * 48_000, fs, 0.25);
        let silent = vec![0.0f32; x.len()];
        let integrated = |channel: usize| {
            let meters = LoudnessMeters::default();
            let mut m = Measurement::default();
            m.prepare(fs, 1024, 6, &meters);
            let mut chans: Vec<&[f32]> = vec![&silent; 6];
            chans[channel] = &x;
            for start in (0..x.len()).step_by(1000) {
                let block: Vec<&[f32]> = chans.iter().map(|c| &c[start..start + 1000]).collect();
                m.process(&block, true, OversamplingFactor::X4, false, &meters);
            }
            m.meter().integrated_lufs()
        };
        let front = integrated(0);
        assert!(integrated(3) < -150.0, "LFE measured");
        let surround = integrated(4);
        assert!(
            (surround - front - 10.0 * 1.41f64.log10()).abs() < 0.01,
            "{front} {surround}"
        );
    }
}
