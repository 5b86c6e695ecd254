// Running a function on another stack, returning on ours (Go's
// asmcgocall): the primitive under every foreign call (task stack → g0)
// and every callback (thread stack → the callback's task stack).
#pragma once

#include <cstdint>

namespace cbridge::bridge {

// runOnStack calls fn(arg) with the stack pointer at sp (16-byte aligned;
// the stack below it, down to lo, is free) and returns when fn returns. On
// x86-64 only the stack pointer changes hands (bridge/asmcgocall_amd64.S);
// elsewhere an fcontext made at sp stands in. fn may itself switch
// contexts away and be resumed later, on the same thread, before it
// returns.
void runOnStack(void (*fn)(void*), void* arg, uintptr_t sp, uintptr_t lo);

// currentSP is the caller's stack pointer: where its frame ends. Not the
// address of a local, which a sanitizer may move to a heap-allocated fake
// frame.
__attribute__((always_inline)) inline uintptr_t currentSP() {
#if defined(__x86_64__)
  uintptr_t sp;
  asm volatile("mov %%rsp, %0" : "=r"(sp));
  return sp;
#else
  return reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
#endif
}

}  // namespace cbridge::bridge
