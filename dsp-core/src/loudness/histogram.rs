//! Mergeable loudness histograms for the two gated measures of BS.1770-5 / EBU Tech 3342:
//! programme (integrated) loudness over 400 ms blocks, and loudness range over 3 s
//! short-term values.
//!
//! Each bin is [`BIN_LU`] = 0.01 LU wide from −70 LUFS (the absolute gate) to +30 LUFS
//! (values above land in the top bin) and keeps the block count AND the exact sum of the
//! blocks' mean-square energies. The mean over any set of whole bins is therefore exact;
//! only the bin that the relative gate falls into is apportioned, by the fraction of its
//! width above the gate (blocks assumed uniform within 0.01 LU). Memory is fixed (10 000
//! bins, 160 kB), hours of programme cost nothing more, and two histograms add bin by bin,
//! so album loudness is the gating of all files' blocks together ([`GatingHistogram::merge`]).

/// Bin width.
pub const BIN_LU: f64 = 0.01;
/// Absolute gate and lower edge of the first bin (LUFS).
pub const ABSOLUTE_GATE_LUFS: f64 = -70.0;
/// Upper edge of the last bin (LUFS); louder blocks are counted in the last bin.
pub const HISTOGRAM_MAX_LUFS: f64 = 30.0;
/// Number of bins.
pub const NUM_BINS: usize = 10_000;
/// Relative gate of the integrated loudness (BS.1770-5).
pub const INTEGRATED_RELATIVE_GATE_LU: f64 = -10.0;
/// Relative gate of the loudness range (Tech 3342).
pub const LRA_RELATIVE_GATE_LU: f64 = -20.0;
/// Reading for "no gated block" (silence), in LUFS.
pub const SILENCE_LUFS: f64 = -200.0;

/// `−0.691 + 10·log10(z)` for a weighted mean square `z`; [`SILENCE_LUFS`] for `z ≤ 0`.
pub fn energy_to_lufs(z: f64) -> f64 {
    if z > 0.0 && z.is_finite() {
        (-0.691 + 10.0 * z.log10()).max(SILENCE_LUFS)
    } else if z.is_finite() {
        SILENCE_LUFS
    } else {
        f64::from(f32::MAX)
    }
}

/// Inverse of [`energy_to_lufs`].
pub fn lufs_to_energy(lufs: f64) -> f64 {
    10.0_f64.powf((lufs + 0.691) / 10.0)
}

/// Count and exact energy per 0.01 LU bin above the absolute gate.
#[derive(Clone, Debug, PartialEq)]
pub struct GatingHistogram {
    /// Blocks per bin.
    counts: Vec<u64>,
    /// Sum of the blocks' mean-square energies per bin.
    energy: Vec<f64>,
}

impl Default for GatingHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl GatingHistogram {
    /// Empty histogram (allocates its fixed bins).
    pub fn new() -> Self {
        Self {
            counts: vec![0; NUM_BINS],
            energy: vec![0.0; NUM_BINS],
        }
    }

    /// Removes every block.
    pub fn clear(&mut self) {
        self.counts.fill(0);
        self.energy.fill(0.0);
    }

    /// Adds one block of mean-square energy `z` (blocks at or below −70 LUFS, and
    /// non-finite energies, are gated out here).
    pub fn add(&mut self, z: f64) {
        let lufs = energy_to_lufs(z);
        if lufs <= ABSOLUTE_GATE_LUFS || !z.is_finite() {
            return;
        }
        let b = (((lufs - ABSOLUTE_GATE_LUFS) / BIN_LU) as usize).min(NUM_BINS - 1);
        self.counts[b] += 1;
        self.energy[b] += z;
    }

    /// Adds every block of `other` (album loudness: merge each programme's histogram).
    pub fn merge(&mut self, other: &GatingHistogram) {
        for (c, o) in self.counts.iter_mut().zip(&other.counts) {
            *c += o;
        }
        for (e, o) in self.energy.iter_mut().zip(&other.energy) {
            *e += o;
        }
    }

