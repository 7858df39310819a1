//! Plugin-side CLAP extensions, called through their raw `clap-sys` tables: params, state,
//! audio ports, audio-ports-config and latency. All of these are main-thread calls; the tests
//! call them from the thread that created the instance.

use crate::clap_host::Instance;
use crate::signal::c_string;
use clack_host::events::io::EventBuffer;
use clack_host::stream::{InputStream, OutputStream};
use clap_sys::ext::audio_ports::{
    clap_audio_port_info, clap_plugin_audio_ports, CLAP_EXT_AUDIO_PORTS,
};
use clap_sys::ext::audio_ports_config::{
    clap_audio_ports_config, clap_plugin_audio_ports_config, CLAP_EXT_AUDIO_PORTS_CONFIG,
};
use clap_sys::ext::latency::{clap_plugin_latency, CLAP_EXT_LATENCY};
use clap_sys::ext::params::{clap_param_info, clap_plugin_params, CLAP_EXT_PARAMS};
use clap_sys::ext::state::{clap_plugin_state, CLAP_EXT_STATE};
use clap_sys::id::CLAP_INVALID_ID;
use std::ffi::{c_char, CStr, CString};
use std::io::{Read, Write};

/// Look up a plugin extension table.
fn ext<T>(instance: &Instance, id: &CStr) -> Option<&'static T> {
    let plugin = instance.raw();
    // SAFETY: `plugin` is a live instance; the returned table, if any, has type `T` per the spec
    // and lives as long as the instance (callers only use it while `instance` is borrowed).
    unsafe {
        let get = (*plugin).get_extension?;
        let table = get(plugin, id.as_ptr());
        (table as *const T).as_ref()
    }
}

/// Channel counts of every input and output port.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PortLayout {
    /// Input ports' channel counts, main first.
    pub inputs: Vec<u32>,
    /// Output ports' channel counts, main first.
    pub outputs: Vec<u32>,
}

/// One audio port as reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortInfo {
    /// Port ID.
    pub id: u32,
    /// Display name.
    pub name: String,
    /// `CLAP_AUDIO_PORT_*` flags.
    pub flags: u32,
    /// Channel count.
    pub channels: u32,
    /// Port type ("mono", "stereo", or empty).
    pub port_type: String,
}

/// Every audio port on one side.
pub fn port_infos(instance: &Instance, is_input: bool) -> Vec<PortInfo> {
    let Some(ports) = ext::<clap_plugin_audio_ports>(instance, CLAP_EXT_AUDIO_PORTS) else {
        return Vec::new();
    };
    let plugin = instance.raw();
    // SAFETY: plugin-provided function table, valid for this instance.
    unsafe {
        let count = ports.count.expect("audio_ports.count")(plugin, is_input);
        (0..count)
            .map(|i| {
                let mut info: clap_audio_port_info = std::mem::zeroed();
                assert!(
                    ports.get.expect("audio_ports.get")(plugin, i, is_input, &mut info),
                    "audio_ports.get({i}, {is_input}) failed"
                );
                PortInfo {
                    id: info.id,
                    name: c_string(&info.name),
                    flags: info.flags,
                    channels: info.channel_count,
                    port_type: if info.port_type.is_null() {
                        String::new()
                    } else {
                        CStr::from_ptr(info.port_type)
                            .to_string_lossy()
                            .into_owned()
                    },
                }
            })
            .collect()
    }
}

/// The current port layout.
pub fn audio_ports(instance: &Instance) -> PortLayout {
    PortLayout {
        inputs: port_infos(instance, true)
            .iter()
            .map(|p| p.channels)
            .collect(),
        outputs: port_infos(instance, false)
            .iter()
            .map(|p| p.channels)
            .collect(),
    }
}

/// One entry of audio-ports-config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortsConfig {
    /// Config ID for `select`.
    pub id: u32,
    /// Display name.
    pub name: String,
    /// Number of input ports.
    pub input_ports: u32,
    /// Number of output ports.
    pub output_ports: u32,
    /// Main input channels (0 when there is no main input).
    pub main_in: u32,
    /// Main output channels.
    pub main_out: u32,
}

