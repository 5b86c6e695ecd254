// SPDX-License-Identifier: MIT
#include "runtime/fatal.hpp"

#include <unistd.h>

#include <cstdarg>
#include <cstdio>

#include "runtime/runtime2.hpp"

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

void fatal(const char* fmt, ...) {
  char buf[1024];
  int n = snprintf(buf, sizeof buf, "fatal error: ");
  va_list ap;
  va_start(ap, fmt);
  n += vsnprintf(buf + n, sizeof buf - size_t(n), fmt, ap);
  va_end(ap);
  if (n > int(sizeof buf) - 128) n = int(sizeof buf) - 128;
  M* m = getm();
  G* gp = m != nullptr ? m->curg : nullptr;
  if (gp != nullptr)
    n += snprintf(buf + n, sizeof buf - size_t(n), "\n\ntask %llu [running] on m%lld\n",
                  static_cast<unsigned long long>(gp->id), static_cast<long long>(m->id));
  else if (m != nullptr)
    n += snprintf(buf + n, sizeof buf - size_t(n), "\n\nm%lld on its system stack (g0)\n",
                  static_cast<long long>(m->id));
  else
    n += snprintf(buf + n, sizeof buf - size_t(n), "\n\non a thread without an M\n");
  writeAll(buf, size_t(n));
  _exit(2);
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
