// SPDX-License-Identifier: MIT
// dl.hpp on Windows: LoadLibraryExW, GetProcAddress and FreeLibrary. Windows
// has no dlerror: the reason is the thread's last error, made text by
// FormatMessage right after the failing call, into a buffer per thread
// that stays valid until the thread's next failure here (dlerror's own
// lifetime). dlopen's flags need no counterpart: Windows binds a DLL's
// imports when it loads it (RTLD_NOW), and GetProcAddress looks in one
// module only, so nothing a DLL exports becomes global (RTLD_LOCAL).
#include "runtime/dl.hpp"

#include <windows.h>

#include <cstdio>

namespace cbridge::rt {

namespace {

thread_local char errbuf[512];

// failed sets *err to "what: the system's message" for the last error.
const char* failed(const char* what) {
  DWORD code = GetLastError();
  int n = std::snprintf(errbuf, sizeof errbuf, "%s: ", what);
  if (n < 0 || size_t(n) >= sizeof errbuf) n = 0;
  DWORD m = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
                           code, 0, errbuf + n, DWORD(sizeof errbuf - n), nullptr);
  if (m == 0) {
    std::snprintf(errbuf + n, sizeof errbuf - n, "Windows error %lu",
                  static_cast<unsigned long>(code));
  } else {
    // FormatMessage ends its text with ".\r\n" or "\r\n".
    size_t len = size_t(n) + m;
    while (len > 0 &&
           (errbuf[len - 1] == '\n' || errbuf[len - 1] == '\r' || errbuf[len - 1] == ' '))
      len--;
    errbuf[len] = '\0';
  }
  return errbuf;
}

}  // namespace

// Paths are UTF-8, as everywhere in cbridge, and go to the W function:
// the A one would read them in the ANSI code page. nullptr is the
// program's own module. Unlike dlopen(NULL), which searches the program
// and every library loaded global, GetProcAddress on it finds only what
// the .exe itself exports.
void* dlopenlib(const char* path, const char** err) {
  if (path == nullptr) return GetModuleHandleW(nullptr);
  int wn = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, nullptr, 0);
  if (wn == 0) {
    *err = failed(path);
    return nullptr;
  }
  auto* wpath = new wchar_t[size_t(wn)];
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, wpath, wn);
  HMODULE h = LoadLibraryExW(wpath, nullptr, 0);
  delete[] wpath;
  if (h == nullptr) *err = failed(path);
  return h;
}

// GetProcAddress cannot tell a symbol whose value is null from a missing
// one by its result, only by the last error: it is cleared first.
void* dlsymbol(void* lib, const char* name, const char** err) {
  SetLastError(ERROR_SUCCESS);
  FARPROC p = GetProcAddress(static_cast<HMODULE>(lib), name);
  if (p == nullptr && GetLastError() != ERROR_SUCCESS) {
    *err = failed(name);
    return nullptr;
  }
  *err = nullptr;
  return reinterpret_cast<void*>(p);
}

// The program's module was not loaded by dlopenlib (GetModuleHandle takes
// no reference): it has nothing to unload.
bool dlcloselib(void* lib, const char** err) {
  if (lib == GetModuleHandleW(nullptr)) return true;
  if (FreeLibrary(static_cast<HMODULE>(lib))) return true;
  *err = failed("FreeLibrary");
  return false;
}

}  // namespace cbridge::rt
