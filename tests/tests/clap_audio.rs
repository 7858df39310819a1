//! CLAP audio: sample rates and block sizes, block-size invariance, reset, sample-accurate
//! automation, bypass and latency.
//!
//! Each test runs in its own child process (see `lacquer_host_tests::isolate`): an abort in a
//! plugin (an allocation in `process()` under `assert_process_allocs`, a panic in a callback)
//! fails that test by name instead of killing the test binary.

use lacquer_host_tests::prelude::*;
use lacquer_host_tests::signal::{arrival, assert_gain_step_at, impulse, onset};

/// Sample rates a DAW may run at; every one must activate and process.
const SAMPLE_RATES: &[f64] = &[44_100.0, 48_000.0, 88_200.0, 96_000.0, 192_000.0];
/// Rates at the edges: must not crash (activation may be refused, processing must be sane).
const EDGE_SAMPLE_RATES: &[f64] = &[8_000.0, 384_000.0];
/// Maximum block sizes.
const MAX_BLOCKS: &[u32] = &[1, 2, 3, 16, 64, 256, 512, 1024, 4096, 8192];

// --- Activation: sample rates and block sizes ---------------------------------------------

host_test!(activates_at_every_rate_and_block_size, {
    for_each_plugin("activation matrix", |spec, entry| {
        // One instance re-activated through the whole matrix, as a DAW does when the user
        // changes the audio device; plus a fresh instance per rate.
        let mut reused = instance(entry, spec);
        let mut rng = fastrand::Rng::with_seed(5);
        for &rate in SAMPLE_RATES.iter().chain(EDGE_SAMPLE_RATES) {
            let edge = EDGE_SAMPLE_RATES.contains(&rate);
            for &max_block in MAX_BLOCKS {
                step(spec.name, &format!("{rate} Hz, max block {max_block}"));
                let config = AudioConfig::new(rate, max_block);
                for inst in [&mut reused, &mut instance(entry, spec)] {
                    match inst.activate(config) {
                        Ok(()) => {}
                        Err(e) if edge => {
                            step(spec.name, &format!("refused edge rate {rate}: {e}"));
                            continue;
                        }
                        Err(e) => panic!("{}: {e}", spec.name),
                    }
                    let len = (max_block as usize * 3).max(2048);
                    let input = music(spec.ports.main_in as usize, len, rate, 6);
                    let fixed = inst.render(&input, None, &[], || max_block as usize);
                    assert!(
                        first_non_finite(&fixed).is_none(),
                        "{}: {rate}/{max_block}",
                        spec.name
                    );
                    let out = inst.render(&input, None, &[], || rng.usize(1..=max_block as usize));
                    assert!(
                        first_non_finite(&out).is_none(),
                        "{}: {rate}/{max_block} random",
                        spec.name
                    );
                    inst.deactivate();
                }
            }
        }
    });
});

host_test!(random_block_sizes_match_fixed_blocks, {
    require_some_plugin("block-size invariant DSP", |s| s.block_size_invariant);
    for_each_plugin("block-size invariance", |spec, entry| {
        if !spec.block_size_invariant {
            step(
                spec.name,
                "table says the DSP is not block-size invariant: skipped",
            );
            return;
        }
        let len = 48_000;
        let input = music(spec.ports.main_in as usize, len, 48_000.0, 7);
        let mut rng = fastrand::Rng::with_seed(8);
        for round in 0..4 {
            // Settings at the start, then automation of random parameters at random samples,
            // so the sample-accurate splits have to line up too.
            let mut changes = changes_at(0, &random_settings(spec, &mut rng));
            for _ in 0..40 {
                let p = &spec.params[rng.usize(..spec.params.len())];
                if p.bypass {
                    continue;
                }
                changes.push(ParamChange {
                    time: rng.usize(..len),
                    id: p.clap_id(),
                    value: random_value(p.kind, &mut rng),
                });
            }
            let config = AudioConfig::new(48_000.0, 4096);
            let render = |blocks: &mut dyn FnMut() -> usize| {
                let mut inst = instance(entry, spec).activated(config);
                inst.render(&input, None, &changes, blocks)
            };
            let fixed = render(&mut || 512);
            let mut r = fastrand::Rng::with_seed(round);
            let random = render(&mut || r.usize(1..=4096));
            assert_identical(
                &fixed,
                &random,
                &format!("{} round {round}: random vs 512 blocks", spec.name),
            );
            if round == 0 {
                let single = render(&mut || 1);
                assert_identical(
                    &fixed,
                    &single,
                    &format!("{}: 1-sample vs 512 blocks", spec.name),
                );
            }
        }
    });
});

