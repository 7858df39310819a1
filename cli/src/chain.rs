//! Chains: which processors, with which settings. A chain is written on the command line
//! (`eq(type_1=bell,freq_1=250) limiter(ceil=-1)`) or in a TOML file, each processor by
//! name, with an optional `preset` (a factory or user preset's name, or a preset file) applied
//! first and then its parameters by the plugin's own IDs.

use crate::engine::{closest, ParamError, PluginStage, Stage};
use crate::error::CliError;
use lacquer_kit::presets::{Preset, PresetLibrary};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One of the nine processors.
pub struct Processor {
    /// Names it answers to on the command line; the first is the preset folder's.
    pub names: &'static [&'static str],
    /// A fresh, inactive instance.
    make: fn() -> Box<dyn Stage>,
    /// The factory presets the plugin embeds.
    factory: &'static [&'static str],
}

fn stage<P: nice_plug::prelude::Plugin + Default + 'static>() -> Box<dyn Stage> {
    Box::new(PluginStage::<P>::default())
}

/// Every processor, in the README's order.
pub const PROCESSORS: &[Processor] = &[
    Processor {
        names: &["channel-eq", "eq"],
        make: stage::<lacquer_channel_eq::LacquerChannelEq>,
        factory: lacquer_channel_eq::editor::FACTORY_PRESETS,
    },
    Processor {
        names: &["compressor"],
        make: stage::<lacquer_compressor::LacquerCompressor>,
        factory: lacquer_compressor::editor::FACTORY_PRESETS,
    },
    Processor {
        names: &["ducker"],
        make: stage::<lacquer_ducker::LacquerDucker>,
        factory: lacquer_ducker::editor::FACTORY_PRESETS,
    },
    Processor {
        names: &["reverb-send", "reverb"],
        make: stage::<lacquer_reverb_send::LacquerReverbSend>,
        factory: lacquer_reverb_send::editor::FACTORY_PRESETS,
    },
    Processor {
        names: &["panner"],
        make: stage::<lacquer_panner::LacquerPanner>,
        factory: lacquer_panner::editor::FACTORY_PRESETS,
    },
    Processor {
        names: &["multiband"],
        make: stage::<lacquer_multiband::LacquerMultiband>,
        factory: lacquer_multiband::editor::FACTORY_PRESETS,
    },
    Processor {
        names: &["imager"],
        make: stage::<lacquer_imager::LacquerImager>,
        factory: lacquer_imager::editor::FACTORY_PRESETS,
    },
    Processor {
        names: &["limiter"],
        make: stage::<lacquer_limiter::LacquerLimiter>,
        factory: lacquer_limiter::editor::FACTORY_PRESETS,
    },
    Processor {
        names: &["loudness"],
        make: stage::<lacquer_loudness::LacquerLoudness>,
        factory: lacquer_loudness::editor::FACTORY_PRESETS,
    },
];

/// One processor of a chain as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StageSpec {
    /// Processor name.
    pub processor: String,
    /// Preset name or file, applied before `params`.
    pub preset: Option<String>,
    /// Parameter ID and value text, in order.
    pub params: Vec<(String, String)>,
}

/// A built stage and the processor it is.
pub struct BuiltStage {
    /// The processor's name (the preset folder's).
    pub name: &'static str,
    /// The plugin instance, parameters set.
    pub stage: Box<dyn Stage>,
}

/// Parses `name(id=value,…) name …`; whitespace separates processors, commas parameters.
pub fn parse(text: &str) -> Result<Vec<StageSpec>, CliError> {
    let mut specs = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '(')
            .unwrap_or(rest.len());
        let name = &rest[..end];
        if name.is_empty() {
            return Err(CliError::Chain(format!(
                "chain: expected a processor name at '{rest}'"
            )));
        }
        let mut spec = StageSpec {
            processor: name.to_owned(),
            ..StageSpec::default()
        };
        rest = rest[end..].trim_start();
        if let Some(inner) = rest.strip_prefix('(') {
            let close = inner
                .find(')')
                .ok_or_else(|| CliError::Chain(format!("chain: '{name}(' has no closing ')'")))?;
            for item in inner[..close].split(',').filter(|s| !s.trim().is_empty()) {
                let (id, value) = item.split_once('=').ok_or_else(|| {
                    CliError::Chain(format!(
                        "chain: '{}' in {name}(…) is not id=value",
                        item.trim()
                    ))
                })?;
                let (id, value) = (id.trim(), unquote(value.trim()));
                if id == "preset" {
                    spec.preset = Some(value.to_owned());
                } else {
                    spec.params.push((id.to_owned(), value.to_owned()));
                }
            }
            rest = inner[close + 1..].trim_start();
        }
        specs.push(spec);
    }
    Ok(specs)
}

/// `value` without one pair of surrounding quotes ('…' or "…").
fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner;
        }
    }
    value
}

/// A chain file: `[[stage]]` tables with `processor`, optional `preset`, and `params`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainFile {
    stage: Vec<FileStage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileStage {
    processor: String,
    preset: Option<String>,
    #[serde(default)]
    params: BTreeMap<String, toml::Value>,
}

/// Reads a TOML chain file.
pub fn read_file(path: &Path) -> Result<Vec<StageSpec>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| CliError::unreadable(path, e))?;
    let file: ChainFile = toml::from_str(&text)
        .map_err(|e| CliError::Chain(format!("chain file '{}': {e}", path.display())))?;
    file.stage
        .into_iter()
        .map(|s| {
            let params = s
                .params
                .into_iter()
                .map(|(id, value)| {
                    let text = match value {
                        toml::Value::String(s) => s,
                        toml::Value::Integer(i) => i.to_string(),
                        toml::Value::Float(f) => f.to_string(),
                        toml::Value::Boolean(b) => b.to_string(),
                        other => {
                            return Err(CliError::Chain(format!(
                                "chain file '{}': {id} = {other} is not a number, text or \
                                 true/false",
                                path.display()
                            )))
                        }
                    };
                    Ok((id, text))
                })
                .collect::<Result<_, _>>()?;
            Ok(StageSpec {
                processor: s.processor,
                preset: s.preset,
                params,
            })
        })
        .collect()
}

