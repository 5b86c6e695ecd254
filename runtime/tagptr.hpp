// SPDX-License-Identifier: MIT
// A pointer and a tag in one 64-bit word, as Go's taggedPointer
// (tagptr_64bit.go): user-space addresses on amd64 and arm64 fit in 48
// bits, and the objects tagged here are 8-byte aligned, so the word has
// 64 - 48 + 3 = 19 bits left for the tag. A word is read and compared in
// one atomic operation, which is what the users need: lfstack's head
// (pointer + push count, against ABA) and the span set's spine slots
// (block + the lap it serves). The netpoller's entries carry one through
// the kernel (pollDesc + source and fdseq, netpoll.hpp's polltag): this is
// the one place that knows how a pointer and a tag share a word.
#pragma once

#include <cstdint>

namespace cbridge::rt::tagptr {

constexpr int kAddrBits = 48;
constexpr int kTagBits = 64 - kAddrBits + 3;
constexpr uint64_t kTagMask = (uint64_t(1) << kTagBits) - 1;

inline uint64_t pack(const void* p, uint64_t tag) {
  return uint64_t(reinterpret_cast<uintptr_t>(p)) << (64 - kAddrBits) | (tag & kTagMask);
}

// The arithmetic shift restores the upper bits of the address: zero for
// user space, where everything tagged here lives.
inline void* pointer(uint64_t word) {
  return reinterpret_cast<void*>(uintptr_t(int64_t(word) >> kTagBits << 3));
}

inline uint64_t tag(uint64_t word) { return word & kTagMask; }

// packable says whether p survives the round trip: 8-byte aligned and
// within 48 bits. Checked once per object, when it is made.
inline bool packable(const void* p) { return pointer(pack(p, kTagMask)) == p; }

}  // namespace cbridge::rt::tagptr
