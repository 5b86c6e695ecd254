// SPDX-License-Identifier: MIT
// The code a preemptible region may be interrupted in (Go's rule is "Go
// code at a safe point"; ours is "code the user opted in"). The table holds
// the executable segments of registered modules. It only grows: entries
// are written under modulesLock, then published by a release store of the
// count, so the signal handler reads it without a lock (acquire). A module
// unloaded (dlclose) while registered stays in the table: do not register
// modules that are unloaded while preemptible regions may run.
//
// Never registered: libc, libstdc++, libgcc, the dynamic loader, the
// sanitizer runtimes and cbridge itself. Their code takes locks, keeps
// thread-local state and runs the scheduler: stopping a task there and
// resuming it on another thread would break them. The main executable is
// registered from the start, unless cbridge is linked into it statically
// (then the two cannot be told apart, and the executable must be
// registered by no one: preemption there is cooperative only).
#include "runtime/preempt_modules.hpp"

#include <dlfcn.h>
#include <link.h>

#include <atomic>
#include <cstring>
#include <string>

#include "bridge/last_error.hpp"
#include "cbridge/cbridge.h"
#include "cbridge/preempt.hpp"
#include "runtime/fatal.hpp"
#include "runtime/lock.hpp"

namespace cbridge::rt {

namespace {

struct Range {
  uintptr_t lo, hi;
};
constexpr int kMaxModules = 32;
constexpr int kMaxRanges = 4 * kMaxModules;

Lock modulesLock{LockRank::PreemptModules};
// Under modulesLock: the registered modules' load addresses.
uintptr_t modules[kMaxModules];
int nmodules = 0;
// ranges[0, nranges): written under modulesLock before the count is
// published; immutable after.
Range ranges[kMaxRanges];
std::atomic<int> nranges{0};

// The module (load bias, first segment) that contains addr, with its
// executable segments.
struct Module {
  uintptr_t addr = 0;
  bool found = false;
  uintptr_t bias = 0;
  Range exec[8];
  int nexec = 0;
};

int findModule(dl_phdr_info* info, size_t, void* data) {
  auto* mod = static_cast<Module*>(data);
  bool contains = false;
  Range exec[8];
  int nexec = 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    uintptr_t lo = info->dlpi_addr + ph.p_vaddr, hi = lo + ph.p_memsz;
    if (mod->addr >= lo && mod->addr < hi) contains = true;
    if ((ph.p_flags & PF_X) && nexec < 8) exec[nexec++] = {lo, hi};
  }
  if (!contains) return 0;
  mod->found = true;
  mod->bias = info->dlpi_addr;
  memcpy(mod->exec, exec, sizeof exec);
  mod->nexec = nexec;
  return 1;
}

// The first module dl_iterate_phdr reports is the main executable.
int firstModule(dl_phdr_info* info, size_t, void* data) {
  auto* mod = static_cast<Module*>(data);
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) && mod->nexec < 8) {
      uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
      mod->exec[mod->nexec++] = {lo, lo + ph.p_memsz};
    }
  }
  mod->bias = info->dlpi_addr;
  mod->found = true;
  return 1;
}

bool contains(const Module& mod, uintptr_t addr) {
  for (int i = 0; i < mod.nexec; i++)
    if (addr >= mod.exec[i].lo && addr < mod.exec[i].hi) return true;
  return false;
}

// addModule registers mod's executable segments; the caller holds
// modulesLock. False when the table is full.
bool addModule(const Module& mod) {
  for (int i = 0; i < nmodules; i++)
    if (modules[i] == mod.bias) return true;  // already there
  int n = nranges.load(std::memory_order_relaxed);
  if (nmodules == kMaxModules || n + mod.nexec > kMaxRanges) return false;
  for (int i = 0; i < mod.nexec; i++) ranges[n + i] = mod.exec[i];
  modules[nmodules++] = mod.bias;
  // release: the handler that sees the count sees the entries.
  nranges.store(n + mod.nexec, std::memory_order_release);
  return true;
}

// A library whose code must never be interrupted (see the top).
bool forbiddenName(const char* path) {
  const char* base = strrchr(path, '/');
  base = base != nullptr ? base + 1 : path;
  static const char* const kPrefixes[] = {"libc.so",    "libc-",     "libstdc++", "libgcc_s",
                                          "ld-linux",   "ld64.so",   "libasan",   "libtsan",
                                          "libubsan",   "liblsan",   "libpthread", "libcbridge"};
  for (const char* p : kPrefixes)
    if (strncmp(base, p, strlen(p)) == 0) return true;
  return false;
}

uintptr_t selfAddr() { return reinterpret_cast<uintptr_t>(&preemptiblePC); }

}  // namespace

void initPreemptModules() {
  Module exe;
  dl_iterate_phdr(firstModule, &exe);
  if (!exe.found || contains(exe, selfAddr())) return;  // cbridge is linked into it
  LockGuard g(modulesLock);
  addModule(exe);
}

bool preemptiblePC(uintptr_t pc) {
  int n = nranges.load(std::memory_order_acquire);
  for (int i = 0; i < n; i++)
    if (pc >= ranges[i].lo && pc < ranges[i].hi) return true;
  return false;
}

// allowPreemptionIn is allow_preemption_in, with the reason of a refusal
// in *why.
bool allowPreemptionIn(const void* address, std::string* why) {
  Module mod, self;
  mod.addr = reinterpret_cast<uintptr_t>(address);
  self.addr = selfAddr();
  dl_iterate_phdr(findModule, &mod);
  dl_iterate_phdr(findModule, &self);
  char buf[160];
  if (!mod.found) {
    snprintf(buf, sizeof buf, "allow_preemption_in(%p): no loaded module contains this address",
             address);
    *why = buf;
    return false;
  }
  Dl_info info{};
  const char* name = dladdr(address, &info) != 0 && info.dli_fname != nullptr ? info.dli_fname : "";
  if ((self.found && mod.bias == self.bias) || forbiddenName(name)) {
    *why = std::string("allow_preemption_in: ") + (*name != '\0' ? name : "this module") +
           " is a runtime library (libc, libstdc++, libgcc, the loader, a sanitizer or cbridge) "
           "whose code must never be interrupted";
    return false;
  }
  LockGuard g(modulesLock);
  if (!addModule(mod)) {
    *why = "allow_preemption_in: 32 modules are registered already";
    return false;
  }
  return true;
}

}  // namespace cbridge::rt

namespace cbridge {

bool allow_preemption_in(const void* address) {
  std::string why;
  if (rt::allowPreemptionIn(address, &why)) return true;
  rt::usererror("%s", why.c_str());
  return false;
}

}  // namespace cbridge

extern "C" int cbridge_allow_preemption_in(const void* address) {
  std::string why;
  if (cbridge::rt::allowPreemptionIn(address, &why)) return 0;
  cbridge::bridge::setLastError(why);
  return CBRIDGE_ERR_ARGUMENT;
}
