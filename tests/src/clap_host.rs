//! A small CLAP host on top of `clack-host`: loads a bundle, instantiates a plugin, selects an
//! audio port configuration, activates it at a sample rate and maximum block size, and
//! processes audio with parameter events at sample offsets, the way a DAW does.
//!
//! clack-host wraps the lifecycle and the process call; the plugin-side extensions this
//! harness needs (params, state, audio ports, audio-ports-config, latency) are called through
//! their raw `clap-sys` tables in [`crate::clap_ext`]. The host side implements `thread-check`
//! (so the plugin can tell the audio thread from the main thread, as in a real host),
//! `latency`, `params` and `state`, and counts every callback so tests can assert on them.

use crate::plugins::PluginSpec;
use clack_host::events::event_types::ParamValueEvent;
use clack_host::extensions::prelude::*;
use clack_host::prelude::*;
use clap_sys::ext::latency::{clap_host_latency, CLAP_EXT_LATENCY};
use clap_sys::ext::params::{
    clap_host_params, clap_param_clear_flags, clap_param_rescan_flags, CLAP_EXT_PARAMS,
};
use clap_sys::ext::state::{clap_host_state, CLAP_EXT_STATE};
use clap_sys::ext::thread_check::{clap_host_thread_check, CLAP_EXT_THREAD_CHECK};
use clap_sys::id::clap_id;
use std::cell::Cell;
use std::ffi::{CStr, CString};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

thread_local! {
    /// True while this thread is inside the plugin's `process()`: the host's answer to
    /// `thread-check`. A DAW runs `process()` on an audio thread; we run it on the test thread,
    /// so the flag is what tells nice-plug not to run main-thread work inline.
    static IN_PROCESS: Cell<bool> = const { Cell::new(false) };
}

/// Every host callback the plugin made, counted.
#[derive(Debug, Default)]
pub struct Counters {
    /// `clap_host.request_restart`.
    pub restart_requests: AtomicU32,
    /// `clap_host.request_process`.
    pub process_requests: AtomicU32,
    /// `clap_host.request_callback` not yet served by `on_main_thread`.
    pub callback_pending: AtomicBool,
    /// `clap_host_latency.changed`.
    pub latency_changed: AtomicU32,
    /// `clap_host_latency.changed` outside `clap_plugin.activate`, which the CLAP spec forbids
    /// ("The latency is only allowed to change during plugin->activate"); any such call fails
    /// the test when the instance is dropped.
    pub latency_changed_outside_activate: AtomicU32,
    /// True while the host is inside `clap_plugin.activate`.
    pub in_activate: AtomicBool,
    /// `clap_host_params.rescan`.
    pub param_rescans: AtomicU32,
    /// `clap_host_params.request_flush`.
    pub flush_requests: AtomicU32,
    /// `clap_host_state.mark_dirty`.
    pub state_dirty: AtomicU32,
    /// A main-thread-only callback arrived while the plugin was in `process()`.
    pub main_thread_violations: AtomicU32,
}

/// The host's shared (thread-safe) side.
pub struct Shared {
    /// Counters the test reads.
    counters: Arc<Counters>,
}

impl<'a> SharedHandler<'a> for Shared {
    fn request_restart(&self) {
        self.counters
            .restart_requests
            .fetch_add(1, Ordering::SeqCst);
    }

    fn request_process(&self) {
        self.counters
            .process_requests
            .fetch_add(1, Ordering::SeqCst);
    }

    fn request_callback(&self) {
        self.counters.callback_pending.store(true, Ordering::SeqCst);
    }
}

/// The host type handed to clack-host.
pub struct TestHost;

impl HostHandlers for TestHost {
    type Shared<'a> = Shared;
    type MainThread<'a> = ();
    type AudioProcessor<'a> = ();

    fn declare_extensions(builder: &mut HostExtensions<Self>, _shared: &Self::Shared<'_>) {
        builder
            .register::<HostThreadCheck>()
            .register::<HostLatency>()
            .register::<HostParams>()
            .register::<HostState>();
    }
}

