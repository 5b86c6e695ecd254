// SPDX-License-Identifier: MIT
// cbridge::net's portable part (net_file.hpp): closing a File once its
// operations are out, deadlines, and the errors a wait ends with. Each OS
// has the calls (net_unix.cpp, net_windows.cpp).
#include <atomic>
#include <cerrno>

#include "cbridge/task.hpp"
#include "runtime/fatal.hpp"
#include "runtime/net_file.hpp"
#include "runtime/os.hpp"
#include "runtime/proc.hpp"
#include "runtime/timers.hpp"

namespace cbridge::net {

namespace detail {

std::error_code FileImpl::closeNow() {
  if (closed.exchange(true)) return closedErr();
  if (pd != nullptr) rt::polleventclose(pd);
  while (ops.load(std::memory_order_acquire) != 0) cbridge::yield();
  if (pd != nullptr) rt::pollclose(pd);
  return closeFd(fd, socket);
}

bool started(const char* what) {
  if (rt::ensureStarted()) return true;
  static std::atomic<bool> reported{false};
  rt::usererrorOnce(&reported,
                    "%s after cbridge::shutdown(): no poller runs any more, so it fails (ESHUTDOWN; "
                    "CBRIDGE_ERR_SHUTDOWN from cbridge_wait_fd), as does every later wait on an fd",
                    what);
  return false;
}

std::error_code pollError(rt::PollResult r, const char* what) {
  switch (r) {
    case rt::PollResult::Ready: return {};
    case rt::PollResult::Timeout: return timeoutErr();
    case rt::PollResult::Closing: return closedErr();
    case rt::PollResult::Error: return sysErr(EIO);
    case rt::PollResult::Shutdown:
      return started(what) ? sysErr(EIO) : shutdownErr();
  }
  return sysErr(EIO);
}

int64_t toNanotime(Deadline d) {
  if (d == Deadline{}) return 0;
  auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(d - std::chrono::steady_clock::now());
  if (left.count() > 0) return rt::whenAfter(left.count());  // time_point::max(): never
  int64_t when = rt::nanotime() + left.count();
  return when <= 0 ? 1 : when;  // 0 means none: an expired deadline stays in the past
}

}  // namespace detail

using detail::closedErr;
using detail::FileImpl;
using detail::OpGuard;

std::error_code File::close() { return impl_ ? impl_->closeNow() : closedErr(); }

namespace {
// setDeadline holds the file open (close waits for it) and refuses a
// closed one, so a deadline never reaches the pollDesc after close freed
// it for another file; the seq check in pollsetdeadline backs this up.
std::error_code setDeadline(FileImpl* f, Deadline d, char mode) {
  if (f == nullptr) return closedErr();
  OpGuard g(f);
  if (f->closed.load(std::memory_order_acquire)) return closedErr();
  if (f->pd == nullptr) return {};  // not pollable: its calls do not wait on deadlines
  return rt::pollsetdeadline(f->pd, f->seq, detail::toNanotime(d), mode) ? std::error_code() : closedErr();
}
}  // namespace

std::error_code File::set_deadline(Deadline d) { return setDeadline(impl_.get(), d, 'b'); }
std::error_code File::set_read_deadline(Deadline d) { return setDeadline(impl_.get(), d, 'r'); }
std::error_code File::set_write_deadline(Deadline d) { return setDeadline(impl_.get(), d, 'w'); }

int File::fd() const { return impl_ ? impl_->fd : -1; }
bool File::pollable() const { return impl_ && impl_->pd != nullptr; }

std::error_code Listener::close() { return file_.close(); }
std::error_code Listener::set_deadline(Deadline d) { return file_.set_read_deadline(d); }

}  // namespace cbridge::net
