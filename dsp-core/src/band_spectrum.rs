//! Long-term 1/3-octave band spectrum of a stereo programme: per-band left, right, mid
//! and side energies, the L·R cross term, side/mid ratio and correlation.
//!
//! Bands: the IEC 61260-1:2014 base-10 one-third-octave filter bank, exact mid-band
//! frequencies `f_m = 1000·10^(x/10)` Hz for `x = −16 … 13` (nominal 25 Hz … 20 kHz, 30
//! bands), band edges `f_m·10^(∓1/20)`. A band whose lower edge is at or above Nyquist is
//! inactive (reads silence); an upper edge above Nyquist is clamped to it.
//!
//! Estimator: Welch's method (Welch 1967) with periodic Hann frames of
//! [`frame_len_for`]`(fs)` samples (the power of two at or above `fs/2`, so bins are at
//! most ≈ 1.5 Hz apart and the 25 Hz band, 5.8 Hz wide, still holds four of them), hop
//! half a frame, FFT by [`realfft`]. Each frame's one-sided spectrum is normalised so that
//! `Σ_k c_k·|X_k|² / (N·Σw²)` (c = 1 at DC and Nyquist, 2 elsewhere) is the frame's mean
//! square (Parseval); a bin belongs to the band whose `[lo, hi)` holds its frequency. A band's
//! power is therefore the mean square the programme carries in that band, averaged over
//! all frames: a sine of amplitude `A` at a band centre reads `A²/2`.
//!
//! Stereo: `M = (L+R)/2`, `S = (L−R)/2`, so `|M|² = (|L|² + |R|² + 2·Re(L·R̄))/4` and
//! `|S|² = (|L|² + |R|² − 2·Re(L·R̄))/4` per bin; the band correlation
//! `Σ Re(L·R̄) / √(Σ|L|²·Σ|R|²)` is, by Parseval, the zero-lag correlation coefficient of
//! the band-limited channels: +1 mono, −1 anti-phase, 0 on silence.
//!
//! Lifecycle: [`BandSpectrum::new`] is cheap, [`BandSpectrum::prepare`] allocates (FFT plan,
//! window, buffers), [`BandSpectrum::process`] takes planar stereo blocks of any length and
//! never allocates or locks (it runs one FFT pair per half frame of input), [`BandSpectrum::reset`]
//! clears. Offline callers with programmes shorter than one frame call
//! [`BandSpectrum::finish`] to analyse the partial frame.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

/// Number of 1/3-octave bands, nominal 25 Hz to 20 kHz.
pub const NUM_BANDS: usize = 30;

/// Band index `x` (IEC 61260 `f_m = 1000·10^(x/10)`) of the first band (25 Hz).
const FIRST_BAND_X: i32 = -16;

/// Nominal mid-band frequencies (IEC 61260-1 Annex E), for labels.
pub const NOMINAL_CENTRES_HZ: [f32; NUM_BANDS] = [
    25.0, 31.5, 40.0, 50.0, 63.0, 80.0, 100.0, 125.0, 160.0, 200.0, 250.0, 315.0, 400.0, 500.0,
    630.0, 800.0, 1000.0, 1250.0, 1600.0, 2000.0, 2500.0, 3150.0, 4000.0, 5000.0, 6300.0, 8000.0,
    10000.0, 12500.0, 16000.0, 20000.0,
];

/// Level reported for a band that holds no energy (or is inactive), in dB.
pub const SILENT_BAND_DB: f64 = crate::db::MINUS_INFINITY_DB as f64;

/// Exact mid-band frequency of band `band` (0 = 25 Hz), `1000·10^(x/10)` Hz.
pub fn band_centre_hz(band: usize) -> f64 {
    1000.0 * 10f64.powf(f64::from(FIRST_BAND_X + band as i32) / 10.0)
}

/// Exact band edges `(lower, upper)` of band `band` in Hz, before any Nyquist clamping.
pub fn band_edges_hz(band: usize) -> (f64, f64) {
    let centre = band_centre_hz(band);
    let half = 10f64.powf(1.0 / 20.0);
    (centre / half, centre * half)
}

/// Band edges at `sample_rate`: the upper edge clamped to Nyquist; `None` when the band
/// starts at or above Nyquist (inactive).
pub fn band_edges_at(band: usize, sample_rate: f64) -> Option<(f64, f64)> {
    let nyquist = 0.5 * sample_rate;
    let (lo, hi) = band_edges_hz(band);
    (lo < nyquist).then_some((lo, hi.min(nyquist)))
}

/// Frame length used at `sample_rate`: the power of two at or above `sample_rate/2`
/// (32768 at 44.1/48 kHz, 65536 at 88.2/96 kHz), at least 256.
pub fn frame_len_for(sample_rate: f32) -> usize {
    let half = (sample_rate.max(512.0) * 0.5).ceil() as usize;
    half.next_power_of_two()
}

