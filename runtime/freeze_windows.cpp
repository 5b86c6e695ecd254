// SPDX-License-Identifier: MIT
// No exit sentinel on Windows (freeze.cpp): a thread_local destructor is
// of no use there, and of harm.
//   - No use: libstdc++ on mingw-w64's msvcrt runs the exiting thread's
//     thread_local destructors from one atexit entry of its own,
//     registered at the process's first such destructor, so they run
//     after the destructor of every static made later: never ahead of
//     the statics, which is the sentinel's whole point.
//   - Harm: at a thread's end they run after emutls has freed the
//     thread's storage. An M ending at shutdown read its sentinel's
//     "armed" from freed memory, found it set, and froze the world: a
//     go() after shutdown() then took the "process exits" path (seen in
//     1 of 20 runs of tests/win64/dll_user_test under Wine).
// So the world is frozen at the runtime's own atexit entry, whichever
// thread calls exit() or returns from main: statics made before the
// runtime started are safe, later ones are not (README).
#include "runtime/freeze.hpp"

namespace cbridge::rt {

void armExitSentinel() {}
void disarmExitSentinel() {}

}  // namespace cbridge::rt
