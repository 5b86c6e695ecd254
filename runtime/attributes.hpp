// SPDX-License-Identifier: MIT
// The compiler attributes and builtins the runtime uses, in one place, so
// that a compiler with other spellings (or none) is handled here and
// nowhere else. Attributes cannot be functions, so each is a short macro;
// the two builtins that must be evaluated in the caller's own frame are
// macros for the same reason. Branch hints are C++20's [[likely]] and
// [[unlikely]], which need nothing here. The public export macro stays in
// include/cbridge.
#pragma once

// Never inlined: a slow path kept out of its caller's body.
#define CBRIDGE_NOINLINE __attribute__((noinline))
// Rarely run: placed away from hot code, its callers' branches predicted
// against it.
#define CBRIDGE_COLD __attribute__((cold))
// Neither inlined nor analysed across the call (no interprocedural
// optimisation): a function whose result must be recomputed at every call,
// such as a thread-local's address read by a task that may have moved to
// another thread since the last call.
// Clang has no noipa: there noinline keeps the body out of its callers,
// and optnone keeps clang from inferring attributes for it (readnone, which
// would let a caller reuse one result across a task switch).
#if defined(__clang__)
#define CBRIDGE_NOIPA __attribute__((noinline, optnone))
#else
#define CBRIDGE_NOIPA __attribute__((noipa))
#endif
// Always inlined, even at -O0 and where the inliner would refuse.
#define CBRIDGE_ALWAYS_INLINE __attribute__((always_inline))
// The accessor of a thread_local that code reads or writes on both sides
// of a task switch (a Lock taken before a park and released after it).
// mingw-w64's GCC emulates thread_locals: each access calls
// __emutls_get_address, and the compiler keeps the address it returned
// for the rest of the function, across calls, so code that resumed on
// another thread would update the first thread's variable. There the
// accessor is noipa, and each call computes the address anew; elsewhere
// an access is one %fs-relative instruction, and the accessor is inlined.
#if defined(_WIN32) && !defined(__clang__)
#define CBRIDGE_TLS_ACCESSOR CBRIDGE_NOIPA
#else
#define CBRIDGE_TLS_ACCESSOR CBRIDGE_ALWAYS_INLINE
#endif
// A thread_local in the initial-exec TLS model: one fs-relative load, no
// __tls_get_addr call. The library is loaded at start, never dlopen'd
// late into a process whose static TLS is full.
#define CBRIDGE_TLS_INITIAL_EXEC __attribute__((tls_model("initial-exec")))
// Not exported from the shared library (for symbols that assembly shares
// with C++, which -fvisibility does not reach). Windows builds only the
// static library, whose symbols no DLL exports: nothing to hide (and
// mingw-w64's GCC ignores the attribute with a warning).
#if defined(_WIN32)
#define CBRIDGE_HIDDEN
#else
#define CBRIDGE_HIDDEN __attribute__((visibility("hidden")))
#endif
// A printf-style function: format string at argument fmt, arguments from
// first (1-based), checked by the compiler. On Windows "printf" would mean
// msvcrt's formats (no %zu, %lld); ours are the C99 ones mingw-w64 builds
// with __USE_MINGW_ANSI_STDIO (cmake/mingw-w64-x86_64.cmake): gnu_printf.
#if defined(_WIN32)
#define CBRIDGE_PRINTF(fmt, first) __attribute__((format(gnu_printf, fmt, first)))
#else
#define CBRIDGE_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#endif
// Run before main (and before static constructors of lower priority).
#define CBRIDGE_CONSTRUCTOR __attribute__((constructor))
#define CBRIDGE_CONSTRUCTOR_PRIORITY(n) __attribute__((constructor(n)))
// Kept, and emitted, though nothing refers to it; in section name (a PE
// image's TLS callback list, .CRT$XL?, say).
#define CBRIDGE_USED __attribute__((used))
#define CBRIDGE_USED_IN_SECTION(name) __attribute__((used, section(name)))
// Realigns the stack to the ABI's 16 bytes on entry, for entry points that
// foreign code may call misaligned.
#define CBRIDGE_FORCE_ALIGN_STACK __attribute__((force_align_arg_pointer))
// Sanitizer exemptions, each justified where used.
#define CBRIDGE_NO_SANITIZE_ADDRESS __attribute__((no_sanitize("address")))
#define CBRIDGE_NO_SANITIZE_THREAD __attribute__((no_sanitize("thread")))
#define CBRIDGE_NO_SANITIZE_UNDEFINED __attribute__((no_sanitize("undefined")))

// The return address of the calling function / its frame's address: a
// macro, since a function would report its own frame.
#define CBRIDGE_RETURN_ADDRESS() __builtin_return_address(0)
#define CBRIDGE_FRAME_ADDRESS() __builtin_frame_address(0)

// CBRIDGE_SETJMP(buf), buf a void*[5], records where to resume in the
// calling function, as GCC's builtin setjmp does, and returns 0; resumed
// there, it returns 1. Resuming restores only buf[0] (the frame pointer),
// buf[1] (the address) and buf[2] (the stack pointer): the compiler saves
// every other register the function uses. A macro: it must expand in the
// function whose frame it records.
#define CBRIDGE_SETJMP(buf) __builtin_setjmp(buf)

// procyield is one spin-wait hint to the CPU (Go's procyield, one
// PAUSE on amd64): a spinning loop yields the core's resources to its
// sibling hyperthread and leaves the spin without a memory-order stall.
inline void procyield() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// clang's thread-safety analysis attributes (thread_safety.hpp names
// them); nothing under other compilers.
#if defined(__clang__)
#define CBRIDGE_TSA(x) __attribute__((x))
#else
#define CBRIDGE_TSA(x)
#endif