/// A human label for a band range, e.g. `"63–125 Hz"` or `"2.5–5 kHz"` (nominal centres).
pub fn band_label(first: usize, last: usize) -> String {
    fn fmt(hz: f32) -> String {
        if hz >= 1000.0 {
            let k = hz / 1000.0;
            if (k - k.round()).abs() < 1e-3 {
                format!("{}k", k.round() as i32)
            } else {
                format!("{k}k")
            }
        } else if (hz - hz.round()).abs() < 1e-3 {
            format!("{}", hz.round() as i32)
        } else {
            format!("{hz}")
        }
    }
    let a = NOMINAL_CENTRES_HZ[first.min(NUM_BANDS - 1)];
    let b = NOMINAL_CENTRES_HZ[last.min(NUM_BANDS - 1)];
    if first == last {
        format!("{} Hz", fmt(a))
    } else {
        format!("{}–{} Hz", fmt(a), fmt(b))
    }
}

/// Energy sums of one band over all analysed frames (normalised mean squares).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BandEnergy {
    /// Σ|L|² (normalised): the left channel's mean square in the band, summed over frames.
    pub left: f64,
    /// Σ|R|², same for the right channel.
    pub right: f64,
    /// Σ Re(L·R̄): the cross term that mid, side and correlation derive from.
    pub cross: f64,
}

impl BandEnergy {
    /// Mid energy, `M = (L+R)/2`.
    pub fn mid(&self) -> f64 {
        (0.25 * (self.left + self.right + 2.0 * self.cross)).max(0.0)
    }

    /// Side energy, `S = (L−R)/2`.
    pub fn side(&self) -> f64 {
        (0.25 * (self.left + self.right - 2.0 * self.cross)).max(0.0)
    }
}

/// One band's readout, averaged over the analysed frames.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BandReading {
    /// Whether the band lies below Nyquist at this sample rate.
    pub active: bool,
    /// Level of the band: `10·log10((ms_L + ms_R)/2)`, the mean square per channel in dB
    /// (a full-scale sine at the band centre in both channels reads −3.01 dB).
    pub level_db: f64,
    /// Left channel mean square in dB.
    pub left_db: f64,
    /// Right channel mean square in dB.
    pub right_db: f64,
    /// Mid `(L+R)/2` mean square in dB.
    pub mid_db: f64,
    /// Side `(L−R)/2` mean square in dB.
    pub side_db: f64,
    /// Side over mid energy in dB (`side_db − mid_db`); [`SILENT_BAND_DB`] when both are
    /// silent, +200 dB when only mid is (pure anti-phase).
    pub side_mid_db: f64,
    /// Zero-lag correlation of the band-limited channels, −1 … +1; 0 on silence.
    pub correlation: f64,
}

/// Power to dB, floored at [`SILENT_BAND_DB`].
fn power_db(power: f64) -> f64 {
    if power > 1e-20 {
        10.0 * power.log10()
    } else {
        SILENT_BAND_DB
    }
}

/// The long-term 1/3-octave band analyser (see the module docs).
#[derive(Default)]
pub struct BandSpectrum {
    /// Sample rate given to `prepare` (Hz).
    sample_rate: f32,
    /// Frame length `N` (a power of two); 0 before `prepare`.
    frame_len: usize,
    /// Forward real FFT of length `N`, planned in `prepare`.
    fft: Option<Arc<dyn RealToComplex<f32>>>,
    /// Periodic Hann window of length `N`.
    window: Vec<f32>,
    /// `N·Σw²`: the Parseval normalisation of a full frame.
    full_norm: f64,
    /// Input history of the left channel (the frame being filled).
    hist_l: Vec<f32>,
    /// Input history of the right channel.
    hist_r: Vec<f32>,
    /// Samples currently held in `hist_*` (0 … N).
    fill: usize,
    /// Windowed FFT input (overwritten by the FFT).
    frame: Vec<f32>,
    /// Left channel spectrum, `N/2 + 1` bins.
    spec_l: Vec<Complex<f32>>,
    /// Right channel spectrum.
    spec_r: Vec<Complex<f32>>,
    /// FFT scratch space.
    scratch: Vec<Complex<f32>>,
    /// Band of each bin (`NUM_BANDS` = none), `N/2 + 1` entries.
    bin_band: Vec<u8>,
    /// Per-band sums over all analysed frames.
    energy: [BandEnergy; NUM_BANDS],
    /// Whether each band is active (below Nyquist).
    active: [bool; NUM_BANDS],
    /// Frames analysed since reset (a partial frame from `finish` counts as one).
    frames: u64,
    /// Samples received since reset.
    samples: u64,
}