/// The processor called `name`, or an error naming the closest.
pub fn processor(name: &str) -> Result<&'static Processor, CliError> {
    PROCESSORS
        .iter()
        .find(|p| p.names.contains(&name))
        .ok_or_else(|| {
            let all = PROCESSORS.iter().flat_map(|p| p.names.iter().copied());
            CliError::Chain(format!(
                "unknown processor '{name}' (did you mean '{}'?); processors: {}",
                closest(name, all),
                PROCESSORS
                    .iter()
                    .map(|p| p.names.join("|"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

fn param_error(processor: &str, e: ParamError) -> CliError {
    match e {
        ParamError::UnknownId { id, closest } => CliError::UnknownParam(format!(
            "{processor} has no parameter '{id}' (did you mean '{closest}'?)"
        )),
        ParamError::UnknownValue {
            id,
            value,
            closest,
            valid,
        } => CliError::UnknownParam(format!(
            "{processor}: '{value}' is not a value of {id} (did you mean '{closest}'?); valid: {}",
            valid.join(", ")
        )),
        ParamError::OutOfRange {
            id,
            value,
            min,
            max,
            closest,
        } => CliError::OutOfRange(format!(
            "{processor}: {id}={value} is outside {min} .. {max} (closest valid: {closest})"
        )),
    }
}

/// The preset `wanted` of `processor`: a factory or user preset by name (or file name
/// without `.json`), or a preset file.
fn find_preset(processor: &Processor, wanted: &str) -> Result<Preset, CliError> {
    let plugin = processor.names[0];
    let path = Path::new(wanted);
    if path.extension().is_some_and(|e| e == "json") && path.exists() {
        return PresetLibrary::read_file(path).map_err(|e| CliError::unreadable(path, e));
    }
    let library = PresetLibrary::new(plugin, processor.factory, &[]);
    let key = wanted.to_ascii_lowercase();
    let found = library
        .presets
        .iter()
        .find(|(_, p)| p.name.to_ascii_lowercase() == key || slug(&p.name) == slug(&key));
    match found {
        Some((_, preset)) => Ok(preset.clone()),
        None => {
            let names: Vec<String> = library.presets.iter().map(|(_, p)| slug(&p.name)).collect();
            Err(CliError::Chain(format!(
                "{plugin} has no preset '{wanted}' (did you mean '{}'?); presets: {}",
                closest(&key, names.iter().map(String::as_str)),
                names.join(", ")
            )))
        }
    }
}

/// A preset name as the factory files are named: lower case, words joined by '-'
/// ("Vocal Leveler" -> "vocal-leveler").
fn slug(name: &str) -> String {
    let lower: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    lower
        .split('-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Builds the stages of `specs`: each plugin instance with its preset and parameters set.
pub fn build(specs: &[StageSpec]) -> Result<Vec<BuiltStage>, CliError> {
    specs
        .iter()
        .map(|spec| {
            let processor = processor(&spec.processor)?;
            let name = processor.names[0];
            let mut stage = (processor.make)();
            if let Some(wanted) = &spec.preset {
                let preset = find_preset(processor, wanted)?;
                if preset.plugin != name {
                    return Err(CliError::Chain(format!(
                        "preset '{wanted}' is for {}, not {name}",
                        preset.plugin
                    )));
                }
                let (values, report) = preset.resolve(&*stage.params(), &[]);
                if !report.unknown.is_empty() {
                    eprintln!(
                        "lacquer: warning: preset '{wanted}': skipped {}",
                        report.unknown.join(", ")
                    );
                }
                for (id, plain) in values {
                    stage
                        .set_plain(&id, plain)
                        .map_err(|e| param_error(name, e))?;
                }
            }
            for (id, value) in &spec.params {
                stage
                    .set_param(id, value)
                    .map_err(|e| param_error(name, e))?;
            }
            Ok(BuiltStage { name, stage })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_parses_into_processors_presets_and_parameters() {
        let specs = parse(
            " eq(on_1=on, type_1=\"Tilt Shelf\",gain_1=-3 dB) compressor limiter( preset=streaming-loud,ceil=-1 )",
        )
        .unwrap();
        assert_eq!(specs.len(), 3);
        assert_eq!(specs[0].processor, "eq");
        assert_eq!(
            specs[0].params,
            [
                ("on_1", "on"),
                ("type_1", "Tilt Shelf"),
                ("gain_1", "-3 dB")
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
        assert_eq!(
            specs[1],
            StageSpec {
                processor: "compressor".into(),
                ..Default::default()
            }
        );
        assert_eq!(specs[2].preset.as_deref(), Some("streaming-loud"));
        assert_eq!(specs[2].params, [("ceil".to_owned(), "-1".to_owned())]);
        assert!(parse("").unwrap().is_empty());
        assert!(matches!(parse("eq(on_1)"), Err(CliError::Chain(_))));
        assert!(matches!(parse("eq(on_1=on"), Err(CliError::Chain(_))));
    }

    #[test]
    fn preset_names_match_their_factory_file_names() {
        assert_eq!(slug("Vocal Leveler"), "vocal-leveler");
        assert_eq!(slug("De-Ess-ish"), "de-ess-ish");
        assert_eq!(slug("CD Master 16 bit"), "cd-master-16-bit");
    }
}
