//! A clear error instead of "Segmentation fault" when a damaged HDF5 file crashes the HDF5 C
//! library. HDF5 1.10 (Debian's, which spikesim links) does not check every structure it
//! reads: some damaged object headers make it dereference garbage or call `abort()`. HDF5's
//! own `h5dump` dies the same way on such files, so no caller can avoid it. What spikesim can do
//! is say what happened: the commands that read files other programs may have written or
//! damaged (`inspect`, `plot`, `eval`) call [`guard_reading`] first, and a crash then prints
//! one line naming the file and exits with status 2 (input error).

use std::path::Path;
use std::sync::OnceLock;

/// The line written when a guarded read crashes (built before the signal handler is installed:
/// the handler only writes it, which is async-signal-safe).
static MESSAGE: OnceLock<Vec<u8>> = OnceLock::new();

/// Signals a crashing C library raises.
#[cfg(unix)]
const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGABRT, libc::SIGFPE];

/// From now on, a crash in this process reports that reading `paths` crashed the HDF5 library
/// and exits with status 2. Called once per process, before a command opens its input; a
/// second call keeps the first message.
pub fn guard_reading(paths: &[&Path]) {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let message = format!(
        "error: reading {} crashed the HDF5 library: a file is damaged or is not HDF5 that \
         spikesim reads (`h5dump -H FILE` shows whether HDF5 can read it)\n",
        names.join(" and ")
    );
    if MESSAGE.set(message.into_bytes()).is_err() {
        return;
    }
    #[cfg(unix)]
    for signal in SIGNALS {
        // SAFETY: installs a handler that only calls `write` and `_exit` (async-signal-safe),
        // on the alternate signal stack Rust sets up for the main thread (so a stack overflow
        // is reported too, instead of faulting again).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_crash as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

#[cfg(unix)]
extern "C" fn on_crash(_signal: libc::c_int) {
    if let Some(m) = MESSAGE.get() {
        // SAFETY: writes an initialised buffer to standard error.
        unsafe {
            libc::write(2, m.as_ptr().cast(), m.len());
        }
    }
    // SAFETY: ends the process at once, without running anything that may be corrupt.
    unsafe { libc::_exit(2) }
}
