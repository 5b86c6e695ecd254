// SPDX-License-Identifier: MIT
#include "runtime/debugvars.hpp"

#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/attributes.hpp"
#include "runtime/fatal.hpp"

namespace cbridge::rt {

DebugVars debug;

namespace {

// The keys (Go's dbgvars). report: a report of unfinished or suspicious
// work, which `all` turns on; the switches that change what the runtime
// does (cbcheck makes misuse fatal, the preemption switches) and the
// traces are named one by one.
struct Key {
  const char* name;
  int32_t DebugVars::*field;
  bool report;
};
constexpr Key kKeys[] = {
    {"schedtrace", &DebugVars::schedtrace, false},
    {"scheddetail", &DebugVars::scheddetail, false},
    {"shutdown", &DebugVars::shutdown, true},
    {"callbacks", &DebugVars::callbacks, true},
    {"deadlock", &DebugVars::deadlock, true},
    {"cbcheck", &DebugVars::cbcheck, false},
    {"asyncpreemptoff", &DebugVars::asyncpreemptoff, false},
    {"preemptnolock", &DebugVars::preemptnolock, false},
};
constexpr const char* kKnown =
    "schedtrace=MS, scheddetail, shutdown, callbacks, deadlock, cbcheck, asyncpreemptoff, "
    "preemptnolock, all";

const Key* findKey(const char* name, size_t n) {
  for (const Key& k : kKeys)
    if (strlen(k.name) == n && strncmp(k.name, name, n) == 0) return &k;
  return nullptr;
}

// parseValue reads a non-negative decimal int32 spanning all of [s, s+n).
bool parseValue(const char* s, size_t n, int32_t* v) {
  if (n == 0) return false;
  int64_t x = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    x = x * 10 + (s[i] - '0');
    if (x > INT32_MAX) return false;
  }
  *v = int32_t(x);
  return true;
}

// Warning accumulates the bad items into one line.
struct Warning {
  char* buf;
  size_t size;
  size_t len = 0;
  int bad = 0;

  void add(const char* what, const char* item, size_t n) {
    if (size == 0) return;
    int w = snprintf(buf + len, size - len, "%s%s \"%.*s\"", bad == 0 ? "CBRIDGE_DEBUG: " : ", ",
                     what, int(n > 64 ? 64 : n), item);
    bad++;
    if (w > 0) len += size_t(w) < size - len ? size_t(w) : size - len - 1;
  }
  void finish() {
    if (bad == 0 || size == 0) return;
    snprintf(buf + len, size - len, " ignored (known: %s)", kKnown);
  }
};

// Relaxed: set before the runtime starts (cbridge_init), read later by
// threads the start made, which the start's own synchronization orders.
std::atomic<uint32_t> configDebug{0};

// The names of cbridge.h's CBRIDGE_DEBUG_* bits, in bit order.
const char* const kDebugBitNames[] = {"shutdown", "callbacks", "deadlock"};

// parsedebugvars runs at load, before the library's other initializers
// (priority 101, the first not reserved): see debugvars.hpp.
CBRIDGE_CONSTRUCTOR_PRIORITY(101) void parsedebugvars() {
  char warn[512];
  if (!parseDebugVars(getenv("CBRIDGE_DEBUG"), &debug, warn, sizeof warn)) usererror("%s", warn);
}

}  // namespace

bool parseDebugVars(const char* s, DebugVars* dv, char* warnBuf, size_t warnSize) {
  *dv = DebugVars{};
  Warning warn{warnBuf, warnSize};
  if (warnSize > 0) warnBuf[0] = '\0';
  for (const char* p = s != nullptr ? s : ""; *p != '\0';) {
    const char* end = strchr(p, ',');
    size_t n = end != nullptr ? size_t(end - p) : strlen(p);
    const char* eq = static_cast<const char*>(memchr(p, '=', n));
    size_t keyLen = eq != nullptr ? size_t(eq - p) : n;
    int32_t v = 1;
    bool all = keyLen == 3 && strncmp(p, "all", 3) == 0;
    const Key* k = all ? nullptr : findKey(p, keyLen);
    if (n == 0) {
      // An empty item (",," or a trailing comma): nothing to say.
    } else if (!all && k == nullptr) {
      warn.add("unknown key", p, keyLen);
    } else if (eq != nullptr && !parseValue(eq + 1, n - keyLen - 1, &v)) {
      warn.add("malformed value", p, n);
    } else if (all) {
      for (const Key& r : kKeys)
        if (r.report) dv->*r.field = v;
    } else {
      dv->*k->field = v;
    }
    if (end == nullptr) break;
    p = end + 1;
  }
  warn.finish();
  return warn.bad == 0;
}

int64_t debugValue(const char* key) {
  const Key* k = findKey(key, strlen(key));
  return k != nullptr ? debug.*k->field : 0;
}

void addDebugFlags(uint32_t bits) { configDebug.fetch_or(bits, std::memory_order_relaxed); }

bool debugEnabled(const char* what) {
  uint32_t bits = configDebug.load(std::memory_order_relaxed);
  for (size_t i = 0; i < sizeof kDebugBitNames / sizeof kDebugBitNames[0]; i++)
    if ((bits & (1u << i)) != 0 && strcmp(kDebugBitNames[i], what) == 0) return true;
  return debugValue(what) != 0;
}

}  // namespace cbridge::rt
