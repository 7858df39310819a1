//! CLAP API surface of every bundle: descriptor, audio ports and configs, parameters.
//!
//! Each test runs in its own child process (see `lacquer_host_tests::isolate`): an abort in a
//! plugin (an allocation in `process()` under `assert_process_allocs`, a panic in a callback)
//! fails that test by name instead of killing the test binary.

use clap_sys::ext::audio_ports::CLAP_AUDIO_PORT_IS_MAIN;
use clap_sys::ext::params::{
    CLAP_PARAM_IS_AUTOMATABLE, CLAP_PARAM_IS_BYPASS, CLAP_PARAM_IS_HIDDEN, CLAP_PARAM_IS_STEPPED,
};
use lacquer_host_tests::prelude::*;
use std::ffi::CStr;

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
        assert_eq!(
            outputs.len(),
            1 + usize::from(spec.ports.aux_out.is_some()),
            "{}: output port count",
            spec.name
        );
        if let Some(channels) = spec.ports.aux_out {
            assert_eq!(outputs[1].channels, channels, "{}: aux output", spec.name);
            assert_eq!(
                outputs[1].flags & CLAP_AUDIO_PORT_IS_MAIN,
                0,
                "{}: aux output is not main",
                spec.name
            );
        }
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

/// CLAP values of the table's `key_settings`: the settings under which the key is audible.
fn key_settings(spec: &PluginSpec) -> Vec<(u32, f64)> {
    spec.key_settings
        .iter()
        .map(|&(id, value)| (spec.param(id).clap_id(), value))
        .collect()
}

host_test!(sidechain_disconnected_and_connected, {
    require_some_plugin("a sidechain port", |s| s.ports.sidechain.is_some());
    for_each_plugin("sidechain", |spec, entry| {
        let Some(sc_channels) = spec.ports.sidechain else {
            step(spec.name, "no sidechain port: nothing to check");
            return;
        };
        let len = 48_000;
        let input = music(spec.ports.main_in as usize, len, 48_000.0, 2);
        let key = noise(sc_channels as usize, len, 1.0, 4);
        // Random settings first (must stay finite), then the table's audible-key settings.
        let mut rng = fastrand::Rng::with_seed(3);
        let mut inst = instance(entry, spec).activated(DEFAULT_CONFIG);
        let random = changes_at(0, &random_settings(spec, &mut rng));
        let out = inst.render(&input, None, &random, || 512);
        assert!(first_non_finite(&out).is_none(), "{}: random", spec.name);
        let out = inst.render(&input, Some(&key), &[], || 512);
        assert!(
            first_non_finite(&out).is_none(),
            "{}: random, keyed",
            spec.name
        );
        let render = |key: Option<&[Vec<f32>]>, disconnect_after: bool| {
            let mut inst = instance(entry, spec);
            set_params_inactive(&inst, &key_settings(spec));
            inst.activate(DEFAULT_CONFIG).unwrap();
            let out = inst.render(&input, key, &[], || 512);
            if disconnect_after {
                // Disconnected again mid-session: the key must stop, not repeat its last block.
                inst.set_input_connected(1, false);
                inst.reset();
                return inst.render(&input, None, &[], || 512);
            }
            out
        };
        // Disconnected: the sidechain port carries constant (flagged) silence.
        let disconnected = render(None, false);
        let connected = render(Some(&key), false);
        let reconnected = render(Some(&key), true);
        for (what, out) in [
            ("disconnected", &disconnected),
            ("connected", &connected),
            ("disconnected again", &reconnected),
        ] {
            assert!(
                first_non_finite(out).is_none(),
                "{}: sidechain {what}: non-finite output",
                spec.name
            );
        }
        assert!(
            peak(&disconnected) > 1e-3,
            "{}: silent output without a key",
            spec.name
        );
        assert!(
            lacquer_host_tests::signal::first_difference(&connected, &disconnected).is_some(),
            "{}: a loud key on the sidechain changed nothing under {:?}: the sidechain does not \
             arrive",
            spec.name,
            spec.key_settings
        );
        assert_identical(
            &reconnected,
            &disconnected,
            &format!(
                "{}: sidechain disconnected after use vs never connected",
                spec.name
            ),
        );
        if spec.short == "fixture" {
            // The fixture adds the key to the main signal (key_mix = 1, no lookahead, 0 dB):
            // disconnected is the input, connected is exactly input + key.
            assert_identical(
                &disconnected,
                &input,
                "fixture: no key -> output is the input",
            );
            let want: Vec<Vec<f32>> = input
                .iter()
                .zip(&key)
                .map(|(x, k)| x.iter().zip(k).map(|(x, k)| x + k).collect())
                .collect();
            assert_identical(
                &connected,
                &want,
                "fixture: key_mix 1 -> output is input + key",
            );
        }
    });
});

