// SPDX-License-Identifier: MIT
// preempt_modules.hpp's OS part on Windows: a module is a loaded image
// (GetModuleHandleExW finds the one containing an address, its HMODULE
// being its load address), its code the sections of its PE header marked
// executable, its path GetModuleFileNameW's.
//
// The runtime libraries, never to be interrupted: every module under the
// Windows directory (ntdll, kernel32, kernelbase, the CRT's ucrtbase and
// msvcrt, the api-ms-win-* sets; Wine's too, in its C:\windows), and the
// runtimes a program may carry next to it: the C++ runtime and its
// unwinder (libstdc++, libgcc_s, vcruntime, msvcp), winpthreads, a
// sanitizer's, cbridge's own. Note that mingw-w64 links programs
// statically by default (cmake/mingw-w64-x86_64.cmake does): then the
// executable holds cbridge, libstdc++ and the CRT's static part, and is
// not registered (preempt_modules.cpp); code meant to be interrupted goes
// in a DLL of its own, given to allow_preemption_in.
#include <windows.h>

#include <cwctype>
#include <string>

#include "runtime/preempt_modules.hpp"

namespace cbridge::rt {

namespace {

// code fills *mod with the executable sections of the image at base.
bool code(HMODULE h, ModuleCode* mod) {
  auto base = reinterpret_cast<uintptr_t>(h);
  auto* dos = reinterpret_cast<const IMAGE_DOS_HEADER*>(base);
  if (dos->e_magic != IMAGE_DOS_SIGNATURE) return false;
  auto* nt = reinterpret_cast<const IMAGE_NT_HEADERS*>(base + dos->e_lfanew);
  if (nt->Signature != IMAGE_NT_SIGNATURE) return false;
  const IMAGE_SECTION_HEADER* sec = IMAGE_FIRST_SECTION(nt);
  mod->base = base;
  mod->nexec = 0;
  for (int i = 0; i < nt->FileHeader.NumberOfSections; i++) {
    if (!(sec[i].Characteristics & IMAGE_SCN_MEM_EXECUTE) || mod->nexec == ModuleCode::kMaxRanges)
      continue;
    uintptr_t lo = base + sec[i].VirtualAddress;
    mod->exec[mod->nexec++] = {lo, lo + sec[i].Misc.VirtualSize};
  }
  return true;
}

std::wstring lower(std::wstring s) {
  for (wchar_t& c : s) c = wchar_t(std::towlower(c));
  return s;
}

std::wstring widen(const std::string& s) {
  int n = MultiByteToWideChar(CP_UTF8, 0, s.c_str(), -1, nullptr, 0);
  if (n <= 0) return L"";
  std::wstring w(size_t(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, s.c_str(), -1, w.data(), n);
  w.resize(size_t(n - 1));
  return w;
}

}  // namespace

bool osModuleOf(const void* address, ModuleCode* mod, std::string* path) {
  HMODULE h = nullptr;
  if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                              GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                          static_cast<LPCWSTR>(address), &h) ||
      !code(h, mod))
    return false;
  wchar_t w[MAX_PATH];
  DWORD n = GetModuleFileNameW(h, w, MAX_PATH);
  path->clear();
  if (n > 0 && n < MAX_PATH) {
    int m = WideCharToMultiByte(CP_UTF8, 0, w, int(n), nullptr, 0, nullptr, nullptr);
    path->resize(size_t(m > 0 ? m : 0));
    if (m > 0) WideCharToMultiByte(CP_UTF8, 0, w, int(n), path->data(), m, nullptr, nullptr);
  }
  return true;
}

bool osMainModule(ModuleCode* mod) { return code(GetModuleHandleW(nullptr), mod); }

bool osRuntimeLibrary(const std::string& path) {
  std::wstring p = lower(widen(path));
  wchar_t dir[MAX_PATH];
  UINT n = GetWindowsDirectoryW(dir, MAX_PATH);
  if (n > 0 && n < MAX_PATH) {
    std::wstring d = lower(std::wstring(dir, n));
    if (!d.empty() && d.back() != L'\\') d += L'\\';
    if (p.compare(0, d.size(), d) == 0) return true;
  }
  size_t slash = p.find_last_of(L"\\/");
  std::wstring base = p.substr(slash == std::wstring::npos ? 0 : slash + 1);
  static const wchar_t* const kPrefixes[] = {
      L"ntdll",     L"kernel32",  L"kernelbase",    L"ucrtbase",   L"msvcrt",
      L"api-ms-win-", L"vcruntime", L"msvcp",       L"libstdc++",  L"libgcc_s",
      L"libwinpthread", L"libasan", L"clang_rt.",   L"libcbridge", L"cbridge"};
  for (const wchar_t* pre : kPrefixes)
    if (base.compare(0, wcslen(pre), pre) == 0) return true;
  return false;
}

}  // namespace cbridge::rt
