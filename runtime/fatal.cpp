// SPDX-License-Identifier: MIT
#include "runtime/fatal.hpp"

#include <cstdarg>
#include <cstdio>

#include "runtime/dump.hpp"
#include "runtime/freeze.hpp"
#include "runtime/lockheld.hpp"
#include "runtime/os.hpp"
#include "runtime/thread_safety.hpp"
#include "runtime/traceback.hpp"

namespace cbridge::rt {

namespace {
void writeAll(const char* buf, size_t n) {
  while (n > 0) {
    ptrdiff_t w = write1(2, buf, n);
    if (w <= 0) return;
    buf += w;
    n -= size_t(w);
  }
}
}  // namespace

RACY_SNAPSHOT void crash(TracebackLevel level, CrashShows shows) {
  // A fatal error while printing one (a runtime bug, or a lock taken on
  // the way): the first report is what matters; end now (Go's
  // "fatal error during fatal" guard, m.dying).
  static std::atomic<int> crashing{0};
  int expected = 0;
  if (!crashing.compare_exchange_strong(expected, gettid(), std::memory_order_seq_cst)) {
    if (expected == gettid()) osexit(2);
    // Another thread is crashing: let it print, and be ended by its exit
    // (or end after 5 s if it got stuck).
    for (int i = 0; i < 5000; i++) usleep(1000);
    osexit(2);
  }
  RawWriter w(2);
  if (level != TracebackLevel::None) {
    // No task starts running again: the stacks about to be read hold
    // still, and nothing runs on while the process ends.
    freezeForDump();
    if (shows != CrashShows::All) {
      w.str("\n");
      printCurrentTask(w, inSignalHandler());
    }
    if (shows != CrashShows::Failing || level >= TracebackLevel::All) {
      dumpTasks(w);
      dumpMs(w);
    }
  }
  w.flush();
  // A core dump, as GOTRACEBACK=crash gives.
  if (level == TracebackLevel::Crash) coredump();
  osexit(2);
}

void fatal(const char* fmt, ...) {
  char buf[1024];
  int n = snprintf(buf, sizeof buf, "fatal error: ");
  va_list ap;
  va_start(ap, fmt);
  n += vsnprintf(buf + n, sizeof buf - size_t(n), fmt, ap);
  va_end(ap);
  if (n > int(sizeof buf) - 2) n = int(sizeof buf) - 2;
  buf[n++] = '\n';
  writeAll(buf, size_t(n));
  crash(tracebackLevel(), CrashShows::Failing);
}

namespace {
void vusererror(const char* fmt, va_list ap) {
  char buf[1024];
  int n = snprintf(buf, sizeof buf, "cbridge: ");
  n += vsnprintf(buf + n, sizeof buf - size_t(n) - 1, fmt, ap);
  if (n > int(sizeof buf) - 2) n = int(sizeof buf) - 2;
  buf[n++] = '\n';
  writeAll(buf, size_t(n));
}
}  // namespace

void usererror(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vusererror(fmt, ap);
  va_end(ap);
}

void usererrorOnce(std::atomic<bool>* reported, const char* fmt, ...) {
  if (reported->load(std::memory_order_relaxed) || reported->exchange(true, std::memory_order_relaxed))
    return;
  va_list ap;
  va_start(ap, fmt);
  vusererror(fmt, ap);
  va_end(ap);
}

}  // namespace cbridge::rt
