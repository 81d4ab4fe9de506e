// Allocator and minimal libc for wasm32-unknown-none builds only; empty on native platforms.
//
// There is no libc on wasm32-unknown-none, yet Embedded Swift calls malloc/free/
// posix_memalign and the compiler emits memcpy/memset/memcmp. This file provides them.
//
// Allocator design (boundary tags in the style of dlmalloc, segregated free lists):
// - Linear memory can only grow, never shrink, so "giving memory back" means every freed
//   chunk is coalesced with free neighbours at once and reused by later requests; repeated
//   parse/release cycles of the same file then settle at a fixed memory size.
// - A chunk is [prev_foot | head | payload...]. `head` holds the chunk size (a multiple of
//   16) and two flags: CINUSE (this chunk is allocated) and PINUSE (the chunk before it is).
//   When a chunk is free its size is also stored in the next chunk's `prev_foot`, so `free`
//   finds the previous chunk in O(1) and merges both ways. Payloads are 16-byte aligned.
// - Free chunks live in 64 exact-size bins (16..1008 bytes) and 4 bins per power of two
//   above that; a bitmap finds the next non-empty bin in a few instructions. Inside a large
//   bin we take the best fit, so big blocks (the arrays of a 2M-triangle mesh) are reused
//   rather than stranded.
// - The `top` chunk is the untouched end of the heap; a request nothing else satisfies is
//   carved from it, and it grows with memory.grow when it is too small. Chunks freed next
//   to it merge back into it.
#if defined(__wasm__)

#include "WasmAllocator.h"

typedef __SIZE_TYPE__ size_t;
typedef __UINTPTR_TYPE__ uintptr_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT8_TYPE__ uint8_t;

#define WASM_PAGE 65536u
#define ALIGNMENT 16u
#define HEADER 8u          // prev_foot + head in front of each payload
#define MIN_CHUNK 16u      // room for the two free-list links
#define PINUSE 1u
#define CINUSE 2u
#define FLAGS 3u
#define SMALL_BINS 64u     // exact sizes 16 * i for i < 64
#define SUB_BINS 4u        // bins per power of two above the small range
#define NBINS (SMALL_BINS + SUB_BINS * 22u)   // up to 2^32
#define MAX_REQUEST (0xFFFFFFFFu - 2u * WASM_PAGE)
#define ENOMEM 12
#define EINVAL 22

typedef struct Chunk {
    size_t prevFoot;      // size of the previous chunk, valid only when it is free
    size_t head;          // size | CINUSE | PINUSE
    struct Chunk *next;   // free-list links, valid only when free
    struct Chunk *prev;
} Chunk;

extern unsigned char __heap_base;

static Chunk *bins[NBINS];
static uint32_t binMap[(NBINS + 31u) / 32u];
static Chunk *top;          // the wilderness chunk at the end of the heap (never in a bin)
static size_t topSize;
static uintptr_t heapStart;
static size_t usedBytes;
static size_t growCount;

static inline size_t chunkSize(const Chunk *c) { return c->head & ~(size_t)FLAGS; }
static inline Chunk *chunkAt(uintptr_t address) { return (Chunk *)address; }
static inline Chunk *nextChunk(Chunk *c) { return chunkAt((uintptr_t)c + chunkSize(c)); }
static inline void *payload(Chunk *c) { return (void *)((uintptr_t)c + HEADER); }
static inline Chunk *chunkOf(void *p) { return chunkAt((uintptr_t)p - HEADER); }

/// Chunk size for a request of `n` bytes: header included, rounded to 16, at least MIN_CHUNK.
static inline size_t requestSize(size_t n) {
    size_t size = (n + HEADER + ALIGNMENT - 1u) & ~(size_t)(ALIGNMENT - 1u);
    return size < MIN_CHUNK ? MIN_CHUNK : size;
}

