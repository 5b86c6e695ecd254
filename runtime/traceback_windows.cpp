// SPDX-License-Identifier: MIT
// traceback.hpp on Windows, for now: the calling thread's stack as
// addresses. RtlCaptureStackBackTrace walks the calling thread with the
// unwind tables of its modules (our Win64 assembly has them, .seh_*), so
// a fatal error and cbridge::dump() show the failing thread's frames; but
// no names: libbacktrace, which names them on Linux, is not built for
// mingw here, and DbgHelp's SymFromAddr needs the PDB or DWARF reader a
// later step brings. Each frame prints as its address and the module it
// lies in, enough for addr2line -e <module>.
//
// Not available on Windows yet, and said so where a stack would be:
//   - the stack of a task that is not running (parked, runnable, or in a
//     foreign call): Linux starts libunwind from the registers its switch
//     saved (traceback_linux_amd64.cpp); the Win64 counterpart reads
//     fcontext_amd64_win64.S's frame and steps with RtlVirtualUnwind;
//   - a stack interrupted by a signal: there are none (signal_windows.cpp).
// Nothing here walks another thread's memory, so there is no guarded walk
// and tracebackFault has nothing to do.
#include <windows.h>

#include "runtime/fatal.hpp"
#include "runtime/traceback.hpp"

namespace cbridge::rt {

namespace {

constexpr int kMaxFrames = 64;

}  // namespace

void tracebackinit() {
  static bool done = false;
  if (done) return;
  done = true;
  readTracebackLevel();
}

void printFrame(RawWriter& w, uintptr_t pc, bool) {
  w.str("?(...)\n\t");
  HMODULE mod = nullptr;
  char path[MAX_PATH];
  DWORD n = 0;
  if (GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                             GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                         reinterpret_cast<LPCSTR>(pc), &mod))
    n = GetModuleFileNameA(mod, path, sizeof path);
  if (n > 0)
    w.bytes(path, n).str("+").hex(pc - reinterpret_cast<uintptr_t>(mod));
  else
    w.str("?");
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
    printFrame(w, reinterpret_cast<uintptr_t>(pcs[i]), true);
  }
  if (n == kMaxFrames) w.str("...additional frames elided...\n");
}

// No signal interrupts a thread on Windows: the stack is the caller's.
void printInterruptedStack(RawWriter& w) { printCurrentStack(w, 1); }

void printGStack(RawWriter& w, G*) {
  w.str("\t(stack of a task that is not running: not available on Windows yet)\n");
}

void tracebackFault() {}

}  // namespace cbridge::rt
