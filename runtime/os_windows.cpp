// SPDX-License-Identifier: MIT
// os.hpp on Windows, as Go's os_windows.go and mem_windows.go do it with
// Win32: the same contract as os_linux.cpp, held to it by
// tests/win64/os_test.cpp under Wine. Where Windows has no equivalent of a
// Linux service the nearest is taken and the difference said here, at the
// function: what the runtime can rely on is os.hpp, not this file.
#include "runtime/os.hpp"

#include <windows.h>
// After windows.h, which they need.
#include <io.h>
#include <process.h>
#include <tlhelp32.h>

#include <atomic>
#include <bit>
#include <cerrno>
#include <climits>

#include "runtime/attributes.hpp"

namespace cbridge::rt {

namespace {

// die reports a failure of Windows the runtime cannot go on from. It
// writes directly: the runtime's printing sits above this layer.
[[noreturn]] void die(const char* what) {
  char buf[160];
  size_t n = 0;
  auto put = [&](const char* s) {
    while (*s != '\0' && n < sizeof buf) buf[n++] = *s++;
  };
  put("fatal error: ");
  put(what);
  put(" (Windows error ");
  char digits[12];
  int nd = 0;
  DWORD err = GetLastError();
  do digits[nd++] = char('0' + err % 10), err /= 10;
  while (err != 0);
  while (nd > 0 && n < sizeof buf) buf[n++] = digits[--nd];
  put(")\n");
  write1(2, buf, n);
  osexit(2);
}

// errnoOf turns the last Windows error into the errno os.hpp promises.
int errnoOf(DWORD err) {
  switch (err) {
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_COMMITMENT_LIMIT:
      return ENOMEM;
    case ERROR_INVALID_HANDLE:
      return EBADF;
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
      return EPIPE;
    case ERROR_ACCESS_DENIED:
      return EACCES;
    default:
      return EINVAL;
  }
}

}  // namespace

// QueryPerformanceCounter: the monotonic clock Windows documents for
// intervals. QueryUnbiasedInterruptTimePrecise would leave out the time
// the machine sleeps, as CLOCK_MONOTONIC does, but Wine 8 has none.
int64_t nanotime() {
  static const int64_t freq = [] {
    LARGE_INTEGER f;
    QueryPerformanceFrequency(&f);
    return int64_t(f.QuadPart);
  }();
  LARGE_INTEGER c;
  QueryPerformanceCounter(&c);
  // Split so that the product cannot overflow (freq is ~10 MHz).
  int64_t t = c.QuadPart;
  return t / freq * 1000000000 + t % freq * 1000000000 / freq;
}

// The runtime's short sleeps (usleep's spins of a few µs, a thread's
// sleep outside a task) need better than the 1-15.6 ms of Sleep: a
// high-resolution waitable timer, one per thread, made on first use. A
// Windows without CREATE_WAITABLE_TIMER_HIGH_RESOLUTION (before 10 1803)
// gets a plain one, which rounds up to the system tick. The loop makes
// the deadline hold whatever the timer's resolution. The timer is held in
// a thread-local key (below), not a thread_local object: the key's value
// outlives everything that may still sleep on the thread (at exit(),
// freezetheworld waits for the other Ps after the CRT destroyed the
// thread's thread_locals, freeze.cpp; a thread_local timer read then was
// a closed or freed handle, "SetWaitableTimer failed", in 1 of 200
// exits; and mingw-w64 runs a thread_local's destructor after emutls
// freed it, freeze_windows.cpp). The key's destructor closes it when the thread
// ends; at the process's exit it is never closed, and Windows takes it
// back with the process.
namespace {

void closeTimer(void* h) { CloseHandle(static_cast<HANDLE>(h)); }

HANDLE threadTimer() {
  static const TlsKey key = [] {
    TlsKey k;
    if (!tlskeycreate(&k, closeTimer)) die("tlskeycreate failed for the sleep timer");
    return k;
  }();
  auto h = static_cast<HANDLE>(TlsGetValue(DWORD(key)));
  if (h != nullptr) return h;
  // CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, which mingw-w64 10's headers lack.
  constexpr DWORD kHighResolution = 0x2;
  h = CreateWaitableTimerExW(nullptr, nullptr, kHighResolution, TIMER_ALL_ACCESS);
  if (h == nullptr) h = CreateWaitableTimerExW(nullptr, nullptr, 0, TIMER_ALL_ACCESS);
  if (h == nullptr) die("CreateWaitableTimerExW failed");
  tlsset(key, h);
  return h;
}

}  // namespace

void nanosleepuntil(int64_t when) {
  for (int64_t now = nanotime(); now < when; now = nanotime()) {
    HANDLE timer = threadTimer();
    LARGE_INTEGER due;
    // Negative: relative, in 100 ns units, rounded up.
    due.QuadPart = -((when - now + 99) / 100);
    if (!SetWaitableTimer(timer, &due, 0, nullptr, nullptr, FALSE)) die("SetWaitableTimer failed");
    WaitForSingleObject(timer, INFINITE);
  }
}

// WaitOnAddress is Windows' futex (Windows 8 and later; Synchronization.lib,
// which mingw-w64 has as -lsynchronization): it sleeps while the word holds
// the value, and may return spuriously, as the contract allows. Its
// timeout is in milliseconds: rounded up, so that a short timed sleep does
// not become a spin; a sleep may thus last up to a system tick longer than
// asked, which callers tolerate as they tolerate a late wakeup. Timed
// sleeps on a note (sysmon's 20 µs pace, a timer's wait) are thus at least
// a millisecond here, as Go's semasleep on Windows makes its own.
void futexsleep(std::atomic<uint32_t>* addr, uint32_t val, int64_t ns) {
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
  DWORD ms = INFINITE;
  if (ns >= 0) {
    int64_t m = (ns + 999999) / 1000000;
    ms = m >= int64_t(INFINITE) ? INFINITE - 1 : DWORD(m);
  }
  WaitOnAddress(reinterpret_cast<volatile uint32_t*>(addr), &val, sizeof val, ms);
}

// Windows wakes one waiter or all: INT_MAX (every sleeper) is all, any
// other count that many single wakeups.
void futexwakeup(std::atomic<uint32_t>* addr, int cnt) {
  void* p = reinterpret_cast<void*>(addr);
  if (cnt == INT_MAX) {
    WakeByAddressAll(p);
    return;
  }
  for (int i = 0; i < cnt; i++) WakeByAddressSingle(p);
}

void osyield() { SwitchToThread(); }

void usleep(uint32_t us) { nanosleepuntil(nanotime() + int64_t(us) * 1000); }

// The process's affinity mask covers the processor group it runs in (64
// CPUs at most), which is where its threads run unless it spreads them.
int getproccount() {
  DWORD_PTR proc, sys;
  if (GetProcessAffinityMask(GetCurrentProcess(), &proc, &sys) && proc != 0)
    return std::popcount(uint64_t(proc));
  DWORD n = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
  return n > 0 ? int(n) : 1;
}

int gettid() { return int(GetCurrentThreadId()); }

int getpid() { return int(GetCurrentProcessId()); }

// Windows keeps no per-process thread count to read: a Toolhelp snapshot
// lists every thread of the system, and those of this process are counted.
// It costs a system call and a walk (well under a millisecond on a desktop),
// and checkdead, its one caller, runs it only when every P is idle. If the
// snapshot fails the count is unknown (-1), and checkdead then assumes a
// thread outside may still wake a task: no deadlock is reported. Threads
// Windows makes itself count as outside too (the parallel loader's
// workers at start, a thread pool's): while they live, checkdead stays
// silent, conservative as its rule wants.
int64_t threadcount() {
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  if (snap == INVALID_HANDLE_VALUE) return -1;
  DWORD self = GetCurrentProcessId();
  int64_t n = 0;
  THREADENTRY32 te;
  te.dwSize = sizeof te;
  for (BOOL ok = Thread32First(snap, &te); ok; ok = Thread32Next(snap, &te))
    if (te.th32OwnerProcessID == self) n++;
  CloseHandle(snap);
  return n > 0 ? n : -1;
}

// ---- Threads ----
//
// What an OSThread holds depends on who made it:
// - newosthread's is the thread's HANDLE, which osthreadjoin waits on and
//   closes (or the thread closes it, osthreaddetach);
// - newosproc's is the thread's id: a detached thread's handle is closed
//   at once, as Go's newosproc does;
// - osthreadself's is a new HANDLE to the calling thread, the caller's to
//   close, with the rights a preemptor needs (SuspendThread,
//   GetThreadContext, SetThreadContext), as Go's minit takes one per M.
//
// Threads start with _beginthreadex rather than CreateThread so that the
// C runtime's per-thread state is set up for them.

namespace {

struct Start {
  void* (*fn)(void*);
  void* arg;
  HANDLE self;  // newosthread's: for osthreaddetach
};

// The handle newosthread returned for the calling thread, if it made it.
thread_local HANDLE joinHandle = nullptr;

unsigned __stdcall threadstart(void* p) {
  Start s = *static_cast<Start*>(p);
  delete static_cast<Start*>(p);
  joinHandle = s.self;
  s.fn(s.arg);
  return 0;
}

// spawn starts a thread suspended, so that its Start can carry its own
// handle before it runs.
HANDLE spawn(void* (*fn)(void*), void* arg, size_t stackSize, unsigned flags, bool joinable,
             int* err, unsigned* tid) {
  auto* s = new Start{fn, arg, nullptr};
  HANDLE h = reinterpret_cast<HANDLE>(
      _beginthreadex(nullptr, unsigned(stackSize), threadstart, s, flags | CREATE_SUSPENDED, tid));
  if (h == nullptr) {
    *err = errno;
    delete s;
    return nullptr;
  }
  if (joinable) s->self = h;
  ResumeThread(h);
  return h;
}

}  // namespace

// The stack is a reservation of stackSize bytes (with
// STACK_SIZE_PARAM_IS_A_RESERVATION; the executable's initial commit, a
// page, is committed at first, the rest as the stack grows; at most 4 GiB,
// _beginthreadex's limit). guardSize does not apply: Windows keeps its own
// guard page below the committed part of every thread stack, within the
// reservation, and turns an overflow into STATUS_STACK_OVERFLOW. The
// thread is detached: its handle is closed now.
int newosproc(OSThread* t, void* (*fn)(void*), void* arg, size_t stackSize, size_t guardSize) {
  (void)guardSize;
  if (stackSize > UINT_MAX) return EINVAL;
  int err = 0;
  unsigned tid = 0;
  HANDLE h = spawn(fn, arg, stackSize, STACK_SIZE_PARAM_IS_A_RESERVATION, false, &err, &tid);
  if (h == nullptr) return err;
  CloseHandle(h);
  *t = OSThread(tid);
  return 0;
}

int newosthread(OSThread* t, void* (*fn)(void*), void* arg) {
  int err = 0;
  unsigned tid = 0;
  HANDLE h = spawn(fn, arg, 0, 0, true, &err, &tid);
  if (h == nullptr) return err;
  *t = reinterpret_cast<OSThread>(h);
  return 0;
}

void osthreadjoin(OSThread t) {
  HANDLE h = reinterpret_cast<HANDLE>(t);
  WaitForSingleObject(h, INFINITE);
  CloseHandle(h);
}

void osthreaddetach() {
  if (joinHandle == nullptr) return;  // not a newosthread thread: nothing held
  CloseHandle(joinHandle);
  joinHandle = nullptr;
}

OSThread osthreadself() {
  HANDLE h;
  if (!DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &h,
                       THREAD_SUSPEND_RESUME | THREAD_GET_CONTEXT | THREAD_SET_CONTEXT |
                           THREAD_QUERY_LIMITED_INFORMATION,
                       FALSE, 0))
    die("DuplicateHandle of the current thread failed");
  return reinterpret_cast<OSThread>(h);
}