static inline unsigned binIndex(size_t size) {
    if (size < SMALL_BINS * ALIGNMENT) return (unsigned)(size / ALIGNMENT);
    unsigned log2 = 31u - (unsigned)__builtin_clz((unsigned)size);   // >= 10
    unsigned sub = (unsigned)(size >> (log2 - 2u)) & (SUB_BINS - 1u);
    return SMALL_BINS + (log2 - 10u) * SUB_BINS + sub;
}

static inline void markBin(unsigned i) { binMap[i >> 5] |= 1u << (i & 31u); }
static inline void clearBin(unsigned i) { binMap[i >> 5] &= ~(1u << (i & 31u)); }

static void insertFree(Chunk *c, size_t size) {
    unsigned i = binIndex(size);
    c->prev = 0;
    c->next = bins[i];
    if (bins[i]) bins[i]->prev = c;
    bins[i] = c;
    markBin(i);
}

static void unlinkFree(Chunk *c) {
    unsigned i = binIndex(chunkSize(c));
    if (c->prev) c->prev->next = c->next; else bins[i] = c->next;
    if (c->next) c->next->prev = c->prev;
    if (!bins[i]) clearBin(i);
}

/// First non-empty bin with index >= `from`, or NBINS.
static unsigned nextNonEmptyBin(unsigned from) {
    unsigned word = from >> 5;
    if (word >= sizeof binMap / sizeof binMap[0]) return NBINS;
    uint32_t bits = binMap[word] & (~0u << (from & 31u));
    while (!bits) {
        word += 1;
        if (word >= sizeof binMap / sizeof binMap[0]) return NBINS;
        bits = binMap[word];
    }
    return word * 32u + (unsigned)__builtin_ctz(bits);
}

/// Marks a free chunk of `size` at `c` (whose predecessor is in use) and files it in a bin.
static void placeFree(Chunk *c, size_t size) {
    c->head = size | PINUSE;
    Chunk *after = chunkAt((uintptr_t)c + size);
    after->prevFoot = size;
    after->head &= ~(size_t)PINUSE;
    insertFree(c, size);
}

/// Returns chunk `c` (already unmarked as used) to the heap, merging it with free
/// neighbours and with the top.
static void releaseChunk(Chunk *c) {
    size_t size = chunkSize(c);
    if (!(c->head & PINUSE)) {
        Chunk *before = chunkAt((uintptr_t)c - c->prevFoot);
        unlinkFree(before);
        size += chunkSize(before);
        c = before;
    }
    Chunk *after = chunkAt((uintptr_t)c + size);
    if (after == top) {
        topSize += size;
        top = c;
        top->head = topSize | PINUSE;
        return;
    }
    if (!(after->head & CINUSE)) {
        unlinkFree(after);
        size += chunkSize(after);
    }
    placeFree(c, size);
}

static void initHeap(void) {
    // Payloads must be 16-aligned, so chunks start 8 bytes before a 16-byte boundary.
    uintptr_t start = (((uintptr_t)&__heap_base + HEADER + ALIGNMENT - 1u) & ~(uintptr_t)(ALIGNMENT - 1u)) - HEADER;
    uintptr_t end = (uintptr_t)__builtin_wasm_memory_size(0) * WASM_PAGE;
    heapStart = start;
    top = chunkAt(start);
    topSize = (end - start - HEADER) & ~(size_t)(ALIGNMENT - 1u);
    top->prevFoot = 0;
    top->head = topSize | PINUSE;
}

