// SPDX-License-Identifier: MIT
// Asynchronous preemption on Windows (Go's os_windows.go preemptM, with
// the seed "protect against external code calling ExitProcess"). Windows
// has no signals: the preemptor stops the M's thread itself, looks at it,
// and if it is at an async safe point rewrites its context to call
// asyncPreempt, as Go's preemptM does. preempt.cpp's preemptM calls
// signalPreempt holding the M's preemptExtLock (taken with a CAS that is
// refused while the M is in foreign code: the portable half of the
// handshake); signalPreempt here then
//  1. opens the M's thread by its id (OpenThread, with the rights to
//     suspend it and read and write its context);
//  2. under suspendLock, SuspendThread and GetThreadContext;
//  3. asks wantAsyncPreempt (asyncpreempt_amd64.cpp: the rules of the
//     Linux signal handler) with the context's Rip and Rsp and the
//     thread's own runtime-lock count, read through M::locksHeldAt;
//  4. if yes, pushes the interrupted Rip at Rsp-8 as a return address
//     (Win64 has no red zone; asyncPreempt, asyncpreempt_amd64_win64.S,
//     aligns its own frame, so any multiple of 8 will do) and points Rip
//     at cbridge_asyncPreempt with SetThreadContext; if not, the request
//     flag stays for the next cooperative check;
//  5. ResumeThread, and acknowledges the cycle in M::preemptAck, as the
//     Linux handler does, so that preemptWith releases the lock.
//
// Why the protocol is safe.
//  - Foreign code is never suspended: the thread of an M in foreign code
//    holds its preemptExtLock for the whole call, the preemptor suspends
//    only while holding it, and an M about to enter foreign code waits
//    (preemptExtEnterSlow) until the preemptor has resumed its thread and
//    acknowledged. So foreign code that calls ExitProcess can never be
//    the suspended thread of the seed's ghost process.
//  - The thread exists while it is suspended: an M's thread ending holds
//    its preemptExtLock for good first (mstart), so a thread id opened
//    under the lock is the M's thread, alive, not a reused id. Go keeps a
//    handle per M under m.threadLock for the same reason; the lock makes
//    that unnecessary here, and an extra M (a C thread's) needs no handle
//    at all: preemptone never preempts one asynchronously (its task runs
//    a callback above C frames), so the preemptor never opens its thread.
//  - Two preemptors (sysmon and an exiting thread's freezetheworld) do
//    not suspend each other: SuspendThread only asks for a suspension
//    (the thread stops later, at its next kernel transition), so each
//    suspends under suspendLock and holds it until GetThreadContext, which
//    waits until the thread has really stopped (Go's suspendLock). A
//    preemptor is thus never suspended holding it. It takes no other lock
//    and allocates nothing while the thread is stopped: the thread may
//    hold any lock, the heap's included.
//  - The process exits while preemptions are in flight: ExitProcess kills
//    every other thread and then goes on, so a SuspendThread asked by a
//    preemptor it killed could stop the exiting thread for ever (the
//    seed). freezetheworld, which every exit() runs before ExitProcess
//    (the runtime's atexit entry), ends with preemptStopForExit: under
//    suspendLock, exiting is set, and no suspension starts after it; one
//    that started has reached GetThreadContext, so it stopped some other
//    thread, not the exiting one (Go's exit takes suspendLock for good;
//    here a preemptor that comes later is refused rather than blocked,
//    since it may hold an M's preemptExtLock that the exiting thread's
//    own foreign calls, in later atexit entries, would wait for). A
//    thread stopped when ExitProcess kills its preemptor dies stopped,
//    as any thread dies. ExitProcess called from foreign code needs none
//    of this: its thread holds its lock (the seed's point). Managed code
//    calling ExitProcess directly, not through cbridge::call, is code the
//    handshake does not know: as in Go, it is not protected.
//
// CBRIDGE_ASYNCPREEMPT=0 and CBRIDGE_DEBUG=asyncpreemptoff turn it off
// (initAsyncPreempt): then nothing is suspended and preemption is
// cooperative only, as on Linux. CBRIDGE_DEBUG=preemptnolock (testing
// only) makes sysmon also suspend, look at and resume every M in foreign
// code, ignoring its lock, as Go did before the seed: that is the
// preemptor the seed fixed, for a test to show what the handshake
// prevents.
#include "runtime/sigpreempt.hpp"

#include <windows.h>

#include <atomic>

#include "runtime/asyncpreempt.hpp"
#include "runtime/debugvars.hpp"
#include "runtime/os.hpp"
#include "runtime/preempt.hpp"
#include "runtime/preempt_modules.hpp"
#include "runtime/proc.hpp"

