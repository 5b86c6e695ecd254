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

struct CallCacheStats {
  size_t entries;      // signatures cached now
  uint64_t hits;       // lookups served from the cache
  uint64_t misses;     // lookups that parsed
  uint64_t evictions;  // entries dropped to stay within the bound
};
CallCacheStats callCacheStats();

}  // namespace cbridge::bridge
