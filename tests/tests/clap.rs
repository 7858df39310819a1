//! The CLAP side: every bundle in `target/bundled/`, driven as a DAW would.
//!
//! Each test runs in its own child process (see `lacquer_host_tests::isolate`): an abort in a
//! plugin (an allocation in `process()` under `assert_process_allocs`, a panic in a callback)
//! fails that test by name instead of killing the test binary.

use clap_sys::ext::audio_ports::CLAP_AUDIO_PORT_IS_MAIN;
use clap_sys::ext::params::{
    CLAP_PARAM_IS_AUTOMATABLE, CLAP_PARAM_IS_BYPASS, CLAP_PARAM_IS_HIDDEN, CLAP_PARAM_IS_STEPPED,
};
use lacquer_host_tests::bundle;
use lacquer_host_tests::clap_ext::{self, ChunkedReader, ChunkedWriter};
use lacquer_host_tests::clap_host::{AudioConfig, Instance, ParamChange};
use lacquer_host_tests::harness::{
    changes_at, for_each_plugin, instance, normalized, random_settings, random_value,
    set_params_inactive, DEFAULT_CONFIG,
};
use lacquer_host_tests::host_test;
use lacquer_host_tests::isolate::step;
use lacquer_host_tests::plugins::{Kind, Latency, PluginSpec, PLUGINS, VENDOR};
use lacquer_host_tests::signal::{
    assert_identical, constant, first_non_finite, music, noise, peak, plain_from_text,
};
use std::ffi::CStr;
use std::time::{Duration, Instant};

/// Sample rates a DAW may run at; every one must activate and process.
const SAMPLE_RATES: &[f64] = &[44_100.0, 48_000.0, 88_200.0, 96_000.0, 192_000.0];
/// Rates at the edges: must not crash (activation may be refused, processing must be sane).
const EDGE_SAMPLE_RATES: &[f64] = &[8_000.0, 384_000.0];
/// Maximum block sizes.
const MAX_BLOCKS: &[u32] = &[1, 2, 3, 16, 64, 256, 512, 1024, 4096, 8192];

fn cstr(s: Option<&CStr>) -> String {
    s.map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

// --- Bundles and descriptors -------------------------------------------------------------

#[test]
fn every_table_plugin_has_both_bundles() {
    for spec in PLUGINS {
        bundle::clap_path(spec);
        bundle::vst3_path(spec);
    }
}

#[test]
fn every_bundle_has_a_table_line() {
    let dir = bundle::bundled_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. Build the bundles with `{}`.",
            dir.display(),
            bundle::TEST_COMMAND
        )
    });
    for entry in entries {
        let path = entry.expect("dir entry").path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        if ext != "clap" && ext != "vst3" {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        assert!(
            PLUGINS.iter().any(|p| p.bundle == stem),
            "{} has no line in tests/src/plugins.rs: add one so the host tests cover it",
            path.display()
        );
    }
}

host_test!(descriptor_matches_table, {
    for_each_plugin("descriptor", |spec, entry| {
        let factory = entry.get_plugin_factory().expect("plugin factory");
        let descriptors: Vec<_> = factory.plugin_descriptors().collect();
        assert_eq!(descriptors.len(), 1, "{}: one plugin per bundle", spec.name);
        let d = descriptors[0];
        assert_eq!(
            cstr(d.id()),
            spec.clap_id,
            "CLAP ID changed: saved projects break"
        );
        assert_eq!(cstr(d.name()), spec.name);
        assert_eq!(cstr(d.vendor()), VENDOR, "{}", spec.name);
        assert_eq!(
            cstr(d.version()),
            env!("CARGO_PKG_VERSION"),
            "{}: version should be the workspace version",
            spec.name
        );
        let features: Vec<String> = d
            .features()
            .map(|f| f.to_string_lossy().into_owned())
            .collect();
        for want in spec.features {
            assert!(
                features.iter().any(|f| f == want),
                "{}: feature {want:?} missing from {features:?}",
                spec.name
            );
        }
        let main_kinds = ["audio-effect", "instrument", "note-effect", "analyzer"];
        assert!(
            features.iter().any(|f| main_kinds.contains(&f.as_str())),
            "{}: no main category in {features:?}",
            spec.name
        );
        // The instance reports the same descriptor.
        let inst = instance(entry, spec);
        // SAFETY: a live instance's descriptor pointer is valid for its lifetime.
        let desc = unsafe { &*(*inst.raw()).desc };
        let id = unsafe { CStr::from_ptr(desc.id) };
        assert_eq!(id.to_str().unwrap(), spec.clap_id);
    });
});

// --- Audio ports --------------------------------------------------------------------------

