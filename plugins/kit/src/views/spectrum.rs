//! Spectrum analyzer. Samples arrive from the audio thread through the bounded lock-free
//! [`AnalyzerQueue`]; the FFT (`realfft`, Hann window) runs here on the GUI thread, at most
//! 30 times a second and only while the editor draws. Options: 1/6-octave smoothing and a
//! 4.5 dB/octave tilt (pivot 1 kHz) so pink-ish music reads flat.

use crate::meters_bridge::AnalyzerQueue;
use crate::theme;
use crate::views::{db_to_y, draw_grid};
use egui::{pos2, Response, Sense, Shape, Stroke, Ui};
use realfft::{RealFftPlanner, RealToComplex};
use std::sync::Arc;

/// FFT length.
pub const FFT_SIZE: usize = 4096;
/// Analysis rate limit.
pub const MAX_FPS: f64 = 30.0;
/// Tilt applied when enabled, dB per octave around 1 kHz.
pub const TILT_DB_PER_OCT: f64 = 4.5;

/// GUI-side analyzer state: sample history, FFT plan and buffers, smoothed spectrum.
pub struct SpectrumAnalyzer {
    /// Sample rate of the incoming audio.
    sample_rate: f32,
    /// The last `FFT_SIZE` mono samples, ring-ordered from `write`.
    history: Vec<f32>,
    /// Next write position in `history`.
    write: usize,
    /// Hann window.
    window: Vec<f32>,
    /// FFT plan.
    fft: Arc<dyn RealToComplex<f32>>,
    /// FFT input scratch.
    input: Vec<f32>,
    /// FFT output scratch.
    spectrum: Vec<realfft::num_complex::Complex<f32>>,
    /// Displayed magnitude per bin in dB (ballistics applied).
    magnitude_db: Vec<f32>,
    /// Running sum of the displayed power per bin (`prefix[k]` = Σ power of bins `< k`), so
    /// a 1/6-octave average is two lookups, not a sum over up to hundreds of bins.
    power_prefix: Vec<f64>,
    /// Time of the last analysis.
    last_analysis: Option<f64>,
    /// 1/6-octave smoothing on/off.
    pub smoothing: bool,
    /// 4.5 dB/oct tilt on/off.
    pub tilt: bool,
    /// Freeze: the display holds; arriving audio is drained and dropped.
    pub frozen: bool,
    /// Whether [`SpectrumAnalyzer::show`] draws the trace (off: the grid only, e.g. when a
    /// view shows another analyzer's trace instead).
    pub trace_visible: bool,
    /// Display range.
    pub min_db: f32,
    /// Display range.
    pub max_db: f32,
}

impl std::fmt::Debug for SpectrumAnalyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpectrumAnalyzer")
            .field("sample_rate", &self.sample_rate)
            .field("smoothing", &self.smoothing)
            .field("tilt", &self.tilt)
            .finish()
    }
}