impl BandSpectrum {
    /// A cheap, unprepared analyser (call [`Self::prepare`] before feeding it).
    pub fn new() -> Self {
        Self::default()
    }

    /// Allocates for `sample_rate` (Hz): plans the FFT, builds the window and the bin→band
    /// map, clears the sums. Non-finite or tiny rates fall back to 48 kHz.
    pub fn prepare(&mut self, sample_rate: f32) {
        let sample_rate = if sample_rate.is_finite() && sample_rate >= 1000.0 {
            sample_rate
        } else {
            48_000.0
        };
        self.sample_rate = sample_rate;
        let n = frame_len_for(sample_rate);
        self.frame_len = n;
        let mut planner = RealFftPlanner::<f32>::new();
        let fft = planner.plan_fft_forward(n);
        self.scratch = fft.make_scratch_vec();
        self.spec_l = fft.make_output_vec();
        self.spec_r = fft.make_output_vec();
        self.frame = fft.make_input_vec();
        self.fft = Some(fft);
        self.window = (0..n)
            .map(|i| {
                let phase = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
                (0.5 - 0.5 * phase.cos()) as f32
            })
            .collect();
        let sum_w2: f64 = self.window.iter().map(|&w| f64::from(w).powi(2)).sum();
        self.full_norm = n as f64 * sum_w2;
        self.hist_l = vec![0.0; n];
        self.hist_r = vec![0.0; n];
        let bin_hz = f64::from(sample_rate) / n as f64;
        let mut edges = [None; NUM_BANDS];
        for (band, edge) in edges.iter_mut().enumerate() {
            *edge = band_edges_at(band, f64::from(sample_rate));
            self.active[band] = edge.is_some();
        }
        let nyquist = 0.5 * f64::from(sample_rate);
        // A bin belongs to the band whose [lo, hi) holds it; the Nyquist bin to the band
        // clamped at Nyquist.
        let holds =
            |f: f64, (lo, hi): (f64, f64)| f >= lo && (f < hi || (hi >= nyquist && f <= hi));
        self.bin_band = (0..=n / 2)
            .map(|k| {
                let f = k as f64 * bin_hz;
                edges
                    .iter()
                    .position(|e| e.is_some_and(|e| holds(f, e)))
                    .map_or(NUM_BANDS as u8, |b| b as u8)
            })
            .collect();
        self.reset();
    }

    /// Clears the sums and the partial frame (no allocation).
    pub fn reset(&mut self) {
        self.fill = 0;
        self.energy = [BandEnergy::default(); NUM_BANDS];
        self.frames = 0;
        self.samples = 0;
        self.hist_l.iter_mut().for_each(|x| *x = 0.0);
        self.hist_r.iter_mut().for_each(|x| *x = 0.0);
    }

    /// The sample rate given to `prepare`.
    pub fn sample_rate(&self) -> f32 {
        self.sample_rate
    }

    /// The analysis frame length in samples (0 before `prepare`).
    pub fn frame_len(&self) -> usize {
        self.frame_len
    }

    /// Frames analysed since reset.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Samples received since reset.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Whether band `band` lies below Nyquist.
    pub fn is_active(&self, band: usize) -> bool {
        band < NUM_BANDS && self.active[band]
    }

    /// Feeds a planar stereo block of any length (for mono, pass the same slice twice).
    /// The shorter slice sets the length. NaN/Inf samples are read as 0. Never allocates.
    pub fn process(&mut self, left: &[f32], right: &[f32]) {
        if self.frame_len == 0 {
            return;
        }
        let n = self.frame_len;
        let len = left.len().min(right.len());
        self.samples += len as u64;
        let mut pos = 0;
        while pos < len {
            let take = (n - self.fill).min(len - pos);
            for i in 0..take {
                self.hist_l[self.fill + i] = sanitise(left[pos + i]);
                self.hist_r[self.fill + i] = sanitise(right[pos + i]);
            }
            self.fill += take;
            pos += take;
            if self.fill == n {
                self.analyse(n, false);
                self.hist_l.copy_within(n / 2.., 0);
                self.hist_r.copy_within(n / 2.., 0);
                self.fill = n / 2;
            }
        }
    }

    /// For offline use: when no full frame has been analysed yet (a programme shorter than
    /// one frame), analyses the samples held so far as one frame with a Hann window of their
    /// own length. Does nothing otherwise (the tail after the last hop, under half a frame,
    /// is left out of a long programme's average). Never allocates.
    pub fn finish(&mut self) {
        if self.frames == 0 && self.fill >= 2 {
            let len = self.fill;
            self.analyse(len, true);
        }
    }

