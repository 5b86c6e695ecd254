#include "bridge/stack_switch.hpp"

#include "runtime/context.hpp"

#if defined(__x86_64__)
// bridge/asmcgocall_amd64.S
extern "C" void cbridge_asmcgocall(void (*fn)(void*), void* arg, void* sp);
#endif

namespace cbridge::bridge {

#if defined(__x86_64__)

void runOnStack(void (*fn)(void*), void* arg, uintptr_t sp, uintptr_t) {
  cbridge_asmcgocall(fn, arg, reinterpret_cast<void*>(sp));
}

#else

namespace {
struct OnStack {
  void (*fn)(void*);
  void* arg;
};

// The bottom frame of the new context: it never returns, it jumps back
// to runOnStack's caller, and the context is abandoned.
void onStack(rt::transfer_t t) {
  auto* o = static_cast<OnStack*>(t.data);
  o->fn(o->arg);
  rt::jump_fcontext(t.fctx, nullptr);
}
}  // namespace

void runOnStack(void (*fn)(void*), void* arg, uintptr_t sp, uintptr_t lo) {
  OnStack o{fn, arg};
  rt::fcontext_t c = rt::make_fcontext(reinterpret_cast<void*>(sp), sp - lo, onStack);
  rt::jump_fcontext(c, &o);
}

#endif

}  // namespace cbridge::bridge
