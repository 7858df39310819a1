//! The provisional loudness range, FTZ/DAZ and non-finite input.

use super::*;

#[test]
fn lra_is_provisional_until_60_s_of_running_programme() {
    let fs = 48_000.0;
    let p = stereo_1k(fs, &[(-23.0, 1.0)]);
    let mut m = meter(fs, 2);
    assert!(m.lra_is_provisional());
    // 30 s running, 10 s paused (not programme), 29.9 s running: 59.9 s of programme.
    let run = |m: &mut LoudnessMeter, tenths: usize| {
        for _ in 0..tenths {
            m.process_stereo(&p[0][..4800], &p[1][..4800]);
        }
    };
    run(&mut m, 300);
    m.set_running(false);
    run(&mut m, 100);
    m.set_running(true);
    run(&mut m, 299);
    m.process_stereo(&p[0][..4799], &p[1][..4799]);
    assert!(m.lra_is_provisional(), "one sample short of 60 s");
    m.process_stereo(&p[0][..1], &p[1][..1]);
    assert!(!m.lra_is_provisional(), "60 s");
    m.reset();
    assert!(m.lra_is_provisional(), "after reset");
}

#[test]
fn readings_are_identical_with_flush_to_zero() {
    // Loud programme, silence, then noise at denormal level (≈ −780 dBFS) and a
    // −72 dBFS tone: the filter states decay towards the denormal range.
    let fs = 48_000.0;
    let tiny: Programme = programme(fs, 2.0, 12)
        .into_iter()
        .map(|c| c.iter().map(|x| x * 1e-38).collect())
        .collect();
    let p = concat(&[
        programme(fs, 8.0, 11),
        stereo_1k(fs, &[(-300.0, 3.0)]),
        tiny,
        stereo_1k(fs, &[(-72.0, 1.0)]),
    ]);
    let readings = |m: &LoudnessMeter| {
        [
            m.momentary_lufs(),
            m.short_term_lufs(),
            m.integrated_lufs(),
            m.loudness_range_lu(),
            m.true_peak_max_dbtp(),
            m.sample_peak_max_dbfs(),
            m.max_momentary_lufs(),
            m.max_short_term_lufs(),
            m.psr_lu(),
            m.plr_lu(),
        ]
    };
    let mut first = None;
    crate::test_util::with_and_without_ftz(|ftz| {
        let mut trace = Vec::new();
        let mut m = meter(fs, 2);
        feed(&mut m, &p, 480, |m| trace.push(readings(m)));
        // Tech 3341 case 4 as well.
        let case4 = stereo_1k(
            fs,
            &[
                (-72.0, 10.0),
                (-36.0, 10.0),
                (-23.0, 60.0),
                (-36.0, 10.0),
                (-72.0, 10.0),
            ],
        );
        let i = measure(fs, &case4).integrated_lufs();
        assert!((i + 23.0).abs() <= 0.1, "ftz {ftz}: 3341-4 {i}");
        trace.push([i; 10]);
        match &first {
            None => first = Some(trace),
            Some(f) => assert!(*f == trace, "readings differ with FTZ/DAZ"),
        }
    });
}

#[test]
fn nan_reads_as_zero_and_infinity_as_the_clamp() {
    // The header's sanitising: a programme with NaN samples reads exactly as the same
    // programme with zeros there, and ±Inf exactly as ±1e30.
    let fs = 48_000.0;
    let p = programme(fs, 5.0, 13);
    let with = |bad: f32| -> Programme {
        let mut q = p.clone();
        for i in (1000..200_000).step_by(7919) {
            q[i % 2][i] = if bad.is_nan() {
                bad
            } else {
                bad.copysign(q[i % 2][i])
            };
        }
        q
    };
    let readings = |q: &Programme| {
        let mut m = meter(fs, 2);
        let mut trace = Vec::new();
        feed(&mut m, q, 480, |m| {
            trace.push([
                m.momentary_lufs(),
                m.short_term_lufs(),
                m.integrated_lufs(),
                m.true_peak_max_dbtp(),
                m.sample_peak_max_dbfs(),
            ])
        });
        trace
    };
    assert!(readings(&with(f32::NAN)) == readings(&with(0.0)), "NaN");
    let inf = readings(&with(f32::INFINITY));
    assert!(inf == readings(&with(1e30)), "Inf");
    assert!(inf.iter().flatten().all(|v| v.is_finite()));
}
