// SPDX-License-Identifier: MIT
// traceback.hpp on Linux: unwinding with the unwinder of libgcc (the
// calling thread) or libunwind (a context from a signal or a parked task),
// symbols and lines from libbacktrace, and a sigsetjmp guard around walks
// of stacks that may fault.
#include "runtime/traceback.hpp"

#include <backtrace.h>
#include <dlfcn.h>
#include <setjmp.h>
#include <ucontext.h>
#include <unwind.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>


#include "runtime/attributes.hpp"
#include "runtime/demangle.hpp"
#include "runtime/fatal.hpp"
#include "runtime/thread_safety.hpp"

namespace cbridge::rt {

namespace {

// Written once by tracebackinit, before any handler can read them.
backtrace_state* symtab = nullptr;
struct Libunwind {
  int (*initLocal)(unw_cursor_t*, unw_context_t*);
  int (*step)(unw_cursor_t*);
  int (*getReg)(unw_cursor_t*, unw_regnum_t, unw_word_t*);
};
Libunwind unw{};
bool haveUnw = false;

constexpr int kMaxFrames = 64;

// The walk guard: set while this thread walks a stack it does not own;
// the fault handler jumps back here (tracebackFault). initial-exec: read
// in a signal handler, which must not allocate a TLS block.
CBRIDGE_TLS_INITIAL_EXEC thread_local sigjmp_buf* tlsWalkGuard = nullptr;

// libbacktrace reports missing debug information through this; a frame
// without it prints its symbol or address, which says enough.
void symtabError(void*, const char*, int) {}

struct FrameOut {
  RawWriter* w;
  uintptr_t pc;
  bool named;
};

int pcinfo(void* data, uintptr_t, const char* file, int line, const char* fn) {
  auto* o = static_cast<FrameOut*>(data);
  if (fn == nullptr) return 0;
  o->named = true;
  printFuncName(*o->w, fn);
  o->w->str("\n\t").str(file != nullptr ? file : "?").str(":").dec(line);
  o->w->str(" pc=").hex(o->pc).str("\n");
  return 0;
}

void syminfo(void* data, uintptr_t, const char* sym, uintptr_t symval, uintptr_t) {
  auto* o = static_cast<FrameOut*>(data);
  if (sym == nullptr) return;
  o->named = true;
  printFuncName(*o->w, sym);
  o->w->str("\n\t?:0 pc=").hex(o->pc).str(" +").hex(o->pc - symval).str("\n");
}

struct Collected {
  uintptr_t pcs[kMaxFrames];
  int n = 0;
  int skip = 0;
  int interrupted = -1;  // the index of the frame a signal interrupted
};

_Unwind_Reason_Code collect(_Unwind_Context* ctx, void* data) {
  auto* c = static_cast<Collected*>(data);
  int ipBefore = 0;
  uintptr_t pc = _Unwind_GetIPInfo(ctx, &ipBefore);
  if (pc == 0) return _URC_END_OF_STACK;
  if (c->skip > 0) {
    c->skip--;
    return _URC_NO_REASON;
  }
  // A signal frame's pc is the interrupted instruction itself: one past
  // it is what the lookup of a return address subtracts from.
  if (ipBefore != 0 && c->interrupted < 0) c->interrupted = c->n;
  c->pcs[c->n++] = ipBefore != 0 ? pc + 1 : pc;
  return c->n == kMaxFrames ? _URC_END_OF_STACK : _URC_NO_REASON;
}

void printPCs(RawWriter& w, const volatile uintptr_t* pcs, int n, bool firstExact) {
  for (int i = 0; i < n; i++) printFrame(w, pcs[i], !(i == 0 && firstExact));
  if (n == kMaxFrames) w.str("...additional frames elided...\n");
}

// A walk: where it starts, and the frames it found.
struct Walk {
  G* gp;              // a task that is not running
  unw_context_t* uc;  // the registers to start from, decoded from gp
  // Volatile: read after a fault's jump out of the walk, so each frame
  // found must be in memory by then, not in a register.
  volatile uintptr_t pcs[kMaxFrames];
  volatile int n;
  const char* volatile note;  // why there is no walk, or nullptr
};

RACY_SNAPSHOT void walk(Walk* wk) {
  unw_context_t* uc = wk->uc;
  G* gp = wk->gp;
  if (gp->status.load(std::memory_order_acquire) == GStatus::Syscall) {
    uintptr_t sp = gp->syscallsp;
    if (sp == 0) {
      wk->note = "\t(entering or leaving its foreign call: stack unavailable)\n";
      return;
    }
    contextOfCall(sp, uc);
  } else if (gp->stack == nullptr || !contextOfParked(gp->ctx, gp->stack->hi, uc)) {
    wk->note = "\t(not started yet)\n";
    return;
  }
  unw_cursor_t cur;
  int r = unw.initLocal(&cur, uc);
  while (r >= 0 && wk->n < kMaxFrames) {
    unw_word_t ip = 0;
    if (unw.getReg(&cur, UNW_REG_IP, &ip) < 0 || ip == 0) break;
    int n = wk->n;
    wk->pcs[n] = uintptr_t(ip);
    wk->n = n + 1;
    r = unw.step(&cur);
    if (r <= 0) break;
  }
}

// printWalk walks under the guard: the registers and the frames they
// lead to may change while they are read (another thread resumed the
// task), and a fault then ends the walk, not the process.
RACY_SNAPSHOT void printWalk(RawWriter& w, Walk* wk) {
  if (!haveUnw) {
    w.str("\t(stack unavailable: libunwind.so.8 is not installed)\n");
    return;
  }
  sigjmp_buf guard;
  bool faulted = false;
  if (sigsetjmp(guard, 1) == 0) {
    tlsWalkGuard = &guard;
    walk(wk);
  } else {
    faulted = true;
  }
  tlsWalkGuard = nullptr;
  if (const char* note = wk->note; note != nullptr) {
    w.str(note);
    return;
  }
  // wk is read through memory after the jump: its fields are not
  // registers that sigsetjmp left indeterminate.
  printPCs(w, wk->pcs, wk->n, false);
  if (faulted) w.str("\t(the stack changed while it was read)\n");
}

}  // namespace

void tracebackinit() {
  static bool done = false;
  if (done) return;
  done = true;
  readTracebackLevel();
  // threaded: the dump may run on any thread, more than one at a time.
  symtab = backtrace_create_state(nullptr, 1, symtabError, nullptr);
  if (void* h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL); h != nullptr) {
    unw.initLocal = reinterpret_cast<decltype(unw.initLocal)>(dlsym(h, "_ULx86_64_init_local"));
    unw.step = reinterpret_cast<decltype(unw.step)>(dlsym(h, "_ULx86_64_step"));
    unw.getReg = reinterpret_cast<decltype(unw.getReg)>(dlsym(h, "_ULx86_64_get_reg"));
    haveUnw = unw.initLocal != nullptr && unw.step != nullptr && unw.getReg != nullptr;
  }
}

