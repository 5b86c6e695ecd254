// SPDX-License-Identifier: MIT
// os.hpp on Linux: clock_gettime, futex(2), pthreads, mmap and friends.
#include "runtime/os.hpp"

#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace cbridge::rt {

int64_t nanotime() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void futexsleep(std::atomic<uint32_t>* addr, uint32_t val, int64_t ns) {
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
  timespec ts;
  timespec* tsp = nullptr;
  if (ns >= 0) {
    ts.tv_sec = ns / 1000000000;
    ts.tv_nsec = ns % 1000000000;
    tsp = &ts;
  }
  // EAGAIN (value changed), EINTR and ETIMEDOUT all mean "re-check".
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), FUTEX_WAIT_PRIVATE, val, tsp, nullptr, 0);
}

void futexwakeup(std::atomic<uint32_t>* addr, int cnt) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), FUTEX_WAKE_PRIVATE, cnt, nullptr, nullptr, 0);
}

void osyield() { sched_yield(); }

void usleep(uint32_t us) {
  timespec ts{time_t(us / 1000000), long(us % 1000000) * 1000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

int getproccount() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? int(n) : 1;
}

int gettid() { return int(syscall(SYS_gettid)); }

int getpid() { return int(::getpid()); }

void nanosleepuntil(int64_t when) {
  timespec ts{time_t(when / 1000000000), long(when % 1000000000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

int64_t threadcount() {
  int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[1024];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  // The command name, field 2, is in parentheses and may hold anything:
  // the fields are counted from the last ')'. num_threads is field 20.
  const char* p = strrchr(buf, ')');
  if (p == nullptr) return -1;
  for (int field = 2; field < 20; field++) {
    p = strchr(p + 1, ' ');
    if (p == nullptr) return -1;
  }
  return strtoll(p + 1, nullptr, 10);
}

// ---- Threads ----

static_assert(sizeof(pthread_t) <= sizeof(OSThread));

int newosproc(OSThread* t, void* (*fn)(void*), void* arg, size_t stackSize, size_t guardSize) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, stackSize);
  pthread_attr_setguardsize(&attr, guardSize);
  pthread_t th;
  int err = pthread_create(&th, &attr, fn, arg);
  pthread_attr_destroy(&attr);
  if (err == 0) *t = OSThread(th);
  return err;
}

int newosthread(OSThread* t, void* (*fn)(void*), void* arg) {
  pthread_t th;
  int err = pthread_create(&th, nullptr, fn, arg);
  if (err == 0) *t = OSThread(th);
  return err;
}

void osthreadjoin(OSThread t) { pthread_join(pthread_t(t), nullptr); }

void osthreaddetach() { pthread_detach(pthread_self()); }

OSThread osthreadself() { return OSThread(pthread_self()); }

// The pthread stack, whatever stack the thread runs on; on the main thread
// glibc reads /proc/self/maps for it.
const bool osthreadstackFollowsFibers = false;

bool osthreadstack(uintptr_t* lo, uintptr_t* hi) {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return false;
  void* addr = nullptr;
  size_t size = 0;
  bool ok = pthread_attr_getstack(&attr, &addr, &size) == 0;
  pthread_attr_destroy(&attr);
  if (ok) {
    *lo = reinterpret_cast<uintptr_t>(addr);
    *hi = *lo + size;
  }
  return ok;
}

// ---- Thread-local keys ----

static_assert(sizeof(pthread_key_t) <= sizeof(TlsKey));

bool tlskeycreate(TlsKey* key, void (*dtor)(void*)) {
  pthread_key_t k;
  if (pthread_key_create(&k, dtor) != 0) return false;
  *key = TlsKey(k);
  return true;
}

void tlsset(TlsKey key, void* value) { pthread_setspecific(pthread_key_t(key), value); }

// ---- Memory ----

size_t physpagesize() {
  static const size_t ps = size_t(sysconf(_SC_PAGESIZE));
  return ps;
}

void* sysAlloc(size_t n) {
  void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void* sysAllocNoReserve(size_t n, void* hint) {
  void* p = mmap(hint, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void sysFree(void* p, size_t n) { munmap(p, n); }

bool sysFault(void* p, size_t n) { return mprotect(p, n, PROT_NONE) == 0; }

bool sysStackGuard(void* p, size_t n) { return sysFault(p, n); }

void sysUnused(void* p, size_t n) { madvise(p, n, MADV_DONTNEED); }

void sysNoHugePage(void* p, size_t n) { madvise(p, n, MADV_NOHUGEPAGE); }

// ---- A thread's error state ----

ErrorState saveErrorState() { return {errno, 0}; }
void restoreErrorState(ErrorState s) { errno = s.err; }

// ---- Output and exit ----

ptrdiff_t write1(int fd, const void* p, size_t n) { return ::write(fd, p, n); }

void osexit(int code) { _exit(code); }

void coredump() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGABRT, &dfl, nullptr);
  sigset_t abrt;
  sigemptyset(&abrt);
  sigaddset(&abrt, SIGABRT);
  pthread_sigmask(SIG_UNBLOCK, &abrt, nullptr);
  raise(SIGABRT);
  _exit(2);
}

}  // namespace cbridge::rt
