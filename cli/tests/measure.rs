//! `lacquer measure` against the standard's figures, the loudness module, and its own error
//! contract. Each test writes its input files itself.

mod common;

use common::*;
use dsp_core::loudness::LoudnessMeter;

/// EBU Tech 3341 case 1 in a file: a stereo 1 kHz sine at −23 dBFS reads −23.0 ±0.1 LUFS.
#[test]
fn a_stereo_sine_at_minus_23_dbfs_reads_minus_23_lufs() {
    let dir = scratch("tech3341");
    let path = dir.join("sine.wav");
    write_wav(
        &path,
        48_000,
        WavFormat::Float32,
        &sine(48_000, 2, 997.0, -23.0, 20.0, 0.0),
    );
    let doc = measure_json(&[&path]);
    let r = &doc["files"][0];
    println!("{r}");
    for key in [
        "integrated_lufs",
        "max_momentary_lufs",
        "max_short_term_lufs",
    ] {
        assert!(
            (field(r, key) + 23.0).abs() <= 0.1,
            "{key}: {}",
            field(r, key)
        );
    }
    assert!(field(r, "loudness_range_lu").abs() <= 0.1);
    assert!((field(r, "sample_peak_dbfs") + 23.0).abs() < 0.01);
    assert!((field(r, "true_peak_dbtp") + 23.0).abs() < 0.1);
    assert!((field(r, "duration_s") - 20.0).abs() < 1e-9);
    assert!(doc["album"].is_null(), "one file makes no album");
}

/// The CLI reports exactly what the loudness module reads on the samples the file holds.
#[test]
fn measure_agrees_with_the_loudness_module() {
    let dir = scratch("module");
    let path = dir.join("programme.wav");
    let stored = write_wav(
        &path,
        44_100,
        WavFormat::Int(24),
        &programme(44_100, 2, 70.0, 7),
    );
    let mut meter = LoudnessMeter::new();
    meter.prepare(44_100.0, 1000, 2);
    let planes: Vec<Vec<f32>> = stored
        .iter()
        .map(|c| c.iter().map(|&x| x as f32).collect())
        .collect();
    for start in (0..planes[0].len()).step_by(1000) {
        let end = (start + 1000).min(planes[0].len());
        meter.process(&[&planes[0][start..end], &planes[1][start..end]]);
    }
    meter.flush_true_peak();
    let r = &measure_json(&[&path])["files"][0];
    println!("{r}");
    let pairs = [
        ("integrated_lufs", meter.integrated_lufs()),
        ("loudness_range_lu", meter.loudness_range_lu()),
        ("max_momentary_lufs", meter.max_momentary_lufs()),
        ("max_short_term_lufs", meter.max_short_term_lufs()),
        ("true_peak_dbtp", meter.true_peak_max_dbtp()),
        ("sample_peak_dbfs", meter.sample_peak_max_dbfs()),
    ];
    for (key, expected) in pairs {
        assert!(
            (field(r, key) - expected).abs() < 1e-6,
            "{key}: CLI {} vs module {expected}",
            field(r, key)
        );
    }
    assert!(
        field(r, "loudness_range_lu") > 3.0,
        "the programme has a range"
    );
    let plr = field(r, "true_peak_dbtp") - field(r, "integrated_lufs");
    assert!((field(r, "plr_lu") - plr).abs() < 1e-9);
}

/// An fs/4 sine at 45° has its samples at ±0.707 of its peak: sample peak −3.01 dBFS, true
/// peak 0 dBTP (BS.1770-5 Annex 2), and the peak in the file's last samples is read too.
#[test]
fn true_peak_finds_the_peaks_between_samples() {
    let dir = scratch("truepeak");
    let path = dir.join("quarter.wav");
    let signal = sine(48_000, 2, 12_000.0, 0.0, 1.0, std::f64::consts::FRAC_PI_4);
    write_wav(&path, 48_000, WavFormat::Float32, &signal);
    let r = &measure_json(&[&path])["files"][0];
    let expected_sp = 20.0 * (0.5_f64).sqrt().log10();
    assert!((field(r, "sample_peak_dbfs") - expected_sp).abs() < 0.01);
    // EBU Tech 3341's true-peak tolerance: +0.2/−0.4 dB.
    let tp = field(r, "true_peak_dbtp");
    assert!((-0.4..=0.2).contains(&tp), "{tp}");
}

