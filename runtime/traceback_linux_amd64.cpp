// SPDX-License-Identifier: MIT
// Where a walk of a stack that is not running starts, on x86-64 (see
// traceback.hpp).
#include <ucontext.h>

#include <cstring>

#include "runtime/traceback.hpp"

namespace cbridge::rt {

namespace {
uintptr_t word(uintptr_t addr) { return *reinterpret_cast<const uintptr_t*>(addr); }
}  // namespace

// Boost.Context's jump_fcontext (SysV x86-64) saves, at the context's
// address: the MXCSR and x87 control words, r12, r13, r14, r15, rbx,
// rbp, then the return address it was called with; resuming sets the
// stack pointer past them. make_fcontext puts a new context 64 bytes
// below the 16-byte-aligned top of its stack; a task that ran has its
// entry's frames above its saved context, so it is never there.
bool contextOfParked(void* fctx, uintptr_t stackHi, void* ucp) {
  auto ctx = reinterpret_cast<uintptr_t>(fctx);
  if (ctx == (stackHi & ~uintptr_t(15)) - 0x40) return false;
  auto* uc = static_cast<ucontext_t*>(ucp);
  memset(uc, 0, sizeof *uc);
  greg_t* r = uc->uc_mcontext.gregs;
  r[REG_R12] = greg_t(word(ctx + 0x08));
  r[REG_R13] = greg_t(word(ctx + 0x10));
  r[REG_R14] = greg_t(word(ctx + 0x18));
  r[REG_R15] = greg_t(word(ctx + 0x20));
  r[REG_RBX] = greg_t(word(ctx + 0x28));
  r[REG_RBP] = greg_t(word(ctx + 0x30));
  r[REG_RIP] = greg_t(word(ctx + 0x38));
  r[REG_RSP] = greg_t(ctx + 0x40);
  return true;
}

// cbridge_asmcgocall pushed rbp and left sp pointing at it; the return
// address into the task's code is above it. The other callee-saved
// registers are not needed to find the frames above: each frame's CFA
// comes from the stack pointer or from rbp.
void contextOfCall(uintptr_t sp, void* ucp) {
  auto* uc = static_cast<ucontext_t*>(ucp);
  memset(uc, 0, sizeof *uc);
  greg_t* r = uc->uc_mcontext.gregs;
  r[REG_RBP] = greg_t(word(sp));
  r[REG_RIP] = greg_t(word(sp + 8));
  r[REG_RSP] = greg_t(sp + 16);
}

uintptr_t sigctxtSP(const void* uctx) {
  return uintptr_t(static_cast<const ucontext_t*>(uctx)->uc_mcontext.gregs[REG_RSP]);
}

uintptr_t sigctxtPC(const void* uctx) {
  return uintptr_t(static_cast<const ucontext_t*>(uctx)->uc_mcontext.gregs[REG_RIP]);
}

}  // namespace cbridge::rt