/// Grows the top so it holds at least `need` bytes plus a minimal chunk; false when the
/// host refuses more memory.
static int growTop(size_t need) {
    size_t missing = need + MIN_CHUNK - topSize;
    size_t pages = (missing + WASM_PAGE - 1u) / WASM_PAGE;
    if (pages < 16u) pages = 16u;    // grow at least 1 MiB at a time: fewer host calls
    uintptr_t topEnd = (uintptr_t)top + topSize;
    long oldPages = (long)__builtin_wasm_memory_grow(0, pages);
    if (oldPages < 0) {
        pages = (missing + WASM_PAGE - 1u) / WASM_PAGE;     // retry with just enough
        oldPages = (long)__builtin_wasm_memory_grow(0, pages);
        if (oldPages < 0) return 0;
    }
    growCount += 1;
    uintptr_t oldEnd = (uintptr_t)oldPages * WASM_PAGE;
    uintptr_t newEnd = oldEnd + pages * WASM_PAGE;
    if (topEnd + HEADER == oldEnd) {
        topSize = (newEnd - (uintptr_t)top - HEADER) & ~(size_t)(ALIGNMENT - 1u);
        top->head = topSize | PINUSE;
        return 1;
    }
    // Someone else grew memory in between: fence the old top off as a used chunk (it is
    // at least MIN_CHUNK) and start a new top in the fresh pages.
    top->head = topSize | PINUSE | CINUSE;
    usedBytes += topSize;
    uintptr_t start = ((oldEnd + HEADER + ALIGNMENT - 1u) & ~(uintptr_t)(ALIGNMENT - 1u)) - HEADER;
    top = chunkAt(start);
    topSize = (newEnd - start - HEADER) & ~(size_t)(ALIGNMENT - 1u);
    top->prevFoot = 0;
    top->head = topSize | PINUSE;
    return topSize >= need + MIN_CHUNK;
}

/// Splits the tail off a used chunk `c` so it keeps `size` bytes; the tail is released.
static void trimUsed(Chunk *c, size_t size) {
    size_t have = chunkSize(c);
    if (have - size < MIN_CHUNK) return;
    c->head = size | (c->head & FLAGS);
    Chunk *tail = chunkAt((uintptr_t)c + size);
    tail->head = (have - size) | PINUSE;   // tail is unused; `releaseChunk` files it
    usedBytes -= have - size;
    releaseChunk(tail);
}

/// Takes free chunk `c` (already unlinked) for a request of `size` bytes.
static void *useFree(Chunk *c, size_t size) {
    size_t have = chunkSize(c);
    c->head = have | PINUSE | CINUSE;
    nextChunk(c)->head |= PINUSE;
    usedBytes += have;
    if (have - size >= MIN_CHUNK) trimUsed(c, size);
    return payload(c);
}

static void *allocate(size_t n) {
    if (!top) initHeap();
    if (n > MAX_REQUEST) return 0;
    size_t size = requestSize(n);
    unsigned i = binIndex(size);
    if (i < SMALL_BINS) {
        if (bins[i]) {
            Chunk *c = bins[i];
            unlinkFree(c);
            return useFree(c, size);
        }
    } else if (bins[i]) {
        // Sizes in a large bin vary: take the best fit there.
        Chunk *best = 0;
        for (Chunk *c = bins[i]; c; c = c->next) {
            size_t have = chunkSize(c);
            if (have >= size && (!best || have < chunkSize(best))) {
                best = c;
                if (have == size) break;
            }
        }
        if (best) {
            unlinkFree(best);
            return useFree(best, size);
        }
    }
    // Any chunk in a higher bin is big enough; the lowest such bin wastes the least.
    unsigned j = nextNonEmptyBin(i + 1u);
    if (j < NBINS) {
        Chunk *c = bins[j];
        unlinkFree(c);
        return useFree(c, size);
    }
    if (topSize < size + MIN_CHUNK && !growTop(size)) return 0;
    Chunk *c = top;
    top = chunkAt((uintptr_t)c + size);
    topSize -= size;
    top->head = topSize | PINUSE;
    c->head = size | (c->head & PINUSE) | CINUSE;
    usedBytes += size;
    return payload(c);
}

static int isOurs(void *p) {
    uintptr_t a = (uintptr_t)p;
    return top && (a & (ALIGNMENT - 1u)) == 0 && a > heapStart && a < (uintptr_t)top
        && (chunkOf(p)->head & CINUSE);
}

