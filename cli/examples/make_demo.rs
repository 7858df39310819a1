//! Writes the demo programme the README's quick start measures and masters: an 8-second,
//! 48 kHz stereo, 24-bit loop of synthesised drums, bass and chords, mixed quiet (about
//! −20 LUFS, peaks near −6 dBFS) so `lacquer master` has work to do.
//!
//! `cargo run -p lacquer-cli --example make_demo [OUT.wav]` (default
//! `assets/demo/lacquer-demo.wav`). Deterministic: the same file every time.

use std::f64::consts::TAU;

const RATE: u32 = 48_000;
/// 120 BPM: one beat is half a second.
const BEAT_S: f64 = 0.5;
/// Two bars of four beats, played twice.
const LOOP_BEATS: usize = 8;
const REPEATS: usize = 2;

/// A decaying sine whose pitch falls from 150 Hz to 50 Hz (time constant 40 ms): a kick
/// drum. The phase is the integral of that frequency.
fn kick(t: f64) -> f64 {
    let phase = TAU * (50.0 * t + 100.0 * 0.04 * (1.0 - (-t / 0.04).exp()));
    phase.sin() * (-t / 0.3).exp()
}

/// Deterministic white noise in −1..1 (xorshift).
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// A bass note with three harmonics and a plucked envelope.
fn bass(t: f64, hz: f64) -> f64 {
    let env = (-t / 0.35).exp() * (1.0 - (-t / 0.003).exp());
    env * ((TAU * hz * t).sin()
        + 0.5 * (TAU * 2.0 * hz * t).sin()
        + 0.25 * (TAU * 3.0 * hz * t).sin())
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "assets/demo/lacquer-demo.wav".to_owned());
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir).expect("create the output folder");
    }
    let beat = (BEAT_S * RATE as f64) as usize;
    let frames = beat * LOOP_BEATS * REPEATS;
    let mut left = vec![0.0_f64; frames];
    let mut right = vec![0.0_f64; frames];
    let mut noise = Noise(0x2545_F491_4F6C_DD1D);
    // Bass roots per half bar (A, F, C, G) and the chords over them (triads, Hz).
    let roots = [55.0, 43.65, 65.41, 49.0];
    let chords = [
        [220.0, 261.63, 329.63],
        [174.61, 220.0, 261.63],
        [261.63, 329.63, 392.0],
        [196.0, 246.94, 293.66],
    ];
    for (i, (l, r)) in left.iter_mut().zip(right.iter_mut()).enumerate() {
        let t_loop = (i % (beat * LOOP_BEATS)) as f64 / RATE as f64;
        let beat_index = (t_loop / BEAT_S) as usize;
        let t_beat = t_loop - beat_index as f64 * BEAT_S;
        let t_eighth = t_loop % (BEAT_S / 2.0);
        let half_bar = (t_loop / (2.0 * BEAT_S)) as usize % 4;
        let t_half_bar = t_loop % (2.0 * BEAT_S);
        let n = noise.next();
        let k = 0.5 * kick(t_beat);
        let snare = if beat_index % 2 == 1 {
            (-t_beat / 0.12).exp() * (0.25 * n + 0.1 * (TAU * 190.0 * t_beat).sin())
        } else {
            0.0
        };
        let hat = 0.06 * n * (-t_eighth / 0.03).exp();
        let b = 0.22 * bass(t_half_bar, roots[half_bar]);
        let pad_env = (t_half_bar / 0.2).min(1.0) * 0.05;
        let pad_l: f64 = chords[half_bar]
            .iter()
            .map(|hz| (TAU * hz * 0.998 * t_loop).sin())
            .sum();
        let pad_r: f64 = chords[half_bar]
            .iter()
            .map(|hz| (TAU * hz * 1.002 * t_loop).sin())
            .sum();
        // Kick, snare and bass in the centre, hats left of centre, the pad wide.
        let centre = k + snare + b;
        *l = 0.5 * (centre + 1.2 * hat + pad_env * pad_l);
        *r = 0.5 * (centre + 0.8 * hat + pad_env * pad_r);
    }
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&out, spec).expect("create the WAV file");
    let full = 8_388_608.0;
    for (l, r) in left.iter().zip(&right) {
        for x in [l, r] {
            let q = (x * full).round().clamp(-full, full - 1.0) as i32;
            writer.write_sample(q).expect("write a sample");
        }
    }
    writer.finalize().expect("finish the WAV file");
    println!("wrote {out} ({:.1} s)", frames as f64 / RATE as f64);
}
