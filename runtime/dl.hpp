// SPDX-License-Identifier: MIT
// Loading shared libraries and finding their symbols: dlopen, dlsym and
// dlclose on Unix (dl_unix.cpp), LoadLibrary and GetProcAddress on
// Windows (dl_windows.cpp). Each function gives its error text with its
// result, taken in the same call: the OS keeps it per thread, and a task
// may move to another thread between two calls of ours.
#pragma once

namespace cbridge::rt {

// dlopenlib loads the library at path (nullptr: the main program) with
// its symbols resolved now and not made global. On failure it returns
// nullptr and sets *err to the OS's reason (nullptr if it gave none).
void* dlopenlib(const char* path, const char** err);

// dlsymbol looks name up in lib. Found, it returns the symbol's value
// (which may be null) and sets *err to nullptr; otherwise it sets *err to
// the OS's reason.
void* dlsymbol(void* lib, const char* name, const char** err);

// dlcloselib unloads lib; false, with *err set as dlopenlib does, if the
// OS refused.
bool dlcloselib(void* lib, const char** err);

}  // namespace cbridge::rt
