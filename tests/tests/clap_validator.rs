//! The checks free-audio/clap-validator runs that the other CLAP files do not already cover,
//! written against the same bundles so that a validator run holds no surprise: library scanning
//! (`RTLD_NOW`, unknown factories, IDs with trailing garbage), descriptor consistency and
//! features, parameter events in a foreign namespace, flush vs process, state reproducibility
//! (binary, buffered streams, null cookies), parameter fuzzing (values, bounds, sample-accurate,
//! modulation, flush), in-place and out-of-place buffers, constant masks, the validator's sample
//! rates and block sizes, lifecycle cycles, many instances and instances side by side.
//!
//! Each test runs in its own child process (see `lacquer_host_tests::isolate`).

use clack_host::events::event_types::{ParamModEvent, ParamValueEvent};
use clack_host::events::{Pckn, UnknownEvent};
use clack_host::utils::{ClapId, Cookie};
use clap_sys::audio_buffer::clap_audio_buffer;
use clap_sys::events::{clap_event_header, clap_event_param_value, CLAP_EVENT_PARAM_VALUE};
use clap_sys::ext::params::{CLAP_PARAM_IS_READONLY, CLAP_PARAM_IS_STEPPED};
use clap_sys::plugin::clap_plugin_descriptor;
use clap_sys::process::{CLAP_PROCESS_ERROR, CLAP_PROCESS_SLEEP};
use lacquer_host_tests::clap_ext::ParamInfo;
use lacquer_host_tests::clap_host::can_create;
use lacquer_host_tests::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::ffi::{c_char, CStr, CString};
use std::time::{Duration, Instant};

/// The validator's block size for most of its processing tests.
const BLOCK: usize = 512;

/// Every plugin feature the CLAP spec (`plugin-features.h`, CLAP 1.2) defines.
const KNOWN_FEATURES: &[&str] = &[
    "instrument",
    "audio-effect",
    "note-effect",
    "note-detector",
    "analyzer",
    "synthesizer",
    "sampler",
    "drum",
    "drum-machine",
    "filter",
    "phaser",
    "equalizer",
    "deesser",
    "phase-vocoder",
    "granular",
    "frequency-shifter",
    "pitch-shifter",
    "distortion",
    "transient-shaper",
    "compressor",
    "expander",
    "gate",
    "limiter",
    "flanger",
    "chorus",
    "delay",
    "reverb",
    "tremolo",
    "glitch",
    "utility",
    "pitch-correction",
    "restoration",
    "multi-effects",
    "mixing",
    "mastering",
    "mono",
    "stereo",
    "surround",
    "ambisonic",
];

/// The main categories; every plugin needs one.
const MAIN_CATEGORIES: &[&str] = &[
    "instrument",
    "audio-effect",
    "note-effect",
    "note-detector",
    "analyzer",
];

