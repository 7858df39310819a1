use backtrace::Backtrace;
use nice_plug_core::plugin::Plugin;
use std::cmp;
use std::marker::PhantomData;
use std::os::raw::c_char;
use std::sync::atomic::AtomicBool;

use crate::util::permit_alloc;

pub(crate) mod buffer_management;
#[cfg(all(debug_assertions, feature = "editor"))]
pub(crate) mod context_checks;

// LACQUER PATCH (h): flush-to-zero AND denormals-are-zero around every `process` call, always
// (published nice-plug set FTZ only under the off-by-default `unsafe_flush_denormals` feature,
// and never DAZ, so denormal *inputs* still took the slow path).
/// x86 MXCSR bit 15, Flush-To-Zero: denormal results become zero (Intel SDM vol. 1, 10.2.3.3).
#[cfg(all(not(miri), any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse"))]
const SSE_FTZ_BIT: u32 = 1 << 15;
/// x86 MXCSR bit 6, Denormals-Are-Zero: denormal operands are read as zero (Intel SDM vol. 1,
/// 10.2.3.4). Every x86-64 CPU has it (it is missing only on the earliest SSE-only Pentium 4s).
#[cfg(all(not(miri), any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse2"))]
const SSE_DAZ_BIT: u32 = 1 << 6;
/// The MXCSR bits the guard sets and restores.
#[cfg(all(not(miri), any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse2"))]
const SSE_FLUSH_BITS: u32 = SSE_FTZ_BIT | SSE_DAZ_BIT;
#[cfg(all(
    not(miri),
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse",
    not(target_feature = "sse2")
))]
const SSE_FLUSH_BITS: u32 = SSE_FTZ_BIT;

/// AArch64 FPCR bit 24, FZ: flushes denormal inputs and outputs of single and double precision
/// arithmetic to zero (ARM ARM, FPCR).
///
/// <https://developer.arm.com/documentation/ddi0595/2021-06/AArch64-Registers/FPCR--Floating-point-Control-Register>
#[cfg(all(not(miri), target_arch = "aarch64"))]
const AARCH64_FTZ_BIT: u64 = 1 << 24;

#[cfg(all(debug_assertions, feature = "assert_process_allocs"))]
#[global_allocator]
static A: nice_assert_no_alloc::AllocDisabler = nice_assert_no_alloc::AllocDisabler;

/// A Rabin fingerprint based string hash for parameter ID strings.
pub fn hash_param_id(id: &str) -> u32 {
    let mut hash: u32 = 0;
    for char in id.bytes() {
        hash = hash.wrapping_mul(31).wrapping_add(char as u32);
    }

    // In VST3 the last bit is reserved for parameters provided by the host
    // https://developer.steinberg.help/display/VST/Parameters+and+Automation
    hash &= !(1 << 31);

    hash
}

/// The equivalent of the `strlcpy()` C function. Copy `src` to `dest` as a null-terminated
/// C-string. If `dest` does not have enough capacity, add a null terminator at the end to prevent
/// buffer overflows.
pub fn strlcpy(dest: &mut [c_char], src: &str) {
    if dest.is_empty() {
        return;
    }

    let src_bytes: &[u8] = src.as_bytes();
    // NOTE: `c_char` is i8 on x86 based archs, and u8 on AArch64. There this line won't do
    //       anything.
    let src_bytes_signed: &[c_char] = unsafe { &*(src_bytes as *const [u8] as *const [c_char]) };

    // Make sure there's always room for a null terminator
    let copy_len = cmp::min(dest.len() - 1, src.len());
    dest[..copy_len].copy_from_slice(&src_bytes_signed[..copy_len]);
    dest[copy_len] = 0;
}

/// Clamp an input event's timing to the buffer length. Emits a debug assertion failure if it was
/// out of bounds.
#[inline]
pub fn clamp_input_event_timing(timing: u32, total_buffer_len: u32) -> u32 {
    // If `total_buffer_len == 0`, then 0 is a valid timing
    let last_valid_index = total_buffer_len.saturating_sub(1);

    crate::nice_debug_assert!(
        timing <= last_valid_index,
        "Input event is out of bounds, will be clamped to the buffer's size"
    );

    timing.min(last_valid_index)
}

