// SPDX-License-Identifier: MIT
// runOnStack on Win64 (stack_switch.cpp has the others). Windows reads the
// running stack's bounds from the thread's TEB (exception dispatch accepts
// only frames inside them; the kernel grows a stack only inside them), so
// asmcgocall_amd64_win64.S installs a description of the stack it switches
// to for as long as fn runs, and writes back what the TEB holds when fn
// returns (StackLimit moves down as a thread stack grows). Which
// description depends on where we go:
//   - a foreign call goes onto g0's stack just below g0's saved context,
//     and that context (a jump_fcontext frame, fcontext_amd64_win64.S)
//     holds the description g0 ran under, the thread's own with its live
//     commit boundary: it is used, and updated, in place, so that g0
//     resumes under what the call left;
//   - a callback goes onto the free part of a task's stack, committed
//     whole (sysAllocNoReserve commits on Windows), with its guard pages
//     below (sysStackGuard): {guardlo, lo, sp}, as a task's own context
//     describes it (contextStackReservation); the
//     context it makes to park to, on the thread's stack, gets the
//     thread's description (adoptStackDescription).
// The two go through different entries of asmcgocall, which differ in
// where an exception raised on the stack switched to searches for
// handlers (asmcgocall_amd64_win64.S): a foreign call's, on into the
// frames g0 stopped in, as in a program without cbridge.
#include <cstdint>
#include <cstring>

#include "bridge/stack_switch.hpp"

// bridge/asmcgocall_amd64_win64.S
extern "C" void cbridge_asmcgocall(cbridge::bridge::OnStackFn fn, void* arg, void* sp,
                                   void* stack);
extern "C" void cbridge_asmcgocall_ctx(cbridge::bridge::OnStackFn fn, void* arg, void* sp,
                                       void* stack);
// runtime/fcontext_amd64_win64.S
extern "C" void cbridge_fcontext_start_above_asmcgocall(void* ctx);

namespace cbridge::bridge {

namespace {

// The TEB's stack description, as asmcgocall takes it and as a stopped
// fcontext holds it.
struct TebStack {
  uintptr_t deallocationStack;
  uintptr_t stackLimit;
  uintptr_t stackBase;
};

// Where a stopped fcontext keeps its TebStack (fcontext_amd64_win64.S's
// frame: DeallocationStack at 0xb0, StackLimit 0xb8, StackBase 0xc0).
constexpr uintptr_t kCtxTebStack = 0xb0;
// And its ExceptionList (0x110), Wine's list of handler frames.
constexpr uintptr_t kCtxExceptionList = 0x110;
// Where asmcgocall's frame, at inuse, keeps the TebStack and the
// ExceptionList it replaced (asmcgocall_amd64_win64.S: rbp+0x08 to
// rbp+0x18, rbp+0x00).
constexpr uintptr_t kFrameTebStack = 0x08, kFrameExceptionList = 0x00;

}  // namespace

void runOnStack(OnStackFn fn, void* arg, uintptr_t sp, uintptr_t lo, uintptr_t guardlo, void* ctx) {
  if (ctx != nullptr) {
    cbridge_asmcgocall_ctx(fn, arg, reinterpret_cast<void*>(sp),
                           static_cast<char*>(ctx) + kCtxTebStack);
    return;
  }
  TebStack s{guardlo, lo, sp};
  cbridge_asmcgocall(fn, arg, reinterpret_cast<void*>(sp), &s);
}

// A callback's g0 context (cbRun's, made on the thread's stack at inuse):
// the thread's description and ExceptionList, which asmcgocall saved
// when it left that stack. When the callback returns, asmcgocall
// restores the one it saved, whose StackLimit may be higher than the
// stack has grown meanwhile: that only makes a probing callee probe
// pages already committed. And its unwind, into asmcgocall's frame at
// inuse and on into the thread's own frames, for exceptions raised in a
// foreign call that the callback's task makes.
void adoptStackDescription(void* ctx, uintptr_t inuse) {
  TebStack s;
  std::memcpy(&s, reinterpret_cast<void*>(inuse + kFrameTebStack), sizeof s);
  std::memcpy(static_cast<char*>(ctx) + kCtxTebStack, &s, sizeof s);
  std::memcpy(static_cast<char*>(ctx) + kCtxExceptionList,
              reinterpret_cast<void*>(inuse + kFrameExceptionList), sizeof(uintptr_t));
  cbridge_fcontext_start_above_asmcgocall(ctx);
}

}  // namespace cbridge::bridge
