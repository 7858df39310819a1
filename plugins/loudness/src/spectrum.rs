//! The live programme's long-term 1/3-octave spectrum (for the reference comparison): glue
//! around `dsp_core::band_spectrum::BandSpectrum` (IEC 61260-1 bands, Welch averaging). It is
//! GUI-only work, so it accumulates only while the editor is open and the measurement runs,
//! and is cleared with the measurement. Stereo is analysed as L and R, mono as the one channel on both sides, 5.1 as
//! its front L and R. The band levels (mean square per channel, dB) reach the editor through
//! one `AtomicF32` per band, written when an analysis frame closes (every half frame, about
//! 0.34 s at 48 kHz). No allocation after `prepare`.

use crate::bridge::LoudnessMeters;
use dsp_core::band_spectrum::{BandSpectrum, NUM_BANDS};
use std::sync::atomic::Ordering;

/// Band levels in dB of a finished analysis (offline: a reference track).
pub fn band_levels_db(spectrum: &BandSpectrum) -> [f32; NUM_BANDS] {
    std::array::from_fn(|b| spectrum.band(b).level_db as f32)
}

/// Long-term band levels of planar `channels` at `sample_rate` (allocates; loader thread).
pub fn analyse(channels: &[Vec<f32>], sample_rate: f32) -> [f32; NUM_BANDS] {
    let mut spectrum = BandSpectrum::new();
    spectrum.prepare(sample_rate);
    let (left, right) = stereo_pair(channels);
    spectrum.process(left, right);
    spectrum.finish();
    band_levels_db(&spectrum)
}

/// The two channels a layout is analysed as (mono: the one twice; none: silence).
fn stereo_pair<C: AsRef<[f32]>>(channels: &[C]) -> (&[f32], &[f32]) {
    match channels {
        [] => (&[], &[]),
        [mono] => (mono.as_ref(), mono.as_ref()),
        [left, right, ..] => (left.as_ref(), right.as_ref()),
    }
}

/// The live spectrum on the audio thread.
#[derive(Default)]
pub struct LiveSpectrum {
    /// The analyser.
    spectrum: BandSpectrum,
    /// Frames analysed when the levels were last published.
    published_frames: u64,
}

impl LiveSpectrum {
    /// Allocates for `sample_rate` and clears.
    pub fn prepare(&mut self, sample_rate: f32, meters: &LoudnessMeters) {
        self.spectrum.prepare(sample_rate);
        self.reset(meters);
    }

    /// Clears (with the measurement) and publishes silence.
    pub fn reset(&mut self, meters: &LoudnessMeters) {
        self.spectrum.reset();
        self.published_frames = 0;
        self.publish(meters);
    }

    /// Adds one block while the measurement runs; publishes when a frame closed.
    pub fn process(
        &mut self,
        channels: &[impl AsRef<[f32]>],
        running: bool,
        meters: &LoudnessMeters,
    ) {
        if !running {
            return;
        }
        let (left, right) = stereo_pair(channels);
        self.spectrum.process(left, right);
        if self.spectrum.frames() != self.published_frames {
            self.published_frames = self.spectrum.frames();
            self.publish(meters);
        }
    }

    fn publish(&self, meters: &LoudnessMeters) {
        for (band, slot) in meters.live_spectrum_db.iter().enumerate() {
            slot.store(self.spectrum.band(band).level_db as f32, Ordering::Relaxed);
        }
        meters
            .live_spectrum_frames
            .store(self.published_frames, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsp_core::band_spectrum::band_centre_hz;

    fn sine(freq: f64, amp: f32, rate: f32, len: usize) -> Vec<f32> {
        (0..len)
            .map(|i| amp * (std::f64::consts::TAU * freq * i as f64 / f64::from(rate)).sin() as f32)
            .collect()
    }

    #[test]
    fn a_sine_reads_its_mean_square_in_its_band_live_and_offline() {
        // A sine of amplitude A at a band centre reads A²/2 (−9.03 dB for 0.5) in that band
        // and far less two bands away.
        let rate = 48_000.0;
        let band = 16; // 1 kHz
        let x = sine(band_centre_hz(band), 0.5, rate, 3 * 48_000);
        let expect = 20.0 * 0.5f32.log10() - 3.0103;
        let offline = analyse(&[x.clone(), x.clone()], rate);
        assert!((offline[band] - expect).abs() < 0.2, "{}", offline[band]);
        assert!(offline[band + 2] < expect - 30.0, "{}", offline[band + 2]);
        let meters = LoudnessMeters::default();
        let mut live = LiveSpectrum::default();
        live.prepare(rate, &meters);
        for chunk in x.chunks(512) {
            live.process(&[chunk], true, &meters);
        }
        let got = meters.live_spectrum_db[band].load(Ordering::Relaxed);
        assert!((got - expect).abs() < 0.2, "{got}");
        assert!(meters.live_spectrum_frames.load(Ordering::Relaxed) > 0);
        // Paused: nothing is added; reset: silence again.
        let frames = meters.live_spectrum_frames.load(Ordering::Relaxed);
        for chunk in x.chunks(512) {
            live.process(&[chunk], false, &meters);
        }
        assert_eq!(meters.live_spectrum_frames.load(Ordering::Relaxed), frames);
        live.reset(&meters);
        assert!(meters.live_spectrum_db[band].load(Ordering::Relaxed) < -100.0);
    }
}