fn counters_of(host: *const clap_host, f: impl FnOnce(&Counters)) {
    // SAFETY: every instance this crate creates is a `PluginInstance<TestHost>`, so `host` points
    // at a `HostWrapper<TestHost>`.
    unsafe {
        HostWrapper::<TestHost>::handle(host, |wrapper| {
            f(&wrapper.shared().counters);
            Ok(())
        });
    }
}

fn main_thread_only(counters: &Counters) {
    if IN_PROCESS.with(Cell::get) {
        counters
            .main_thread_violations
            .fetch_add(1, Ordering::SeqCst);
    }
}

/// Declares a host-side extension type for a raw `clap-sys` table.
macro_rules! host_extension {
    ($name:ident, $raw:ty, $id:expr, $table:expr) => {
        #[derive(Copy, Clone)]
        #[allow(dead_code)]
        struct $name(RawExtension<HostExtensionSide, $raw>);

        // SAFETY: `$id` is the identifier of the `$raw` table in the CLAP spec.
        unsafe impl Extension for $name {
            const IDENTIFIERS: &[&CStr] = &[$id];
            type ExtensionSide = HostExtensionSide;

            unsafe fn from_raw(raw: RawExtension<Self::ExtensionSide>) -> Self {
                // SAFETY: the caller guarantees the pointer is a `$raw`.
                Self(unsafe { raw.cast() })
            }
        }

        // SAFETY: the table is the `$raw` struct for this extension's identifier.
        unsafe impl ExtensionImplementation<TestHost> for $name {
            const IMPLEMENTATION: RawExtensionImplementation =
                RawExtensionImplementation::new(&$table);
        }
    };
}

host_extension!(
    HostThreadCheck,
    clap_host_thread_check,
    CLAP_EXT_THREAD_CHECK,
    clap_host_thread_check {
        is_main_thread: Some(is_main_thread),
        is_audio_thread: Some(is_audio_thread),
    }
);

unsafe extern "C" fn is_main_thread(_host: *const clap_host) -> bool {
    !IN_PROCESS.with(Cell::get)
}

unsafe extern "C" fn is_audio_thread(_host: *const clap_host) -> bool {
    IN_PROCESS.with(Cell::get)
}

host_extension!(
    HostLatency,
    clap_host_latency,
    CLAP_EXT_LATENCY,
    clap_host_latency {
        changed: Some(latency_changed),
    }
);

unsafe extern "C" fn latency_changed(host: *const clap_host) {
    counters_of(host, |c| {
        main_thread_only(c);
        c.latency_changed.fetch_add(1, Ordering::SeqCst);
        if !c.in_activate.load(Ordering::SeqCst) {
            c.latency_changed_outside_activate
                .fetch_add(1, Ordering::SeqCst);
        }
    });
}

host_extension!(
    HostParams,
    clap_host_params,
    CLAP_EXT_PARAMS,
    clap_host_params {
        rescan: Some(params_rescan),
        clear: Some(params_clear),
        request_flush: Some(params_request_flush),
    }
);

unsafe extern "C" fn params_rescan(host: *const clap_host, _flags: clap_param_rescan_flags) {
    counters_of(host, |c| {
        main_thread_only(c);
        c.param_rescans.fetch_add(1, Ordering::SeqCst);
    });
}

unsafe extern "C" fn params_clear(
    host: *const clap_host,
    _param_id: clap_id,
    _flags: clap_param_clear_flags,
) {
    counters_of(host, main_thread_only);
}

unsafe extern "C" fn params_request_flush(host: *const clap_host) {
    counters_of(host, |c| {
        c.flush_requests.fetch_add(1, Ordering::SeqCst);
    });
}

host_extension!(
    HostState,
    clap_host_state,
    CLAP_EXT_STATE,
    clap_host_state {
        mark_dirty: Some(state_mark_dirty),
    }
);

unsafe extern "C" fn state_mark_dirty(host: *const clap_host) {
    counters_of(host, |c| {
        main_thread_only(c);
        c.state_dirty.fetch_add(1, Ordering::SeqCst);
    });
}

/// Load a `.clap` file.
pub fn load_entry(path: &Path) -> PluginEntry {
    // SAFETY: loading a plugin runs its initialisers; these are our own bundles.
    unsafe { PluginEntry::load(path) }
        .unwrap_or_else(|e| panic!("cannot load CLAP bundle {}: {e:?}", path.display()))
}