/// Album loudness gates all files' blocks together: two 10 s sines at −20 and −26 LUFS give
/// the energy mean of their blocks (≈ −22.03 LUFS), not the mean of the readings (−23).
#[test]
fn album_loudness_is_gated_over_every_file() {
    let dir = scratch("album");
    let (a, b) = (dir.join("a.wav"), dir.join("b.wav"));
    write_wav(
        &a,
        48_000,
        WavFormat::Float32,
        &sine(48_000, 2, 997.0, -20.0, 10.0, 0.0),
    );
    write_wav(
        &b,
        48_000,
        WavFormat::Float32,
        &sine(48_000, 2, 997.0, -26.0, 10.0, 0.0),
    );
    let doc = measure_json(&[&a, &b]);
    // BS.1770: L = −0.691 + 10·log10(mean of the gated blocks' weighted energies); both
    // files' blocks pass the −10 LU relative gate (−22.0 − 10 < −26) and they are equally many.
    let energy = |lufs: f64| 10f64.powf((lufs + 0.691) / 10.0);
    let expected = -0.691 + 10.0 * ((energy(-20.0) + energy(-26.0)) / 2.0).log10();
    let album = &doc["album"];
    println!("album {album}, expected I {expected:.3}");
    assert!((field(album, "integrated_lufs") - expected).abs() < 0.1);
    assert!((field(album, "true_peak_dbtp") + 20.0).abs() < 0.1);
    assert!((field(album, "duration_s") - 20.0).abs() < 1e-9);
    // The loudness range spans both levels' short-term values: 6 LU apart.
    assert!((field(album, "loudness_range_lu") - 6.0).abs() < 0.5);
}

/// Every WAV encoding decodes to the same loudness (the integer formats exactly scaled).
#[test]
fn every_wav_encoding_measures_the_same() {
    let dir = scratch("encodings");
    let signal = programme(48_000, 2, 12.0, 3);
    let mut readings = Vec::new();
    for (i, format) in [
        WavFormat::Int(16),
        WavFormat::Int(24),
        WavFormat::Int(32),
        WavFormat::Float32,
        WavFormat::Float64,
    ]
    .into_iter()
    .enumerate()
    {
        let path = dir.join(format!("f{i}.wav"));
        write_wav(&path, 48_000, format, &signal);
        let r = measure_json(&[&path])["files"][0].clone();
        println!(
            "{format:?}: I {} LUFS, SP {} dBFS",
            field(&r, "integrated_lufs"),
            field(&r, "sample_peak_dbfs")
        );
        readings.push(r);
    }
    let reference = &readings[4];
    for r in &readings {
        for key in ["integrated_lufs", "sample_peak_dbfs", "true_peak_dbtp"] {
            assert!(
                (field(r, key) - field(reference, key)).abs() < 0.01,
                "{key}"
            );
        }
    }
}

