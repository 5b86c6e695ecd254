// SPDX-License-Identifier: MIT
// G, M, P and the global scheduler state (Go's runtime2.go).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "runtime/lock.hpp"
#include "runtime/note.hpp"
#include "runtime/os.hpp"
#include "runtime/spanset.hpp"
#include "runtime/stack.hpp"

namespace cbridge::detail {
class TaskFn;
}

namespace cbridge::rt {

struct M;
struct P;
struct IoBatch;  // iobatch_uring.cpp
struct TraceWriter;  // trace_buf.hpp

enum class GStatus : uint32_t {
  Idle,      // just allocated or on the free list
  Runnable,  // on a run queue, not running
  Running,   // running on an M that holds a P
  Waiting,   // parked; only goready makes it Runnable again
  Syscall,   // in foreign code on its M, without a P (entersyscall)
  Dead,      // finished; its G and stack await reuse
};

// Why a task is Waiting (Go's waitReason): what the task dump prints in
// its brackets and the execution trace gives its park events. The task
// sets it as it parks (gopark); waitDetail says more for some of them.
enum class WaitReason : uint8_t {
  None,
  ChanReceive,     // a receive from a channel
  ChanSend,        // a send on a channel
  ChanNil,         // a select whose every channel is nil: forever
  Select,          // a select over several channels
  Sleep,           // sleep_for/sleep_until; waitDetail: the deadline (nanotime)
  IoWait,          // the netpoller; waitDetail: fd << 1 | (1 for a write)
  IoBatch,         // a socket call queued on its P's io_uring batch
  WaitGroup,       // WaitGroup::wait
  Mutex,           // Mutex::lock
  TimerRunnerIdle, // a timer-function runner with no function to run
};
// waitReasonString is the text of r ("chan receive", ...): a static
// string, so a signal handler may print it.
const char* waitReasonString(WaitReason r);

// A G is a managed task.
struct G {
  void* ctx = nullptr;  // saved fcontext while not running; owned by whoever runs it next
  Stack* stack = nullptr;
  uint64_t id = 0;
  // status is written by the M running the G and by goready; acquire/release
  // so that a G seen Runnable has its ctx published.
  std::atomic<GStatus> status{GStatus::Idle};
  G* schedlink = nullptr;  // run queue or free list link; owned by that list
  // While this G heads a batch of free Gs in a sched.gfree set: the
  // batch's length, so that taking a batch needs no walk of cold Gs.
  uint32_t gfreeBatchLen = 0;
  M* m = nullptr;          // the M running it, while Running
  // An extra M's G (callbacks/extram.cpp), in syscall state between its
  // thread's callbacks; set before the G is on allgs, never changed.
  bool isextra = false;
  detail::TaskFn* fn = nullptr;
  G* alllink = nullptr;  // allgs list; written once under sched.lock, before the G is pushed
  void* asanFakeStack = nullptr;
  void* tsanFiber = nullptr;  // ThreadSanitizer's fiber for this G, made on first switch
  std::string lastError;  // cbridge_last_error of this task
  // The M this G must run on (a callback's G: the M of the foreign thread
  // waiting for it), or nullptr. Set and cleared by that M while the G is
  // its own; read by schedulers that dequeue the G (ordered by the queue).
  M* lockedm = nullptr;
  // Where a nested callback may start on this G's stack: below the frames
  // of the foreign call in progress (Go's syscallsp). Set by cgocall.
  uintptr_t syscallsp = 0;
  // Set while the G, a timer-function runner, runs a timer's function:
  // then Waiter::park tells the runner pool that it blocks (timerfunc.cpp).
  // Only the G itself touches it.
  bool timerFunc = false;
  // The sum of the Ps' schedticks when the G was put on the global queue,
  // to count how many schedules it waited there (globrunqwait). Written
  // and read under sched.lock.
  uint32_t globrunqTick = 0;
  // Put on the global queue as readied from outside the Ps (counted in
  // sched.runqready until taken). Under sched.lock.
  bool globrunqReady = false;
  // How deep the G is in cbridge::preemptible regions: > 0 lets the
  // preemption signal stop it (see preempt.cpp). Written only by the G;
  // read by the signal handler on the thread running the G, which
  // interrupts that very thread: relaxed atomics (lock-free, so safe in a
  // handler) need no more order than program order. A callback nested in
  // a foreign call saves it, starts at 0 and restores it.
  std::atomic<int32_t> preemptDepth{0};
  // What the task waits for and since when, for the task dump and the
  // trace. The task writes them itself as it parks (gopark; waitsince
  // also as it enters a foreign call), and dumps read them from other
  // threads, in a signal handler, without a lock: relaxed atomics, since a
  // dump of a running process is a snapshot, and a stale value can only
  // mislabel that task's line. waitsince is sysmon's coarse clock
  // (coarsenanotime): a park costs no clock read, and a dump prints
  // durations in milliseconds.
  std::atomic<WaitReason> waitreason{WaitReason::None};
  std::atomic<int64_t> waitDetail{0};
  std::atomic<int64_t> waitsince{0};
  // Where the task was created: the return address of the go() or run()
  // that started it (Go's gopc; 0 for the runtime's own tasks) and the id
  // of the task that called it (0 from a thread). Written by newproc
  // before the G is published; relaxed for the dumps' reads, which may
  // race with a reuse of a dead G.
  std::atomic<uintptr_t> gopc{0};
  std::atomic<uint64_t> parentid{0};
};

// An M is an OS thread. Its g0 is the thread's own stack: the
// scheduler loop runs there and tasks switch back to it to park.
struct M {
  int64_t id = 0;
  void* g0ctx = nullptr;  // g0's context, refreshed each time a task is entered
  G* curg = nullptr;      // the task running on this M, or nullptr on g0
  P* p = nullptr;         // the attached P; nullptr while idle
  P* nextp = nullptr;     // the P to take when woken (startm hands it over)
  bool spinning = false;  // looking for work; counted in sched.nmspinning
  Note park;              // stopm sleeps here; startm wakes it
  M* schedlink = nullptr;  // sched.midle link, under sched.lock
  M* alllink = nullptr;
  // newosproc's handle of a runtime M's thread (on Windows its id, see
  // os_windows.cpp). An extra M has none: it needs none, and on Windows
  // osthreadself's handle would be one more to close at the thread's exit.
  OSThread thread{};
  // The action to run on g0 after the current task switched away
  // (Go's mcall fn). It returns a task to run next or nullptr to schedule.
  G* (*mcallfn)(G*) = nullptr;
  // Set while a task switches straight to another task (switchDirect): the
  // task being left, whose context the arriving task saves.
  G* directFrom = nullptr;
  bool (*waitunlockf)(void*) = nullptr;  // park's unlock, run on g0
  void* waitlock = nullptr;
  // g0's stack, for the sanitizers' fiber annotations.
  const void* g0stackBottom = nullptr;
  size_t g0stackSize = 0;
  void* g0asanFakeStack = nullptr;
  // ThreadSanitizer's fiber for g0: the thread's, set when the M starts or
  // (an extra M) when a foreign thread's callback binds it.
  void* g0tsanFiber = nullptr;
  uint32_t fastrand = 0;
  void* altstack = nullptr;  // the signal stack this M installed, if any
  size_t altstackSize = 0;

