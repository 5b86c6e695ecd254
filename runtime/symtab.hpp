// SPDX-License-Identifier: MIT
// symtab: the function and source line of a code address, read from its
// module's own tables (Go's symtab.go answers the same from its pclntab).
// Windows only (symtab_windows.cpp): on Linux libbacktrace answers it
// (traceback_linux.cpp); Debian has no mingw build of libbacktrace, and
// DbgHelp reads neither the DWARF nor the COFF symbols mingw-w64 writes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cbridge::rt {

// Where an address lies. name is the function's symbol as the module's
// symbol table spells it (mangled for C++), NUL ended; empty if the
// module has no symbol table (stripped) or the address precedes every
// function. file and dir point into the module's mapped line table, NUL
// ended, or are nullptr (dir also when the file's path is absolute, or
// its directory is the compilation's, which the line table does not
// name before DWARF 5); line is 0 when there is no line table entry.
struct FrameSym {
  char name[512];
  const char* dir;
  const char* file;
  int line;
};

// findFrame looks pc up in the module that contains it. It returns false
// if no module does. It allocates nothing from the heap, takes no lock,
// and reads each module's file once, at its first lookup (by any thread;
// the others wait for that read), then keeps it mapped.
bool findFrame(uintptr_t pc, FrameSym* out);

}  // namespace cbridge::rt
