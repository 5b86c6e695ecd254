// SPDX-License-Identifier: MIT
// The OS layer's contract: the few services of the operating system the
// runtime is built on — time, futexes, threads, thread-local keys, memory
// mappings, raw output and process exit. Portable code includes this and
// no system header; os_linux.cpp and os_windows.cpp implement it.
// Names follow Go's runtime (os_linux.go, mem_linux.go) where it has them.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace cbridge::rt {

// Monotonic time in nanoseconds (CLOCK_MONOTONIC), the clock of every
// deadline and timer in the runtime.
int64_t nanotime();

// nanosleepuntil blocks the calling thread until nanotime() >= when.
void nanosleepuntil(int64_t when);

// futexsleep blocks while *addr == val, for at most ns nanoseconds
// (ns < 0: no limit). It may return spuriously: callers re-check.
void futexsleep(std::atomic<uint32_t>* addr, uint32_t val, int64_t ns);
// futexwakeup wakes at most cnt threads sleeping on addr.
void futexwakeup(std::atomic<uint32_t>* addr, int cnt);

void osyield();
void usleep(uint32_t us);

// The number of CPUs this process may run on.
int getproccount();

// Thread id of the calling thread (gettid), and the process's id.
int gettid();
int getpid();

// The number of threads in the process now, or -1 if it cannot be read.
int64_t threadcount();

// ---- Threads ----

// OSThread is an OS thread's handle, kept but never looked into (a
// pthread_t on Linux; on Windows a HANDLE or, for newosproc's detached
// threads, a thread id: see os_windows.cpp).
using OSThread = uintptr_t;

// newosproc starts fn(arg) on a new detached thread whose stack has
// stackSize bytes below a guard region of guardSize bytes (address space
// only; Windows has its own guard page instead), as the runtime makes an
// M's thread. Returns 0 or the OS's error number.
int newosproc(OSThread* t, void* (*fn)(void*), void* arg, size_t stackSize, size_t guardSize);
// newosthread starts fn(arg) on a new joinable thread with the OS's
// default stack. Returns 0 or the OS's error number.
int newosthread(OSThread* t, void* (*fn)(void*), void* arg);
// osthreadjoin waits for a joinable thread to end.
void osthreadjoin(OSThread t);
// osthreaddetach makes the calling (joinable) thread end without a join.
void osthreaddetach();
// osthreadself is the calling thread's handle (on Windows a new one, the
// caller's to close).
OSThread osthreadself();
// osthreadstack sets [*lo, *hi) to the calling thread's stack and says
// whether it could be found. On a process's main thread it may read a
// file (glibc reads /proc/self/maps): call it once per thread, never from
// a signal handler, unless osthreadstackFollowsFibers.
bool osthreadstack(uintptr_t* lo, uintptr_t* hi);
// osthreadstackFollowsFibers says that osthreadstack is cheap (no system
// call, no file) and gives the stack of the fiber the thread runs, which
// the OS's own fiber switch describes to it (Windows: the TEB's bounds,
// installed by SwitchToFiber): asked again after C switched fibers, it
// gives the new fiber's stack. Otherwise it gives the thread's stack
// whatever stack the thread runs on (a ucontext coroutine's, say).
extern const bool osthreadstackFollowsFibers;

// ---- Thread-local keys: the thread-exit hook ----

// A key whose destructor runs, with the thread's non-null value, when a
// thread that set it ends (a pthread key).
using TlsKey = uint32_t;
// tlskeycreate makes a key with destructor dtor; false if the OS has no
// key left.
bool tlskeycreate(TlsKey* key, void (*dtor)(void*));
// tlsset sets the calling thread's value of key.
void tlsset(TlsKey key, void* value);

// ---- Memory (Go's mem_linux.go) ----

// physpagesize is the OS's page size (Go's physPageSize).
size_t physpagesize();
// sysAlloc maps n bytes of zeroed, readable and writable memory, or
// returns nullptr with errno set.
void* sysAlloc(size_t n);
// sysAllocNoReserve is sysAlloc for memory that may stay mostly
// untouched (task stacks): no swap is reserved for it (MAP_NORESERVE;
// Windows has no such thing and commits it all), and it goes near hint
// if the OS can (a hint, never forced; nullptr: anywhere).
void* sysAllocNoReserve(size_t n, void* hint);
// sysFree unmaps [p, p+n), memory sysAlloc* returned (or a part of it).
void sysFree(void* p, size_t n);
// sysFault makes [p, p+n) inaccessible, a guard region: an access faults.
// Returns false with errno set if the OS refuses (on Linux ENOMEM when
// splitting the mapping needs an entry past vm.max_map_count).
bool sysFault(void* p, size_t n);
// sysStackGuard makes [p, p+n), the lowest pages of a task stack's
// mapping (the stack above them), its guard region, and says false with
// errno set as sysFault does. On Linux it is sysFault: an access faults,
// the SIGSEGV handler runs on the alternate signal stack. Windows
// dispatches an exception on the faulting stack itself, so the guard is
// what Windows puts below a thread's stack: the lowest page inaccessible,
// the rest PAGE_GUARD pages, the first touch of which by the stack's own
// code (the context describes the stack to the OS, with the guard inside:
// contextStackReservation) raises the stack overflow with the room left
// below to report it.
bool sysStackGuard(void* p, size_t n);
// sysUnused gives the pages of [p, p+n) back to the OS, keeping the
// mapping: the next touch finds them zeroed (Go's sysUnused).
void sysUnused(void* p, size_t n);
// sysNoHugePage asks the OS not to back [p, p+n) with huge pages. Best
// effort.
void sysNoHugePage(void* p, size_t n);

// ---- A thread's error state ----

// ErrorState is what C code reads after a failed call on this thread:
// errno, and on Windows GetLastError() as well (WSAGetLastError is the
// same value). It is the thread's, not the task's: a task stopped
// asynchronously (asyncPreempt) takes its own along to whichever M
// resumes it, since the runtime's code in between sets both.
struct ErrorState {
  int err;
  uint32_t lastError;  // 0 where the OS has none
};
ErrorState saveErrorState();
void restoreErrorState(ErrorState s);

// ---- Output and exit ----

// write1 writes up to n bytes of p to file descriptor fd (1, 2, or one the
// runtime opened) as write(2): the count written, or -1 with errno set.
ptrdiff_t write1(int fd, const void* p, size_t n);
// osexit ends the process with status code at once: no exit handlers, no
// static destructors, no stdio flush (_exit).
[[noreturn]] void osexit(int code);
// coredump ends the process the way that leaves a core dump where the
// system keeps them (SIGABRT with its default action, whatever the host
// installed), as GOTRACEBACK=crash does.
[[noreturn]] void coredump();

}  // namespace cbridge::rt
