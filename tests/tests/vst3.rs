//! The VST3 side of the same bundles, through the `vst3` crate's COM interfaces: module entry,
//! factory and class info, component creation, buses, processing, latency, parameters and
//! state through an `IBStream`. Each test runs in its own child process (see `isolate`).

use lacquer_host_tests::bundle;
use lacquer_host_tests::clap_ext;
use lacquer_host_tests::harness::{
    instance, random_settings, require_some_plugin, set_params_inactive, DEFAULT_CONFIG,
};
use lacquer_host_tests::host_test;
use lacquer_host_tests::isolate::step;
use lacquer_host_tests::plugins::param_hash;
use lacquer_host_tests::signal::{
    assert_identical, first_difference, first_non_finite, music, noise, peak,
};
use lacquer_host_tests::vst3_host::{
    arrangement, cid_text, for_each_module, main_layout, vst3_settings, AuxFeed, AUDIO_MODULE_CLASS,
};
use vst3::Steinberg::kResultOk;

host_test!(vst3_factory_lists_the_plugin, {
    for_each_module("VST3 factory", |spec, module| {
        let classes = module.classes();
        step(spec.name, &format!("classes {classes:?}"));
        let class = classes
            .iter()
            .find(|c| c.cid == spec.vst3_class_id)
            .unwrap_or_else(|| {
                panic!(
                    "{}: no class {:?} (VST3 class IDs are stable: projects refer to them)",
                    spec.name,
                    cid_text(&spec.vst3_class_id)
                )
            });
        assert_eq!(class.category, AUDIO_MODULE_CLASS);
        assert_eq!(class.name, spec.name);
    });
});

host_test!(vst3_buses_params_and_latency, {
    for_each_module("VST3 buses, parameters, latency", |spec, module| {
        let mut comp = module.create(spec);
        let inputs = comp.buses(true);
        let outputs = comp.buses(false);
        assert_eq!(
            inputs[0].channels as u32, spec.ports.main_in,
            "{}: main input",
            spec.name
        );
        assert_eq!(inputs[0].bus_type, 0, "{}: first input is main", spec.name);
        assert_eq!(outputs[0].channels as u32, spec.ports.main_out);
        assert_eq!(
            outputs[0].bus_type, 0,
            "{}: first output is main",
            spec.name
        );
        match spec.ports.aux_out {
            Some(channels) => {
                assert_eq!(outputs.len(), 2, "{}: aux output bus", spec.name);
                assert_eq!(outputs[1].channels as u32, channels);
                assert_eq!(outputs[1].bus_type, 1, "{}: aux output is aux", spec.name);
            }
            None => assert_eq!(outputs.len(), 1),
        }
        match spec.ports.sidechain {
            Some(sc) => {
                assert_eq!(inputs.len(), 2, "{}: sidechain bus", spec.name);
                assert_eq!(inputs[1].channels as u32, sc);
                assert_eq!(inputs[1].bus_type, 1, "{}: sidechain is aux", spec.name);
            }
            None => assert_eq!(inputs.len(), 1),
        }
        // Parameter IDs are the same hashes as in CLAP, and in the checked-in list.
        let params = comp.params();
        for p in spec.params {
            let found = params.iter().find(|(id, _, _)| *id == param_hash(p.id));
            let (_, title, _) =
                found.unwrap_or_else(|| panic!("{}: VST3 lacks {:?}", spec.name, p.id));
            assert_eq!(title, p.name, "{}: {}", spec.name, p.id);
        }
        let (ins, outs, _) = main_layout(spec);
        comp.activate(&ins, &outs, 48_000.0, 512);
        let clap_latency = {
            let entry = lacquer_host_tests::clap_host::load_entry(&bundle::clap_path(spec));
            let inst = instance(&entry, spec).activated(DEFAULT_CONFIG);
            clap_ext::latency(&inst)
        };
        assert_eq!(
            comp.latency(),
            clap_latency,
            "{}: VST3 vs CLAP latency",
            spec.name
        );
    });
});

