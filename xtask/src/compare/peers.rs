//! What `cargo xtask compare` runs: each Lacquer processor as a `lacquer render` chain, and
//! the peers that do the same job, as ffmpeg filter graphs (ffmpeg's own filters, and LV2
//! plugins hosted by ffmpeg's `lv2` filter). The settings are matched as closely as each
//! peer allows; where a peer cannot be matched, the comment next to it says how it differs.
//!
//! An ffmpeg graph reads the programme as `[main]` and, for a keyed or convolution peer, the
//! key or impulse response as `[key]`; it ends in the stream that is written out (the
//! runner appends `[out]`).

/// What a row of the comparison runs.
#[derive(Debug, Clone)]
pub enum Run {
    /// `lacquer render --chain CHAIN` (with the kick key as `--sidechain` when `keyed`).
    Lacquer { chain: String, keyed: bool },
    /// ffmpeg with this filter graph; `second` is its second input, if any; `lv2` is the
    /// plugin URI it hosts, which must be installed.
    Ffmpeg {
        graph: String,
        second: Second,
        lv2: Option<&'static str>,
    },
    /// A peer that cannot run here, and why.
    Unavailable(String),
}

/// An ffmpeg graph's second input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Second {
    /// None.
    None,
    /// The kick key ([`super::signal::kick_key`]).
    Key,
    /// The reverb impulse response ([`super::signal::reverb_ir`]).
    Ir,
}

/// One implementation of one processor.
#[derive(Debug, Clone)]
pub struct Impl {
    /// The Lacquer processor this row belongs to ("Channel EQ").
    pub processor: &'static str,
    /// Who: "Lacquer", "ffmpeg acompressor", "LSP Compressor Stereo (LV2)".
    pub name: &'static str,
    /// What runs.
    pub run: Run,
    /// The settings in words, as they appear in the README.
    pub settings: String,
}

impl Impl {
    /// Whether this is Lacquer's own row.
    pub fn is_lacquer(&self) -> bool {
        matches!(self.run, Run::Lacquer { .. })
    }
}

/// The nine processors, in the README's order.
pub const PROCESSORS: [&str; 9] = [
    "Channel EQ",
    "Compressor",
    "Ducker",
    "Reverb Send",
    "Panner",
    "Multiband",
    "Imager",
    "Limiter",
    "Loudness",
];

/// An LV2 plugin hosted by ffmpeg: `lv2=p=URI:c=sym=value|…` (the URI's colon escaped for
/// the filter graph).
fn lv2(uri: &str, controls: &str) -> String {
    let escaped = uri.replace(':', "\\\\:");
    if controls.is_empty() {
        format!("[main]lv2=p={escaped}")
    } else {
        format!("[main]lv2=p={escaped}:c={controls}")
    }
}

