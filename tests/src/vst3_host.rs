//! A minimal VST3 host on the `vst3` crate's COM bindings: dlopen the bundle's shared object,
//! `ModuleEntry` + `GetPluginFactory`, enumerate classes, create the component, set it up,
//! process audio on the main bus, and move state through an `IBStream` implemented here.

use crate::plugins::PluginSpec;
use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::path::Path;
use vst3::Steinberg::Vst::{
    AudioBusBuffers, AudioBusBuffers__type0, BusDirections_, BusInfo, IAudioProcessor,
    IAudioProcessorTrait, IComponent, IComponentTrait, IEditController, IEditControllerTrait,
    MediaTypes_, ParameterInfo, ProcessData, ProcessModes_, ProcessSetup, SpeakerArrangement,
    SymbolicSampleSizes_,
};
use vst3::Steinberg::{
    int32, int64, kInvalidArgument, kResultFalse, kResultOk, tresult, IBStream, IBStreamTrait,
    IPluginBaseTrait, IPluginFactory, IPluginFactoryTrait, PClassInfo,
};
use vst3::{Class, ComPtr, ComWrapper, Interface};

/// `SpeakerArr::kMono`: one centre speaker.
pub const MONO: SpeakerArrangement = 1 << 19;
/// `SpeakerArr::kStereo`: left and right.
pub const STEREO: SpeakerArrangement = 0b11;

/// An in-memory `IBStream` (what a host hands the plugin to save or restore a project).
pub struct MemoryStream {
    /// The bytes.
    data: RefCell<Vec<u8>>,
    /// Read/write position.
    pos: Cell<usize>,
    /// Largest read the stream serves at once (hosts may return short reads).
    max_read: usize,
}

impl MemoryStream {
    /// A stream over `data`, positioned at the start.
    pub fn new(data: Vec<u8>, max_read: usize) -> ComWrapper<Self> {
        ComWrapper::new(Self {
            data: RefCell::new(data),
            pos: Cell::new(0),
            max_read,
        })
    }

    /// The bytes written so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.data.borrow().clone()
    }
}

impl Class for MemoryStream {
    type Interfaces = (IBStream,);
}

impl IBStreamTrait for MemoryStream {
    unsafe fn read(&self, buffer: *mut c_void, num_bytes: int32, num_read: *mut int32) -> tresult {
        if buffer.is_null() || num_bytes < 0 {
            return kInvalidArgument;
        }
        let data = self.data.borrow();
        let pos = self.pos.get().min(data.len());
        let n = (num_bytes as usize)
            .min(data.len() - pos)
            .min(self.max_read);
        // SAFETY: the caller provides `num_bytes` writable bytes at `buffer`.
        unsafe { std::ptr::copy_nonoverlapping(data[pos..].as_ptr(), buffer.cast(), n) };
        self.pos.set(pos + n);
        if !num_read.is_null() {
            // SAFETY: non-null out pointer from the caller.
            unsafe { *num_read = n as int32 };
        }
        kResultOk
    }

    unsafe fn write(
        &self,
        buffer: *mut c_void,
        num_bytes: int32,
        num_written: *mut int32,
    ) -> tresult {
        if buffer.is_null() || num_bytes < 0 {
            return kInvalidArgument;
        }
        // SAFETY: the caller provides `num_bytes` readable bytes at `buffer`.
        let src = unsafe { std::slice::from_raw_parts(buffer.cast::<u8>(), num_bytes as usize) };
        let mut data = self.data.borrow_mut();
        let pos = self.pos.get();
        if data.len() < pos + src.len() {
            data.resize(pos + src.len(), 0);
        }
        data[pos..pos + src.len()].copy_from_slice(src);
        self.pos.set(pos + src.len());
        if !num_written.is_null() {
            // SAFETY: non-null out pointer from the caller.
            unsafe { *num_written = num_bytes };
        }
        kResultOk
    }

    unsafe fn seek(&self, pos: int64, mode: int32, result: *mut int64) -> tresult {
        let len = self.data.borrow().len() as i64;
        let base = match mode {
            0 => 0,                     // kIBSeekSet
            1 => self.pos.get() as i64, // kIBSeekCur
            2 => len,                   // kIBSeekEnd
            _ => return kInvalidArgument,
        };
        let new = base + pos;
        if new < 0 {
            return kResultFalse;
        }
        self.pos.set(new as usize);
        if !result.is_null() {
            // SAFETY: non-null out pointer from the caller.
            unsafe { *result = new };
        }
        kResultOk
    }

