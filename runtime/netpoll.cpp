#include "runtime/netpoll.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <vector>

#include "runtime/fatal.hpp"
#include "runtime/os_linux.hpp"
#include "runtime/proc.hpp"
#include "runtime/rawio.hpp"
#include "runtime/runq.hpp"

namespace cbridge::rt {

namespace {

int epfd = -1;
int breakfd = -1;
Lock initLock;
// Written once under initLock; release so that epfd and breakfd are seen.
std::atomic<bool> inited{false};
// Plain threads parked on the poller (tasks count in P::netpollWaiters).
// seq_cst: a thread that parks makes sure an M will poll (pollwait), and
// that M must see it.
std::atomic<int64_t> threadWaiters{0};
// 1 while a break is written and not yet read: breaks coalesce (Go's
// netpollWakeSig).
std::atomic<uint32_t> breakPending{0};
// Events delivered by polls without a P (the others count in P); stale
// events and breaks, which are rare.
alignas(64) std::atomic<uint64_t> nEvents{0};
std::atomic<uint64_t> nStale{0}, nBreaks{0};

// addWaiter counts a waiter parking (+1) or woken (-1).
void addWaiter(bool task, int64_t n) {
  if (task) {
    P* pp = getm()->p;  // a running task's M holds a P
    pp->netpollWaiters.store(pp->netpollWaiters.load(std::memory_order_relaxed) + n,
                             std::memory_order_relaxed);
  } else {
    threadWaiters.fetch_add(n, std::memory_order_seq_cst);
  }
}

// How many readers in a row netpollAfterWrite puts in runnext.
constexpr uint32_t kPollAfterWriteChain = 4;

void countEvents(int n) {
  M* m = getm();
  if (m != nullptr && m->p != nullptr) {
    P* pp = m->p;
    pp->netpollEvents.store(pp->netpollEvents.load(std::memory_order_relaxed) + uint64_t(n),
                            std::memory_order_relaxed);
  } else {
    nEvents.fetch_add(uint64_t(n), std::memory_order_relaxed);
  }
}

// The pollDesc cache: blocks are never freed, so an event carrying a
// pointer into one is always safe to read. Under cacheLock.
Lock cacheLock;
PollDesc* freeList = nullptr;
constexpr int kBlock = 64;

PollDesc* pdalloc() {
  LockGuard g(cacheLock);
  if (freeList == nullptr) {
    auto* block = new (std::nothrow) PollDesc[kBlock];
    if (block == nullptr) fatal("out of memory allocating pollDescs");
    for (int i = 0; i < kBlock; i++) {
      PollDesc* pd = &block[i];
      pd->rd.owner = pd->wd.owner = pd;
      pd->rd.mode = 'r';
      pd->wd.mode = 'w';
      pd->link = freeList;
      freeList = pd;
    }
  }
  PollDesc* pd = freeList;
  freeList = pd->link;
  return pd;
}

void pdfree(PollDesc* pd) {
  LockGuard g(cacheLock);
  pd->link = freeList;
  freeList = pd;
}

constexpr uint64_t kPtrMask = ((uint64_t(1) << 48) - 1) & ~uint64_t(3);

bool unlockPd(void* l) {
  static_cast<Lock*>(l)->unlock();
  return true;
}

// takeWaiter removes d's waiter, telling it why it wakes; the caller holds
// the pollDesc's lock and wakes it after unlocking.
Waiter* takeWaiter(PollDesc::Dir& d, PollResult why) {
  Waiter* w = d.waiter;
  if (w != nullptr) {
    *d.result = why;
    d.waiter = nullptr;
  }
  return w;
}

void deadlineFired(void* arg) {
  auto* d = static_cast<PollDesc::Dir*>(arg);
  PollDesc* pd = d->owner;
  pd->lock.lock();
  if (d->timerArmedSeq != d->timerSeq) {  // the deadline changed since
    pd->lock.unlock();
    return;
  }
  d->deadline = -1;
  Waiter* w = takeWaiter(*d, PollResult::Timeout);
  pd->lock.unlock();
  if (w != nullptr) w->wake();
}

void resetDir(PollDesc::Dir& d) {
  d.ready = false;
  d.eventErr = false;
  d.waiter = nullptr;
  d.deadline = 0;
  d.timerSeq++;
}

}  // namespace

void netpollinit() {
  if (inited.load(std::memory_order_acquire)) return;
  LockGuard g(initLock);
  if (inited.load(std::memory_order_relaxed)) return;
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) fatal("netpollinit: epoll_create1 failed: %s", strerror(errno));
  breakfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (breakfd < 0) fatal("netpollinit: eventfd failed: %s", strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = uint64_t(PollSource::Break);
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, breakfd, &ev) != 0)
    fatal("netpollinit: registering the break fd failed: %s", strerror(errno));
  inited.store(true, std::memory_order_release);
}

bool netpollinited() { return inited.load(std::memory_order_acquire); }

