// SPDX-License-Identifier: MIT
// The C API's prepared calls by signature text (cbridge_call): parsed once,
// kept for the CBRIDGE_SIGNATURE_CACHE_SIZE most recently used signatures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "bridge/prepared_call.hpp"

namespace cbridge::bridge {

// preparedCall returns the prepared call for signature: from the cache, or
// parsed now and cached, evicting the least recently used entry when the
// cache is full. The caller's reference keeps it alive when it is evicted
// meanwhile. Throws SignatureError.
std::shared_ptr<const PreparedCall> preparedCall(std::string_view signature);

// cachedCall is cbridge_call's lookup: first this thread's cache of its
// kLocalCallCacheSize most recently used signatures (compared by text, no
// lock, no reference count), then preparedCall. The result stays valid
// until this thread's next cachedCall or the end of a PreparedCall::call
// it starts next, whichever is later: *hold keeps it alive instead when it
// is not cached here (a lookup nested in a call on this thread never
// evicts). Throws SignatureError.
inline constexpr size_t kLocalCallCacheSize = 8;
const PreparedCall* cachedCall(const char* signature, std::shared_ptr<const PreparedCall>* hold);
// localCachedCall is cachedCall's first half: a hit in this thread's
// cache, or nullptr (then call cachedCall). It neither throws nor takes a
// lock.
const PreparedCall* localCachedCall(const char* signature) noexcept;

struct LocalCallCacheStats {
  size_t entries;  // signatures this thread keeps
  uint64_t hits;   // lookups this thread served itself
  uint64_t misses; // lookups that went to the shared cache
};
// localCallCacheStats is the calling thread's.
LocalCallCacheStats localCallCacheStats();

struct CallCacheStats {
  size_t entries;      // signatures cached now
  uint64_t hits;       // lookups served from the cache
  uint64_t misses;     // lookups that parsed
  uint64_t evictions;  // entries dropped to stay within the bound
};
CallCacheStats callCacheStats();

}  // namespace cbridge::bridge