host_test!(vst3_processes_like_clap, {
    for_each_module("VST3 processing", |spec, module| {
        let (ins, outs, aux) = main_layout(spec);
        let input = music(spec.ports.main_in as usize, 48_000, 48_000.0, 40);
        for &(rate, block) in &[(44_100.0, 64usize), (48_000.0, 512), (96_000.0, 1024)] {
            step(spec.name, &format!("{rate} Hz, blocks of {block}"));
            let mut comp = module.create(spec);
            comp.activate(&ins, &outs, rate, block as i32);
            let vst3_out = comp.render(&input, spec.ports.main_out as usize, &aux, block);
            assert!(
                first_non_finite(&vst3_out).is_none(),
                "{}: VST3 output",
                spec.name
            );
            assert!(
                peak(&vst3_out) > 1e-3,
                "{}: VST3 output is silent",
                spec.name
            );
            // Same bundle, other format, same settings: the same samples.
            let entry = lacquer_host_tests::clap_host::load_entry(&bundle::clap_path(spec));
            let mut clap = instance(&entry, spec).activated(
                lacquer_host_tests::clap_host::AudioConfig::new(rate, block as u32),
            );
            let clap_out = clap.render(&input, None, &[], || block);
            assert_identical(
                &vst3_out,
                &clap_out,
                &format!("{}: VST3 vs CLAP", spec.name),
            );
            comp.deactivate();
            // Re-activation at another rate on the same component.
            comp.activate(&ins, &outs, 88_200.0, 256);
            let again = comp.render(
                &noise(spec.ports.main_in as usize, 4096, 0.5, 41),
                spec.ports.main_out as usize,
                &aux,
                256,
            );
            assert!(first_non_finite(&again).is_none());
        }
    });
});

host_test!(
    /// The VST3 side of `meter_output_is_the_input_bit_for_bit`: every layout the plugin offers
    /// (mono, stereo, 5.1 as speaker arrangements), random settings, several block sizes, silence
    /// flags as hosts send them: the output is the input bit for bit.
    vst3_meter_output_is_the_input_bit_for_bit,
    {
        require_some_plugin("audio passed unchanged (a meter)", |s| {
            s.passes_audio_unchanged
        });
        for_each_module("VST3 meter pass-through", |spec, module| {
            if !spec.passes_audio_unchanged {
                step(spec.name, "changes the audio: skipped");
                return;
            }
            let entry = lacquer_host_tests::clap_host::load_entry(&bundle::clap_path(spec));
            let configs = clap_ext::ports_configs(&instance(&entry, spec));
            let mut rng = fastrand::Rng::with_seed(63);
            for config in configs {
                let channels = config.main_in;
                let layout = [lacquer_host_tests::vst3_host::arrangement(channels)];
                for block in [1usize, 64, 512] {
                    step(spec.name, &format!("{channels} channels, blocks of {block}"));
                    let mut comp = module.create(spec);
                    comp.activate(&layout, &layout, 48_000.0, 512);
                    let settings = random_settings(spec, &mut rng);
                    assert_eq!(comp.flush_params(&vst3_settings(spec, &settings)), kResultOk);
                    let mut input = lacquer_host_tests::signal::meter_probe(
                        channels as usize,
                        24_000,
                        64 + u64::from(channels),
                    );
                    // A silent stretch, flagged as silent by the host.
                    for c in input.iter_mut() {
                        c[12_000..14_000].fill(0.0);
                    }
                    let out = comp.render_automated(
                        &input,
                        channels as usize,
                        &[],
                        block,
                        &[],
                        true,
                    );
                    lacquer_host_tests::signal::assert_bit_identical(
                        &out,
                        &input,
                        &format!("{}: VST3 {channels} channels, blocks of {block}", spec.name),
                    );
                }
            }
        });
    }
);