host_test!(reset_gives_the_same_output_as_a_fresh_instance, {
    for_each_plugin("reset", |spec, entry| {
        let input = music(spec.ports.main_in as usize, 24_000, 48_000.0, 9);
        let mut rng = fastrand::Rng::with_seed(10);
        let settings = random_settings(spec, &mut rng);
        let mut fresh = instance(entry, spec);
        set_params_inactive(&fresh, &settings);
        fresh.activate(DEFAULT_CONFIG).unwrap();
        let want = fresh.render(&input, None, &[], || 512);
        let mut used = instance(entry, spec);
        set_params_inactive(&used, &settings);
        used.activate(DEFAULT_CONFIG).unwrap();
        used.render(
            &noise(spec.ports.main_in as usize, 10_000, 1.0, 11),
            None,
            &[],
            || 512,
        );
        used.reset();
        let got = used.render(&input, None, &[], || 512);
        assert_identical(&want, &got, &format!("{}: after reset vs fresh", spec.name));
    });
});

// --- Sample-accurate automation -----------------------------------------------------------

host_test!(automation_is_sample_accurate_on_gain, {
    require_some_plugin("a gain parameter", |s| s.gain_param.is_some());
    for_each_plugin("sample-accurate gain automation", |spec, entry| {
        let Some(gain_id) = spec.gain_param else {
            step(spec.name, "no gain parameter in the table: skipped");
            return;
        };
        let gain = spec.param(gain_id);
        // -6.0206 dB halves the signal.
        let half = normalized(gain.kind, -6.0206);
        let block = 512;
        for &k in &[
            0usize,
            1,
            2,
            17,
            100,
            255,
            256,
            510,
            511,
            512 + 37,
            2 * 512 + 300,
        ] {
            let mut inst =
                instance(entry, spec).activated(AudioConfig::new(48_000.0, block as u32));
            let input = constant(spec.ports.main_in as usize, 16 * block, 1.0);
            let changes = [ParamChange {
                time: k,
                id: gain.clap_id(),
                value: half,
            }];
            let out = inst.render(&input, None, &changes, || block);
            assert_gain_step_at(&out, k, block, spec.name);
        }
    });
});

host_test!(automation_is_sample_accurate_on_pan, {
    require_some_plugin("the panner's pan parameter", |s| s.short == "panner");
    for_each_plugin("sample-accurate pan automation", |spec, entry| {
        if spec.short != "panner" {
            step(
                spec.name,
                "pan steps are checked on the panner only: skipped",
            );
            return;
        }
        let pan = spec.param("pan");
        let block = 256;
        for &k in &[0usize, 1, 63, 128, 255, 256 + 99] {
            for (target, side) in [(1.0, "hard right"), (0.0, "hard left"), (0.75, "37R")] {
                let mut inst =
                    instance(entry, spec).activated(AudioConfig::new(48_000.0, block as u32));
                let input = constant(2, 3 * block, 1.0);
                let changes = [ParamChange {
                    time: k,
                    id: pan.clap_id(),
                    value: target,
                }];
                let out = inst.render(&input, None, &changes, || block);
                assert_eq!(
                    onset(&out, 1.0),
                    Some(k),
                    "{}: pan to {side} at sample {k}: first change at {:?}",
                    spec.name,
                    onset(&out, 1.0)
                );
            }
        }
    });
});

// --- Bypass -------------------------------------------------------------------------------

