// SPDX-License-Identifier: MIT
#include "runtime/fatal.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/dump.hpp"
#include "runtime/freeze.hpp"
#include "runtime/lockheld.hpp"
#include "runtime/thread_safety.hpp"
#include "runtime/traceback.hpp"

namespace cbridge::rt {

namespace {
void writeAll(const char* buf, size_t n) {
  while (n > 0) {
    ssize_t w = write(2, buf, n);
    if (w <= 0) return;
    buf += w;
    n -= size_t(w);
  }
}
}  // namespace

RACY_SNAPSHOT void crash(TracebackLevel level, CrashShows shows) {
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
  if (level == TracebackLevel::Crash) {
    // A core dump, as GOTRACEBACK=crash gives: SIGABRT with its default
    // action, whatever the host made of it.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGABRT, &dfl, nullptr);
    sigset_t abrt;
    sigemptyset(&abrt);
    sigaddset(&abrt, SIGABRT);
    pthread_sigmask(SIG_UNBLOCK, &abrt, nullptr);
    raise(SIGABRT);
  }
  _exit(2);
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

namespace {
// The names of cbridge.h's CBRIDGE_DEBUG_* bits, in bit order.
const char* const kDebugBitNames[] = {"shutdown", "callbacks", "deadlock"};
// Relaxed: set before the runtime starts (cbridge_init), read later by
// threads the start made, which the start's own synchronization orders.
std::atomic<uint32_t> configDebug{0};
}  // namespace

void addDebugFlags(uint32_t bits) { configDebug.fetch_or(bits, std::memory_order_relaxed); }

bool debugEnabled(const char* what) {
  uint32_t bits = configDebug.load(std::memory_order_relaxed);
  for (size_t i = 0; i < sizeof kDebugBitNames / sizeof kDebugBitNames[0]; i++)
    if ((bits & (1u << i)) != 0 && strcmp(kDebugBitNames[i], what) == 0) return true;
  // Read once: getenv is not safe against a concurrent setenv, and the
  // answer must not change while the runtime runs.
  static const char* const debug = [] {
    const char* s = getenv("CBRIDGE_DEBUG");
    return s != nullptr ? strdup(s) : "";
  }();
  size_t len = strlen(what);
  for (const char* p = debug; *p != '\0';) {
    const char* end = strchr(p, ',');
    size_t n = end != nullptr ? size_t(end - p) : strlen(p);
    if ((n == len && strncmp(p, what, n) == 0) || (n == 3 && strncmp(p, "all", 3) == 0)) return true;
    if (end == nullptr) break;
    p = end + 1;
  }
  return false;
}

}  // namespace cbridge::rt
