// SPDX-License-Identifier: MIT
// Which code a preemptor may interrupt: the executable sections of the
// modules registered for it. The table and the rules are portable
// (preempt_modules.cpp); finding a module's code is the OS's
// (preempt_modules_linux.cpp, preempt_modules_windows.cpp).
#pragma once

#include <cstdint>
#include <string>

namespace cbridge::rt {

// initPreemptModules registers the main executable, unless cbridge itself
// is linked into it (its code must never be interrupted). Once, before any
// preemptor runs.
void initPreemptModules();

// preemptiblePC says whether pc lies in registered code. Async-signal-safe:
// no lock, reads a table that only grows.
bool preemptiblePC(uintptr_t pc);

// ---- The OS's part ----

// A loaded module's code: its load address (which names it) and its
// executable ranges.
struct ModuleCode {
  struct Range {
    uintptr_t lo, hi;
  };
  static constexpr int kMaxRanges = 8;
  uintptr_t base = 0;
  Range exec[kMaxRanges];
  int nexec = 0;
};

// osModuleOf fills *mod with the loaded module that contains address and
// *path with its file's path ("" if unknown); false if no module contains
// it. Not from a signal handler.
bool osModuleOf(const void* address, ModuleCode* mod, std::string* path);
// osMainModule fills *mod with the main executable's code.
bool osMainModule(ModuleCode* mod);
// osRuntimeLibrary says whether the module at path is one whose code must
// never be interrupted: the C and C++ runtimes, the loader, the system's
// libraries, a sanitizer runtime, cbridge built as a library.
bool osRuntimeLibrary(const std::string& path);

}  // namespace cbridge::rt