impl SpectrumAnalyzer {
    /// An analyzer for audio at `sample_rate` (allocates; GUI thread).
    pub fn new(sample_rate: f32) -> Self {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(FFT_SIZE);
        let window = (0..FFT_SIZE)
            .map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / FFT_SIZE as f32).cos())
            .collect();
        Self {
            sample_rate,
            history: vec![0.0; FFT_SIZE],
            write: 0,
            window,
            input: fft.make_input_vec(),
            spectrum: fft.make_output_vec(),
            fft,
            magnitude_db: vec![-120.0; FFT_SIZE / 2 + 1],
            power_prefix: (0..=FFT_SIZE / 2 + 1).map(|k| k as f64 * 1e-12).collect(),
            last_analysis: None,
            smoothing: true,
            tilt: true,
            frozen: false,
            trace_visible: true,
            min_db: -90.0,
            max_db: 0.0,
        }
    }

    /// Change the sample rate (e.g. after the host re-activated the plugin).
    pub fn set_sample_rate(&mut self, sample_rate: f32) {
        self.sample_rate = sample_rate;
    }

    /// Feed mono samples directly (tests, or plugins that already mix down).
    pub fn push_samples(&mut self, samples: impl IntoIterator<Item = f32>) {
        for s in samples {
            self.history[self.write] = s;
            self.write = (self.write + 1) % FFT_SIZE;
        }
    }

    /// Drain the queue (mid = (L+R)/2). Returns how many chunks were taken.
    pub fn drain(&mut self, queue: &AnalyzerQueue) -> usize {
        let mut n = 0;
        while let Some(chunk) = queue.pop() {
            if !self.frozen {
                self.push_samples(chunk.iter().map(|[l, r]| 0.5 * (l + r)));
            }
            n += 1;
        }
        n
    }

    /// Run the FFT now and update the displayed magnitudes.
    pub fn analyze(&mut self) {
        if self.frozen {
            return;
        }
        for i in 0..FFT_SIZE {
            self.input[i] = self.history[(self.write + i) % FFT_SIZE] * self.window[i];
        }
        // Lengths come from the plan's own make_*_vec, so process() cannot fail.
        let _ = self.fft.process(&mut self.input, &mut self.spectrum);
        // Hann coherent gain 0.5: a full-scale sine reads 0 dBFS.
        let norm = 2.0 / (FFT_SIZE as f32 * 0.5);
        let bin_hz = self.sample_rate as f64 / FFT_SIZE as f64;
        for (i, c) in self.spectrum.iter().enumerate() {
            let mut db = 20.0 * (c.norm() * norm).max(1e-9).log10();
            if self.tilt && i > 0 {
                db += (TILT_DB_PER_OCT * ((i as f64 * bin_hz) / 1000.0).log2()) as f32;
            }
            // Fast attack, ~20 dB/s release at 30 fps.
            let shown = &mut self.magnitude_db[i];
            *shown = if db > *shown {
                db
            } else {
                (*shown - 0.7).max(db)
            };
        }
        let mut sum = 0.0;
        for (k, db) in self.magnitude_db.iter().enumerate() {
            self.power_prefix[k] = sum;
            sum += 10f64.powf(f64::from(*db) / 10.0);
        }
        self.power_prefix[self.magnitude_db.len()] = sum;
    }

    /// Displayed level at `hz` (with smoothing if enabled).
    pub fn level_at(&self, hz: f64) -> f32 {
        let bin_hz = self.sample_rate as f64 / FFT_SIZE as f64;
        let last = self.magnitude_db.len() - 1;
        if self.smoothing {
            // 1/6 octave: average power over hz·2^(±1/12).
            let lo = ((hz * 2f64.powf(-1.0 / 12.0)) / bin_hz).floor().max(1.0) as usize;
            let hi = (((hz * 2f64.powf(1.0 / 12.0)) / bin_hz).ceil() as usize).clamp(lo, last);
            let power = (self.power_prefix[hi + 1] - self.power_prefix[lo]) / (hi - lo + 1) as f64;
            (10.0 * power.max(1e-12).log10()) as f32
        } else {
            let bin = ((hz / bin_hz).round() as usize).clamp(1, last);
            self.magnitude_db[bin]
        }
    }

    /// Drain, analyze at most 30 times a second while audio moves, and draw.
    pub fn show(&mut self, ui: &mut Ui, size: egui::Vec2, queue: &AnalyzerQueue) -> Response {
        let now = ui.input(|i| i.time);
        let fresh = self.drain(queue) > 0;
        let due = self.last_analysis.is_none_or(|t| now - t >= 1.0 / MAX_FPS);
        if fresh && due {
            self.analyze();
            self.last_analysis = Some(now);
        }
        // New audio means another frame soon; no audio (editor idle, queue empty) means none.
        if fresh {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs_f64(1.0 / MAX_FPS));
        }
        let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
        let painter = ui.painter_at(rect);
        draw_grid(&painter, rect, self.min_db, self.max_db, 12.0);
        if self.trace_visible {
            painter.add(Shape::line(
                self.trace(rect),
                Stroke::new(1.5, theme::TRACE),
            ));
        }
        response
    }

    /// The displayed spectrum as a polyline in `rect` (one point every 2 points of width),
    /// for a view that draws a second analyzer over the first (pre/post).
    pub fn trace(&self, rect: egui::Rect) -> Vec<egui::Pos2> {
        let n = (rect.width() / 2.0) as usize;
        (0..=n)
            .map(|i| {
                let x = rect.left() + rect.width() * i as f32 / n.max(1) as f32;
                let hz = crate::views::x_to_freq(rect, x);
                pos2(
                    x,
                    db_to_y(rect, self.level_at(hz), self.min_db, self.max_db),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_scale_sine_peaks_near_0_dbfs_at_its_frequency() {
        let sr = 48_000.0;
        let mut a = SpectrumAnalyzer::new(sr);
        a.tilt = false;
        a.smoothing = false;
        let hz = 1500.0;
        a.push_samples(
            (0..FFT_SIZE).map(|i| (2.0 * std::f32::consts::PI * hz * i as f32 / sr).sin()),
        );
        a.analyze();
        let peak = a.level_at(hz as f64);
        assert!((-1.5..=0.5).contains(&peak), "{peak}");
        assert!(a.level_at(6000.0) < -40.0);
    }

    #[test]
    fn smoothed_levels_are_the_mean_power_over_a_sixth_of_an_octave() {
        let sr = 44_100.0;
        let mut a = SpectrumAnalyzer::new(sr);
        let mut x = 1u32;
        a.push_samples((0..FFT_SIZE).map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        }));
        a.analyze();
        let bin_hz = f64::from(sr) / FFT_SIZE as f64;
        for hz in [30.0, 200.0, 1000.0, 5000.0, 15_000.0] {
            // The direct sum, written out.
            let lo = ((hz * 2f64.powf(-1.0 / 12.0)) / bin_hz).floor().max(1.0) as usize;
            let hi = ((hz * 2f64.powf(1.0 / 12.0)) / bin_hz).ceil() as usize;
            let mean: f64 = (lo..=hi)
                .map(|k| 10f64.powf(f64::from(a.magnitude_db[k]) / 10.0))
                .sum::<f64>()
                / (hi - lo + 1) as f64;
            let want = 10.0 * mean.log10();
            let got = f64::from(a.level_at(hz));
            assert!((got - want).abs() < 1e-3, "{hz} Hz: {got} vs {want}");
        }
    }

    #[test]
    fn a_frozen_analyzer_holds_its_display_and_still_drains() {
        let sr = 48_000.0;
        let mut a = SpectrumAnalyzer::new(sr);
        let tone = |hz: f32| {
            (0..FFT_SIZE).map(move |i| (2.0 * std::f32::consts::PI * hz * i as f32 / sr).sin())
        };
        a.push_samples(tone(1000.0));
        a.analyze();
        let held = a.level_at(1000.0);
        a.frozen = true;
        let q = AnalyzerQueue::with_capacity(64);
        let mut s = crate::meters_bridge::AnalyzerSender::default();
        let other: Vec<f32> = tone(5000.0).collect();
        s.push_block(&q, &other, &other);
        assert!(a.drain(&q) > 0);
        assert!(q.pop().is_none());
        a.analyze();
        assert_eq!(a.level_at(1000.0), held);
        assert!(a.level_at(5000.0) < -40.0);
        a.frozen = false;
        s.push_block(&q, &other, &other);
        a.drain(&q);
        a.analyze();
        assert!(a.level_at(5000.0) > -10.0, "{}", a.level_at(5000.0));
    }

    #[test]
    fn drains_the_queue() {
        let q = AnalyzerQueue::with_capacity(4);
        let mut s = crate::meters_bridge::AnalyzerSender::default();
        let block = vec![0.25f32; 1024];
        s.push_block(&q, &block, &block);
        let mut a = SpectrumAnalyzer::new(44_100.0);
        assert_eq!(a.drain(&q), 4);
        assert!(q.pop().is_none());
    }
}
