// SPDX-License-Identifier: MIT
// Unguarded task stacks, carved many to a mapping, for when guarded ones
// would eat into the reserve of map entries (stack_maps.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace cbridge::rt {

struct Stack;

// chunkalloc returns an unguarded stack of size usable bytes (rounded to
// pages by the caller). Out of memory is a fatal error.
Stack* chunkalloc(size_t size);
// chunkfree returns s (s->pool != nullptr) to its pool.
void chunkfree(Stack* s);
// chunkscavenge gives back the pages of pooled stacks that stayed free for
// a whole period (madvise; the mappings stay). sysmon, via stackscavenge.
void chunkscavenge();
// chunkStacksMade counts unguarded stacks handed out, ever.
uint64_t chunkStacksMade();

}  // namespace cbridge::rt