void *malloc(size_t n) { return allocate(n ? n : 1u); }

void free(void *p) {
    // Ignore null, foreign and already-freed pointers rather than corrupt the heap.
    if (!p || !isOurs(p)) return;
    Chunk *c = chunkOf(p);
    usedBytes -= chunkSize(c);
    c->head &= ~(size_t)CINUSE;
    nextChunk(c)->head &= ~(size_t)PINUSE;
    releaseChunk(c);
}

/// JS entry points: a buffer for file bytes or results, and its release.
__attribute__((export_name("vitrine_alloc")))
void *vitrine_alloc(size_t n) { return malloc(n); }

__attribute__((export_name("vitrine_free")))
void vitrine_free(void *p) { free(p); }

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);

void *calloc(size_t count, size_t size) {
    size_t n;
    if (__builtin_mul_overflow(count, size, &n)) return 0;
    void *p = malloc(n);
    if (p) memset(p, 0, n);
    return p;
}

void *realloc(void *p, size_t n) {
    if (!p) return malloc(n);
    if (!isOurs(p)) return 0;
    if (n > MAX_REQUEST) return 0;
    Chunk *c = chunkOf(p);
    size_t have = chunkSize(c);
    size_t size = requestSize(n ? n : 1u);
    if (size <= have) {
        trimUsed(c, size);
        return p;
    }
    Chunk *after = nextChunk(c);
    if (after == top && have + topSize >= size + MIN_CHUNK) {
        size_t extra = size - have;
        top = chunkAt((uintptr_t)c + size);
        topSize -= extra;
        top->head = topSize | PINUSE;
        c->head = size | (c->head & FLAGS);
        usedBytes += extra;
        return p;
    }
    if (after != top && !(after->head & CINUSE) && have + chunkSize(after) >= size) {
        size_t merged = have + chunkSize(after);
        unlinkFree(after);
        c->head = merged | (c->head & FLAGS);
        nextChunk(c)->head |= PINUSE;
        usedBytes += merged - have;
        trimUsed(c, size);
        return p;
    }
    void *q = allocate(n);
    if (!q) return 0;
    memcpy(q, p, have - HEADER);
    free(p);
    return q;
}

int posix_memalign(void **out, size_t alignment, size_t n) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1u))) return EINVAL;
    if (alignment <= ALIGNMENT) {
        void *p = malloc(n);
        if (!p) return ENOMEM;
        *out = p;
        return 0;
    }
    if (n > MAX_REQUEST - alignment - MIN_CHUNK) return ENOMEM;
    void *raw = malloc(n + alignment + MIN_CHUNK);
    if (!raw) return ENOMEM;
    uintptr_t a = ((uintptr_t)raw + alignment - 1u) & ~(uintptr_t)(alignment - 1u);
    Chunk *c = chunkOf(raw);
    if (a != (uintptr_t)raw) {
        // Give the leading gap back as its own free chunk (the gap is a multiple of 16).
        size_t lead = a - (uintptr_t)raw;
        size_t have = chunkSize(c);
        Chunk *aligned = chunkOf((void *)a);
        c->head = lead | (c->head & PINUSE) | CINUSE;
        aligned->head = (have - lead) | PINUSE | CINUSE;
        free(raw);
        c = aligned;
    }
    trimUsed(c, requestSize(n ? n : 1u));
    *out = payload(c);
    return 0;
}

void *aligned_alloc(size_t alignment, size_t n) {
    void *p = 0;
    return posix_memalign(&p, alignment, n) == 0 ? p : 0;
}

/// JS entry points for buffers that grow (streamed input) or need wide alignment.
__attribute__((export_name("vitrine_realloc")))
void *vitrine_realloc(void *p, size_t n) { return realloc(p, n); }

