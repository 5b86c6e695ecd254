// SPDX-License-Identifier: MIT
// traceback.hpp on Windows. RtlCaptureStackBackTrace walks the calling
// thread with the unwind tables of its modules (our Win64 assembly has
// them, .seh_*), so a fatal error and cbridge::dump() show the failing
// thread's frames. Each frame is named as on Linux, function and
// file:line, from the module's own COFF symbol table and DWARF line table
// (symtab_windows.cpp: Debian has no mingw build of libbacktrace, and
// DbgHelp reads neither); a frame of a stripped module prints the module
// and the offset in it, enough for addr2line -e <module> against an
// unstripped copy.
//
// A task that is not running is walked as Linux walks it with libunwind
// (traceback_linux.cpp), but with the system's own unwinder: a CONTEXT is
// built from the registers its switch saved (fcontext_amd64_win64.S's
// frame, for a parked or runnable task) or from the frame its foreign
// call left (asmcgocall_amd64_win64.S's, for a task in C: its frames down
// to the call), and each step is RtlLookupFunctionEntry +
// RtlVirtualUnwind, which is what RtlCaptureStackBackTrace does to the
// calling thread. The walk reads only the task's stack between its saved
// stack pointer and its top, which the task touched, so it is committed:
// every step must leave the stack pointer higher and inside those bounds,
// and a frame found through a frame register is followed only if that
// register points inside them too. The dump does not stop the world: a
// task resumed while it is walked can show frames it has left, and one
// that ended can have its stack freed under the walk (sysFree, when the
// free Gs' stacks are more than the runtime keeps). So the reads are
// guarded as Linux guards them with sigsetjmp: the walk collects its
// frames under a CBRIDGE_SETJMP buffer, and a fault in it (in our reads
// or RtlVirtualUnwind's) makes the vectored handler resume there
// (tracebackFault rewrites the faulting context: rbp, rip, rsp, which is
// all a resume restores; the function that set the buffer saved
// every other register it uses). The frames are printed after the guard
// is dropped: symbolizing maps files and builds indexes, which must not
// be left half done by a jump.
//
// Not available on Windows, and said so where a stack would be: a stack
// interrupted by a signal, for there are none (signal_windows.cpp).
#include <windows.h>

#include <cstddef>
#include <cstring>

#include "runtime/attributes.hpp"
#include "runtime/demangle.hpp"
#include "runtime/fatal.hpp"
#include "runtime/symtab.hpp"
#include "runtime/thread_safety.hpp"
#include "runtime/traceback.hpp"

// bridge/asmcgocall_amd64_win64.S: where a foreign call returns to.
extern "C" char cbridge_asmcgocall_return[];

