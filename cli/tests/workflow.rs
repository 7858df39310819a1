//! The handover and delivery workflow: `lacquer check` finds planted clipping, DC, lost
//! headroom and anti-phase content and passes a clean mix; `lacquer reference` reports band
//! and loudness differences computed here from the signals' construction and the published
//! BS.1770 K-weighting filter; `lacquer master --deliver` writes files that meet their targets
//! when decoded again.

mod common;

use common::{field, lacquer, measure_json, programme, scratch, write_wav, WavFormat};
use serde_json::Value;
use std::f64::consts::PI;
use std::path::Path;

const RATE: u32 = 48_000;

/// `|H(e^{jω})|²` of a biquad `b`, `a` (a0 = 1) at `f` Hz, `fs` Hz.
fn biquad_power(b: [f64; 3], a: [f64; 3], f: f64, fs: f64) -> f64 {
    let w = 2.0 * PI * f / fs;
    let eval = |c: [f64; 3]| {
        let re = c[0] + c[1] * w.cos() + c[2] * (2.0 * w).cos();
        let im = -c[1] * w.sin() - c[2] * (2.0 * w).sin();
        re * re + im * im
    };
    eval(b) / eval(a)
}

/// K-weighting power gain at `f` Hz, from the 48 kHz coefficients published in ITU-R
/// BS.1770-5 (Tables 1 and 2): an independent reference for the meter's loudness.
fn k_power(f: f64) -> f64 {
    let shelf = biquad_power(
        [
            1.535_124_859_586_97,
            -2.691_696_189_406_38,
            1.198_392_810_852_85,
        ],
        [1.0, -1.690_659_293_182_41, 0.732_480_774_215_85],
        f,
        48_000.0,
    );
    let hp = biquad_power(
        [1.0, -2.0, 1.0],
        [1.0, -1.990_047_454_833_98, 0.990_072_250_366_21],
        f,
        48_000.0,
    );
    shelf * hp
}

/// IEC 61260 exact centre of band `b` (0 = 25 Hz).
fn centre(b: usize) -> f64 {
    1000.0 * 10f64.powf((b as f64 - 16.0) / 10.0)
}

/// Tones at the centres of bands 1..=28 (31.5 Hz–16 kHz), amplitude `amp·gain_db(b)`, left
/// and right equal except band 25 (8 kHz), whose right channel leads by `phase_25` rad.
fn multitone(secs: f64, amp: f64, gain_db: impl Fn(usize) -> f64, phase_25: f64) -> Vec<Vec<f64>> {
    let n = (secs * RATE as f64) as usize;
    let mut left = vec![0.0; n];
    let mut right = vec![0.0; n];
    for b in 1..=28 {
        let a = amp * 10f64.powf(gain_db(b) / 20.0);
        let phase = b as f64 * 2.399;
        let w = 2.0 * PI * centre(b) / RATE as f64;
        let shift = if b == 25 { phase_25 } else { 0.0 };
        for i in 0..n {
            left[i] += a * (w * i as f64 + phase).sin();
            right[i] += a * (w * i as f64 + phase + shift).sin();
        }
    }
    vec![left, right]
}

/// Integrated loudness difference `mix − ref` of two stationary multitones with per-band
/// amplitude gains (dB), from the K-weighted power of each tone.
fn loudness_diff(mix_db: impl Fn(usize) -> f64, ref_db: impl Fn(usize) -> f64) -> f64 {
    let power = |g: &dyn Fn(usize) -> f64| -> f64 {
        (1..=28)
            .map(|b| 10f64.powf(g(b) / 10.0) * k_power(centre(b)))
            .sum()
    };
    10.0 * (power(&mix_db) / power(&ref_db)).log10()
}

