//! Room-acoustics measurements on impulse responses, written from the standards and
//! papers (not from the code under test), for the FDN and Reverb tests:
//!
//! * Octave-band filtering: 4th-order Butterworth band-pass with edges `fc/√2`, `fc·√2`
//!   (two RBJ Butterworth high-passes and two low-passes in `f64` direct form; IEC 61260
//!   class filters are 6th order, 4th order is ample for a decay-rate measurement).
//! * RT60 by Schroeder backward integration (M. R. Schroeder, "New Method of Measuring
//!   Reverberation Time", JASA 37, 1965) and a least-squares line fitted to the decay
//!   curve between −5 and −35 dB (T30, ISO 3382-1:2009 §5.3), extrapolated to −60 dB.
//! * Normalised echo density (J. S. Abel and P. Huang, "A Simple, Robust Measure of
//!   Reverberation Echo Density", 121st AES Convention, 2006): the fraction of samples in
//!   a sliding window lying more than one standard deviation from the mean, divided by
//!   the Gaussian value `erfc(1/√2)`; 1 = Gaussian (diffuse), ≪ 1 = sparse echoes.

use std::f64::consts::PI;

/// RBJ Butterworth biquad (`Q = 1/√2`), direct form I in `f64`.
fn biquad(x: &[f64], fs: f64, fc: f64, high: bool) -> Vec<f64> {
    let w = 2.0 * PI * fc / fs;
    let (c, alpha) = (w.cos(), w.sin() / 2.0_f64.sqrt());
    let (b0, b1, b2) = if high {
        ((1.0 + c) / 2.0, -(1.0 + c), (1.0 + c) / 2.0)
    } else {
        ((1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0)
    };
    let (a0, a1, a2) = (1.0 + alpha, -2.0 * c, 1.0 - alpha);
    let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
    x.iter()
        .map(|&v| {
            let y = (b0 * v + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2) / a0;
            (x2, x1, y2, y1) = (x1, v, y1, y);
            y
        })
        .collect()
}

/// The octave band around `fc` of `x`.
pub fn octave_band(x: &[f32], fs: f64, fc: f64) -> Vec<f64> {
    let mut y: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    let (lo, hi) = (fc / 2.0_f64.sqrt(), fc * 2.0_f64.sqrt());
    for _ in 0..2 {
        y = biquad(&y, fs, lo, true);
    }
    if hi < 0.49 * fs {
        for _ in 0..2 {
            y = biquad(&y, fs, hi, false);
        }
    }
    y
}

/// Schroeder decay curve in dB (0 dB at the start).
pub fn schroeder_db(h: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    let mut e: Vec<f64> = h
        .iter()
        .rev()
        .map(|v| {
            acc += v * v;
            acc
        })
        .collect();
    e.reverse();
    let total = e[0].max(1e-300);
    e.iter()
        .map(|v| 10.0 * (v / total).max(1e-300).log10())
        .collect()
}

/// RT60 (s) from a least-squares fit to the Schroeder curve between `hi_db` and `lo_db`
/// (T30: −5, −35). `None` when the curve never reaches `lo_db`.
pub fn rt60_fit(h: &[f64], fs: f64, hi_db: f64, lo_db: f64) -> Option<f64> {
    let curve = schroeder_db(h);
    let start = curve.iter().position(|&v| v <= hi_db)?;
    let end = curve.iter().position(|&v| v <= lo_db)?;
    let (mut n, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &y) in curve.iter().enumerate().take(end + 1).skip(start) {
        let x = i as f64 / fs;
        n += 1.0;
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    let slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    (slope < 0.0).then(|| -60.0 / slope)
}

/// T30 of the octave band at `fc`.
pub fn band_rt60(ir: &[f32], fs: f64, fc: f64) -> Option<f64> {
    rt60_fit(&octave_band(ir, fs, fc), fs, -5.0, -35.0)
}

/// Normalised echo density of `h` in a window of `window` samples centred on `centre`.
pub fn echo_density(h: &[f32], centre: usize, window: usize) -> f64 {
    let lo = centre.saturating_sub(window / 2);
    let hi = (lo + window).min(h.len());
    let w = &h[lo..hi];
    let n = w.len() as f64;
    let mean = w.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let sd = (w
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    let outside = w
        .iter()
        .filter(|&&v| (f64::from(v) - mean).abs() > sd)
        .count() as f64;
    // erfc(1/√2) = 0.317310507862914.
    outside / n / 0.317_310_507_862_914
}

/// Normalised cross-correlation maximum over lags `±max_lag` (interaural
/// cross-correlation coefficient, IACC, ISO 3382-1 Annex B).
pub fn iacc(l: &[f32], r: &[f32], max_lag: usize) -> f64 {
    let el: f64 = l.iter().map(|&v| f64::from(v).powi(2)).sum();
    let er: f64 = r.iter().map(|&v| f64::from(v).powi(2)).sum();
    let norm = (el * er).sqrt().max(1e-300);
    let n = l.len().min(r.len());
    let mut best: f64 = 0.0;
    for lag in -(max_lag as isize)..=max_lag as isize {
        let mut acc = 0.0;
        for (i, &lv) in l.iter().enumerate().take(n) {
            let j = i as isize + lag;
            if j >= 0 && (j as usize) < n {
                acc += f64::from(lv) * f64::from(r[j as usize]);
            }
        }
        best = best.max((acc / norm).abs());
    }
    best
}