namespace cbridge::rt {

namespace {

constexpr int kMaxFrames = 64;

// The walk guard of each thread: its CBRIDGE_SETJMP buffer while it
// walks a task's stack, else null. A TLS slot of Windows' own, not a
// thread_local: the fault handler reads it on any thread, and mingw's
// emulated TLS allocates at a thread's first access. Set once by
// tracebackinit, before any dump.
DWORD guardSlot = TLS_OUT_OF_INDEXES;

// The parts of a stack a walk may read: [lo, hi).
struct Bounds {
  uintptr_t lo, hi;
  bool holds(uintptr_t addr, uintptr_t size) const { return addr >= lo && addr <= hi - size; }
};

uintptr_t word(uintptr_t addr) { return *reinterpret_cast<const uintptr_t*>(addr); }

// fcontext_amd64_win64.S: the saved registers' offsets in a stopped
// context's frame, its return address, and the stack pointer once it has
// returned; make_fcontext puts a fresh context 0x150 bytes below the
// 16-byte-aligned top of its stack, where a task that ran never has its
// context, its entry's frames being above it.
constexpr uintptr_t kCtxRbx = 0xc8, kCtxRbp = 0xd0, kCtxRdi = 0xd8, kCtxRsi = 0xe0, kCtxR12 = 0xe8,
                    kCtxR13 = 0xf0, kCtxR14 = 0xf8, kCtxR15 = 0x100, kCtxRet = 0x118, kCtxSize = 0x120,
                    kFreshCtx = 0x150;

// cbridge_asmcgocall_ctx's frame (asmcgocall_amd64_win64.S), at the sp
// it gives a foreign call's G (syscallsp): the caller's rbp, the return
// address into the task's code, and the caller's stack pointer after it.
constexpr uintptr_t kCallRbp = 0x30, kCallRet = 0x38, kCallSize = 0x40;

// frameInBounds says whether the unwind of fn's frame reads only the
// stack: a frame with a frame register (UNWIND_INFO's fourth byte, low
// nibble; CONTEXT holds rax..r15 in the unwind codes' register order)
// finds its saved registers and return address from that register, which
// for a stale or foreign frame may point anywhere.
static_assert(offsetof(CONTEXT, R15) - offsetof(CONTEXT, Rax) == 15 * sizeof(DWORD64));
bool frameInBounds(const RUNTIME_FUNCTION* fn, DWORD64 base, const CONTEXT* c, const Bounds& b) {
  auto* info = reinterpret_cast<const unsigned char*>(base + fn->UnwindData);
  unsigned reg = info[3] & 0x0f;
  return reg == 0 || b.holds((&c->Rax)[reg], 8);
}

// A walk's frames. Volatile: read after a fault resumed the walk's
// guard, so each frame found must be in memory by then.
struct Frames {
  volatile uintptr_t pcs[kMaxFrames];
  volatile int n;
};

// walkFrom collects the frames from c up: one per return address, until
// one is 0, the stack pointer does not move up within b, or the cap. A
// function without a function entry is a leaf, whose return address is
// at the stack pointer; only the innermost frame can be one, since every
// function that calls has an entry: above the others is fcontext's start
// (cbridge_fcontext_start, at the stack's top), whose would-be return
// address is its callee's shadow space.
void walkFrom(CONTEXT* c, const Bounds& b, Frames* f) {
  while (c->Rip != 0 && f->n < kMaxFrames) {
    int n = f->n;
    f->pcs[n] = c->Rip;
    f->n = n + 1;
    uintptr_t sp = c->Rsp;
    DWORD64 base = 0;
    RUNTIME_FUNCTION* fn = RtlLookupFunctionEntry(c->Rip, &base, nullptr);
    if (fn == nullptr) {
      if (n > 0) return;
      c->Rip = word(sp);
      c->Rsp = sp + 8;
    } else {
      if (!frameInBounds(fn, base, c, b)) return;
      void* handlerData = nullptr;
      DWORD64 establisher = 0;
      RtlVirtualUnwind(UNW_FLAG_NHANDLER, base, c->Rip, fn, c, &handlerData, &establisher, nullptr);
    }
    if (c->Rsp <= sp || !b.holds(c->Rsp, 8)) return;
  }
}

// walkG builds the CONTEXT of gp's innermost frame not in the switch:
// the caller of jump_fcontext (parked or runnable) or of
// cbridge_asmcgocall_ctx (in a foreign call), and walks from it; or returns
// why it cannot. Registers that frame does not hold are left 0: no frame
// of the task's code, compiled by GCC, finds its caller through them. The
// walk's bounds start at that frame.
const char* walkG(G* gp, Frames* f) {
  if (gp->stack == nullptr) return "\t(not started yet)\n";
  uintptr_t hi = gp->stack->hi;
  CONTEXT c;
  memset(&c, 0, sizeof c);
  Bounds b{gp->stack->lo, hi};
  if (gp->status.load(std::memory_order_acquire) == GStatus::Syscall) {
    uintptr_t sp = gp->syscallsp;
    if (sp == 0 || !b.holds(sp, kCallSize)) return "\t(entering or leaving its foreign call: stack unavailable)\n";
    b.lo = sp;
    c.Rbp = word(sp + kCallRbp);
    c.Rip = word(sp + kCallRet);
    c.Rsp = sp + kCallSize;
  } else {
    auto ctx = reinterpret_cast<uintptr_t>(gp->ctx);
    if (ctx == (hi & ~uintptr_t(15)) - kFreshCtx) return "\t(not started yet)\n";
    if (!b.holds(ctx, kCtxSize)) return "\t(its saved context is not on its stack: stack unavailable)\n";
    b.lo = ctx;
    c.Rbx = word(ctx + kCtxRbx);
    c.Rbp = word(ctx + kCtxRbp);
    c.Rdi = word(ctx + kCtxRdi);
    c.Rsi = word(ctx + kCtxRsi);
    c.R12 = word(ctx + kCtxR12);
    c.R13 = word(ctx + kCtxR13);
    c.R14 = word(ctx + kCtxR14);
    c.R15 = word(ctx + kCtxR15);
    c.Rip = word(ctx + kCtxRet);
    c.Rsp = ctx + kCtxSize;
  }
  walkFrom(&c, b, f);
  return nullptr;
}

}  // namespace

void tracebackinit() {
  static bool done = false;
  if (done) return;
  done = true;
  readTracebackLevel();
  guardSlot = TlsAlloc();
}

void printFrame(RawWriter& w, uintptr_t pc, bool isReturn) {
  // A return address's call is the instruction before it, which may be
  // the last of its function or of its line.
  FrameSym sym;
  bool inModule = findFrame(isReturn ? pc - 1 : pc, &sym);
  if (sym.name[0] != 0)
    printFuncName(w, sym.name);
  else
    w.str("?(...)");
  w.str("\n\t");
  if (sym.line > 0) {
    if (sym.dir != nullptr) w.str(sym.dir).str("/");
    w.str(sym.file).str(":").dec(sym.line);
  } else {
    HMODULE mod = nullptr;
    char path[MAX_PATH];
    DWORD n = 0;
    if (inModule && GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                           GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                                       reinterpret_cast<LPCSTR>(pc), &mod))
      n = GetModuleFileNameA(mod, path, sizeof path);
    if (n > 0)
      w.bytes(path, n).str("+").hex(pc - reinterpret_cast<uintptr_t>(mod));
    else
      w.str("?");
  }
  w.str(" pc=").hex(pc).str("\n");
}