uint64_t polltag(const PollDesc* pd, uint64_t fdseq) {
  return (fdseq & 0xFFFF) << 48 | reinterpret_cast<uint64_t>(pd) | uint64_t(PollSource::Ready);
}

PollDesc* pollopen(int fd) {
  netpollinit();
  PollDesc* pd = pdalloc();
  uint64_t seq;
  {
    LockGuard g(pd->lock);
    pd->fd = fd;
    pd->closing = false;
    resetDir(pd->rd);
    resetDir(pd->wd);
    seq = pd->fdseq.load(std::memory_order_relaxed);
    pd->fdseq.store(seq, std::memory_order_release);  // see pollevent
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = polltag(pd, seq);
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    int e = errno;
    pollclose(pd);
    errno = e;
    return nullptr;
  }
  return pd;
}

void pollclose(PollDesc* pd) {
  epoll_ctl(epfd, EPOLL_CTL_DEL, pd->fd, nullptr);  // fails harmlessly if never added
  deltimer(&pd->rd.timer);
  deltimer(&pd->wd.timer);
  {
    LockGuard g(pd->lock);
    // Events already queued for this fd now carry a stale tag.
    pd->fdseq.store(pd->fdseq.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    pd->fd = -1;
  }
  pdfree(pd);
}

void polleventclose(PollDesc* pd) {
  pd->lock.lock();
  pd->closing = true;
  pd->rd.timerSeq++;
  pd->wd.timerSeq++;
  Waiter* r = takeWaiter(pd->rd, PollResult::Closing);
  Waiter* w = takeWaiter(pd->wd, PollResult::Closing);
  pd->lock.unlock();
  if (r != nullptr) r->wake();
  if (w != nullptr) w->wake();
  deltimer(&pd->rd.timer);
  deltimer(&pd->wd.timer);
}

PollResult pollwait(PollDesc* pd, char mode) {
  PollDesc::Dir& d = mode == 'r' ? pd->rd : pd->wd;
  pd->lock.lock();
  if (pd->closing) {
    pd->lock.unlock();
    return PollResult::Closing;
  }
  if (d.deadline < 0) {
    pd->lock.unlock();
    return PollResult::Timeout;
  }
  if (d.ready) {  // edge-triggered: one notification, consumed here
    d.ready = false;
    pd->lock.unlock();
    return PollResult::Ready;
  }
  Waiter w;
  PollResult res = PollResult::Ready;
  d.waiter = &w;
  d.result = &res;
  addWaiter(w.g != nullptr, 1);
  // A task's M polls when it goes idle; a plain thread has no M to do so:
  // make sure one will (an idle M becomes the poller).
  if (w.g == nullptr && !sched->pollBlocked.load(std::memory_order_seq_cst)) ensureTimerService();
  w.park(unlockPd, &pd->lock);
  addWaiter(w.g != nullptr, -1);
  return res;
}

void pollsetdeadline(PollDesc* pd, int64_t deadline, char mode) {
  for (PollDesc::Dir* d : {&pd->rd, &pd->wd}) {
    if (mode != 'b' && mode != d->mode) continue;
    deltimer(&d->timer);
    pd->lock.lock();
    d->timerSeq++;
    Waiter* w = nullptr;
    if (deadline != 0 && deadline <= nanotime()) {
      d->deadline = -1;
      w = takeWaiter(*d, PollResult::Timeout);
    } else {
      d->deadline = deadline;
      if (deadline != 0) {
        d->timerArmedSeq = d->timerSeq;
        d->timer.when = deadline;
        d->timer.f = deadlineFired;
        d->timer.arg = d;
      }
    }
    bool arm = d->deadline > 0;
    pd->lock.unlock();
    if (arm) addtimer(&d->timer);
    if (w != nullptr) w->wake();
  }
}

int pollevent(uint64_t data, uint32_t events, WakeList* out) {
  auto source = PollSource(data & 3);
  if (source == PollSource::Break) {
    uint64_t v;
    while (read(breakfd, &v, sizeof v) > 0) {
    }
    breakPending.store(0, std::memory_order_release);
    nBreaks.fetch_add(1, std::memory_order_relaxed);
    return 0;
  }
  if (source != PollSource::Ready)
    fatal("netpoll: unknown epoll event source %llu (data %#llx)",
          static_cast<unsigned long long>(data & 3), static_cast<unsigned long long>(data));
  auto* pd = reinterpret_cast<PollDesc*>(data & kPtrMask);
  uint64_t tag = data >> 48;
  // The pointer came through the kernel, which is no synchronization in
  // C++'s model (nor to ThreadSanitizer): this acquire pairs with the
  // release store of pollopen (or a later pollclose), so that the
  // pollDesc's construction and setup happen before our use of it.
  (void)pd->fdseq.load(std::memory_order_acquire);
  pd->lock.lock();
  // Checked under the lock: pollclose bumps fdseq under it.
  if ((pd->fdseq.load(std::memory_order_acquire) & 0xFFFF) != tag) {
    pd->lock.unlock();
    nStale.fetch_add(1, std::memory_order_relaxed);
    return 0;
  }
  Waiter* wake[2] = {nullptr, nullptr};
  if (events & EPOLLERR) pd->rd.eventErr = pd->wd.eventErr = true;  // only with a matching seq
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    wake[0] = takeWaiter(pd->rd, PollResult::Ready);
    if (wake[0] == nullptr) pd->rd.ready = true;
  }
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
    wake[1] = takeWaiter(pd->wd, PollResult::Ready);
    if (wake[1] == nullptr) pd->wd.ready = true;
  }
  pd->lock.unlock();
  out->events++;
  int n = 0;
  for (Waiter* w : wake)
    if (w != nullptr) {
      out->w[out->n++] = w;
      n++;
    }
  return n;
}