    unsafe fn tell(&self, pos: *mut int64) -> tresult {
        if pos.is_null() {
            return kInvalidArgument;
        }
        // SAFETY: non-null out pointer from the caller.
        unsafe { *pos = self.pos.get() as int64 };
        kResultOk
    }
}

/// A loaded VST3 module: the library and its factory. `ModuleExit` runs on drop.
pub struct Module {
    /// The factory (released before the library unloads).
    factory: Option<ComPtr<IPluginFactory>>,
    /// The library; kept loaded while any object from it lives.
    library: libloading::Library,
}

/// One class the factory offers.
#[derive(Debug, Clone)]
pub struct ClassInfo {
    /// Class ID.
    pub cid: [u8; 16],
    /// Category, e.g. "Audio Module Class".
    pub category: String,
    /// Display name.
    pub name: String,
}

fn c_chars(s: &[std::ffi::c_char]) -> String {
    let bytes: Vec<u8> = s
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn utf16(s: &[u16]) -> String {
    let end = s.iter().position(|&c| c == 0).unwrap_or(s.len());
    String::from_utf16_lossy(&s[..end])
}

impl Module {
    /// dlopen the shared object, call `ModuleEntry` and `GetPluginFactory`.
    pub fn load(path: &Path) -> Self {
        // SAFETY: loading our own plugin bundle runs its initialisers.
        let library = unsafe { libloading::Library::new(path) }
            .unwrap_or_else(|e| panic!("dlopen {}: {e}", path.display()));
        // SAFETY: symbol types per the VST3 SDK's Linux entry points.
        unsafe {
            let entry: libloading::Symbol<unsafe extern "C" fn(*mut c_void) -> bool> =
                library.get(b"ModuleEntry\0").expect("ModuleEntry exported");
            assert!(entry(std::ptr::null_mut()), "ModuleEntry returned false");
            let get_factory: libloading::Symbol<unsafe extern "system" fn() -> *mut c_void> =
                library
                    .get(b"GetPluginFactory\0")
                    .expect("GetPluginFactory exported");
            let factory = ComPtr::from_raw(get_factory().cast::<IPluginFactory>())
                .expect("GetPluginFactory returned null");
            Self {
                factory: Some(factory),
                library,
            }
        }
    }

    fn factory(&self) -> &ComPtr<IPluginFactory> {
        self.factory.as_ref().expect("factory")
    }

    /// Every class in the factory.
    pub fn classes(&self) -> Vec<ClassInfo> {
        let factory = self.factory();
        // SAFETY: COM calls on a live factory with valid out pointers.
        unsafe {
            (0..factory.countClasses())
                .map(|i| {
                    let mut info: PClassInfo = std::mem::zeroed();
                    assert_eq!(factory.getClassInfo(i, &mut info), kResultOk);
                    ClassInfo {
                        cid: info.cid.map(|c| c as u8),
                        category: c_chars(&info.category),
                        name: c_chars(&info.name),
                    }
                })
                .collect()
        }
    }

    /// Create and initialise the component of class `cid`.
    pub fn create(&self, spec: &'static PluginSpec) -> Component {
        let cid = spec.vst3_class_id;
        let mut obj: *mut c_void = std::ptr::null_mut();
        // SAFETY: COM call with the class ID and interface ID as 16-byte TUIDs.
        let result = unsafe {
            self.factory().createInstance(
                cid.as_ptr().cast(),
                IComponent::IID.as_ptr().cast(),
                &mut obj,
            )
        };
        assert_eq!(result, kResultOk, "{}: createInstance", spec.name);
        // SAFETY: createInstance returned an owned IComponent reference.
        let component = unsafe { ComPtr::from_raw(obj.cast::<IComponent>()) }
            .unwrap_or_else(|| panic!("{}: createInstance gave null", spec.name));
        // SAFETY: a host may pass a null context; nice-plug ignores it.
        let r = unsafe { component.initialize(std::ptr::null_mut()) };
        assert_eq!(r, kResultOk, "{}: initialize", spec.name);
        let processor = component
            .cast::<IAudioProcessor>()
            .unwrap_or_else(|| panic!("{}: no IAudioProcessor", spec.name));
        let controller = component.cast::<IEditController>();
        Component {
            spec,
            component,
            processor,
            controller,
            active: false,
        }
    }
}

impl Drop for Module {
    fn drop(&mut self) {
        self.factory = None;
        // SAFETY: the symbol type per the VST3 SDK; every object of the module is gone.
        unsafe {
            if let Ok(exit) = self
                .library
                .get::<unsafe extern "C" fn() -> bool>(b"ModuleExit\0")
            {
                exit();
            }
        }
    }
}

/// One component (nice-plug's single-component plugins are processor and controller in one).
pub struct Component {
    /// The table line.
    pub spec: &'static PluginSpec,
    /// `IComponent`.
    pub component: ComPtr<IComponent>,
    /// `IAudioProcessor`.
    pub processor: ComPtr<IAudioProcessor>,
    /// `IEditController`, when the component is also its controller.
    pub controller: Option<ComPtr<IEditController>>,
    /// Whether setActive(true) + setProcessing(true) are in effect.
    active: bool,
}

/// One bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bus {
    /// Channel count.
    pub channels: i32,
    /// Name.
    pub name: String,
    /// 0 = main, 1 = aux.
    pub bus_type: i32,
}