host_test!(vst3_state_round_trip, {
    for_each_module("VST3 state", |spec, module| {
        // The default state, and the checked-in fixture's values (nice-plug's VST3 state is
        // the same JSON as its CLAP state, without the 8-byte length prefix).
        let a = module.create(spec);
        let saved = a.get_state().expect("getState");
        assert!(!saved.is_empty(), "{}: empty VST3 state", spec.name);
        let fixture = std::fs::read_dir(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures")
                .join(spec.short),
        )
        .ok()
        .and_then(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == "bin"))
        });
        let mut states = vec![("default".to_owned(), saved)];
        if let Some(path) = fixture {
            let bytes = std::fs::read(&path).unwrap();
            states.push((format!("fixture {}", path.display()), bytes[8..].to_vec()));
        }
        for (what, state) in states {
            step(spec.name, &format!("VST3 state: {what}"));
            let b = module.create(spec);
            // Whole-buffer reads here; short reads and writes are
            // `vst3_state_round_trip_in_short_reads_and_writes`.
            assert!(
                b.set_state(&state, usize::MAX),
                "{}: setState({what})",
                spec.name
            );
            let again = b.get_state().expect("getState after setState");
            let c = module.create(spec);
            assert!(c.set_state(&again, usize::MAX));
            for p in spec.params {
                let id = param_hash(p.id);
                assert_eq!(
                    b.param_normalized(id),
                    c.param_normalized(id),
                    "{}: {what}: {}",
                    spec.name,
                    p.id
                );
            }
            let (ins, outs, aux) = main_layout(spec);
            let input = music(spec.ports.main_in as usize, 24_000, 48_000.0, 42);
            let mut b = b;
            let mut c = c;
            b.activate(&ins, &outs, 48_000.0, 512);
            c.activate(&ins, &outs, 48_000.0, 512);
            let out_b = b.render(&input, spec.ports.main_out as usize, &aux, 512);
            let out_c = c.render(&input, spec.ports.main_out as usize, &aux, 512);
            assert_identical(
                &out_b,
                &out_c,
                &format!("{}: {what}: VST3 state reload", spec.name),
            );
        }
        // Garbage is rejected and the component keeps working.
        let mut d = module.create(spec);
        for bad in [&b""[..], b"{", b"\xff\xfe garbage", b"{\"params\": 3}"] {
            assert!(
                !d.set_state(bad, usize::MAX),
                "{}: accepted garbage {bad:?}",
                spec.name
            );
        }
        let (ins, outs, aux) = main_layout(spec);
        d.activate(&ins, &outs, 48_000.0, 512);
        let out = d.render(
            &music(spec.ports.main_in as usize, 4800, 48_000.0, 43),
            spec.ports.main_out as usize,
            &aux,
            512,
        );
        assert!(first_non_finite(&out).is_none());
    });
});

host_test!(
    /// A host may serve `IBStream::read` and accept `IBStream::write` in chunks. nice-plug
    /// 0.4.2 read and wrote once and failed (or saved a truncated state) on a short transfer;
    /// fixed in `vendor/nice-plug` (LACQUER-PATCHES.md, fix d).
    vst3_state_round_trip_in_short_reads_and_writes,
    {
        for_each_module("VST3 state in 7-byte reads / 5-byte writes", |spec, module| {
            const MAX_READ: usize = 7;
            const MAX_WRITE: usize = 5;
            let mut rng = fastrand::Rng::with_seed(65);
            // Random non-default values (VST3 normalized), set through a parameter flush.
            let mut source = module.create(spec);
            let (ins, outs, _) = main_layout(spec);
            source.activate(&ins, &outs, 48_000.0, 512);
            let settings = vst3_settings(spec, &random_settings(spec, &mut rng));
            assert_eq!(source.flush_params(&settings), kResultOk);
            let whole = source.get_state().expect("getState");
            // Short writes: the same bytes as one whole write.
            let chunked = source
                .get_state_chunked(MAX_WRITE)
                .unwrap_or_else(|| panic!("{}: getState in {MAX_WRITE}-byte writes", spec.name));
            assert!(
                chunked == whole,
                "{}: getState in {MAX_WRITE}-byte writes: {} bytes vs {} whole",
                spec.name,
                chunked.len(),
                whole.len()
            );
            // Short reads: restores every value, and saves the same bytes again.
            let target = module.create(spec);
            assert!(
                target.set_state(&chunked, MAX_READ),
                "{}: setState in {MAX_READ}-byte reads",
                spec.name
            );
            for p in spec.params {
                let id = param_hash(p.id);
                assert_eq!(
                    target.param_normalized(id).to_bits(),
                    source.param_normalized(id).to_bits(),
                    "{}: {} after a chunked round trip",
                    spec.name,
                    p.id
                );
            }
            let again = target
                .get_state_chunked(MAX_WRITE)
                .expect("getState after setState");
            assert!(
                again == whole,
                "{}: state after a chunked round trip differs",
                spec.name
            );
            // Half a state (cut mid-JSON), read in chunks, is refused, not half-loaded.
            assert!(
                !module
                    .create(spec)
                    .set_state(&whole[..whole.len() / 2], MAX_READ),
                "{}: accepted half a state",
                spec.name
            );
        });
    }
);

