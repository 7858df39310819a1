//! Test signals and comparisons.

/// Deterministic white noise in `-amp..amp`, `channels` channels of `len` samples.
pub fn noise(channels: usize, len: usize, amp: f32, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..channels)
        .map(|_| (0..len).map(|_| (rng.f32() * 2.0 - 1.0) * amp).collect())
        .collect()
}

/// A music-like test signal: a few detuned partials with an amplitude envelope plus noise,
/// different on each channel.
pub fn music(channels: usize, len: usize, sample_rate: f64, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..channels)
        .map(|c| {
            let base = 110.0 * (1.0 + 0.01 * c as f64);
            (0..len)
                .map(|i| {
                    let t = i as f64 / sample_rate;
                    let env = 0.5 + 0.5 * (t * 2.0 * std::f64::consts::PI * 1.5).sin();
                    let tone: f64 = [1.0, 2.01, 3.02, 5.1]
                        .iter()
                        .map(|&h| (t * base * h * 2.0 * std::f64::consts::PI).sin() / h)
                        .sum();
                    ((0.25 * env * tone) as f32) + (rng.f32() - 0.5) * 0.05
                })
                .collect()
        })
        .collect()
}

/// `channels` channels of a constant value.
pub fn constant(channels: usize, len: usize, value: f32) -> Vec<Vec<f32>> {
    vec![vec![value; len]; channels]
}

/// First position where two multichannel signals differ bit-wise: `(channel, index, a, b)`.
pub fn first_difference(a: &[Vec<f32>], b: &[Vec<f32>]) -> Option<(usize, usize, f32, f32)> {
    assert_eq!(a.len(), b.len(), "channel counts differ");
    for (c, (x, y)) in a.iter().zip(b).enumerate() {
        assert_eq!(x.len(), y.len(), "lengths differ");
        if let Some(i) = x
            .iter()
            .zip(y)
            .position(|(p, q)| p.to_bits() != q.to_bits())
        {
            return Some((c, i, x[i], y[i]));
        }
    }
    None
}

/// Assert two signals are identical bit for bit.
#[track_caller]
pub fn assert_identical(a: &[Vec<f32>], b: &[Vec<f32>], what: &str) {
    if let Some((c, i, x, y)) = first_difference(a, b) {
        panic!("{what}: outputs differ first at channel {c}, sample {i}: {x:e} vs {y:e}");
    }
}

/// First non-finite sample: `(channel, index, value)`.
pub fn first_non_finite(signal: &[Vec<f32>]) -> Option<(usize, usize, f32)> {
    signal.iter().enumerate().find_map(|(c, ch)| {
        ch.iter()
            .position(|x| !x.is_finite())
            .map(|i| (c, i, ch[i]))
    })
}

/// Largest absolute sample value.
pub fn peak(signal: &[Vec<f32>]) -> f32 {
    signal
        .iter()
        .flat_map(|c| c.iter())
        .fold(0.0f32, |m, x| m.max(x.abs()))
}

/// Parse a displayed parameter value back into the plain number it shows, for range checks:
/// "-24.0 dB" → -24, "100%" → 1.0, "50L" → -0.5, "C" → 0, "1.20 kHz" → 1200.
pub fn plain_from_text(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("C") {
        return Some(0.0);
    }
    let number_end = t
        .char_indices()
        .find(|&(i, ch)| {
            !(ch.is_ascii_digit() || ch == '.' || ((ch == '-' || ch == '+') && i == 0))
        })
        .map_or(t.len(), |(i, _)| i);
    let value: f64 = t[..number_end].parse().ok()?;
    let unit = t[number_end..].trim();
    Some(match unit {
        "L" => -value / 100.0,
        "R" => value / 100.0,
        "%" => value / 100.0,
        u if u.starts_with("kHz") => value * 1000.0,
        _ => value,
    })
}

/// Index of the first sample (any channel) that differs from the constant `value`.
pub fn onset(out: &[Vec<f32>], value: f32) -> Option<usize> {
    (0..out[0].len()).find(|&i| out.iter().any(|c| c[i] != value))
}

/// First sample whose magnitude exceeds 1e-3 of the peak, in any channel.
pub fn arrival(out: &[Vec<f32>]) -> Option<usize> {
    let threshold = peak(out) * 1e-3;
    (0..out[0].len()).find(|&i| out.iter().any(|c| c[i].abs() > threshold))
}