__attribute__((export_name("vitrine_aligned_alloc")))
void *vitrine_aligned_alloc(size_t alignment, size_t n) { return aligned_alloc(alignment, n); }

void *memalign(size_t alignment, size_t n) { return aligned_alloc(alignment, n); }

size_t malloc_usable_size(void *p) {
    return p && isOurs(p) ? chunkSize(chunkOf(p)) - HEADER : 0;
}

void wasm_heap_stats(WasmHeapStats *out) {
    if (!top) initHeap();
    size_t freeBytes = topSize, largest = topSize, chunks = 0;
    for (unsigned i = 0; i < NBINS; i++) {
        for (Chunk *c = bins[i]; c; c = c->next) {
            size_t size = chunkSize(c);
            freeBytes += size;
            if (size > largest) largest = size;
            chunks += 1;
        }
    }
    out->heapBytes = (uintptr_t)top + topSize - heapStart;
    out->usedBytes = usedBytes;
    out->freeBytes = freeBytes;
    out->largestFreeBytes = largest;
    out->freeChunks = chunks;
    out->growCount = growCount;
}

__attribute__((export_name("vitrine_heap_stats")))
void vitrine_heap_stats(WasmHeapStats *out) { wasm_heap_stats(out); }

// ---- memory and string functions ----
// Compiled with -mbulk-memory, the builtins below become single memory.copy / memory.fill
// instructions, which engines run at memcpy speed.

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    __builtin_memcpy(dst, src, n);
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    __builtin_memmove(dst, src, n);   // memory.copy handles overlap
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    __builtin_memset(dst, c, n);
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    // Compare a word at a time while both agree, then find the differing byte.
    while (n >= 4u) {
        uint32_t u, v;
        __builtin_memcpy(&u, x, 4u);
        __builtin_memcpy(&v, y, 4u);
        if (u != v) break;
        x += 4; y += 4; n -= 4u;
    }
    for (; n; n--, x++, y++) {
        if (*x != *y) return (int)*x - (int)*y;
    }
    return 0;
}

int bcmp(const void *a, const void *b, size_t n) { return memcmp(a, b, n); }

size_t strlen(const char *s) {
    const char *p = s;
    while (*p) p++;
    return (size_t)(p - s);
}

int strcmp(const char *a, const char *b) {
    while (*a && *a == *b) { a++; b++; }
    return (int)(unsigned char)*a - (int)(unsigned char)*b;
}

// ---- what the Embedded Swift runtime and compiler-emitted code reference ----

/// Embedded Swift's `print` writes bytes here; there is no console, so they are dropped.
int putchar(int c) { return c; }

_Noreturn void abort(void) { __builtin_trap(); }

uintptr_t __stack_chk_guard = 0x5ca1ab1eu;
_Noreturn void __stack_chk_fail(void) { __builtin_trap(); }

/// Seeds Swift's hashing. Determinism is fine here (no untrusted keys collide on purpose
/// inside one page's parse), so a fixed xorshift stream stands in for real randomness.
void arc4random_buf(void *buffer, size_t n) {
    static uint32_t state = 0x9E3779B9u;
    uint8_t *p = buffer;
    for (size_t i = 0; i < n; i++) {
        state ^= state << 13; state ^= state >> 17; state ^= state << 5;
        p[i] = (uint8_t)state;
    }
}

uint32_t arc4random(void) {
    uint32_t r;
    arc4random_buf(&r, sizeof r);
    return r;
}

/// C `round` (half away from zero); wasm's f64.nearest rounds half to even.
double round(double x) {
    double t = __builtin_trunc(x);
    if (__builtin_fabs(x - t) >= 0.5) t += __builtin_copysign(1.0, x);
    return t;
}

float roundf(float x) {
    float t = __builtin_truncf(x);
    if (__builtin_fabsf(x - t) >= 0.5f) t += __builtin_copysignf(1.0f, x);
    return t;
}

#endif
