// SPDX-License-Identifier: MIT
// cbridge_call's per-thread signature cache, in front of the shared LRU
// (call_cache.cpp). A hit in the shared cache costs a lock that every
// calling thread shares and a shared_ptr copy (two atomic RMWs on one
// line): over a fast foreign call that is most of the cost. Here a thread
// keeps its last kLocalCallCacheSize signatures with their prepared calls
// and finds them by comparing text: no lock, no atomic.
//
// Keyed by the text, never by the pointer alone: a caller may reuse one
// buffer for different signatures (sprintf into a char[64]), and the
// pointer would then find the previous signature's call.
//
// Invariants (all state is the thread's own; no other thread reads it):
//  - entries [0, n) hold a signature and a reference to its PreparedCall,
//    most recently used first; n <= kLocalCallCacheSize;
//  - an entry's reference is dropped (which may free the PreparedCall,
//    when the shared cache evicted it too) only when foreignCallDepth()
//    is 0: no PreparedCall::call is in progress on this thread, so none can
//    be using it. A call reads its PreparedCall only before its foreign
//    part starts or while it runs (prepared_call.cpp), and between the lookup and the start of
//    its call nothing else runs on the thread (no switch: the task is in
//    cbridge's own code, where no preemption lands). A lookup nested in a
//    call (from a callback) that misses goes to the shared cache and holds
//    its result itself, leaving the entries alone.

#include <string>

#include "bridge/call_cache.hpp"
#include "runtime/os.hpp"
#include "runtime/attributes.hpp"

namespace cbridge::bridge {

namespace {

struct LocalEntry {
  std::string signature;
  std::shared_ptr<const PreparedCall> call;
};

struct LocalCache {
  LocalEntry entries[kLocalCallCacheSize];
  size_t n = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
};

// initial-exec: read on every cbridge_call. The cache itself is made on a
// thread's first call and freed at its exit by the key's destructor.
CBRIDGE_TLS_INITIAL_EXEC thread_local LocalCache* tlsCache = nullptr;

void freeCache(void* p) {
  // At thread exit no call of this thread is in progress.
  delete static_cast<LocalCache*>(p);
  tlsCache = nullptr;
}

// Out of line and not inlined anywhere: a task's thread-local address must
// not be cached across a switch (runtime/tls.cpp).
CBRIDGE_NOIPA LocalCache* localCache() {
  LocalCache* c = tlsCache;
  if (c == nullptr) {
    static rt::TlsKey cacheKey;
    static const bool haveKey = rt::tlskeycreate(&cacheKey, freeCache);
    c = new LocalCache;
    if (haveKey) rt::tlsset(cacheKey, c);
    tlsCache = c;
  }
  return c;
}

}  // namespace

// sameText is strcmp(a, b) == 0 for the short strings signatures are: a
// plain loop beats libc's vector strcmp, whose setup costs more than the
// comparison of 10 to 40 bytes.
inline bool sameText(const char* a, const char* b) {
  for (;; a++, b++) {
    if (*a != *b) return false;
    if (*a == '\0') return true;
  }
}

// promote moves entry i one place towards the front, by a swap: no
// reference is dropped, so this is safe at any depth. Out of line: the
// hit on the front entry saves no register for it.
CBRIDGE_NOINLINE const PreparedCall* promote(LocalCache* c, size_t i) {
  std::swap(c->entries[i], c->entries[i - 1]);
  return c->entries[i - 1].call.get();
}

CBRIDGE_NOIPA const PreparedCall* localCachedCall(const char* signature) noexcept {
  LocalCache* c = tlsCache;
  if (c == nullptr) return nullptr;
  for (size_t i = 0; i < c->n; i++) {
    if (!sameText(c->entries[i].signature.c_str(), signature)) continue;
    c->hits++;
    return i == 0 ? c->entries[0].call.get() : promote(c, i);
  }
  return nullptr;
}

CBRIDGE_NOIPA const PreparedCall* cachedCall(const char* signature,
                                                       std::shared_ptr<const PreparedCall>* hold) {
  if (const PreparedCall* pc = localCachedCall(signature)) return pc;
  LocalCache* c = localCache();
  c->misses++;
  std::shared_ptr<const PreparedCall> pc = preparedCall(signature);  // may throw: nothing changed
  if (foreignCallDepth() > 0) {
    *hold = std::move(pc);
    return hold->get();
  }
  // Insert at the front; the last entry falls out when full.
  if (c->n < kLocalCallCacheSize) c->n++;
  for (size_t i = c->n - 1; i > 0; i--) c->entries[i] = std::move(c->entries[i - 1]);
  c->entries[0].signature = signature;
  c->entries[0].call = std::move(pc);
  return c->entries[0].call.get();
}

LocalCallCacheStats localCallCacheStats() {
  LocalCache* c = localCache();
  return {c->n, c->hits, c->misses};
}

}  // namespace cbridge::bridge
