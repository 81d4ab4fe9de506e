// The C library pieces a wasm32-unknown-none build of Vitrine needs: a free-list
// allocator over wasm linear memory, mem*/str* functions, and the few symbols the
// Embedded Swift runtime expects from a libc. Everything is compiled only for wasm
// (`__wasm__`); natively this target is empty and the platform libc is used.
#pragma once

#if defined(__wasm__)
typedef struct WasmHeapStats {
    /// Bytes of linear memory the heap spans (from its first chunk to the end of memory).
    unsigned long heapBytes;
    /// Bytes in chunks handed out and not yet freed (headers included).
    unsigned long usedBytes;
    /// Bytes in free chunks plus the untouched top of the heap.
    unsigned long freeBytes;
    /// Size of the largest single free chunk (or the top), the biggest allocation that
    /// can succeed without growing memory.
    unsigned long largestFreeBytes;
    /// How many free chunks sit in the bins (a measure of fragmentation).
    unsigned long freeChunks;
    /// How many times the heap asked the host for more memory.
    unsigned long growCount;
} WasmHeapStats;

/// Fills `out` with the heap's current figures (exported to JS as `vitrine_heap_stats`).
void wasm_heap_stats(WasmHeapStats *out);
#endif