host_test!(
    /// The sidechain over VST3: a disconnected (silent, flagged) aux bus, a connected one, and a
    /// host that passes fewer input buses than declared (`numInputs` = 1). nice-plug 0.4.2
    /// bounded the aux input loop by `numOutputs` with `>` and read the bus one past the host's
    /// array (LACQUER-PATCHES.md, fix c). That bus is full of `POISON` here: reading it makes
    /// the output differ from the disconnected render.
    vst3_sidechain_connected_disconnected_and_left_out,
    {
        require_some_plugin("a sidechain bus", |s| s.ports.sidechain.is_some());
        for_each_module("VST3 sidechain", |spec, module| {
            let Some(sc) = spec.ports.sidechain else {
                step(spec.name, "no sidechain bus: nothing to check");
                return;
            };
            let (ins, outs, aux) = main_layout(spec);
            let len = 24_000;
            let input = music(spec.ports.main_in as usize, len, 48_000.0, 44);
            let key = noise(sc as usize, len, 1.0, 45);
            // The table's audible-key settings, as VST3 normalized values.
            let clap_settings: Vec<(u32, f64)> = spec
                .key_settings
                .iter()
                .map(|&(id, v)| (param_hash(id), v))
                .collect();
            let settings = vst3_settings(spec, &clap_settings);
            let render = |feed: AuxFeed<'_>, block: usize| {
                let mut comp = module.create(spec);
                comp.activate(&ins, &outs, 48_000.0, 512);
                assert_eq!(comp.flush_params(&settings), kResultOk);
                comp.render_with_aux(
                    &input,
                    spec.ports.main_out as usize,
                    feed,
                    block,
                    &[],
                    false,
                )
            };
            let disconnected = render(AuxFeed::Silent(&aux), 512);
            let connected = render(AuxFeed::Signal(&key), 512);
            assert!(first_non_finite(&connected).is_none(), "{}", spec.name);
            assert!(
                first_difference(&connected, &disconnected).is_some(),
                "{}: a loud key on the VST3 sidechain bus changed nothing under {:?}",
                spec.name,
                spec.key_settings
            );
            for block in [512, 64, 1] {
                step(spec.name, &format!("sidechain bus left out, blocks of {block}"));
                let left_out = render(AuxFeed::Missing(sc as usize), block);
                assert_identical(
                    &left_out,
                    &disconnected,
                    &format!(
                        "{}: VST3 sidechain bus left out (blocks of {block}) vs disconnected",
                        spec.name
                    ),
                );
            }
            // The same key through CLAP gives the same samples.
            let entry = lacquer_host_tests::clap_host::load_entry(&bundle::clap_path(spec));
            let mut clap = instance(&entry, spec);
            set_params_inactive(&clap, &clap_settings);
            clap.activate(DEFAULT_CONFIG).unwrap();
            let clap_out = clap.render(&input, Some(&key), &[], || 512);
            assert_identical(
                &connected,
                &clap_out,
                &format!("{}: keyed VST3 vs keyed CLAP", spec.name),
            );
            if spec.short == "fixture" {
                assert_identical(&disconnected, &input, "fixture: no key -> input");
            }
        });
    }
);

host_test!(
    /// Only the main buses passed (`numInputs` = `numOutputs` = 1) to a plugin with aux input
    /// and output buses. nice-plug 0.4.2 checked `aux_output_idx > numOutputs` and took the bus
    /// one past the host's array as the aux output (LACQUER-PATCHES.md, fix f). That bus is full
    /// of `POISON`, and the render fails if any of it was written.
    vst3_aux_output_bus_left_out_is_not_written,
    {
        require_some_plugin("aux input and output buses", |s| {
            s.ports.sidechain.is_some() && s.ports.aux_out.is_some()
        });
        for_each_module("VST3 main buses only", |spec, module| {
            let (Some(sc), Some(_)) = (spec.ports.sidechain, spec.ports.aux_out) else {
                step(spec.name, "no aux input and output buses: nothing to check");
                return;
            };
            let (ins, outs, _) = main_layout(spec);
            let input = music(spec.ports.main_in as usize, 24_000, 48_000.0, 46);
            for block in [512, 64, 1] {
                step(spec.name, &format!("main buses only, blocks of {block}"));
                let mut comp = module.create(spec);
                comp.activate(&ins, &outs, 48_000.0, 512);
                let out = comp.render_with_aux(
                    &input,
                    spec.ports.main_out as usize,
                    AuxFeed::MainOnly(sc as usize),
                    block,
                    &[],
                    false,
                );
                assert!(first_non_finite(&out).is_none(), "{}", spec.name);
            }
        });
    }
);

