// SPDX-License-Identifier: MIT
// preempt_modules.hpp's OS part on Linux: a module's code is its
// executable PT_LOAD segments, found with dl_iterate_phdr (the first
// module it reports is the main executable), its path with dladdr.
#include <dlfcn.h>
#include <link.h>

#include <cstring>
#include <string>

#include "runtime/preempt_modules.hpp"

namespace cbridge::rt {

namespace {

struct Search {
  uintptr_t addr = 0;
  bool first = false;  // take the first module (the main executable)
  bool found = false;
  ModuleCode* mod = nullptr;
};

int visit(dl_phdr_info* info, size_t, void* data) {
  auto* s = static_cast<Search*>(data);
  bool contains = s->first;
  ModuleCode code;
  code.base = info->dlpi_addr;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    uintptr_t lo = info->dlpi_addr + ph.p_vaddr, hi = lo + ph.p_memsz;
    if (s->addr >= lo && s->addr < hi) contains = true;
    if ((ph.p_flags & PF_X) && code.nexec < ModuleCode::kMaxRanges) code.exec[code.nexec++] = {lo, hi};
  }
  if (!contains) return 0;
  *s->mod = code;
  s->found = true;
  return 1;
}

}  // namespace

bool osModuleOf(const void* address, ModuleCode* mod, std::string* path) {
  Search s;
  s.addr = reinterpret_cast<uintptr_t>(address);
  s.mod = mod;
  dl_iterate_phdr(visit, &s);
  Dl_info info{};
  *path = s.found && dladdr(address, &info) != 0 && info.dli_fname != nullptr ? info.dli_fname : "";
  return s.found;
}

bool osMainModule(ModuleCode* mod) {
  Search s;
  s.first = true;
  s.mod = mod;
  dl_iterate_phdr(visit, &s);
  return s.found;
}

bool osRuntimeLibrary(const std::string& path) {
  size_t slash = path.rfind('/');
  const char* base = path.c_str() + (slash == std::string::npos ? 0 : slash + 1);
  static const char* const kPrefixes[] = {"libc.so",    "libc-",     "libstdc++", "libgcc_s",
                                          "ld-linux",   "ld64.so",   "libasan",   "libtsan",
                                          "libubsan",   "liblsan",   "libpthread", "libcbridge"};
  for (const char* p : kPrefixes)
    if (strncmp(base, p, strlen(p)) == 0) return true;
  return false;
}

}  // namespace cbridge::rt
