// SPDX-License-Identifier: MIT
// Scenarios of the netpoller: its fatal path, and the order in which a
// write readies a local reader (which needs one P).
#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <unistd.h>

#include <cerrno>
#include <cstddef>

#include <atomic>
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

// A poller entry whose source is neither a pollDesc nor the break entry is
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

// uringRefused makes io_uring_setup fail with EPERM, as Docker's default
// seccomp profile does, before the runtime starts; then a task does a pipe
// round trip, and the backend in use is printed. The poller must fall back
// to epoll: quietly by default, with one line when CBRIDGE_NETPOLL asked
// for io_uring.
// refuseIoUring installs a seccomp filter that fails io_uring_setup with
// EPERM, as Docker's default profile does; false (said) if it cannot.
bool refuseIoUring() {
  sock_filter f[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog = {sizeof f / sizeof f[0], f};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
    std::perror("seccomp");
    return false;
  }
  return true;
}

int uringRefused() {
  if (!refuseIoUring()) return 1;
  return cbridge::run([] {
    net::Pipe p = net::pipe();
    cbridge::Chan<char> got(1);
    cbridge::go([&, r = p.reader]() mutable {
      char c = 0;
      r.read(&c, 1);
      got.send(c);
    });
    p.writer.write("x", 1);
    std::optional<char> c = got.recv();
    std::printf("backend=%s round trip %s\n", cbridge::stats().netpoll_backend, c == 'x' ? "ok" : "failed");
    p.reader.close();
    p.writer.close();
    return 0;
  });
}

// The I/O batch where io_uring is refused: four connections echo 100
// messages each, so that their tasks' calls would be batched; the batch
// must be off, quietly by default, and every call made directly.
int iobatchUringRefused() {
  if (!refuseIoUring()) return 1;
  return cbridge::run([] {
    cbridge::WaitGroup wg;
    std::atomic<int> good{0};
    for (int i = 0; i < 4; i++) {
      int sv[2];
      if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return 1;
      auto [a, e1] = net::File::adopt(sv[0]);
      auto [b, e2] = net::File::adopt(sv[1]);
      if (e1 || e2) return 1;
      wg.add(2);
      cbridge::go([b = b, &wg]() mutable {
        char c;
        while (b.read(&c, 1).n == 1 && !b.write(&c, 1).err) {
        }
        b.close();
        wg.done();
      });
      cbridge::go([a = a, &wg, &good]() mutable {
        int ok = 0;
        for (char i = 0; i < 100; i++) {
          char c = 0;
          if (a.write(&i, 1).err || a.read(&c, 1).n != 1 || c != i) break;
          ok++;
        }
        if (ok == 100) good++;
        a.close();
        wg.done();
      });
    }
    wg.wait();
    std::printf("iobatch=%s echo %s\n", cbridge::stats().iobatch, good == 4 ? "ok" : "failed");
    return 0;
  });
}

testprog::Register r1("NetpollUnknownSource", netpollUnknownSource);
testprog::Register r5("IobatchUringRefused", iobatchUringRefused);
testprog::Register r4("NetpollUringRefused", uringRefused);
testprog::Register r2("WriteReadiesLocalReaderNext", writeReadiesLocalReaderNext);
testprog::Register r3("ParkedWhileTimerWaits", parkedWhileTimerWaits);

}  // namespace
