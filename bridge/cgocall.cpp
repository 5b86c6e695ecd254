// cgocall: the one way managed code runs foreign code (Go's cgocall and
// asmcgocall, cgocall.go).
#include <cerrno>

#include "cbridge/call.hpp"
#include "runtime/context.hpp"
#include "runtime/preempt.hpp"
#include "runtime/runtime2.hpp"
#include "runtime/syscall.hpp"

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

// g0call is the bottom frame of a foreign call on g0's stack. It never
// returns: it jumps back to the task, and its context is abandoned.
void g0call(rt::transfer_t t) {
  auto* f = static_cast<CallFrame*>(t.data);
  rt::asanFinishSwitch(f->m->g0asanFakeStack, nullptr, nullptr);
  f->fn(f->arg);
  // Saved here, on the thread that ran the call: the task may resume on
  // another thread, with its own errno.
  f->savedErrno = errno;
  rt::M* m = f->m;
  rt::G* gp = m->curg;
  rt::asanStartSwitch(&m->g0asanFakeStack, reinterpret_cast<void*>(gp->stack->lo),
                      gp->stack->size());
  rt::jump_fcontext(t.fctx, nullptr);
}

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
  m->ncgo++;
  rt::entersyscall();
  // After entersyscall, as Go does: entering may wait for a preemption in
  // progress, and sysmon may take our P meanwhile.
  rt::preemptExtEnter(m);
  // Run on g0's stack below its saved context: g0 is suspended while one
  // of its tasks runs, so everything below that context is free.
  uintptr_t sp = (reinterpret_cast<uintptr_t>(m->g0ctx) - kG0Gap) & ~uintptr_t(15);
  rt::fcontext_t c = rt::make_fcontext(reinterpret_cast<void*>(sp), sp - m->g0lo, g0call);
  rt::asanStartSwitch(&gp->asanFakeStack, reinterpret_cast<void*>(m->g0lo), m->g0hi - m->g0lo);
  rt::jump_fcontext(c, &f);
  rt::asanFinishSwitch(gp->asanFakeStack, nullptr, nullptr);
  rt::preemptExtExit(m);
  m->ncgo--;
  rt::exitsyscall();  // may move us to another M
  errno = f.savedErrno;
}

}  // namespace cbridge::detail
