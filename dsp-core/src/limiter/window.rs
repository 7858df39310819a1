//! The limiter's attack shaper: a sliding-window minimum of the required gain followed by
//! two moving averages (box filters), the construction of the "hold + cascaded box"
//! brickwall limiters (e.g. G. Wichern's and the x42 dpl design; D. Giannoulis et al. call
//! the minimum a "peak hold" with zero release): with a hold of `K + 1` samples and boxes
//! of `K₁ + K₂ − 1 = K`, every output `g[n]` is a weighted mean (non-negative weights
//! summing to 1) of hold outputs that all contain the inputs `r[n − K]` and `r[n − K + 1]`,
//! so `g[n] ≤ min(r[n − K], r[n − K + 1])`: the gain has fully arrived `K` samples after the
//! requirement entered, whatever the signal. The two boxes convolve into a trapezoid
//! (triangle when `K₁ = K₂`), so a step in `r` becomes a piecewise-quadratic S-curve over
//! `K` samples: no corner in the gain (continuous slope).
//!
//! The minimum is Lemire's monotonic wedge (D. Lemire, "Streaming maximum-minimum filter
//! using no more than three comparisons per element", Nordic J. Computing 13(4), 2006),
//! amortised O(1) per sample. Box sums are `f64`, re-summed exactly once per wrap of their
//! ring so rounding never accumulates. Rings are sized for the largest window in
//! `prepare`; changing the window never allocates and restarts the stage at the smallest
//! gain it held (conservative: the gain can only be lower than required, never higher).

/// A moving average of `len` samples over a ring (allocated for `max_len`).
#[derive(Clone, Debug, Default)]
struct BoxFilter {
    /// Last `len` inputs.
    ring: Vec<f32>,
    /// Window length (≥ 1).
    len: usize,
    /// Next write index.
    pos: usize,
    /// Sum of the ring's first `len` entries.
    sum: f64,
    /// `1/len`.
    inv_len: f64,
}

impl BoxFilter {
    fn prepare(&mut self, max_len: usize) {
        self.ring = vec![1.0; max_len.max(1)];
        self.configure(1, 1.0);
    }

    /// Sets the length and fills the window with `value`.
    fn configure(&mut self, len: usize, value: f32) {
        self.len = len.clamp(1, self.ring.len().max(1));
        self.ring[..self.len].fill(value);
        self.pos = 0;
        self.sum = f64::from(value) * self.len as f64;
        self.inv_len = 1.0 / self.len as f64;
    }

    /// Smallest value in the window.
    fn min(&self) -> f32 {
        self.ring[..self.len].iter().fold(1.0, |m, &v| m.min(v))
    }

    #[inline(always)]
    fn tick(&mut self, x: f32) -> f32 {
        let old = self.ring[self.pos];
        self.ring[self.pos] = x;
        self.sum += f64::from(x) - f64::from(old);
        self.pos += 1;
        if self.pos == self.len {
            self.pos = 0;
            self.sum = self.ring[..self.len].iter().map(|&v| f64::from(v)).sum();
        }
        (self.sum * self.inv_len) as f32
    }
}

/// Hold (sliding minimum) + two boxes over a total window `K` (see the module header).
#[derive(Clone, Debug, Default)]
pub(crate) struct WindowEnvelope {
    /// Wedge values (ring, capacity a power of two ≥ hold + 1).
    wedge_val: Vec<f32>,
    /// Wedge entry times.
    wedge_time: Vec<u64>,
    /// `capacity − 1`.
    mask: usize,
    /// Index of the wedge's front (oldest, smallest).
    head: usize,
    /// Entries in the wedge.
    count: usize,
    /// Samples seen (time of the next input).
    time: u64,
    /// Hold length `K + 1`.
    hold: u64,
    /// First box.
    box_a: BoxFilter,
    /// Second box.
    box_b: BoxFilter,
    /// Total window `K`.
    window: usize,
}

impl WindowEnvelope {
    /// Allocates for windows up to `max_window` samples (and selects that window; call
    /// [`WindowEnvelope::set_window`] for another).
    pub fn prepare(&mut self, max_window: usize) {
        let cap = (max_window + 2).next_power_of_two();
        self.wedge_val = vec![1.0; cap];
        self.wedge_time = vec![0; cap];
        self.mask = cap - 1;
        self.box_a.prepare(max_window.div_ceil(2) + 1);
        self.box_b.prepare(max_window.div_ceil(2) + 1);
        self.window = 0;
        self.set_window(max_window.max(1));
        self.reset();
    }

    /// Back to unity gain.
    pub fn reset(&mut self) {
        self.restart(1.0);
    }

    /// Sets `K` (clamped to the prepared maximum). A change restarts the stage at the
    /// smallest gain it currently holds.
    pub fn set_window(&mut self, window: usize) {
        let max = (self.box_a.ring.len() + self.box_b.ring.len()).saturating_sub(1);
        let window = window.clamp(1, max.max(1));
        if window == self.window {
            return;
        }
        let held = self.smallest_held();
        self.window = window;
        self.hold = window as u64 + 1;
        self.restart(held);
    }

    /// Smallest gain anywhere in the stage (wedge and boxes).
    fn smallest_held(&self) -> f32 {
        let mut m = self.box_a.min().min(self.box_b.min());
        for k in 0..self.count {
            m = m.min(self.wedge_val[(self.head + k) & self.mask]);
        }
        m
    }

    /// Fills every part with `value`.
    fn restart(&mut self, value: f32) {
        let k = self.window.max(1);
        let len_a = (k + 1).div_ceil(2);
        self.box_a.configure(len_a, value);
        self.box_b.configure(k + 1 - len_a, value);
        self.head = 0;
        self.count = 1;
        self.wedge_val[0] = value;
        self.wedge_time[0] = 0;
        self.time = 1;
    }

