// The type-erased channel (Go's hchan) under Chan<T> and select.
#pragma once

#include <cstddef>

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

ChanCore* chanMake(const ElemOps* ops, size_t capacity);
void chanRetain(ChanCore* c);
void chanRelease(ChanCore* c);

// chanSend moves *src into the channel. It returns false only when
// !block and the send could not proceed; it throws ChannelClosed on a
// closed channel.
bool chanSend(ChanCore* c, void* src, bool block);

enum class RecvStatus { Received, Closed, WouldBlock };
// chanRecv move-constructs a received element into dst (raw storage) when
// it returns Received; otherwise dst is untouched.
RecvStatus chanRecv(ChanCore* c, void* dst, bool block);

// chanClose throws ChannelClosed if c is already closed.
void chanClose(ChanCore* c);
size_t chanLen(ChanCore* c);
size_t chanCap(ChanCore* c);

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
SelectResult selectGo(SelectCase* cases, int n, bool block);

}  // namespace cbridge::detail