/// Whether the factory creates (and initialises) a plugin for `id`: a conforming factory refuses
/// every ID it does not list, including a listed one with trailing characters.
pub fn can_create(entry: &PluginEntry, id: &CStr) -> bool {
    let host_info = HostInfo::new(
        "Lacquer host tests",
        "Lacquer",
        "",
        env!("CARGO_PKG_VERSION"),
    )
    .expect("valid host info");
    PluginInstance::<TestHost>::new(
        |_| Shared {
            counters: Arc::new(Counters::default()),
        },
        |_| (),
        entry,
        id,
        &host_info,
    )
    .is_ok()
}

/// A parameter change at an absolute sample position of a render.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamChange {
    /// Absolute sample index in the rendered signal.
    pub time: usize,
    /// CLAP parameter ID.
    pub id: u32,
    /// CLAP value (normalized for floats, `0..=steps` for stepped parameters).
    pub value: f64,
}

/// Sample rate and block sizes to activate with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioConfig {
    /// Sample rate in Hz.
    pub sample_rate: f64,
    /// Smallest block the host promises.
    pub min_block: u32,
    /// Largest block the host promises.
    pub max_block: u32,
}

impl AudioConfig {
    /// A typical configuration: `sample_rate`, blocks of 1 to `max_block` frames.
    pub fn new(sample_rate: f64, max_block: u32) -> Self {
        Self {
            sample_rate,
            min_block: 1,
            max_block,
        }
    }
}

/// Host-owned audio buffers for every port of the active configuration.
struct Buffers {
    /// `[port][channel][frame]`.
    inputs: Vec<Vec<Vec<f32>>>,
    /// `[port][channel][frame]`.
    outputs: Vec<Vec<Vec<f32>>>,
    /// Per input port: whether its channels are flagged constant (a disconnected sidechain).
    input_constant: Vec<bool>,
    /// clack's raw port descriptors, preallocated.
    input_ports: AudioPorts,
    /// clack's raw port descriptors, preallocated.
    output_ports: AudioPorts,
    /// Events the plugin sends back.
    output_events: EventBuffer,
}

/// One plugin instance under test.
pub struct Instance {
    /// The table line this instance was created from.
    pub spec: &'static PluginSpec,
    /// Callback counters.
    pub counters: Arc<Counters>,
    /// The audio processor while active: started (processing) or stopped.
    processor: Option<PluginAudioProcessor<TestHost>>,
    /// The configuration of the current (or last) activation.
    config: Option<AudioConfig>,
    /// Buffers, allocated at activation.
    buffers: Option<Buffers>,
    /// Steady time counter for process calls.
    steady_time: u64,
    /// Whether `process` serves a pending main-thread callback after each block (a host's
    /// event loop running between blocks); off to model a host that serves it later.
    auto_pump: bool,
    /// The instance itself; dropped after the processor.
    instance: PluginInstance<TestHost>,
}

impl Instance {
    /// Instantiate `spec`'s plugin from a loaded entry.
    pub fn new(entry: &PluginEntry, spec: &'static PluginSpec) -> Self {
        let host_info = HostInfo::new(
            "Lacquer host tests",
            "Lacquer",
            "https://codeberg.org/lacquer/lacquer",
            env!("CARGO_PKG_VERSION"),
        )
        .expect("valid host info");
        let counters = Arc::new(Counters::default());
        let shared_counters = counters.clone();
        let id = CString::new(spec.clap_id).expect("ID without NUL");
        let instance = PluginInstance::<TestHost>::new(
            move |_| Shared {
                counters: shared_counters,
            },
            |_| (),
            entry,
            &id,
            &host_info,
        )
        .unwrap_or_else(|e| panic!("{}: cannot instantiate {}: {e:?}", spec.name, spec.clap_id));
        Self {
            spec,
            counters,
            processor: None,
            config: None,
            buffers: None,
            steady_time: 0,
            auto_pump: true,
            instance,
        }
    }

    /// Raw pointer to the plugin, for extension calls.
    pub fn raw(&self) -> *const clap_sys::plugin::clap_plugin {
        self.instance.raw_instance()
    }

