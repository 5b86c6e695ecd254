// SPDX-License-Identifier: MIT
// The preemption signal on Linux (Go's signal_unix.go doSigPreempt and
// wantAsyncPreempt/isAsyncSafePoint, preempt.go).
//
// preemptM sends SIGURG to the M's thread with tgkill while it holds the
// M's preemptExtLock (see preempt.cpp). The handler runs on that thread, on
// its alternate signal stack (SA_ONSTACK). It first acknowledges the cycle
// the lock names, which lets the preemptor release the lock; then, if the
// interrupted instruction is an async safe point, it rewrites the signal
// context so that the thread, on return from the handler, calls
// cbridge_asyncPreempt (asyncpreempt_amd64_sysv.S) as if the interrupted code
// had called it: below the interrupted stack pointer's 128-byte red zone
// (which C code may use), the interrupted PC becomes the return address.
// asyncPreempt saves every general register, the flags and the extended
// state, yields the task (gopreempt) and, when some M resumes it, restores
// all of it and returns to the interrupted instruction.
//
// An async safe point is decided by wantAsyncPreempt (asyncpreempt_amd64.cpp,
// shared with Windows' preemptor), with the lock count of this very thread.
// Anything else leaves the request for the next cooperative check. The
// handler takes no lock and calls nothing that may: it is
// async-signal-safe.
//
// A signal that is not ours (not sent by this process with tgkill, or
// arriving while no preemption holds the lock: the host's own use of
// SIGURG, e.g. out-of-band data with F_SETOWN) goes to the handler the host
// had installed, or to the default action (ignore).
#include "runtime/attributes.hpp"
#include "runtime/sigpreempt.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "runtime/debugvars.hpp"
#include "runtime/fatal.hpp"
#include "runtime/lockheld.hpp"
#include "runtime/preempt.hpp"
#include "runtime/preempt_modules.hpp"
#include "runtime/proc.hpp"
#include "runtime/trace.hpp"

#if defined(__x86_64__)
#define CBRIDGE_ASYNC_PREEMPT 1
#include "runtime/asyncpreempt.hpp"
#endif

namespace {
// ThreadSanitizer runs a handler late, at the thread's next interceptor,
// with a copy of the signal context: rewriting it would be lost, so the
// signal only acknowledges there, and preemption is cooperative.
#if defined(__SANITIZE_THREAD__)
constexpr bool kContextRewritable = false;
#else
constexpr bool kContextRewritable = true;
#endif
}  // namespace

namespace cbridge::rt {

namespace {

constexpr int kSigPreempt = SIGURG;

// The host's handler, written once by initPreemptSignal before ours can
// run.
struct sigaction oldUrg;
// Set once before the handler is installed; read by the handler.
bool asyncOn = false;
// CBRIDGE_DEBUG=preemptnolock: preemptM signals without the handshake, so
// that a test can show what the handshake prevents (EINTR in foreign code).
bool signalWithoutLock = false;

void chainUrg(int sig, siginfo_t* info, void* uctx) {
  if (oldUrg.sa_flags & SA_SIGINFO) {
    if (oldUrg.sa_sigaction != nullptr) oldUrg.sa_sigaction(sig, info, uctx);
  } else if (oldUrg.sa_handler != SIG_DFL && oldUrg.sa_handler != SIG_IGN) {
    oldUrg.sa_handler(sig);
  }
  // SIG_DFL and SIG_IGN: SIGURG's default action is to ignore it.
}

#if defined(CBRIDGE_ASYNC_PREEMPT)

// injectAsyncPreempt makes the interrupted thread call asyncPreempt on
// return from the handler, returning to the interrupted instruction (Go's
// pushCall, past the red zone).
void injectAsyncPreempt(ucontext_t* uc) {
  greg_t* r = uc->uc_mcontext.gregs;
  uintptr_t sp = static_cast<uintptr_t>(r[REG_RSP]) - 128 - 8;
  *reinterpret_cast<uintptr_t*>(sp) = static_cast<uintptr_t>(r[REG_RIP]);
  r[REG_RSP] = static_cast<greg_t>(sp);
  r[REG_RIP] = reinterpret_cast<greg_t>(&cbridge_asyncPreempt);
}

#endif  // CBRIDGE_ASYNC_PREEMPT

void sigPreempt(int sig, siginfo_t* info, void* uctx) {
  SignalHandlerScope inHandler;  // no runtime Lock may be taken here
  int savedErrno = errno;
  M* m = getm();
  bool ours = m != nullptr && info != nullptr && info->si_code == SI_TKILL &&
              info->si_pid == getpid();
  uint64_t w = ours ? m->preemptExtLock.load(std::memory_order_acquire) : 0;
  bool cycle = (w & kExtStateMask) == kExtPreempting;
  if (!ours || (!cycle && !signalWithoutLock)) {
    inHandler.leave();  // the host's handler is not the runtime's code
    chainUrg(sig, info, uctx);
    errno = savedErrno;
    return;
  }
#if defined(CBRIDGE_ASYNC_PREEMPT)
  auto* uc = static_cast<ucontext_t*>(uctx);
  if (asyncOn && wantAsyncPreempt(m, static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]),
                                   static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]),
                                   locksHeld()))
    injectAsyncPreempt(uc);
#endif
  // The handler has run on this thread for this cycle: the preemptor may
  // release the lock, or the M take it over (release: after our reads).
  if (cycle) m->preemptAck.store(w >> 2, std::memory_order_release);
  errno = savedErrno;
}

}  // namespace

void initPreemptSignal() {
#if defined(CBRIDGE_ASYNC_PREEMPT)
  asyncOn = initAsyncPreempt() && kContextRewritable;
#endif
  signalWithoutLock = debug.preemptnolock != 0;
  initPreemptModules();
  struct sigaction sa {};
  sa.sa_sigaction = sigPreempt;
  // SA_RESTART: a system call of managed code that the signal interrupts
  // is restarted, not failed with EINTR (foreign code never sees it).
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  if (sigaction(kSigPreempt, &sa, &oldUrg) != 0)
    fatal("sigaction(SIGURG) failed: %s", strerror(errno));
}

bool asyncPreemptEnabled() { return asyncOn; }

namespace {
bool tgkill(M* mp) {
  return mp->procid != 0 && syscall(SYS_tgkill, getpid(), mp->procid, kSigPreempt) == 0;
}
}  // namespace

// Without asynchronous preemption nothing is signalled (as Go under
// asyncpreemptoff=1): the handler could only acknowledge, and a
// ThreadSanitizer build, which runs it late, may not run it at all while
// the thread waits for the lock in preemptExtEnterSlow.
bool signalPreempt(M* mp) { return asyncOn && tgkill(mp); }

void takeBlockedPreemptSignal(M* m, uint64_t cycle) {
  sigset_t pending, blocked;
  if (sigpending(&pending) != 0 || !sigismember(&pending, kSigPreempt)) return;
  if (pthread_sigmask(SIG_BLOCK, nullptr, &blocked) != 0 || !sigismember(&blocked, kSigPreempt))
    return;
  sigset_t urg;
  sigemptyset(&urg);
  sigaddset(&urg, kSigPreempt);
  struct timespec zero {};
  if (sigtimedwait(&urg, nullptr, &zero) == kSigPreempt)
    m->preemptAck.store(cycle, std::memory_order_release);
}

void preemptStopForExit() {}

bool preemptWithoutHandshake() { return signalWithoutLock; }

void interruptWithoutHandshake(M* mp) { tgkill(mp); }

}  // namespace cbridge::rt