// The whole reservation, from the TEB: lo is its bottom, whose last pages
// are Windows' guard region and never usable. On a task's stack it gives
// the task's (the context switch keeps the TEB's bounds), so call it on
// the thread's own stack, as the contract says. On a fiber it gives the
// fiber's: SwitchToFiber installs the fiber's bounds in the TEB. Two reads
// of the TEB, no system call.
const bool osthreadstackFollowsFibers = true;

bool osthreadstack(uintptr_t* lo, uintptr_t* hi) {
  ULONG_PTR l = 0, h = 0;
  GetCurrentThreadStackLimits(&l, &h);
  if (l == 0 || h <= l) return false;
  *lo = l;
  *hi = h;
  return true;
}

// ---- Thread-local keys ----
//
// A thread-local storage slot (TlsAlloc) whose destructor the image's TLS
// callback runs (onThreadDetach, below) is the pthread key: Windows calls
// the TLS callbacks of every module with DLL_THREAD_DETACH on every thread
// that ends (ExitThread, returning from its start routine, a thread pool
// retiring a worker), whichever fiber it is running, for threads the
// runtime made and any other (a C thread's extra M is dropped so).
// Not fiber-local storage (FlsAlloc), whose callback is the documented
// thread-exit hook but belongs to fibers: a thread converted to fibers
// has one FLS per fiber, so the value set on one fiber is not seen from
// another, its callback runs when that fiber is deleted (DeleteFiber:
// while the thread goes on, or on another thread), and not at all when
// the thread ends on another fiber. An extra M is the thread's: dropped on
// DeleteFiber, the thread's next callback needed another (and, the fiber
// deleted from another thread, that thread's cached M was cleared while
// this thread kept using an M back on the extra list), and dropped by no
// one when the thread ended on another fiber, so it stayed in use.
// The differences from pthreads: a thread ended by TerminateThread runs
// no callback (nor does it free anything else), and the callbacks run
// under the loader lock, which a destructor must not wait for (dropm and
// freeing a cache do not: at most they start a thread, which waits for
// the lock itself, not us).