void printFrame(RawWriter& w, uintptr_t pc, bool isReturn) {
  FrameOut o{&w, pc, false};
  uintptr_t at = isReturn ? pc - 1 : pc;
  if (symtab != nullptr) {
    backtrace_pcinfo(symtab, at, pcinfo, symtabError, &o);
    if (!o.named) backtrace_syminfo(symtab, at, syminfo, symtabError, &o);
  }
  if (!o.named) w.str("?(...)\n\t?:0 pc=").hex(pc).str("\n");
}

void printCurrentStack(RawWriter& w, int skip) {
  Collected c;
  c.skip = skip + 1;  // and this function
  _Unwind_Backtrace(collect, &c);
  printPCs(w, c.pcs, c.n, false);
}

void printInterruptedStack(RawWriter& w) {
  Collected c;
  _Unwind_Backtrace(collect, &c);
  if (c.interrupted < 0) {
    printPCs(w, c.pcs, c.n, false);
    return;
  }
  printPCs(w, c.pcs + c.interrupted, c.n - c.interrupted, false);
}

void printGStack(RawWriter& w, G* gp) {
  unw_context_t uc;
  Walk wk{gp, &uc, {}, 0, nullptr};
  printWalk(w, &wk);
}

void tracebackFault() {
  if (sigjmp_buf* g = tlsWalkGuard; g != nullptr) siglongjmp(*g, 1);
}

}  // namespace cbridge::rt