#[test]
fn table_and_csv_list_every_file_then_the_album() {
    let dir = scratch("formats");
    let (a, b) = (dir.join("a,1.wav"), dir.join("b.wav"));
    write_wav(
        &a,
        44_100,
        WavFormat::Int(16),
        &sine(44_100, 2, 997.0, -18.0, 3.0, 0.0),
    );
    write_wav(
        &b,
        44_100,
        WavFormat::Int(16),
        &sine(44_100, 1, 997.0, -18.0, 3.0, 0.0),
    );
    let (sa, sb) = (a.display().to_string(), b.display().to_string());
    let table = lacquer(&["measure", "-q", "--target", "spotify", &sa, &sb]);
    let text = String::from_utf8_lossy(&table.stdout);
    println!("{text}");
    assert!(table.status.success());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "header, two files, album");
    assert!(lines[0].starts_with("file") && lines[0].contains("Spotify gain"));
    assert!(lines[3].starts_with("album"));
    // Spotify turns a quiet track up to −14 LUFS as far as −1 dBTP allows: a stereo sine of
    // −18 dBFS peak reads −18 LUFS, so +4.0 dB (17 dB of peak room); the mono one −21.01
    // LUFS, so +7.0 dB.
    assert!(lines[1].contains("+4.0 dB"), "{}", lines[1]);
    assert!(lines[2].contains("+7.0 dB"), "{}", lines[2]);
    let csv = lacquer(&["measure", "-q", "--csv", "--target", "-16:-1", &sa, &sb]);
    let text = String::from_utf8_lossy(&csv.stdout);
    println!("{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(
        lines[0].starts_with("file,integrated_lufs,")
            && lines[0].ends_with("custom_gain_db,custom_ceiling_ok")
    );
    assert!(
        lines[1].starts_with("\""),
        "a comma in a name is quoted: {}",
        lines[1]
    );
    // A mono sine reads 3.01 dB below the stereo one of the same peak.
    let i = |line: &str| -> f64 {
        line.rsplit_once(".wav")
            .unwrap()
            .1
            .split(',')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap()
    };
    let (stereo, mono) = (i(lines[1]), i(lines[2]));
    assert!(
        (stereo - mono - 3.01).abs() < 0.05,
        "stereo {stereo}, mono {mono}"
    );
    // The custom target (delivery): the correction to −16 LUFS, both ways.
    let gain: f64 = lines[1].split(',').rev().nth(1).unwrap().parse().unwrap();
    assert!((gain - (-16.0 - stereo)).abs() < 1e-3, "gain {gain}");
}

#[test]
fn bad_input_gets_its_own_exit_code_and_message() {
    let dir = scratch("errors");
    let missing = dir.join("missing.wav").display().to_string();
    let out = lacquer(&["measure", "-q", &missing]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    assert!(out.stdout.is_empty());

    let text_file = dir.join("notes.wav");
    std::fs::write(&text_file, "these are not samples").unwrap();
    let out = lacquer(&["measure", "-q", &text_file.display().to_string()]);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not audio we can decode"));

    let out = lacquer(&["measure", "-q", &dir.display().to_string()]);
    assert_eq!(out.status.code(), Some(3), "a directory");

    let good = dir.join("good.wav");
    write_wav(
        &good,
        48_000,
        WavFormat::Int(16),
        &sine(48_000, 2, 997.0, -20.0, 1.0, 0.0),
    );
    let out = lacquer(&[
        "measure",
        "-q",
        "--target",
        "spotfy",
        &good.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean 'spotify'"));

    // One bad file among good ones: the good ones are reported, no album, the bad one's code.
    let out = lacquer(&[
        "measure",
        "-q",
        "--json",
        &good.display().to_string(),
        &missing,
    ]);
    assert_eq!(out.status.code(), Some(3));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["files"].as_array().unwrap().len(), 1);
    assert!(doc["album"].is_null());
}

/// FLAC, MP3 and Ogg Vorbis fixtures (cli/tests/data/make-fixtures.sh): 3 s of a mono 997 Hz
/// sine at −20 dBFS, i.e. −23.0 LUFS. FLAC is lossless (the 0.04 LU left is the K-weighting
/// at 16 kHz); the lossy encoders move the level themselves (64 kbps MPEG-2 Layer III:
/// −0.4 LU, sample peak −20.2 dBFS; Vorbis q3: +0.1 LU), hence their wider tolerance. The
/// duration checks that the MP3 encoder delay and padding are trimmed (gapless).
#[test]
fn compressed_formats_decode_and_measure() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for (file, tolerance) in [
        ("sine-997-20dbfs.flac", 0.1),
        ("sine-997-20dbfs.mp3", 0.5),
        ("sine-997-20dbfs.ogg", 0.5),
    ] {
        let r = &measure_json(&[&data.join(file)])["files"][0];
        let i = field(r, "integrated_lufs");
        println!("{file}: {i:.3} LUFS, {} s", field(r, "duration_s"));
        assert!((i + 23.01).abs() < tolerance, "{file}: {i}");
        assert!((field(r, "duration_s") - 3.0).abs() < 0.01, "{file}");
    }
}