namespace {

struct Key {
  DWORD slot;
  void (*dtor)(void*);
};
constexpr int kMaxKeys = 16;
Key keys[kMaxKeys];
std::atomic<int> nkeys{0};  // keys[0, nkeys) are made
SRWLOCK keysLock = SRWLOCK_INIT;

// As pthreads does: destructors run until no value is set, at most 4
// rounds (PTHREAD_DESTRUCTOR_ITERATIONS), each value cleared before its
// destructor gets it.
void NTAPI onThreadDetach(void*, DWORD reason, void*) {
  if (reason != DLL_THREAD_DETACH) return;
  int n = nkeys.load(std::memory_order_acquire);
  for (int round = 0; round < 4; round++) {
    bool ran = false;
    for (int i = 0; i < n; i++) {
      void* v = TlsGetValue(keys[i].slot);
      if (v == nullptr) continue;
      TlsSetValue(keys[i].slot, nullptr);
      keys[i].dtor(v);
      ran = true;
    }
    if (!ran) return;
  }
}

}  // namespace

// The image's TLS directory (the CRT's _tls_used) lists the callbacks
// between .CRT$XLA and .CRT$XLZ, run in the order of their sections' names,
// at a thread's end as at its start. .CRT$XLB runs before the CRT's own
// (mingw-w64's .CRT$XLC, XLD) and winpthreads' (.CRT$XLF), which free
// the thread's thread_local storage, which the destructors use.
extern "C" {
extern const IMAGE_TLS_DIRECTORY _tls_used;
CBRIDGE_USED_IN_SECTION(".CRT$XLB") const PIMAGE_TLS_CALLBACK cbridge_tls_callback = onThreadDetach;
// Links the TLS directory in, as MSVC's /INCLUDE:_tls_used would.
CBRIDGE_USED const void* const cbridge_tls_used = &_tls_used;
}

