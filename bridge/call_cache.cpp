// SPDX-License-Identifier: MIT
#include "bridge/call_cache.hpp"

#include <list>
#include <string>
#include <unordered_map>

#include "cbridge/cbridge.h"
#include "runtime/lock.hpp"

namespace cbridge::bridge {

namespace {

// A program that builds signatures at run time (a different struct layout
// per call, a formatting bug) would grow an unbounded cache forever; an LRU
// of a few hundred keeps every program with a fixed set of signatures at
// one parse each, and costs the others a parse (microseconds) per miss.
// Invariants, under lock: index holds exactly one entry per node of
// order, keyed by a view of that node's own string (list nodes never move,
// so the view stays valid until the node is erased, index entry first);
// order runs from most to least recently used; order.size() <=
// CBRIDGE_SIGNATURE_CACHE_SIZE after every insertion. The counters are
// only written under lock.
struct Entry {
  std::string signature;
  std::shared_ptr<const PreparedCall> call;
};

struct CallCache {
  rt::Lock lock{rt::LockRank::CallCache};
  std::list<Entry> order GUARDED_BY(lock);
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index GUARDED_BY(lock);
  uint64_t hits GUARDED_BY(lock) = 0;
  uint64_t misses GUARDED_BY(lock) = 0;
  uint64_t evictions GUARDED_BY(lock) = 0;
};

CallCache& cache() {
  static CallCache* c = new CallCache;  // never destroyed: calls may run at exit
  return *c;
}

}  // namespace

std::shared_ptr<const PreparedCall> preparedCall(std::string_view signature) {
  CallCache& c = cache();
  {
    rt::LockGuard g(c.lock);
    auto it = c.index.find(signature);
    if (it != c.index.end()) {
      c.hits++;
      c.order.splice(c.order.begin(), c.order, it->second);
      return it->second->call;
    }
    c.misses++;
  }
  // Parsed outside the lock: a long signature takes a while, and a parse
  // error must not leave the cache locked.
  auto fresh = std::make_shared<const PreparedCall>(std::string(signature));
  rt::LockGuard g(c.lock);
  auto it = c.index.find(signature);
  if (it != c.index.end()) return it->second->call;  // another thread cached it first
  c.order.push_front(Entry{std::string(signature), fresh});
  c.index.emplace(c.order.front().signature, c.order.begin());
  while (c.order.size() > CBRIDGE_SIGNATURE_CACHE_SIZE) {
    c.index.erase(c.order.back().signature);
    c.order.pop_back();
    c.evictions++;
  }
  return fresh;
}

CallCacheStats callCacheStats() {
  CallCache& c = cache();
  rt::LockGuard g(c.lock);
  return {c.order.size(), c.hits, c.misses, c.evictions};
}

}  // namespace cbridge::bridge
