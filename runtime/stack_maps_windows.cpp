// SPDX-License-Identifier: MIT
// The memory-map budget on Windows: there is none to keep. Linux limits
// the mappings of a process (vm.max_map_count) and a guarded task stack
// costs two of them (stack_maps_linux.cpp); Windows has no such count: a
// guard region is a VirtualProtect of pages inside the stack's own
// reservation, which nothing outside memory itself limits. So a guarded
// stack is always allowed, a failed map or protect is never the count's
// fault (it is memory: the caller reports out of memory), and there is
// nothing to recount.
#include "runtime/stack_maps.hpp"

namespace cbridge::rt {

bool mapsRoomForGuard() { return true; }
void mapsAdded(int64_t) {}
bool mapsExhausted() { return false; }
void mapsScavenge() {}
// No limit, no reserve, nothing counted.
MapsState mapsState() { return {0, 0, 0, 0}; }

}  // namespace cbridge::rt
