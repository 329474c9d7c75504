// A cache hint Swift cannot spell: PREFETCHT0 through the compiler builtin. Static inline, so
// the Swift compiler inlines it into the kernels that call it (one instruction, no call).
#ifndef APUS_PREFETCH_H
#define APUS_PREFETCH_H

/// Asks the cache hierarchy to fetch the line holding `address` for reading; never faults.
static inline void apus_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
