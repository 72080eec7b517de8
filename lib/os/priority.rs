//! Background threads that must not compete with serving: a lower scheduling priority for the
//! calling thread (Linux schedules threads individually, so `setpriority` on the thread's ID
//! changes only that thread).

/// The nice value background work runs at (serving threads stay at 0).
pub const BACKGROUND_NICE: i32 = 10;

/// Lowers the calling thread's priority to [`BACKGROUND_NICE`]. Best effort: a failure changes
/// nothing else.
pub fn background() {
    let tid = nix::unistd::gettid().as_raw();
    // SAFETY: setpriority only changes the scheduling priority of the given thread; it has no
    // memory effects (nix does not wrap it).
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, BACKGROUND_NICE);
    }
}