    /// Whether the plugin is active.
    pub fn is_active(&self) -> bool {
        self.processor.is_some()
    }

    /// The configuration of the current activation.
    pub fn config(&self) -> Option<AudioConfig> {
        self.config
    }

    /// Activate and start processing; allocates host buffers for the current port layout.
    pub fn activate(&mut self, config: AudioConfig) -> Result<(), String> {
        assert!(!self.is_active(), "activate() on an active plugin");
        let ports = crate::clap_ext::audio_ports(self);
        self.counters.in_activate.store(true, Ordering::SeqCst);
        let stopped = self.instance.activate(
            |_, _| (),
            PluginAudioConfiguration {
                sample_rate: config.sample_rate,
                min_frames_count: config.min_block,
                max_frames_count: config.max_block,
            },
        );
        self.counters.in_activate.store(false, Ordering::SeqCst);
        let stopped = stopped.map_err(|e| format!("activate({config:?}) failed: {e:?}"))?;
        let started = stopped
            .start_processing()
            .map_err(|e| format!("start_processing failed: {e:?}"))?;
        let started = PluginAudioProcessor::Started(started);
        let max = config.max_block as usize;
        let alloc = |channels: &[u32]| -> Vec<Vec<Vec<f32>>> {
            channels
                .iter()
                .map(|&c| vec![vec![0.0; max]; c as usize])
                .collect()
        };
        let total_in: u32 = ports.inputs.iter().sum();
        let total_out: u32 = ports.outputs.iter().sum();
        self.buffers = Some(Buffers {
            inputs: alloc(&ports.inputs),
            outputs: alloc(&ports.outputs),
            input_constant: (0..ports.inputs.len()).map(|p| p > 0).collect(),
            input_ports: AudioPorts::with_capacity(total_in as usize, ports.inputs.len()),
            output_ports: AudioPorts::with_capacity(total_out as usize, ports.outputs.len()),
            output_events: EventBuffer::with_capacity(256),
        });
        self.processor = Some(started);
        self.config = Some(config);
        self.steady_time = 0;
        Ok(())
    }

    /// Activate, panicking with the plugin's name on failure.
    pub fn activated(mut self, config: AudioConfig) -> Self {
        if let Err(e) = self.activate(config) {
            panic!("{}: {e}", self.spec.name);
        }
        self
    }

    /// Stop processing and deactivate.
    pub fn deactivate(&mut self) {
        if let Some(processor) = self.processor.take() {
            let stopped = processor.into_stopped();
            self.instance.deactivate(stopped);
        }
        self.buffers = None;
    }

    /// `clap_plugin.reset` while active (started or stopped).
    pub fn reset(&mut self) {
        if let Some(p) = self.processor.as_mut() {
            p.reset();
        }
    }

    /// `clap_plugin.stop_processing`, staying active (a host pausing its audio engine).
    pub fn stop_processing(&mut self) {
        let name = self.spec.name;
        let processor = self.processor.as_mut().expect("plugin is not active");
        if let Err(e) = processor.stop_processing() {
            panic!("{name}: stop_processing: {e:?}");
        }
    }

    /// `clap_plugin.start_processing` after [`Self::stop_processing`].
    pub fn start_processing(&mut self) -> Result<(), String> {
        let processor = self.processor.as_mut().expect("plugin is not active");
        processor
            .start_processing()
            .map(|_| ())
            .map_err(|e| format!("start_processing failed: {e:?}"))
    }

    /// Whether the plugin is active and processing is started.
    pub fn is_processing(&self) -> bool {
        self.processor
            .as_ref()
            .is_some_and(PluginAudioProcessor::is_started)
    }