host_test!(
    /// Every main/sidechain layout a plugin offers (its CLAP audio-ports-configs, else its
    /// default ports) is accepted over VST3 as the same speaker arrangements and is then the
    /// layout in force (`getBusArrangement`, `getBusInfo`). nice-plug 0.4.2's
    /// `setBusArrangements` took the aux buses from index 0 when the layout has a main bus
    /// (LACQUER-PATCHES.md, fix k): asked for [stereo main, mono key], a plugin with both key
    /// widths matched its stereo-key layout (main compared with main twice) and told the host
    /// the key was stereo. Then a mono key must drive the gain exactly like the same signal on
    /// both channels of a stereo key, and unlike no key.
    vst3_every_sidechain_layout_is_accepted_as_asked,
    {
        require_some_plugin("a sidechain bus", |s| s.ports.sidechain.is_some());
        for_each_module("VST3 sidechain layouts", |spec, module| {
            let Some(sc) = spec.ports.sidechain else {
                step(spec.name, "no sidechain bus: nothing to check");
                return;
            };
            let entry = lacquer_host_tests::clap_host::load_entry(&bundle::clap_path(spec));
            let probe = instance(&entry, spec);
            let configs = clap_ext::ports_configs(&probe);
            drop(probe);
            let mut layouts: Vec<(Vec<u32>, Vec<u32>)> = Vec::new();
            if configs.is_empty() {
                let default = clap_ext::audio_ports(&instance(&entry, spec));
                layouts.push((default.inputs, default.outputs));
            }
            for config in &configs {
                let inst = instance(&entry, spec);
                assert!(clap_ext::select_ports_config(&inst, config.id), "{config:?}");
                let layout = clap_ext::audio_ports(&inst);
                layouts.push((layout.inputs, layout.outputs));
            }
            let to_arr = |channels: &[u32]| -> Vec<_> {
                channels.iter().map(|&c| arrangement(c)).collect()
            };
            for (ins, outs) in &layouts {
                step(spec.name, &format!("inputs {ins:?}, outputs {outs:?}"));
                let comp = module.create(spec);
                let (ins_arr, outs_arr) = (to_arr(ins), to_arr(outs));
                assert_eq!(
                    comp.set_arrangements(&ins_arr, &outs_arr),
                    kResultOk,
                    "{}: setBusArrangements(inputs {ins:?}, outputs {outs:?}) refused",
                    spec.name
                );
                for (input, want) in [(true, &ins_arr), (false, &outs_arr)] {
                    for (bus, &arr) in want.iter().enumerate() {
                        assert_eq!(
                            comp.arrangement_of(input, bus as i32),
                            Some(arr),
                            "{}: after setBusArrangements(inputs {ins:?}, outputs {outs:?}), \
                             {} bus {bus} reports another arrangement",
                            spec.name,
                            if input { "input" } else { "output" }
                        );
                    }
                }
                let buses = comp.buses(true);
                let got: Vec<u32> = buses.iter().map(|b| b.channels as u32).collect();
                assert_eq!(&got, ins, "{}: getBusInfo channel counts", spec.name);
            }
            // A mono key beside the default main bus.
            let Some((mono_ins, mono_outs)) = layouts
                .iter()
                .find(|(ins, _)| ins.len() == 2 && ins[0] == spec.ports.main_in && ins[1] == 1)
            else {
                step(spec.name, "no mono sidechain layout: key check skipped");
                return;
            };
            let len = 24_000;
            let input = music(spec.ports.main_in as usize, len, 48_000.0, 48);
            let key = noise(1, len, 1.0, 49);
            let key_both = vec![key[0].clone(); sc as usize];
            let clap_settings: Vec<(u32, f64)> = spec
                .key_settings
                .iter()
                .map(|&(id, v)| (param_hash(id), v))
                .collect();
            let settings = vst3_settings(spec, &clap_settings);
            let render = |ins: &[u32], outs: &[u32], feed: AuxFeed<'_>| {
                let mut comp = module.create(spec);
                comp.activate(&to_arr(ins), &to_arr(outs), 48_000.0, 512);
                assert_eq!(comp.flush_params(&settings), kResultOk);
                comp.render_with_aux(&input, outs[0] as usize, feed, 512, &[], false)
            };
            let mono = render(mono_ins, mono_outs, AuxFeed::Signal(&key));
            let silent = render(mono_ins, mono_outs, AuxFeed::Silent(&[1]));
            let (ins, outs, _) = main_layout(spec);
            let stereo = {
                let mut comp = module.create(spec);
                comp.activate(&ins, &outs, 48_000.0, 512);
                assert_eq!(comp.flush_params(&settings), kResultOk);
                comp.render_with_aux(
                    &input,
                    spec.ports.main_out as usize,
                    AuxFeed::Signal(&key_both),
                    512,
                    &[],
                    false,
                )
            };
            assert!(first_non_finite(&mono).is_none(), "{}", spec.name);
            assert!(
                first_difference(&mono, &silent).is_some(),
                "{}: a loud mono key changed nothing under {:?}",
                spec.name,
                spec.key_settings
            );
            assert_identical(
                &mono,
                &stereo,
                &format!("{}: mono key vs the same key on both channels", spec.name),
            );
        });
    }
);