/// Clamp an output event's timing to the buffer length. Emits a debug assertion failure if it was
/// out of bounds.
#[inline]
pub fn clamp_output_event_timing(timing: u32, total_buffer_len: u32) -> u32 {
    let last_valid_index = total_buffer_len.saturating_sub(1);

    crate::nice_debug_assert!(
        timing <= last_valid_index,
        "Output event is out of bounds, will be clamped to the buffer's size"
    );

    timing.min(last_valid_index)
}

/// Set up the logger so that the `nice_*!()` logging and assertion macros log output to a
/// centralized location and panics also get written there. By default this logs to STDERR. If a
/// Windows debugger is attached, then messages will be sent there instead. This uses
/// [nice-log](https://github.com/BillyDM/nice-log). See the readme there for more information.
///
/// In short, nice-log's behavior can be controlled by setting the `NICE_LOG` environment variable to:
///
/// - `stderr`, in which case the log output always gets written to STDERR.
/// - `windbg` (only on Windows), in which case the output always gets logged using
///   `OutputDebugString()`.
/// - A file path, in which case the output gets appended to the end of that file which will be
///   created if necessary.
pub fn setup_logger<P: Plugin>() {
    static DID_SETUP: AtomicBool = AtomicBool::new(false);

    let did_setup = DID_SETUP.swap(true, std::sync::atomic::Ordering::SeqCst);
    if !did_setup {
        if let Some(is_ok) = P::setup_logger() {
            if is_ok {
                log_panics();
            }

            return;
        }

        #[cfg(feature = "tracing-subscriber")]
        {
            #[cfg(debug_assertions)]
            let sub = tracing_subscriber::FmtSubscriber::builder()
                .with_max_level(tracing::level_filters::LevelFilter::DEBUG)
                .with_target(true)
                .with_ansi(false)
                .with_writer(nice_log::writer_from_env())
                .finish();

            #[cfg(not(debug_assertions))]
            let sub = tracing_subscriber::FmtSubscriber::builder()
                .with_max_level(tracing::level_filters::LevelFilter::INFO)
                .with_target(false)
                .without_time()
                .with_ansi(false)
                .with_writer(nice_log::writer_from_env())
                .finish();

            if tracing::subscriber::set_global_default(sub).is_ok() {
                log_panics();
            }
        }
    }
}

/// This is copied from same as the `log_panics` crate, but it's wrapped in `permit_alloc()`.
/// Otherwise logging panics will trigger `assert_no_alloc` as this also allocates.
fn log_panics() {
    std::panic::set_hook(Box::new(|info| {
        permit_alloc(|| {
            // All of this is directly copied from `permit_no_alloc`, except that `error!()` became
            // `nice_error!()` and `Shim` has been inlined
            let backtrace = Backtrace::new();

            let thread = std::thread::current();
            let thread = thread.name().unwrap_or("unnamed");

            let msg = match info.payload().downcast_ref::<&'static str>() {
                Some(s) => *s,
                None => match info.payload().downcast_ref::<String>() {
                    Some(s) => &**s,
                    None => "Box<Any>",
                },
            };

            match info.location() {
                Some(location) => {
                    crate::nice_error!(
                        target: "panic", "thread '{}' panicked at '{}': {}:{}\n{:?}",
                        thread,
                        msg,
                        location.file(),
                        location.line(),
                        backtrace
                    );
                }
                None => {
                    crate::nice_error!(
                        target: "panic",
                        "thread '{}' panicked at '{}'\n{:?}",
                        thread,
                        msg,
                        backtrace
                    )
                }
            }
        })
    }));
}

/// A wrapper around the entire process function, including the plugin wrapper parts. This sets up
/// `assert_no_alloc` if needed, while also making sure that things like FTZ are set up correctly if
/// the host has not already done so.
pub fn process_wrapper<T, F: FnOnce() -> T>(f: F) -> T {
    // Make sure FTZ is always enabled, even if the host doesn't do it for us
    let _ftz_guard = ScopedFtz::enable();

    #[cfg(all(debug_assertions, feature = "assert_process_allocs"))]
    return nice_assert_no_alloc::assert_no_alloc(f);

    #[cfg(not(all(debug_assertions, feature = "assert_process_allocs")))]
    return f();
}