host_test!(audio_ports_match_table, {
    for_each_plugin("audio ports", |spec, entry| {
        let inst = instance(entry, spec);
        let inputs = clap_ext::port_infos(&inst, true);
        let outputs = clap_ext::port_infos(&inst, false);
        step(
            spec.name,
            &format!("inputs {inputs:?}, outputs {outputs:?}"),
        );
        let want_inputs =
            usize::from(spec.ports.main_in > 0) + usize::from(spec.ports.sidechain.is_some());
        assert_eq!(inputs.len(), want_inputs, "{}: input port count", spec.name);
        assert_eq!(outputs.len(), 1, "{}: one output port", spec.name);
        if spec.ports.main_in > 0 {
            assert_eq!(
                inputs[0].channels, spec.ports.main_in,
                "{}: main input",
                spec.name
            );
            assert_ne!(
                inputs[0].flags & CLAP_AUDIO_PORT_IS_MAIN,
                0,
                "{}: main flag",
                spec.name
            );
        }
        assert_eq!(
            outputs[0].channels, spec.ports.main_out,
            "{}: main output",
            spec.name
        );
        assert_ne!(outputs[0].flags & CLAP_AUDIO_PORT_IS_MAIN, 0);
        for port in inputs.iter().chain(&outputs) {
            let want = match port.channels {
                1 => "mono",
                2 => "stereo",
                _ => continue,
            };
            assert_eq!(
                port.port_type, want,
                "{}: port {:?} type",
                spec.name, port.name
            );
        }
        if let Some(sc) = spec.ports.sidechain {
            let side = inputs.last().unwrap();
            assert_eq!(side.channels, sc, "{}: sidechain channels", spec.name);
            assert_eq!(
                side.flags & CLAP_AUDIO_PORT_IS_MAIN,
                0,
                "{}: sidechain is not main",
                spec.name
            );
        }
        let configs = clap_ext::ports_configs(&inst);
        step(spec.name, &format!("configs {configs:?}"));
        assert_eq!(
            configs.iter().any(|c| c.main_in == 1 && c.main_out == 2),
            spec.ports.mono_in_config,
            "{}: mono-in/stereo-out config offered?",
            spec.name
        );
        assert!(
            configs
                .iter()
                .any(|c| c.main_in == spec.ports.main_in && c.main_out == spec.ports.main_out),
            "{}: the default layout is not among the configs",
            spec.name
        );
    });
});

host_test!(every_ports_config_activates_and_processes, {
    for_each_plugin("every audio-ports-config", |spec, entry| {
        let probe = instance(entry, spec);
        let configs = clap_ext::ports_configs(&probe);
        drop(probe);
        for config in configs {
            step(spec.name, &format!("config {:?}", config.name));
            let mut inst = instance(entry, spec);
            assert!(
                clap_ext::select_ports_config(&inst, config.id),
                "select {config:?}"
            );
            let layout = clap_ext::audio_ports(&inst);
            assert_eq!(layout.inputs.first().copied().unwrap_or(0), config.main_in);
            assert_eq!(layout.outputs[0], config.main_out);
            inst.activate(DEFAULT_CONFIG).unwrap();
            let input = music(config.main_in as usize, 4800, 48_000.0, 1);
            let out = inst.render(&input, None, &[], || 480);
            assert_eq!(out.len(), config.main_out as usize);
            assert!(
                first_non_finite(&out).is_none(),
                "{}: {config:?}: non-finite",
                spec.name
            );
            assert!(
                peak(&out) > 1e-3,
                "{}: {config:?}: silent output for music",
                spec.name
            );
            if config.main_in == 1 && config.main_out == 2 && spec.short == "panner" {
                // Mono in, default (centred) settings: both sides carry the source equally.
                assert_identical(&out[..1], &out[1..], "panner mono-in: L vs R");
            }
        }
    });
});

host_test!(sidechain_disconnected_and_connected, {
    for_each_plugin("sidechain", |spec, entry| {
        let Some(sc_channels) = spec.ports.sidechain else {
            step(spec.name, "no sidechain port: nothing to check");
            return;
        };
        let mut inst = instance(entry, spec).activated(DEFAULT_CONFIG);
        let input = music(spec.ports.main_in as usize, 48_000, 48_000.0, 2);
        let mut rng = fastrand::Rng::with_seed(3);
        let settings = random_settings(spec, &mut rng);
        let changes = changes_at(0, &settings);
        // Disconnected: the sidechain port carries constant silence.
        let out = inst.render(&input, None, &changes, || 512);
        assert!(
            first_non_finite(&out).is_none(),
            "{}: sidechain disconnected",
            spec.name
        );
        // Connected: a loud key signal.
        let key = noise(sc_channels as usize, 48_000, 1.0, 4);
        let out = inst.render(&input, Some(&key), &[], || 512);
        assert!(
            first_non_finite(&out).is_none(),
            "{}: sidechain connected",
            spec.name
        );
        // And disconnected again mid-session.
        inst.set_input_connected(1, false);
        let out = inst.render(&input, None, &[], || 333);
        assert!(
            first_non_finite(&out).is_none(),
            "{}: sidechain reconnected",
            spec.name
        );
    });
});

// --- Parameters ---------------------------------------------------------------------------

