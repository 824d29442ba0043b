import CSupport

/// Process-wide settings for a command-line run.
public enum ProcessTuning {
    /// Page bodies are 10 KB to 10 MB buffers that live for milliseconds. By
    /// default glibc serves the larger ones with fresh mmap()s and returns freed
    /// heap to the kernel, so every body costs new zeroed pages; keeping them on
    /// the heap lets the next body reuse the memory (on bench/fetch.sh: 60% fewer
    /// page faults, 14% less CPU). Memory that is in use is unaffected.
    public static func tuneAllocatorForPageBodies() {
        dragnet_tune_allocator(32 << 20, 128 << 20)
    }
}
