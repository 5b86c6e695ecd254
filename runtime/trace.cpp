// SPDX-License-Identifier: MIT
// The execution trace's recorder (Go's trace.go, with per-M buffers where
// Go keeps them per P: an M in a foreign call or a callback records
// without a P).
//
// Writers. Every thread records into the buffer of a writer it alone
// holds: its M's (an extra M's passes from thread to thread with the M,
// whose hand-off through the extra list orders the two owners), or, on a
// thread without an M (sysmon, a C thread readying a task), one of its
// own (kept for good: the thread may come back). So appending is plain
// stores. A full buffer goes on fullBufs, a lock-free stack only pushed
// (one CAS) until the stopper takes it whole, and the writer allocates
// the next (one in 2046 events; at most kMaxEvents a trace, then events
// are counted as dropped rather than grow memory without bound).
//
// Stopping without stopping the world. The stopper must read buffers that
// their writers may be appending to at that moment. Each writer brackets
// a record with its writing flag: store 1, then reread traceOn, both
// seq_cst; record only if still on; store 0 (release). The stopper clears
// traceOn (seq_cst), then waits for each writer's flag to read 0. This is
// Dekker's pattern: a writer whose reread saw traceOn set stored its 1
// before the stopper's clear, so the stopper sees the 1 (and waits) or
// the 0 that ended the record (and acquires it); a writer later than the
// clear rereads it off and records nothing. After the wait, the buffers
// are the stopper's alone; it takes them and leaves the writers none, and
// the next start's seq_cst store of traceOn publishes that to writers
// that see it on. A writer that stays in a record for a second (a thread
// stopped mid-record by a debugger) is skipped, its buffer left to it;
// buffers are tagged with their trace (session) so that one of an old
// trace is dropped, never mixed into a new one.
//
// The registry of writers is a push-only lock-free list: a writer is
// published (seq_cst CAS) before its first record, so a stopper that saw
// that record's flag also sees it in the list.
//
// With tracing off, a hook costs one relaxed load and a branch (trace.hpp).
#include "runtime/trace.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

#include "runtime/fatal.hpp"
#include "runtime/fork.hpp"
#include "runtime/os.hpp"
#include "runtime/trace_buf.hpp"
#include "runtime/waiter.hpp"

