// SPDX-License-Identifier: MIT
// The type-erased channel (Go's hchan) under Chan<T> and select.
#pragma once

#include <cstddef>

#include "cbridge/export.h"

namespace cbridge::detail {

// ElemOps tells the runtime how to move and destroy elements of one type.
// Both functions null: the elements are plain bytes (cbridge.h's
// channels), moved with memcpy, where a null dst drops the element.
struct ElemOps {
  size_t size;
  size_t align;
  void (*moveConstruct)(void* dst, void* src);  // dst is raw storage; src stays alive
  void (*destroy)(void* p);
};

struct ChanCore;

CBRIDGE_EXPORT ChanCore* chanMake(const ElemOps* ops, size_t capacity);
CBRIDGE_EXPORT void chanRetain(ChanCore* c);
CBRIDGE_EXPORT void chanRelease(ChanCore* c);

// chanSend moves *src into the channel. It returns false only when
// !block and the send could not proceed; it throws ChannelClosed on a
// closed channel.
CBRIDGE_EXPORT bool chanSend(ChanCore* c, void* src, bool block);

enum class RecvStatus { Received, Closed, WouldBlock };
// chanRecv move-constructs a received element into dst (raw storage) when
// it returns Received; otherwise dst is untouched.
CBRIDGE_EXPORT RecvStatus chanRecv(ChanCore* c, void* dst, bool block);

// chanClose throws ChannelClosed if c is already closed.
CBRIDGE_EXPORT void chanClose(ChanCore* c);
CBRIDGE_EXPORT size_t chanLen(ChanCore* c);
CBRIDGE_EXPORT size_t chanCap(ChanCore* c);

struct SelectCase {
  ChanCore* c;  // nullptr: a case that is never ready (Go's nil channel)
  void* elem;   // send: the value; receive: raw storage for the value
  bool send;
};
struct SelectResult {
  int index;    // the case that ran, or -1 when none was ready and !block
  bool recvOK;  // a receive case got a value (false: the channel is closed)
};
// selectGo waits until one case can proceed and runs it (Go's selectgo),
// picking uniformly among ready cases. A send case on a closed channel
// throws ChannelClosed.
CBRIDGE_EXPORT SelectResult selectGo(SelectCase* cases, int n, bool block);

}  // namespace cbridge::detail