host_test!(bypass_passes_audio_through, {
    require_some_plugin("a bypass parameter and main in = main out", |s| {
        s.params.iter().any(|p| p.bypass) && s.ports.main_in == s.ports.main_out
    });
    for_each_plugin("bypass", |spec, entry| {
        let Some(bypass) = spec.params.iter().find(|p| p.bypass) else {
            step(spec.name, "no bypass parameter: skipped");
            return;
        };
        if spec.ports.main_in != spec.ports.main_out {
            step(
                spec.name,
                "main in and out differ: pass-through not defined, skipped",
            );
            return;
        }
        let mut rng = fastrand::Rng::with_seed(18);
        let mut settings = random_settings(spec, &mut rng);
        // A lookahead changed while active moves the delay only once the host restarts the
        // plugin (`lookahead_change_is_announced_to_the_host`); keep the activation's
        // latency, which is what this test compares against.
        if let Latency::Lookahead { param, also } = spec.latency {
            for id in std::iter::once(&param).chain(also) {
                let id = spec.param(id).clap_id();
                settings.retain(|&(p, _)| p != id);
            }
        }
        settings.push((bypass.clap_id(), 1.0));
        let mut inst = instance(entry, spec).activated(DEFAULT_CONFIG);
        let latency = clap_ext::latency(&inst) as usize;
        let len = 48_000;
        let input = music(spec.ports.main_in as usize, len, 48_000.0, 19);
        let out = inst.render(&input, None, &changes_at(0, &settings), || 512);
        // After 200 ms of glide the output is the (latency-delayed) input, bit for bit.
        let from = 9600;
        let got: Vec<Vec<f32>> = out.iter().map(|c| c[from..].to_vec()).collect();
        let want: Vec<Vec<f32>> = input
            .iter()
            .map(|c| c[from - latency..len - latency].to_vec())
            .collect();
        assert_identical(
            &got,
            &want,
            &format!("{}: bypassed output vs input", spec.name),
        );
    });
});

host_test!(
    /// A pure meter (the Loudness meter) only reads: in every layout it offers, with random
    /// settings changed while it plays and random block sizes, the output is the input bit for
    /// bit, even for values a processor would sanitise (NaN, infinities, subnormals, -0).
    meter_output_is_the_input_bit_for_bit,
    {
        require_some_plugin("audio passed unchanged (a meter)", |s| {
            s.passes_audio_unchanged
        });
        for_each_plugin("meter pass-through", |spec, entry| {
            if !spec.passes_audio_unchanged {
                step(spec.name, "changes the audio: skipped");
                return;
            }
            let probe = instance(entry, spec);
            let configs = clap_ext::ports_configs(&probe);
            drop(probe);
            assert!(!configs.is_empty(), "{}: no audio-ports-config", spec.name);
            let bypass = spec.params.iter().find(|p| p.bypass);
            let mut rng = fastrand::Rng::with_seed(61);
            for config in configs {
                step(spec.name, &format!("config {:?}", config.name));
                assert_eq!(config.main_in, config.main_out, "{config:?}");
                let mut inst = instance(entry, spec);
                assert!(clap_ext::select_ports_config(&inst, config.id));
                inst.activate(DEFAULT_CONFIG).unwrap();
                let len = 96_000;
                let input = lacquer_host_tests::signal::meter_probe(
                    config.main_in as usize,
                    len,
                    62 + u64::from(config.main_in),
                );
                let mut changes = Vec::new();
                for k in 0..8 {
                    let mut settings = random_settings(spec, &mut rng);
                    if let Some(b) = bypass {
                        settings.push((b.clap_id(), (k % 2) as f64));
                    }
                    changes.extend(changes_at(k * len / 8 + rng.usize(0..1000), &settings));
                }
                let out = inst.render(&input, None, &changes, || rng.usize(1..=512));
                lacquer_host_tests::signal::assert_bit_identical(
                    &out,
                    &input,
                    &format!("{}: {config:?}: output vs input", spec.name),
                );
            }
        });
    }
);