namespace cbridge::rt {

std::atomic<bool> traceOn{false};

namespace {

// At most 2 million events (64 MiB) a trace.
constexpr int64_t kMaxEvents = 2 << 20;
// How long the stopper waits for one writer to finish its record.
constexpr int64_t kQuiesceNs = 1000000000;

// The registry (see above).
std::atomic<TraceWriter*> writers{nullptr};
// Full buffers: pushed with release CAS by writers, taken whole with an
// acquire exchange by the stopper.
std::atomic<TraceBuf*> fullBufs{nullptr};
// The trace being recorded, and the buffers it may still allocate. Set by
// the starter before its seq_cst store of traceOn, which publishes them to
// every writer whose reread sees tracing on; relaxed otherwise.
std::atomic<uint64_t> session{0};
std::atomic<int64_t> eventBudget{0};

// The trace's control: whether one records, where it goes, since when.
// ctl orders starts and stops; it is never taken by a recording thread.
std::mutex ctl;
FILE* out = nullptr;       // under ctl
int64_t startTs = 0;       // under ctl
bool atexitArmed = false;  // under ctl

void registerWriter(TraceWriter* w) {
  TraceWriter* head = writers.load(std::memory_order_relaxed);
  do {
    w->next = head;
  } while (!writers.compare_exchange_weak(head, w, std::memory_order_seq_cst,
                                          std::memory_order_relaxed));
}

TraceWriter* mWriter(M* m) {
  if (m->trace != nullptr) return m->trace;
  auto* w = new (std::nothrow) TraceWriter;
  if (w == nullptr) return nullptr;
  w->mid = m->id;
  w->extra = m->isextra;
  registerWriter(w);
  m->trace = w;  // the M's owner only
  return w;
}

// A thread without an M: its writer, and its track's name.
thread_local TraceWriter* tlsWriter = nullptr;
thread_local const char* tlsName = nullptr;

TraceWriter* threadWriter() {
  if (tlsWriter != nullptr) return tlsWriter;
  auto* w = new (std::nothrow) TraceWriter;
  if (w == nullptr) return nullptr;
  registerWriter(w);
  return tlsWriter = w;
}

TraceBuf* bufAlloc(uint32_t cap) {
  void* p = ::operator new(sizeof(TraceBuf) + size_t(cap) * sizeof(TraceRecord), std::nothrow);
  if (p == nullptr) return nullptr;
  auto* b = new (p) TraceBuf;
  b->cap = cap;
  return b;
}

void bufFree(TraceBuf* b) {
  b->~TraceBuf();
  ::operator delete(b);
}

// refill gives w, whose buffer is full or missing, a new one; nullptr
// when the trace's budget is spent. Called within a record.
TraceBuf* refill(TraceWriter* w) {
  if (TraceBuf* full = w->buf; full != nullptr) {
    full->link = fullBufs.load(std::memory_order_relaxed);
    while (!fullBufs.compare_exchange_weak(full->link, full, std::memory_order_release,
                                           std::memory_order_relaxed)) {
    }
    w->buf = nullptr;
  }
  uint32_t cap = w->mid < 0 && w->nbufs == 0 ? TraceBuf::kFirstThreadEvents : TraceBuf::kEvents;
  if (eventBudget.fetch_sub(cap, std::memory_order_relaxed) < int64_t(cap)) return nullptr;
  TraceBuf* b = bufAlloc(cap);
  if (b == nullptr) return nullptr;
  b->w = w;
  b->session = session.load(std::memory_order_relaxed);
  b->seq = w->nbufs++;
  b->tid = gettid();
  b->name = tlsName;
  w->buf = b;
  return b;
}

// beginRecord and endRecord bracket a record (the protocol above).
// beginRecord reports whether to record; endRecord must follow either way.
bool beginRecord(TraceWriter* w) {
  w->writing.store(1, std::memory_order_seq_cst);
  if (!traceOn.load(std::memory_order_seq_cst)) return false;
  // A buffer of an older trace, whose stopper skipped us: nobody else has it.
  if (w->buf != nullptr && w->buf->session != session.load(std::memory_order_relaxed)) {
    bufFree(w->buf);
    w->buf = nullptr;
  }
  return true;
}

void endRecord(TraceWriter* w) { w->writing.store(0, std::memory_order_release); }

// quiesce waits for w's record in progress, if any, to end: true once
// it has (and w's buffer is the stopper's), false after kQuiesceNs.
bool quiesce(TraceWriter* w, int64_t deadline) {
  while (w->writing.load(std::memory_order_seq_cst) != 0) {
    if (nanotime() > deadline) return false;
    osyield();
  }
  return true;
}

// stopLocked ends the trace and writes it; 0 or an errno.
int stopLocked() {
  traceOn.store(false, std::memory_order_seq_cst);
  int64_t end = nanotime();
  uint64_t cur = session.load(std::memory_order_relaxed);
  std::vector<TraceBuf*> bufs;
  uint64_t dropped = 0;
  for (TraceWriter* w = writers.load(std::memory_order_seq_cst); w != nullptr; w = w->next) {
    if (!quiesce(w, end + kQuiesceNs)) continue;
    if (w->buf != nullptr) bufs.push_back(w->buf);
    w->buf = nullptr;
    w->nbufs = 0;
    dropped += w->dropped;
    w->dropped = 0;
  }
  for (TraceBuf* b = fullBufs.exchange(nullptr, std::memory_order_acquire); b != nullptr;) {
    TraceBuf* next = b->link;
    if (b->session == cur)
      bufs.push_back(b);
    else
      bufFree(b);
    b = next;
  }
  int err = traceWriteJSON(out, bufs, startTs, end, dropped);
  for (TraceBuf* b : bufs) bufFree(b);
  if (fclose(out) != 0 && err == 0) err = errno;
  out = nullptr;
  return err;
}

void traceAtExit() {
  if (gForkChild.load(std::memory_order_relaxed)) return;  // the parent's trace
  // A trace_stop in progress on another thread finishes in well under
  // the bound; the exit does not wait on a thread that may never run again.
  std::unique_lock<std::mutex> g(ctl, std::defer_lock);
  for (int i = 0; !g.try_lock(); i++) {
    if (i == 2000) return;
    usleep(1000);
  }
  if (out == nullptr) return;
  if (int err = stopLocked(); err != 0) usererror("the execution trace could not be written: %s", strerror(err));
}

}  // namespace

void traceEvent(M* m, TraceEv kind, uint64_t g, uint64_t a, uint64_t b, uint8_t flag) {
  TraceWriter* w = m != nullptr ? mWriter(m) : threadWriter();
  // A record interrupted by a signal whose handler records (a callback
  // from a handler) is not re-entered: that event is lost.
  if (w == nullptr || w->writing.load(std::memory_order_relaxed) != 0) return;
  if (beginRecord(w)) {
    TraceBuf* buf = w->buf;
    if (buf == nullptr || buf->n == buf->cap) buf = refill(w);
    if (buf != nullptr)
      buf->ev()[buf->n++] = TraceRecord{nanotime(), g, a, uint32_t(b), kind, flag};
    else
      w->dropped++;
  }
  endRecord(w);
}

void traceGoCreateSlow(G* gp) {
  G* parent = getg();
  traceEvent(getm(), TraceEv::GoCreate, gp->id, parent != nullptr ? parent->id : 0);
}

// The reason gopark set, read by the task's own M after the switch.
void traceGoParkSlow(M* m, G* gp) {
  traceEvent(m, TraceEv::GoPark, gp->id, uint64_t(gp->waitDetail.load(std::memory_order_relaxed)),
             uint64_t(gp->waitreason.load(std::memory_order_relaxed)));
}

void traceGoUnparkSlow(G* gp) {
  M* m = getm();
  G* by = m != nullptr ? m->curg : nullptr;
  traceEvent(m, TraceEv::GoUnpark, gp->id, by != nullptr ? by->id : 0);
}

void traceNetpollReadySlow(int fd, Waiter* const (&woken)[2]) {
  M* m = getm();
  for (Waiter* w : woken)
    if (w != nullptr && w->g != nullptr) traceEvent(m, TraceEv::NetpollReady, w->g->id, uint64_t(fd));
}

void traceThreadName(const char* name) { tlsName = name; }

int traceStart(const char* path) {
  std::lock_guard<std::mutex> g(ctl);
  if (out != nullptr) return EBUSY;
  FILE* f = fopen(path, "w");
  if (f == nullptr) return errno;
  if (!atexitArmed) {
    // When the runtime starts the trace (traceinit), registered before
    // the runtime's own exit handler, so it runs after the world froze.
    atexit(traceAtExit);
    atexitArmed = true;
  }
  out = f;
  startTs = nanotime();
  session.store(session.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  eventBudget.store(kMaxEvents, std::memory_order_relaxed);
  traceOn.store(true, std::memory_order_seq_cst);
  return 0;
}

int traceStop() {
  std::lock_guard<std::mutex> g(ctl);
  return out != nullptr ? stopLocked() : 0;
}

void traceinit() {
  const char* path = getenv("CBRIDGE_TRACE");
  if (path == nullptr || *path == '\0') return;
  if (int err = traceStart(path); err != 0)
    usererror("CBRIDGE_TRACE=\"%s\": %s; no execution trace is recorded", path, strerror(err));
}

}  // namespace cbridge::rt
