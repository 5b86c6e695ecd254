// SPDX-License-Identifier: MIT
// demangle: the qualified name of a C++ function from its Itanium-mangled
// symbol, for tracebacks.
//
// The C++ runtime's demangler allocates, and a traceback may be printed in
// a signal handler or with malloc's lock held by a stopped thread. This one
// works in a caller's buffer and gives what a stack line needs: the
// qualified name (namespaces, classes, "{lambda}", "operator()",
// constructors), template arguments and parameters shown as "<...>" and
// left out. What it does not understand it refuses, and the caller prints
// the symbol as it is (c++filt reads it).
#pragma once

#include <cstddef>

#include "runtime/print.hpp"

namespace cbridge::rt {

// demangle writes the name of mangled into out (size bytes, NUL ended)
// and returns true, or returns false if mangled is not a C++ symbol or
// does not fit.
bool demangle(const char* mangled, char* out, size_t size);

// printFuncName prints a stack line's function: sym demangled when it is
// C++ and demangle reads it, else as it is, then "(...)".
void printFuncName(RawWriter& w, const char* sym);

}  // namespace cbridge::rt
