//! Switch cross-fades: listen and L/R–M/S changes blend the old output path into the new
//! one linearly over `PARAM_RAMP_MS`; a lookahead change cross-fades the read position.

use super::*;

/// Runs `first` for `at` samples and `then` afterwards, in blocks of `block`.
fn switched(
    first: &CompressorSettings,
    then: &CompressorSettings,
    at: usize,
    x: &[f32],
    xr: &[f32],
    block: usize,
) -> (Vec<f32>, Vec<f32>) {
    let mut c = comp(FS, 2, first);
    let (mut l, mut r) = (x.to_vec(), xr.to_vec());
    let mut start = 0;
    while start < l.len() {
        let end = (start + block).min(if start < at { at } else { l.len() });
        if start == at {
            c.set(then);
        }
        c.process_stereo(&mut [&mut l[start..end], &mut r[start..end]], None);
        start = end;
    }
    (l, r)
}

/// Ramp length in samples at `FS`.
fn fade_len() -> usize {
    (PARAM_RAMP_MS * 1e-3 * FS).round() as usize
}

#[test]
fn listen_switches_blend_the_two_outputs_linearly() {
    // The detector does not depend on what is heard, so the switched output must be the
    // fixed-old and fixed-new outputs blended with weights (k + 1)/L, k = 0..L.
    let (x, xr) = (programme(12_000, 71), programme(12_000, 72));
    let at = 4_000;
    let len = fade_len();
    let paths = [Listen::Off, Listen::Delta, Listen::Sidechain];
    for &from in &paths {
        for &to in &paths {
            if from == to {
                continue;
            }
            let s = |listen| CompressorSettings {
                listen,
                ..busy_settings()
            };
            let (a, b) = (s(from), s(to));
            let fixed_old = switched(&a, &a, at, &x, &xr, 64);
            let fixed_new = switched(&b, &b, at, &x, &xr, 64);
            for block in [1, 64, 333] {
                let got = switched(&a, &b, at, &x, &xr, block);
                for (ch, (g, (o, n))) in [
                    (&got.0, (&fixed_old.0, &fixed_new.0)),
                    (&got.1, (&fixed_old.1, &fixed_new.1)),
                ]
                .into_iter()
                .enumerate()
                {
                    for i in 0..x.len() {
                        let w = if i < at {
                            0.0
                        } else {
                            ((i - at + 1) as f32 / len as f32).min(1.0)
                        };
                        let want = o[i] + w * (n[i] - o[i]);
                        assert!(
                            (g[i] - want).abs() <= 1e-5,
                            "{from:?} -> {to:?} block {block} ch {ch} i {i}: {} vs {want}",
                            g[i]
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn stereo_mode_switches_do_not_click() {
    // Left loud, right quiet, unlinked: L/R and M/S gains differ, so a hard switch steps
    // the output. With the cross-fade every step stays within the larger of the two fixed
    // outputs' own steps plus their difference spread over the fade (the bound of a linear
    // blend), with 10 % and 1e-4 of slack.
    let n = 12_000;
    let x = sine(n, FS, 150.0, 0.9);
    let xr = sine(n, FS, 230.0, 0.05);
    let at = 4_000;
    let len = fade_len();
    for (from, to) in [
        (StereoMode::LeftRight, StereoMode::MidSide),
        (StereoMode::MidSide, StereoMode::LeftRight),
    ] {
        let s = |stereo_mode| CompressorSettings {
            threshold_db: -30.0,
            ratio: 8.0,
            knee_db: 0.0,
            attack_ms: 1.0,
            release_ms: 50.0,
            link: 0.0,
            stereo_mode,
            ..Default::default()
        };
        let (a, b) = (s(from), s(to));
        let (o, nw) = (
            switched(&a, &a, at, &x, &xr, 64),
            switched(&b, &b, at, &x, &xr, 64),
        );
        let got = switched(&a, &b, at, &x, &xr, 64);
        let win = at - 8..at + len + 8;
        for (g, (o, nw)) in [(&got.0, (&o.0, &nw.0)), (&got.1, (&o.1, &nw.1))] {
            let own = max_step(&o[win.clone()]).max(max_step(&nw[win.clone()]));
            let gap = win
                .clone()
                .map(|i| (o[i] - nw[i]).abs())
                .fold(0.0_f32, f32::max);
            let bound = 1.1 * (own + gap / len as f32) + 1e-4;
            let step = max_step(&g[win.clone()]);
            println!("{from:?} -> {to:?}: step {step:.5}, bound {bound:.5}, gap {gap:.4}");
            assert!(step <= bound, "{from:?} -> {to:?}: step {step} > {bound}");
        }
    }
}

#[test]
fn lookahead_changes_cross_fade_the_delay() {
    // No compression (threshold 0 dB, 0.5 peak): the output is the input delayed. From 0
    // to 20 ms and back, the read position cross-fades, so each step stays within a
    // 130 Hz sine's largest step plus the largest difference over the fade (2A/L); a jump
    // would step by up to 2A.
    let n = 12_000;
    let amp = 0.5_f32;
    let x = sine(n, FS, 130.0, amp);
    let len = fade_len();
    for (from, to) in [(0.0, 20.0), (20.0, 0.0), (3.0, 11.0)] {
        let s = |lookahead_ms| CompressorSettings {
            threshold_db: 0.0,
            lookahead_ms,
            ..Default::default()
        };
        let (got, _) = switched(&s(from), &s(to), 4_000, &x, &x, 64);
        let sine_step = 2.0 * std::f32::consts::PI * 130.0 / FS * amp;
        let bound = sine_step + 2.0 * amp / len as f32 + 1e-5;
        let step = max_step(&got[3_000..]);
        println!("lookahead {from} -> {to} ms: step {step:.5}, bound {bound:.5}");
        assert!(step <= bound, "{from} -> {to}: step {step} > {bound}");
        // After the fade: exactly the input delayed by the new lookahead.
        let d = (to * 1e-3 * FS).round() as usize;
        for i in 4_000 + len..n {
            assert_eq!(got[i], x[i - d], "{from} -> {to} i {i}");
        }
    }
}