    /// Call the plugin's raw `process()` with caller-built buffers, for layouts clack-host's safe
    /// wrappers cannot express: in-place processing (input and output channel pointers are the
    /// same memory), constant masks on inputs, output masks read back. `events` are the input
    /// events (times relative to this block). Returns the raw `clap_process_status`.
    ///
    /// # Safety
    /// Every channel pointer in `inputs` and `outputs` must point at `frames` valid samples, and
    /// the port and channel counts must match the active layout.
    pub unsafe fn process_raw(
        &mut self,
        frames: u32,
        inputs: &[clap_sys::audio_buffer::clap_audio_buffer],
        outputs: &mut [clap_sys::audio_buffer::clap_audio_buffer],
        events: &EventBuffer,
    ) -> clap_sys::process::clap_process_status {
        assert!(self.is_processing(), "process_raw() needs a started plugin");
        let buffers = self.buffers.as_mut().expect("plugin is not active");
        buffers.output_events.clear();
        let input_events = events.as_input();
        let mut output_events = buffers.output_events.as_output();
        let process = clap_sys::process::clap_process {
            steady_time: self.steady_time as i64,
            frames_count: frames,
            transport: std::ptr::null(),
            audio_inputs: inputs.as_ptr(),
            audio_outputs: outputs.as_mut_ptr(),
            audio_inputs_count: inputs.len() as u32,
            audio_outputs_count: outputs.len() as u32,
            in_events: input_events.as_raw(),
            out_events: output_events.as_raw(),
        };
        let plugin = self.instance.raw_instance();
        IN_PROCESS.with(|f| f.set(true));
        // SAFETY: the plugin is started; the caller guarantees the buffers (see above).
        let status = unsafe { plugin.process.expect("clap_plugin.process")(plugin, &process) };
        IN_PROCESS.with(|f| f.set(false));
        self.steady_time += u64::from(frames);
        self.pump_main_thread();
        status
    }

    /// Whether [`Self::process`] serves pending main-thread callbacks after each block (default
    /// on). Off models a host whose main thread gets to them later, e.g. after a deactivation.
    pub fn set_auto_pump(&mut self, on: bool) {
        self.auto_pump = on;
    }

    /// Serve a pending `request_callback` by calling `on_main_thread`, as a host's event loop
    /// would between audio blocks.
    pub fn pump_main_thread(&mut self) {
        if self.counters.callback_pending.swap(false, Ordering::SeqCst) {
            self.instance.call_on_main_thread_callback();
        }
    }

    /// Channel counts of the input ports of the active layout.
    pub fn input_channels(&self) -> Vec<usize> {
        self.buffers().inputs.iter().map(Vec::len).collect()
    }

    /// Channel counts of the output ports of the active layout.
    pub fn output_channels(&self) -> Vec<usize> {
        self.buffers().outputs.iter().map(Vec::len).collect()
    }

    fn buffers(&self) -> &Buffers {
        self.buffers.as_ref().expect("plugin is not active")
    }

    /// Input buffer of `port`/`channel` (max block long) to fill before [`Self::process`].
    pub fn input_mut(&mut self, port: usize, channel: usize) -> &mut [f32] {
        &mut self.buffers.as_mut().expect("plugin is not active").inputs[port][channel]
    }

    /// Mark an input port as connected (variable data) or disconnected (constant zeros).
    /// Ports other than the main input start disconnected.
    pub fn set_input_connected(&mut self, port: usize, connected: bool) {
        self.buffers
            .as_mut()
            .expect("plugin is not active")
            .input_constant[port] = !connected;
    }

    /// Output buffer of `port`/`channel` after [`Self::process`].
    pub fn output(&self, port: usize, channel: usize) -> &[f32] {
        &self.buffers().outputs[port][channel]
    }

