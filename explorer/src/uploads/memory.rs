//! Giving the memory of a finished job back to the operating system.
//!
//! An import reads its file in chunks, in a few threads; glibc's allocator keeps what those
//! threads freed in per-thread arenas for reuse rather than returning it, so a server that
//! imported a large file once would stay at its peak size. After every job, [`return_freed_memory`]
//! asks glibc to release the free memory of every arena (`malloc_trim(0)`; measured in
//! docs/benchmarks.md). Elsewhere (musl, other systems) it does nothing.

/// Return the memory freed by finished jobs to the operating system (glibc only).
pub fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    glibc::trim();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    extern "C" {
        fn malloc_trim(pad: usize) -> std::os::raw::c_int;
    }

    /// The one place the workspace allows `unsafe`: a call to a glibc function that takes a
    /// number and returns a number, with no pointers and no preconditions (man 3 malloc_trim:
    /// "releases free memory from the heap"; since glibc 2.8 it walks every arena).
    #[allow(unsafe_code)]
    pub(super) fn trim() {
        // SAFETY: malloc_trim has no preconditions; 0 keeps no padding at the top of the heap.
        unsafe {
            malloc_trim(0);
        }
    }
}