    /// Windows the first `len` held samples (the full frame, or a partial one with its own
    /// Hann window), transforms both channels and adds the band sums.
    fn analyse(&mut self, len: usize, partial: bool) {
        let Some(fft) = self.fft.clone() else {
            return;
        };
        let n = self.frame_len;
        let mut norm = self.full_norm;
        if partial {
            let mut sum_w2 = 0.0;
            for (i, &x) in self.hist_l[..len].iter().enumerate() {
                let w = partial_hann(i, len);
                sum_w2 += f64::from(w).powi(2);
                self.frame[i] = w * x;
            }
            self.frame[len..].iter_mut().for_each(|x| *x = 0.0);
            norm = n as f64 * sum_w2;
        } else {
            for ((y, &x), &w) in self.frame.iter_mut().zip(&self.hist_l).zip(&self.window) {
                *y = w * x;
            }
        }
        // `frame`, `spec_l` and `scratch` were sized by this plan: the call cannot fail.
        let _ = fft.process_with_scratch(&mut self.frame, &mut self.spec_l, &mut self.scratch);
        if partial {
            for i in 0..len {
                self.frame[i] = partial_hann(i, len) * self.hist_r[i];
            }
            self.frame[len..].iter_mut().for_each(|x| *x = 0.0);
        } else {
            for ((y, &x), &w) in self.frame.iter_mut().zip(&self.hist_r).zip(&self.window) {
                *y = w * x;
            }
        }
        let _ = fft.process_with_scratch(&mut self.frame, &mut self.spec_r, &mut self.scratch);
        if norm <= 0.0 {
            return;
        }
        let mut frame_sums = [BandEnergy::default(); NUM_BANDS];
        let last = self.spec_l.len() - 1;
        for (k, ((l, r), &band)) in self
            .spec_l
            .iter()
            .zip(&self.spec_r)
            .zip(&self.bin_band)
            .enumerate()
        {
            let Some(sums) = frame_sums.get_mut(band as usize) else {
                continue;
            };
            let c = if k == 0 || k == last { 1.0 } else { 2.0 };
            let (lr, li) = (f64::from(l.re), f64::from(l.im));
            let (rr, ri) = (f64::from(r.re), f64::from(r.im));
            sums.left += c * (lr * lr + li * li);
            sums.right += c * (rr * rr + ri * ri);
            sums.cross += c * (lr * rr + li * ri);
        }
        let scale = 1.0 / norm;
        for (acc, s) in self.energy.iter_mut().zip(&frame_sums) {
            acc.left += s.left * scale;
            acc.right += s.right * scale;
            acc.cross += s.cross * scale;
        }
        self.frames += 1;
    }

    /// Band `band`'s energy sums averaged over the analysed frames (mean squares); zero
    /// before any frame.
    pub fn band_energy(&self, band: usize) -> BandEnergy {
        let Some(e) = self.energy.get(band) else {
            return BandEnergy::default();
        };
        if self.frames == 0 {
            return BandEnergy::default();
        }
        let inv = 1.0 / self.frames as f64;
        BandEnergy {
            left: e.left * inv,
            right: e.right * inv,
            cross: e.cross * inv,
        }
    }

    /// Band `band`'s readout (levels in dB, side/mid ratio, correlation).
    pub fn band(&self, band: usize) -> BandReading {
        let e = self.band_energy(band);
        let (mid, side) = (e.mid(), e.side());
        let side_mid_db = match (mid > 1e-20, side > 1e-20) {
            (true, _) => power_db(side) - power_db(mid),
            (false, true) => -SILENT_BAND_DB,
            (false, false) => SILENT_BAND_DB,
        };
        let denom = (e.left * e.right).sqrt();
        let correlation = if denom > 1e-30 {
            (e.cross / denom).clamp(-1.0, 1.0)
        } else {
            0.0
        };
        BandReading {
            active: self.is_active(band),
            level_db: power_db(0.5 * (e.left + e.right)),
            left_db: power_db(e.left),
            right_db: power_db(e.right),
            mid_db: power_db(mid),
            side_db: power_db(side),
            side_mid_db,
            correlation,
        }
    }

    /// All bands' readouts, 25 Hz first.
    pub fn bands(&self) -> [BandReading; NUM_BANDS] {
        std::array::from_fn(|b| self.band(b))
    }
}

/// NaN/Inf → 0.
#[inline]
fn sanitise(x: f32) -> f32 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

/// Periodic Hann window value `i` of a window of length `len`.
#[inline]
fn partial_hann(i: usize, len: usize) -> f32 {
    let phase = 2.0 * std::f64::consts::PI * i as f64 / len as f64;
    (0.5 - 0.5 * phase.cos()) as f32
}

#[cfg(test)]
mod tests;
