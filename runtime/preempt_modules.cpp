// SPDX-License-Identifier: MIT
// The code a preemptible region may be interrupted in (Go's rule is "Go
// code at a safe point"; ours is "code the user opted in"). The table holds
// the executable ranges of registered modules. It only grows: entries are
// written under modulesLock, then published by a release store of the
// count, so a preemptor (a signal handler, or a thread looking at a
// suspended one) reads it without a lock (acquire). A module unloaded
// while registered stays in the table: do not register modules that are
// unloaded while preemptible regions may run.
//
// Never registered: the C and C++ runtimes, the loader, the system's
// libraries, the sanitizer runtimes and cbridge itself (osRuntimeLibrary
// names them for each OS). Their code takes locks, keeps thread-local
// state and runs the scheduler: stopping a task there and resuming it on
// another thread would break them. The main executable is registered from
// the start, unless cbridge is linked into it statically (then the two
// cannot be told apart, and the executable must be registered by no one:
// preemption there is cooperative only, and code meant to be interrupted
// goes in a module of its own, given to allow_preemption_in). Finding a
// module's code is the OS's: preempt_modules_linux.cpp,
// preempt_modules_windows.cpp.
#include "runtime/preempt_modules.hpp"

#include <atomic>
#include <cstdio>
#include <string>

#include "bridge/last_error.hpp"
#include "cbridge/cbridge.h"
#include "cbridge/preempt.hpp"
#include "runtime/fatal.hpp"
#include "runtime/lock.hpp"

namespace cbridge::rt {

namespace {

constexpr int kMaxModules = 32;
constexpr int kMaxRanges = 4 * kMaxModules;

Lock modulesLock{LockRank::PreemptModules};
// Under modulesLock: the registered modules' load addresses.
uintptr_t modules[kMaxModules];
int nmodules = 0;
// ranges[0, nranges): written under modulesLock before the count is
// published; immutable after.
ModuleCode::Range ranges[kMaxRanges];
std::atomic<int> nranges{0};

// addModule registers mod's executable ranges; the caller holds
// modulesLock. False when the table is full.
bool addModule(const ModuleCode& mod) {
  for (int i = 0; i < nmodules; i++)
    if (modules[i] == mod.base) return true;  // already there
  int n = nranges.load(std::memory_order_relaxed);
  if (nmodules == kMaxModules || n + mod.nexec > kMaxRanges) return false;
  for (int i = 0; i < mod.nexec; i++) ranges[n + i] = mod.exec[i];
  modules[nmodules++] = mod.base;
  // release: the preemptor that sees the count sees the entries.
  nranges.store(n + mod.nexec, std::memory_order_release);
  return true;
}

const void* selfAddr() { return reinterpret_cast<const void*>(&preemptiblePC); }

}  // namespace

void initPreemptModules() {
  ModuleCode exe, self;
  std::string path;
  if (!osMainModule(&exe)) return;
  if (osModuleOf(selfAddr(), &self, &path) && self.base == exe.base)
    return;  // cbridge is linked into it
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
  ModuleCode mod, self;
  std::string name, selfName;
  if (!osModuleOf(address, &mod, &name)) {
    char buf[160];
    snprintf(buf, sizeof buf, "allow_preemption_in(%p): no loaded module contains this address",
             address);
    *why = buf;
    return false;
  }
  bool isSelf = osModuleOf(selfAddr(), &self, &selfName) && mod.base == self.base;
  if (isSelf || osRuntimeLibrary(name)) {
    *why = std::string("allow_preemption_in: ") + (!name.empty() ? name : "this module") +
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