    /// Blocks above the absolute gate.
    pub fn len(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// True when no block passed the absolute gate.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The relative gate (LUFS) `relative_lu` below the mean of all blocks, with the bin
    /// it falls in and the fraction of that bin's blocks counted above it.
    fn relative_gate(&self, relative_lu: f64) -> Option<(usize, f64)> {
        let n = self.len();
        if n == 0 {
            return None;
        }
        let mean = self.energy.iter().sum::<f64>() / n as f64;
        let gate = energy_to_lufs(mean) + relative_lu;
        let pos = ((gate - ABSOLUTE_GATE_LUFS) / BIN_LU).max(0.0);
        let b = (pos as usize).min(NUM_BINS - 1);
        let frac_above = (b as f64 + 1.0 - pos).clamp(0.0, 1.0);
        Some((b, frac_above))
    }

    /// Programme loudness (BS.1770-5 §2.8): the mean of the blocks above the absolute
    /// and the −10 LU relative gate, in LUFS ([`SILENCE_LUFS`] when none).
    pub fn integrated_lufs(&self) -> f64 {
        let Some((b, frac)) = self.relative_gate(INTEGRATED_RELATIVE_GATE_LU) else {
            return SILENCE_LUFS;
        };
        let mut n = self.counts[b] as f64 * frac;
        let mut e = self.energy[b] * frac;
        n += self.counts[b + 1..].iter().sum::<u64>() as f64;
        e += self.energy[b + 1..].iter().sum::<f64>();
        if n > 0.0 {
            energy_to_lufs(e / n)
        } else {
            SILENCE_LUFS
        }
    }

    /// Loudness range (EBU Tech 3342): the 95th minus the 10th percentile of the values
    /// above the absolute and the −20 LU relative gate, percentiles taken as the sorted
    /// values at indices `round((n − 1)·0.10)` and `round((n − 1)·0.95)` (as libebur128),
    /// each read at its bin centre. 0 when fewer than two values pass.
    pub fn loudness_range_lu(&self) -> f64 {
        let Some((b, frac)) = self.relative_gate(LRA_RELATIVE_GATE_LU) else {
            return 0.0;
        };
        let first = (self.counts[b] as f64 * frac).round() as u64;
        let n = first + self.counts[b + 1..].iter().sum::<u64>();
        if n < 2 {
            return 0.0;
        }
        let lo = ((n - 1) as f64 * 0.10).round() as u64;
        let hi = ((n - 1) as f64 * 0.95).round() as u64;
        let (mut lo_val, mut hi_val) = (None, None);
        let mut cum = 0;
        for (i, &c) in self.counts.iter().enumerate().skip(b) {
            cum += if i == b { first } else { c };
            let centre = ABSOLUTE_GATE_LUFS + (i as f64 + 0.5) * BIN_LU;
            if lo_val.is_none() && cum > lo {
                lo_val = Some(centre);
            }
            if cum > hi {
                hi_val = Some(centre);
                break;
            }
        }
        match (lo_val, hi_val) {
            (Some(l), Some(h)) => h - l,
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BS.1770 loudness of a mean square, written out (not the module's helper).
    fn lufs(z: f64) -> f64 {
        -0.691 + 10.0 * z.log10()
    }

    /// Mean square of a loudness, written out.
    fn energy(lufs: f64) -> f64 {
        10.0_f64.powf((lufs + 0.691) / 10.0)
    }

    #[test]
    fn integrated_gate_apportions_the_straddling_bin() {
        // Blocks evenly spaced in loudness, 1000 per 0.01 LU bin from −75 to −10 LUFS: the
        // relative gate (≈ −31.4 LUFS) splits a bin holding 1000 blocks, so counting that
        // bin by the wrong fraction moves the result by up to ≈ 1e-3 LU, while
        // apportioning it by the gate's position is exact to about one block (≈ 1e-6 LU).
        let n = 6_500_000;
        let levels: Vec<f64> = (0..n)
            .map(|i| -75.0 + 65.0 * (i as f64 + 0.5) / n as f64)
            .collect();
        let mut h = GatingHistogram::new();
        for &l in &levels {
            h.add(energy(l));
        }
        // Exact two-stage gating over the list.
        let above: Vec<f64> = levels.iter().copied().filter(|&l| l > -70.0).collect();
        let mean = above.iter().map(|&l| energy(l)).sum::<f64>() / above.len() as f64;
        let gate = lufs(mean) - 10.0;
        let gated: Vec<f64> = above.into_iter().filter(|&l| l > gate).collect();
        let exact = lufs(gated.iter().map(|&l| energy(l)).sum::<f64>() / gated.len() as f64);
        let d = (h.integrated_lufs() - exact).abs();
        println!(
            "gate {gate:.4} LUFS: histogram {:.6} vs exact {exact:.6}: {d:.2e} LU",
            h.integrated_lufs()
        );
        assert!(d < 1e-4, "{d}");
    }

    #[test]
    fn loudness_range_reads_the_exact_percentiles() {
        // 405 short-term values on a 0.05 LU grid from −35 LUFS (offset 0.003 LU, off the
        // bin edges), shuffled, plus 50 below the relative gate (≈ −42.0 LUFS) and 50 below
        // the absolute gate. Each percentile is read at its bin centre (≤ 0.005 LU off), so
        // the range is within 0.01 LU of the exact one; a percentile one value off moves it
        // by 0.05 LU (405 values: an index taken from n instead of n − 1 is one off).
        let mut values: Vec<f64> = (0..405).map(|i| -35.0 + 0.05 * i as f64 + 0.003).collect();
        values.extend((0..50).map(|i| -60.0 + 0.1 * i as f64));
        values.extend((0..50).map(|i| -90.0 + 0.1 * i as f64));
        let mut rng = fastrand::Rng::with_seed(4);
        rng.shuffle(&mut values);
        let mut h = GatingHistogram::new();
        for &v in &values {
            h.add(energy(v));
        }
        // Exact: absolute gate, relative gate −20 LU below the mean energy, sorted values at
        // round((n − 1)·0.10) and round((n − 1)·0.95).
        let above: Vec<f64> = values.iter().copied().filter(|&l| l > -70.0).collect();
        let mean = above.iter().map(|&l| energy(l)).sum::<f64>() / above.len() as f64;
        let gate = lufs(mean) - 20.0;
        let mut gated: Vec<f64> = above.into_iter().filter(|&l| l > gate).collect();
        gated.sort_by(f64::total_cmp);
        let m = gated.len() - 1;
        let exact =
            gated[(m as f64 * 0.95).round() as usize] - gated[(m as f64 * 0.10).round() as usize];
        let got = h.loudness_range_lu();
        println!(
            "gate {gate:.3} LUFS, {} values: LRA {got:.4} vs exact {exact:.4}",
            gated.len()
        );
        assert_eq!(gated.len(), 405);
        assert!((got - exact).abs() <= 0.0101, "{got} {exact}");
    }
}
