//! `lacquer master`: lands on the target within 0.1 LU with the true peak under the ceiling;
//! `--album` keeps the files' relative loudness.

mod common;

use common::{field, lacquer, measure_json, programme, run, scratch, write_wav, WavFormat};

/// `programme` scaled by `gain_db`, with a loud 5 ms burst (x6) every quarter second: a
/// crest factor the Limiter must work on, so the gain a linear system would need misses the
/// target and the search has to iterate. (With bursts, album mastering cannot keep the
/// files' difference: the one gain limits the louder file harder; measured 6.0 -> 3.3 LU.)
fn scaled(seed: u64, secs: f64, gain_db: f64, bursts: bool) -> Vec<Vec<f64>> {
    let g = 10f64.powf(gain_db / 20.0);
    programme(48_000, 2, secs, seed)
        .into_iter()
        .map(|c| {
            c.into_iter()
                .enumerate()
                .map(|(i, x)| {
                    if bursts && i % 12_000 < 240 {
                        x * g * 6.0
                    } else {
                        x * g
                    }
                })
                .collect()
        })
        .collect()
}

#[test]
fn master_lands_on_the_target_under_the_ceiling() {
    let dir = scratch("master");
    let input = dir.join("quiet.wav");
    let output = dir.join("master.wav");
    write_wav(
        &input,
        48_000,
        WavFormat::Int(24),
        &scaled(1, 20.0, -12.0, true),
    );
    for (target, lufs, ceiling) in [("spotify", -14.0, -1.0), ("-20:-3", -20.0, -3.0)] {
        let out = run("master", &input, &output, &["--target", target]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("(before)") && stdout.contains("(after"),
            "{stdout}"
        );
        let reading = &measure_json(&[&output])["files"][0];
        let integrated = field(reading, "integrated_lufs");
        let true_peak = field(reading, "true_peak_dbtp");
        eprintln!("{target}: {integrated:.3} LUFS, {true_peak:.3} dBTP");
        assert!(
            (integrated - lufs).abs() <= 0.1,
            "{target}: {integrated} LUFS"
        );
        assert!(true_peak <= ceiling, "{target}: true peak {true_peak} dBTP");
    }
}

#[test]
fn album_mastering_keeps_the_relative_loudness() {
    let dir = scratch("master-album");
    let a = dir.join("a.wav");
    let b = dir.join("b.wav");
    write_wav(
        &a,
        48_000,
        WavFormat::Int(24),
        &scaled(2, 15.0, -14.0, false),
    );
    write_wav(
        &b,
        48_000,
        WavFormat::Int(24),
        &scaled(3, 15.0, -20.0, false),
    );
    let before = measure_json(&[&a, &b]);
    let out_dir = dir.join("out");
    let out = lacquer(&[
        "master",
        "--quiet",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
        "--target",
        "-16:-1",
        "--album",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = measure_json(&[&out_dir.join("a.wav"), &out_dir.join("b.wav")]);
    let album = field(&after["album"], "integrated_lufs");
    assert!((album + 16.0).abs() <= 0.1, "album {album} LUFS");
    let diff = |m: &serde_json::Value| {
        field(&m["files"][0], "integrated_lufs") - field(&m["files"][1], "integrated_lufs")
    };
    let (d0, d1) = (diff(&before), diff(&after));
    eprintln!("album: {album:.3} LUFS; a-b before {d0:.3} LU, after {d1:.3} LU");
    assert!((d0 - d1).abs() <= 0.5, "relative loudness {d0} -> {d1}");
}
