// SPDX-License-Identifier: MIT
// Asynchronous preemption, the part every OS shares
// (asyncpreempt_amd64.cpp): whether an interrupted thread is at an async
// safe point, and the C++ half of asyncPreempt. The OS's preemptor decides
// when to look (the signal handler on Linux, sigpreempt_linux.cpp; the
// suspending preemptor on Windows, preempt_windows.cpp), reads the
// interrupted PC and stack pointer from its context, asks
// wantAsyncPreempt, and if told yes makes the thread call
// cbridge_asyncPreempt (asyncpreempt_amd64_{sysv,win64}.S).
#pragma once

#include <cstdint>

#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// initAsyncPreempt reads the switches (CBRIDGE_ASYNCPREEMPT=0 and Go's
// name for it, CBRIDGE_DEBUG=asyncpreemptoff=1) and what asyncPreempt
// saves (the xsave component mask and the size of its area, into the
// cbridge_asyncPreempt* globals the assembly reads), and says whether
// asynchronous preemption may be on: not when switched off, nor without
// XSAVE enabled by the OS. Once, before any preemptor runs.
bool initAsyncPreempt();

// wantAsyncPreempt says whether m's thread, stopped at pc with stack
// pointer sp while holding locks runtime Locks, is at an async safe point:
// it runs a task in a preemptible region, its P has sysmon's request, it
// holds no runtime lock, the task's stack has room for asyncPreempt's
// frame below sp, and pc is in code registered as interruptible. It takes
// no lock and calls nothing that may: it runs in a signal handler, or
// while the thread it looks at is suspended holding who knows what.
bool wantAsyncPreempt(M* m, uintptr_t pc, uintptr_t sp, uint32_t locks);

}  // namespace cbridge::rt

extern "C" {
// asyncpreempt_amd64_*.S: the routine a preempted thread is made to call.
void cbridge_asyncPreempt();
}
