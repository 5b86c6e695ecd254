// SPDX-License-Identifier: MIT
#include "bridge/stack_switch.hpp"

#include "runtime/context.hpp"

#if defined(__x86_64__)
// bridge/asmcgocall_amd64_sysv.S
extern "C" void cbridge_asmcgocall(cbridge::bridge::OnStackFn fn, void* arg, void* sp);
#endif

namespace cbridge::bridge {

void adoptStackDescription(void*, uintptr_t) {}

#if defined(__x86_64__)

void runOnStack(OnStackFn fn, void* arg, uintptr_t sp, uintptr_t, uintptr_t, void*) {
  cbridge_asmcgocall(fn, arg, reinterpret_cast<void*>(sp));
}

#else

namespace {
struct OnStack {
  OnStackFn fn;
  void* arg;
};

// The bottom frame of the new context: it never returns, it jumps back
// to runOnStack's caller, and the context is abandoned. The caller's
// saved context (t.fctx) is the lowest thing live on its stack.
void onStack(rt::transfer_t t) {
  auto* o = static_cast<OnStack*>(t.data);
  o->fn(o->arg, reinterpret_cast<uintptr_t>(t.fctx));
  rt::jump_fcontext(t.fctx, nullptr);
}
}  // namespace

void runOnStack(OnStackFn fn, void* arg, uintptr_t sp, uintptr_t lo, uintptr_t, void*) {
  OnStack o{fn, arg};
  rt::fcontext_t c = rt::make_fcontext(reinterpret_cast<void*>(sp), sp - lo, onStack);
  rt::jump_fcontext(c, &o);
}

#endif

}  // namespace cbridge::bridge
