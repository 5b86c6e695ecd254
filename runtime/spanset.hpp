// SPDX-License-Identifier: MIT
// A span set: a concurrent, unordered set of pointers with lock-free push
// and pop -- Go's spanSet (mspanset.go), serving the runtime's free lists
// that all Ps share (free Gs, the stack cache, free pollDescs).
//
// The set is a spine of fixed-size blocks (N entries each, 512 as in Go)
// and one 64-bit word, the headTailIndex, holding the head and the tail:
// 32-bit indexes into the concatenation of the blocks, head <= tail. A
// push claims the tail (index tail goes to tail+1), finds or installs the
// block of that index and publishes the item into its slot. A pop claims
// the head with a CAS, waits until the claimed slot's item is published
// (the pusher that claimed it is between its claim and its store), reads
// it and clears the slot.
//
// A block is freed, back to a pool of blocks kept on a lock-free stack
// (lfstack.hpp), by the pop that brings the block's popped count to N --
// not by the pop that claimed the block's last slot. That is the seed's
// fix (Go commit 39380e8e, "fix block leak due to race in span set"): the
// claimer of the last slot may finish before the claimer of an earlier
// slot has read it, and then either it frees a block still being read or,
// as Go's old rule did with its "used" count, nobody frees it at all.
// popped only grows, and only when a pop is completely done, so the pop
// that brings it to N is the last one on that block: every other popper
// has read its slot, and no pusher can come (every slot was claimed).
//
// Where cbridge differs from Go, and why. Go resets its span sets at every
// garbage collection, while the world is stopped; so its indexes start
// from zero every cycle, and its spine, which only grows, stays small.
// cbridge has no stop-the-world and its free lists live as long as the
// process, so:
//   - the indexes wrap around 2^32, and the set is empty when head ==
//     tail rather than when head >= tail;
//   - the spine is a ring of C (a power of two) block slots, part of the
//     set: index i is in the block of lap top = i/N, held by ring slot
//     top % C. A slot's word is a tagged pointer (tagptr.hpp): the block
//     and the lap it serves, read in one load, so a pop or push never takes
//     the previous lap's block (still being emptied) for its own;
//   - a push that would take the set past C-1 blocks of items fails
//     (returns false; its caller keeps or frees the item), because the
//     ring slot of a new lap must be free of the block of the lap before:
//     with at most (C-1)*N items, every slot of that older block has been
//     claimed by a pop, and its last popper is about to free it;
//   - a block is installed into its ring slot by CAS, not under Go's
//     spineLock: the ring never grows, so there is no spine to copy, and a
//     pusher that loses the race gives its block back to the pool.
// reset() is Go's: for a quiescent, empty set only, and it fails loudly
// when a block was leaked.
//
// Blocks are never unmapped (Go's persistentalloc): a stalled pop may read
// a spine word naming a block that was freed and reused meanwhile, and the
// lfstack reads the link of a node that may be reused. The pool also keeps
// every block on a plain list, so that the items held in blocks stay
// reachable for LeakSanitizer.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>

#include "runtime/attributes.hpp"
#include "runtime/fatal.hpp"
#include "runtime/lfstack.hpp"
#include "runtime/os.hpp"
#include "runtime/tagptr.hpp"

namespace cbridge::rt {

// The set's test hooks. The runtime's sets use these, which compile to
// nothing; tests pass their own (see tests/spanset_test.cpp) to pause a
// popper between its claim and its read, and to switch to the seed's old
// freeing rule, which must be seen to leak.
struct NoSpanSetHooks {
  static constexpr bool kOldFreeRule = false;
  // Where the indexes start: tests start near 2^32 to cross the wrap.
  static constexpr uint32_t kStartIndex = 0;
  static void afterClaim(uint32_t /*head*/) {}
  static void afterRead(uint32_t /*head*/) {}
  static void beforeFree(const void* /*block*/) {}
};

// The old rule's per-block count of items pushed and not yet popped;
// empty (and taking no room) under the seed's rule.
template <bool Old>
struct SpanSetUsed {};
template <>
struct SpanSetUsed<true> {
  std::atomic<uint32_t> used{0};
};

template <uint32_t N, bool OldFreeRule>
struct SpanSetBlock {
  LFNode lfnode;  // the pool's link
  // The pops finished on this block in its current lap. The pop that
  // brings it to N frees the block; the pool zeroes it.
  std::atomic<uint32_t> popped{0};
  [[no_unique_address]] SpanSetUsed<OldFreeRule> old;
  // Every block ever made, for LeakSanitizer; set once, when made.
  SpanSetBlock* allnext = nullptr;
  // nullptr while free: a pop waits for its slot to become non-null.
  std::atomic<void*> slots[N] = {};
};

// The pool of free blocks of one kind: an lfstack, and blocks made on
// demand and never unmapped. One global pool serves all the runtime's
// sets; tests make their own (static, so that LeakSanitizer still finds
// the blocks at exit) to account for blocks. Constant-initialized and
// trivially destructible, like the sets: usable before main and by
// threads still running after exit starts.
template <class Block>
class SpanSetBlockPool {
 public:
  constexpr SpanSetBlockPool() = default;
  static SpanSetBlockPool global;

