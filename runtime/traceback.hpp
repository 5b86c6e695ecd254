// SPDX-License-Identifier: MIT
// Tracebacks: the stacks printed by the task dump and by fatal errors
// (Go's traceback.go).
//
// Two kinds of stack are walked: the calling thread's own (a fatal error,
// or the thread a signal interrupted), read through libgcc's unwinder,
// which steps through a signal frame onto the interrupted stack; and a
// task that is not running, from the registers its switch saved (a
// parked or runnable task) or from the frame its foreign call left on its
// stack (a task in C). The second uses libunwind, loaded at start
// (tracebackinit) with RTLD_LOCAL so that its _Unwind_* functions never
// replace libgcc's for the program's exceptions; without it those stacks
// print as unavailable. Windows walks both kinds with its own unwinder
// instead (traceback_windows.cpp), and has no signals to walk through.
//
// Everything here may run in a signal handler: no allocation, no lock,
// only reads of memory that the walk guards. A walk of another task's
// stack reads memory that may change under it (the dump does not stop the
// world): a fault while walking (guardWalk) ends that stack with a note
// instead of killing the process.
#pragma once

#include <cstdint>

#include "runtime/print.hpp"
#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// CBRIDGE_TRACEBACK, Go's GOTRACEBACK: how much a fatal error or SIGQUIT
// prints. none: the message only; single (the default): the failing
// thread's stack and its task's, and every task on SIGQUIT; all: every
// task and M on a fatal error too; crash: as all, then abort() for a core
// dump instead of exit(2).
enum class TracebackLevel { None, Single, All, Crash };
TracebackLevel tracebackLevel();
// readTracebackLevel reads CBRIDGE_TRACEBACK (traceback_level.cpp); each
// OS's tracebackinit calls it first.
void readTracebackLevel();

// tracebackinit reads CBRIDGE_TRACEBACK and loads the unwinder and the
// symbol tables' state: before any handler that prints a stack can run.
void tracebackinit();

// printCurrentStack prints the calling thread's stack, skipping its skip
// innermost frames (the printing machinery's).
void printCurrentStack(RawWriter& w, int skip);
// printInterruptedStack, in a signal handler, prints the stack the
// signal interrupted, from the interrupted instruction (the handler's own
// frames left out).
void printInterruptedStack(RawWriter& w);
// printGStack prints the stack of gp, which is not running: parked,
// runnable, or in a foreign call (its frames down to the call).
void printGStack(RawWriter& w, G* gp);
// printFrame prints the function and file:line of pc (a return address
// when isReturn: the call before it is what is named), with inlined
// frames first.
void printFrame(RawWriter& w, uintptr_t pc, bool isReturn);

// tracebackFault is called first by the runtime's fault handler, with the
// faulting thread's context (a ucontext_t, a CONTEXT): if the fault is a
// guarded walk's, it does not return (Linux: siglongjmp out of the
// handler), or it rewrites context to resume at the walk's guard and
// returns true (Windows: the handler then continues execution, as a
// vectored handler is meant to). Otherwise it returns false.
bool tracebackFault(void* context);

// The CPU's part (traceback_linux_amd64.cpp): the registers to start a walk
// from, as a libunwind (ucontext_t) context. contextOfParked decodes a
// context saved by a switch (a Boost.Context fcontext) and returns false
// for one that never ran (made by make_fcontext at the top of hi's stack).
// contextOfCall decodes the frame a foreign call's switch to the system
// stack left at sp (cbridge_asmcgocall's).
bool contextOfParked(void* fctx, uintptr_t stackHi, void* uc);
void contextOfCall(uintptr_t sp, void* uc);
// sigctxtSP and sigctxtPC are the stack pointer and the instruction a
// signal interrupted, from its handler's ucontext.
uintptr_t sigctxtSP(const void* uctx);
uintptr_t sigctxtPC(const void* uctx);

}  // namespace cbridge::rt
