// SPDX-License-Identifier: MIT
// The task dump.
//
// It runs in a signal handler (SIGQUIT, a fatal signal) or with a lock of
// the runtime held (fatal), while the other threads go on: it takes no
// lock and allocates nothing. The lists of Gs and Ms are walked as Go's
// forEachGRace walks allgs: their heads are published with release after
// an element is linked, and elements are never freed, so a walk sees
// every element linked before it started and nothing half made. A task's
// fields are read racily (relaxed atomics, or plain fields that only
// describe): the dump is a snapshot of a running process, and a value
// that changed meanwhile only mislabels that task's line. Its stack is
// walked under the guard of traceback_linux.cpp.
#include "runtime/dump.hpp"

#include "runtime/proc.hpp"
#include "runtime/runtime2.hpp"
#include "runtime/sysmon.hpp"
#include "runtime/thread_safety.hpp"
#include "runtime/traceback.hpp"

namespace cbridge::rt {

namespace {

RACY_SNAPSHOT void printWaitReason(RawWriter& w, G* gp, int64_t now) {
  WaitReason r = gp->waitreason.load(std::memory_order_relaxed);
  int64_t detail = gp->waitDetail.load(std::memory_order_relaxed);
  w.str(waitReasonString(r));
  if (r == WaitReason::IoWait)
    w.str(" on fd ").dec(detail >> 1).str((detail & 1) != 0 ? " write" : " read");
  if (r == WaitReason::Sleep) w.str(" until now+").ms(detail > now ? detail - now : 0);
}

// The extra M whose own G gp is (it runs the callbacks of the C thread
// the M is bound to), if it is one.
RACY_SNAPSHOT M* extraOwner(G* gp) {
  for (M* m = sched->allms.load(std::memory_order_acquire); m != nullptr; m = m->alllink)
    if (m->isextra && m->extrag == gp) return m;
  return nullptr;
}

RACY_SNAPSHOT void printHeader(RawWriter& w, G* gp, M* self) {
  int64_t now = coarsenanotime();
  int64_t waited = now - gp->waitsince.load(std::memory_order_relaxed);
  w.str("task ").dec(int64_t(gp->id)).str(" [");
  switch (gp->status.load(std::memory_order_acquire)) {
    case GStatus::Runnable: w.str("runnable"); break;
    case GStatus::Running:
      w.str("running");
      if (M* m = gp->m; m != nullptr) w.str(" on m").dec(m->id);
      if (self != nullptr && self->curg == gp) w.str(", this thread");
      break;
    case GStatus::Waiting:
      printWaitReason(w, gp, now);
      w.str(", ").ms(waited);
      break;
    case GStatus::Syscall:
      if (M* m = extraOwner(gp); m != nullptr) {
        w.str("callbacks of C thread ").dec(m->procid).str(", between callbacks");
      } else {
        w.str("in foreign call, ").ms(waited);
        if (M* m = gp->m; m != nullptr) w.str(", on m").dec(m->id);
      }
      break;
    default: w.str("dead"); break;
  }
  w.str("]:\n");
}

RACY_SNAPSHOT void printCreator(RawWriter& w, G* gp) {
  uintptr_t pc = gp->gopc.load(std::memory_order_relaxed);
  uint64_t parent = gp->parentid.load(std::memory_order_relaxed);
  if (extraOwner(gp) != nullptr) return;
  if (pc == 0) {
    w.str("created by the runtime\n");
    return;
  }
  w.str("created ");
  if (parent != 0)
    w.str("in task ").dec(int64_t(parent));
  else
    w.str("from a thread");
  w.str(" by ");
  printFrame(w, pc, true);
}

}  // namespace

RACY_SNAPSHOT void printCurrentTask(RawWriter& w, bool inHandler) {
  M* m = getm();
  G* gp = m != nullptr ? m->curg : nullptr;
  if (gp != nullptr)
    printHeader(w, gp, m);
  else if (m != nullptr)
    w.str("m").dec(m->id).str(" on its system stack (g0), no task:\n");
  else
    w.str("a thread without an M, no task:\n");
  if (inHandler)
    printInterruptedStack(w);
  else
    printCurrentStack(w, 2);
  if (gp != nullptr) printCreator(w, gp);
}

RACY_SNAPSHOT void dumpAll(int fd) {
  RawWriter w(fd);
  if (!schedinited()) {
    w.str("no tasks: the runtime has not started\n");
    return;
  }
  printCurrentTask(w, true);
  dumpTasks(w);
  dumpMs(w);
}

RACY_SNAPSHOT void dumpTasks(RawWriter& w) {
  M* self = getm();
  G* mine = self != nullptr ? self->curg : nullptr;
  for (G* gp = sched->allgs.load(std::memory_order_acquire); gp != nullptr; gp = gp->alllink) {
    GStatus s = gp->status.load(std::memory_order_acquire);
    if (gp == mine || s == GStatus::Idle || s == GStatus::Dead) continue;
    // An extra M's G between callbacks is no task of the program's: shown
    // only while a C thread holds its M (which the M list says too).
    M* owner = extraOwner(gp);
    if (owner != nullptr && s == GStatus::Syscall && owner->procid == 0) continue;
    w.str("\n");
    printHeader(w, gp, self);
    if (s == GStatus::Running)
      w.str("\t(running on another thread: stack unavailable)\n");
    else if (owner == nullptr || s != GStatus::Syscall)
      printGStack(w, gp);
    printCreator(w, gp);
  }
}

RACY_SNAPSHOT void dumpMs(RawWriter& w) {
  w.str("\n");
  for (M* m = sched->allms.load(std::memory_order_acquire); m != nullptr; m = m->alllink) {
    w.str("m").dec(m->id);
    if (m->isextra) {
      if (m->procid != 0)
        w.str(": extra, bound to C thread ").dec(m->procid);
      else
        w.str(": extra, on the extra list (no thread)");
    } else {
      w.str(": thread ").dec(m->procid).str(", made by the runtime");
    }
    if (P* p = m->p; p != nullptr)
      w.str(", p").dec(p->id);
    else
      w.str(", no P");
    if (G* g = m->curg; g != nullptr) w.str(", task ").dec(int64_t(g->id));
    int32_t cbs = m->callbacksInFlight.load(std::memory_order_relaxed);
    if (cbs > 0) w.str(", ").dec(cbs).str(" callback(s) in flight");
    if (m->ncgo > 0) w.str(", in a foreign call");
    if (m->g0hi != 0) {
      w.str(", system stack [").hex(m->g0lo).str(", ").hex(m->g0hi).str(") ");
      w.str(!m->isextra || m->g0StackAccurate ? "exact" : "estimated");
    }
    w.str("\n");
  }
}

}  // namespace cbridge::rt