impl Component {
    /// Audio buses in one direction.
    pub fn buses(&self, input: bool) -> Vec<Bus> {
        let dir = if input {
            BusDirections_::kInput
        } else {
            BusDirections_::kOutput
        } as i32;
        let audio = MediaTypes_::kAudio as i32;
        // SAFETY: COM calls with valid out pointers.
        unsafe {
            (0..self.component.getBusCount(audio, dir))
                .map(|i| {
                    let mut info: BusInfo = std::mem::zeroed();
                    assert_eq!(
                        self.component.getBusInfo(audio, dir, i, &mut info),
                        kResultOk
                    );
                    Bus {
                        channels: info.channelCount,
                        name: utf16(&info.name),
                        bus_type: info.busType,
                    }
                })
                .collect()
        }
    }

    /// Set bus arrangements, set up processing and activate.
    pub fn activate(
        &mut self,
        inputs: &[SpeakerArrangement],
        outputs: &[SpeakerArrangement],
        rate: f64,
        max_block: i32,
    ) {
        let mut ins = inputs.to_vec();
        let mut outs = outputs.to_vec();
        // SAFETY: COM calls with valid pointers and lengths.
        unsafe {
            let r = self.processor.setBusArrangements(
                ins.as_mut_ptr(),
                ins.len() as i32,
                outs.as_mut_ptr(),
                outs.len() as i32,
            );
            assert_eq!(r, kResultOk, "{}: setBusArrangements", self.spec.name);
            assert_eq!(
                self.processor
                    .canProcessSampleSize(SymbolicSampleSizes_::kSample32 as i32),
                kResultOk
            );
            let mut setup = ProcessSetup {
                processMode: ProcessModes_::kRealtime as i32,
                symbolicSampleSize: SymbolicSampleSizes_::kSample32 as i32,
                maxSamplesPerBlock: max_block,
                sampleRate: rate,
            };
            assert_eq!(self.processor.setupProcessing(&mut setup), kResultOk);
            assert_eq!(
                self.component.setActive(1),
                kResultOk,
                "{}: setActive",
                self.spec.name
            );
            // Some plugins return kNotImplemented here; nice-plug returns kResultOk.
            self.processor.setProcessing(1);
        }
        self.active = true;
    }

    /// Stop processing and deactivate.
    pub fn deactivate(&mut self) {
        if self.active {
            // SAFETY: plain COM calls.
            unsafe {
                self.processor.setProcessing(0);
                self.component.setActive(0);
            }
            self.active = false;
        }
    }

