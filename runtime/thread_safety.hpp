// SPDX-License-Identifier: MIT
// clang's thread-safety analysis (-Wthread-safety): the attributes that
// say which Lock guards which data and which functions take, release or
// need a Lock. Under other compilers they expand to nothing. scripts/run-tests
// compiles the library with clang and -Werror=thread-safety.
#pragma once

#include "runtime/attributes.hpp"  // CBRIDGE_TSA

#define CAPABILITY(x) CBRIDGE_TSA(capability(x))
#define SCOPED_CAPABILITY CBRIDGE_TSA(scoped_lockable)
#define GUARDED_BY(x) CBRIDGE_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) CBRIDGE_TSA(pt_guarded_by(x))
#define REQUIRES(...) CBRIDGE_TSA(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) CBRIDGE_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) CBRIDGE_TSA(release_capability(__VA_ARGS__))
#define EXCLUDES(...) CBRIDGE_TSA(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS CBRIDGE_TSA(no_thread_safety_analysis)

// RACY_SNAPSHOT marks a function that reads other threads' state without
// their locks on purpose: the task dump, a snapshot of a running process
// printed from a signal handler, where no lock may be taken and a stale
// value only mislabels one line. ThreadSanitizer is told not to look.
#define RACY_SNAPSHOT CBRIDGE_NO_SANITIZE_THREAD
