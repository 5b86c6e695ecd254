// SPDX-License-Identifier: MIT
// The OS layer's contract, runtime/os.hpp and runtime/dl.hpp, checked the
// same way against os_linux.cpp and dl_unix.cpp natively and against
// os_windows.cpp and dl_windows.cpp under Wine: the program prints one
// line per fact, and scripts/test-windows diffs the two outputs, so the
// Windows layer is held to what the Linux one does. Every line says what
// the contract promises, never a number that differs between systems
// (times, ids, addresses); the program also exits 1 on a broken promise,
// through osexit, which is then tested too.
#include "runtime/os.hpp"

#include <atomic>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <thread>

#include "runtime/dl.hpp"

#ifdef _WIN32
#include <windows.h>
#else
#include <pthread.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#endif

// Within the namespace, so that its usleep, gettid and getpid hide the C
// library's.
namespace cbridge::rt {
namespace {

int failures = 0;

void check(bool ok, const char* what) {
  std::printf("%s: %s\n", what, ok ? "ok" : "WRONG");
  if (!ok) failures++;
}

constexpr int64_t kMs = 1000000;

// ---- time

void testTime() {
  bool monotonic = true;
  int64_t last = nanotime();
  for (int i = 0; i < 100000; i++) {
    int64_t t = nanotime();
    if (t < last) monotonic = false;
    last = t;
  }
  check(monotonic, "nanotime never goes back");
  int64_t t0 = nanotime();
  usleep(20000);
  check(nanotime() - t0 >= 20 * kMs, "usleep(20 ms) lasts at least 20 ms");
  int64_t when = nanotime() + 15 * kMs;
  nanosleepuntil(when);
  check(nanotime() >= when, "nanosleepuntil returns at or after its deadline");
  t0 = nanotime();
  for (int i = 0; i < 1000; i++) osyield();
  check(nanotime() - t0 < 1000 * kMs, "osyield returns");
}

// ---- futexes

void testFutexTimeout() {
  std::atomic<uint32_t> word{7};
  int64_t t0 = nanotime();
  futexsleep(&word, 8, 1000 * kMs);
  check(nanotime() - t0 < 500 * kMs, "futexsleep on a changed value returns at once");
  // It may return early (spuriously): sleep again until the time is up.
  t0 = nanotime();
  int returns = 0;
  while (nanotime() - t0 < 30 * kMs) {
    futexsleep(&word, 7, 30 * kMs - (nanotime() - t0));
    returns++;
  }
  check(returns >= 1 && nanotime() - t0 < 1000 * kMs, "futexsleep with a timeout returns");
}

constexpr int kSleepers = 3;
std::atomic<uint32_t> wakeWord{0};
std::atomic<int> asleep{0}, woken{0};

void* sleeper(void*) {
  asleep.fetch_add(1);
  while (wakeWord.load() == 0) futexsleep(&wakeWord, 0, -1);
  woken.fetch_add(1);
  return nullptr;
}

void testFutexWake() {
  OSThread t[kSleepers];
  for (auto& th : t) check(newosthread(&th, sleeper, nullptr) == 0, "newosthread starts a sleeper");
  while (asleep.load() < kSleepers) usleep(1000);
  usleep(50000);  // long enough for them all to be in futexsleep
  check(woken.load() == 0, "sleepers sleep while the word holds the value");
  wakeWord.store(1);
  futexwakeup(&wakeWord, INT_MAX);
  for (auto th : t) osthreadjoin(th);
  std::printf("futexwakeup woke %d sleepers\n", woken.load());

  // One at a time: each wakeup of one lets one more through.
  std::atomic<uint32_t> gate{0};
  std::atomic<int> passed{0};
  auto one = [&] {
    while (gate.load() == 0) futexsleep(&gate, 0, -1);
    passed.fetch_add(1);
  };
  std::thread a(one), b(one);
  usleep(50000);
  gate.store(1);
  futexwakeup(&gate, 1);
  futexwakeup(&gate, 1);
  a.join();
  b.join();
  std::printf("two single wakeups let %d through\n", passed.load());
}

// ---- threads

struct ProcProbe {
  std::atomic<uint32_t> done{0};
  bool stackFound = false;
  uintptr_t lo = 0, hi = 0, local = 0;
  int tid = 0;
};

void* probe(void* arg) {
  auto* p = static_cast<ProcProbe*>(arg);
  int here = 0;
  p->local = reinterpret_cast<uintptr_t>(&here);
  p->stackFound = osthreadstack(&p->lo, &p->hi);
  p->tid = gettid();
  p->done.store(1);
  futexwakeup(&p->done, 1);
  return nullptr;
}

// onFiber runs fn on a fiber of its own, 256 KiB of stack, and deletes it
// (Windows: CreateFiber, SwitchToFiber, DeleteFiber, the thread converted
// for the while; Linux: a ucontext coroutine on a malloc'd stack).
#ifdef _WIN32
void onFiber(void (*fn)()) {
  struct Run {
    void (*fn)();
    void* main;
  } run{fn, ConvertThreadToFiber(nullptr)};
  void* f = CreateFiber(256 << 10, [](void* p) {
    auto* r = static_cast<Run*>(p);
    r->fn();
    SwitchToFiber(r->main);
  }, &run);
  SwitchToFiber(f);
  DeleteFiber(f);
  ConvertFiberToThread();
}
#else
ucontext_t fiberMain, fiberCtx;
void (*fiberFn)();
void onFiber(void (*fn)()) {
  constexpr size_t kSize = 256 << 10;
  char* stack = static_cast<char*>(std::malloc(kSize));
  fiberFn = fn;
  getcontext(&fiberCtx);
  fiberCtx.uc_stack.ss_sp = stack;
  fiberCtx.uc_stack.ss_size = kSize;
  fiberCtx.uc_link = &fiberMain;
  makecontext(&fiberCtx, [] { fiberFn(); }, 0);
  swapcontext(&fiberMain, &fiberCtx);
  std::free(stack);
}
#endif

// Wine gives no thread less than 1 MiB. Every thread before the probe's
// has this stack size, so that glibc has no ended thread's bigger stack
// to reuse for it.
constexpr size_t kStack = 2 << 20;

std::atomic<uint32_t> hold{0};

void* holder(void*) {
  hold.fetch_add(1);
  while (hold.load() == 1) futexsleep(&hold, 1, -1);
  return nullptr;
}

// One more thread alive, one more counted. Run first, while the only
// threads are the main one and any the OS made (Windows 10's loader has
// a few at start), none of them ending meanwhile.
void testThreadcount() {
  int64_t before = threadcount();
  check(before >= 1, "threadcount counts the main thread");
  OSThread t;
  check(newosproc(&t, holder, nullptr, kStack, 4096) == 0, "newosproc starts a holder");
  while (hold.load() == 0) usleep(1000);
  int64_t during = threadcount();
  hold.store(2);
  futexwakeup(&hold, 1);
  check(during == before + 1, "threadcount counts a new thread");
}

void testThreads() {
  ProcProbe p;
  OSThread t;
  check(newosproc(&t, probe, &p, kStack, 4096) == 0, "newosproc starts a thread");
  while (p.done.load() == 0) futexsleep(&p.done, 0, -1);
  check(p.stackFound, "osthreadstack finds the new thread's stack");
  check(p.lo <= p.local && p.local < p.hi, "its stack holds its local variable");
  size_t size = p.hi - p.lo;
  check(size >= kStack && size <= kStack + (64 << 10), "its stack has about the size asked");
  check(p.tid != gettid(), "gettid differs between threads");
  uintptr_t lo, hi;
  int here = 0;
  check(osthreadstack(&lo, &hi) && lo <= uintptr_t(&here) && uintptr_t(&here) < hi,
        "osthreadstack of the main thread holds a local");
  // On a fiber: the fiber's stack where the OS follows fibers (Windows),
  // the thread's otherwise (Linux, which knows nothing of coroutines).
  static bool fiberHolds;
  onFiber([] {
    uintptr_t flo, fhi;
    int local = 0;
    fiberHolds = osthreadstack(&flo, &fhi) && flo <= uintptr_t(&local) && uintptr_t(&local) < fhi;
  });
  check(fiberHolds == osthreadstackFollowsFibers,
        "osthreadstack on a fiber gives the fiber's stack where it follows fibers");
  check(getproccount() >= 1, "getproccount is at least 1");
#ifdef _WIN32
  int pid = int(GetCurrentProcessId());
#else
  int pid = int(::getpid());
#endif
  check(getpid() == pid, "getpid is the process's id");

  // osthreadself names the calling thread; the same thread twice gives
  // usable values (on Windows two handles, both the caller's).
  OSThread self = osthreadself();
  check(self != 0, "osthreadself gives a handle");
#ifdef _WIN32
  check(GetThreadId(reinterpret_cast<HANDLE>(self)) == GetCurrentThreadId(),
        "osthreadself's handle is the calling thread's");
  CloseHandle(reinterpret_cast<HANDLE>(self));
#else
  check(self == OSThread(pthread_self()), "osthreadself's handle is the calling thread's");
#endif

}

// ---- thread-local keys

TlsKey key;
std::atomic<int> dtorRuns{0};
std::atomic<void*> dtorValue{nullptr};
int valueA, valueB;

void dtor(void* v) {
  dtorRuns.fetch_add(1);
  dtorValue.store(v);
}

void* setsA(void*) {
  tlsset(key, &valueA);
  return nullptr;
}

void* setsThenClears(void*) {
  tlsset(key, &valueA);
  tlsset(key, nullptr);
  return nullptr;
}

void testTls() {
  check(tlskeycreate(&key, dtor), "tlskeycreate makes a key");
  OSThread t;
  newosthread(&t, setsA, nullptr);
  osthreadjoin(t);
  check(dtorRuns.load() == 1 && dtorValue.load() == &valueA,
        "the destructor runs once, with the value, at exit of a newosthread thread");
  std::thread([] { tlsset(key, &valueB); }).join();
  check(dtorRuns.load() == 2 && dtorValue.load() == &valueB,
        "the destructor runs once, with the value, at exit of a thread the OS API made");
  newosthread(&t, setsThenClears, nullptr);
  osthreadjoin(t);
  std::thread([] {}).join();
  check(dtorRuns.load() == 2, "the destructor does not run for a thread without a value");
  // The key is the thread's, not a fiber's: set on a fiber, its fiber's
  // deletion runs no destructor, and the thread's end does.
  static bool notRunAtDelete;
  std::thread([] {
    onFiber([] { tlsset(key, &valueA); });
    notRunAtDelete = dtorRuns.load() == 2;
  }).join();
  check(notRunAtDelete && dtorRuns.load() == 3 && dtorValue.load() == &valueA,
        "set on a fiber, the destructor runs at the thread's exit, not at the fiber's deletion");
}

// ---- memory

// unmapped says whether [p, p+n) is no longer the process's memory.
bool unmapped(void* p, size_t n) {
#ifdef _WIN32
  (void)n;
  MEMORY_BASIC_INFORMATION mi;
  return VirtualQuery(p, &mi, sizeof mi) != 0 && mi.State == MEM_FREE;
#else
  unsigned char vec[64];
  return n / physpagesize() <= sizeof vec && mincore(p, n, vec) != 0 && errno == ENOMEM;
#endif
}

// inaccessible says whether the page at p may be neither read nor written.
bool inaccessible(void* p) {
#ifdef _WIN32
  MEMORY_BASIC_INFORMATION mi;
  return VirtualQuery(p, &mi, sizeof mi) != 0 && mi.State == MEM_COMMIT &&
         mi.Protect == PAGE_NOACCESS;
#else
  FILE* f = std::fopen("/proc/self/maps", "r");
  if (f == nullptr) return false;
  unsigned long lo, hi;
  char perms[8];
  bool found = false;
  auto a = reinterpret_cast<uintptr_t>(p);
  while (!found && std::fscanf(f, "%lx-%lx %7s%*[^\n]", &lo, &hi, perms) == 3)
    found = lo <= a && a < hi && std::strncmp(perms, "---", 3) == 0;
  std::fclose(f);
  return found;
#endif
}

bool allZero(const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != 0) return false;
  return true;
}

void testMemory() {
  size_t ps = physpagesize();
  check(ps >= 4096 && (ps & (ps - 1)) == 0, "physpagesize is a power of two");
  constexpr size_t kLen = 256 << 10;
  auto* m = static_cast<unsigned char*>(sysAlloc(kLen));
  check(m != nullptr && allZero(m, kLen), "sysAlloc gives zeroed memory");
  std::memset(m, 0xa5, kLen);
  sysUnused(m + ps, kLen - ps);
  check(m[0] == 0xa5 && allZero(m + ps, kLen - ps), "sysUnused pages read zeroed, the rest kept");
  std::memset(m + ps, 0x5a, kLen - ps);
  check(m[kLen - 1] == 0x5a, "sysUnused pages stay usable");
  sysNoHugePage(m, kLen);
  // A guard as stack.cpp makes one: the first page, then the whole freed.
  check(sysFault(m, ps), "sysFault of the first page succeeds");
  check(inaccessible(m) && !inaccessible(m + ps), "the faulted page only is inaccessible");
  sysUnused(m, 2 * ps);
  check(inaccessible(m), "sysUnused over a guard keeps it one");
  m[ps] = 1;
  check(m[ps] == 1, "the page past a guard stays usable");
  sysFree(m, kLen);
  check(unmapped(m, kLen), "sysFree of the whole leaves nothing mapped");

  // Freed in two parts, as munmap allows: the end, then the beginning.
  auto* n = static_cast<unsigned char*>(sysAllocNoReserve(kLen, nullptr));
  check(n != nullptr && allZero(n, kLen), "sysAllocNoReserve gives zeroed memory");
  n[0] = n[kLen - 1] = 1;
  sysFree(n + kLen / 2, kLen / 2);
  check(!unmapped(n, kLen / 2) && n[0] == 1, "sysFree of the second half keeps the first");
  sysFree(n, kLen / 2);
  check(unmapped(n, kLen), "sysFree of the first half then leaves nothing mapped");

  // A hint, as stack_chunk.cpp gives one: taken or not, the memory works.
  auto* h = static_cast<unsigned char*>(sysAllocNoReserve(kLen, nullptr));
  auto* g = static_cast<unsigned char*>(sysAllocNoReserve(kLen, h + 16 * kLen));
  check(g != nullptr && allZero(g, kLen), "sysAllocNoReserve with a hint gives zeroed memory");
  sysFree(g, kLen);
  sysFree(h, kLen);
}

// ---- libraries

void testDl() {
#ifdef _WIN32
  const char* libm = "msvcrt.dll";
#else
  const char* libm = "libm.so.6";
#endif
  const char* err = nullptr;
  void* lib = dlopenlib(libm, &err);
  check(lib != nullptr, "dlopenlib loads the C math library");
  void* sym = dlsymbol(lib, "cos", &err);
  check(sym != nullptr && err == nullptr, "dlsymbol finds cos");
  if (sym != nullptr)
    std::printf("cos(0.5) through the pointer: %.17g\n",
                reinterpret_cast<double (*)(double)>(sym)(0.5));
  sym = dlsymbol(lib, "no_such_symbol_here", &err);
  std::printf("missing symbol: error: %s\n",
              sym == nullptr && err != nullptr && *err != '\0' ? "yes" : "no");
  check(dlcloselib(lib, &err), "dlcloselib unloads it");
  err = nullptr;
  lib = dlopenlib("no-such-library-cbridge", &err);
  std::printf("missing library: error: %s\n",
              lib == nullptr && err != nullptr && *err != '\0' ? "yes" : "no");
  err = nullptr;
  void* self = dlopenlib(nullptr, &err);
  check(self != nullptr, "dlopenlib(nullptr) is the program");
  check(dlcloselib(self, &err), "dlcloselib of the program succeeds");
}

// ---- output

void testWrite() {
  std::fflush(stdout);  // write1 goes around stdio
  static const char line[] = "write1 to fd 1\n";
  ptrdiff_t n = write1(1, line, sizeof line - 1);
  check(n == ptrdiff_t(sizeof line - 1), "write1 wrote the whole line");
  check(write1(12345, line, 1) == -1, "write1 to a closed fd fails");
}

}  // namespace
}  // namespace cbridge::rt

int main() {
  using namespace cbridge::rt;
  testTime();
  testThreadcount();
  testThreads();
  testFutexTimeout();
  testFutexWake();
  testTls();
  testMemory();
  testDl();
  testWrite();
  std::printf("%d failures\n", failures);
  std::fflush(stdout);
  osexit(failures == 0 ? 0 : 1);
}