    /// Process the main bus in blocks of `block` frames; returns the main output.
    /// `aux_inputs` extra input buses are fed silence (a disconnected sidechain).
    pub fn render(
        &mut self,
        input: &[Vec<f32>],
        out_channels: usize,
        aux_inputs: &[usize],
        block: usize,
    ) -> Vec<Vec<f32>> {
        let len = input.first().map_or(0, Vec::len);
        let mut out = vec![Vec::with_capacity(len); out_channels];
        let mut in_bufs: Vec<Vec<f32>> = input.iter().map(|_| vec![0.0; block]).collect();
        let mut aux_bufs: Vec<Vec<Vec<f32>>> = aux_inputs
            .iter()
            .map(|&c| vec![vec![0.0; block]; c])
            .collect();
        let mut out_bufs = vec![vec![0.0f32; block]; out_channels];
        let mut pos = 0;
        while pos < len {
            let n = block.min(len - pos);
            for (buf, ch) in in_bufs.iter_mut().zip(input) {
                buf[..n].copy_from_slice(&ch[pos..pos + n]);
            }
            let mut in_ptrs: Vec<*mut f32> = in_bufs.iter_mut().map(|b| b.as_mut_ptr()).collect();
            let mut aux_ptrs: Vec<Vec<*mut f32>> = aux_bufs
                .iter_mut()
                .map(|bus| bus.iter_mut().map(|b| b.as_mut_ptr()).collect())
                .collect();
            let mut out_ptrs: Vec<*mut f32> = out_bufs.iter_mut().map(|b| b.as_mut_ptr()).collect();
            let mut inputs = vec![AudioBusBuffers {
                numChannels: in_ptrs.len() as i32,
                silenceFlags: 0,
                __field0: AudioBusBuffers__type0 {
                    channelBuffers32: in_ptrs.as_mut_ptr(),
                },
            }];
            for ptrs in &mut aux_ptrs {
                inputs.push(AudioBusBuffers {
                    numChannels: ptrs.len() as i32,
                    silenceFlags: (1u64 << ptrs.len()) - 1,
                    __field0: AudioBusBuffers__type0 {
                        channelBuffers32: ptrs.as_mut_ptr(),
                    },
                });
            }
            let mut outputs = AudioBusBuffers {
                numChannels: out_ptrs.len() as i32,
                silenceFlags: 0,
                __field0: AudioBusBuffers__type0 {
                    channelBuffers32: out_ptrs.as_mut_ptr(),
                },
            };
            let mut data = ProcessData {
                processMode: ProcessModes_::kRealtime as i32,
                symbolicSampleSize: SymbolicSampleSizes_::kSample32 as i32,
                numSamples: n as i32,
                numInputs: inputs.len() as i32,
                numOutputs: 1,
                inputs: inputs.as_mut_ptr(),
                outputs: &mut outputs,
                inputParameterChanges: std::ptr::null_mut(),
                outputParameterChanges: std::ptr::null_mut(),
                inputEvents: std::ptr::null_mut(),
                outputEvents: std::ptr::null_mut(),
                processContext: std::ptr::null_mut(),
            };
            // SAFETY: every pointer in `data` points at live buffers of `n` frames.
            let r = unsafe { self.processor.process(&mut data) };
            assert_eq!(r, kResultOk, "{}: process", self.spec.name);
            for (o, b) in out.iter_mut().zip(&out_bufs) {
                o.extend_from_slice(&b[..n]);
            }
            pos += n;
        }
        out
    }

    /// `IComponent::getState`.
    pub fn get_state(&self) -> Option<Vec<u8>> {
        let stream = MemoryStream::new(Vec::new(), usize::MAX);
        let ptr = stream.to_com_ptr::<IBStream>().expect("IBStream");
        // SAFETY: a live stream object.
        let r = unsafe { self.component.getState(ptr.as_ptr()) };
        (r == kResultOk).then(|| stream.bytes())
    }

    /// `IComponent::setState`, served in reads of at most `max_read` bytes.
    pub fn set_state(&self, bytes: &[u8], max_read: usize) -> bool {
        let stream = MemoryStream::new(bytes.to_vec(), max_read);
        let ptr = stream.to_com_ptr::<IBStream>().expect("IBStream");
        // SAFETY: a live stream object.
        let r = unsafe { self.component.setState(ptr.as_ptr()) };
        r == kResultOk
    }

    /// Parameter IDs and titles from the controller.
    pub fn params(&self) -> Vec<(u32, String, i32)> {
        let Some(controller) = &self.controller else {
            return Vec::new();
        };
        // SAFETY: COM calls with valid out pointers.
        unsafe {
            (0..controller.getParameterCount())
                .map(|i| {
                    let mut info: ParameterInfo = std::mem::zeroed();
                    assert_eq!(controller.getParameterInfo(i, &mut info), kResultOk);
                    (info.id, utf16(&info.title), info.stepCount)
                })
                .collect()
        }
    }

    /// A parameter's normalized value from the controller.
    pub fn param_normalized(&self, id: u32) -> f64 {
        let controller = self.controller.as_ref().expect("controller");
        // SAFETY: plain COM call.
        unsafe { controller.getParamNormalized(id) }
    }

    /// `IAudioProcessor::getLatencySamples`.
    pub fn latency(&self) -> u32 {
        // SAFETY: plain COM call.
        unsafe { self.processor.getLatencySamples() }
    }
}

impl Drop for Component {
    fn drop(&mut self) {
        self.deactivate();
        // SAFETY: plain COM call; the objects are released afterwards.
        unsafe {
            self.component.terminate();
        }
    }
}

/// The category every audio effect class carries.
pub const AUDIO_MODULE_CLASS: &str = "Audio Module Class";

/// Display helper for class IDs in messages.
pub fn cid_text(cid: &[u8; 16]) -> String {
    String::from_utf8_lossy(cid).into_owned()
}