fn cstr_opt(p: *const c_char) -> Option<String> {
    // SAFETY: descriptor strings are NUL-terminated or null, per the spec.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

/// Every field of a descriptor, for comparisons.
fn descriptor_fields(d: &clap_plugin_descriptor) -> (Vec<Option<String>>, Vec<String>) {
    let fields = vec![
        Some(format!(
            "{}.{}.{}",
            d.clap_version.major, d.clap_version.minor, d.clap_version.revision
        )),
        cstr_opt(d.id),
        cstr_opt(d.name),
        cstr_opt(d.vendor),
        cstr_opt(d.url),
        cstr_opt(d.manual_url),
        cstr_opt(d.support_url),
        cstr_opt(d.version),
        cstr_opt(d.description),
    ];
    let mut features = Vec::new();
    if !d.features.is_null() {
        // SAFETY: a NULL-terminated array of C strings, per the spec.
        unsafe {
            let mut f = d.features;
            while !(*f).is_null() {
                features.push(CStr::from_ptr(*f).to_string_lossy().into_owned());
                f = f.add(1);
            }
        }
    }
    (fields, features)
}

// --- Library and factory ------------------------------------------------------------------

host_test!(library_scans_with_rtld_now_and_refuses_unknown_factories, {
    use clap_sys::entry::clap_plugin_entry;
    use clap_sys::factory::plugin_factory::{clap_plugin_factory, CLAP_PLUGIN_FACTORY_ID};
    use libloading::os::unix::{Library, RTLD_LOCAL, RTLD_NOW};
    for spec in lacquer_host_tests::plugins::selected() {
        step(spec.name, "scan with RTLD_NOW, unknown factory, scan time");
        let path = bundle::clap_path(spec);
        let started = Instant::now();
        // RTLD_NOW: every symbol must resolve at load time, not at first call inside a host.
        // SAFETY: loading our own bundle runs its initialisers.
        let library = unsafe { Library::open(Some(&path), RTLD_NOW | RTLD_LOCAL) }
            .unwrap_or_else(|e| panic!("{}: dlopen(RTLD_NOW): {e}", spec.name));
        // SAFETY: symbol type per the CLAP spec; the entry lives as long as the library.
        unsafe {
            let entry: libloading::os::unix::Symbol<*const clap_plugin_entry> =
                library.get(b"clap_entry\0").expect("clap_entry exported");
            let entry = &**entry;
            assert!(
                clap_sys::version::clap_version_is_compatible(entry.clap_version),
                "{}: entry CLAP version",
                spec.name
            );
            let path_c = CString::new(path.to_string_lossy().as_bytes()).unwrap();
            assert!(
                entry.init.unwrap()(path_c.as_ptr()),
                "{}: entry.init",
                spec.name
            );
            let get_factory = entry.get_factory.unwrap();
            let bogus = CString::new(format!("foo-factory-{}", fastrand::u64(..))).unwrap();
            assert!(
                get_factory(bogus.as_ptr()).is_null(),
                "{}: returned a factory for an unknown factory ID",
                spec.name
            );
            let factory =
                get_factory(CLAP_PLUGIN_FACTORY_ID.as_ptr()) as *const clap_plugin_factory;
            assert!(!factory.is_null(), "{}: no plugin factory", spec.name);
            let count = (*factory).get_plugin_count.unwrap()(factory);
            assert_eq!(count, 1, "{}: plugins in the factory", spec.name);
            for i in 0..count {
                let d = (*factory).get_plugin_descriptor.unwrap()(factory, i);
                assert!(!d.is_null(), "{}: descriptor {i}", spec.name);
            }
            assert!(
                (*factory).get_plugin_descriptor.unwrap()(factory, count).is_null(),
                "{}: a descriptor past the end",
                spec.name
            );
            entry.deinit.unwrap()();
        }
        drop(library);
        let scan = started.elapsed();
        eprintln!(
            "{}: scan (load, init, descriptors, deinit, unload) took {scan:?}",
            spec.name
        );
        // The validator warns above 100 ms, and so do we: a debug-build scan takes well under
        // a millisecond here, so 100 ms leaves two orders of magnitude for a busy machine.
        assert!(
            scan < Duration::from_millis(100),
            "{}: scanning took {scan:?}",
            spec.name
        );
    }
});

host_test!(create_plugin_refuses_ids_it_does_not_list, {
    for_each_plugin("create_plugin with wrong IDs", |spec, entry| {
        let id = spec.clap_id;
        let wrong = [
            format!("{id}x1"),
            format!("{id} "),
            format!("{id}.extra"),
            id[..id.len() - 1].to_owned(),
            id.to_uppercase(),
            String::new(),
        ];
        for w in &wrong {
            let c = CString::new(w.as_str()).unwrap();
            assert!(
                !can_create(entry, &c),
                "{}: create_plugin({w:?}) returned an instance",
                spec.name
            );
        }
        assert!(can_create(entry, &CString::new(id).unwrap()));
    });
});

host_test!(descriptor_is_consistent_and_features_are_valid, {
    for_each_plugin("descriptor consistency, features", |spec, entry| {
        let factory = entry.get_plugin_factory().expect("plugin factory");
        let d = factory.plugin_descriptor(0).expect("descriptor 0");
        let (factory_fields, factory_features) = descriptor_fields(d.as_raw());
        let inst = instance(entry, spec);
        // SAFETY: a live instance's descriptor is valid for its lifetime.
        let (inst_fields, inst_features) = descriptor_fields(unsafe { &*(*inst.raw()).desc });
        assert_eq!(
            factory_fields, inst_fields,
            "{}: factory descriptor vs clap_plugin.desc",
            spec.name
        );
        assert_eq!(factory_features, inst_features, "{}: features", spec.name);
        // SAFETY: as above.
        let version = unsafe { (*(*inst.raw()).desc).clap_version };
        assert!(clap_sys::version::clap_version_is_compatible(version));
        for (i, name) in ["id", "name", "vendor", "version"].iter().enumerate() {
            let value = factory_fields[i + 1].as_deref().unwrap_or("");
            assert!(!value.is_empty(), "{}: empty descriptor {name}", spec.name);
        }
        let features = factory_features;
        step(spec.name, &format!("features {features:?}"));
        assert!(
            features
                .iter()
                .any(|f| MAIN_CATEGORIES.contains(&f.as_str())),
            "{}: no main category in {features:?}",
            spec.name
        );
        assert!(
            features.iter().any(|f| f == "audio-effect"),
            "{}: an effect must say audio-effect",
            spec.name
        );
        let unique: HashSet<&String> = features.iter().collect();
        assert_eq!(
            unique.len(),
            features.len(),
            "{}: duplicate features",
            spec.name
        );
        for f in &features {
            // Vendor features are allowed by the spec as "vendor:feature"; Lacquer uses none.
            assert!(
                KNOWN_FEATURES.contains(&f.as_str()),
                "{}: feature {f:?} is not a standard CLAP feature",
                spec.name
            );
        }
    });
});

// --- Parameters ---------------------------------------------------------------------------

/// Every parameter's current CLAP value, by ID.
fn values(inst: &Instance) -> BTreeMap<u32, f64> {
    clap_ext::params(inst)
        .iter()
        .map(|p| (p.id, clap_ext::param_value(inst, p.id).expect("get_value")))
        .collect()
}

/// The validator's comparison: stepped values by rounding, others within 1e-4 of the range.
fn approx_equal(infos: &[ParamInfo], a: &BTreeMap<u32, f64>, b: &BTreeMap<u32, f64>) -> bool {
    infos.iter().all(|p| {
        let (x, y) = (a[&p.id], b[&p.id]);
        if p.flags & CLAP_PARAM_IS_STEPPED != 0 {
            x.round() == y.round()
        } else {
            ((x - y) / (p.max - p.min)).abs() <= 1e-4
        }
    })
}

/// Random values for every automatable, writable parameter, as the validator's fuzzer picks them:
/// stepped parameters get whole numbers, others anything in range, or only the bounds.
fn fuzz_values(infos: &[ParamInfo], rng: &mut fastrand::Rng, bounds: bool) -> Vec<(u32, f64)> {
    infos
        .iter()
        .filter(|p| p.flags & CLAP_PARAM_IS_READONLY == 0)
        .map(|p| {
            let v = if bounds {
                if rng.bool() {
                    p.min
                } else {
                    p.max
                }
            } else if p.flags & CLAP_PARAM_IS_STEPPED != 0 {
                f64::from(rng.i32(p.min as i32..=p.max as i32))
            } else {
                p.min + rng.f64() * (p.max - p.min)
            };
            (p.id, v)
        })
        .collect()
}

/// Parameter value events at `time`, with explicit null cookies when `null_cookies`.
fn value_events(values: &[(u32, f64)], time: u32, null_cookies: bool) -> EventBuffer {
    let mut events = EventBuffer::with_capacity(values.len());
    for &(id, v) in values {
        let mut e = ParamValueEvent::new(time, ClapId::new(id), Pckn::match_all(), v);
        if null_cookies {
            // SAFETY: a null cookie is always allowed.
            e = unsafe { e.with_cookie(Cookie::empty()) };
        }
        events.push(&e);
    }
    events
}

/// Process one block of `input` (main input channels) with `events`; returns the main output.
fn block(inst: &mut Instance, input: &[Vec<f32>], events: &EventBuffer) -> Vec<Vec<f32>> {
    let n = input[0].len();
    for (c, ch) in input.iter().enumerate() {
        inst.input_mut(0, c)[..n].copy_from_slice(ch);
    }
    inst.process(n, events);
    (0..inst.output_channels()[0])
        .map(|c| inst.output(0, c)[..n].to_vec())
        .collect()
}

host_test!(param_events_in_another_namespace_are_ignored, {
    for_each_plugin("param-set-wrong-namespace", |spec, entry| {
        let mut rng = fastrand::Rng::with_seed(70);
        let probe = instance(entry, spec);
        let infos = clap_ext::params(&probe);
        drop(probe);
        let settings = fuzz_values(&infos, &mut rng, false);
        let mut events = EventBuffer::with_capacity(settings.len());
        for &(id, value) in &settings {
            let raw = clap_event_param_value {
                header: clap_event_header {
                    size: std::mem::size_of::<clap_event_param_value>() as u32,
                    time: 0,
                    space_id: 0xb33f,
                    type_: CLAP_EVENT_PARAM_VALUE,
                    flags: 0,
                },
                param_id: id,
                cookie: std::ptr::null_mut(),
                note_id: -1,
                port_index: -1,
                channel: -1,
                key: -1,
                value,
            };
            // SAFETY: `raw.header` heads a complete event of `header.size` bytes.
            events.push(unsafe { UnknownEvent::from_raw(&raw.header) });
        }
        let input = noise(spec.ports.main_in as usize, BLOCK, 0.5, 71);
        // Through process().
        let mut inst = instance(entry, spec).activated(AudioConfig::new(48_000.0, BLOCK as u32));
        let before = values(&inst);
        let out = block(&mut inst, &input, &events);
        assert_eq!(
            values(&inst),
            before,
            "{}: foreign-namespace events changed values (process)",
            spec.name
        );
        let mut clean = instance(entry, spec).activated(AudioConfig::new(48_000.0, BLOCK as u32));
        let want = block(&mut clean, &input, &EventBuffer::new());
        assert_identical(
            &out,
            &want,
            &format!("{}: foreign-namespace events changed audio", spec.name),
        );
        // Through params.flush() on an inactive instance.
        let idle = instance(entry, spec);
        let before = values(&idle);
        clap_ext::flush(&idle, &events);
        assert_eq!(
            values(&idle),
            before,
            "{}: foreign-namespace events changed values (flush)",
            spec.name
        );
    });
});

host_test!(flush_matches_process_and_state_reproduces, {
    for_each_plugin(
        "param-set-events, state-reproducibility (flush, binary, buffered, null cookies)",
        |spec, entry| {
            let mut rng = fastrand::Rng::with_seed(72);
            for round in 0..4 {
                let null_cookies = round % 2 == 1;
                let probe = instance(entry, spec);
                let infos = clap_ext::params(&probe);
                let initial = values(&probe);
                drop(probe);
                let settings = fuzz_values(&infos, &mut rng, round == 3);
                let events = value_events(&settings, 0, null_cookies);
                // A: values set through flush() alone, never processed.
                let a = instance(entry, spec);
                clap_ext::flush(&a, &events);
                let flushed = values(&a);
                assert_ne!(flushed, initial, "{}: flush() changed nothing", spec.name);
                // B: the same events through one process() call.
                let mut b =
                    instance(entry, spec).activated(AudioConfig::new(44_100.0, BLOCK as u32));
                block(
                    &mut b,
                    &noise(spec.ports.main_in as usize, BLOCK, 0.5, 73),
                    &events,
                );
                let processed = values(&b);
                assert!(
                    approx_equal(&infos, &flushed, &processed),
                    "{} round {round}: flush() vs process() values:\n{flushed:?}\n{processed:?}",
                    spec.name
                );
                // The flushed values are what the state holds.
                let saved = clap_ext::save_state(&a).expect("save");
                drop(a);
                for (how, chunk) in [("whole", usize::MAX), ("17-byte reads", 17)] {
                    let c = instance(entry, spec);
                    assert!(
                        clap_ext::load_state_from(
                            &c,
                            &mut ChunkedReader {
                                data: &saved,
                                chunk
                            }
                        ),
                        "{}: load ({how})",
                        spec.name
                    );
                    let loaded = values(&c);
                    assert!(
                        approx_equal(&infos, &loaded, &flushed),
                        "{} round {round}: values after load ({how}):\n{loaded:?}\n{flushed:?}",
                        spec.name
                    );
                    let mut again = Vec::new();
                    assert!(clap_ext::save_state_to(
                        &c,
                        &mut ChunkedWriter {
                            data: &mut again,
                            chunk: 23
                        }
                    ));
                    assert!(
                        again == saved,
                        "{} round {round}: state saved after load ({how}) differs from the loaded \
                     bytes (state-reproducibility-binary):\n{}\n{}",
                        spec.name,
                        String::from_utf8_lossy(&saved[8..]),
                        String::from_utf8_lossy(&again[8..])
                    );
                }
            }
            // state-invalid-random: a megabyte of noise, three times.
            let inst = instance(entry, spec);
            let before = values(&inst);
            let mut junk = vec![0u8; 1 << 20];
            for _ in 0..3 {
                junk.iter_mut().for_each(|b| *b = rng.u8(..));
                assert!(
                    !clap_ext::load_state(&inst, &junk),
                    "{}: loaded random bytes",
                    spec.name
                );
            }
            assert_eq!(
                values(&inst),
                before,
                "{}: random state changed values",
                spec.name
            );
        },
    );
});

host_test!(param_fuzz_keeps_output_finite, {
    for_each_plugin(
        "param-fuzz (values, bounds, sample-accurate, modulation, flush)",
        |spec, entry| {
            let mut rng = fastrand::Rng::with_seed(74);
            let channels = spec.ports.main_in as usize;
            let check = |out: &[Vec<f32>], what: &str| {
                if let Some((c, i, x)) = first_non_finite(out) {
                    panic!("{}: {what}: channel {c} sample {i} is {x}", spec.name);
                }
                assert!(
                    peak(out) < 1000.0,
                    "{}: {what}: peak {}",
                    spec.name,
                    peak(out)
                );
            };
            // param-fuzz-basic and -bounds: 50 permutations, 5 noise blocks each.
            for bounds in [false, true] {
                let mut inst =
                    instance(entry, spec).activated(AudioConfig::new(44_100.0, BLOCK as u32));
                let infos = clap_ext::params(&inst);
                for permutation in 0..50 {
                    let events = value_events(&fuzz_values(&infos, &mut rng, bounds), 0, false);
                    let none = EventBuffer::new();
                    for run in 0..5 {
                        let input = noise(channels, BLOCK, 1.0, rng.u64(..));
                        let out = block(&mut inst, &input, if run == 0 { &events } else { &none });
                        check(
                            &out,
                            &format!("bounds {bounds}, permutation {permutation}, run {run}"),
                        );
                    }
                }
            }
            // param-fuzz-sample-accurate: every parameter re-randomised every 1000, 100, 10 samples.
            let mut inst =
                instance(entry, spec).activated(AudioConfig::new(44_100.0, BLOCK as u32));
            let infos = clap_ext::params(&inst);
            for interval in [1000usize, 100, 10] {
                let mut next = 0usize;
                for b in 0..(interval * 4).div_ceil(BLOCK) {
                    let mut events = EventBuffer::new();
                    while next < BLOCK {
                        for (id, v) in fuzz_values(&infos, &mut rng, false) {
                            events.push(&ParamValueEvent::new(
                                next as u32,
                                ClapId::new(id),
                                Pckn::match_all(),
                                v,
                            ));
                        }
                        next += interval;
                    }
                    next -= BLOCK;
                    let out = block(
                        &mut inst,
                        &noise(channels, BLOCK, 1.0, rng.u64(..)),
                        &events,
                    );
                    check(&out, &format!("every {interval} samples, block {b}"));
                }
            }
            // param-fuzz-modulation: random modulation amounts on every parameter, within a block.
            for b in 0..20 {
                let mut events = EventBuffer::new();
                let mut times: Vec<u32> =
                    (0..infos.len()).map(|_| rng.u32(0..BLOCK as u32)).collect();
                times.sort_unstable();
                for (p, t) in infos.iter().zip(times) {
                    let span = p.max - p.min;
                    events.push(&ParamModEvent::new(
                        t,
                        ClapId::new(p.id),
                        Pckn::match_all(),
                        (rng.f64() * 2.0 - 1.0) * span,
                    ));
                }
                let out = block(
                    &mut inst,
                    &noise(channels, BLOCK, 1.0, rng.u64(..)),
                    &events,
                );
                check(&out, &format!("modulation block {b}"));
            }
            // Values through flush() between blocks of a running instance.
            for b in 0..20 {
                clap_ext::flush(
                    &inst,
                    &value_events(&fuzz_values(&infos, &mut rng, b % 3 == 0), 0, false),
                );
                let out = block(
                    &mut inst,
                    &noise(channels, BLOCK, 1.0, rng.u64(..)),
                    &EventBuffer::new(),
                );
                check(&out, &format!("after flush {b}"));
            }
        },
    );
});

// --- Buffers --------------------------------------------------------------------------------

/// Channel pointers and `clap_audio_buffer`s for one raw process call. Ports past the main one
/// are fed constant silence (flagged constant).
struct RawIo {
    /// `[port][channel]` input storage (main port from the caller, others zeros).
    inputs: Vec<Vec<Vec<f32>>>,
    /// `[port][channel]` output storage (unused when in place).
    outputs: Vec<Vec<Vec<f32>>>,
}

impl RawIo {
    fn new(inst: &Instance, main: &[Vec<f32>], garbage: f32) -> Self {
        let n = main[0].len();
        let inputs = inst
            .input_channels()
            .iter()
            .enumerate()
            .map(|(p, &c)| {
                if p == 0 {
                    main.to_vec()
                } else {
                    vec![vec![0.0; n]; c]
                }
            })
            .collect();
        let outputs = inst
            .output_channels()
            .iter()
            .map(|&c| vec![vec![garbage; n]; c])
            .collect();
        Self { inputs, outputs }
    }

    /// Process in place (output pointers are the input pointers, port by port) or out of place.
    /// Returns the status and the output constant masks the plugin left.
    fn process(
        &mut self,
        inst: &mut Instance,
        in_place: bool,
        main_mask: u64,
        out_mask_before: u64,
        events: &EventBuffer,
    ) -> (i32, Vec<u64>) {
        let n = self.inputs[0][0].len();
        let in_ptrs: Vec<Vec<*mut f32>> = self
            .inputs
            .iter_mut()
            .map(|port| port.iter_mut().map(|c| c.as_mut_ptr()).collect())
            .collect();
        let out_ptrs: Vec<Vec<*mut f32>> = if in_place {
            in_ptrs.iter().take(self.outputs.len()).cloned().collect()
        } else {
            self.outputs
                .iter_mut()
                .map(|port| port.iter_mut().map(|c| c.as_mut_ptr()).collect())
                .collect()
        };
        let inputs: Vec<clap_audio_buffer> = in_ptrs
            .iter()
            .enumerate()
            .map(|(p, ptrs)| clap_audio_buffer {
                data32: ptrs.as_ptr().cast_mut(),
                data64: std::ptr::null_mut(),
                channel_count: ptrs.len() as u32,
                latency: 0,
                constant_mask: if p == 0 {
                    main_mask
                } else {
                    (1 << ptrs.len()) - 1
                },
            })
            .collect();
        let mut outputs: Vec<clap_audio_buffer> = out_ptrs
            .iter()
            .map(|ptrs| clap_audio_buffer {
                data32: ptrs.as_ptr().cast_mut(),
                data64: std::ptr::null_mut(),
                channel_count: ptrs.len() as u32,
                latency: 0,
                constant_mask: out_mask_before,
            })
            .collect();
        // SAFETY: every pointer points at `n` samples of storage owned by `self`, and the port
        // and channel counts come from the active layout.
        let status = unsafe { inst.process_raw(n as u32, &inputs, &mut outputs, events) };
        (status, outputs.iter().map(|o| o.constant_mask).collect())
    }

    fn main_output(&self, in_place: bool) -> Vec<Vec<f32>> {
        if in_place {
            self.inputs[0].clone()
        } else {
            self.outputs[0].clone()
        }
    }
}

host_test!(process_audio_in_place_and_out_of_place, {
    for_each_plugin("process-audio in-place / out-of-place", |spec, entry| {
        let mut rng = fastrand::Rng::with_seed(75);
        let len = 48 * BLOCK;
        let input = music(spec.ports.main_in as usize, len, 48_000.0, 76);
        let settings = random_settings(spec, &mut rng);
        let config = AudioConfig::new(48_000.0, BLOCK as u32);
        let want = {
            let mut inst = instance(entry, spec);
            set_params_inactive(&inst, &settings);
            inst.activate(config).unwrap();
            inst.render(&input, None, &[], || BLOCK)
        };
        let in_place_possible = spec.ports.main_in == spec.ports.main_out;
        for in_place in [false, true] {
            if in_place && !in_place_possible {
                continue;
            }
            let mut inst = instance(entry, spec);
            set_params_inactive(&inst, &settings);
            inst.activate(config).unwrap();
            let mut out = vec![Vec::with_capacity(len); spec.ports.main_out as usize];
            for b in 0..len / BLOCK {
                let chunk: Vec<Vec<f32>> = input
                    .iter()
                    .map(|c| c[b * BLOCK..(b + 1) * BLOCK].to_vec())
                    .collect();
                // Out of place: outputs start as garbage the plugin must overwrite entirely.
                let mut io = RawIo::new(&inst, &chunk, f32::NAN);
                let (status, _) = io.process(&mut inst, in_place, 0, 0, &EventBuffer::new());
                assert_ne!(status, CLAP_PROCESS_ERROR, "{}: process error", spec.name);
                if !in_place {
                    assert_identical(
                        &io.inputs[0],
                        &chunk,
                        &format!("{}: out-of-place process wrote into its input", spec.name),
                    );
                }
                for (o, c) in out.iter_mut().zip(io.main_output(in_place)) {
                    o.extend_from_slice(&c);
                }
            }
            assert_identical(
                &out,
                &want,
                &format!(
                    "{}: {} vs clack-host render",
                    spec.name,
                    if in_place { "in place" } else { "out of place" }
                ),
            );
        }
    });
});

host_test!(constant_masks_are_honoured, {
    for_each_plugin("constant masks, sleep status", |spec, entry| {
        let channels = spec.ports.main_in as usize;
        let config = AudioConfig::new(48_000.0, BLOCK as u32);
        let mut flagged = instance(entry, spec).activated(config);
        let mut plain = instance(entry, spec).activated(config);
        let mut unclean = instance(entry, spec).activated(config);
        // Silence, a constant DC value, music, then silence again: flagged constant on one
        // instance, unflagged on the other; identical output either way.
        let blocks: Vec<(Vec<Vec<f32>>, bool)> = (0..40)
            .map(|b| match b {
                0..=9 => (constant(channels, BLOCK, 0.0), true),
                10..=14 => (constant(channels, BLOCK, 0.25), true),
                15..=19 => (music(channels, BLOCK, 48_000.0, b), false),
                _ => (constant(channels, BLOCK, 0.0), true),
            })
            .collect();
        for (b, (input, is_constant)) in blocks.iter().enumerate() {
            let mask = if *is_constant {
                (1u64 << channels) - 1
            } else {
                0
            };
            let mut io_a = RawIo::new(&flagged, input, 0.0);
            let (status, masks) = io_a.process(&mut flagged, false, mask, 0, &EventBuffer::new());
            let mut io_b = RawIo::new(&plain, input, 0.0);
            io_b.process(&mut plain, false, 0, 0, &EventBuffer::new());
            assert_identical(
                &io_a.main_output(false),
                &io_b.main_output(false),
                &format!(
                    "{}: block {b}: constant-flagged input vs the same input unflagged",
                    spec.name
                ),
            );
            // An output flagged constant must be constant.
            for (port, (&m, bufs)) in masks.iter().zip(&io_a.outputs).enumerate() {
                for (c, ch) in bufs.iter().enumerate() {
                    if m & (1 << c) != 0 {
                        assert!(
                            ch.iter().all(|&x| x == ch[0]),
                            "{}: block {b}: output {port}/{c} flagged constant but is not",
                            spec.name
                        );
                    }
                }
            }
            if status == CLAP_PROCESS_SLEEP {
                for ch in &io_a.outputs[0] {
                    assert!(
                        ch.iter().all(|&x| x == ch[0]),
                        "{}: block {b}: SLEEP with non-constant output",
                        spec.name
                    );
                }
            }
            // A host that leaves stale bits in the output masks (all ones) before a call: the
            // plugin owns those masks and must clear them, or the host takes a varying output
            // for constant. nice-plug 0.4.2 never wrote them (LACQUER-PATCHES.md, fix e).
            let mut io_c = RawIo::new(&unclean, input, 0.0);
            let (_, masks) = io_c.process(&mut unclean, false, 0, u64::MAX, &EventBuffer::new());
            for (port, (&m, bufs)) in masks.iter().zip(&io_c.outputs).enumerate() {
                if !*is_constant {
                    assert_eq!(
                        m, 0,
                        "{}: block {b}: output {port} kept the host's stale constant_mask {m:#x}",
                        spec.name
                    );
                }
                for (c, ch) in bufs.iter().enumerate() {
                    assert!(
                        m & (1 << c) == 0 || ch.iter().all(|&x| x == ch[0]),
                        "{}: block {b}: stale mask: output {port}/{c} flagged constant but is not",
                        spec.name
                    );
                }
            }
        }
    });
});

// --- Rates, block sizes, lifecycle ------------------------------------------------------------

host_test!(validator_sample_rates_and_block_sizes, {
    for_each_plugin(
        "process-varying-sample-rates / -block-sizes / random",
        |spec, entry| {
            let channels = spec.ports.main_in as usize;
            let mut rng = fastrand::Rng::with_seed(77);
            let mut inst = instance(entry, spec);
            for rate in [
                8000.0, 22050.0, 44100.0, 48000.0, 88200.0, 96000.0, 192000.0, 384000.0, 768000.0,
                1234.5678, 12345.678, 45678.901, 123456.78,
            ] {
                step(spec.name, &format!("{rate} Hz"));
                inst.activate(AudioConfig {
                    sample_rate: rate,
                    min_block: 1,
                    max_block: BLOCK as u32,
                })
                .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
                let mut settings_rng = fastrand::Rng::with_seed(rng.u64(..));
                let changes = changes_at(0, &random_settings(spec, &mut settings_rng));
                let out = inst.render(
                    &noise(channels, 5 * BLOCK, 1.0, rng.u64(..)),
                    None,
                    &changes,
                    || BLOCK,
                );
                assert!(first_non_finite(&out).is_none(), "{}: {rate} Hz", spec.name);
                inst.deactivate();
            }
            for max_block in [1u32, 256, 1024, 4096, 16384, 1536, 10, 17, 2027] {
                step(spec.name, &format!("blocks of {max_block}"));
                inst.activate(AudioConfig {
                    sample_rate: 44_100.0,
                    min_block: max_block,
                    max_block,
                })
                .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
                let iters = (16384 / max_block).clamp(1, 5) as usize;
                let out = inst.render(
                    &noise(channels, iters * max_block as usize, 1.0, rng.u64(..)),
                    None,
                    &[],
                    || max_block as usize,
                );
                assert!(
                    first_non_finite(&out).is_none(),
                    "{}: blocks of {max_block}",
                    spec.name
                );
                inst.deactivate();
            }
            inst.activate(AudioConfig::new(44_100.0, 2048)).unwrap();
            for _ in 0..20 {
                let n = if rng.f32() < 0.8 {
                    rng.usize(2..=2048)
                } else {
                    1
                };
                let out = inst.render(&noise(channels, n, 1.0, rng.u64(..)), None, &[], || n);
                assert!(
                    first_non_finite(&out).is_none(),
                    "{}: random block {n}",
                    spec.name
                );
            }
        },
    );
});

host_test!(values_survive_activation_cycles, {
    for_each_plugin(
        "get_value across activate/deactivate/start/stop",
        |spec, entry| {
            let mut rng = fastrand::Rng::with_seed(78);
            let mut inst = instance(entry, spec);
            let infos = clap_ext::params(&inst);
            clap_ext::flush(
                &inst,
                &value_events(&fuzz_values(&infos, &mut rng, false), 0, false),
            );
            let want = values(&inst);
            for (i, rate) in [44_100.0, 48_000.0, 96_000.0, 22_050.0, 192_000.0]
                .into_iter()
                .enumerate()
            {
                inst.activate(AudioConfig::new(rate, 256 << i)).unwrap();
                assert_eq!(
                    values(&inst),
                    want,
                    "{}: after activate at {rate}",
                    spec.name
                );
                inst.render(
                    &noise(spec.ports.main_in as usize, 2048, 0.5, 79),
                    None,
                    &[],
                    || 256,
                );
                assert_eq!(
                    values(&inst),
                    want,
                    "{}: after processing at {rate}",
                    spec.name
                );
                inst.stop_processing();
                assert_eq!(values(&inst), want, "{}: after stop_processing", spec.name);
                inst.start_processing().unwrap();
                inst.deactivate();
                assert_eq!(values(&inst), want, "{}: after deactivate", spec.name);
            }
        },
    );
});

host_test!(lifecycle_cycles_and_reset_while_running, {
    for_each_plugin(
        "activate/deactivate/start/stop cycles, reset",
        |spec, entry| {
            let channels = spec.ports.main_in as usize;
            let mut rng = fastrand::Rng::with_seed(80);
            let settings = random_settings(spec, &mut rng);
            let input = music(channels, 8 * BLOCK, 48_000.0, 81);
            let config = AudioConfig::new(48_000.0, BLOCK as u32);
            let fresh = {
                let mut inst = instance(entry, spec);
                set_params_inactive(&inst, &settings);
                inst.activate(config).unwrap();
                inst.render(&input, None, &[], || BLOCK)
            };
            let mut inst = instance(entry, spec);
            set_params_inactive(&inst, &settings);
            // Twenty activate/deactivate cycles, with and without processing in between.
            for cycle in 0..20 {
                inst.activate(config).unwrap();
                if cycle % 2 == 0 {
                    inst.render(&noise(channels, 1000, 1.0, cycle), None, &[], || 300);
                }
                inst.deactivate();
            }
            inst.activate(config).unwrap();
            // Twenty stop/start cycles inside one activation.
            for cycle in 0..20 {
                inst.render(&noise(channels, BLOCK, 1.0, 100 + cycle), None, &[], || {
                    BLOCK
                });
                inst.stop_processing();
                if cycle % 5 == 0 {
                    // reset() is allowed while stopped too.
                    inst.reset();
                }
                inst.start_processing()
                    .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
            }
            // reset() between two process calls of a running instance, then the same output as a
            // fresh instance.
            inst.render(&noise(channels, 3000, 1.0, 82), None, &[], || 700);
            inst.reset();
            let after_reset = inst.render(&input, None, &[], || BLOCK);
            assert_identical(
                &after_reset,
                &fresh,
                &format!("{}: reset while running vs fresh", spec.name),
            );
            // reset() before every block for a while: still sane output.
            for b in 0..100 {
                inst.reset();
                let out = inst.render(&noise(channels, 64, 1.0, 200 + b), None, &[], || 64);
                assert!(
                    first_non_finite(&out).is_none(),
                    "{}: reset every block",
                    spec.name
                );
            }
            // Stop, reset, start: the same output as a fresh instance.
            inst.stop_processing();
            inst.reset();
            inst.start_processing().unwrap();
            let restarted = inst.render(&input, None, &[], || BLOCK);
            assert_identical(
                &restarted,
                &fresh,
                &format!("{}: stop/reset/start vs fresh", spec.name),
            );
        },
    );
});

host_test!(ports_config_select_then_activate_cycles, {
    for_each_plugin(
        "audio-ports-config select/activate cycles",
        |spec, entry| {
            let mut inst = instance(entry, spec);
            let configs = clap_ext::ports_configs(&inst);
            let layout = clap_ext::audio_ports(&inst);
            assert!(
                !clap_ext::select_ports_config(&inst, 0x7fff_0000),
                "{}: selected an unknown config",
                spec.name
            );
            assert_eq!(
                clap_ext::audio_ports(&inst),
                layout,
                "{}: a refused select changed the layout",
                spec.name
            );
            // Twice through every config on one instance, each time compared with a fresh instance.
            for round in 0..2 {
                for config in &configs {
                    step(spec.name, &format!("round {round}: {:?}", config.name));
                    assert!(clap_ext::select_ports_config(&inst, config.id));
                    inst.activate(DEFAULT_CONFIG).unwrap();
                    assert_eq!(
                        inst.input_channels().first().copied().unwrap_or(0),
                        config.main_in as usize
                    );
                    assert_eq!(inst.output_channels()[0], config.main_out as usize);
                    let input = music(config.main_in as usize, 4800, 48_000.0, 83);
                    let out = inst.render(&input, None, &[], || BLOCK);
                    let mut fresh = instance(entry, spec);
                    assert!(clap_ext::select_ports_config(&fresh, config.id));
                    fresh.activate(DEFAULT_CONFIG).unwrap();
                    let want = fresh.render(&input, None, &[], || BLOCK);
                    assert_identical(
                        &out,
                        &want,
                        &format!("{}: {:?} after switching configs", spec.name, config.name),
                    );
                    inst.deactivate();
                }
            }
        },
    );
});

host_test!(twenty_instances_created_and_destroyed, {
    for_each_plugin("20 instances in a loop, 20 at once", |spec, entry| {
        let channels = spec.ports.main_in as usize;
        let input = noise(channels, 2048, 0.5, 84);
        let mut first: Option<Vec<Vec<f32>>> = None;
        for i in 0..20 {
            let mut inst = instance(entry, spec).activated(DEFAULT_CONFIG);
            let out = inst.render(&input, None, &[], || BLOCK);
            match &first {
                None => first = Some(out),
                Some(want) => assert_identical(
                    &out,
                    want,
                    &format!("{}: instance {i} vs instance 0", spec.name),
                ),
            }
        }
        let mut many: Vec<Instance> = (0..20)
            .map(|_| instance(entry, spec).activated(DEFAULT_CONFIG))
            .collect();
        for (i, inst) in many.iter_mut().enumerate() {
            let out = inst.render(&input, None, &[], || BLOCK);
            assert_identical(
                &out,
                first.as_ref().unwrap(),
                &format!("{}: live instance {i}", spec.name),
            );
        }
        // Destroy in an order other than creation.
        while !many.is_empty() {
            let i = many.len() / 2;
            drop(many.remove(i));
        }
    });
});

host_test!(two_instances_processing_alternately_share_nothing, {
    for_each_plugin("two instances, alternating blocks", |spec, entry| {
        let mut rng = fastrand::Rng::with_seed(85);
        let channels = spec.ports.main_in as usize;
        let len = 24_000;
        let inputs = [
            music(channels, len, 48_000.0, 86),
            noise(channels, len, 0.7, 87),
        ];
        let settings = [
            random_settings(spec, &mut rng),
            random_settings(spec, &mut rng),
        ];
        let automation: Vec<Vec<ParamChange>> = (0..2)
            .map(|_| {
                (0..30)
                    .filter_map(|_| {
                        let p = &spec.params[rng.usize(..spec.params.len())];
                        (!p.bypass).then(|| ParamChange {
                            time: rng.usize(..len),
                            id: p.clap_id(),
                            value: random_value(p.kind, &mut rng),
                        })
                    })
                    .collect()
            })
            .collect();
        let make = |i: usize| {
            let mut inst = instance(entry, spec);
            set_params_inactive(&inst, &settings[i]);
            inst.activate(DEFAULT_CONFIG).unwrap();
            inst
        };
        let alone: Vec<Vec<Vec<f32>>> = (0..2)
            .map(|i| make(i).render(&inputs[i], None, &automation[i], || 300))
            .collect();
        // Side by side: one block of A, one block of B, ...
        let mut pair = [make(0), make(1)];
        let mut outs = vec![vec![Vec::new(); spec.ports.main_out as usize]; 2];
        let mut pos = 0;
        while pos < len {
            let n = 300.min(len - pos);
            for i in 0..2 {
                let chunk: Vec<Vec<f32>> =
                    inputs[i].iter().map(|c| c[pos..pos + n].to_vec()).collect();
                let changes: Vec<ParamChange> = automation[i]
                    .iter()
                    .filter(|c| (pos..pos + n).contains(&c.time))
                    .map(|c| ParamChange {
                        time: c.time - pos,
                        ..*c
                    })
                    .collect();
                let out = pair[i].render(&chunk, None, &changes, || n);
                for (o, c) in outs[i].iter_mut().zip(out) {
                    o.extend_from_slice(&c);
                }
            }
            pos += n;
        }
        for i in 0..2 {
            assert_identical(
                &outs[i],
                &alone[i],
                &format!("{}: instance {i} side by side vs alone", spec.name),
            );
        }
    });
});
