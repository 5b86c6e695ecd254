// SPDX-License-Identifier: MIT
// cbridge::net on Windows, for now: every operation fails with one error.
// The net API parks a task on its fd's pollDesc until the netpoller says
// the fd is ready (net_unix.cpp), and Windows has no netpoller yet: its
// IOCP backend, netpoll_iocp.cpp, and sockets as HANDLEs are issue 18
// part 3. Rather than leave the API unlinked, or a read that blocks its
// thread under the scheduler, each call returns notBuilt(): equivalent to
// std::errc::function_not_supported (ENOSYS), with a message that says
// why. No File or Listener can be made, so the methods only ever see
// empty ones.
//
// The batched socket calls (iobatch.hpp) are io_uring's, so there are
// none here either: no P ever has a call queued, the scheduler's flush
// (iobatchFlush) has nothing to submit, and stats() reports the batch
// "off".
#include <cerrno>
#include <string>
#include <system_error>

#include "cbridge/net.hpp"
#include "runtime/iobatch.hpp"

namespace cbridge::net {

namespace {

class NetpollCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "cbridge.net"; }
  std::string message(int) const override {
    return "cbridge: the netpoller is not built for Windows yet (issue 18 part 3)";
  }
  std::error_condition default_error_condition(int) const noexcept override {
    return std::errc::function_not_supported;
  }
};

std::error_code notBuilt() {
  static const NetpollCategory category;
  return {ENOSYS, category};
}

}  // namespace

std::pair<File, std::error_code> File::adopt(int) { return {File{}, notBuilt()}; }
IoResult File::read(void*, size_t) { return {0, notBuilt()}; }
IoResult File::write(const void*, size_t) { return {0, notBuilt()}; }
std::error_code File::close() { return notBuilt(); }
std::error_code File::shutdown(int) { return notBuilt(); }
std::error_code File::set_deadline(Deadline) { return notBuilt(); }
std::error_code File::set_read_deadline(Deadline) { return notBuilt(); }
std::error_code File::set_write_deadline(Deadline) { return notBuilt(); }
int File::fd() const { return -1; }
bool File::pollable() const { return false; }

std::pair<Conn, std::error_code> Listener::accept() { return {Conn{}, notBuilt()}; }
std::error_code Listener::close() { return notBuilt(); }
std::error_code Listener::set_deadline(Deadline) { return notBuilt(); }
uint16_t Listener::port() const { return 0; }

std::pair<Listener, std::error_code> listen_tcp(const std::string&, uint16_t, int) {
  return {Listener{}, notBuilt()};
}
std::pair<Conn, std::error_code> dial_tcp(const std::string&, uint16_t, std::chrono::nanoseconds) {
  return {Conn{}, notBuilt()};
}
std::pair<Listener, std::error_code> listen_unix(const std::string&, int) {
  return {Listener{}, notBuilt()};
}
std::pair<Conn, std::error_code> dial_unix(const std::string&) { return {Conn{}, notBuilt()}; }
Pipe pipe() { return {File{}, File{}, notBuilt()}; }
std::error_code wait_fd(int, WaitMode, std::chrono::nanoseconds) { return notBuilt(); }

}  // namespace cbridge::net

namespace cbridge::rt {

void iobatchFlush(P*) {}

IobatchStats iobatchstats() { return {"off", 0, 0}; }

}  // namespace cbridge::rt