host_test!(params_match_checked_in_list, {
    for_each_plugin("parameter list", |spec, entry| {
        let inst = instance(entry, spec);
        let params = clap_ext::params(&inst);
        let listed: Vec<(u32, &str)> = params.iter().map(|p| (p.id, p.name.as_str())).collect();
        let want: Vec<(u32, &str)> = spec.params.iter().map(|p| (p.clap_id(), p.name)).collect();
        if listed != want {
            let missing: Vec<&str> = spec
                .params
                .iter()
                .filter(|p| !params.iter().any(|q| q.id == p.clap_id()))
                .map(|p| p.id)
                .collect();
            panic!(
                "{}: parameters differ from the checked-in list (a rename breaks saved projects \
                 and automation).\n string IDs no longer present: {missing:?}\n plugin: \
                 {listed:?}\n list:   {want:?}",
                spec.name
            );
        }
        assert!(clap_ext::param_info_out_of_range_rejected(
            &inst,
            params.len() as u32 + 5
        ));
        for (info, p) in params.iter().zip(spec.params) {
            let what = format!("{}: {}", spec.name, p.id);
            let (min, max) = p.clap_range();
            assert_eq!((info.min, info.max), (min, max), "{what}: CLAP range");
            let stepped = info.flags & CLAP_PARAM_IS_STEPPED != 0;
            assert_eq!(stepped, p.stepped(), "{what}: stepped flag");
            assert_eq!(
                info.flags & CLAP_PARAM_IS_BYPASS != 0,
                p.bypass,
                "{what}: bypass flag"
            );
            let hidden = info.flags & CLAP_PARAM_IS_HIDDEN != 0;
            assert!(!hidden, "{what}: no Lacquer parameter is hidden");
            assert_ne!(
                info.flags & CLAP_PARAM_IS_AUTOMATABLE,
                0,
                "{what}: automatable"
            );
            // Defaults.
            let text_at = |v: f64| clap_ext::value_to_text(&inst, info.id, v).unwrap();
            match p.kind {
                Kind::Float { min, max, default } => {
                    let tol = (max - min) * 1e-3;
                    for (clap, plain, name) in [
                        (0.0, min, "min"),
                        (1.0, max, "max"),
                        (info.default, default, "default"),
                    ] {
                        let text = text_at(clap);
                        let shown = plain_from_text(&text)
                            .unwrap_or_else(|| panic!("{what}: cannot read {name} text {text:?}"));
                        assert!(
                            (shown - plain).abs() <= tol.max(0.01 * plain.abs()),
                            "{what}: {name} shows {text:?}, table says {plain}"
                        );
                    }
                }
                Kind::Bool { default } => {
                    assert_eq!(
                        info.default,
                        f64::from(u8::from(default)),
                        "{what}: default"
                    )
                }
                Kind::Enum { default, .. } => assert!(
                    (info.default - f64::from(default)).abs() < 1e-6,
                    "{what}: default {} != {default}",
                    info.default
                ),
            }
            // A fresh instance sits at its defaults.
            let value = clap_ext::param_value(&inst, info.id).expect("get_value");
            assert!(
                (value - info.default).abs() < 1e-6,
                "{what}: value {value} != default"
            );
        }
        assert!(
            clap_ext::param_value(&inst, 0x7fff_fff0).is_none(),
            "unknown ID must fail"
        );
    });
});

host_test!(param_value_text_round_trip, {
    for_each_plugin("value -> text -> value", |spec, entry| {
        let inst = instance(entry, spec);
        for info in clap_ext::params(&inst) {
            let values: Vec<f64> = if info.flags & CLAP_PARAM_IS_STEPPED != 0 {
                (info.min as u32..=info.max as u32).map(f64::from).collect()
            } else {
                (0..=40).map(|i| f64::from(i) / 40.0).collect()
            };
            let mut texts = Vec::new();
            for v in values {
                let what = format!("{}: {} at {v}", spec.name, info.name);
                let text = clap_ext::value_to_text(&inst, info.id, v)
                    .unwrap_or_else(|| panic!("{what}: value_to_text failed"));
                assert!(!text.is_empty(), "{what}: empty text");
                let back = clap_ext::text_to_value(&inst, info.id, &text)
                    .unwrap_or_else(|| panic!("{what}: text_to_value({text:?}) failed"));
                assert!(
                    (info.min..=info.max).contains(&back),
                    "{what}: {text:?} parsed out of range: {back}"
                );
                let again = clap_ext::value_to_text(&inst, info.id, back).unwrap();
                assert_eq!(
                    again, text,
                    "{what}: text -> value -> text is not stable ({back})"
                );
                if info.flags & CLAP_PARAM_IS_STEPPED != 0 {
                    // nice-plug stores normalized values as f32, so a step comes back as
                    // e.g. 1.0000000298: close is all a host can expect.
                    assert!(
                        (back - v).abs() < 1e-6,
                        "{what}: stepped value {text:?} parsed to {back}"
                    );
                }
                texts.push(text);
            }
            if info.flags & CLAP_PARAM_IS_STEPPED != 0 {
                let mut unique = texts.clone();
                unique.sort();
                unique.dedup();
                assert_eq!(
                    unique.len(),
                    texts.len(),
                    "{}: {}: steps share a label: {texts:?}",
                    spec.name,
                    info.name
                );
            }
            // Garbage must not parse. Exception: nice-plug's BoolParam reads any text that is
            // not "true"/"on"/"1" as off, so bools are exempt.
            let is_bool = spec
                .params
                .iter()
                .any(|p| p.clap_id() == info.id && matches!(p.kind, Kind::Bool { .. }));
            assert!(
                is_bool
                    || clap_ext::text_to_value(&inst, info.id, "definitely not a value").is_none(),
                "{}: {}: garbage text parsed",
                spec.name,
                info.name
            );
        }
    });
});

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