bool tlskeycreate(TlsKey* key, void (*dtor)(void*)) {
  AcquireSRWLockExclusive(&keysLock);
  int n = nkeys.load(std::memory_order_relaxed);
  DWORD slot = n < kMaxKeys ? TlsAlloc() : TLS_OUT_OF_INDEXES;
  if (slot != TLS_OUT_OF_INDEXES) {
    keys[n] = {slot, dtor};
    nkeys.store(n + 1, std::memory_order_release);
  }
  ReleaseSRWLockExclusive(&keysLock);
  if (slot == TLS_OUT_OF_INDEXES) return false;
  *key = TlsKey(slot);
  return true;
}

void tlsset(TlsKey key, void* value) { TlsSetValue(DWORD(key), value); }

// ---- Memory ----
//
// Windows has two steps where Linux has one: address space is reserved,
// then committed, and commit is charged against RAM plus page file at
// once, whether the pages are touched or not; Windows does not overcommit.
// Pages still come zeroed on first touch, so committed-but-untouched
// memory costs commit charge but no RAM. Memory here is reserved and
// committed together (sysAllocNoReserve too: the "no reserve" of
// MAP_NORESERVE has no Windows equivalent short of committing lazily,
// which needs a fault handler). A reservation can be released only whole,
// in one call; a part of one can only be decommitted.

