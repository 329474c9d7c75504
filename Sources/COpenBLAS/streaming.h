// Non-temporal ("streaming") vector stores for the tensor engine's large elementwise and row
// kernels. A result much larger than the caches is written straight to memory instead of
// being read into the cache first (the read-for-ownership a normal store costs), which saves
// a third of the memory traffic of a memory-bound op. Swift has no spelling for these, so
// they live here as static inline functions, marked always_inline: without the mark the
// release build left them as calls (with a vzeroupper each) in many Swift loops.
#ifndef APUS_STREAMING_H
#define APUS_STREAMING_H

typedef float apus_float8 __attribute__((vector_size(32)));

/// Stores 8 floats at `p` (32-byte aligned) without bringing the line into the cache.
static inline __attribute__((always_inline)) void apus_stream_store8(float *p, apus_float8 v) {
    __builtin_nontemporal_store(v, (apus_float8 *)p);
}

/// Orders earlier streaming stores before later stores (call before handing results over).
static inline __attribute__((always_inline)) void apus_store_fence(void) {
    __builtin_ia32_sfence();
}

#endif
