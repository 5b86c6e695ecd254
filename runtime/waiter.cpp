#include "runtime/waiter.hpp"

#include "runtime/proc.hpp"

namespace cbridge::rt {

void Waiter::park(bool (*unlockf)(void*), void* arg) {
  if (g != nullptr) {
    gopark(unlockf, arg);
    return;
  }
  if (!unlockf(arg)) return;
  note.sleep();
}

void Waiter::wake() {
  if (g != nullptr)
    goready(g);
  else
    note.wakeup();
}

}  // namespace cbridge::rt