  Block* alloc() {
    if (LFNode* n = stack_.pop()) {
      pooled_.fetch_sub(1, std::memory_order_relaxed);
      return reinterpret_cast<Block*>(n);
    }
    auto* b = new (std::align_val_t(64), std::nothrow) Block;
    if (b == nullptr) fatal("out of memory allocating a span set block (%zu bytes)", sizeof(Block));
    if (!tagptr::packable(b)) fatal("span set block at %p does not fit a tagged pointer", static_cast<void*>(b));
    // Blocks only join the list, which no code reads: it is there for
    // LeakSanitizer's scan at exit. release: allnext before the block is
    // on the list.
    Block* head = all_.load(std::memory_order_relaxed);
    do b->allnext = head;
    while (!all_.compare_exchange_weak(head, b, std::memory_order_release, std::memory_order_relaxed));
    made_.fetch_add(1, std::memory_order_relaxed);
    return b;
  }

  // free takes a block with every slot cleared. popped is zeroed before
  // the lfstack's release push, so the next owner sees zero.
  void free(Block* b) {
    b->popped.store(0, std::memory_order_relaxed);
    pooled_.fetch_add(1, std::memory_order_relaxed);
    stack_.push(&b->lfnode);
  }

  // Accounting, exact only at quiescence: blocks made, and blocks in the
  // pool.
  int64_t made() const { return made_.load(std::memory_order_relaxed); }
  int64_t pooled() const { return pooled_.load(std::memory_order_relaxed); }

 private:
  static_assert(offsetof(Block, lfnode) == 0, "the lfnode is the block's address");
  LFStack stack_;
  std::atomic<Block*> all_{nullptr};
  std::atomic<int64_t> made_{0};
  std::atomic<int64_t> pooled_{0};
};

template <class Block>
constinit SpanSetBlockPool<Block> SpanSetBlockPool<Block>::global{};

// C is the ring's number of block slots and N a block's entries: the set
// holds up to (C-1)*N items. The spine is part of the set, zero (empty)
// when constructed, so a set in static storage costs nothing until its
// pages are first reached.
template <class T, uint32_t C, uint32_t N = 512, class Hooks = NoSpanSetHooks>
class SpanSet {
  static_assert(N >= 2 && (N & (N - 1)) == 0, "block size: a power of two");
  static_assert(C >= 2 && (C & (C - 1)) == 0, "ring: a power of two of at least 2 blocks");
  static_assert(uint64_t(C) * N <= (uint64_t(1) << 31), "at most 2^31 entries: the indexes are 32 bits");
  static_assert(C < (uint32_t(1) << tagptr::kTagBits), "laps top and top-C must differ in the spine word's tag");

 public:
  using Block = SpanSetBlock<N, Hooks::kOldFreeRule>;
  using Pool = SpanSetBlockPool<Block>;

  constexpr explicit SpanSet(Pool& pool = Pool::global) : pool_(&pool) {}
  // No destructor: the runtime's sets live as long as the process, and a
  // set's blocks are the pool's (reset() gives back the last one).
  SpanSet(const SpanSet&) = delete;
  SpanSet& operator=(const SpanSet&) = delete;

  // push adds item (not nullptr), or returns false when the set holds
  // capacity() items. Safe with concurrent pushes and pops.
  bool push(T* item) {
    // Claim the tail. A CAS where Go adds: the bound must be checked in
    // the same step. relaxed: the index orders nothing by itself; the
    // item is published by its slot, the block by its spine word.
    uint64_t ht = index_.load(std::memory_order_relaxed);
    uint32_t cursor;
    for (;;) {
      uint32_t head = headOf(ht), tail = tailOf(ht);
      if (tail - head >= kCapacity) return false;
      if (index_.compare_exchange_weak(ht, makeIndex(head, tail + 1), std::memory_order_relaxed,
                                       std::memory_order_relaxed)) {
        cursor = tail;
        break;
      }
    }
    Block* b = blockForPush(cursor / N);
    if constexpr (Hooks::kOldFreeRule) b->old.used.fetch_add(1, std::memory_order_relaxed);
    // release: the item's contents before the pointer, for the pop.
    b->slots[cursor % N].store(item, std::memory_order_release);
    return true;
  }