/// dB to a linear gain, for the peers that take one.
fn lin(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

fn lacquer(processor: &'static str, chain: String, settings: &str, keyed: bool) -> Impl {
    Impl {
        processor,
        name: "Lacquer",
        run: Run::Lacquer { chain, keyed },
        settings: settings.to_owned(),
    }
}

fn ffmpeg(processor: &'static str, name: &'static str, graph: String, settings: &str) -> Impl {
    Impl {
        processor,
        name,
        run: Run::Ffmpeg {
            graph,
            second: Second::None,
            lv2: None,
        },
        settings: settings.to_owned(),
    }
}

fn hosted(
    processor: &'static str,
    name: &'static str,
    uri: &'static str,
    graph: String,
    second: Second,
    settings: &str,
) -> Impl {
    Impl {
        processor,
        name,
        run: Run::Ffmpeg {
            graph,
            second,
            lv2: Some(uri),
        },
        settings: settings.to_owned(),
    }
}

fn unavailable(processor: &'static str, name: &'static str, reason: &str) -> Impl {
    Impl {
        processor,
        name,
        run: Run::Unavailable(reason.to_owned()),
        settings: String::new(),
    }
}

/// The four bells of the EQ comparison: (Hz, dB, Q).
pub const EQ_BELLS: [(f64, f64, f64); 4] = [
    (100.0, -3.0, 0.7),
    (1000.0, 6.0, 1.0),
    (3000.0, -4.0, 2.0),
    (10_000.0, 3.0, 0.7),
];

/// The Channel EQ and its peers: four bells ([`EQ_BELLS`]).
pub fn channel_eq() -> Vec<Impl> {
    const P: &str = "Channel EQ";
    let words = "4 bells: 100 Hz −3 dB Q 0.7, 1 kHz +6 dB Q 1, 3 kHz −4 dB Q 2, 10 kHz +3 dB Q 0.7";
    let chain: Vec<String> = EQ_BELLS
        .iter()
        .enumerate()
        .map(|(i, (f, g, q))| {
            let n = i + 1;
            format!("on_{n}=on,type_{n}=bell,freq_{n}={f},gain_{n}={g},q_{n}={q}")
        })
        .collect();
    // ffmpeg `equalizer`: the RBJ cookbook peaking biquad, width given as Q (t=q).
    let ff: Vec<String> = EQ_BELLS
        .iter()
        .map(|(f, g, q)| format!("equalizer=f={f}:t=q:w={q}:g={g}"))
        .collect();
    // LSP Parametric Equalizer x16: filter type 1 = Bell, mode 0 = RLC (bilinear transform,
    // the plugin's default), gain as a linear factor, Q as the quality factor.
    let lsp: Vec<String> = EQ_BELLS
        .iter()
        .enumerate()
        .map(|(i, (f, g, q))| format!("ft_{i}=1|f_{i}={f}|g_{i}={:.6}|q_{i}={q}", lin(*g)))
        .collect();
    // x42 fil4: sections 1–4 (their ranges hold 100 Hz, 1 kHz, 3 kHz and 10 kHz); the
    // shelves stay off. Its "bandwidth" b is not in octaves: its Regalia–Mitra section
    // (Fil4Paramsect in fil4's filters.h) sets the all-pass bandwidth B by
    // tan(π·B/fs) = 7·b·(f0/fs)/√g, and that bell equals the RBJ analog bell when
    // B/f0 = 1/(√g·Q), so b = π/(7·Q).
    let fil4: Vec<String> = EQ_BELLS
        .iter()
        .enumerate()
        .map(|(i, (f, g, q))| {
            let n = i + 1;
            let b = std::f64::consts::PI / (7.0 * q);
            format!("sec{n}=1|freq{n}={f}|gain{n}={g}|q{n}={b:.4}")
        })
        .collect();
    vec![
        lacquer(P, format!("eq({})", chain.join(",")), words, false),
        ffmpeg(
            P,
            "ffmpeg equalizer ×4",
            format!("[main]{}", ff.join(",")),
            words,
        ),
        hosted(
            P,
            "LSP Parametric Equalizer x16 Stereo (LV2)",
            "http://lsp-plug.in/plugins/lv2/para_equalizer_x16_stereo",
            lv2(
                "http://lsp-plug.in/plugins/lv2/para_equalizer_x16_stereo",
                &lsp.join("|"),
            ),
            Second::None,
            &format!("{words}; IIR, RLC (BT) bells"),
        ),
        hosted(
            P,
            "x42 fil4 (LV2)",
            "http://gareus.org/oss/lv2/fil4#stereo",
            lv2(
                "http://gareus.org/oss/lv2/fil4#stereo",
                &format!("{}|LSsec=0|HSsec=0", fil4.join("|")),
            ),
            Second::None,
            &format!("{words}; bandwidth b = π/(7·Q)"),
        ),
    ]
}

/// The Compressor and its peers: −18 dB threshold, 3:1, 6 dB knee, 10 ms attack, 100 ms
/// release, RMS detection, linked, no makeup.
pub fn compressor() -> Vec<Impl> {
    const P: &str = "Compressor";
    let words = "−18 dB, 3:1, knee 6 dB, attack 10 ms, release 100 ms, RMS, linked";
    vec![
        lacquer(
            P,
            "compressor(thr=-18,ratio=3,knee=6,atk=10,rel=100,det=rms,link=100)".to_owned(),
            words,
            false,
        ),
        // acompressor: threshold and makeup are linear; its knee is a linear factor
        // (2 = 6 dB); RMS detection, linked by the channels' average.
        ffmpeg(
            P,
            "ffmpeg acompressor",
            format!(
                "[main]acompressor=threshold={:.6}:ratio=3:knee=2:attack=10:release=100:\
                 detection=rms:link=average:makeup=1",
                lin(-18.0)
            ),
            words,
        ),
        // LSP Compressor: attack threshold `al` (linear) is the threshold; knee `kn` is the
        // gain where the knee starts (0.5 = −6 dB); sidechain mode 1 = RMS (default).
        hosted(
            P,
            "LSP Compressor Stereo (LV2)",
            "http://lsp-plug.in/plugins/lv2/compressor_stereo",
            lv2(
                "http://lsp-plug.in/plugins/lv2/compressor_stereo",
                &format!(
                    "al={:.6}|cr=3|kn={:.6}|at=10|rt=100|scm=1|mk=1",
                    lin(-18.0),
                    lin(-6.0)
                ),
            ),
            Second::None,
            words,
        ),
        // x42 darc has no n:1 ratio (its "Ratio" is its own 0–1 scale) and no knee: threshold
        // −18 dB, Ratio 0.5, attack 10 ms, release 100 ms, RMS on.
        hosted(
            P,
            "x42 darc (LV2)",
            "http://gareus.org/oss/lv2/darc#stereo",
            lv2(
                "http://gareus.org/oss/lv2/darc#stereo",
                "threshold=-18|Ratio=0.5|attack=0.01|release=0.1|rms=1",
            ),
            Second::None,
            "−18 dB, darc ratio 0.5 (its own scale), attack 10 ms, release 100 ms, RMS",
        ),
    ]
}

/// The Ducker and its peers: keyed by the off-beat kick, threshold −30 dB, attack 1 ms,
/// release 150 ms.
pub fn ducker() -> Vec<Impl> {
    const P: &str = "Ducker";
    vec![
        lacquer(
            P,
            "ducker(thr=-30,depth=-12,atk=1,hold=0,rel=150)".to_owned(),
            "external key, −30 dB, depth −12 dB, attack 1 ms, release 150 ms",
            true,
        ),
        // A ducker is a compressor on the key with a fixed depth; sidechaincompress has no
        // depth: 20:1 above −30 dB instead.
        Impl {
            processor: P,
            name: "ffmpeg sidechaincompress",
            run: Run::Ffmpeg {
                graph: format!(
                    "[main][key]sidechaincompress=threshold={:.6}:ratio=20:attack=1:release=150:\
                     detection=peak:makeup=1",
                    lin(-30.0)
                ),
                second: Second::Key,
                lv2: None,
            },
            settings: "external key, −30 dB, 20:1 (no depth), attack 1 ms, release 150 ms"
                .to_owned(),
        },
        // LSP's sidechain compressor takes the key as audio inputs 3–4: the programme and
        // the key are merged into four channels. Sidechain type 2 = External, mode 0 = Peak.
        hosted(
            P,
            "LSP Sidechain Compressor Stereo (LV2)",
            "http://lsp-plug.in/plugins/lv2/sc_compressor_stereo",
            format!(
                "[main][key]amerge=inputs=2,{}",
                &lv2(
                    "http://lsp-plug.in/plugins/lv2/sc_compressor_stereo",
                    &format!("sct=2|scm=0|al={:.6}|cr=20|at=1|rt=150|mk=1", lin(-30.0)),
                )["[main]".len()..]
            ),
            Second::Key,
            "external key, −30 dB, 20:1 (no depth), attack 1 ms, release 150 ms",
        ),
    ]
}

/// The Reverb Send and its peers: a 2 s RT60, 100 % wet.
pub fn reverb() -> Vec<Impl> {
    const P: &str = "Reverb Send";
    vec![
        lacquer(
            P,
            "reverb(decay=2,mix=100)".to_owned(),
            "RT60 2 s, 100 % wet, other settings default",
            false,
        ),
        // afir: partitioned FFT convolution with a 2.5 s stereo noise IR decaying 60 dB in
        // 2 s (a convolution reverb of the same decay, not the same sound); partitions from
        // 128 samples (the latency a real-time convolver at a 128-sample host block has) up
        // to its default 8192.
        Impl {
            processor: P,
            name: "ffmpeg afir (convolution)",
            run: Run::Ffmpeg {
                graph: "[main][key]afir=minp=128:maxp=8192".to_owned(),
                second: Second::Ir,
                lv2: None,
            },
            settings: "2.5 s stereo IR, RT60 2 s, 100 % wet".to_owned(),
        },
        unavailable(
            P,
            "LSP Impulse Reverb, x42 convoLV2 (LV2)",
            "they load their IR from a file named through an LV2 path property or state, \
             which ffmpeg's lv2 filter cannot set (it sets control ports only)",
        ),
    ]
}

/// The Panner and its peers: balance 30 % to the right.
pub fn panner() -> Vec<Impl> {
    const P: &str = "Panner";
    let words = "balance 30 % right";
    vec![
        lacquer(P, "panner(mode=balance,pan=30R)".to_owned(), words, false),
        // stereotools: output balance −1…1, balance mode (the far side attenuated).
        ffmpeg(
            P,
            "ffmpeg stereotools",
            "[main]stereotools=balance_out=0.3".to_owned(),
            words,
        ),
        hosted(
            P,
            "x42 balance (LV2)",
            "http://gareus.org/oss/lv2/balance",
            lv2("http://gareus.org/oss/lv2/balance", "balance=0.3"),
            Second::None,
            words,
        ),
    ]
}

/// The Multiband and its peers: four bands split at 120 Hz, 1 kHz and 5 kHz (LR4), each
/// −20 dB, 3:1, attack 10 ms, release 100 ms.
pub fn multiband() -> Vec<Impl> {
    const P: &str = "Multiband";
    let words = "4 bands at 120 Hz / 1 kHz / 5 kHz (LR4), each −20 dB 3:1, 10/100 ms";
    let mut chain = vec!["bands=4".to_owned(), "slope=24 dB/oct".to_owned()];
    for (i, x) in [120, 1000, 5000].iter().enumerate() {
        chain.push(format!("x_{}={x}", i + 1));
    }
    for b in 1..=4 {
        chain.push(format!("thr_{b}=-20,ratio_{b}=3,atk_{b}=10,rel_{b}=100"));
    }
    let comp = format!(
        "acompressor=threshold={:.6}:ratio=3:attack=10:release=100:makeup=1",
        lin(-20.0)
    );
    // acrossover's order 4th is LR4; amix sums the bands back (normalize=0: unity gains).
    let ffgraph = format!(
        "[main]acrossover=split=120 1000 5000:order=4th[b0][b1][b2][b3];\
         [b0]{comp}[c0];[b1]{comp}[c1];[b2]{comp}[c2];[b3]{comp}[c3];\
         [c0][c1][c2][c3]amix=inputs=4:normalize=0"
    );
    // LSP Multiband Compressor: mode 0 = "Classic" (the default is "Modern"; Classic is the
    // nearer to a plain crossover and band compressors), split points 1–3 enabled at the
    // three frequencies, bands 0–3 at −20 dB (`al`, linear), 3:1; its crossover is its own
    // (not LR4).
    let mut lsp = vec![
        "mode=0|cbe_1=1|sf_1=120|cbe_2=1|sf_2=1000|cbe_3=1|sf_3=5000".to_owned(),
        "cbe_4=0|cbe_5=0|cbe_6=0|cbe_7=0".to_owned(),
        // Its input and output FFT analysis is for the GUI, which is not open here.
        "ife_l=0|ofe_l=0|ife_r=0|ofe_r=0".to_owned(),
    ];
    for b in 0..4 {
        lsp.push(format!(
            "al_{b}={:.6}|cr_{b}=3|at_{b}=10|rt_{b}=100",
            lin(-20.0)
        ));
    }
    vec![
        lacquer(P, format!("multiband({})", chain.join(",")), words, false),
        ffmpeg(P, "ffmpeg acrossover + 4 × acompressor", ffgraph, words),
        hosted(
            P,
            "LSP Multiband Compressor Stereo (LV2)",
            "http://lsp-plug.in/plugins/lv2/mb_compressor_stereo",
            lv2(
                "http://lsp-plug.in/plugins/lv2/mb_compressor_stereo",
                &lsp.join("|"),
            ),
            Second::None,
            "4 bands at 120 Hz / 1 kHz / 5 kHz (LSP's own crossover, Classic mode), each −20 dB 3:1, 10/100 ms",
        ),
    ]
}

/// The Imager and its peers: one band, width 150 %.
pub fn imager() -> Vec<Impl> {
    const P: &str = "Imager";
    vec![
        lacquer(
            P,
            "imager(bands=1,w_1=150)".to_owned(),
            "1 band, width 150 %",
            false,
        ),
        // stereotools: side level ×1.5, mid unchanged (what a 150 % width does to M/S).
        ffmpeg(
            P,
            "ffmpeg stereotools",
            "[main]stereotools=slev=1.5".to_owned(),
            "side level ×1.5 (width 150 %)",
        ),
        unavailable(
            P,
            "LV2 (LSP, x42)",
            "no stereo-width plugin in Debian's lsp-plugins-lv2 or x42-plugins",
        ),
    ]
}

/// The Limiter and its peers at `drive_db` input gain, ceiling −1 dBTP (−1 dBFS where the
/// peer has no true-peak mode), release 50 ms where it has one.
pub fn limiter(drive_db: f64) -> Vec<Impl> {
    const P: &str = "Limiter";
    let words = format!("+{drive_db} dB drive, ceiling −1 dB, release 50 ms");
    vec![
        lacquer(
            P,
            format!("limiter(in={drive_db},ceil=-1,rel=50,os=4x,dith=off)"),
            &format!("{words}, true peak 4×"),
            false,
        ),
        // alimiter: linear input level and limit, attack 5 ms (its lookahead), level=0 turns
        // off its default auto-level (which would normalise the output to 0 dBFS); sample
        // peak only.
        ffmpeg(
            P,
            "ffmpeg alimiter",
            format!(
                "[main]alimiter=level_in={:.6}:limit={:.6}:attack=5:release=50:level=0",
                lin(drive_db),
                lin(-1.0)
            ),
            &format!("{words}, attack 5 ms, sample peak"),
        ),
        // LSP Limiter: linear input gain and threshold, "gain boost" off (on by default, it
        // raises the output so that the threshold lands on 0 dBFS), oversampling 15 =
        // "Full x4(2L)" (true peak at 4×), lookahead 5 ms; its release tops out at 20 ms.
        hosted(
            P,
            "LSP Limiter Stereo (LV2)",
            "http://lsp-plug.in/plugins/lv2/limiter_stereo",
            lv2(
                "http://lsp-plug.in/plugins/lv2/limiter_stereo",
                &format!(
                    "g_in={:.6}|th={:.6}|boost=0|ovs=15|lk=5|rt=20",
                    lin(drive_db),
                    lin(-1.0)
                ),
            ),
            Second::None,
            &format!(
                "+{drive_db} dB drive, ceiling −1 dB, release 20 ms (its maximum), 4× oversampled"
            ),
        ),
        // x42 dpl: gain and threshold in dB, release in seconds, true-peak mode on.
        hosted(
            P,
            "x42 dpl (LV2)",
            "http://gareus.org/oss/lv2/dpl#stereo",
            lv2(
                "http://gareus.org/oss/lv2/dpl#stereo",
                &format!("gain={drive_db}|threshold=-1|release=0.05|truepeak=1"),
            ),
            Second::None,
            &format!("{words}, true-peak mode"),
        ),
    ]
}

/// The Loudness meter and its peers (meters: the audio passes through).
pub fn loudness() -> Vec<Impl> {
    const P: &str = "Loudness";
    vec![
        lacquer(
            P,
            "loudness()".to_owned(),
            "M, S, I, LRA, true peak 4×",
            false,
        ),
        ffmpeg(
            P,
            "ffmpeg ebur128",
            // framelog=verbose: the 10-per-second lines go to the verbose log, not printed.
            "[main]ebur128=peak=true:framelog=verbose".to_owned(),
            "M, S, I, LRA, true peak",
        ),
        hosted(
            P,
            "x42 EBU R128 meter (LV2)",
            "http://gareus.org/oss/lv2/meters#EBUr128",
            lv2("http://gareus.org/oss/lv2/meters#EBUr128", ""),
            Second::None,
            "M, S, I, LRA (its readings are control outputs ffmpeg does not report)",
        ),
    ]
}

/// Every row, processor by processor, in [`PROCESSORS`] order (the Limiter at +6 dB).
pub fn all() -> Vec<Impl> {
    let mut rows = channel_eq();
    rows.extend(compressor());
    rows.extend(ducker());
    rows.extend(reverb());
    rows.extend(panner());
    rows.extend(multiband());
    rows.extend(imager());
    rows.extend(limiter(6.0));
    rows.extend(loudness());
    rows
}
