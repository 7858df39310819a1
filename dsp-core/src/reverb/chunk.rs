//! The settled path of [`Reverb`]: while no setting ramps and the network's lengths and
//! gains stand still, samples are processed a chunk at a time (at most one grid step),
//! stage by stage, so the stages without a per-sample recursion (reflection taps,
//! pre-delay, the diffusers, the output mix) run as loops over time that vectorise. Every
//! sample goes through exactly the arithmetic of [`Reverb::tick`], in the same order, so
//! the output is bit for bit the per-sample path's (a test compares them) and block size
//! still never changes it.

use super::input_delay::MAX_CHUNK;
use super::{
    clean_input, Reverb, DIFFUSER_GAIN, EARLY_GAIN, GRID_SAMPLES, INJECT_GAIN, INJECT_SIGN,
    MAX_WET_INPUT, R, TAIL_FLOOR,
};

impl Reverb {
    /// Length of the chunk the settled path may take now (0: use [`Reverb::tick`]): up to
    /// the next grid point, `available` samples, the shortest diffuser stage, and short of
    /// the sample at which the reverb could fall asleep.
    pub(super) fn chunk_len(&self, available: usize) -> usize {
        if self.moving || self.asleep || !self.fdn.is_steady() {
            return 0;
        }
        #[cfg(test)]
        if self.force_tick {
            return 0;
        }
        let to_grid = (GRID_SAMPLES - self.clock % GRID_SAMPLES) as usize;
        let n = available
            .min(to_grid)
            .min(MAX_CHUNK)
            .min(self.diffuser.min_delay());
        // `quiet` may grow by n without reaching `sleep_after`, so `tick` sees the sample
        // at which the reverb falls asleep. Frozen, it never sleeps: the chunks go on
        // (otherwise silence into a frozen reverb took the slower per-sample path for good).
        if self.now[R::Freeze as usize] == 0.0
            && self.quiet.saturating_add(n as u64) >= self.sleep_after
        {
            return 0;
        }
        n
    }

    /// Processes `left`/`right` (length from [`Reverb::chunk_len`]) in place; returns the
    /// peak |output|.
    pub(super) fn process_chunk(&mut self, left: &mut [f32], right: &mut [f32]) -> f32 {
        let n = left.len().min(right.len()).min(MAX_CHUNK);
        if self.clock.is_multiple_of(GRID_SAMPLES) {
            self.fdn.sanitize();
            self.input.flush();
        }
        self.clock += n as u64;
        let mut xl = [0.0_f32; MAX_CHUNK];
        let mut xr = [0.0_f32; MAX_CHUNK];
        for i in 0..n {
            xl[i] = clean_input(left[i]);
            xr[i] = clean_input(right[i]);
        }
        // Input filters (the tank is fed at most ±MAX_WET_INPUT; the dry path keeps xl/xr).
        let mut cl = [0.0_f32; MAX_CHUNK];
        let mut cr = [0.0_f32; MAX_CHUNK];
        for i in 0..n {
            cl[i] = xl[i].clamp(-MAX_WET_INPUT, MAX_WET_INPUT);
            cr[i] = xr[i].clamp(-MAX_WET_INPUT, MAX_WET_INPUT);
        }
        let mut fl = [0.0_f32; MAX_CHUNK];
        let mut fr = [0.0_f32; MAX_CHUNK];
        self.input
            .process_chunk([&cl[..n], &cr[..n]], [&mut fl[..n], &mut fr[..n]]);
        // Reflections and pre-delay, then the diffusers (vectorised over time).
        let mut el = [0.0_f32; MAX_CHUNK];
        let mut er = [0.0_f32; MAX_CHUNK];
        let mut dl = [0.0_f32; MAX_CHUNK];
        let mut dr = [0.0_f32; MAX_CHUNK];
        self.pre.process_chunk(
            [&fl[..n], &fr[..n]],
            &self.tap_gain,
            [&mut el[..n], &mut er[..n]],
            [&mut dl[..n], &mut dr[..n]],
        );
        let g = self.now[R::Diffusion as usize];
        self.diffuser
            .process_chunk(&mut dl[..n], &mut dr[..n], g, &DIFFUSER_GAIN);
        // The late network (per sample).
        let feed = INJECT_GAIN * (1.0 - self.now[R::Freeze as usize]);
        let gains = INJECT_SIGN.map(|s| feed * s);
        let mut ll = [0.0_f32; MAX_CHUNK];
        let mut lr = [0.0_f32; MAX_CHUNK];
        let mut energy = [0.0_f32; MAX_CHUNK];
        self.fdn.process_chunk(
            &gains,
            [&dl[..n], &dr[..n]],
            [&mut ll[..n], &mut lr[..n]],
            &mut energy[..n],
        );
        // Output mix and sleep bookkeeping.
        let mix = self.now[R::Mix as usize];
        let b = self.now[R::EarlyLate as usize];
        let (eg, lg) = ((2.0 - 2.0 * b).min(1.0) * EARLY_GAIN, (2.0 * b).min(1.0));
        let w = self.now[R::Width as usize];
        let mut peak = 0.0_f32;
        for i in 0..n {
            let (wl, wr) = (eg * el[i] + lg * ll[i], eg * er[i] + lg * lr[i]);
            let (mid, side) = (0.5 * (wl + wr), 0.5 * (wl - wr) * w);
            let (wl, wr) = (mid + side, mid - side);
            let e = energy[i]
                + (fl[i] * fl[i]
                    + fr[i] * fr[i]
                    + dl[i] * dl[i]
                    + dr[i] * dr[i]
                    + el[i] * el[i]
                    + er[i] * er[i]);
            if xl[i] == 0.0 && xr[i] == 0.0 && e <= TAIL_FLOOR * TAIL_FLOOR {
                // `chunk_len` keeps this below `sleep_after` unless frozen.
                self.quiet = self.quiet.saturating_add(1);
            } else {
                self.quiet = 0;
            }
            let (l, r) = (
                (1.0 - mix) * xl[i] + mix * wl,
                (1.0 - mix) * xr[i] + mix * wr,
            );
            peak = peak.max(l.abs()).max(r.abs());
            left[i] = l;
            right[i] = r;
        }
        peak
    }
}
