// SPDX-License-Identifier: MIT
// Switching between g0 and tasks with Boost.Context's fcontext, annotated
// for AddressSanitizer's and ThreadSanitizer's fiber support. On Windows,
// where Debian has no mingw Boost.Context, our own Win64 fcontext, with
// Boost's names and semantics (fcontext_win64.hpp).
#pragma once

#include <cstdint>

#if defined(_WIN32)
#include "runtime/fcontext_win64.hpp"
// runtime/fcontext_amd64_win64.S; contextStackReservation below.
extern "C" void cbridge_fcontext_set_reservation(boost::context::detail::fcontext_t ctx, void* lo);
#else
#include <boost/context/detail/fcontext.hpp>
#endif

namespace cbridge::rt {

using boost::context::detail::fcontext_t;
using boost::context::detail::jump_fcontext;
using boost::context::detail::make_fcontext;
using boost::context::detail::transfer_t;

// contextStackReservation says to ctx, fresh from make_fcontext, that its
// stack's memory begins at lo, below the stack it was made with: the
// stack's guard region. Windows keeps a description of the running stack
// in the TEB, which a context carries, and raises a stack overflow from
// guard pages only inside it (sysStackGuard). Elsewhere nothing.
inline void contextStackReservation(fcontext_t ctx, uintptr_t lo) {
#if defined(_WIN32)
  cbridge_fcontext_set_reservation(ctx, reinterpret_cast<void*>(lo));
#else
  (void)ctx;
  (void)lo;
#endif
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CBRIDGE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CBRIDGE_ASAN 1
#endif

#ifdef CBRIDGE_ASAN
extern "C" {
void __sanitizer_start_switch_fiber(void** fake_stack_save, const void* bottom, size_t size);
void __sanitizer_finish_switch_fiber(void* fake_stack_save, const void** bottom_old,
                                     size_t* size_old);
void __asan_unpoison_memory_region(const volatile void* addr, size_t size);
}
inline void asanStartSwitch(void** save, const void* bottom, size_t size) {
  __sanitizer_start_switch_fiber(save, bottom, size);
}
inline void asanFinishSwitch(void* save, const void** bottomOld, size_t* sizeOld) {
  __sanitizer_finish_switch_fiber(save, bottomOld, sizeOld);
}
// asanFreshStack clears the shadow of a stack a new task is about to use.
// A task that exits never returns from its last frames, so their redzones
// stay poisoned; an uninstrumented callee (libstdc++'s clock read, say)
// of the next task on that stack would trip over them.
inline void asanFreshStack(const void* lo, size_t size) { __asan_unpoison_memory_region(lo, size); }
// asanUnmapping clears the shadow of a stack going back to the kernel, for
// the same reason: munmap does not clear it, and the next mmap to reuse
// the addresses (a pollDesc region, a host's buffer) would trip over the
// redzones of frames its last task never returned from.
inline void asanUnmapping(const void* lo, size_t size) { __asan_unpoison_memory_region(lo, size); }
#else
inline void asanStartSwitch(void**, const void*, size_t) {}
inline void asanFinishSwitch(void*, const void**, size_t*) {}
inline void asanFreshStack(const void*, size_t) {}
inline void asanUnmapping(const void*, size_t) {}
#endif

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CBRIDGE_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define CBRIDGE_TSAN 1
#endif

// ThreadSanitizer keeps a shadow call stack and a clock per fiber: each G
// is one, and each M's g0 (the thread's own, or on a foreign thread in a
// callback, that thread's) another. Every switch tells it where control
// goes, and orders what came before the switch before what follows.
#ifdef CBRIDGE_TSAN
extern "C" {
void* __tsan_get_current_fiber();
void* __tsan_create_fiber(unsigned flags);
void __tsan_switch_to_fiber(void* fiber, unsigned flags);
}
inline void* tsanCurrentFiber() { return __tsan_get_current_fiber(); }
// tsanSwitchTo switches to *fiber, made on first use (a G's).
inline void tsanSwitchTo(void** fiber) {
  if (*fiber == nullptr) *fiber = __tsan_create_fiber(0);
  __tsan_switch_to_fiber(*fiber, 0);
}
#else
inline void* tsanCurrentFiber() { return nullptr; }
inline void tsanSwitchTo(void**) {}
#endif

}  // namespace cbridge::rt