/// Index of the first sample (any channel) that differs from the constant `value`.
fn onset(out: &[Vec<f32>], value: f32) -> Option<usize> {
    (0..out[0].len()).find(|&i| out.iter().any(|c| c[i] != value))
}

host_test!(automation_is_sample_accurate_on_gain, {
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
            let first = onset(&out, 1.0);
            assert_eq!(
                first,
                Some(k),
                "{}: gain event at sample {k} (offset {} in block {}): output first changes at \
                 {first:?}",
                spec.name,
                k % block,
                k / block
            );
            let last = out[0][out[0].len() - 1];
            assert!(
                (last - 0.5).abs() < 0.01,
                "{}: gain settles at {last}, want ~0.5",
                spec.name
            );
        }
    });
});

host_test!(automation_is_sample_accurate_on_pan, {
    for_each_plugin("sample-accurate pan automation", |spec, entry| {
        if spec.short != "panner" {
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

// --- State --------------------------------------------------------------------------------

fn state_json(bytes: &[u8]) -> serde_json::Value {
    assert!(bytes.len() > 8, "state too short");
    let len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    assert_eq!(len, bytes.len() - 8, "length prefix");
    serde_json::from_slice(&bytes[8..]).expect("nice-plug state is JSON")
}

host_test!(state_round_trip_is_bit_exact, {
    for_each_plugin("state round trip", |spec, entry| {
        let mut rng = fastrand::Rng::with_seed(12);
        for round in 0..5 {
            let settings = random_settings(spec, &mut rng);
            // A: set while playing, like a user turning knobs.
            let mut a = instance(entry, spec).activated(DEFAULT_CONFIG);
            let warm = music(spec.ports.main_in as usize, 4800, 48_000.0, 13);
            a.render(&warm, None, &changes_at(100, &settings), || 512);
            let saved = clap_ext::save_state(&a).expect("save");
            // The state names every parameter by its string ID.
            let json = state_json(&saved);
            for p in spec.params {
                assert!(
                    json["params"].get(p.id).is_some(),
                    "{}: state has no {:?}: {json}",
                    spec.name,
                    p.id
                );
            }
            // B: a fresh instance loads it (inactive, like a project load), short reads.
            let mut b = instance(entry, spec);
            assert!(
                clap_ext::load_state_from(
                    &b,
                    &mut ChunkedReader {
                        data: &saved,
                        chunk: 7
                    }
                ),
                "{}: load failed",
                spec.name
            );
            for p in spec.params {
                let (va, vb) = (
                    clap_ext::param_value(&a, p.clap_id()).unwrap(),
                    clap_ext::param_value(&b, p.clap_id()).unwrap(),
                );
                assert_eq!(va, vb, "{} round {round}: {} after reload", spec.name, p.id);
            }
            // Saving again gives the same bytes, also through short writes.
            let mut again = Vec::new();
            assert!(clap_ext::save_state_to(
                &b,
                &mut ChunkedWriter {
                    data: &mut again,
                    chunk: 5
                }
            ));
            assert_eq!(
                state_json(&again)["params"],
                json["params"],
                "{}: re-saved state",
                spec.name
            );
            // Identical audio from A (re-activated) and B.
            a.deactivate();
            a.activate(DEFAULT_CONFIG).unwrap();
            b.activate(DEFAULT_CONFIG).unwrap();
            let input = music(spec.ports.main_in as usize, 24_000, 48_000.0, 14);
            let out_a = a.render(&input, None, &[], || 512);
            let out_b = b.render(&input, None, &[], || 512);
            assert_identical(
                &out_a,
                &out_b,
                &format!("{} round {round}: saved vs reloaded", spec.name),
            );
            // Loading into an active instance (preset recall during playback) works too.
            let mut c = instance(entry, spec).activated(DEFAULT_CONFIG);
            c.render(&warm, None, &[], || 512);
            assert!(
                clap_ext::load_state(&c, &saved),
                "{}: load while active",
                spec.name
            );
            let out_c = c.render(&input, None, &[], || 512);
            assert!(first_non_finite(&out_c).is_none());
            for p in spec.params {
                assert_eq!(
                    clap_ext::param_value(&c, p.clap_id()),
                    clap_ext::param_value(&a, p.clap_id()),
                    "{}: {} after load while active",
                    spec.name,
                    p.id
                );
            }
        }
    });
});

host_test!(garbage_state_is_rejected_cleanly, {
    for_each_plugin("garbage state", |spec, entry| {
        let mut rng = fastrand::Rng::with_seed(15);
        let settings = random_settings(spec, &mut rng);
        let mut inst = instance(entry, spec);
        set_params_inactive(&inst, &settings);
        inst.activate(DEFAULT_CONFIG).unwrap();
        let before: Vec<Option<f64>> = spec
            .params
            .iter()
            .map(|p| clap_ext::param_value(&inst, p.clap_id()))
            .collect();
        let good = clap_ext::save_state(&inst).unwrap();
        let mut bad: Vec<(String, Vec<u8>)> = vec![
            ("empty".into(), Vec::new()),
            ("three bytes".into(), vec![1, 2, 3]),
            ("huge length".into(), u64::MAX.to_le_bytes().to_vec()),
            ("length, no data".into(), 100u64.to_le_bytes().to_vec()),
        ];
        let mut junk = 64u64.to_le_bytes().to_vec();
        junk.extend((0..64).map(|_| rng.u8(..)));
        bad.push(("random bytes after a valid length".into(), junk));
        let mut not_json = (5u64).to_le_bytes().to_vec();
        not_json.extend(b"hello");
        bad.push(("text, not JSON".into(), not_json));
        let mut wrong_shape = br#"{"params": 17, "fields": []}"#.to_vec();
        let mut prefixed = (wrong_shape.len() as u64).to_le_bytes().to_vec();
        prefixed.append(&mut wrong_shape);
        bad.push(("JSON of the wrong shape".into(), prefixed));
        for cut in [1, 8, 9, good.len() / 2, good.len() - 1] {
            bad.push((
                format!("truncated to {cut} of {} bytes", good.len()),
                good[..cut].to_vec(),
            ));
        }
        for (what, bytes) in &bad {
            step(spec.name, &format!("loading {what}"));
            let accepted = clap_ext::load_state(&inst, bytes);
            assert!(!accepted, "{}: accepted a bad state ({what})", spec.name);
            let after: Vec<Option<f64>> = spec
                .params
                .iter()
                .map(|p| clap_ext::param_value(&inst, p.clap_id()))
                .collect();
            assert_eq!(
                after, before,
                "{}: a rejected state ({what}) changed parameters",
                spec.name
            );
            let out = inst.render(
                &music(spec.ports.main_in as usize, 2048, 48_000.0, 16),
                None,
                &[],
                || 512,
            );
            assert!(
                first_non_finite(&out).is_none(),
                "{}: after {what}",
                spec.name
            );
        }
        // And the instance still saves and loads a good state.
        assert!(
            clap_ext::load_state(&inst, &good),
            "{}: good state after garbage",
            spec.name
        );
        assert!(clap_ext::save_state(&inst).is_some());
    });
});

/// Fixture: `tests/fixtures/<short>/state-<version>.bin` (saved by that version) and
/// `expected-<version>.json` (the CLAP values and display texts it must restore).
fn fixture_dir(spec: &PluginSpec) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(spec.short)
}

/// Non-default values for a fixture: every parameter off its default, deterministic.
fn fixture_settings(spec: &PluginSpec) -> Vec<(u32, f64)> {
    spec.params
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.bypass)
        .map(|(i, p)| {
            let v = match p.kind {
                Kind::Float { min, max, default } => {
                    // A value a third of the way from the default towards the far end.
                    let far = if default - min > max - default {
                        min
                    } else {
                        max
                    };
                    normalized_any(
                        min,
                        max,
                        default + (far - default) * (0.3 + 0.01 * i as f64),
                    )
                }
                Kind::Bool { default } => f64::from(u8::from(!default)),
                Kind::Enum { count, default } => f64::from((default + 1) % count),
            };
            (p.clap_id(), v)
        })
        .collect()
}

fn normalized_any(min: f64, max: f64, plain: f64) -> f64 {
    // Only used to pick a value off the default; skewed ranges just land elsewhere.
    ((plain - min) / (max - min)).clamp(0.0, 1.0)
}

host_test!(old_state_fixtures_load_without_losing_values, {
    for_each_plugin("state fixtures", |spec, entry| {
        let dir = fixture_dir(spec);
        let write = std::env::var_os("LACQUER_WRITE_FIXTURES").is_some();
        let version = env!("CARGO_PKG_VERSION");
        if write && !dir.join(format!("state-{version}.bin")).exists() {
            let inst = instance(entry, spec);
            set_params_inactive(&inst, &fixture_settings(spec));
            let state = clap_ext::save_state(&inst).unwrap();
            let mut expected = serde_json::Map::new();
            for p in spec.params {
                let v = clap_ext::param_value(&inst, p.clap_id()).unwrap();
                let text = clap_ext::value_to_text(&inst, p.clap_id(), v).unwrap();
                expected.insert(
                    p.id.to_owned(),
                    serde_json::json!({ "value": v, "text": text }),
                );
            }
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(format!("state-{version}.bin")), state).unwrap();
            std::fs::write(
                dir.join(format!("expected-{version}.json")),
                serde_json::to_string_pretty(&expected).unwrap() + "\n",
            )
            .unwrap();
            step(
                spec.name,
                &format!("wrote fixture for {version} in {}", dir.display()),
            );
        }
        let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        fixtures.retain(|p| p.extension().is_some_and(|e| e == "bin"));
        fixtures.sort();
        assert!(
            !fixtures.is_empty(),
            "{}: no state fixture in {}. Create one from the current build with \
             `LACQUER_WRITE_FIXTURES=1 cargo test -p lacquer-host-tests old_state_fixtures` and \
             commit it.",
            spec.name,
            dir.display()
        );
        for path in fixtures {
            let tag = path
                .file_stem()
                .unwrap()
                .to_str()
                .unwrap()
                .trim_start_matches("state-")
                .to_owned();
            step(spec.name, &format!("fixture {tag}"));
            let bytes = std::fs::read(&path).unwrap();
            let expected: serde_json::Value = serde_json::from_slice(
                &std::fs::read(dir.join(format!("expected-{tag}.json")))
                    .expect("expected-<version>.json"),
            )
            .unwrap();
            let mut inst = instance(entry, spec);
            assert!(
                clap_ext::load_state(&inst, &bytes),
                "{}: fixture {tag} rejected",
                spec.name
            );
            for (id, want) in expected.as_object().unwrap() {
                let p = spec.param(id);
                let got = clap_ext::param_value(&inst, p.clap_id()).unwrap();
                let want_value = want["value"].as_f64().unwrap();
                assert!(
                    (got - want_value).abs() < 1e-6,
                    "{}: fixture {tag}: {id} restored as {got}, saved as {want_value}",
                    spec.name
                );
                let text = clap_ext::value_to_text(&inst, p.clap_id(), got).unwrap();
                assert_eq!(
                    text,
                    want["text"].as_str().unwrap(),
                    "{}: fixture {tag}: {id} text",
                    spec.name
                );
            }
            // The fixture's values are not the defaults, or the test proves nothing.
            let off_default = spec
                .params
                .iter()
                .filter(|p| !p.bypass)
                .filter(|p| {
                    let info = clap_ext::params(&inst)
                        .into_iter()
                        .find(|i| i.id == p.clap_id())
                        .unwrap();
                    clap_ext::param_value(&inst, p.clap_id()).unwrap() != info.default
                })
                .count();
            assert!(
                off_default > 0,
                "{}: fixture {tag} holds only defaults",
                spec.name
            );
            inst.activate(DEFAULT_CONFIG).unwrap();
            let out = inst.render(
                &music(spec.ports.main_in as usize, 4800, 48_000.0, 17),
                None,
                &[],
                || 512,
            );
            assert!(first_non_finite(&out).is_none());
        }
    });
});

// --- Bypass -------------------------------------------------------------------------------

host_test!(bypass_passes_audio_through, {
    for_each_plugin("bypass", |spec, entry| {
        let Some(bypass) = spec.params.iter().find(|p| p.bypass) else {
            step(spec.name, "no bypass parameter: skipped");
            return;
        };
        if spec.ports.main_in != spec.ports.main_out {
            return;
        }
        let mut rng = fastrand::Rng::with_seed(18);
        let mut settings = random_settings(spec, &mut rng);
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

// --- Latency ------------------------------------------------------------------------------

/// First sample whose magnitude exceeds 1e-3 of the peak, in any channel.
fn arrival(out: &[Vec<f32>]) -> Option<usize> {
    let threshold = peak(out) * 1e-3;
    (0..out[0].len()).find(|&i| out.iter().any(|c| c[i].abs() > threshold))
}

host_test!(reported_latency_matches_measured_impulse_delay, {
    for_each_plugin("latency", |spec, entry| {
        for &rate in &[44_100.0, 48_000.0, 96_000.0] {
            let mut inst = instance(entry, spec).activated(AudioConfig::new(rate, 512));
            let reported = clap_ext::latency(&inst) as usize;
            if let Latency::Fixed(n) = spec.latency {
                assert_eq!(reported, n as usize, "{}: table latency", spec.name);
            }
            if spec.latency == Latency::Zero {
                assert_eq!(reported, 0, "{}: table says zero latency", spec.name);
            }
            let at = 1000;
            let mut input = constant(spec.ports.main_in as usize, 8192, 0.0);
            for c in &mut input {
                c[at] = 1.0;
            }
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
    for_each_plugin("latency change announcement", |spec, entry| {
        let Latency::Lookahead { param } = spec.latency else {
            step(
                spec.name,
                "no lookahead in the table: latency-change announcement not applicable",
            );
            return;
        };
        let p = spec.param(param);
        let mut inst = instance(entry, spec).activated(DEFAULT_CONFIG);
        let before = clap_ext::latency(&inst);
        let input = noise(spec.ports.main_in as usize, 4096, 0.5, 22);
        let mut moved = false;
        for value in [0.0, 1.0, 0.5] {
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
            if inst.counters.restart_requests.load(SeqCst) > 0 {
                // The host restarts the plugin; on reactivation it must report the change.
                inst.deactivate();
                inst.activate(DEFAULT_CONFIG).unwrap();
                assert!(
                    inst.counters.latency_changed.load(SeqCst) > 0,
                    "{}: restart but no latency_changed",
                    spec.name
                );
                moved = true;
                break;
            }
            assert_eq!(
                clap_ext::latency(&inst),
                before,
                "{}: latency changed silently",
                spec.name
            );
        }
        assert!(
            moved,
            "{}: the lookahead parameter never changed the latency",
            spec.name
        );
        let reported = clap_ext::latency(&inst) as usize;
        let at = 1000;
        let mut impulse = constant(spec.ports.main_in as usize, 16_384, 0.0);
        for c in &mut impulse {
            c[at] = 1.0;
        }
        let out = inst.render(&impulse, None, &[], || 512);
        assert_eq!(
            arrival(&out).unwrap() - at,
            reported,
            "{}: after the change",
            spec.name
        );
    });
});

// --- Robustness ---------------------------------------------------------------------------

/// Sample value at index `i` of a hostile input block.
type SampleFn = Box<dyn Fn(usize) -> f32>;

host_test!(hostile_input_never_poisons_the_output, {
    for_each_plugin("NaN / Inf / denormal / +40 dBFS input", |spec, entry| {
        let block = 256;
        let channels = spec.ports.main_in as usize;
        let bad_blocks: Vec<(&str, SampleFn)> = vec![
            ("NaN", Box::new(|_| f32::NAN)),
            ("+Inf", Box::new(|_| f32::INFINITY)),
            ("-Inf", Box::new(|_| f32::NEG_INFINITY)),
            (
                "one NaN in music",
                Box::new(|i| {
                    if i == 77 {
                        f32::NAN
                    } else {
                        (i as f32 * 0.05).sin()
                    }
                }),
            ),
            (
                "denormals",
                Box::new(|i| if i % 2 == 0 { 1e-40 } else { -1e-41 }),
            ),
            (
                "+40 dBFS",
                Box::new(|i| if i % 20 < 10 { 100.0 } else { -100.0 }),
            ),
            ("f32::MAX", Box::new(|_| f32::MAX)),
        ];
        let mut rng = fastrand::Rng::with_seed(23);
        for settings_round in 0..3 {
            let settings = if settings_round == 0 {
                Vec::new()
            } else {
                random_settings(spec, &mut rng)
            };
            for (what, f) in &bad_blocks {
                step(
                    spec.name,
                    &format!("{what}, settings round {settings_round}"),
                );
                let mut inst = instance(entry, spec);
                set_params_inactive(&inst, &settings);
                inst.activate(AudioConfig::new(48_000.0, block as u32))
                    .unwrap();
                let good = music(channels, 48_000, 48_000.0, 24);
                inst.render(&good, None, &[], || block);
                for c in 0..channels {
                    for (i, x) in inst.input_mut(0, c)[..block].iter_mut().enumerate() {
                        *x = f(i);
                    }
                }
                inst.process(block, &clack_host::events::io::EventBuffer::new());
                // Everything after the offending block must be finite, and recover to a
                // sane level (not stuck at a huge value).
                let after = inst.render(&good, None, &[], || block);
                if let Some((c, i, x)) = first_non_finite(&after) {
                    panic!(
                        "{}: after a block of {what}: channel {c} sample {i} is {x}",
                        spec.name
                    );
                }
                let tail: Vec<Vec<f32>> = after.iter().map(|c| c[24_000..].to_vec()).collect();
                assert!(
                    peak(&tail) < 100.0,
                    "{}: after {what}: output stuck at {}",
                    spec.name,
                    peak(&tail)
                );
            }
        }
    });
});

host_test!(three_minutes_of_silence, {
    for_each_plugin("3 minutes of silence at 48 kHz", |spec, entry| {
        let mut inst = instance(entry, spec).activated(DEFAULT_CONFIG);
        let channels = spec.ports.main_in as usize;
        // Some music first so filters and envelopes hold state that must decay.
        inst.render(&music(channels, 48_000, 48_000.0, 25), None, &[], || 512);
        let blocks = 3 * 60 * 48_000 / 512;
        let events = clack_host::events::io::EventBuffer::new();
        let mut last_peak = 0.0f32;
        for b in 0..blocks {
            for c in 0..channels {
                inst.input_mut(0, c)[..512].fill(0.0);
            }
            inst.process(512, &events);
            for c in 0..spec.ports.main_out as usize {
                let out = inst.output(0, c);
                if let Some(i) = out[..512].iter().position(|x| !x.is_finite()) {
                    panic!("{}: silence block {b}: non-finite at {i}", spec.name);
                }
                last_peak = out[..512].iter().fold(last_peak, |m, x| m.max(x.abs()));
            }
            if b % 1000 == 999 {
                last_peak = 0.0;
            }
        }
        assert!(
            last_peak < 1e-6,
            "{}: still {last_peak} after minutes of silence",
            spec.name
        );
        // And music afterwards comes out normally.
        let out = inst.render(&music(channels, 4800, 48_000.0, 26), None, &[], || 512);
        assert!(
            peak(&out) > 1e-3 && first_non_finite(&out).is_none(),
            "{}: after silence",
            spec.name
        );
    });
});

/// Wall time of processing `input` through `inst` in 512-sample blocks.
fn time_render(inst: &mut Instance, input: &[Vec<f32>]) -> Duration {
    let start = Instant::now();
    inst.render(input, None, &[], || 512);
    start.elapsed()
}

host_test!(silence_costs_no_more_cpu_than_music, {
    for_each_plugin("CPU: silence vs music", |spec, entry| {
        let channels = spec.ports.main_in as usize;
        let len = 10 * 48_000;
        let music_in = music(channels, len, 48_000.0, 27);
        let silence = constant(channels, len, 0.0);
        // Denormal bait: music that fades to exact silence, so filters decay through the
        // subnormal range during the "silence" measurement.
        let mut rng = fastrand::Rng::with_seed(28);
        for settings in [
            Vec::new(),
            random_settings(spec, &mut rng),
            random_settings(spec, &mut rng),
        ] {
            let mut inst = instance(entry, spec);
            set_params_inactive(&inst, &settings);
            inst.activate(DEFAULT_CONFIG).unwrap();
            // Interleave the runs and keep the fastest of each: robust against a busy,
            // shared 2-core machine (noise only ever adds time).
            let mut best_music = Duration::MAX;
            let mut best_silence = Duration::MAX;
            for _ in 0..5 {
                best_music = best_music.min(time_render(&mut inst, &music_in));
                best_silence = best_silence.min(time_render(&mut inst, &silence));
            }
            step(
                spec.name,
                &format!("10 s: music {best_music:?}, silence {best_silence:?} ({settings:?})"),
            );
            assert!(
                best_silence.as_secs_f64() <= 1.5 * best_music.as_secs_f64() + 0.002,
                "{}: silence took {best_silence:?}, music {best_music:?} (denormals?)",
                spec.name
            );
        }
    });
});

host_test!(random_automation_on_every_parameter_every_block, {
    for_each_plugin("random automation fuzz", |spec, entry| {
        let mut rng = fastrand::Rng::with_seed(29);
        for &rate in &[44_100.0, 96_000.0] {
            let max_block = 1024;
            let mut inst = instance(entry, spec).activated(AudioConfig::new(rate, max_block));
            let len = rate as usize * 4;
            let input = music(spec.ports.main_in as usize, len, rate, 30);
            let mut changes = Vec::new();
            let mut t = 0;
            while t < len {
                let block = rng.usize(1..=max_block as usize);
                for p in spec.params {
                    // Now and then leave bypass on for a while, like a user would.
                    if p.bypass && rng.u8(..) > 8 {
                        continue;
                    }
                    changes.push(ParamChange {
                        time: t + rng.usize(..block),
                        id: p.clap_id(),
                        value: random_value(p.kind, &mut rng),
                    });
                }
                t += block;
            }
            let mut r = fastrand::Rng::with_seed(31);
            let out = inst.render(&input, None, &changes, || r.usize(1..=max_block as usize));
            if let Some((c, i, x)) = first_non_finite(&out) {
                panic!("{} at {rate} Hz: channel {c} sample {i} is {x}", spec.name);
            }
            // Gain is at most +24 dB on a signal below 1.0; anything far beyond is a blow-up.
            assert!(
                peak(&out) < 1000.0,
                "{}: peak {} under automation",
                spec.name,
                peak(&out)
            );
        }
    });
});

host_test!(no_main_thread_callbacks_from_process, {
    use std::sync::atomic::Ordering::SeqCst;
    for_each_plugin("thread discipline", |spec, entry| {
        let mut rng = fastrand::Rng::with_seed(32);
        let mut inst = instance(entry, spec).activated(DEFAULT_CONFIG);
        for _ in 0..20 {
            let settings = random_settings(spec, &mut rng);
            inst.render(
                &noise(spec.ports.main_in as usize, 2048, 0.5, 33),
                None,
                &changes_at(7, &settings),
                || 256,
            );
        }
        assert_eq!(
            inst.counters.main_thread_violations.load(SeqCst),
            0,
            "{}: called a main-thread host function from process()",
            spec.name
        );
        // Reloading state notifies the host to rescan values.
        let state = clap_ext::save_state(&inst).unwrap();
        let rescans = inst.counters.param_rescans.load(SeqCst);
        assert!(clap_ext::load_state(&inst, &state));
        inst.render(
            &noise(spec.ports.main_in as usize, 1024, 0.5, 34),
            None,
            &[],
            || 512,
        );
        inst.pump_main_thread();
        assert!(
            inst.counters.param_rescans.load(SeqCst) > rescans,
            "{}: no params rescan after load",
            spec.name
        );
    });
});
