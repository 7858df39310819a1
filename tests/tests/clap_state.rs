//! CLAP state: save/load round trips, garbage and truncated state, old-version fixtures.
//!
//! Each test runs in its own child process (see `lacquer_host_tests::isolate`): an abort in a
//! plugin (an allocation in `process()` under `assert_process_allocs`, a panic in a callback)
//! fails that test by name instead of killing the test binary.

use lacquer_host_tests::prelude::*;

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