/// Enable flush-to-zero and denormals-are-zero (x86: MXCSR FTZ + DAZ; AArch64: FPCR.FZ) while
/// this object is in scope, and put those bits back as they were when it is dropped. The other
/// control and status bits (rounding mode, exception masks and flags) are left alone.
// LACQUER PATCH (h): always on, DAZ as well as FTZ, bit-exact restore.
pub(crate) struct ScopedFtz {
    /// The flush bits as the caller had them, restored on drop. Unused where the guard is a no-op.
    #[allow(unused)]
    saved_bits: u64,
    /// We can't directly implement !Send and !Sync, but this will do the same thing. This object
    /// affects the current thread's floating point registers, so it may only be dropped on the
    /// current thread.
    _send_sync_marker: PhantomData<*const ()>,
}

#[cfg(all(not(miri), any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse"))]
fn read_mxcsr() -> u32 {
    let mut mxcsr: u32 = 0;
    // Rust 1.75 deprecated `_mm_getcsr()`, so this is inline assembly.
    unsafe { std::arch::asm!("stmxcsr [{}]", in(reg) &mut mxcsr, options(nostack)) };
    mxcsr
}

#[cfg(all(not(miri), any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse"))]
fn write_mxcsr(mxcsr: u32) {
    unsafe { std::arch::asm!("ldmxcsr [{}]", in(reg) &mxcsr, options(nostack)) };
}

impl ScopedFtz {
    pub(crate) fn enable() -> Self {
        #[cfg(all(not(miri), any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse"))]
        let saved_bits = {
            let mxcsr = read_mxcsr();
            if mxcsr & SSE_FLUSH_BITS != SSE_FLUSH_BITS {
                write_mxcsr(mxcsr | SSE_FLUSH_BITS);
            }
            u64::from(mxcsr & SSE_FLUSH_BITS)
        };

        #[cfg(all(not(miri), target_arch = "aarch64"))]
        let saved_bits = {
            let mut fpcr: u64;
            unsafe { std::arch::asm!("mrs {}, fpcr", out(reg) fpcr) };
            if fpcr & AARCH64_FTZ_BIT == 0 {
                unsafe { std::arch::asm!("msr fpcr, {}", in(reg) fpcr | AARCH64_FTZ_BIT) };
            }
            fpcr & AARCH64_FTZ_BIT
        };

        #[cfg(not(all(
            not(miri),
            any(
                all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse"),
                target_arch = "aarch64"
            )
        )))]
        let saved_bits = 0u64;

        Self {
            saved_bits,
            _send_sync_marker: PhantomData,
        }
    }
}

impl Drop for ScopedFtz {
    fn drop(&mut self) {
        #[cfg(all(not(miri), any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse"))]
        {
            let mxcsr = read_mxcsr();
            let restored = (mxcsr & !SSE_FLUSH_BITS) | (self.saved_bits as u32);
            if restored != mxcsr {
                write_mxcsr(restored);
            }
        }

        #[cfg(all(not(miri), target_arch = "aarch64"))]
        if self.saved_bits == 0 {
            let mut fpcr: u64;
            unsafe { std::arch::asm!("mrs {}, fpcr", out(reg) fpcr) };
            unsafe { std::arch::asm!("msr fpcr, {}", in(reg) fpcr & !AARCH64_FTZ_BIT) };
        }
    }
}

#[cfg(test)]
mod miri {
    use std::ffi::CStr;

    use super::*;

    #[test]
    fn strlcpy_normal() {
        let mut dest = [0; 256];
        strlcpy(&mut dest, "Hello, world!");

        assert_eq!(
            unsafe { CStr::from_ptr(dest.as_ptr()) }.to_str(),
            Ok("Hello, world!")
        );
    }

    #[test]
    fn strlcpy_overflow() {
        let mut dest = [0; 6];
        strlcpy(&mut dest, "Hello, world!");

        assert_eq!(
            unsafe { CStr::from_ptr(dest.as_ptr()) }.to_str(),
            Ok("Hello")
        );
    }
}
