//! `lacquer render --block-size`: the host block changes nothing in the output (what
//! `cargo xtask compare` checks on every processor), and bad sizes are refused.

mod common;

use common::{lacquer, programme, run, scratch, write_wav, WavFormat};

/// Every processor with state that a block boundary could disturb, in one chain, keyed.
const CHAIN: &str =
    "eq(on_1=on,type_1=bell,freq_1=1000,gain_1=6) compressor(thr=-24,ratio=4,look=5) \
                     ducker(thr=-40) reverb(decay=1,mix=30) multiband(thr_1=-30,thr_3=-30) \
                     imager(w_1=150) limiter(in=12,ceil=-1) loudness()";

#[test]
fn the_output_is_the_same_at_every_host_block_size() {
    let dir = scratch("block-size");
    let input = dir.join("in.wav");
    let key = dir.join("key.wav");
    write_wav(
        &input,
        48_000,
        WavFormat::Float32,
        &programme(48_000, 2, 1.5, 7),
    );
    write_wav(
        &key,
        48_000,
        WavFormat::Float32,
        &programme(48_000, 2, 1.5, 8),
    );
    let render = |block: Option<&str>| {
        let out = dir.join(format!("out-{}.wav", block.unwrap_or("default")));
        let mut extra = vec![
            "--chain",
            CHAIN,
            "--sidechain",
            key.to_str().unwrap(),
            "--bits",
            "32f",
        ];
        if let Some(b) = block {
            extra.extend(["--block-size", b]);
        }
        let status = run("render", &input, &out, &extra);
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        std::fs::read(&out).unwrap()
    };
    let reference = render(None);
    for block in ["1", "64", "1000", "4096", "8192"] {
        assert!(
            render(Some(block)) == reference,
            "--block-size {block} changed the output"
        );
    }
}

#[test]
fn block_sizes_outside_1_to_8192_are_refused() {
    let dir = scratch("block-size-bad");
    let input = dir.join("in.wav");
    write_wav(
        &input,
        48_000,
        WavFormat::Float32,
        &programme(48_000, 2, 0.1, 1),
    );
    for bad in ["0", "8193", "-1", "big"] {
        let out = lacquer(&[
            "render",
            "--quiet",
            input.to_str().unwrap(),
            "-o",
            dir.join("out.wav").to_str().unwrap(),
            "--block-size",
            bad,
        ]);
        assert!(!out.status.success(), "--block-size {bad} was taken");
        assert!(!dir.join("out.wav").exists());
    }
}
