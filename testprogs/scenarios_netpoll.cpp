// SPDX-License-Identifier: MIT
// Scenarios of the netpoller: its fatal path, and the order in which a
// write readies a local reader (which needs one P).
#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>
#include <sys/epoll.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>
#include <string>

#include "runtime/netpoll.hpp"
#include "runtime/sysmon.hpp"
#include "testprogs/testprog.hpp"

namespace {

namespace net = cbridge::net;
namespace rt = cbridge::rt;

// An epoll entry whose source is neither a pollDesc nor the break entry is
// a fatal error that prints the value.
int netpollUnknownSource() {
  cbridge::rt::netpollinit();
  std::printf("start\n");
  std::fflush(stdout);
  cbridge::rt::WakeList list;
  cbridge::rt::pollevent(0xdead0003, EPOLLIN, -1, &list);
  std::printf("not reached\n");
  return 0;
}

// oneRound: R waits to read a pipe; X1..X3 are runnable; then the main
// task writes to the pipe and waits. The write's poll puts R in runnext,
// so R runs before the Xs; without it R would be found only by the poll of
// an M with nothing else to do, after them. Returns the order they ran in.
std::string oneRound() {
  std::string order;
  cbridge::WaitGroup wg;
  net::Pipe p = net::pipe();
  wg.add(4);
  cbridge::go([&, r = p.reader]() mutable {
    char c;
    r.read(&c, 1);
    order += 'R';
    wg.done();
  });
  cbridge::yield();  // R runs and parks on the empty pipe
  for (int i = 0; i < 3; i++)
    cbridge::go([&] {
      order += 'X';
      wg.done();
    });
  p.writer.write("x", 1);
  wg.wait();
  p.reader.close();
  p.writer.close();
  return order;
}

int writeReadiesLocalReaderNext() {
  return cbridge::run([] {
    // sysmon may end a time slice at any moment (a stalled VM makes one
    // look 10 ms long), which puts R at the tail: so a few rounds, and the
    // first that shows the order counts. Without the poll none does.
    std::string order;
    for (int i = 0; i < 5 && order != "RXXX"; i++) order = oneRound();
    std::printf("procs=%d order=%s\n", cbridge::stats().procs, order.c_str());
    return 0;
  });
}

// parkedWhileTimerWaits: an M sleeps until a far timer; then a task parks
// on a pipe and every M goes idle. One of them must block in epoll_wait
// (taking the timer waiter's place), or the task waits for sysmon's poll,
// which this scenario turns off: a plain thread's write must still wake
// it. The main task gives up after 5 s.
int parkedWhileTimerWaits() {
  rt::setSysmonNetpollPeriod(int64_t(3600) * 1000000000);
  return cbridge::run([] {
    // The far timer; no timer is added after the reader parks, since a new
    // earliest one would wake the waiter, which would then see the reader.
    auto giveUp = cbridge::after(std::chrono::seconds(5));
    cbridge::sleep_for(std::chrono::milliseconds(20));  // its waiter is asleep now
    net::Pipe p = net::pipe();
    cbridge::Chan<int> woke(1);
    cbridge::go([&, r = p.reader]() mutable {
      char c;
      r.read(&c, 1);
      woke.send(1);
    });
    std::thread writer([fd = p.writer.fd()] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // every M idle by now
      if (::write(fd, "x", 1) != 1) std::perror("write");
    });
    bool ok = false;
    cbridge::select(cbridge::on_recv(woke, [&](std::optional<int>) { ok = true; }),
                    cbridge::on_recv(giveUp, [](std::optional<cbridge::Instant>) {}));
    writer.join();
    std::printf("the task parked on the pipe woke: %s\n", ok ? "yes" : "no");
    p.reader.close();  // wakes the reader if it never woke
    p.writer.close();
    return 0;
  });
}

testprog::Register r1("NetpollUnknownSource", netpollUnknownSource);
testprog::Register r2("WriteReadiesLocalReaderNext", writeReadiesLocalReaderNext);
testprog::Register r3("ParkedWhileTimerWaits", parkedWhileTimerWaits);

}  // namespace