  // g0's stack [g0lo, g0hi): the pthread stack of a runtime M. Foreign
  // code runs below g0's saved context on it.
  uintptr_t g0lo = 0;
  uintptr_t g0hi = 0;
  // Foreign calls in progress on this M (Go's ncgo): > 0 means C frames
  // are on g0's stack. Only this M's thread writes it.
  int32_t ncgo = 0;
  // The P this M gave up in entersyscall, taken back by exitsyscall's
  // fast path unless sysmon retook it meanwhile.
  P* oldp = nullptr;
  // preemptExtLock synchronizes preemptM with entry to and exit from
  // foreign code (the seed "protect against external code calling
  // ExitProcess"; the protocol is in preempt.cpp, its model in
  // models/preempt.pml). Its low two bits: kExtFree; kExtForeign, held by
  // the M itself while its thread is in foreign code (and by an extra M
  // between callbacks, and by an M whose thread is ending); kExtPreempting,
  // held by a preemptor from before it signals the thread until the
  // signal's handler has run there, with the preemption's cycle number in
  // the bits above. Entering foreign code CASes kExtFree→kExtForeign and,
  // if that fails, waits for the preemption in progress; preemptM CASes
  // kExtFree→kExtPreempting and, if that fails, the M is in foreign code
  // and the attempt is refused. So the runtime's signal is never pending
  // while foreign code runs. acq_rel CASes, release stores: whoever takes
  // the lock sees what the previous holder did.
  std::atomic<uint64_t> preemptExtLock{0};
  // The cycle number of the last preemption whose signal handler ran on
  // this M's thread: written by the handler (release), read by the
  // preemptor waiting for it and by an M taking over the lock (acquire).
  std::atomic<uint64_t> preemptAck{0};
  // Bumped when a preemption attempt on this M ends, done or refused.
  std::atomic<uint32_t> preemptGen{0};
  // The OS thread id of the M's thread (tgkill's target). Written before
  // the M first runs a task; the M's lock keeps preemptors from a thread
  // that is gone.
  int procid = 0;
  // The address of the M's thread's runtime-lock count (locksHeld,
  // lockheld.hpp), for a preemptor that looks at the thread from another
  // one: Windows' suspends it (preempt_windows.cpp). Written with procid,
  // read only while the thread is suspended.
  const uint32_t* locksHeldAt = nullptr;
  // The G this M runs exclusively while it is not nullptr (a callback in
  // progress): when it parks, the M sleeps instead of running others
  // (stoplockedm), and whoever dequeues it hands this M a P
  // (startlockedm). Owner only.
  G* lockedg = nullptr;
  // An extra M: made for threads the runtime did not create (needm), with
  // its own G for callbacks, kept on the extra list when no thread has it.
  bool isextra = false;
  // Extra-M list link, owned by the list. Atomic (relaxed): a popper may
  // read it while the M is popped and pushed back by others (the list's
  // tag then fails its CAS), so the read races with the push's write.
  std::atomic<M*> extralink{nullptr};
  // An extra M's own G, which runs its thread's callbacks; in syscall
  // state between them. (curg is set only while the G runs.)
  G* extrag = nullptr;
  // An idle extra M whose G's stack is still committed (see extram.cpp).
  // Owned by whoever holds the M: the thread bound to it, or the one that
  // popped it off the extra list (whose CAS orders it).
  bool extraStackWarm = false;
  // g0's bounds are the thread's exact pthread stack (not an estimate
  // around sp; see stackbounds/).
  bool g0StackAccurate = false;
  // The calling thread's pthread stack, queried once per thread binding
  // (threadStackKnown) and remembered: the query may read /proc.
  bool threadStackKnown = false;
  uintptr_t threadStackLo = 0;
  uintptr_t threadStackHi = 0;
  // Callbacks from foreign code in progress on this M (nested ones count
  // too). Written only by the thread holding the M, seq_cst on entry (the
  // Dekker pair with shutdown's gate: see callbackEnter); shutdown and
  // sysmon sum them.
  std::atomic<int32_t> callbacksInFlight{0};
  // Counters summed by stats; written only by the thread holding the M.
  std::atomic<uint64_t> callbacks{0};
  std::atomic<uint64_t> cacheHits{0};
  std::atomic<uint64_t> boundUpdates{0};
  // The execution trace's writer for this M (trace.cpp), made at its
  // first event. Only the thread holding the M touches it.
  TraceWriter* trace = nullptr;
};

enum class PStatus : uint32_t {
  Idle,     // on sched.pidle
  Running,  // owned by an M running tasks or the scheduler
  Syscall,  // its M is in foreign code; sysmon may retake it (CAS to Idle)
};

constexpr uint32_t kRunqSize = 256;

// A P is a processor token: an M needs one to run tasks.
struct P {
  int32_t id = 0;
  // Idle and Running change under sched.lock or by the owner; leaving
  // Syscall is a CAS between the M coming back (exitsyscall) and sysmon
  // (retake): exactly one wins the P. acq_rel so the winner sees the
  // P as the other side left it.
  std::atomic<PStatus> status{PStatus::Idle};
  // Bumped by every entersyscall; sysmon retakes a P only if the same
  // syscall has lasted since it first saw it (syscalltick unchanged).
  std::atomic<uint32_t> syscalltick{0};
  // sysmon's own view of this P (Go's sysmontick); sysmon only.
  uint32_t sysmonSyscalltick = 0;
  int64_t sysmonSyscallWhen = 0;
  uint32_t sysmonSlicetick = 0;
  int64_t sysmonSliceWhen = 0;
  P* link = nullptr;               // sched.pidle link
  // The M holding the P. Written by the M (or whoever hands the P over);
  // sysmon reads it, without a lock, to pick the thread to preempt. A
  // release store, an acquire load: sysmon then sees the M as made (its
  // thread id, isextra). A stale M is merely one whose task is not asked:
  // the handler checks the request on the M's own P.
  std::atomic<M*> m{nullptr};
  // preempt is sysmon's request that the running task stop (Go's
  // gp.preempt, kept on the P: a request is for the time slice, and a
  // slice that ends by itself answers it). Set by sysmon with exchange,
  // cleared with exchange by whoever honours it or by the owner when a new
  // slice starts, so that detail::preemptRequests counts the Ps with a
  // request exactly. Relaxed: a late look only stops the task at its next
  // check.
  std::atomic<bool> preempt{false};
  // The local run queue: a ring written only by the owner at tail and
  // consumed at head by the owner and by thieves (CAS on head).
  std::atomic<uint32_t> runqhead{0};
  std::atomic<uint32_t> runqtail{0};
  std::atomic<G*> runq[kRunqSize] = {};
  // runnext, if not null, is the G readied by the current G: it runs next,
  // inheriting the time slice, which keeps a ping-pong pair on one P.
  std::atomic<G*> runnext{nullptr};
  // schedtick counts schedules: every G this P starts running, from any
  // queue, through g0 or by a direct switch, runnext hand-offs included.
  // slicetick counts time slices: it is bumped when a G is taken from
  // anywhere but runnext; a G from runnext inherits the slice of the G
  // that readied it (Go's inheritTime; Go's schedtick is our slicetick).
  // Written by the owner only; read by sysmon (slicetick) and by
  // globrunqput/get under sched.lock (schedtick), so atomic, relaxed:
  // readers only compare or sum readings, and a stale one errs by the
  // few schedules in flight.
  std::atomic<uint32_t> schedtick{0};
  std::atomic<uint32_t> slicetick{0};
  // netpollAfterWrite's back-off, owner only: after k polls in a row that
  // readied no task (the readers are in other processes or hosts) the P
  // skips the next 2^k - 1 writes' polls, k at most 10, so a remote-only
  // workload pays one empty epoll_wait per 1024 writes.
  uint32_t pollAfterWriteMisses = 0;
  uint32_t pollAfterWriteSkip = 0;
  uint32_t pollAfterWriteChain = 0;  // readers it put in runnext in a row
  // Dead Gs (with their stacks) for reuse; only the owner touches them.
  G* gFree = nullptr;
  int32_t gFreeCount = 0;
  // Task ids handed out in batches from sched.goidgen (Go's goidcache):
  // [goidcache, goidcacheEnd). Owner only.
  uint64_t goidcache = 0;
  uint64_t goidcacheEnd = 0;
  // Tasks started and finished on this P. Written only by the owner;
  // atomic (relaxed) because stats sums them from other threads. Kept per
  // P: one global counter written on every start and exit would bounce its
  // cache line between the Ps.
  std::atomic<uint64_t> tasksStarted{0};
  std::atomic<uint64_t> tasksExited{0};
  // Ready events the netpoller delivered while this P polled; the same
  // rules (a global counter would bounce between the Ps on every event).
  std::atomic<uint64_t> netpollEvents{0};
  // Tasks that parked on the netpoller while on this P, less those that
  // woke on it (so one P's count may be negative; the sum over the Ps is
  // the number parked). Owner-written like the counters above: a global
  // counter's line would move between the CPUs twice per park.
  std::atomic<int64_t> netpollWaiters{0};
  // The I/O batch (iobatch.hpp): the P's ring, made by the owner on first
  // use and kept for the process's life (release: stats reads its
  // counters from other threads), and the calls queued on it, whose tasks
  // count as this P's work (runqempty). Owner-written; others read
  // iobatchPending relaxed, as they read the run queue: a stale 0 is the
  // same race as a stale empty queue, which the spinning protocol covers.
  std::atomic<IoBatch*> iobatch{nullptr};
  std::atomic<int32_t> iobatchPending{0};
};

// The global scheduler state. One instance, never destroyed (threads that
// are still running at exit may touch it).
struct Sched {
  Lock lock{LockRank::Sched};
  // Idle Ms waiting for work, and idle Ps. Under lock.
  M* midle GUARDED_BY(lock) = nullptr;
  int32_t nmidle GUARDED_BY(lock) = 0;
  P* pidle GUARDED_BY(lock) = nullptr;
  // npidle and nmspinning are read without lock by wakep and the spinning
  // protocol; written under lock (npidle) or by CAS (nmspinning).
  std::atomic<int32_t> npidle{0};
  std::atomic<int32_t> nmspinning{0};
  // The global run queue, under lock; runqsize is also read without it as
  // a hint.
  G* runqhead GUARDED_BY(lock) = nullptr;
  G* runqtail GUARDED_BY(lock) = nullptr;
  std::atomic<int32_t> runqsize{0};
  // runqready counts Gs put on the global queue from outside the running
  // tasks' Ps (a thread without a P readied them, or they came back from
  // a foreign call or into a callback and found no P) that no P has
  // looked for yet: while it is > 0 the next schedule on any P looks at
  // the global queue first, instead of waiting for its 61st turn, and
  // takes one G (Go has no such hint: its preemption empties a P's local
  // queue every 10 ms and so reaches the global queue; cbridge cannot
  // preempt yet). It is the number of Gs on the queue with
  // globrunqReady set. Written under lock; read without it (relaxed) as a
  // hint, like runqsize.
  std::atomic<int32_t> runqready{0};
  // How many schedules Gs waited on the global queue before a P took them
  // (the sum of the Ps' schedticks between globrunqput and globrunqget):
  // the largest and the last, and how many were taken. Written under
  // lock; read by globrunqwait without it (relaxed: a statistic).
  std::atomic<uint32_t> globrunqWaitMax{0};
  std::atomic<uint32_t> globrunqWaitLast{0};
  std::atomic<uint64_t> globrunqTaken{0};
  // Dead Gs from the per-P lists' overflow (gfput/gfget), as batches of
  // up to kGFreeBatch Gs linked by schedlink: Ps move Gs in batches, so
  // one set operation moves a batch. Go keeps these lists under a lock;
  // a span set (spanset.hpp) is enough because the order does not
  // matter: one dead G is as good as another, any P may take any batch,
  // and only the count of Gs with stacks (for scavenging) is needed.
  // gfreeStack holds Gs with a stack of the default size, gfreeNoStack
  // Gs whose stacks were freed. The ring (a 32 KiB spine) bounds each set
  // at about 2^21 batches, 2^26 Gs, far more than memory holds; past it,
  // gfput keeps Gs on its P.
  static constexpr uint32_t kGFreeRing = 1u << 12;
  SpanSet<G, kGFreeRing> gfreeStack;
  SpanSet<G, kGFreeRing> gfreeNoStack;
  // The Gs (not batches) in gfreeStack: added before a batch is pushed,
  // subtracted after one is popped, so it never understates (relaxed: a
  // hint that there is something to take, and scavenging's measure).
  // gfreeStackLow is the fewest it held since the last gfscavenge,
  // lowered by a racy min (relaxed: a lost lowering only scavenges a
  // little less).
  std::atomic<int64_t> ngfreeStack{0};
  std::atomic<int64_t> gfreeStackLow{0};