  // pop removes and returns an item, or nullptr if the set is empty -- or
  // seems so: while the head's block is still being installed, pop
  // reports empty rather than wait, as Go's does ("spinning on this is
  // almost definitely not worth it"). Safe with concurrent pushes and pops.
  T* pop() {
    uint64_t ht = index_.load(std::memory_order_relaxed);
    uint32_t head;
    for (;;) {
      head = headOf(ht);
      if (head == tailOf(ht)) return nullptr;
      // Go's spineLen check: is the head's block in place? relaxed: a hint;
      // the block is read only after the claim, through an acquire load.
      uint64_t w = spine_[(head / N) & kMask].load(std::memory_order_relaxed);
      if (w == 0 || tagptr::tag(w) != lapTag(head / N)) return nullptr;
      // Claim the head. A failure (another pop took it, or a push moved
      // the tail) reloads ht and starts over.
      if (index_.compare_exchange_weak(ht, makeIndex(head + 1, tailOf(ht)), std::memory_order_relaxed,
                                       std::memory_order_relaxed))
        break;
    }
    Hooks::afterClaim(head);
    uint32_t top = head / N, bottom = head % N;
    std::atomic<uint64_t>& spineSlot = spine_[top & kMask];
    // Our claim pins the block: it cannot be freed before this pop counts
    // itself in popped. It was in place when checked above; the reload
    // (acquire: pairs with the install's release, so the block's state is
    // seen) only guards against the 32-bit head having wrapped all the way
    // round between the check and the claim.
    Block* b = waitForBlock(spineSlot, top);
    void* item = b->slots[bottom].load(std::memory_order_acquire);
    for (int spins = 0; item == nullptr; spins++) {
      // The pusher that claimed this slot has not stored it yet: a few
      // instructions away, unless its thread was descheduled.
      backoff(spins);
      item = b->slots[bottom].load(std::memory_order_acquire);
    }
    Hooks::afterRead(head);
    // Clear the slot: the block's next lap must start with every slot
    // empty. relaxed: the block reaches its next user through popped's
    // acq_rel and the pool's release/acquire.
    b->slots[bottom].store(nullptr, std::memory_order_relaxed);
    if (lastPopper(b, bottom)) {
      // Every other pop on this block has read its slot (its acq_rel add
      // came before ours), and every slot was claimed: nobody else can
      // reach the block now. release on the spine word: a pusher of the
      // next lap that sees the slot free sees the block's pops done.
      spineSlot.store(0, std::memory_order_release);
      Hooks::beforeFree(b);
      pool_->free(b);
    }
    return static_cast<T*>(item);
  }

  // size is the number of items, racy unless quiescent.
  uint32_t size() const {
    uint64_t ht = index_.load(std::memory_order_relaxed);
    return tailOf(ht) - headOf(ht);
  }
  static constexpr uint32_t capacity() { return kCapacity; }

  // reset empties the spine of a set that is empty and quiescent (no push
  // or pop in progress), and sets the indexes back to the start, as Go's
  // reset; it is a fatal error to call it otherwise, and so is finding a
  // block that should have been freed.
  void reset() {
    uint64_t ht = index_.load(std::memory_order_acquire);
    uint32_t head = headOf(ht), tail = tailOf(ht);
    if (head != tail) fatal("attempt to clear non-empty span set (head = %u, tail = %u)", head, tail);
    // The block holding the head, when the head is inside one, stays in
    // the spine since it could be pushed into again; free it now.
    uint32_t top = head / N;
    std::atomic<uint64_t>& slot = spine_[top & kMask];
    if (uint64_t w = slot.load(std::memory_order_acquire); w != 0 && tagptr::tag(w) == lapTag(top)) {
      auto* b = static_cast<Block*>(tagptr::pointer(w));
      uint32_t popped = b->popped.load(std::memory_order_relaxed);
      // Zero pops means an item was pushed and not popped.
      if (popped == 0) fatal("span set block with unpopped elements found in reset");
      // N pops means the last popper did not free it.
      if (popped == N) fatal("fully empty unfreed span set block found in reset");
      slot.store(0, std::memory_order_relaxed);
      pool_->free(b);
    }
    // Every earlier lap's block was freed by its last popper.
    for (uint32_t i = 0; i < C; i++)
      if (uint64_t w = spine_[i].load(std::memory_order_relaxed); w != 0)
        fatal("span set block leaked: ring slot %u holds the block of lap %llu, fully popped, never freed", i,
              static_cast<unsigned long long>(tagptr::tag(w)));
    index_.store(makeIndex(Hooks::kStartIndex, Hooks::kStartIndex), std::memory_order_release);
  }

