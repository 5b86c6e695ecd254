// SPDX-License-Identifier: MIT
// The budget of memory-map entries (vm.max_map_count) task stacks may use.
//
// Linux limits how many mappings (VMAs) a process has; past the limit
// mmap and mprotect fail with ENOMEM, and so do malloc (a new arena or a
// large block is a mapping), pthread_create (stack + guard) and any mmap
// of the host program. A guarded task stack costs two entries (the
// mapping and the PROT_NONE region mprotect splits off), so live tasks
// alone could take them all. The runtime keeps a reserve for the rest of
// the process: guarded stacks may be made while the process's map count
// stays below limit - reserve; past that, stacks come unguarded from
// chunk mappings (stack_chunk.hpp) that cost ~no entries, until the count
// falls again. How the count is known is in stack_maps_linux.cpp.
#pragma once

#include <cstdint>

namespace cbridge::rt {

// mapsRoomForGuard says whether a guarded stack (two entries) may be made
// now. It reads the runtime's estimate, and counts the real entries only
// when the estimate crosses a check point: never per call.
bool mapsRoomForGuard();
// mapsAdded records entries the runtime itself added (n > 0) or removed
// (n < 0): an mmap, a split by mprotect, a munmap.
void mapsAdded(int64_t n);
// mapsExhausted is asked after an mmap or mprotect of a guarded stack
// failed with ENOMEM: it recounts and says whether the map count is the
// cause (then the caller falls back to an unguarded stack; otherwise it is
// out of memory).
bool mapsExhausted();
// mapsScavenge is sysmon's periodic look (from stackscavenge): it
// recounts now and then, so that entries the host program mapped or
// unmapped itself are seen (and freed ones bring guarded stacks back).
void mapsScavenge();

struct MapsState {
  int64_t limit;     // vm.max_map_count
  int64_t reserve;   // entries kept for the rest of the process
  int64_t estimate;  // entries the process uses, as last counted plus the runtime's own since
  uint64_t recounts; // reads of /proc/self/maps
};
MapsState mapsState();

}  // namespace cbridge::rt