  P** allp = nullptr;
  int32_t gomaxprocs = 0;
  // allgs and allms: every G and M ever made. They keep everything
  // reachable for the leak checker and let shutdown count. Pushed under
  // lock, with release after the element's alllink is set; walked under
  // lock, or without it by the task dump (acquire), as Go's forEachGRace
  // walks allgs: elements are never freed, so a walk sees whole elements.
  std::atomic<G*> allgs{nullptr};
  std::atomic<M*> allms{nullptr};
  int64_t mnext GUARDED_BY(lock) = 0;
  std::atomic<uint64_t> goidgen{0};

  // The M sleeping until the next timer, if any (see timerWait): on its
  // note, or in netpoll when tasks wait on it (then bit 0 of the word is
  // set, see timerWaiterWord); pollBlocked is set while it polls and other
  // Ms leave polling to it.
  std::atomic<M*> timerWaiter{nullptr};
  std::atomic<bool> pollBlocked{false};

  // stopping is set once by shutdown; every M leaves its loop when it sees
  // it. seq_cst: it is read in loops that must not miss it.
  std::atomic<bool> stopping{false};
  std::atomic<int32_t> mrunning{0};  // Ms still in their scheduler loop
  // stopPending: shutdown() found callbacks from foreign code in flight;
  // they run to completion and sysmon stops the Ms when the last one has
  // returned. Set once; seq_cst like stopping.
  std::atomic<bool> stopPending{false};
  // frozen is set once when the process begins to exit (freezetheworld):
  // no M runs a task again. exitTid is the thread that set it, published
  // before it. See freeze.hpp.
  std::atomic<bool> frozen{false};
  std::atomic<int> exitTid{0};

  // Tasks started and finished by threads without a P (the per-P counts
  // are in P).
  std::atomic<uint64_t> tasksStarted{0};
  std::atomic<uint64_t> tasksExited{0};
  std::atomic<uint64_t> msCreated{0};
};

extern Sched* sched;

// getm returns the calling thread's M, or nullptr on a thread the runtime
// did not create. It is never inlined: a task may resume on another thread,
// and an inlined thread-local access could be cached across the switch.
M* getm();
void setm(M* m);

// getg returns the running task, or nullptr on g0 or a foreign thread.
G* getg();

}  // namespace cbridge::rt