namespace {

// Region walks [p, p+n) as Windows lists it: runs of pages of one state
// and protection, each within one reservation.
template <typename F>
void eachRegion(uintptr_t a, uintptr_t end, F f) {
  while (a < end) {
    MEMORY_BASIC_INFORMATION mi;
    if (VirtualQuery(reinterpret_cast<void*>(a), &mi, sizeof mi) == 0) die("VirtualQuery failed");
    uintptr_t stop = reinterpret_cast<uintptr_t>(mi.BaseAddress) + mi.RegionSize;
    if (stop > end) stop = end;
    f(a, stop, mi);
    a = stop;
  }
}

// reservation finds the end of the reservation that starts at base, and
// whether any page of it is still committed.
uintptr_t reservation(uintptr_t base, bool* committed) {
  *committed = false;
  uintptr_t a = base;
  for (;;) {
    MEMORY_BASIC_INFORMATION mi;
    if (VirtualQuery(reinterpret_cast<void*>(a), &mi, sizeof mi) == 0 ||
        reinterpret_cast<uintptr_t>(mi.AllocationBase) != base || mi.State == MEM_FREE)
      return a;
    if (mi.State == MEM_COMMIT) *committed = true;
    a = reinterpret_cast<uintptr_t>(mi.BaseAddress) + mi.RegionSize;
  }
}

}  // namespace

size_t physpagesize() {
  static const size_t ps = [] {
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return size_t(si.dwPageSize);
  }();
  return ps;
}