host_test!(
    /// A host may pass fewer input ports than the plugin declares (no sidechain routed).
    /// nice-plug 0.4.2 checked `aux_input_idx > audio_inputs_count` and read the port one past
    /// the host's array (LACQUER-PATCHES.md, fix b). The port behind the main one is full of
    /// `POISON` here: reading it makes the output differ from the disconnected render.
    sidechain_port_left_out_by_the_host_is_silence,
    {
        require_some_plugin("a sidechain port", |s| s.ports.sidechain.is_some());
        for_each_plugin("host passes fewer input ports than declared", |spec, entry| {
            if spec.ports.sidechain.is_none() {
                step(spec.name, "no sidechain port: nothing to check");
                return;
            }
            let input = music(spec.ports.main_in as usize, 24_000, 48_000.0, 5);
            let render = |left_out: bool, block: usize| {
                let mut inst = instance(entry, spec);
                set_params_inactive(&inst, &key_settings(spec));
                inst.activate(AudioConfig::new(48_000.0, 512)).unwrap();
                if left_out {
                    inst.render_without_aux_ports(&input, false, block)
                } else {
                    inst.render(&input, None, &[], || block)
                }
            };
            let disconnected = render(false, 512);
            for block in [512, 64, 1] {
                step(spec.name, &format!("sidechain port left out, blocks of {block}"));
                let left_out = render(true, block);
                assert_identical(
                    &left_out,
                    &disconnected,
                    &format!(
                        "{}: sidechain port left out (blocks of {block}) vs disconnected",
                        spec.name
                    ),
                );
            }
        });
    }
);

host_test!(
    /// A host may pass fewer output ports than the plugin declares (aux output not routed).
    /// nice-plug 0.4.2 checked `aux_output_idx > audio_outputs_count` and took the port one
    /// past the host's array as the aux output (LACQUER-PATCHES.md, fix f). That port is full of
    /// `POISON` here, and `render_without_aux_ports` fails if any of it was written.
    aux_output_port_left_out_by_the_host_is_not_written,
    {
        require_some_plugin("an aux output port", |s| s.ports.aux_out.is_some());
        for_each_plugin("host passes fewer output ports than declared", |spec, entry| {
            if spec.ports.aux_out.is_none() {
                step(spec.name, "no aux output port: nothing to check");
                return;
            }
            let input = music(spec.ports.main_in as usize, 24_000, 48_000.0, 6);
            for block in [512, 64, 1] {
                step(spec.name, &format!("aux ports left out, blocks of {block}"));
                let mut inst = instance(entry, spec);
                set_params_inactive(&inst, &key_settings(spec));
                inst.activate(AudioConfig::new(48_000.0, 512)).unwrap();
                let out = inst.render_without_aux_ports(&input, true, block);
                assert!(
                    first_non_finite(&out).is_none(),
                    "{}: aux ports left out: non-finite main output",
                    spec.name
                );
            }
        });
    }
);

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
        // One past the end: nice-plug 0.4.2 checked `>` instead of `>=` and aborted here
        // (LACQUER-PATCHES.md, fix g).
        assert!(
            clap_ext::param_info_out_of_range_rejected(&inst, params.len() as u32),
            "{}: params.get_info(count)",
            spec.name
        );
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