    /// Process `frames` frames from the input buffers into the output buffers, with `events`
    /// (times relative to this block). Panics (naming the plugin) if the plugin reports an error.
    pub fn process(&mut self, frames: usize, events: &EventBuffer) -> ProcessStatus {
        let name = self.spec.name;
        let buffers = self.buffers.as_mut().expect("plugin is not active");
        let processor = match self
            .processor
            .as_mut()
            .map(PluginAudioProcessor::as_started_mut)
        {
            Some(Ok(started)) => started,
            Some(Err(_)) => panic!("{name}: process() while processing is stopped"),
            None => panic!("{name}: process() on an inactive plugin"),
        };
        assert!(frames >= 1, "zero-length block");
        assert!(frames <= buffers.outputs.first().map_or(usize::MAX, |p| p[0].len()));
        for (port, constant) in buffers.inputs.iter_mut().zip(&buffers.input_constant) {
            if *constant {
                for channel in port.iter_mut() {
                    channel[..frames].fill(0.0);
                }
            }
        }
        buffers.output_events.clear();
        let input_constant = &buffers.input_constant;
        let inputs = buffers.input_ports.with_input_buffers(
            buffers
                .inputs
                .iter_mut()
                .zip(input_constant)
                .map(|(port, &constant)| AudioPortBuffer {
                    latency: 0,
                    channels: AudioPortBufferType::f32_input_only(
                        port.iter_mut()
                            .map(move |c| InputChannel::from_buffer(&mut c[..frames], constant)),
                    ),
                }),
        );
        let mut outputs = buffers
            .output_ports
            .with_output_buffers(buffers.outputs.iter_mut().map(|port| AudioPortBuffer {
                latency: 0,
                channels: AudioPortBufferType::f32_output_only(
                    port.iter_mut().map(|c| &mut c[..frames]),
                ),
            }));
        let input_events = events.as_input();
        let mut output_events = buffers.output_events.as_output();
        IN_PROCESS.with(|f| f.set(true));
        let status = processor.process(
            &inputs,
            &mut outputs,
            &input_events,
            &mut output_events,
            Some(self.steady_time),
            None,
        );
        IN_PROCESS.with(|f| f.set(false));
        self.steady_time += frames as u64;
        let status = status.unwrap_or_else(|e| panic!("{name}: process() failed: {e:?}"));
        if self.auto_pump {
            self.pump_main_thread();
        }
        status
    }

    /// Render a whole signal: split `input` (main input channels) into blocks whose sizes
    /// `next_block` chooses, deliver `changes` at their sample offsets, and return the main
    /// output channels. `sidechain`, when given, feeds input port 1.
    pub fn render(
        &mut self,
        input: &[Vec<f32>],
        sidechain: Option<&[Vec<f32>]>,
        changes: &[ParamChange],
        mut next_block: impl FnMut() -> usize,
    ) -> Vec<Vec<f32>> {
        let len = input.first().map_or(0, Vec::len);
        let max_block = self.config.expect("plugin is not active").max_block as usize;
        let in_channels = self.input_channels();
        let out_channels = self.output_channels()[0];
        let mut out = vec![Vec::with_capacity(len); out_channels];
        let mut changes: Vec<ParamChange> = changes.to_vec();
        changes.sort_by_key(|c| c.time);
        let mut next_change = 0;
        let mut events = EventBuffer::with_capacity(changes.len().max(1));
        if sidechain.is_some() {
            self.set_input_connected(1, true);
        }
        let mut pos = 0;
        while pos < len {
            let n = next_block().clamp(1, max_block).min(len - pos);
            if in_channels.first().copied().unwrap_or(0) > 0 {
                for (c, channel) in input.iter().enumerate().take(in_channels[0]) {
                    self.input_mut(0, c)[..n].copy_from_slice(&channel[pos..pos + n]);
                }
            }
            if let Some(sc) = sidechain {
                for (c, channel) in sc.iter().enumerate().take(in_channels[1]) {
                    self.input_mut(1, c)[..n].copy_from_slice(&channel[pos..pos + n]);
                }
            }
            events.clear();
            while next_change < changes.len() && changes[next_change].time < pos + n {
                let change = changes[next_change];
                let time = change.time.max(pos) - pos;
                events.push(&ParamValueEvent::new(
                    time as u32,
                    ClapId::new(change.id),
                    Pckn::match_all(),
                    change.value,
                ));
                next_change += 1;
            }
            self.process(n, &events);
            for (c, channel) in out.iter_mut().enumerate() {
                channel.extend_from_slice(&self.output(0, c)[..n]);
            }
            pos += n;
        }
        out
    }

