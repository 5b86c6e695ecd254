// SPDX-License-Identifier: MIT
// lfstack: Go's lock-free stack of intrusive nodes (lfstack.go).
//
// The head is a tagged pointer (tagptr.hpp): the top node and that node's
// push count. ABA -- pop reads node A and A->next == B, others pop A and B
// and push A back, and pop's CAS would install the stale B -- cannot
// happen, because A's second push bumped its count and the head no longer
// equals the word pop read. The count has 19 bits, as on Go's amd64: a
// node would have to be pushed 2^19 times while one pop stalls between
// its two loads.
//
// Nodes are never unmapped while any stack may hold them (the span set's
// blocks live forever), so pop may read node->next of a node that another
// thread popped meanwhile: the value is then discarded by the failing CAS.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/fatal.hpp"
#include "runtime/tagptr.hpp"

namespace cbridge::rt {

struct LFNode {
  // The packed word of the node below, while this one is on a stack.
  // Atomic: a stalled pop may read it while its owner pushes the node again.
  std::atomic<uint64_t> next{0};
  // Bumped by every push; written only by the thread that owns the node
  // (it popped or made it), and ordered to the next owner by the head's
  // release/acquire.
  uint64_t pushcnt = 0;
};

class LFStack {
 public:
  void push(LFNode* node) {
    node->pushcnt++;
    uint64_t word = tagptr::pack(node, node->pushcnt);
    if (tagptr::pointer(word) != node) fatal("lfstack.push: invalid packing: node=%p", static_cast<void*>(node));
    uint64_t old = head_.load(std::memory_order_relaxed);
    do {
      node->next.store(old, std::memory_order_relaxed);
      // release: the node's contents (and whatever its owner wrote into it
      // before giving it up) are visible to the pop that takes it.
    } while (!head_.compare_exchange_weak(old, word, std::memory_order_release, std::memory_order_relaxed));
  }

  LFNode* pop() {
    // acquire: pairs with push's release, so node->next is the pushed value.
    uint64_t old = head_.load(std::memory_order_acquire);
    for (;;) {
      if (old == 0) return nullptr;
      auto* node = static_cast<LFNode*>(tagptr::pointer(old));
      uint64_t next = node->next.load(std::memory_order_relaxed);
      if (head_.compare_exchange_weak(old, next, std::memory_order_acquire, std::memory_order_acquire))
        return node;
    }
  }

  bool empty() const { return head_.load(std::memory_order_relaxed) == 0; }

 private:
  std::atomic<uint64_t> head_{0};
};

}  // namespace cbridge::rt