    /// Copies the whole state of `other` (same preparation) without allocating.
    pub fn copy_state_from(&mut self, other: &Self) {
        self.wedge_val.copy_from_slice(&other.wedge_val);
        self.wedge_time.copy_from_slice(&other.wedge_time);
        self.mask = other.mask;
        self.head = other.head;
        self.count = other.count;
        self.time = other.time;
        self.hold = other.hold;
        self.window = other.window;
        for (dst, src) in [
            (&mut self.box_a, &other.box_a),
            (&mut self.box_b, &other.box_b),
        ] {
            dst.ring.copy_from_slice(&src.ring);
            dst.len = src.len;
            dst.pos = src.pos;
            dst.sum = src.sum;
            dst.inv_len = src.inv_len;
        }
    }

    /// Replaces each required gain in `buf` by the shaped gain.
    pub fn process(&mut self, buf: &mut [f32]) {
        for x in buf.iter_mut() {
            let v = *x;
            // Drop entries from the back that are not smaller than the new one.
            while self.count > 0 && self.wedge_val[(self.head + self.count - 1) & self.mask] >= v {
                self.count -= 1;
            }
            let slot = (self.head + self.count) & self.mask;
            self.wedge_val[slot] = v;
            self.wedge_time[slot] = self.time;
            self.count += 1;
            // Drop the front once it has left the hold window.
            if self.wedge_time[self.head] + self.hold <= self.time {
                self.head = (self.head + 1) & self.mask;
                self.count -= 1;
            }
            self.time += 1;
            let held = self.wedge_val[self.head];
            *x = self.box_b.tick(self.box_a.tick(held));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Direct reference: hold = min over the last K+1 inputs (unity before the start),
    /// then the two boxes as plain means over their last samples.
    fn reference(r: &[f32], k: usize) -> Vec<f64> {
        let len_a = (k + 1).div_ceil(2);
        let len_b = k + 1 - len_a;
        let at = |v: &[f64], i: isize| if i < 0 { 1.0 } else { v[i as usize] };
        let r64: Vec<f64> = r.iter().map(|&v| f64::from(v)).collect();
        let hold: Vec<f64> = (0..r.len() as isize)
            .map(|n| {
                (0..=k as isize)
                    .map(|j| at(&r64, n - j))
                    .fold(1.0, f64::min)
            })
            .collect();
        let a: Vec<f64> = (0..r.len() as isize)
            .map(|n| (0..len_a as isize).map(|j| at(&hold, n - j)).sum::<f64>() / len_a as f64)
            .collect();
        (0..r.len() as isize)
            .map(|n| (0..len_b as isize).map(|j| at(&a, n - j)).sum::<f64>() / len_b as f64)
            .collect()
    }

    #[test]
    fn matches_the_direct_formula_and_meets_every_requirement_in_time() {
        let mut rng = fastrand::Rng::with_seed(5);
        for k in [1, 2, 3, 10, 47, 240] {
            let r: Vec<f32> = (0..3000)
                .map(|_| {
                    if rng.f32() < 0.05 {
                        rng.f32()
                    } else {
                        1.0 - 0.1 * rng.f32()
                    }
                })
                .collect();
            let mut env = WindowEnvelope::default();
            env.prepare(300);
            env.set_window(k);
            let mut g = r.clone();
            for b in g.chunks_mut(37) {
                env.process(b);
            }
            let want = reference(&r, k);
            for n in 0..r.len() {
                assert!((f64::from(g[n]) - want[n]).abs() < 1e-6, "k {k} n {n}");
                if n >= k {
                    let need = r[n - k].min(r[n - k + 1]);
                    assert!(
                        g[n] <= need * (1.0 + 1e-6),
                        "k {k} n {n}: {} > {need}",
                        g[n]
                    );
                }
            }
        }
    }

    #[test]
    fn a_step_is_a_smooth_s_curve_over_the_window() {
        let k = 100;
        let mut env = WindowEnvelope::default();
        env.prepare(k);
        env.set_window(k);
        let mut g = vec![1.0_f32; 400];
        g[200..].fill(0.5);
        env.process(&mut g);
        // Starts after the step enters, lands exactly K samples later.
        assert_eq!(g[199], 1.0);
        assert!(g[200] < 1.0);
        assert!((g[200 + k] - 0.5).abs() < 1e-6);
        // No corner: the slope changes by at most (depth / K²)·4 per sample.
        let bound = 0.5 * 4.0 / (k * k) as f32 + 1e-6;
        for n in 199..320 {
            let curv = (g[n + 1] - 2.0 * g[n] + g[n - 1]).abs();
            assert!(curv <= bound, "n {n}: second difference {curv} > {bound}");
        }
    }

    #[test]
    fn changing_the_window_never_raises_the_gain() {
        let mut env = WindowEnvelope::default();
        env.prepare(500);
        env.set_window(200);
        let mut g = vec![0.3_f32; 50];
        env.process(&mut g);
        let before = g[49];
        env.set_window(20);
        let mut g = vec![1.0_f32; 5];
        env.process(&mut g);
        assert!(g.iter().all(|&v| v <= before.max(0.3) + 1e-6), "{g:?}");
        let mut other = WindowEnvelope::default();
        other.prepare(500);
        other.copy_state_from(&env);
        let (mut a, mut b) = (vec![0.9_f32; 300], vec![0.9_f32; 300]);
        env.process(&mut a);
        other.process(&mut b);
        assert_eq!(a, b);
    }
}