    /// Render `input` through the main ports with the host passing ONLY the main input port
    /// (`audio_inputs_count == 1`) although the plugin declares aux inputs: a host that leaves
    /// the sidechain out. The host's port array still holds a port right after the main one,
    /// full of [`POISON`], so a plugin (or wrapper) reading past `audio_inputs_count` hears it.
    /// With `fewer_outputs`, output ports past the main one are left out the same way (their
    /// poisoned storage must come back untouched). Blocks of `block` frames; no events.
    pub fn render_without_aux_ports(
        &mut self,
        input: &[Vec<f32>],
        fewer_outputs: bool,
        block: usize,
    ) -> Vec<Vec<f32>> {
        let name = self.spec.name;
        let len = input.first().map_or(0, Vec::len);
        let in_channels = self.input_channels();
        let out_channels = self.output_channels();
        let mut out = vec![Vec::with_capacity(len); out_channels[0]];
        // Port 0 is the real main port; every port behind it is poison, in and out.
        let mut ins: Vec<Vec<Vec<f32>>> = in_channels
            .iter()
            .map(|&c| vec![vec![POISON; block]; c.max(1)])
            .collect();
        ins.push(vec![vec![POISON; block]; 2]);
        let mut outs: Vec<Vec<Vec<f32>>> = out_channels
            .iter()
            .map(|&c| vec![vec![POISON; block]; c.max(1)])
            .collect();
        outs.push(vec![vec![POISON; block]; 2]);
        let out_count = if fewer_outputs { 1 } else { out_channels.len() };
        let events = EventBuffer::new();
        let mut pos = 0;
        while pos < len {
            let n = block.min(len - pos);
            for (buf, ch) in ins[0].iter_mut().zip(input) {
                buf[..n].copy_from_slice(&ch[pos..pos + n]);
            }
            let in_ptrs: Vec<Vec<*mut f32>> = ins
                .iter_mut()
                .map(|port| port.iter_mut().map(|c| c.as_mut_ptr()).collect())
                .collect();
            let out_ptrs: Vec<Vec<*mut f32>> = outs
                .iter_mut()
                .map(|port| port.iter_mut().map(|c| c.as_mut_ptr()).collect())
                .collect();
            let raw = |ptrs: &Vec<*mut f32>| clap_sys::audio_buffer::clap_audio_buffer {
                data32: ptrs.as_ptr().cast_mut(),
                data64: std::ptr::null_mut(),
                channel_count: ptrs.len() as u32,
                latency: 0,
                constant_mask: 0,
            };
            let inputs: Vec<_> = in_ptrs.iter().map(raw).collect();
            let mut outputs: Vec<_> = out_ptrs.iter().map(raw).collect();
            // SAFETY: every pointer points at `block >= n` samples of storage that outlives the
            // call; the counts passed (1 input port, 1 or all output ports) are within the
            // arrays, whose further entries are valid poisoned ports.
            let status = unsafe {
                self.process_raw(n as u32, &inputs[..1], &mut outputs[..out_count], &events)
            };
            assert_ne!(
                status,
                clap_sys::process::CLAP_PROCESS_ERROR,
                "{name}: process error with the aux ports left out"
            );
            for (o, b) in out.iter_mut().zip(&outs[0]) {
                o.extend_from_slice(&b[..n]);
            }
            pos += n;
        }
        for (p, port) in outs.iter().enumerate().skip(out_count) {
            for (c, channel) in port.iter().enumerate() {
                assert!(
                    channel.iter().all(|&x| x == POISON),
                    "{name}: output port {p} channel {c} was written although the host passed \
                     only {out_count} output port(s)"
                );
            }
        }
        out
    }
}

/// The value that fills every host port a plugin must not touch (see
/// [`Instance::render_without_aux_ports`]): loud, finite, and never produced by a test signal.
pub const POISON: f32 = 1000.0;

impl Drop for Instance {
    /// Deactivates, then checks the CLAP latency rule for every instance of every test: a
    /// plugin may call `clap_host_latency.changed()` only from inside `activate` (it asks for a
    /// restart when active). Skipped while already panicking, so the first failure is reported.
    fn drop(&mut self) {
        self.deactivate();
        let outside = self
            .counters
            .latency_changed_outside_activate
            .load(Ordering::SeqCst);
        if outside > 0 && !std::thread::panicking() {
            panic!(
                "{}: clap_host_latency.changed() called {outside} time(s) outside \
                 clap_plugin.activate (the CLAP spec allows it only there)",
                self.spec.name
            );
        }
    }
}