void* sysAlloc(size_t n) {
  void* p = VirtualAlloc(nullptr, n, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  if (p == nullptr) errno = errnoOf(GetLastError());
  return p;
}

// The hint is tried, then anywhere (VirtualAlloc at an address fails if
// the address is taken). Windows reserves in 64 KiB units and rounds the
// address down to one.
void* sysAllocNoReserve(size_t n, void* hint) {
  if (hint != nullptr) {
    void* p = VirtualAlloc(hint, n, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    if (p != nullptr) return p;
  }
  return sysAlloc(n);
}

// A part of a reservation is decommitted, and the reservation released
// when no page of it is left committed: freeing a reservation in parts,
// as munmap allows, ends with it released. (Go's sysFreeOS needs less:
// it only ever frees whole reservations.) [p, p+n) may span reservations
// made one after another.
void sysFree(void* p, size_t n) {
  auto a = reinterpret_cast<uintptr_t>(p);
  uintptr_t end = a + n;
  while (a < end) {
    MEMORY_BASIC_INFORMATION mi;
    if (VirtualQuery(reinterpret_cast<void*>(a), &mi, sizeof mi) == 0 || mi.State == MEM_FREE)
      die("sysFree of memory not allocated");
    auto base = reinterpret_cast<uintptr_t>(mi.AllocationBase);
    bool committed;
    uintptr_t resEnd = reservation(base, &committed);
    uintptr_t stop = end < resEnd ? end : resEnd;
    if (a != base || stop != resEnd) {
      if (!VirtualFree(reinterpret_cast<void*>(a), stop - a, MEM_DECOMMIT))
        die("VirtualFree (decommit) failed");
      reservation(base, &committed);
    } else {
      committed = false;
    }
    if (!committed && !VirtualFree(reinterpret_cast<void*>(base), 0, MEM_RELEASE))
      die("VirtualFree (release) failed");
    a = stop;
  }
}

// Inaccessible but committed: a guard page stays committed (one page of
// commit charge per stack), so that sysFree's rule — release when nothing
// is committed — never mistakes a guard for freed memory.
bool sysFault(void* p, size_t n) {
  DWORD old;
  if (VirtualProtect(p, n, PAGE_NOACCESS, &old)) return true;
  errno = errnoOf(GetLastError());
  return false;
}

// A thread's stack as Windows makes it: its reservation's lowest page is
// never committed, and PAGE_GUARD pages lie between it and the committed
// part; the TEB describes the stack from the reservation's bottom
// (DeallocationStack) and its committed part from StackLimit up. A task
// stack is committed whole, and its context gives the TEB DeallocationStack
// = p and StackLimit = p+n (contextStackReservation), so here the lowest
// page is PAGE_NOACCESS (committed, as sysFault says why) and the rest
// PAGE_READWRITE|PAGE_GUARD.
//
// A guard page touched by code on the stack the TEB describes is the
// stack-growth fault (Windows' MiCheckForUserStackOverflow, Wine's
// virtual_handle_fault): the page loses PAGE_GUARD; if it lies within the
// thread's guarantee (GuaranteedStackBytes, SetThreadStackGuarantee: 64
// KiB on a runtime M, minitSignals; else the host's, at least two pages)
// of the lowest page, the guaranteed pages are made accessible and
// STATUS_STACK_OVERFLOW is raised on them; otherwise the page below
// becomes the guard and the code goes on, the stack a page deeper, as a
// thread's grows. On a runtime M the first guard page touched raises the
// overflow (64 KiB guarantee, 64 KiB guard); with a smaller guarantee the
// stack grows into its guard first.
//
// PAGE_GUARD is one-shot, and the guard is not re-armed when a stack is
// freed or reused (that would be a system call per task). The invariant
// that keeps every stack handed out guarded: its PAGE_GUARD pages are one
// run from p+page up, at least the smallest guarantee less a page long.
// Growth takes the flag off the top guard page only as it puts it on the
// page below, and stops that far from p; the overflow, which takes the
// rest, is a fatal error: that stack is never used again. A stack that
// grew comes back from the cache with its growth, and its next overflow
// is raised as the first was. (A guard page touched from another stack
// raises STATUS_GUARD_PAGE_VIOLATION, which the runtime's handler passes
// on: unhandled, it ends the process.)
bool sysStackGuard(void* p, size_t n) {
  size_t ps = physpagesize();
  DWORD old;
  if (VirtualProtect(p, ps, PAGE_NOACCESS, &old) &&
      (n <= ps || VirtualProtect(static_cast<char*>(p) + ps, n - ps, PAGE_READWRITE | PAGE_GUARD, &old)))
    return true;
  errno = errnoOf(GetLastError());
  return false;
}

// Decommit and commit again, as Go's sysUnusedOS and sysUsedOS do in two
// steps: the RAM goes back to Windows, and the pages, committed afresh,
// come zeroed on the next touch. (MEM_RESET would keep them committed
// but leave their contents undefined, not zeroed.) Each region is
// committed again with the protection it had, so a guard stays one.
void sysUnused(void* p, size_t n) {
  eachRegion(reinterpret_cast<uintptr_t>(p), reinterpret_cast<uintptr_t>(p) + n,
             [](uintptr_t a, uintptr_t stop, const MEMORY_BASIC_INFORMATION& mi) {
               if (mi.State != MEM_COMMIT) return;
               void* q = reinterpret_cast<void*>(a);
               if (!VirtualFree(q, stop - a, MEM_DECOMMIT)) die("VirtualFree (decommit) failed");
               if (VirtualAlloc(q, stop - a, MEM_COMMIT, mi.Protect) == nullptr)
                 die("VirtualAlloc (commit) of unused pages failed");
             });
}

// Nothing to do: Windows backs memory with large pages only when asked
// (MEM_LARGE_PAGES, with a privilege), never on its own.
void sysNoHugePage(void*, size_t) {}

// ---- A thread's error state ----

ErrorState saveErrorState() { return {errno, uint32_t(GetLastError())}; }
void restoreErrorState(ErrorState s) {
  errno = s.err;
  SetLastError(DWORD(s.lastError));
}

// ---- Output and exit ----

// fds 1 and 2 are the process's standard handles, as Go writes them,
// whatever the C runtime did with its own descriptors; another fd is the
// C runtime's, turned into its handle.
ptrdiff_t write1(int fd, const void* p, size_t n) {
  HANDLE h = fd == 1   ? GetStdHandle(STD_OUTPUT_HANDLE)
             : fd == 2 ? GetStdHandle(STD_ERROR_HANDLE)
                       : reinterpret_cast<HANDLE>(_get_osfhandle(fd));
  if (h == nullptr || h == INVALID_HANDLE_VALUE) {
    errno = EBADF;
    return -1;
  }
  DWORD done = 0;
  DWORD len = n > (1u << 30) ? (1u << 30) : DWORD(n);
  if (!WriteFile(h, p, len, &done, nullptr)) {
    errno = errnoOf(GetLastError());
    return -1;
  }
  return ptrdiff_t(done);
}

// _exit's "at once, running nothing" is TerminateProcess. Go calls
// ExitProcess, which first runs every DLL's detach handler and the
// fiber-local callbacks on this thread, and does so after killing the
// other threads, which may hold the loader or heap lock those handlers
// take: with threads frozen mid-call (freeze.cpp) it can hang. Terminating
// the current process does not return; the wait is what noreturn needs if
// it ever did, while termination completes.
void osexit(int code) {
  TerminateProcess(GetCurrentProcess(), UINT(code));
  for (;;) Sleep(INFINITE);
}

// A fail-fast exception bypasses every handler the host installed and
// goes to Windows Error Reporting, which writes a dump where the system
// keeps them (LocalDumps), as SIGABRT's default action does. If it comes
// back (it should not), exit as Linux does when raise returns.
void coredump() {
  RaiseFailFastException(nullptr, nullptr, 0);
  osexit(2);
}

}  // namespace cbridge::rt