/// Every audio-ports-config the plugin offers.
pub fn ports_configs(instance: &Instance) -> Vec<PortsConfig> {
    let Some(cfg) = ext::<clap_plugin_audio_ports_config>(instance, CLAP_EXT_AUDIO_PORTS_CONFIG)
    else {
        return Vec::new();
    };
    let plugin = instance.raw();
    // SAFETY: plugin-provided function table, valid for this instance.
    unsafe {
        let count = cfg.count.expect("audio_ports_config.count")(plugin);
        (0..count)
            .map(|i| {
                let mut c: clap_audio_ports_config = std::mem::zeroed();
                assert!(cfg.get.expect("audio_ports_config.get")(plugin, i, &mut c));
                PortsConfig {
                    id: c.id,
                    name: c_string(&c.name),
                    input_ports: c.input_port_count,
                    output_ports: c.output_port_count,
                    main_in: if c.has_main_input {
                        c.main_input_channel_count
                    } else {
                        0
                    },
                    main_out: if c.has_main_output {
                        c.main_output_channel_count
                    } else {
                        0
                    },
                }
            })
            .collect()
    }
}

/// Select an audio-ports-config (plugin must be inactive).
pub fn select_ports_config(instance: &Instance, id: u32) -> bool {
    assert!(
        !instance.is_active(),
        "select a ports config only while inactive"
    );
    let Some(cfg) = ext::<clap_plugin_audio_ports_config>(instance, CLAP_EXT_AUDIO_PORTS_CONFIG)
    else {
        return false;
    };
    // SAFETY: plugin-provided function table, valid for this instance.
    unsafe { cfg.select.expect("audio_ports_config.select")(instance.raw(), id) }
}

/// One parameter as the plugin reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamInfo {
    /// CLAP parameter ID.
    pub id: u32,
    /// `CLAP_PARAM_*` flags.
    pub flags: u32,
    /// Display name.
    pub name: String,
    /// Module (group) path.
    pub module: String,
    /// Minimum CLAP value.
    pub min: f64,
    /// Maximum CLAP value.
    pub max: f64,
    /// Default CLAP value.
    pub default: f64,
}

fn params_ext(instance: &Instance) -> &'static clap_plugin_params {
    ext::<clap_plugin_params>(instance, CLAP_EXT_PARAMS)
        .unwrap_or_else(|| panic!("{}: no params extension", instance.spec.name))
}

/// Every parameter, in the plugin's order.
pub fn params(instance: &Instance) -> Vec<ParamInfo> {
    let params = params_ext(instance);
    let plugin = instance.raw();
    // SAFETY: plugin-provided function table, valid for this instance.
    unsafe {
        let count = params.count.expect("params.count")(plugin);
        (0..count)
            .map(|i| {
                let mut info: clap_param_info = std::mem::zeroed();
                assert!(
                    params.get_info.expect("params.get_info")(plugin, i, &mut info),
                    "params.get_info({i}) failed"
                );
                ParamInfo {
                    id: info.id,
                    flags: info.flags,
                    name: c_string(&info.name),
                    module: c_string(&info.module),
                    min: info.min_value,
                    max: info.max_value,
                    default: info.default_value,
                }
            })
            .collect()
    }
}

/// Whether `get_info` rejects an out-of-range index (it must not read past its table).
pub fn param_info_out_of_range_rejected(instance: &Instance, index: u32) -> bool {
    let params = params_ext(instance);
    // SAFETY: plugin-provided function table; a conforming plugin returns false for a bad index.
    unsafe {
        let mut info: clap_param_info = std::mem::zeroed();
        !params.get_info.expect("params.get_info")(instance.raw(), index, &mut info)
    }
}

/// A parameter's current CLAP value.
pub fn param_value(instance: &Instance, id: u32) -> Option<f64> {
    let params = params_ext(instance);
    let mut value = f64::NAN;
    // SAFETY: plugin-provided function table, valid for this instance.
    let ok = unsafe { params.get_value.expect("params.get_value")(instance.raw(), id, &mut value) };
    ok.then_some(value)
}