void printCurrentStack(RawWriter& w, int skip) {
  void* pcs[kMaxFrames];
  // And this function.
  int n = RtlCaptureStackBackTrace(DWORD(skip + 1), kMaxFrames, pcs, nullptr);
  // Wine's walk goes on past the thread's first frame with zeros: the
  // stack ends at the first.
  for (int i = 0; i < n; i++) {
    if (pcs[i] == nullptr) return;
    // Above a foreign call come the frames g0 stopped in, which the call
    // does not return to (asmcgocall_amd64_win64.S): the task's that
    // made it are shown instead, from its foreign call's frame, as
    // Linux's unwinder shows them through asmcgocall.
    if (pcs[i] == cbridge_asmcgocall_return) {
      M* m = getm();
      G* gp = m != nullptr ? m->curg : nullptr;
      if (gp != nullptr && gp->status.load(std::memory_order_acquire) == GStatus::Syscall)
        printGStack(w, gp);
      return;
    }
    printFrame(w, reinterpret_cast<uintptr_t>(pcs[i]), true);
  }
  if (n == kMaxFrames) w.str("...additional frames elided...\n");
}

// No signal interrupts a thread on Windows: the stack is the caller's.
void printInterruptedStack(RawWriter& w) { printCurrentStack(w, 1); }

// printGStack walks gp's stack under the guard, then prints what it found.
RACY_SNAPSHOT void printGStack(RawWriter& w, G* gp) {
  Frames f{};
  const char* volatile note = nullptr;
  bool faulted = false;
  void* guard[5];
  bool guarded = guardSlot != TLS_OUT_OF_INDEXES;
  if (!guarded)
    note = walkG(gp, &f);
  else if (CBRIDGE_SETJMP(guard) == 0) {
    TlsSetValue(guardSlot, guard);
    note = walkG(gp, &f);
    TlsSetValue(guardSlot, nullptr);
  } else {
    faulted = true;
  }
  if (note != nullptr) {
    w.str(note);
    return;
  }
  for (int i = 0; i < f.n; i++) printFrame(w, f.pcs[i], true);
  if (f.n == kMaxFrames) w.str("...additional frames elided...\n");
  if (faulted) w.str("\t(the stack changed while it was read)\n");
}

// The handler's context gets what a resume restores from the buffer:
// the frame pointer, the resume address, the stack pointer. The slot is
// cleared first, so that a fault after the resume is not the walk's.
// TlsGetValue clears the thread's last error, which the faulting code
// (foreign code, whose own handler may resume it) still owns.
bool tracebackFault(void* context) {
  if (guardSlot == TLS_OUT_OF_INDEXES) return false;
  DWORD lastError = GetLastError();
  auto* guard = static_cast<void**>(TlsGetValue(guardSlot));
  SetLastError(lastError);
  if (guard == nullptr) return false;
  TlsSetValue(guardSlot, nullptr);
  auto* c = static_cast<CONTEXT*>(context);
  c->Rbp = reinterpret_cast<DWORD64>(guard[0]);
  c->Rip = reinterpret_cast<DWORD64>(guard[1]);
  c->Rsp = reinterpret_cast<DWORD64>(guard[2]);
  return true;
}

}  // namespace cbridge::rt
