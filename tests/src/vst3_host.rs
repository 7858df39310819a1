//! A minimal VST3 host on the `vst3` crate's COM bindings: dlopen the bundle's shared object,
//! `ModuleEntry` + `GetPluginFactory`, enumerate classes, create the component, set it up,
//! process audio on the main bus, and move state through an `IBStream` implemented here.

use crate::bundle;
use crate::clap_host::{load_entry, AudioConfig, ParamChange};
use crate::harness::instance;
use crate::isolate::step;
use crate::plugins::{Kind, ParamSpec, PluginSpec};
use crate::signal::c_string;
use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread::ThreadId;
use vst3::Steinberg::Linux::{
    FileDescriptor, IEventHandler, IEventHandlerTrait, IRunLoop, IRunLoopTrait, ITimerHandler,
    TimerInterval,
};
use vst3::Steinberg::Vst::{
    AudioBusBuffers, AudioBusBuffers__type0, BusDirections_, BusInfo, IAudioProcessor,
    IAudioProcessorTrait, IComponent, IComponentHandler, IComponentHandlerTrait, IComponentTrait,
    IEditController, IEditControllerTrait, IParamValueQueue, IParamValueQueueTrait,
    IParameterChanges, IParameterChangesTrait, MediaTypes_, ParamID, ParamValue, ParameterInfo,
    ProcessData, ProcessModes_, ProcessSetup, SpeakerArrangement, String128, SymbolicSampleSizes_,
};
use vst3::Steinberg::Vst::{IHostApplication, IHostApplicationTrait};
use vst3::Steinberg::{
    int32, int64, kInvalidArgument, kNotImplemented, kResultFalse, kResultOk, tresult, FUnknown,
    IBStream, IBStreamTrait, IPluginBaseTrait, IPluginFactory, IPluginFactory3,
    IPluginFactory3Trait, IPluginFactoryTrait, PClassInfo, TUID,
};
use vst3::{Class, ComPtr, ComWrapper, Interface};

/// `SpeakerArr::kMono`: one centre speaker.
pub const MONO: SpeakerArrangement = 1 << 19;
/// `SpeakerArr::kStereo`: left and right.
pub const STEREO: SpeakerArrangement = 0b11;
/// `SpeakerArr::k50`: L R C Ls Rs.
pub const SURROUND_5_0: SpeakerArrangement = 0b11_0111;
/// `SpeakerArr::k51`: L R C LFE Ls Rs.
pub const SURROUND_5_1: SpeakerArrangement = 0b11_1111;

/// An in-memory `IBStream` (what a host hands the plugin to save or restore a project).
pub struct MemoryStream {
    /// The bytes.
    data: RefCell<Vec<u8>>,
    /// Read/write position.
    pos: Cell<usize>,
    /// Largest read the stream serves at once (hosts may return short reads).
    max_read: usize,
    /// Largest write the stream accepts at once (hosts may accept short writes).
    max_write: usize,
}

impl MemoryStream {
    /// A stream over `data`, positioned at the start.
    pub fn new(data: Vec<u8>, max_read: usize) -> ComWrapper<Self> {
        Self::chunked(data, max_read, usize::MAX)
    }

