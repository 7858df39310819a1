//! A plain four-lane `f32` vector for the steady-state filter loops (STYLE §15: code
//! that auto-vectorises on stable Rust, no `unsafe`, no dependency). Every operation is
//! written lane by lane on a 16-byte aligned array. Stereo loops put left and right in
//! lanes 0 and 1 (the other two stay zero), so one loop body serves both channels and
//! their two independent dependency chains overlap. In the release build of the SVF
//! loops (checked in the assembly) LLVM emits the two live lanes as scalar SSE code and
//! drops lanes 2 and 3 entirely — provided the loop never stores them: a loop that
//! writes all four lanes back keeps them alive, and the extra registers spill into the
//! recursion (`SplitRegs::stereo_lanes`).
//!
//! The kernels are generic over [`Lane`], implemented for `f32` (mono loops) and
//! [`F32x4`]; the per-sample `tick` methods remain the scalar reference the tests
//! compare against.

use std::ops::{Add, Mul, Sub};

/// Arithmetic a steady-state kernel needs: `f32` or [`F32x4`].
pub(crate) trait Lane:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self>
{
    /// The same value in every lane.
    fn splat(v: f32) -> Self;
}

impl Lane for f32 {
    #[inline(always)]
    fn splat(v: f32) -> Self {
        v
    }
}

/// Four `f32` lanes, 16-byte aligned.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C, align(16))]
pub(crate) struct F32x4(pub [f32; 4]);

impl F32x4 {
    /// `[a, b, 0, 0]`: a stereo sample.
    #[inline(always)]
    pub fn pair(a: f32, b: f32) -> Self {
        Self([a, b, 0.0, 0.0])
    }
}

impl Lane for F32x4 {
    #[inline(always)]
    fn splat(v: f32) -> Self {
        Self([v; 4])
    }
}

macro_rules! lane_op {
    ($tr:ident, $f:ident, $op:tt) => {
        impl $tr for F32x4 {
            type Output = Self;
            #[inline(always)]
            fn $f(self, o: Self) -> Self {
                let (a, b) = (self.0, o.0);
                Self([a[0] $op b[0], a[1] $op b[1], a[2] $op b[2], a[3] $op b[3]])
            }
        }
    };
}
lane_op!(Add, add, +);
lane_op!(Sub, sub, -);
lane_op!(Mul, mul, *);

/// `v.iter().fold(init, |m, &x| m.max(x))`, eight lanes at a time so the comparisons do
/// not form one serial chain. Exact (`max` does not round, NaN is ignored either way), so
/// the result is the serial fold's bit for bit.
pub(crate) fn fold_max(init: f32, v: &[f32]) -> f32 {
    let mut lanes = [init; 8];
    let mut chunks = v.chunks_exact(8);
    for c in &mut chunks {
        for (m, &x) in lanes.iter_mut().zip(c) {
            *m = m.max(x);
        }
    }
    let tail = chunks.remainder().iter().fold(init, |m, &x| m.max(x));
    reduce8(lanes, tail, f32::max)
}

/// `v.iter().fold(init, |m, &x| m.min(x))`, as [`fold_max`].
pub(crate) fn fold_min(init: f32, v: &[f32]) -> f32 {
    let mut lanes = [init; 8];
    let mut chunks = v.chunks_exact(8);
    for c in &mut chunks {
        for (m, &x) in lanes.iter_mut().zip(c) {
            *m = m.min(x);
        }
    }
    let tail = chunks.remainder().iter().fold(init, |m, &x| m.min(x));
    reduce8(lanes, tail, f32::min)
}

/// `v.iter().fold(init, |m, x| m.max(x.abs()))` (a peak meter), eight lanes at a time
/// as [`fold_max`]; exact, so equal to the serial fold.
pub(crate) fn fold_max_abs(init: f32, v: &[f32]) -> f32 {
    let mut lanes = [init; 8];
    let mut chunks = v.chunks_exact(8);
    for c in &mut chunks {
        for (m, &x) in lanes.iter_mut().zip(c) {
            *m = m.max(x.abs());
        }
    }
    let tail = chunks.remainder().iter().fold(init, |m, &x| m.max(x.abs()));
    reduce8(lanes, tail, f32::max)
}

/// `f(tail, f(lanes…))` by halving (8 → 4 → 2 → 1: three vector steps, not eight serial
/// ones; these folds run several times per block). `f` is `max` or `min`: exact and
/// NaN-ignoring, so the order does not change the value.
#[inline(always)]
fn reduce8(lanes: [f32; 8], tail: f32, f: fn(f32, f32) -> f32) -> f32 {
    let q: [f32; 4] = std::array::from_fn(|k| f(lanes[k], lanes[k + 4]));
    let h = [f(q[0], q[2]), f(q[1], q[3])];
    f(tail, f(h[0], h[1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lane folds against the serial folds they document: every length 0..=40 plus
    /// a block of 64 and 500, with NaNs sprinkled in, for finite and NaN starting values.
    #[test]
    fn folds_equal_the_serial_folds() {
        let noise = crate::test_util::noise(600, 9);
        let same = |a: f32, b: f32| a == b || (a.is_nan() && b.is_nan());
        let lens = (0..=40_usize).chain([64, 500]);
        for len in lens {
            for nan_at in [None, Some(0), Some(len / 2), Some(len.saturating_sub(1))] {
                // Scaled so the extremes differ from sample to sample.
                let mut v: Vec<f32> = noise[..len]
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| x * (1.0 + i as f32 * 0.01))
                    .collect();
                if let Some(k) = nan_at.filter(|&k| k < len) {
                    v[k] = f32::NAN;
                }
                for init in [0.0, -0.3, 0.2, 5.0, -5.0, f32::NAN] {
                    let max = v.iter().fold(init, |m, &x| m.max(x));
                    let min = v.iter().fold(init, |m, &x| m.min(x));
                    let abs = v.iter().fold(init, |m, &x| m.max(x.abs()));
                    assert!(same(fold_max(init, &v), max), "max {len} {init}");
                    assert!(same(fold_min(init, &v), min), "min {len} {init}");
                    assert!(same(fold_max_abs(init, &v), abs), "abs {len} {init}");
                }
            }
        }
    }
}