fn run_json(args: &[&str]) -> Value {
    let out = lacquer(args);
    assert!(
        out.status.success(),
        "lacquer {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn reference_reports_band_loudness_and_width_differences() {
    let dir = scratch("reference");
    let mix = dir.join("mix.wav");
    let ref1 = dir.join("ref1.wav");
    let ref2 = dir.join("ref2.wav");
    // The references: −4 dB overall; ref1 +3 dB at 250 Hz (band 10) and −2 dB at 4 kHz (band
    // 22); ref2 +1 dB at 250 Hz. The mix's 8 kHz is 90° wide (side/mid 0 dB, correlation
    // 0), the references' 30° (side/mid 10·log10((1−cos30°)/(1+cos30°)), correlation cos30°).
    let ref1_db = |b: usize| {
        -4.0 + if b == 10 {
            3.0
        } else if b == 22 {
            -2.0
        } else {
            0.0
        }
    };
    let ref2_db = |b: usize| -4.0 + if b == 10 { 1.0 } else { 0.0 };
    let amp = 0.02;
    write_wav(
        &mix,
        RATE,
        WavFormat::Float32,
        &multitone(6.0, amp, |_| 0.0, PI / 2.0),
    );
    write_wav(
        &ref1,
        RATE,
        WavFormat::Float32,
        &multitone(6.0, amp, ref1_db, PI / 6.0),
    );
    write_wav(
        &ref2,
        RATE,
        WavFormat::Float32,
        &multitone(6.0, amp, ref2_db, PI / 6.0),
    );

    let doc = run_json(&[
        "reference",
        "--json",
        mix.to_str().unwrap(),
        ref1.to_str().unwrap(),
    ]);
    let d_i = loudness_diff(|_| 0.0, ref1_db);
    let got = doc["references"][0]["mix_minus_reference"]["integrated_lu"]
        .as_f64()
        .unwrap();
    eprintln!("loudness difference {got:.4} LU, expected {d_i:.4}");
    assert!((got - d_i).abs() <= 0.05, "{got} vs {d_i}");
    let average = doc["average"].as_array().unwrap();
    let side_mid = |deg: f64| {
        let c = (deg * PI / 180.0).cos();
        10.0 * ((1.0 - c) / (1.0 + c)).log10()
    };
    let mut worst: f64 = 0.0;
    for (b, row) in average.iter().enumerate().take(29).skip(1) {
        let expected = -ref1_db(b) - d_i;
        let got = row["mix_minus_references_db"].as_f64().unwrap();
        worst = worst.max((got - expected).abs());
        assert!(
            (got - expected).abs() <= 0.2,
            "band {b}: {got:.3} dB, expected {expected:.3}"
        );
    }
    eprintln!("largest band error {worst:.4} dB");
    let width = average[25]["side_mid_diff_db"].as_f64().unwrap();
    let expected_width = side_mid(90.0) - side_mid(30.0);
    assert!(
        (width - expected_width).abs() <= 0.2,
        "width {width} vs {expected_width}"
    );
    let mix_corr = doc["mix"]["bands"][25]["correlation"].as_f64().unwrap();
    let ref_corr = doc["references"][0]["bands_matched"][25]["correlation"]
        .as_f64()
        .unwrap();
    assert!(mix_corr.abs() < 0.02 && (ref_corr - (PI / 6.0).cos()).abs() < 0.02);
    let summary: Vec<&str> = doc["summary"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    eprintln!("{summary:#?}");
    assert!(
        summary.iter().any(|l| l.contains("dB less 250 Hz")),
        "{summary:?}"
    );
    assert!(
        summary.iter().any(|l| l.contains("dB more 4k Hz")),
        "{summary:?}"
    );
    assert!(
        summary.iter().any(|l| l.starts_with("wider 8k Hz")),
        "{summary:?}"
    );

    // Two references: their average and spread per band.
    let doc = run_json(&[
        "reference",
        "--json",
        mix.to_str().unwrap(),
        ref1.to_str().unwrap(),
        ref2.to_str().unwrap(),
    ]);
    let d_i2 = loudness_diff(|_| 0.0, ref2_db);
    for b in 1..=28 {
        let m1 = -ref1_db(b) - d_i;
        let m2 = -ref2_db(b) - d_i2;
        // mix − mean(matched refs) = mean of the two differences; spread = |m1 − m2|/2.
        let (expected, spread) = (0.5 * (m1 + m2), 0.5 * (m1 - m2).abs());
        let got = doc["average"][b]["mix_minus_references_db"]
            .as_f64()
            .unwrap();
        let got_spread = doc["average"][b]["reference_spread_db"].as_f64().unwrap();
        assert!(
            (got - expected).abs() <= 0.2,
            "band {b}: {got} vs {expected}"
        );
        assert!(
            (got_spread - spread).abs() <= 0.2,
            "band {b}: spread {got_spread} vs {spread}"
        );
    }
    // The text report names the references and the summary.
    let out = lacquer(&["reference", mix.to_str().unwrap(), ref1.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("(matched") && text.contains("less 250 Hz"),
        "{text}"
    );
}

/// A mix with correlated channels (`L = x`, `R = 0.7x + 0.3y`), peaks well under −3 dBFS.
fn clean_mix(secs: f64) -> Vec<Vec<f64>> {
    let p = programme(RATE, 2, secs, 5);
    let left = p[0].clone();
    let right = p[0]
        .iter()
        .zip(&p[1])
        .map(|(x, y)| 0.7 * x + 0.3 * y)
        .collect();
    vec![left, right]
}

/// `lacquer check --json FILE EXTRA…`: (exit code, document).
fn check(file: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", "--json", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = lacquer(&args);
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("no JSON: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), doc)
}

/// The status of check `name`.
fn status<'a>(doc: &'a Value, name: &str) -> (&'a str, &'a Value) {
    let line = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["check"] == name)
        .unwrap_or_else(|| panic!("no {name} in {doc}"));
    (line["status"].as_str().unwrap(), &line["values"])
}

#[test]
fn check_passes_a_clean_mix_and_finds_planted_faults() {
    let dir = scratch("check");
    let secs = 6.0;
    let clean = clean_mix(secs);
    let path = dir.join("clean.wav");
    let stored = write_wav(&path, RATE, WavFormat::Int(24), &clean);
    let (code, doc) = check(&path, &[]);
    eprintln!("{doc}");
    assert_eq!(code, 0, "{doc}");
    for name in ["clipping", "headroom", "dc offset", "mono", "silence"] {
        assert_eq!(status(&doc, name).0, "pass", "{name}: {doc}");
    }

    // Clipping: one run of 5 full-scale samples (counted), one of 2 (not a clip).
    let mut clipped = clean.clone();
    clipped[0][10_000..10_005].fill(1.0);
    clipped[1][20_000] = -1.0;
    clipped[1][20_001] = -1.0;
    let path = dir.join("clipped.wav");
    write_wav(&path, RATE, WavFormat::Int(24), &clipped);
    let (code, doc) = check(&path, &[]);
    assert_eq!(code, 1);
    let (s, v) = status(&doc, "clipping");
    assert_eq!(
        (s, v["runs"].as_u64(), v["samples"].as_u64()),
        ("fail", Some(1), Some(5)),
        "{doc}"
    );
    assert_eq!(status(&doc, "headroom").0, "fail");
    assert_eq!(status(&doc, "dc offset").0, "pass");

    // DC: +0.01 (−40 dBFS) on the left; the reading is the mean of the stored samples.
    let mut dc = clean.clone();
    dc[0].iter_mut().for_each(|x| *x += 0.01);
    let path = dir.join("dc.wav");
    let stored_dc = write_wav(&path, RATE, WavFormat::Int(24), &dc);
    let (code, doc) = check(&path, &[]);
    assert_eq!(code, 1);
    let (s, v) = status(&doc, "dc offset");
    let mean = stored_dc[0].iter().sum::<f64>() / stored_dc[0].len() as f64;
    let got = v["per_channel"][0].as_f64().unwrap();
    assert_eq!(s, "fail");
    assert!((got - mean).abs() < 1e-9, "{got} vs {mean}");
    assert_eq!(status(&doc, "clipping").0, "pass");

    // Anti-phase: the whole programme (R = −L), and only a 100 Hz tone in one band.
    let anti = vec![stored[0].clone(), stored[0].iter().map(|x| -x).collect()];
    let path = dir.join("anti.wav");
    write_wav(&path, RATE, WavFormat::Int(24), &anti);
    let (code, doc) = check(&path, &[]);
    let (s, v) = status(&doc, "mono");
    assert_eq!((code, s), (1, "fail"), "{doc}");
    assert!((v["correlation"].as_f64().unwrap() + 1.0).abs() < 1e-6);
    assert_eq!(v["cancels"], true);
    let mut tone = clean.clone();
    for i in 0..tone[0].len() {
        let s = 0.1 * (2.0 * PI * 100.0 * i as f64 / RATE as f64).sin();
        tone[0][i] += s;
        tone[1][i] -= s;
    }
    let path = dir.join("anti-tone.wav");
    write_wav(&path, RATE, WavFormat::Int(24), &tone);
    let (code, doc) = check(&path, &[]);
    let (s, v) = status(&doc, "mono");
    eprintln!("anti-phase tone: {v}");
    assert_eq!((code, s), (1, "fail"), "{doc}");
    assert_eq!(v["lowest_band_hz"].as_f64(), Some(100.0));
    assert!(v["lowest_band_correlation"].as_f64().unwrap() < -0.9);

    // Headroom: peaks at −2 dBFS fail the default −3, pass `--headroom 1`; the true peak
    // reported is at least the sample peak computed here.
    let peak = stored.iter().flatten().fold(0.0_f64, |m, x| m.max(x.abs()));
    let g = 10f64.powf(-2.0 / 20.0) / peak;
    let hot: Vec<Vec<f64>> = stored
        .iter()
        .map(|c| c.iter().map(|x| x * g).collect())
        .collect();
    let path = dir.join("hot.wav");
    write_wav(&path, RATE, WavFormat::Float32, &hot);
    let (code, doc) = check(&path, &[]);
    let (s, v) = status(&doc, "headroom");
    assert_eq!((code, s), (1, "fail"));
    assert!(
        (v["sample_peak_dbfs"].as_f64().unwrap() + 2.0).abs() < 0.01,
        "{v}"
    );
    assert!(v["true_peak_dbtp"].as_f64().unwrap() >= -2.01);
    // White noise's true peak lies well over its sample peak: allow it.
    let tp = v["true_peak_dbtp"].as_f64().unwrap();
    let (code, doc) = check(&path, &[&format!("--headroom={}", -tp - 0.1)]);
    assert_eq!(code, 0, "{doc}");
    let (code, _) = check(&path, &[&format!("--headroom={}", -tp + 0.1)]);
    assert_eq!(code, 1);

    // Leading silence: 3 s of zeros warn but do not fail.
    let padded: Vec<Vec<f64>> = clean
        .iter()
        .map(|c| {
            std::iter::repeat_n(0.0, 3 * RATE as usize)
                .chain(c.iter().copied())
                .collect()
        })
        .collect();
    let path = dir.join("padded.wav");
    write_wav(&path, RATE, WavFormat::Int(24), &padded);
    let (code, doc) = check(&path, &[]);
    let (s, v) = status(&doc, "silence");
    assert_eq!((code, s), (0, "warn"), "{doc}");
    assert!((v["leading_s"].as_f64().unwrap() - 3.0).abs() < 0.01, "{v}");
    // The text form says which line failed.
    let out = lacquer(&["check", dir.join("dc.wav").to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("FAIL  dc offset") && text.contains("FAILED"),
        "{text}"
    );
}

/// Amplitude of the `freq` component of `x` (an integer number of cycles long).
fn tone_amplitude(x: &[f64], freq: f64, rate: f64) -> f64 {
    let (mut re, mut im) = (0.0, 0.0);
    for (i, &v) in x.iter().enumerate() {
        let w = 2.0 * PI * freq * i as f64 / rate;
        re += v * w.cos();
        im -= v * w.sin();
    }
    2.0 * (re * re + im * im).sqrt() / x.len() as f64
}

/// Reads a WAV's spec and planar samples.
fn read_wav(path: &Path) -> (hound::WavSpec, Vec<Vec<f64>>) {
    let mut reader = hound::WavReader::open(path).unwrap();
    let spec = reader.spec();
    let full = (1_i64 << (spec.bits_per_sample - 1)) as f64;
    let samples: Vec<f64> = reader
        .samples::<i32>()
        .map(|s| s.unwrap() as f64 / full)
        .collect();
    let ch = spec.channels as usize;
    let planes = (0..ch)
        .map(|c| samples.iter().skip(c).step_by(ch).copied().collect())
        .collect();
    (spec, planes)
}

#[test]
fn deliver_writes_one_file_per_destination_meeting_its_target() {
    let dir = scratch("deliver");
    let input = dir.join("song.wav");
    // 8 s of programme at −6 dB with 5 ms bursts (x6) every quarter second (the limiter must
    // work), plus a 50 Hz tone in anti-phase (side bass for the vinyl's bass mono).
    let side_amp = 0.05;
    let signal: Vec<Vec<f64>> = programme(RATE, 2, 8.0, 9)
        .into_iter()
        .enumerate()
        .map(|(c, ch)| {
            ch.into_iter()
                .enumerate()
                .map(|(i, x)| {
                    let burst = if i % 12_000 < 240 { 6.0 } else { 1.0 };
                    let side = side_amp * (2.0 * PI * 50.0 * i as f64 / RATE as f64).sin();
                    0.5 * x * burst + if c == 0 { side } else { -side }
                })
                .collect()
        })
        .collect();
    write_wav(&input, RATE, WavFormat::Int(24), &signal);
    let out_dir = dir.join("out");
    let out = lacquer(&[
        "master",
        "--quiet",
        input.to_str().unwrap(),
        "--deliver",
        "spotify,apple,cd,vinyl",
        "--bass-mono",
        "off",
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // (destination, rate, bits, loudness target, ceiling, ceiling on sample peaks)
    let expect = [
        ("spotify", 48_000, 24, Some(-14.0), -1.0, false),
        ("apple", 48_000, 24, Some(-16.0), -1.0, false),
        ("cd", 44_100, 16, Some(-12.0), -0.3, true),
        ("vinyl", 48_000, 24, None, -3.0, false),
    ];
    for (key, rate, bits, lufs, ceiling, sample_peak) in expect {
        let wav = out_dir.join(format!("song-{key}.wav"));
        let (spec, planes) = read_wav(&wav);
        assert_eq!(
            (spec.sample_rate, spec.bits_per_sample, spec.channels),
            (rate, bits, 2),
            "{key}"
        );
        // The samples are at that rate: 8 s of them (the resampler's delay is trimmed).
        let frames = planes[0].len() as f64;
        assert!(
            (frames - 8.0 * f64::from(rate)).abs() <= 2.0,
            "{key}: {frames} frames"
        );
        // Measured by decoding the written file.
        let reading = &measure_json(&[&wav])["files"][0];
        let integrated = field(reading, "integrated_lufs");
        let tp = field(reading, "true_peak_dbtp");
        let sp = planes.iter().flatten().fold(0.0_f64, |m, x| m.max(x.abs()));
        let sp_db = 20.0 * sp.log10();
        eprintln!("{key}: {integrated:.3} LUFS, {tp:.3} dBTP, sample peak {sp_db:.3} dBFS");
        if let Some(lufs) = lufs {
            assert!((integrated - lufs).abs() <= 0.1, "{key}: {integrated} LUFS");
        }
        if sample_peak {
            assert!(sp_db <= ceiling, "{key}: sample peak {sp_db}");
        } else {
            assert!(
                tp <= ceiling + if key == "vinyl" { 0.01 } else { 0.0 },
                "{key}: {tp} dBTP"
            );
        }
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(wav.with_extension("json")).unwrap())
                .unwrap();
        assert_eq!(json["meets_target"], true, "{key}: {json}");
        assert_eq!(json["sample_rate"].as_u64(), Some(u64::from(rate)));
        if key == "cd" {
            let src = &json["resampled"];
            assert_eq!(src["to_hz"].as_u64(), Some(44_100), "{json}");
            assert!(src["true_peak_after_dbtp"].is_number());
            // 16-bit after conversion: TPDF-dithered when written (the default dither).
            assert_eq!(json["dithered_on_write"], true, "{json}");
        }
        if key == "vinyl" {
            // Bass mono: the 50 Hz side tone is gone (≥ 20 dB down against the input's,
            // scaled by the vinyl gain); the independent-channel noise's highs warn.
            let gain = 10f64.powf(json["gain_db"].as_f64().unwrap() / 20.0);
            let side: Vec<f64> = planes[0]
                .iter()
                .zip(&planes[1])
                .map(|(l, r)| 0.5 * (l - r))
                .collect();
            let left_in = tone_amplitude(&side, 50.0, RATE as f64);
            eprintln!(
                "vinyl side 50 Hz {left_in:.5} against {:.5}",
                side_amp * gain
            );
            assert!(left_in < 0.1 * side_amp * gain);
            let warnings = json["warnings"].as_array().unwrap();
            assert!(
                warnings
                    .iter()
                    .any(|w| w.as_str().unwrap().contains("side energy")),
                "{json}"
            );
        }
    }
    assert!(stdout.contains("resampled 48000 → 44100 Hz"), "{stdout}");
}