// --- Latency ------------------------------------------------------------------------------

host_test!(reported_latency_matches_measured_impulse_delay, {
    for_each_plugin("latency", |spec, entry| {
        let probe: Vec<(u32, f64)> = spec
            .latency_probe
            .iter()
            .map(|&(id, value)| (spec.param(id).clap_id(), value))
            .collect();
        for &rate in &[44_100.0, 48_000.0, 96_000.0] {
            let mut inst = instance(entry, spec);
            set_params_inactive(&inst, &probe);
            inst.activate(AudioConfig::new(rate, 512)).unwrap();
            let reported = clap_ext::latency(&inst) as usize;
            if let Latency::Fixed(n) = spec.latency {
                assert_eq!(reported, n as usize, "{}: table latency", spec.name);
            }
            if spec.latency == Latency::Zero {
                assert_eq!(reported, 0, "{}: table says zero latency", spec.name);
            }
            let at = 1000;
            let input = impulse(spec.ports.main_in as usize, 8192, at);
            let out = inst.render(&input, None, &[], || 512);
            let measured = arrival(&out).expect("impulse produced no output") - at;
            assert_eq!(
                measured, reported,
                "{} at {rate} Hz: reported vs measured latency",
                spec.name
            );
        }
        // Random settings must not move a fixed latency.
        if !matches!(spec.latency, Latency::Lookahead { .. }) {
            let mut rng = fastrand::Rng::with_seed(20);
            let mut inst = instance(entry, spec).activated(DEFAULT_CONFIG);
            let before = clap_ext::latency(&inst);
            for _ in 0..10 {
                let settings = random_settings(spec, &mut rng);
                inst.render(
                    &noise(spec.ports.main_in as usize, 2048, 0.5, 21),
                    None,
                    &changes_at(0, &settings),
                    || 512,
                );
                assert_eq!(
                    clap_ext::latency(&inst),
                    before,
                    "{}: latency moved",
                    spec.name
                );
            }
            assert_eq!(
                inst.counters
                    .restart_requests
                    .load(std::sync::atomic::Ordering::SeqCst),
                0
            );
        }
    });
});

