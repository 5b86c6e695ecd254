// SPDX-License-Identifier: MIT
// Running a function on another stack, returning on ours (Go's
// asmcgocall): the primitive under every foreign call (task stack → g0)
// and every callback (thread stack → the callback's task stack).
#pragma once

#include <cstdint>

#include "runtime/attributes.hpp"

namespace cbridge::bridge {

// runOnStack calls fn(arg, inuse) with the stack pointer at sp (16-byte
// aligned; the stack below it, down to lo, is free) and returns when fn
// returns. On x86-64 only the stack pointer changes hands
// (bridge/asmcgocall_amd64_sysv.S, asmcgocall_amd64_win64.S); elsewhere an fcontext made at sp stands in.
// fn may itself switch contexts away and be resumed later, on the same
// thread, before it returns.
//
// inuse is the lowest address of the caller's stack that is live while fn
// runs. Below it the caller's stack is free, and stays untouched until
// runOnStack returns, since nothing runs on that stack meanwhile: this is
// the only safe place to keep something there (a context to switch back
// to, the start of a nested callback). Nothing may be put below a live
// stack pointer *before* the switch: any call made in between, even one
// that looks empty, may write there: the dynamic linker's lazy resolver
// saves the XSAVE area (2.4 KiB with AVX-512, 11 KiB with AMX), an
// LD_AUDIT module's pltenter runs arbitrary code, and a signal handler
// without SA_ONSTACK pushes its frame and the XSAVE area too.
//
// ctx is the saved context of the stack switched to, when it has one (a
// foreign call onto g0's stack, just below g0's context), or nullptr (a
// callback onto the free part of a task's stack). Windows describes the
// running stack in the thread's TEB, and takes that description from it
// (stack_switch_windows.cpp); elsewhere it is not needed. Without ctx,
// the stack's memory begins at guardlo, below lo, with its guard region
// (lo if it has none), which Windows must see as part of the stack for
// its guard pages to raise the stack overflow (contextStackReservation).
using OnStackFn = void (*)(void* arg, uintptr_t inuse);
void runOnStack(OnStackFn fn, void* arg, uintptr_t sp, uintptr_t lo, uintptr_t guardlo, void* ctx);

// adoptStackDescription gives ctx, a context fn just made with
// make_fcontext below inuse on the stack runOnStack left, that stack's
// description as the OS had it at the switch. Windows keeps the running
// stack's bounds in the TEB and a context carries them: made by
// make_fcontext it would claim its whole stack committed, which a
// thread's stack is not, and a callee probing from StackLimit (MSVC's
// __chkstk) would skip the guard page. Elsewhere it does nothing.
void adoptStackDescription(void* ctx, uintptr_t inuse);

// currentSP is the caller's stack pointer: where its frame ends. Not the
// address of a local, which a sanitizer may move to a heap-allocated fake
// frame.
CBRIDGE_ALWAYS_INLINE inline uintptr_t currentSP() {
#if defined(__x86_64__)
  uintptr_t sp;
  asm volatile("mov %%rsp, %0" : "=r"(sp));
  return sp;
#else
  return reinterpret_cast<uintptr_t>(CBRIDGE_FRAME_ADDRESS());
#endif
}

}  // namespace cbridge::bridge
