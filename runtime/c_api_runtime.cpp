// SPDX-License-Identifier: MIT
// cbridge.h's runtime life: cbridge_config_init, cbridge_init, cbridge_run
// and cbridge_shutdown over cbridge::start, run and shutdown.
//
// cbridge_config grows without an ABI break (cbridge.h): its size field
// says how many bytes the program knows of. Fields the program does not
// know (size smaller than ours) keep their defaults; bytes the library
// does not know (size larger than ours) must be zero, as Linux's
// copy_struct_from_user requires for clone3 and openat2, so that a program
// built against newer headers is refused rather than silently ignored
// when it asks for something this library cannot do.
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>

#include "bridge/last_error.hpp"
#include "cbridge/cbridge.h"
#include "cbridge/runtime.hpp"
#include "cbridge/task.hpp"
#include "runtime/fatal.hpp"
#include "runtime/proc.hpp"

using cbridge::bridge::failWith;
using cbridge::bridge::misuse;

namespace {
std::atomic<bool> nullReported{false};
std::atomic<bool> configReported{false};
std::atomic<bool> initReported{false};

// The size of the first cbridge_config (through force_preempt_ns): the
// smallest a program can pass.
constexpr size_t kConfigV1Size = offsetof(cbridge_config, force_preempt_ns) + sizeof(int64_t);
constexpr uint32_t kKnownDebugBits =
    CBRIDGE_DEBUG_SHUTDOWN | CBRIDGE_DEBUG_CALLBACKS | CBRIDGE_DEBUG_DEADLOCK;

// readConfig copies what the program passed into a cbridge_config of ours;
// "" or the reason it cannot be taken.
std::string readConfig(const cbridge_config* in, cbridge_config* out) {
  cbridge_config_init(out);
  if (in == nullptr) return "";
  size_t size = in->size;
  if (size < kConfigV1Size)
    return "cbridge_init: cfg->size=" + std::to_string(size) +
           " is too small; set it with cbridge_config_init(&cfg)";
  if (size > sizeof(cbridge_config)) {
    const unsigned char* tail = reinterpret_cast<const unsigned char*>(in) + sizeof(cbridge_config);
    for (size_t i = 0; i < size - sizeof(cbridge_config); i++)
      if (tail[i] != 0)
        return "cbridge_init: cfg sets a field this library (" +
               std::string(cbridge_version_string()) +
               ") does not know, at byte " + std::to_string(sizeof(cbridge_config) + i) +
               "; build against this library's cbridge.h or leave the newer fields zero";
    size = sizeof(cbridge_config);
  }
  std::memcpy(out, in, size);
  out->size = sizeof(cbridge_config);
  if ((out->debug & ~kKnownDebugBits) != 0)
    return "cbridge_init: cfg->debug has unknown bits 0x" +
           [](uint32_t v) {
             char b[16];
             std::snprintf(b, sizeof b, "%x", v);
             return std::string(b);
           }(out->debug & ~kKnownDebugBits) +
           " (known: the CBRIDGE_DEBUG_* bits)";
  if (out->maxprocs < 0 || out->maxprocs > 1024)
    return "cbridge_init: cfg->maxprocs=" + std::to_string(out->maxprocs) + " is not in [0, 1024]";
  if (out->syscall_retake_ns < 0)
    return "cbridge_init: cfg->syscall_retake_ns=" + std::to_string(out->syscall_retake_ns) +
           " is negative";
  if (out->force_preempt_ns != 0 &&
      (out->force_preempt_ns < 100000 || out->force_preempt_ns > 10000000000LL))
    return "cbridge_init: cfg->force_preempt_ns=" + std::to_string(out->force_preempt_ns) +
           " is not 0 or in [100000, 10000000000] (100 us to 10 s)";
  return "";
}
}  // namespace

extern "C" void cbridge_config_init(cbridge_config* cfg) {
  if (cfg == nullptr) {
    misuse(&nullReported, CBRIDGE_ERR_ARGUMENT, "cbridge_config_init: cfg is NULL");
    return;
  }
  std::memset(cfg, 0, sizeof *cfg);
  cfg->size = sizeof *cfg;
}

extern "C" int cbridge_init(const cbridge_config* in) {
  cbridge_config cfg;
  std::string why = readConfig(in, &cfg);
  if (!why.empty()) return misuse(&configReported, CBRIDGE_ERR_ARGUMENT, why + "; not started");
  // Checked before start(), which would print its own line: this one names
  // the C call.
  if (cbridge::rt::everStarted())
    return misuse(&initReported, CBRIDGE_ERR_RUNNING,
                  "cbridge_init: the runtime already started (by cbridge_init or by first use) or "
                  "was shut down; call cbridge_init once, before any other cbridge call");
  cbridge::rt::addDebugFlags(cfg.debug);
  cbridge::Config c;
  c.maxprocs = cfg.maxprocs;
  c.stack_size = cfg.stack_size;
  c.syscall_retake_ns = cfg.syscall_retake_ns;
  c.force_preempt_ns = cfg.force_preempt_ns;
  if (!cbridge::start(c))  // lost a race with a first use on another thread
    return failWith(CBRIDGE_ERR_RUNNING, "cbridge_init: the runtime started meanwhile");
  return CBRIDGE_OK;
}

extern "C" int cbridge_run(void (*fn)(void*), void* arg) {
  if (fn == nullptr)
    return misuse(&nullReported, CBRIDGE_ERR_ARGUMENT, "cbridge_run: fn is NULL");
  if (cbridge::in_task()) {
    fn(arg);
    return CBRIDGE_OK;
  }
  struct Call {
    void (*fn)(void*);
    void* arg;
    void operator()() const { fn(arg); }
  };
  if (!cbridge::detail::runAndWait(new cbridge::detail::TaskFnOf<Call>(Call{fn, arg}), 0))
    return failWith(CBRIDGE_ERR_SHUTDOWN, "cbridge_run: the runtime was shut down; fn did not run");
  return CBRIDGE_OK;
}

extern "C" int cbridge_shutdown(void) {
  if (cbridge::rt::everStarted() && !cbridge::rt::started())
    return failWith(CBRIDGE_ERR_SHUTDOWN, "cbridge_shutdown: the runtime was shut down already");
  cbridge::shutdown();
  return CBRIDGE_OK;
}