host_test!(lookahead_change_is_announced_to_the_host, {
    use std::sync::atomic::Ordering::SeqCst;
    require_some_plugin("a lookahead latency", |s| {
        matches!(s.latency, Latency::Lookahead { .. })
    });
    for_each_plugin("latency change announcement", |spec, entry| {
        let Latency::Lookahead { param, .. } = spec.latency else {
            step(
                spec.name,
                "no lookahead in the table: latency-change announcement not applicable",
            );
            return;
        };
        let p = spec.param(param);
        for &rate in &[44_100.0, 96_000.0] {
            let config = AudioConfig::new(rate, 512);
            let mut inst = instance(entry, spec).activated(config);
            let input = noise(spec.ports.main_in as usize, 4096, 0.5, 22);
            let mut changes = 0;
            let mut seen = vec![clap_ext::latency(&inst)];
            for value in [1.0, 0.37, 0.0] {
                let before = clap_ext::latency(&inst);
                let (restarts, announced) = (
                    inst.counters.restart_requests.load(SeqCst),
                    inst.counters.latency_changed.load(SeqCst),
                );
                step(spec.name, &format!("{rate} Hz: {param} to {value}"));
                inst.render(
                    &input,
                    None,
                    &[ParamChange {
                        time: 0,
                        id: p.clap_id(),
                        value,
                    }],
                    || 512,
                );
                inst.pump_main_thread();
                // The latency may only change inside `activate` (CLAP latency.h): while the
                // plugin stays active, `get()` still reports the old value.
                assert_eq!(
                    clap_ext::latency(&inst),
                    before,
                    "{} at {rate} Hz: {param} = {value}: latency.get() changed while active",
                    spec.name
                );
                if inst.counters.restart_requests.load(SeqCst) == restarts {
                    assert_eq!(
                        clap_ext::latency(&inst),
                        before,
                        "{} at {rate} Hz: {param} = {value}: latency changed silently",
                        spec.name
                    );
                    continue;
                }
                // The host restarts the plugin; on reactivation it must report the change.
                inst.deactivate();
                inst.activate(config).unwrap();
                assert!(
                    inst.counters.latency_changed.load(SeqCst) > announced,
                    "{} at {rate} Hz: {param} = {value}: restart but no latency_changed",
                    spec.name
                );
                let reported = clap_ext::latency(&inst);
                assert_ne!(
                    reported, before,
                    "{} at {rate} Hz: {param} = {value}: restart requested for an unchanged \
                     latency",
                    spec.name
                );
                changes += 1;
                seen.push(reported);
                let at = 1000;
                let pulse = impulse(spec.ports.main_in as usize, 16_384, at);
                let out = inst.render(&pulse, None, &[], || 512);
                let measured = arrival(&out).expect("impulse produced no output") - at;
                assert_eq!(
                    measured, reported as usize,
                    "{} at {rate} Hz: {param} = {value}: reported vs measured latency after \
                     the change",
                    spec.name
                );
            }
            step(spec.name, &format!("{rate} Hz: latencies {seen:?}"));
            assert!(
                changes >= 2,
                "{} at {rate} Hz: the lookahead parameter changed the latency {changes} times \
                 for 3 settings: {seen:?}",
                spec.name
            );
        }
        // clap-validator's order: the host deactivates before it serves the main-thread
        // callback the change queued. The plugin, now inactive, must still wait for
        // `activate` to call `latency.changed()` (the instance's drop fails the test if not).
        let config = AudioConfig::new(48_000.0, 512);
        let mut inst = instance(entry, spec).activated(config);
        let before = clap_ext::latency(&inst);
        let announced = inst.counters.latency_changed.load(SeqCst);
        let input = noise(spec.ports.main_in as usize, 2048, 0.5, 23);
        let change = ParamChange {
            time: 0,
            id: p.clap_id(),
            value: 1.0,
        };
        step(
            spec.name,
            "change, deactivate, then the main-thread callback",
        );
        inst.set_auto_pump(false);
        inst.render(&input, None, &[change], || 512);
        inst.deactivate();
        inst.pump_main_thread();
        inst.set_auto_pump(true);
        assert_eq!(
            inst.counters.latency_changed.load(SeqCst),
            announced,
            "{}: latency.changed() while deactivated",
            spec.name
        );
        inst.activate(config).unwrap();
        expect_announced_latency(&mut inst, announced, before, "after deactivate + callback");
        // A change made while inactive (params.flush) is announced by the next `activate`.
        step(spec.name, "change while inactive (flush), then activate");
        inst.deactivate();
        let before = clap_ext::latency(&inst);
        let announced = inst.counters.latency_changed.load(SeqCst);
        set_params_inactive(&inst, &[(p.clap_id(), 0.0)]);
        inst.pump_main_thread();
        inst.activate(config).unwrap();
        expect_announced_latency(&mut inst, announced, before, "after an inactive flush");
    });
});

/// After a reactivation: `latency.changed()` was called (inside `activate`, which the
/// instance's drop checks), `latency.get()` differs from `before`, and an impulse arrives
/// exactly that many samples late.
fn expect_announced_latency(inst: &mut Instance, announced: u32, before: u32, what: &str) {
    use std::sync::atomic::Ordering::SeqCst;
    let name = inst.spec.name;
    assert!(
        inst.counters.latency_changed.load(SeqCst) > announced,
        "{name}: {what}: no latency.changed() in activate"
    );
    let reported = clap_ext::latency(inst);
    assert_ne!(reported, before, "{name}: {what}: latency unchanged");
    let at = 1000;
    let pulse = impulse(inst.spec.ports.main_in as usize, 16_384, at);
    let out = inst.render(&pulse, None, &[], || 512);
    let measured = arrival(&out).expect("impulse produced no output") - at;
    assert_eq!(
        measured, reported as usize,
        "{name}: {what}: reported vs measured latency"
    );
}
