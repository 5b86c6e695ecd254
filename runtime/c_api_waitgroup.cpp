// SPDX-License-Identifier: MIT
// cbridge.h's wait groups over the runtime's (waitgroup.hpp). A counter
// that would go below zero is a panic in Go and a fatal error in C++'s
// WaitGroup; here it is an error result (CBRIDGE_ERR_RANGE, the counter
// unchanged): a C host has no recover(), and the mistake is one it can
// check for and report itself, so killing the process would help nobody.
#include <new>
#include <string>

#include "bridge/last_error.hpp"
#include "cbridge/cbridge.h"
#include "runtime/waitgroup.hpp"

struct cbridge_waitgroup {
  cbridge::detail::WaitGroupImpl impl;
};

using cbridge::bridge::misuse;

namespace {
std::atomic<bool> nullReported{false};
std::atomic<bool> negativeReported{false};
std::atomic<bool> freeBusyReported{false};

int nullWaitGroup(const char* api) {
  return misuse(&nullReported, CBRIDGE_ERR_ARGUMENT,
                std::string(api) + ": wg is NULL; check the result of cbridge_waitgroup_new");
}
}  // namespace

namespace cbridge::detail {
WaitGroupImpl* capiWaitGroupImpl(cbridge_waitgroup* wg) { return &wg->impl; }
}  // namespace cbridge::detail

extern "C" cbridge_waitgroup* cbridge_waitgroup_new(void) {
  return new (std::nothrow) cbridge_waitgroup;
}

extern "C" int cbridge_waitgroup_add(cbridge_waitgroup* wg, int64_t delta) {
  if (wg == nullptr) return nullWaitGroup("cbridge_waitgroup_add");
  if (!cbridge::detail::waitgroupAdd(wg->impl, delta))
    return misuse(&negativeReported, CBRIDGE_ERR_RANGE,
                  "cbridge_waitgroup_add: the counter would go below zero (add(" +
                      std::to_string(delta) +
                      ")); more done than add: the counter is unchanged");
  return CBRIDGE_OK;
}

extern "C" int cbridge_waitgroup_done(cbridge_waitgroup* wg) {
  if (wg == nullptr) return nullWaitGroup("cbridge_waitgroup_done");
  return cbridge_waitgroup_add(wg, -1);
}

extern "C" int cbridge_waitgroup_wait(cbridge_waitgroup* wg) {
  if (wg == nullptr) return nullWaitGroup("cbridge_waitgroup_wait");
  cbridge::detail::waitgroupWait(wg->impl);
  return CBRIDGE_OK;
}

extern "C" int cbridge_waitgroup_free(cbridge_waitgroup* wg) {
  if (wg == nullptr) return CBRIDGE_OK;
  if (cbridge::detail::waitgroupHasWaiters(wg->impl))
    return misuse(&freeBusyReported, CBRIDGE_ERR_BUSY,
                  "cbridge_waitgroup_free: a task or thread still waits on the wait group; "
                  "nothing was freed");
  delete wg;
  return CBRIDGE_OK;
}
