// Scenarios of the netpoller's fatal path.
#include <cbridge/cbridge.hpp>
#include <sys/epoll.h>

#include <cstdio>

#include "runtime/netpoll.hpp"
#include "testprogs/testprog.hpp"

namespace {

// An epoll entry whose source is neither a pollDesc nor the break entry is
// a fatal error that prints the value.
int netpollUnknownSource() {
  cbridge::rt::netpollinit();
  std::printf("start\n");
  std::fflush(stdout);
  cbridge::rt::WakeList list;
  cbridge::rt::pollevent(0xdead0003, EPOLLIN, &list);
  std::printf("not reached\n");
  return 0;
}

testprog::Register r1("NetpollUnknownSource", netpollUnknownSource);

}  // namespace
