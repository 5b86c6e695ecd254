// cgocall: the one way managed code runs foreign code (Go's cgocall and
// asmcgocall, cgocall.go).
#include <cerrno>

#include "cbridge/call.hpp"
#include "runtime/context.hpp"
#include "runtime/preempt.hpp"
#include "runtime/runtime2.hpp"
#include "runtime/syscall.hpp"

#if defined(__x86_64__)
// bridge/asmcgocall_amd64.S
extern "C" void cbridge_asmcgocall(void (*fn)(void*), void* arg, void* sp);
#define CBRIDGE_HAVE_ASMCGOCALL 1
#endif

namespace cbridge::detail {

namespace {

struct CallFrame {
  void (*fn)(void*);
  void* arg;
  rt::M* m;
  int savedErrno;
};

// Bytes left untouched below g0's saved context: its red zone and more.
constexpr uintptr_t kG0Gap = 256;
// Bytes between a local of cgocall and where a nested callback may start
// on the task's stack: the rest of cgocall's frame and asmcgocall's.
constexpr uintptr_t kNestedGap = 512;

// onG0 is what runs on g0's stack: the call, then errno saved on the
// thread that ran it (the task may resume on another thread, with its
// own errno).
void onG0(void* p) {
  auto* f = static_cast<CallFrame*>(p);
#ifdef CBRIDGE_ASAN
  rt::asanFinishSwitch(f->m->g0asanFakeStack, nullptr, nullptr);
#endif
  f->fn(f->arg);
  f->savedErrno = errno;
#ifdef CBRIDGE_ASAN
  rt::G* gp = f->m->curg;
  rt::asanStartSwitch(&f->m->g0asanFakeStack, reinterpret_cast<void*>(gp->stack->lo),
                      gp->stack->size());
#endif
}

#ifndef CBRIDGE_HAVE_ASMCGOCALL
// Without the assembly helper, a context made on g0's stack for the call.
// It never returns: it jumps back to the task, and is abandoned.
void g0call(rt::transfer_t t) {
  onG0(t.data);
  rt::jump_fcontext(t.fctx, nullptr);
}
#endif

}  // namespace

void cgocall(void (*fn)(void*), void* arg) {
  rt::M* m = rt::getm();
  rt::G* gp = m != nullptr ? m->curg : nullptr;
  if (gp == nullptr) {
    // A plain thread, or g0: there is no task to park and no P to hand
    // off, and we are already on a system stack.
    fn(arg);
    return;
  }
  CallFrame f{fn, arg, m, 0};
  // A callback nested in this call runs on our stack below this frame
  // (and below what asmcgocall pushes).
  gp->syscallsp = reinterpret_cast<uintptr_t>(&f) - kNestedGap;
  m->ncgo++;
  rt::entersyscall(m);
  // After entersyscall, as Go does: entering may wait for a preemption in
  // progress, and sysmon may take our P meanwhile.
  rt::preemptExtEnter(m);
  // Run on g0's stack below its saved context: g0 is suspended while one
  // of its tasks runs, so everything below that context is free.
  uintptr_t sp = (reinterpret_cast<uintptr_t>(m->g0ctx) - kG0Gap) & ~uintptr_t(15);
#ifdef CBRIDGE_ASAN
  rt::asanStartSwitch(&gp->asanFakeStack, reinterpret_cast<void*>(m->g0lo), m->g0hi - m->g0lo);
#endif
#ifdef CBRIDGE_HAVE_ASMCGOCALL
  cbridge_asmcgocall(onG0, &f, reinterpret_cast<void*>(sp));
#else
  rt::fcontext_t c = rt::make_fcontext(reinterpret_cast<void*>(sp), sp - m->g0lo, g0call);
  rt::jump_fcontext(c, &f);
#endif
#ifdef CBRIDGE_ASAN
  rt::asanFinishSwitch(gp->asanFakeStack, nullptr, nullptr);
#endif
  rt::preemptExtExit(m);
  m->ncgo--;
  rt::exitsyscall(m);  // may move us to another M
  errno = f.savedErrno;
}

}  // namespace cbridge::detail