  // spineBlocks counts the blocks in the ring; exact only at quiescence.
  uint32_t spineBlocks() const {
    uint32_t n = 0;
    for (uint32_t i = 0; i < C; i++) n += spine_[i].load(std::memory_order_relaxed) != 0;
    return n;
  }

 private:
  static constexpr uint32_t headOf(uint64_t ht) { return uint32_t(ht >> 32); }
  static constexpr uint32_t tailOf(uint64_t ht) { return uint32_t(ht); }
  static constexpr uint64_t makeIndex(uint32_t head, uint32_t tail) { return uint64_t(head) << 32 | tail; }
  // The tag of a lap's spine word: the lap's index. Laps top and top - C,
  // the two that may meet in one ring slot, differ in it, since C < 2^19.
  static uint64_t lapTag(uint32_t top) { return top & tagptr::kTagMask; }

  static void backoff(int spins) {
    if (spins < 64)
      procyield();
    else
      osyield();
  }

  // blockForPush returns the block of lap top, installing one when it is
  // not there yet. The ring slot may still hold the previous lap's block:
  // push's bound guarantees all of that block's slots were claimed, so its
  // last popper is about to free it; wait for that.
  Block* blockForPush(uint32_t top) {
    std::atomic<uint64_t>& slot = spine_[top & kMask];
    // acquire: pairs with the installer's release (the block's state) and
    // with the freeing pop's release (the old block's pops are done).
    uint64_t w = slot.load(std::memory_order_acquire);
    for (int spins = 0;; spins++) {
      if (w != 0 && tagptr::tag(w) == lapTag(top)) return static_cast<Block*>(tagptr::pointer(w));
      if (w != 0) {
        backoff(spins);
        w = slot.load(std::memory_order_acquire);
        continue;
      }
      Block* b = pool_->alloc();
      // release: the block's empty state before it is seen in the ring.
      if (slot.compare_exchange_strong(w, tagptr::pack(b, lapTag(top)), std::memory_order_acq_rel,
                                       std::memory_order_acquire))
        return b;
      pool_->free(b);  // another pusher of this lap installed first
    }
  }

  Block* waitForBlock(std::atomic<uint64_t>& slot, uint32_t top) {
    uint64_t w = slot.load(std::memory_order_acquire);
    for (int spins = 0; w == 0 || tagptr::tag(w) != lapTag(top); spins++) {
      backoff(spins);
      w = slot.load(std::memory_order_acquire);
    }
    return static_cast<Block*>(tagptr::pointer(w));
  }

  // lastPopper counts a finished pop on b, and says whether it is this
  // pop's job to free b.
  static bool lastPopper(Block* b, uint32_t bottom) {
    if constexpr (Hooks::kOldFreeRule) {
      // The seed's old rule: the claimer of the last slot frees the block
      // if it sees no item left in use. Leaks when an earlier slot's
      // popper finishes after it.
      return b->old.used.fetch_sub(1, std::memory_order_acq_rel) == 1 && bottom == N - 1;
    } else {
      // acq_rel: release publishes this pop's read of its slot; the add
      // that reaches N acquires every earlier pop's.
      (void)bottom;
      return b->popped.fetch_add(1, std::memory_order_acq_rel) + 1 == N;
    }
  }

  // The headTailIndex: head in the upper half, tail in the lower. Alone
  // on its cache line: every push and pop writes it.
  alignas(64) std::atomic<uint64_t> index_{makeIndex(Hooks::kStartIndex, Hooks::kStartIndex)};
  static constexpr uint32_t kMask = C - 1;
  static constexpr uint32_t kCapacity = (C - 1) * N;
  // Set by the constructor, then only read.
  alignas(64) Pool* const pool_;
  // The ring: slot top % C holds the tagged word of lap top's block, or 0.
  std::atomic<uint64_t> spine_[C] = {};
};

}  // namespace cbridge::rt
