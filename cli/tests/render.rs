//! `lacquer render`: exact copies with no processing, documented exit codes with no output
//! left behind, and a render equal to the CLAP bundle driven by a host.

mod common;

use common::{field, lacquer, measure_json, programme, run, scratch, write_wav, WavFormat};
use std::path::Path;

/// Every sample of a WAV as `f64` (integers scaled by 2^-(bits-1)) and its spec.
fn read_wav(path: &Path) -> (hound::WavSpec, Vec<Vec<f64>>) {
    let mut reader = hound::WavReader::open(path).unwrap();
    let spec = reader.spec();
    let channels = spec.channels as usize;
    let interleaved: Vec<f64> = match spec.sample_format {
        hound::SampleFormat::Float => reader.samples::<f32>().map(|s| s.unwrap() as f64).collect(),
        hound::SampleFormat::Int => {
            let full = (1_i64 << (spec.bits_per_sample - 1)) as f64;
            reader
                .samples::<i32>()
                .map(|s| s.unwrap() as f64 / full)
                .collect()
        }
    };
    let planar = (0..channels)
        .map(|c| {
            interleaved
                .iter()
                .skip(c)
                .step_by(channels)
                .copied()
                .collect()
        })
        .collect();
    (spec, planar)
}

/// Files in `dir` other than `keep`.
fn leftovers(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

#[test]
fn every_wav_format_round_trips_bit_exact_without_processing() {
    let dir = scratch("roundtrip");
    // Full-scale extremes and a programme with every low bit in use.
    let mut signal = programme(44_100, 2, 0.5, 7);
    for c in &mut signal {
        c.extend([1.0, -1.0, 0.0, 1e-9, -0.999_999_9]);
    }
    let cases = [
        (WavFormat::Int(16), 16, hound::SampleFormat::Int),
        (WavFormat::Int(24), 24, hound::SampleFormat::Int),
        (WavFormat::Int(32), 32, hound::SampleFormat::Int),
        (WavFormat::Float32, 32, hound::SampleFormat::Float),
    ];
    for (format, bits, sample_format) in cases {
        let input = dir.join(format!("in-{bits}-{sample_format:?}.wav"));
        let output = dir.join(format!("out-{bits}-{sample_format:?}.wav"));
        let stored = write_wav(&input, 44_100, format, &signal);
        for chain in [None, Some("")] {
            let mut args = vec![
                "render",
                input.to_str().unwrap(),
                "-o",
                output.to_str().unwrap(),
                "--quiet",
            ];
            if let Some(chain) = chain {
                args.extend(["--chain", chain]);
            }
            let out = lacquer(&args);
            assert!(
                out.status.success(),
                "{format:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let (spec, samples) = read_wav(&output);
            assert_eq!(spec.bits_per_sample, bits, "{format:?}");
            assert_eq!(spec.sample_format, sample_format, "{format:?}");
            assert_eq!(spec.sample_rate, 44_100);
            assert_eq!(samples, stored, "{format:?}: samples changed");
        }
    }
}

/// A 64-bit float WAV read chunk by chunk (hound reads no 64-bit float): format tag, bits,
/// rate and the planar samples.
fn read_wav_f64(path: &Path) -> (u16, u16, u32, Vec<Vec<f64>>) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[0..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WAVE");
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
    assert_eq!(u32_at(4) as usize, bytes.len() - 8, "RIFF length");
    let (mut at, mut fmt, mut data) = (12, None, None);
    while at + 8 <= bytes.len() {
        let len = u32_at(at + 4) as usize;
        match &bytes[at..at + 4] {
            b"fmt " => fmt = Some(at + 8),
            b"data" => data = Some((at + 8, len)),
            _ => {}
        }
        at += 8 + len + len % 2;
    }
    let fmt = fmt.expect("fmt chunk");
    let (start, len) = data.expect("data chunk");
    let (tag, channels, rate, bits) = (
        u16_at(fmt),
        u16_at(fmt + 2),
        u32_at(fmt + 4),
        u16_at(fmt + 14),
    );
    let interleaved: Vec<f64> = bytes[start..start + len]
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let planar = (0..channels as usize)
        .map(|c| {
            interleaved
                .iter()
                .skip(c)
                .step_by(channels as usize)
                .copied()
                .collect()
        })
        .collect();
    (tag, bits, rate, planar)
}

#[test]
fn sixty_four_bit_float_round_trips_bit_exact_and_measures() {
    let dir = scratch("roundtrip-f64");
    let mut signal = programme(48_000, 2, 0.25, 11);
    for c in &mut signal {
        // Values no 32-bit float holds.
        c.extend([1.0 + 1e-12, -0.1, std::f64::consts::PI / 4.0, 1e-300]);
    }
    let input = dir.join("in-f64.wav");
    let stored = write_wav(&input, 48_000, WavFormat::Float64, &signal);
    let output = dir.join("out-f64.wav");
    let out = run("render", &input, &output, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (tag, bits, rate, samples) = read_wav_f64(&output);
    assert_eq!((tag, bits, rate), (3, 64, 48_000));
    assert_eq!(samples, stored, "64-bit float samples changed");
    // Another reader (symphonia, through `measure`) accepts the file and sees its length.
    let reading = &measure_json(&[&output])["files"][0];
    let seconds = signal[0].len() as f64 / 48_000.0;
    assert!(
        (field(reading, "duration_s") - seconds).abs() < 1e-9,
        "measure read {reading}, expected {seconds} s"
    );
    // A 24-bit input asked for 64-bit float: every sample exact.
    let input24 = dir.join("in-24.wav");
    let stored24 = write_wav(&input24, 48_000, WavFormat::Int(24), &signal);
    let out = run("render", &input24, &output, &["--bits", "64f"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(read_wav_f64(&output).3, stored24);
}

#[test]
fn bad_input_gets_its_documented_exit_code_and_leaves_no_output() {
    let dir = scratch("render-errors");
    let input = dir.join("in.wav");
    write_wav(
        &input,
        48_000,
        WavFormat::Int(24),
        &programme(48_000, 2, 0.5, 3),
    );
    let text = dir.join("text.wav");
    std::fs::write(&text, "not audio").unwrap();
    let output = dir.join("out.wav");
    let (i, o, t) = (
        input.to_str().unwrap(),
        output.to_str().unwrap(),
        text.to_str().unwrap(),
    );
    let missing = dir.join("missing.wav");
    let no_dir = dir.join("no-such-dir").join("out.wav");
    let cases: [(&[&str], u8, &str); 11] = [
        (&[missing.to_str().unwrap(), "-o", o], 3, "cannot read"),
        (&[t, "-o", o], 4, "not audio"),
        (
            &[i, "-o", o, "--chain", "compresor(thr=-18)"],
            5,
            "did you mean 'compressor'",
        ),
        (&[i, "-o", o, "--chain", "limiter(ceil=-1"], 5, "no closing"),
        (
            &[i, "-o", o, "--chain", "compressor(preset=no-such)"],
            5,
            "no preset",
        ),
        (
            &[i, "-o", o, "--chain", "limiter(ceiling=-1)"],
            6,
            "did you mean 'ceil'",
        ),
        (
            &[i, "-o", o, "--chain", "compressor(det=peek)"],
            6,
            "did you mean 'Peak'",
        ),
        (&[i, "-o", o, "--chain", "limiter(ceil=+6)"], 7, "outside"),
        (&[i, "-o", o, "--chain", "ducker"], 8, "--sidechain"),
        (
            &[i, "-o", no_dir.to_str().unwrap(), "--chain", "panner"],
            9,
            "cannot write",
        ),
        (&[i, "-o", i], 10, "--force"),
    ];
    for (args, code, message) in cases {
        let mut full = vec!["render", "--quiet"];
        full.extend_from_slice(args);
        let out = lacquer(&full);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code as i32), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert_eq!(
            leftovers(&dir, &["in.wav", "text.wav"]),
            Vec::<String>::new(),
            "{args:?} left files"
        );
    }
    // --force replaces the input (with the same samples: no processing).
    let before = std::fs::read(&input).unwrap();
    let out = lacquer(&["render", "--quiet", i, "-o", i, "--force"]);
    assert!(out.status.success());
    assert_eq!(read_wav(&input).1, {
        std::fs::write(&output, &before).unwrap();
        read_wav(&output).1
    });
}

#[test]
fn sidechain_without_a_keyed_processor_is_refused() {
    let dir = scratch("render-sidechain");
    let input = dir.join("in.wav");
    write_wav(
        &input,
        48_000,
        WavFormat::Int(16),
        &programme(48_000, 2, 0.3, 5),
    );
    let out = lacquer(&[
        "render",
        "--quiet",
        input.to_str().unwrap(),
        "-o",
        dir.join("out.wav").to_str().unwrap(),
        "--chain",
        "panner",
        "--sidechain",
        input.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(8));
    assert!(!dir.join("out.wav").exists());
}

/// CLAP values by parameter ID (normalized for floats, the index for choices).
type ClapValues = &'static [(&'static str, f64)];

/// Renders `input` through `chain` with the CLI and through the CLAP bundle of plugin
/// `short` driven by a host (the host-test harness) with `clap_values` set before
/// activation; returns the largest difference (the host's output aligned by the latency the
/// plugin reports) and whether the plugin changed the signal.
fn cli_vs_clap(
    short: &str,
    chain: &str,
    clap_values: &[(&str, f64)],
    signal: &[Vec<f64>],
) -> (f64, bool) {
    use lacquer_host_tests::prelude::*;
    let dir = scratch(&format!("render-vs-clap-{short}"));
    let input = dir.join("in.wav");
    let output = dir.join("out.wav");
    let rate = 48_000;
    let stored = write_wav(&input, rate, WavFormat::Float32, signal);
    let signal: Vec<Vec<f32>> = stored
        .iter()
        .map(|c| c.iter().map(|&x| x as f32).collect())
        .collect();
    let out = run("render", &input, &output, &["--chain", chain]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, rendered) = read_wav(&output);

    let spec = lacquer_host_tests::plugins::by_short(short);
    let entry = lacquer_host_tests::clap_host::load_entry(&bundle::clap_path(spec));
    let instance = instance(&entry, spec);
    let values: Vec<(u32, f64)> = clap_values
        .iter()
        .map(|&(id, v)| (param_hash(id), v))
        .collect();
    set_params_inactive(&instance, &values);
    let mut instance = instance.activated(AudioConfig::new(rate as f64, 1024));
    let latency = clap_ext::latency(&instance) as usize;
    let padded: Vec<Vec<f32>> = signal
        .iter()
        .map(|c| {
            c.iter()
                .copied()
                .chain(std::iter::repeat_n(0.0, latency))
                .collect()
        })
        .collect();
    let host = instance.render(&padded, None, &[], || 1024);
    let mut max_diff = 0.0_f64;
    for (h, r) in host.iter().zip(&rendered) {
        assert_eq!(h.len() - latency, r.len());
        for (a, b) in h[latency..].iter().zip(r) {
            max_diff = max_diff.max((*a as f64 - b).abs());
        }
    }
    let changed = rendered[0]
        .iter()
        .zip(&signal[0])
        .any(|(a, b)| (a - *b as f64).abs() > 1e-3);
    eprintln!(
        "{short}: CLI render vs CLAP bundle (latency {latency}): max |difference| {max_diff:e}"
    );
    (max_diff, changed)
}

/// The CLI's render equals the CLAP bundle's output driven by a host with the same
/// settings, bit for bit: the same plugin code, called the same way. Compressor: threshold
/// -30 dB and 10 ms lookahead (linear parameters: CLAP values 0.5 and 0.5), RMS detection
/// (choice 1), a stateful setting with latency. Limiter: +6 dB drive, -6 dBTP ceiling
/// (0.25 and 0.5 of their linear ranges), 8x oversampling. Panner: Mono Pan mode (choice 3).
#[test]
fn a_render_equals_the_clap_bundle_through_a_host() {
    let signal = programme(48_000, 2, 3.0, 11);
    let cases: [(&str, &str, ClapValues); 3] = [
        (
            "compressor",
            "compressor(thr=-30,look=10,det=rms)",
            &[("thr", 0.5), ("look", 0.5), ("det", 1.0)],
        ),
        (
            "limiter",
            "limiter(in=6,ceil=-6,os=8x)",
            &[("in", 0.25), ("ceil", 0.5), ("os", 1.0)],
        ),
        (
            "panner",
            "panner(mode=mono pan,pan=40R)",
            &[("mode", 3.0), ("pan", 0.7)],
        ),
    ];
    for (short, chain, values) in cases {
        let (max_diff, changed) = cli_vs_clap(short, chain, values, &signal);
        assert!(max_diff <= 1e-6, "{short}: max difference {max_diff}");
        assert!(changed, "{short} left the signal unchanged");
    }
}

/// `--sidechain` reaches the Ducker's key input: a key in the first second ducks the tone by
/// the depth asked (-12 dB, within 1.5 dB after the attack); the free second is back within
/// 0.1 dB of the dry level (measured: -12.0 dB ducked, 0.06 dB low 0.7 s after the key).
#[test]
fn the_sidechain_file_keys_the_ducker() {
    let dir = scratch("render-duck");
    let (tone, key, out) = (
        dir.join("tone.wav"),
        dir.join("key.wav"),
        dir.join("out.wav"),
    );
    let rate = 48_000;
    let n = 2 * rate as usize;
    let sine = |f: f64, a: f64, i: usize| {
        a * (2.0 * std::f64::consts::PI * f * i as f64 / rate as f64).sin()
    };
    let tone_signal: Vec<f64> = (0..n).map(|i| sine(440.0, 0.3, i)).collect();
    let key_signal: Vec<f64> = (0..n)
        .map(|i| if i < n / 2 { sine(60.0, 0.8, i) } else { 0.0 })
        .collect();
    write_wav(
        &tone,
        rate,
        WavFormat::Float32,
        &[tone_signal.clone(), tone_signal],
    );
    write_wav(&key, rate, WavFormat::Float32, &[key_signal]);
    let result = run(
        "render",
        &tone,
        &out,
        &[
            "--chain",
            "ducker(depth=-12)",
            "--sidechain",
            key.to_str().unwrap(),
        ],
    );
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let (_, rendered) = read_wav(&out);
    let rms_db = |a: usize, b: usize| {
        let s = &rendered[0][a..b];
        10.0 * (s.iter().map(|x| x * x).sum::<f64>() / s.len() as f64).log10()
    };
    let dry_db = 20.0 * (0.3 / 2f64.sqrt()).log10();
    // The free window starts 0.7 s after the key stops: the release (150 ms, exponential) is
    // over.
    let (ducked, free) = (rms_db(n / 4, n / 2), rms_db(17 * n / 20, n));
    eprintln!(
        "ducked {:.2} dB, free {:.2} dB, dry {dry_db:.2} dB",
        ducked, free
    );
    assert!((ducked - (dry_db - 12.0)).abs() < 1.5, "ducked {ducked} dB");
    assert!((free - dry_db).abs() < 0.1, "free half {free} dB");
}

/// A TOML chain file renders exactly what the same chain on the command line renders,
/// presets included, and a preset changes the sound (it is applied, not ignored).
#[test]
fn a_chain_file_equals_the_same_chain_on_the_command_line() {
    let dir = scratch("render-chain-file");
    let input = dir.join("in.wav");
    write_wav(
        &input,
        44_100,
        WavFormat::Int(24),
        &programme(44_100, 2, 2.0, 9),
    );
    let file = dir.join("chain.toml");
    std::fs::write(
        &file,
        r#"
[[stage]]
processor = "eq"
params = { on_1 = "on", type_1 = "bell", freq_1 = "2k", gain_1 = -3.5 }

[[stage]]
processor = "compressor"
preset = "vocal-leveler"
params = { thr = -30 }

[[stage]]
processor = "limiter"
params = { ceil = -1.5, arel = false }
"#,
    )
    .unwrap();
    let render = |name: &str, chain: &[&str]| {
        let out = dir.join(name);
        let mut args = vec![
            "render",
            "--quiet",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--bits",
            "32f",
        ];
        args.extend_from_slice(chain);
        let result = lacquer(&args);
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        read_wav(&out).1
    };
    let from_file = render("file.wav", &["--chain-file", file.to_str().unwrap()]);
    let from_text = render(
        "text.wav",
        &[
            "--chain",
            "eq(on_1=on,type_1=Bell,freq_1=2000 Hz,gain_1=-3.5dB) \
             compressor(preset=Vocal Leveler,thr=-30) limiter(ceil=-1.5,arel=off)",
        ],
    );
    assert_eq!(from_file, from_text);
    let without_preset = render(
        "plain.wav",
        &["--chain", "eq(on_1=on,type_1=bell,freq_1=2k,gain_1=-3.5) compressor(thr=-30) limiter(ceil=-1.5,arel=off)"],
    );
    assert_ne!(from_file, without_preset, "the preset changed nothing");
}

/// `--tail` renders silence after the input: the reverb's tail is in the file, which is
/// longer by exactly that many samples; without it the output has the input's length.
#[test]
fn tail_renders_the_reverb_after_the_input_ends() {
    let dir = scratch("render-tail");
    let input = dir.join("in.wav");
    let output = dir.join("out.wav");
    write_wav(
        &input,
        48_000,
        WavFormat::Int(24),
        &programme(48_000, 2, 0.5, 4),
    );
    for (tail, extra) in [("0", 0), ("1.5", 72_000)] {
        let out = run(
            "render",
            &input,
            &output,
            &["--chain", "reverb(decay=3)", "--tail", tail],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (_, rendered) = read_wav(&output);
        assert_eq!(rendered[0].len(), 24_000 + extra, "--tail {tail}");
        if extra > 0 {
            let tail_peak = rendered[0][24_000 + 24_000..]
                .iter()
                .fold(0.0_f64, |m, x| m.max(x.abs()));
            assert!(tail_peak > 1e-3, "no reverb tail: peak {tail_peak}");
        }
    }
}

/// FLAC, MP3 and Ogg Vorbis inputs render to WAV at their rate and length: the FLAC (16-bit,
/// lossless) to 16-bit, sample for sample the 16-bit sine it encodes; lossy ones to 24-bit.
#[test]
fn compressed_inputs_render_to_wav() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let dir = scratch("render-compressed");
    for (file, bits) in [
        ("sine-997-20dbfs.flac", 16),
        ("sine-997-20dbfs.mp3", 24),
        ("sine-997-20dbfs.ogg", 24),
    ] {
        let output = dir.join(format!("{file}.wav"));
        let out = run(
            "render",
            &data.join(file),
            &output,
            &["--chain", "loudness"],
        );
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (spec, samples) = read_wav(&output);
        assert_eq!(
            (spec.sample_rate, spec.channels, spec.bits_per_sample),
            (16_000, 1, bits)
        );
        assert!(
            (samples[0].len() as i64 - 48_000).abs() < 16,
            "{file}: {}",
            samples[0].len()
        );
        if file.ends_with(".flac") {
            // The fixture script's source: round(32767 * 0.1 * sin(2π·997·n/16000)).
            for (n, &x) in samples[0].iter().enumerate() {
                let phase = 2.0 * std::f64::consts::PI * 997.0 * n as f64 / 16_000.0;
                let expected = (32_767.0 * 0.1 * phase.sin()).round() / 32_768.0;
                assert_eq!(x, expected, "FLAC sample {n}");
            }
        }
    }
}