/// Format a CLAP value as text.
pub fn value_to_text(instance: &Instance, id: u32, value: f64) -> Option<String> {
    let params = params_ext(instance);
    let mut buf = [0 as c_char; 256];
    // SAFETY: plugin-provided function table; the buffer size is passed along.
    let ok = unsafe {
        params.value_to_text.expect("params.value_to_text")(
            instance.raw(),
            id,
            value,
            buf.as_mut_ptr(),
            buf.len() as u32,
        )
    };
    ok.then(|| c_string(&buf))
}

/// Parse text into a CLAP value.
pub fn text_to_value(instance: &Instance, id: u32, text: &str) -> Option<f64> {
    let params = params_ext(instance);
    let text = CString::new(text).ok()?;
    let mut value = f64::NAN;
    // SAFETY: plugin-provided function table, valid for this instance.
    let ok = unsafe {
        params.text_to_value.expect("params.text_to_value")(
            instance.raw(),
            id,
            text.as_ptr(),
            &mut value,
        )
    };
    ok.then_some(value)
}

/// `params.flush` with input events (used to set parameters while inactive).
pub fn flush(instance: &Instance, events: &EventBuffer) {
    let params = params_ext(instance);
    let mut out = EventBuffer::new();
    let input = events.as_input();
    let mut output = out.as_output();
    // SAFETY: plugin-provided function table; the event lists outlive the call.
    unsafe {
        params.flush.expect("params.flush")(instance.raw(), input.as_raw(), output.as_raw_mut());
    }
}

fn state_ext(instance: &Instance) -> &'static clap_plugin_state {
    ext::<clap_plugin_state>(instance, CLAP_EXT_STATE)
        .unwrap_or_else(|| panic!("{}: no state extension", instance.spec.name))
}

/// Save the plugin's state.
pub fn save_state(instance: &Instance) -> Option<Vec<u8>> {
    let state = state_ext(instance);
    let mut bytes = Vec::new();
    let ok = {
        let mut stream = OutputStream::from_writer(&mut bytes);
        // SAFETY: plugin-provided function table; the stream outlives the call.
        unsafe { state.save.expect("state.save")(instance.raw(), stream.as_raw_mut()) }
    };
    ok.then_some(bytes)
}

/// Load a state from any reader (lets tests feed short reads, as some hosts do).
pub fn load_state_from(instance: &Instance, reader: &mut impl Read) -> bool {
    let state = state_ext(instance);
    let mut stream = InputStream::from_reader(reader);
    // SAFETY: plugin-provided function table; the stream outlives the call.
    unsafe { state.load.expect("state.load")(instance.raw(), stream.as_raw_mut()) }
}

/// Load a state from bytes.
pub fn load_state(instance: &Instance, bytes: &[u8]) -> bool {
    load_state_from(instance, &mut std::io::Cursor::new(bytes))
}

/// A reader that returns at most `chunk` bytes per read, like a host streaming from disk.
pub struct ChunkedReader<'a> {
    /// Remaining data.
    pub data: &'a [u8],
    /// Maximum bytes per read call.
    pub chunk: usize,
}

impl Read for ChunkedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.chunk).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A writer that accepts at most `chunk` bytes per write.
pub struct ChunkedWriter<'a> {
    /// Collected output.
    pub data: &'a mut Vec<u8>,
    /// Maximum bytes per write call.
    pub chunk: usize,
}

impl Write for ChunkedWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.chunk);
        self.data.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Save through a writer that accepts short writes.
pub fn save_state_to(instance: &Instance, writer: &mut impl Write) -> bool {
    let state = state_ext(instance);
    let mut stream = OutputStream::from_writer(writer);
    // SAFETY: plugin-provided function table; the stream outlives the call.
    unsafe { state.save.expect("state.save")(instance.raw(), stream.as_raw_mut()) }
}

/// The reported latency in samples (0 when the plugin has no latency extension).
pub fn latency(instance: &Instance) -> u32 {
    match ext::<clap_plugin_latency>(instance, CLAP_EXT_LATENCY) {
        // SAFETY: plugin-provided function table, valid for this instance.
        Some(l) => unsafe { l.get.expect("latency.get")(instance.raw()) },
        None => 0,
    }
}

/// `CLAP_INVALID_ID`, re-exported for port comparisons.
pub const INVALID_ID: u32 = CLAP_INVALID_ID;