namespace cbridge::rt {

namespace {

// Set once by initPreemptSignal, before sysmon starts.
bool asyncOn = false;
bool suspendWithoutLock = false;

// suspendLock serializes SuspendThread..GetThreadContext among
// preemptors (see the top). An SRW lock, not a runtime Lock: it is held
// while another thread is stopped, and must take nothing that thread may
// hold.
SRWLOCK suspendLock = SRWLOCK_INIT;
// Set under suspendLock by preemptStopForExit: no suspension after it.
bool exiting = false;

// suspendAndLook stops mp's thread, redirects it to asyncPreempt if it is
// at an async safe point, and lets it go on. The caller holds mp's
// preemptExtLock, or (preemptnolock) pretends to.
void suspendAndLook(M* mp) {
  int tid = mp->procid;
  const uint32_t* locks = mp->locksHeldAt;
  if (tid == 0 || locks == nullptr || tid == gettid()) return;  // no thread yet; never itself
  HANDLE h = OpenThread(THREAD_SUSPEND_RESUME | THREAD_GET_CONTEXT | THREAD_SET_CONTEXT, FALSE,
                        DWORD(tid));
  if (h == nullptr) return;
  // CONTEXT is 16-byte aligned (its declaration says so): Rip, Rsp.
  CONTEXT c{};
  c.ContextFlags = CONTEXT_CONTROL;
  AcquireSRWLockExclusive(&suspendLock);
  if (exiting || SuspendThread(h) == DWORD(-1)) {
    ReleaseSRWLockExclusive(&suspendLock);
    CloseHandle(h);
    return;
  }
  // Waits until the thread has stopped: from here on it runs nothing, and
  // what it wrote before (its lock count, curg, the region's depth) is
  // what we read, the kernel's round trip ordering it.
  bool got = GetThreadContext(h, &c) != 0;
  ReleaseSRWLockExclusive(&suspendLock);
  // The count is a plain thread_local its thread writes: read once,
  // volatile, while that thread is stopped.
  uint32_t held = *static_cast<const volatile uint32_t*>(locks);
  if (got && wantAsyncPreempt(mp, uintptr_t(c.Rip), uintptr_t(c.Rsp), held)) {
    // Go's pushCall: the thread calls asyncPreempt as if the interrupted
    // instruction had, returning to it. wantAsyncPreempt checked that
    // the task's stack has room below Rsp.
    uintptr_t sp = uintptr_t(c.Rsp) - 8;
    *reinterpret_cast<uintptr_t*>(sp) = uintptr_t(c.Rip);
    c.Rsp = DWORD64(sp);
    c.Rip = DWORD64(reinterpret_cast<uintptr_t>(&cbridge_asyncPreempt));
    c.ContextFlags = CONTEXT_CONTROL;
    // If it fails the thread goes on where it was (the word written below
    // its stack pointer is outside its frame): the request stays.
    SetThreadContext(h, &c);
  }
  ResumeThread(h);
  CloseHandle(h);
}

}  // namespace

void initPreemptSignal() {
  asyncOn = initAsyncPreempt();
  suspendWithoutLock = debug.preemptnolock != 0;
  initPreemptModules();
}

// The interruption is synchronous: when suspendAndLook returns, the thread
// runs again, redirected or not. The cycle is acknowledged here, as the
// Linux handler does on its thread (release: after our reads and writes of
// the thread's state), so preemptWith's wait ends at once and it releases
// the lock. Without asynchronous preemption nothing is suspended (as Go
// under asyncpreemptoff=1), and false tells the caller so.
bool signalPreempt(M* mp) {
  if (!asyncOn) return false;
  suspendAndLook(mp);
  uint64_t w = mp->preemptExtLock.load(std::memory_order_acquire);
  if ((w & kExtStateMask) == kExtPreempting) mp->preemptAck.store(w >> 2, std::memory_order_release);
  return true;
}

// Nothing is ever pending: signalPreempt acknowledged before it returned.
void takeBlockedPreemptSignal(M*, uint64_t) {}

bool asyncPreemptEnabled() { return asyncOn; }

void preemptStopForExit() {
  AcquireSRWLockExclusive(&suspendLock);
  exiting = true;
  ReleaseSRWLockExclusive(&suspendLock);
}

bool preemptWithoutHandshake() { return suspendWithoutLock; }

// The preemptor without the handshake: the thread is stopped, looked at
// and resumed, whatever its lock says.
void interruptWithoutHandshake(M* mp) { suspendAndLook(mp); }

}  // namespace cbridge::rt