/// `channels` channels of `len` zeros with a unit impulse at sample `at` in each.
pub fn impulse(channels: usize, len: usize, at: usize) -> Vec<Vec<f32>> {
    let mut signal = constant(channels, len, 0.0);
    for c in &mut signal {
        c[at] = 1.0;
    }
    signal
}

/// The gain step a sample-accurate automation test sent (constant 1.0 input, the gain
/// halved at sample `k`, rendered in blocks of `block`): the output first changes exactly at
/// `k` and settles at ~0.5. `what` names the plugin (and format) in the messages.
pub fn assert_gain_step_at(out: &[Vec<f32>], k: usize, block: usize, what: &str) {
    let first = onset(out, 1.0);
    assert_eq!(
        first,
        Some(k),
        "{what}: gain change at sample {k} (offset {} in block {}): output first changes at \
         {first:?}",
        k % block,
        k / block
    );
    let last = out[0][out[0].len() - 1];
    assert!(
        (last - 0.5).abs() < 0.01,
        "{what}: gain settles at {last}, want ~0.5"
    );
}

/// Every sample finite and the peak below `limit` (a blow-up or a stuck state shows as
/// either); `what` names the plugin and the situation in the messages.
pub fn assert_finite_below(out: &[Vec<f32>], limit: f32, what: &str) {
    if let Some((c, i, x)) = first_non_finite(out) {
        panic!("{what}: channel {c} sample {i} is {x}");
    }
    assert!(
        peak(out) < limit,
        "{what}: peak {} (limit {limit})",
        peak(out)
    );
}

/// A C string in a fixed-size `c_char` array (CLAP and VST3 info structs), up to its NUL.
pub fn c_string(s: &[std::ffi::c_char]) -> String {
    let bytes: Vec<u8> = s
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A signal a pure meter must pass untouched, bit for bit: `music` with full scale, values far
/// beyond it, a subnormal, negative zero, infinities and a NaN written into channel 0.
pub fn meter_probe(channels: usize, len: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut x = music(channels, len, 48_000.0, seed);
    let odd = [
        1.0,
        -1.0,
        8.0,
        -1e30,
        f32::MIN_POSITIVE / 4.0,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        f32::MAX,
    ];
    for (i, v) in odd.into_iter().enumerate() {
        x[0][1000 + 7 * i] = v;
    }
    x
}

/// Fail unless `got` is `want` bit for bit (NaN payloads and the sign of zero included).
pub fn assert_bit_identical(got: &[Vec<f32>], want: &[Vec<f32>], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: channel count");
    for (c, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.len(), w.len(), "{what}: channel {c} length");
        if let Some(i) = (0..g.len()).find(|&i| g[i].to_bits() != w[i].to_bits()) {
            panic!(
                "{what}: channel {c} sample {i}: {:e} ({:#010x}) instead of {:e} ({:#010x})",
                g[i],
                g[i].to_bits(),
                w[i],
                w[i].to_bits()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_displayed_values() {
        assert_eq!(plain_from_text("-24.0 dB"), Some(-24.0));
        assert_eq!(plain_from_text("100%"), Some(1.0));
        assert_eq!(plain_from_text("50L"), Some(-0.5));
        assert_eq!(plain_from_text("C"), Some(0.0));
        assert_eq!(plain_from_text("32R"), Some(0.32));
        assert_eq!(plain_from_text("1.2 kHz"), Some(1200.0));
        assert_eq!(plain_from_text("120 Hz"), Some(120.0));
        assert_eq!(plain_from_text("Off"), None);
    }

    #[test]
    fn difference_is_located() {
        let a = vec![vec![0.0, 1.0], vec![2.0, 3.0]];
        let mut b = a.clone();
        assert!(first_difference(&a, &b).is_none());
        b[1][1] = 4.0;
        assert_eq!(first_difference(&a, &b), Some((1, 1, 3.0, 4.0)));
        // -0.0 and 0.0 are different bits: "bit for bit" means exactly that.
        b[1][1] = 3.0;
        b[0][0] = -0.0;
        assert!(first_difference(&a, &b).is_some());
    }
}