    /// A stream over `data` that serves at most `max_read` bytes per `read()` and accepts at
    /// most `max_write` bytes per `write()`, as a host streaming state in chunks does.
    pub fn chunked(data: Vec<u8>, max_read: usize, max_write: usize) -> ComWrapper<Self> {
        ComWrapper::new(Self {
            data: RefCell::new(data),
            pos: Cell::new(0),
            max_read,
            max_write,
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
        let n = (num_bytes as usize).min(self.max_write);
        // SAFETY: the caller provides `num_bytes` (>= `n`) readable bytes at `buffer`.
        let src = unsafe { std::slice::from_raw_parts(buffer.cast::<u8>(), n) };
        let mut data = self.data.borrow_mut();
        let pos = self.pos.get();
        if data.len() < pos + src.len() {
            data.resize(pos + src.len(), 0);
        }
        data[pos..pos + src.len()].copy_from_slice(src);
        self.pos.set(pos + src.len());
        if !num_written.is_null() {
            // SAFETY: non-null out pointer from the caller.
            unsafe { *num_written = n as int32 };
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

/// One parameter's automation points within one block: the host side of `IParamValueQueue`.
/// The plugin only reads it, so nothing is allocated on its side.
pub struct ParamQueue {
    /// The parameter's ID (nice-plug's hash of the string ID, as in CLAP).
    id: ParamID,
    /// `(sample offset, normalized value)`, ascending offsets.
    points: RefCell<Vec<(int32, ParamValue)>>,
}

impl Class for ParamQueue {
    type Interfaces = (IParamValueQueue,);
}

impl IParamValueQueueTrait for ParamQueue {
    unsafe fn getParameterId(&self) -> ParamID {
        self.id
    }

    unsafe fn getPointCount(&self) -> int32 {
        self.points.borrow().len() as int32
    }

    unsafe fn getPoint(
        &self,
        index: int32,
        sample_offset: *mut int32,
        value: *mut ParamValue,
    ) -> tresult {
        let points = self.points.borrow();
        let Some(&(offset, v)) = usize::try_from(index).ok().and_then(|i| points.get(i)) else {
            return kInvalidArgument;
        };
        if sample_offset.is_null() || value.is_null() {
            return kInvalidArgument;
        }
        // SAFETY: non-null out pointers from the caller.
        unsafe {
            *sample_offset = offset;
            *value = v;
        }
        kResultOk
    }

    unsafe fn addPoint(
        &self,
        sample_offset: int32,
        value: ParamValue,
        index: *mut int32,
    ) -> tresult {
        let mut points = self.points.borrow_mut();
        let at = points.partition_point(|&(o, _)| o <= sample_offset);
        points.insert(at, (sample_offset, value));
        if !index.is_null() {
            // SAFETY: non-null out pointer from the caller.
            unsafe { *index = at as int32 };
        }
        kResultOk
    }
}

/// The parameter changes of one process call: the host side of `IParameterChanges`.
pub struct ParamChanges {
    /// One queue per parameter that changes in this block, in the order they were added.
    queues: RefCell<Vec<ComWrapper<ParamQueue>>>,
}

impl Class for ParamChanges {
    type Interfaces = (IParameterChanges,);
}

impl ParamChanges {
    /// Changes from `(sample offset, parameter ID, normalized value)` points; each parameter gets
    /// one queue holding its points in time order.
    pub fn new(points: &[(i32, u32, f64)]) -> ComWrapper<Self> {
        let changes = ComWrapper::new(Self {
            queues: RefCell::new(Vec::new()),
        });
        for &(offset, id, value) in points {
            changes.queue(id).points.borrow_mut().push((offset, value));
        }
        for queue in changes.queues.borrow().iter() {
            queue.points.borrow_mut().sort_by_key(|&(o, _)| o);
        }
        changes
    }

    /// The queue of `id`, created when missing; returns its index.
    fn queue_index(&self, id: ParamID) -> usize {
        let mut queues = self.queues.borrow_mut();
        if let Some(i) = queues.iter().position(|q| q.id == id) {
            return i;
        }
        queues.push(ComWrapper::new(ParamQueue {
            id,
            points: RefCell::new(Vec::new()),
        }));
        queues.len() - 1
    }

    fn queue(&self, id: ParamID) -> ComWrapper<ParamQueue> {
        let i = self.queue_index(id);
        self.queues.borrow()[i].clone()
    }
}

impl IParameterChangesTrait for ParamChanges {
    unsafe fn getParameterCount(&self) -> int32 {
        self.queues.borrow().len() as int32
    }

    unsafe fn getParameterData(&self, index: int32) -> *mut IParamValueQueue {
        let queues = self.queues.borrow();
        match usize::try_from(index).ok().and_then(|i| queues.get(i)) {
            // Not add-ref'd, as in the SDK's ParameterChanges: the queue lives as long as `self`.
            Some(q) => q
                .as_com_ref::<IParamValueQueue>()
                .expect("IParamValueQueue")
                .as_ptr(),
            None => std::ptr::null_mut(),
        }
    }

    unsafe fn addParameterData(
        &self,
        id: *const ParamID,
        index: *mut int32,
    ) -> *mut IParamValueQueue {
        if id.is_null() {
            return std::ptr::null_mut();
        }
        // SAFETY: non-null pointer from the caller.
        let i = self.queue_index(unsafe { *id });
        if !index.is_null() {
            // SAFETY: non-null out pointer from the caller.
            unsafe { *index = i as int32 };
        }
        // SAFETY: `i` is in range.
        unsafe { self.getParameterData(i as int32) }
    }
}

/// `RestartFlags::kLatencyChanged`: what nice-plug passes to `restartComponent` when the
/// plugin's latency changed (the host then deactivates, reactivates and asks again).
pub const K_LATENCY_CHANGED: i32 = vst3::Steinberg::Vst::RestartFlags_::kLatencyChanged;

/// One call the plugin made on the host's `IComponentHandler`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HandlerCall {
    /// `beginEdit(id)`: a gesture starts.
    BeginEdit(u32),
    /// `performEdit(id, normalized)`.
    PerformEdit(u32, f64),
    /// `endEdit(id)`: the gesture ends.
    EndEdit(u32),
    /// `restartComponent(flags)`.
    Restart(i32),
}

/// The host side of `IComponentHandler` (set with `IEditController::setComponentHandler`):
/// records every call and the thread it came from. nice-plug calls `restartComponent` from
/// `process()` when processing runs on the thread that created the component (as in most tests
/// here), so recording never allocates: calls beyond the capacity reserved up front are counted
/// in `dropped` instead of stored. A mutex, not a `RefCell`: a plugin may call from any thread.
pub struct ComponentHandler {
    /// The calls and their threads, in order (capacity reserved in [`ComponentHandler::new`]).
    calls: Mutex<Vec<(HandlerCall, ThreadId)>>,
    /// Calls that did not fit.
    dropped: AtomicUsize,
}

impl Class for ComponentHandler {
    type Interfaces = (IComponentHandler,);
}

impl ComponentHandler {
    /// Room for this many calls; more are counted, not stored.
    const CAPACITY: usize = 4096;

    /// An empty recorder.
    pub fn new() -> ComWrapper<Self> {
        ComWrapper::new(Self {
            calls: Mutex::new(Vec::with_capacity(Self::CAPACITY)),
            dropped: AtomicUsize::new(0),
        })
    }

    fn record(&self, call: HandlerCall) -> tresult {
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        if calls.len() < calls.capacity() {
            calls.push((call, std::thread::current().id()));
        } else {
            self.dropped.fetch_add(1, Ordering::SeqCst);
        }
        kResultOk
    }

    /// Every call recorded so far (panics if any did not fit).
    pub fn calls(&self) -> Vec<HandlerCall> {
        self.calls_with_threads()
            .into_iter()
            .map(|(call, _)| call)
            .collect()
    }

    /// Every call recorded so far with the thread that made it (panics if any did not fit).
    pub fn calls_with_threads(&self) -> Vec<(HandlerCall, ThreadId)> {
        assert_eq!(
            self.dropped.load(Ordering::SeqCst),
            0,
            "IComponentHandler: calls dropped"
        );
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The flags of every `restartComponent` call so far, in order.
    pub fn restarts(&self) -> Vec<i32> {
        self.calls()
            .into_iter()
            .filter_map(|c| match c {
                HandlerCall::Restart(flags) => Some(flags),
                _ => None,
            })
            .collect()
    }
}

impl IComponentHandlerTrait for ComponentHandler {
    unsafe fn beginEdit(&self, id: ParamID) -> tresult {
        self.record(HandlerCall::BeginEdit(id))
    }

    unsafe fn performEdit(&self, id: ParamID, value: ParamValue) -> tresult {
        self.record(HandlerCall::PerformEdit(id, value))
    }

    unsafe fn endEdit(&self, id: ParamID) -> tresult {
        self.record(HandlerCall::EndEdit(id))
    }

    unsafe fn restartComponent(&self, flags: int32) -> tresult {
        self.record(HandlerCall::Restart(flags))
    }
}

/// The host application object a Linux host passes to `IPluginFactory3::setHostContext` and
/// `IPluginBase::initialize`: `IHostApplication` plus the host's `IRunLoop`. The run loop
/// keeps the registered (handler, fd) pairs; [`HostContext::pump`] is the host's UI-thread event
/// loop: it calls `onFDIsSet` for every registered descriptor that is readable, on the calling
/// thread. Timers are kept but never fire (nice-plug registers none).
pub struct HostContext {
    /// Registered event handlers and their file descriptors.
    handlers: Mutex<Vec<(ComPtr<IEventHandler>, FileDescriptor)>>,
    /// Registered timers (kept only so unregistering finds them).
    timers: Mutex<Vec<ComPtr<ITimerHandler>>>,
}

// SAFETY: the COM pointers are only called on the thread that runs `pump` (the test's main
// thread); the mutexes guard the lists.
unsafe impl Send for HostContext {}
unsafe impl Sync for HostContext {}

impl Class for HostContext {
    type Interfaces = (IHostApplication, IRunLoop);
}

impl HostContext {
    /// A host context with an empty run loop.
    pub fn new() -> ComWrapper<Self> {
        ComWrapper::new(Self {
            handlers: Mutex::new(Vec::new()),
            timers: Mutex::new(Vec::new()),
        })
    }

    /// Run the host's UI-thread event loop once: `onFDIsSet` for every registered descriptor
    /// with data to read. Returns how many handlers ran.
    pub fn pump(&self) -> usize {
        let handlers = self.handlers.lock().unwrap().clone();
        let mut ran = 0;
        for (handler, fd) in handlers {
            let mut pfd = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd, zero timeout.
            if unsafe { libc::poll(&mut pfd, 1, 0) } > 0 && pfd.revents & libc::POLLIN != 0 {
                // SAFETY: a handler the plug-in registered and has not unregistered.
                unsafe { handler.onFDIsSet(fd) };
                ran += 1;
            }
        }
        ran
    }

    /// How many event handlers are registered.
    pub fn registered_handlers(&self) -> usize {
        self.handlers.lock().unwrap().len()
    }
}

impl IHostApplicationTrait for HostContext {
    unsafe fn getName(&self, name: *mut String128) -> tresult {
        if name.is_null() {
            return kInvalidArgument;
        }
        let text: Vec<u16> = "Lacquer host tests".encode_utf16().collect();
        // SAFETY: `name` points at a String128.
        let out = unsafe { &mut *name };
        out.fill(0);
        for (o, c) in out.iter_mut().zip(text) {
            *o = c;
        }
        kResultOk
    }

    unsafe fn createInstance(
        &self,
        _cid: *mut TUID,
        _iid: *mut TUID,
        obj: *mut *mut c_void,
    ) -> tresult {
        if !obj.is_null() {
            // SAFETY: a valid out pointer.
            unsafe { *obj = std::ptr::null_mut() };
        }
        kNotImplemented
    }
}

impl IRunLoopTrait for HostContext {
    unsafe fn registerEventHandler(
        &self,
        handler: *mut IEventHandler,
        fd: FileDescriptor,
    ) -> tresult {
        // SAFETY: the plug-in passes a live handler; `from_raw` add-refs it for the list.
        match unsafe { vst3::ComRef::from_raw(handler) } {
            Some(handler) => {
                self.handlers
                    .lock()
                    .unwrap()
                    .push((handler.to_com_ptr(), fd));
                kResultOk
            }
            None => kInvalidArgument,
        }
    }

    unsafe fn unregisterEventHandler(&self, handler: *mut IEventHandler) -> tresult {
        let mut handlers = self.handlers.lock().unwrap();
        let before = handlers.len();
        handlers.retain(|(h, _)| h.as_ptr() != handler);
        if handlers.len() < before {
            kResultOk
        } else {
            kInvalidArgument
        }
    }

    unsafe fn registerTimer(
        &self,
        handler: *mut ITimerHandler,
        _milliseconds: TimerInterval,
    ) -> tresult {
        // SAFETY: as in `registerEventHandler`.
        match unsafe { vst3::ComRef::from_raw(handler) } {
            Some(handler) => {
                self.timers.lock().unwrap().push(handler.to_com_ptr());
                kResultOk
            }
            None => kInvalidArgument,
        }
    }

    unsafe fn unregisterTimer(&self, handler: *mut ITimerHandler) -> tresult {
        self.timers
            .lock()
            .unwrap()
            .retain(|h| h.as_ptr() != handler);
        kResultOk
    }
}

/// A parameter change at an absolute sample position of a VST3 render.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vst3Change {
    /// Absolute sample index in the rendered signal.
    pub time: usize,
    /// Parameter ID.
    pub id: u32,
    /// Normalized value `0..=1`.
    pub value: f64,
}

/// Everything `IEditController::getParameterInfo` reports for one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Vst3ParamInfo {
    /// Parameter ID.
    pub id: u32,
    /// Title.
    pub title: String,
    /// Short title.
    pub short_title: String,
    /// Unit label.
    pub units: String,
    /// 0 for continuous, `n` for `n + 1` discrete values.
    pub step_count: i32,
    /// Default as a normalized value.
    pub default_normalized: f64,
    /// Unit (group) ID.
    pub unit_id: i32,
    /// `ParameterFlags`.
    pub flags: i32,
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
                        category: c_string(&info.category),
                        name: c_string(&info.name),
                    }
                })
                .collect()
        }
    }

    /// `IPluginFactory3::setHostContext`, as a Linux host does right after loading, so the
    /// plug-in can find the host's `IRunLoop` (VST3 SDK: "Provide a RunLoop on Linux").
    pub fn set_host_context(&self, context: &ComWrapper<HostContext>) {
        let factory3 = self
            .factory()
            .cast::<IPluginFactory3>()
            .expect("IPluginFactory3");
        let unknown = context.to_com_ptr::<FUnknown>().expect("FUnknown");
        // SAFETY: a live host context; the plug-in add-refs what it keeps.
        let r = unsafe { factory3.setHostContext(unknown.as_ptr()) };
        assert_eq!(r, kResultOk, "setHostContext");
    }

    /// Create and initialise the component of class `cid`.
    pub fn create(&self, spec: &'static PluginSpec) -> Component {
        self.create_with_context(spec, None)
    }

    /// [`Self::create`], passing `context` to `IPluginBase::initialize` (null without one).
    pub fn create_with_context(
        &self,
        spec: &'static PluginSpec,
        context: Option<&ComWrapper<HostContext>>,
    ) -> Component {
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
        let unknown = context.map(|c| c.to_com_ptr::<FUnknown>().expect("FUnknown"));
        let context_ptr = unknown
            .as_ref()
            .map_or(std::ptr::null_mut(), |u| u.as_ptr());
        // SAFETY: null or a live host context, which the plug-in add-refs if it keeps it.
        let r = unsafe { component.initialize(context_ptr) };
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
            handler: None,
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
    /// The host's `IComponentHandler`, once [`Component::install_handler`] set it.
    handler: Option<ComWrapper<ComponentHandler>>,
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

    /// `setBusArrangements` alone (inactive component): the host proposing a layout.
    pub fn set_arrangements(
        &self,
        inputs: &[SpeakerArrangement],
        outputs: &[SpeakerArrangement],
    ) -> tresult {
        let (mut ins, mut outs) = (inputs.to_vec(), outputs.to_vec());
        // SAFETY: COM call with valid pointers and lengths.
        unsafe {
            self.processor.setBusArrangements(
                ins.as_mut_ptr(),
                ins.len() as i32,
                outs.as_mut_ptr(),
                outs.len() as i32,
            )
        }
    }

    /// `getBusArrangement` of bus `index` (input or output): the layout the plugin is now
    /// in, as it tells the host. `None` when refused.
    pub fn arrangement_of(&self, input: bool, index: i32) -> Option<SpeakerArrangement> {
        let dir = if input {
            BusDirections_::kInput
        } else {
            BusDirections_::kOutput
        } as i32;
        let mut arr: SpeakerArrangement = 0;
        // SAFETY: COM call with a valid out pointer.
        let r = unsafe { self.processor.getBusArrangement(dir, index, &mut arr) };
        (r == kResultOk).then_some(arr)
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

    /// What a host does after `restartComponent(kLatencyChanged)`: stop processing,
    /// `setActive(false)`, `setActive(true)` and resume, keeping the processing setup.
    pub fn restart(&mut self) {
        assert!(
            self.active,
            "{}: restart of an inactive component",
            self.spec.name
        );
        // SAFETY: plain COM calls.
        unsafe {
            self.processor.setProcessing(0);
            assert_eq!(
                self.component.setActive(0),
                kResultOk,
                "{}: setActive(false)",
                self.spec.name
            );
            assert_eq!(
                self.component.setActive(1),
                kResultOk,
                "{}: setActive(true)",
                self.spec.name
            );
            self.processor.setProcessing(1);
        }
    }

    /// Give the controller a recording `IComponentHandler` (`setComponentHandler`), as a host
    /// does right after `initialize`; returns the recorder.
    pub fn install_handler(&mut self) -> ComWrapper<ComponentHandler> {
        let handler = ComponentHandler::new();
        let ptr = handler
            .to_com_ptr::<IComponentHandler>()
            .expect("IComponentHandler");
        // SAFETY: a live handler object; the plugin add-refs what it keeps.
        let r = unsafe { self.edit_controller().setComponentHandler(ptr.as_ptr()) };
        assert_eq!(r, kResultOk, "{}: setComponentHandler", self.spec.name);
        self.handler = Some(handler.clone());
        handler
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
        self.render_automated(input, out_channels, aux_inputs, block, &[], false)
    }

    /// [`Self::render`] with parameter changes delivered through `IParameterChanges` at their
    /// sample offsets (several points of one parameter in one block form one queue, as a host
    /// sends an automation ramp). With `flag_silence`, input channels that are all zeros in a
    /// block carry their `silenceFlags` bit, as Steinberg's validator and many hosts send.
    pub fn render_automated(
        &mut self,
        input: &[Vec<f32>],
        out_channels: usize,
        aux_inputs: &[usize],
        block: usize,
        changes: &[Vst3Change],
        flag_silence: bool,
    ) -> Vec<Vec<f32>> {
        self.render_with_aux(
            input,
            out_channels,
            AuxFeed::Silent(aux_inputs),
            block,
            changes,
            flag_silence,
        )
    }

    /// [`Self::render_automated`] with a choice of what the aux (sidechain) input buses carry:
    /// see [`AuxFeed`].
    pub fn render_with_aux(
        &mut self,
        input: &[Vec<f32>],
        out_channels: usize,
        aux: AuxFeed<'_>,
        block: usize,
        changes: &[Vst3Change],
        flag_silence: bool,
    ) -> Vec<Vec<f32>> {
        let len = input.first().map_or(0, Vec::len);
        let mut out = vec![Vec::with_capacity(len); out_channels];
        let mut in_bufs: Vec<Vec<f32>> = input.iter().map(|_| vec![0.0; block]).collect();
        let (aux_channels, aux_signal, aux_passed): (Vec<usize>, Option<&[Vec<f32>]>, bool) =
            match aux {
                AuxFeed::Silent(channels) => (channels.to_vec(), None, true),
                AuxFeed::Signal(signal) => (vec![signal.len()], Some(signal), true),
                AuxFeed::Missing(channels) | AuxFeed::MainOnly(channels) => {
                    (vec![channels], None, false)
                }
            };
        // Aux output buses the plugin declares: passed (zeroed) or, with `MainOnly`, left out
        // of `numOutputs` and poisoned.
        let aux_outs_passed = !matches!(aux, AuxFeed::MainOnly(_));
        let out_fill = if aux_outs_passed {
            0.0
        } else {
            crate::clap_host::POISON
        };
        let mut aux_out_bufs: Vec<Vec<Vec<f32>>> = self
            .spec
            .ports
            .aux_out
            .iter()
            .map(|&c| vec![vec![out_fill; block]; c as usize])
            .collect();
        let fill = if aux_passed {
            0.0
        } else {
            crate::clap_host::POISON
        };
        let mut aux_bufs: Vec<Vec<Vec<f32>>> = aux_channels
            .iter()
            .map(|&c| vec![vec![fill; block]; c])
            .collect();
        let mut out_bufs = vec![vec![0.0f32; block]; out_channels];
        let mut pos = 0;
        while pos < len {
            let n = block.min(len - pos);
            let mut silence = 0u64;
            for (c, (buf, ch)) in in_bufs.iter_mut().zip(input).enumerate() {
                buf[..n].copy_from_slice(&ch[pos..pos + n]);
                if flag_silence && buf[..n].iter().all(|&x| x == 0.0) {
                    silence |= 1 << c;
                }
            }
            let points: Vec<(i32, u32, f64)> = changes
                .iter()
                .filter(|c| (pos..pos + n).contains(&c.time))
                .map(|c| ((c.time - pos) as i32, c.id, c.value))
                .collect();
            let param_changes = (!points.is_empty()).then(|| ParamChanges::new(&points));
            let changes_ptr = param_changes.as_ref().map_or(std::ptr::null_mut(), |c| {
                c.as_com_ref::<IParameterChanges>()
                    .expect("IParameterChanges")
                    .as_ptr()
            });
            let mut in_ptrs: Vec<*mut f32> = in_bufs.iter_mut().map(|b| b.as_mut_ptr()).collect();
            let mut out_ptrs: Vec<*mut f32> = out_bufs.iter_mut().map(|b| b.as_mut_ptr()).collect();
            let mut inputs = vec![AudioBusBuffers {
                numChannels: in_ptrs.len() as i32,
                silenceFlags: silence,
                __field0: AudioBusBuffers__type0 {
                    channelBuffers32: in_ptrs.as_mut_ptr(),
                },
            }];
            if let Some(signal) = aux_signal {
                for (buf, ch) in aux_bufs[0].iter_mut().zip(signal) {
                    buf[..n].copy_from_slice(&ch[pos..pos + n]);
                }
            }
            let mut aux_ptrs: Vec<Vec<*mut f32>> = aux_bufs
                .iter_mut()
                .map(|bus| bus.iter_mut().map(|b| b.as_mut_ptr()).collect())
                .collect();
            for ptrs in &mut aux_ptrs {
                inputs.push(AudioBusBuffers {
                    numChannels: ptrs.len() as i32,
                    silenceFlags: if aux_signal.is_some() || !aux_passed {
                        0
                    } else {
                        (1u64 << ptrs.len()) - 1
                    },
                    __field0: AudioBusBuffers__type0 {
                        channelBuffers32: ptrs.as_mut_ptr(),
                    },
                });
            }
            let mut aux_out_ptrs: Vec<Vec<*mut f32>> = aux_out_bufs
                .iter_mut()
                .map(|bus| bus.iter_mut().map(|b| b.as_mut_ptr()).collect())
                .collect();
            let mut outputs: Vec<AudioBusBuffers> = std::iter::once(&mut out_ptrs)
                .chain(&mut aux_out_ptrs)
                .map(|ptrs| AudioBusBuffers {
                    numChannels: ptrs.len() as i32,
                    silenceFlags: 0,
                    __field0: AudioBusBuffers__type0 {
                        channelBuffers32: ptrs.as_mut_ptr(),
                    },
                })
                .collect();
            let mut data = ProcessData {
                processMode: ProcessModes_::kRealtime as i32,
                symbolicSampleSize: SymbolicSampleSizes_::kSample32 as i32,
                numSamples: n as i32,
                // A missing aux bus is left out of the count, though it sits in the array.
                numInputs: if aux_passed { inputs.len() as i32 } else { 1 },
                // Likewise a left-out aux output bus.
                numOutputs: if aux_outs_passed {
                    outputs.len() as i32
                } else {
                    1
                },
                inputs: inputs.as_mut_ptr(),
                outputs: outputs.as_mut_ptr(),
                inputParameterChanges: changes_ptr,
                outputParameterChanges: std::ptr::null_mut(),
                inputEvents: std::ptr::null_mut(),
                outputEvents: std::ptr::null_mut(),
                processContext: std::ptr::null_mut(),
            };
            // SAFETY: every pointer in `data` points at live buffers of `n` frames; the parameter
            // changes object outlives the call.
            let r = unsafe { self.processor.process(&mut data) };
            assert_eq!(r, kResultOk, "{}: process", self.spec.name);
            for (o, b) in out.iter_mut().zip(&out_bufs) {
                o.extend_from_slice(&b[..n]);
            }
            pos += n;
        }
        if !aux_outs_passed {
            for (b, bus) in aux_out_bufs.iter().enumerate() {
                assert!(
                    bus.iter().flatten().all(|&x| x == crate::clap_host::POISON),
                    "{}: aux output bus {} was written although numOutputs was 1",
                    self.spec.name,
                    b + 1
                );
            }
        }
        out
    }

    /// A parameter flush: `process()` with zero samples and no audio buses, only parameter
    /// changes (Steinberg's validator and several hosts send these while the transport is
    /// stopped). Returns the plugin's result code.
    pub fn flush_params(&mut self, changes: &[(u32, f64)]) -> tresult {
        let points: Vec<(i32, u32, f64)> = changes.iter().map(|&(id, v)| (0, id, v)).collect();
        let param_changes = ParamChanges::new(&points);
        let mut data = ProcessData {
            processMode: ProcessModes_::kRealtime as i32,
            symbolicSampleSize: SymbolicSampleSizes_::kSample32 as i32,
            numSamples: 0,
            numInputs: 0,
            numOutputs: 0,
            inputs: std::ptr::null_mut(),
            outputs: std::ptr::null_mut(),
            inputParameterChanges: param_changes
                .as_com_ref::<IParameterChanges>()
                .expect("IParameterChanges")
                .as_ptr(),
            outputParameterChanges: std::ptr::null_mut(),
            inputEvents: std::ptr::null_mut(),
            outputEvents: std::ptr::null_mut(),
            processContext: std::ptr::null_mut(),
        };
        // SAFETY: no audio buffers are referenced; the changes object outlives the call.
        unsafe { self.processor.process(&mut data) }
    }

    /// `IComponent::getState`.
    pub fn get_state(&self) -> Option<Vec<u8>> {
        self.get_state_chunked(usize::MAX)
    }

    /// `IComponent::getState` into a stream that accepts at most `max_write` bytes per write.
    pub fn get_state_chunked(&self, max_write: usize) -> Option<Vec<u8>> {
        let stream = MemoryStream::chunked(Vec::new(), usize::MAX, max_write);
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

    fn edit_controller(&self) -> &ComPtr<IEditController> {
        self.controller
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no IEditController", self.spec.name))
    }

    /// Everything `getParameterInfo` reports, for every index below `getParameterCount`.
    pub fn param_infos(&self) -> Vec<Vst3ParamInfo> {
        let controller = self.edit_controller();
        // SAFETY: COM calls with valid out pointers.
        unsafe {
            (0..controller.getParameterCount())
                .map(|i| {
                    let mut info: ParameterInfo = std::mem::zeroed();
                    assert_eq!(controller.getParameterInfo(i, &mut info), kResultOk);
                    Vst3ParamInfo {
                        id: info.id,
                        title: utf16(&info.title),
                        short_title: utf16(&info.shortTitle),
                        units: utf16(&info.units),
                        step_count: info.stepCount,
                        default_normalized: info.defaultNormalizedValue,
                        unit_id: info.unitId,
                        flags: info.flags,
                    }
                })
                .collect()
        }
    }

    /// `getParameterInfo` for an arbitrary index: the result code only.
    pub fn param_info_result(&self, index: i32) -> tresult {
        let controller = self.edit_controller();
        // SAFETY: COM call with a valid out pointer.
        unsafe {
            let mut info: ParameterInfo = std::mem::zeroed();
            controller.getParameterInfo(index, &mut info)
        }
    }

    /// `getParamStringByValue`.
    pub fn param_string(&self, id: u32, normalized: f64) -> Option<String> {
        let controller = self.edit_controller();
        let mut text: String128 = [0; 128];
        // SAFETY: COM call with a valid 128-character buffer.
        let r = unsafe { controller.getParamStringByValue(id, normalized, &mut text) };
        (r == kResultOk).then(|| utf16(&text))
    }

    /// `getParamValueByString`.
    pub fn param_value_of(&self, id: u32, text: &str) -> Option<f64> {
        let controller = self.edit_controller();
        let mut wide: Vec<u16> = text.encode_utf16().collect();
        wide.push(0);
        let mut value = f64::NAN;
        // SAFETY: COM call with a NUL-terminated UTF-16 string and a valid out pointer.
        let r = unsafe { controller.getParamValueByString(id, wide.as_mut_ptr(), &mut value) };
        (r == kResultOk).then_some(value)
    }

    /// `normalizedParamToPlain`.
    pub fn to_plain(&self, id: u32, normalized: f64) -> f64 {
        // SAFETY: plain COM call.
        unsafe {
            self.edit_controller()
                .normalizedParamToPlain(id, normalized)
        }
    }

    /// `plainParamToNormalized`.
    pub fn to_normalized(&self, id: u32, plain: f64) -> f64 {
        // SAFETY: plain COM call.
        unsafe { self.edit_controller().plainParamToNormalized(id, plain) }
    }

    /// `setParamNormalized` (the host's controller-side write, e.g. from its generic editor).
    pub fn set_param_normalized(&self, id: u32, normalized: f64) -> tresult {
        // SAFETY: plain COM call.
        unsafe { self.edit_controller().setParamNormalized(id, normalized) }
    }

    /// `IEditController::setComponentState`: what a host calls on the controller after it
    /// restored the component with `IComponent::setState`.
    pub fn set_component_state(&self, bytes: &[u8]) -> tresult {
        let stream = MemoryStream::new(bytes.to_vec(), usize::MAX);
        let ptr = stream.to_com_ptr::<IBStream>().expect("IBStream");
        // SAFETY: a live stream object.
        unsafe { self.edit_controller().setComponentState(ptr.as_ptr()) }
    }

    /// `IEditController::setState` / `getState` (the controller's own state; hosts call both).
    pub fn controller_state_round_trip(&self) -> (tresult, tresult, Vec<u8>) {
        let out = MemoryStream::new(Vec::new(), usize::MAX);
        let out_ptr = out.to_com_ptr::<IBStream>().expect("IBStream");
        // SAFETY: a live stream object.
        let get = unsafe { self.edit_controller().getState(out_ptr.as_ptr()) };
        let bytes = out.bytes();
        let input = MemoryStream::new(bytes.clone(), usize::MAX);
        let in_ptr = input.to_com_ptr::<IBStream>().expect("IBStream");
        // SAFETY: a live stream object.
        let set = unsafe { self.edit_controller().setState(in_ptr.as_ptr()) };
        (get, set, bytes)
    }

    /// `IComponent::getControllerClassId`: the result code and the class ID it wrote.
    pub fn controller_class_id(&self) -> (tresult, [u8; 16]) {
        let mut cid = [0 as std::ffi::c_char; 16];
        // SAFETY: COM call with a 16-byte out buffer.
        let r = unsafe { self.component.getControllerClassId(&mut cid) };
        (r, cid.map(|c| c as u8))
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
        // SAFETY: plain COM calls; the objects are released afterwards.
        unsafe {
            if self.handler.take().is_some() {
                // Hosts clear the handler before terminating.
                self.edit_controller()
                    .setComponentHandler(std::ptr::null_mut());
            }
            self.component.terminate();
        }
    }
}

/// What [`Component::render_with_aux`] feeds the plugin's aux (sidechain) input buses.
#[derive(Debug, Clone, Copy)]
pub enum AuxFeed<'a> {
    /// Buses of these channel counts, all zeros and flagged silent (a disconnected sidechain).
    Silent(&'a [usize]),
    /// One aux bus carrying this signal (a connected sidechain).
    Signal(&'a [Vec<f32>]),
    /// The host passes fewer input buses than declared: `numInputs` is 1 (main only), but the
    /// `inputs` array holds an aux bus of this many channels of
    /// [`POISON`](crate::clap_host::POISON) right after the main one, so reading past
    /// `numInputs` is heard.
    Missing(usize),
    /// Only the main buses are passed: aux inputs as in `Missing`, and every aux output bus
    /// the plugin declares is left out of `numOutputs` too, its poisoned storage right after
    /// the main output in the array. The render panics if the plugin writes into it.
    MainOnly(usize),
}

/// The category every audio effect class carries.
pub const AUDIO_MODULE_CLASS: &str = "Audio Module Class";

/// Display helper for class IDs in messages.
pub fn cid_text(cid: &[u8; 16]) -> String {
    String::from_utf8_lossy(cid).into_owned()
}

/// The speaker arrangement of a bus with `channels` channels: mono, 5.0 (L R C Ls Rs),
/// 5.1 (L R C LFE Ls Rs), otherwise stereo.
pub fn arrangement(channels: u32) -> SpeakerArrangement {
    match channels {
        1 => MONO,
        5 => SURROUND_5_0,
        6 => SURROUND_5_1,
        _ => STEREO,
    }
}

/// The default bus layout of a plugin: input arrangements, output arrangements, and the channel
/// counts of the aux (sidechain) inputs that [`Component::render`] feeds silence.
pub fn main_layout(
    spec: &PluginSpec,
) -> (Vec<SpeakerArrangement>, Vec<SpeakerArrangement>, Vec<usize>) {
    let mut inputs = vec![arrangement(spec.ports.main_in)];
    let mut aux = Vec::new();
    if let Some(sc) = spec.ports.sidechain {
        inputs.push(arrangement(sc));
        aux.push(sc as usize);
    }
    let mut outputs = vec![arrangement(spec.ports.main_out)];
    outputs.extend(spec.ports.aux_out.map(arrangement));
    (inputs, outputs, aux)
}

/// `ParameterFlags::kCanAutomate`.
pub const K_CAN_AUTOMATE: i32 = 1;
/// `ParameterFlags::kIsReadOnly`.
pub const K_IS_READ_ONLY: i32 = 1 << 1;
/// `ParameterFlags::kIsBypass`.
pub const K_IS_BYPASS: i32 = 1 << 16;

/// Run `check` on every plugin's VST3 module, one step per plugin.
pub fn for_each_module(what: &str, mut check: impl FnMut(&'static PluginSpec, &Module)) {
    for spec in crate::plugins::selected() {
        step(spec.name, what);
        let module = Module::load(&bundle::vst3_path(spec));
        check(spec, &module);
    }
}

/// Number of steps nice-plug reports for a parameter (0 for continuous).
pub fn steps(p: &ParamSpec) -> u32 {
    match p.kind {
        Kind::Float { .. } => 0,
        Kind::Bool { .. } => 1,
        Kind::Enum { count, .. } => count - 1,
    }
}

/// The CLAP value of a VST3 normalized value (stepped CLAP parameters count steps).
pub fn clap_value(p: &ParamSpec, normalized: f64) -> f64 {
    normalized * f64::from(steps(p).max(1))
}

/// The VST3 normalized value of a CLAP value: the inverse of [`clap_value`].
pub fn vst3_value(p: &ParamSpec, clap: f64) -> f64 {
    clap / f64::from(steps(p).max(1))
}

/// CLAP `(id, value)` settings (IDs are the same in both formats) as VST3 normalized values.
pub fn vst3_settings(spec: &PluginSpec, clap: &[(u32, f64)]) -> Vec<(u32, f64)> {
    clap.iter()
        .map(|&(id, value)| {
            let p = spec
                .params
                .iter()
                .find(|p| p.clap_id() == id)
                .expect("known parameter");
            (id, vst3_value(p, value))
        })
        .collect()
}

/// Render `input` through the CLAP bundle at 48 kHz with `changes` (VST3 normalized values) in
/// fixed blocks: the reference a VST3 render of the same bundle must equal.
pub fn clap_render(
    spec: &'static PluginSpec,
    input: &[Vec<f32>],
    changes: &[Vst3Change],
    block: usize,
) -> Vec<Vec<f32>> {
    let entry = load_entry(&bundle::clap_path(spec));
    let mut inst = instance(&entry, spec).activated(AudioConfig::new(48_000.0, block as u32));
    let clap_changes: Vec<ParamChange> = changes
        .iter()
        .map(|c| {
            let p = spec
                .params
                .iter()
                .find(|p| p.clap_id() == c.id)
                .expect("known parameter");
            ParamChange {
                time: c.time,
                id: c.id,
                value: clap_value(p, c.value),
            }
        })
        .collect();
    inst.render(input, None, &clap_changes, || block)
}
