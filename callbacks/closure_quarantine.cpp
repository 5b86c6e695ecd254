// SPDX-License-Identifier: MIT
#include "callbacks/closure_quarantine.hpp"

#include <vector>

#include "runtime/debugvars.hpp"
#include "runtime/fatal.hpp"
#include "runtime/lock.hpp"

namespace cbridge::cb {

namespace {

// staleEntry is a quarantined closure's entry: whatever the signature the
// caller believed, it reads no argument and never returns.
void staleEntry(ffi_cif*, void*, void**, void* code) {
  rt::fatal(
      "%sa freed callback was called (its function pointer %p): a callback's pointer is valid "
      "only until cbridge_callback_free or the Callback's destruction; keep the callback alive "
      "while C code may still call it",
      rt::debug.cbcheck != 0 ? "cbcheck: " : "", code);
}

// The quarantine: a ring of the last kClosureQuarantine freed closures,
// oldest at next once the ring is full; under CBRIDGE_DEBUG=cbcheck every
// freed closure, in kept, so that every stale call is caught. Under lock;
// frees are not a hot path, and staleCif is prepared once under it.
struct Quarantine {
  rt::Lock lock{rt::LockRank::ClosureQuarantine};
  ffi_closure* ring[kClosureQuarantine] GUARDED_BY(lock) = {};
  int next GUARDED_BY(lock) = 0;
  bool cifReady GUARDED_BY(lock) = false;
  ffi_cif staleCif GUARDED_BY(lock);  // void(void): staleEntry decodes nothing
  std::vector<ffi_closure*> kept GUARDED_BY(lock);
};

Quarantine& quarantine() {
  static Quarantine* q = new Quarantine;  // never destroyed: frees may run during exit
  return *q;
}

}  // namespace

void quarantineClosure(ffi_closure* closure, void* code) {
  Quarantine& q = quarantine();
  rt::LockGuard g(q.lock);
  if (!q.cifReady) {
    if (ffi_prep_cif(&q.staleCif, FFI_DEFAULT_ABI, 0, &ffi_type_void, nullptr) != FFI_OK)
      rt::fatal("callbacks: libffi could not prepare the freed-callback trap");
    q.cifReady = true;
  }
  if (ffi_prep_closure_loc(closure, &q.staleCif, staleEntry, code, code) != FFI_OK) {
    ffi_closure_free(closure);  // cannot trap it: give it back at once
    return;
  }
  if (rt::debug.cbcheck != 0) {
    q.kept.push_back(closure);
    return;
  }
  ffi_closure* oldest = q.ring[q.next];
  q.ring[q.next] = closure;
  q.next = (q.next + 1) % kClosureQuarantine;
  if (oldest != nullptr) ffi_closure_free(oldest);
}

}  // namespace cbridge::cb