int netpoll(int64_t delay, WakeList* out) {
  if (!netpollinited()) return 0;
  int ms = delay < 0 ? -1 : delay == 0 ? 0 : int(delay >= 1000000000000 ? 1000000 : (delay + 999999) / 1000000);
  epoll_event evs[128];
  int n = rawEpollWait(epfd, evs, 128, ms);
  if (n < 0) {
    if (errno != EINTR) fatal("netpoll: epoll_wait failed: %s", strerror(errno));
    return 0;
  }
  int woke = 0, events = out->events;
  for (int i = 0; i < n; i++) woke += pollevent(evs[i].data.u64, evs[i].events, out);
  if (out->events != events) countEvents(out->events - events);
  return woke;
}

void netpollBreak() {
  if (!netpollinited()) return;
  if (breakPending.exchange(1, std::memory_order_acq_rel) != 0) return;
  uint64_t one = 1;
  while (write(breakfd, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

void netpollAfterWrite() {
  M* m = getm();
  P* pp = m != nullptr ? m->p : nullptr;
  // No look at waiters: its line bounces between the Ps; with nobody
  // waiting the poll finds nothing and backs off.
  if (pp == nullptr) return;
  if (pp->pollAfterWriteSkip > 0) {
    pp->pollAfterWriteSkip--;
    return;
  }
  WakeList ready;
  netpoll(0, &ready);
  // Our reader's event is the newest: the write queued it just now.
  if (G* reader = ready.takeNewestTask()) {
    pp->pollAfterWriteMisses = 0;
    // Every kPollAfterWriteChain-th reader goes to the tail instead: a
    // request/response pair over a socket hands off every few µs, and a
    // 10 ms slice of it (a channel pair's bound) would make every other
    // connection on this P wait 10 ms. The reader stays on this P either
    // way, which is what keeps its buffers in cache.
    bool next = ++pp->pollAfterWriteChain < kPollAfterWriteChain;
    if (!next) pp->pollAfterWriteChain = 0;
    runqput(pp, reader, next);
  } else {
    if (pp->pollAfterWriteMisses < 10) pp->pollAfterWriteMisses++;
    pp->pollAfterWriteSkip = (1u << pp->pollAfterWriteMisses) - 1;
  }
  ready.queueOn(pp);
}

int64_t netpollWaiters() {
  int64_t n = threadWaiters.load(std::memory_order_seq_cst);
  for (int32_t i = 0; i < sched->gomaxprocs; i++)
    n += sched->allp[i]->netpollWaiters.load(std::memory_order_relaxed);
  return n;
}

NetpollStats netpollstats() {
  uint64_t events = nEvents.load(std::memory_order_relaxed);
  for (int32_t i = 0; i < sched->gomaxprocs; i++)
    events += sched->allp[i]->netpollEvents.load(std::memory_order_relaxed);
  return {events, nStale.load(std::memory_order_relaxed),
          nBreaks.load(std::memory_order_relaxed)};
}

void WakeList::queueOn(P* pp) {
  bool queued = false;
  while (G* gp = takeTask()) {
    runqput(pp, gp, false);
    queued = true;
  }
  wakeAll();  // what is left are threads
  if (queued) wakep();
}

G* WakeList::takeTask() {
  for (int i = 0; i < n; i++)
    if (w[i]->g != nullptr) return takeAt(i);
  return nullptr;
}

G* WakeList::takeNewestTask() {
  for (int i = n - 1; i >= 0; i--)
    if (w[i]->g != nullptr) return takeAt(i);
  return nullptr;
}

G* WakeList::takeAt(int i) {
  G* gp = w[i]->g;
  w[i] = w[--n];
  GStatus expected = GStatus::Waiting;
  if (!gp->status.compare_exchange_strong(expected, GStatus::Runnable, std::memory_order_acq_rel))
    fatal("netpoll: task %llu is not waiting (status %u)", static_cast<unsigned long long>(gp->id),
          static_cast<unsigned>(expected));
  return gp;
}

}  // namespace cbridge::rt
