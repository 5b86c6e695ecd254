// SPDX-License-Identifier: MIT
// The netpoller and cbridge::net: pipes, FIFOs, TCP and Unix sockets on
// 127.0.0.1 only, deadlines, close, half-close, non-pollable files, stale
// events.
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <signal.h>
#include <unistd.h>

#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "tests/tsan_limits.hpp"
#include "runtime/netpoll.hpp"

using namespace std::chrono_literals;
namespace net = cbridge::net;

namespace {

// kernelHasIoUring says whether this process may make an io_uring.
bool kernelHasIoUring() {
  io_uring_params p{};
  int fd = int(syscall(__NR_io_uring_setup, 1, &p));
  if (fd < 0) return false;
  close(fd);
  return true;
}

// The suite runs once per backend (ctest's Uring.* entries set
// CBRIDGE_NETPOLL=uring): each run must be on the backend it names, or a
// broken io_uring start would pass as epoll unnoticed.
TEST(Net, RunsOnTheBackendAskedFor) {
  net::Pipe p = net::pipe();
  const char* want = getenv("CBRIDGE_NETPOLL");
  bool uring = want != nullptr && strcmp(want, "uring") == 0;
  if (uring && !kernelHasIoUring()) GTEST_SKIP() << "io_uring is not available to this process";
  EXPECT_STREQ(cbridge::stats().netpoll_backend, uring ? "io_uring" : "epoll");
  uint64_t onUring = 2;
  EXPECT_EQ(cbridge_stat("netpoll_uring", &onUring), 0);
  EXPECT_EQ(onUring, uring ? 1u : 0u);
}

TEST(Net, PipeRoundTripParksOnlyTheTask) {
  cbridge::run([] {
    net::Pipe p = net::pipe();
    ASSERT_FALSE(p.err);
    ASSERT_TRUE(p.reader.pollable());
    cbridge::go([w = p.writer]() mutable {
      cbridge::sleep_for(5ms);
      EXPECT_EQ(w.write("hello", 5).n, 5u);
    });
    char buf[8] = {};
    uint64_t eventsBefore = cbridge::stats().netpoll_events;
    net::IoResult r = p.reader.read(buf, sizeof buf);  // parks until the write
    EXPECT_FALSE(r.err);
    EXPECT_EQ(std::string(buf, r.n), "hello");
    // Whichever M polled it (the writer's, an idle one, sysmon), the event
    // that woke us is counted.
    EXPECT_GT(cbridge::stats().netpoll_events, eventsBefore);
  });
}

TEST(Net, CloseWakesBlockedTasks) {
  cbridge::run([] {
    net::Pipe p = net::pipe();
    cbridge::WaitGroup wg;
    std::atomic<int> closedErrs{0};
    for (int i = 0; i < 3; i++) {
      wg.add(1);
      cbridge::go([&, r = p.reader]() mutable {
        char c;
        if (r.read(&c, 1).err == std::errc::bad_file_descriptor) closedErrs++;
        wg.done();
      });
    }
    cbridge::sleep_for(10ms);  // let them park
    EXPECT_FALSE(p.reader.close());
    wg.wait();
    EXPECT_EQ(closedErrs.load(), 3);
    EXPECT_EQ(p.reader.close(), std::errc::bad_file_descriptor);  // closing twice
  });
}

TEST(Net, ReadDeadlineTimesOutAndLeavesTheFileUsable) {
  cbridge::run([] {
    net::Pipe p = net::pipe();
    p.reader.set_read_deadline(std::chrono::steady_clock::now() + 20ms);
    char c;
    EXPECT_EQ(p.reader.read(&c, 1).err, std::errc::timed_out);
    EXPECT_EQ(p.reader.read(&c, 1).err, std::errc::timed_out);  // stays expired
    p.reader.set_read_deadline({});
    p.writer.write("x", 1);
    net::IoResult r = p.reader.read(&c, 1);
    EXPECT_FALSE(r.err);
    EXPECT_EQ(c, 'x');
  });
}

// A read that times out gives up without taking data: every byte a
// writer sends around the deadlines is read exactly once, in order, by
// the reads after it. A backend that submits the receive itself must
// cancel it without losing what it received meanwhile; readiness-based
// ones never start a receive they could lose.
TEST(Net, ATimedOutReadNeverConsumesData) {
  cbridge::run([] {
    auto [ln, err] = net::listen_tcp("127.0.0.1", 0);
    ASSERT_FALSE(err) << err.message();
    constexpr int kBytes = 300;
    cbridge::go([l = ln]() mutable {
      auto [c, e] = l.accept();
      if (e) return;
      for (int i = 0; i < kBytes; i++) {
        // Around the reader's 200 µs deadlines: some writes land before,
        // some during, some after a read gives up.
        cbridge::sleep_for(std::chrono::microseconds(50 * (i % 7)));
        char b = char(i);
        if (c.write(&b, 1).err) return;
      }
      c.close();
    });
    auto [c, e] = net::dial_tcp("127.0.0.1", ln.port());
    ASSERT_FALSE(e) << e.message();
    int next = 0, timeouts = 0;
    while (next < kBytes) {
      c.set_read_deadline(std::chrono::steady_clock::now() + 200us);
      char buf[8];
      net::IoResult r = c.read(buf, sizeof buf);
      if (r.err == std::errc::timed_out) {
        timeouts++;
        continue;
      }
      ASSERT_FALSE(r.err) << r.err.message();
      ASSERT_GT(r.n, 0u) << "end of stream after " << next << " bytes";
      for (size_t k = 0; k < r.n; k++, next++) ASSERT_EQ(uint8_t(buf[k]), uint8_t(next)) << "byte " << next;
    }
    EXPECT_EQ(next, kBytes);
    EXPECT_GT(timeouts, 0);  // the deadlines did cut reads short
    c.close();
    ln.close();
  });
}

TEST(Net, WriteDeadlineOnAFullPipe) {
  cbridge::run([] {
    net::Pipe p = net::pipe();
    std::vector<char> big(1 << 20, 'z');
    p.writer.set_write_deadline(std::chrono::steady_clock::now() + 20ms);
    net::IoResult r = p.writer.write(big.data(), big.size());  // nobody reads
    EXPECT_EQ(r.err, std::errc::timed_out);
    EXPECT_GT(r.n, 0u);
    EXPECT_LT(r.n, big.size());
  });
}

TEST(Net, TcpEchoAndHalfClose) {
  cbridge::run([] {
    auto [ln, err] = net::listen_tcp("127.0.0.1", 0);
    ASSERT_FALSE(err) << err.message();
    uint16_t port = ln.port();
    cbridge::go([l = ln]() mutable {
      auto [c, e] = l.accept();
      ASSERT_FALSE(e);
      std::string got;
      char buf[256];
      for (;;) {
        net::IoResult r = c.read(buf, sizeof buf);
        if (r.err || r.n == 0) break;  // the client's half-close: EOF
        got.append(buf, r.n);
      }
      c.write(got.data(), got.size());  // still writable after the peer's SHUT_WR
      c.close();
    });
    auto [c, e] = net::dial_tcp("127.0.0.1", port, 1s);
    ASSERT_FALSE(e) << e.message();
    c.write("ping-pong", 9);
    EXPECT_FALSE(c.shutdown(SHUT_WR));
    std::string back;
    char buf[64];
    for (;;) {
      net::IoResult r = c.read(buf, sizeof buf);
      if (r.err || r.n == 0) break;
      back.append(buf, r.n);
    }
    EXPECT_EQ(back, "ping-pong");
    ln.close();
  });
}

// brokenWrites writes to a TCP connection whose peer closed and to a pipe
// whose reader closed, and returns the two errors.
std::pair<std::error_code, std::error_code> brokenWrites() {
  std::error_code tcpErr, pipeErr;
  auto [ln, err] = net::listen_tcp("127.0.0.1", 0);
  EXPECT_FALSE(err) << err.message();
  auto [c, e] = net::dial_tcp("127.0.0.1", ln.port(), 1s);
  EXPECT_FALSE(e) << e.message();
  auto [s, e2] = ln.accept();
  EXPECT_FALSE(e2) << e2.message();
  s.close();
  // The first write may still be accepted; the peer's RST fails a later one.
  for (int i = 0; i < 100 && !tcpErr; i++) {
    tcpErr = c.write("x", 1).err;
    if (!tcpErr) cbridge::sleep_for(1ms);
  }
  c.close();
  ln.close();
  net::Pipe p = net::pipe();
  EXPECT_FALSE(p.err);
  p.reader.close();
  pipeErr = p.writer.write("x", 1).err;
  p.writer.close();
  return {tcpErr, pipeErr};
}

bool isBrokenPipe(std::error_code e) {
  return e == std::errc::broken_pipe || e == std::errc::connection_reset;
}

// Writing to a connection or pipe whose other end is gone is an ordinary
// I/O failure: an EPIPE (or ECONNRESET) result, never a SIGPIPE that kills
// the process, from a task or from a plain thread (Go's behaviour for fds
// other than 1 and 2).
TEST(Net, WriteToAVanishedPeerFailsWithEpipeNotSigpipe) {
  struct sigaction cur {};
  sigaction(SIGPIPE, nullptr, &cur);
  ASSERT_EQ(cur.sa_handler, SIG_DFL) << "the test needs SIGPIPE's default action (death)";
  cbridge::run([] {
    auto [tcpErr, pipeErr] = brokenWrites();
    EXPECT_TRUE(isBrokenPipe(tcpErr)) << tcpErr.message();
    EXPECT_EQ(pipeErr, std::errc::broken_pipe) << pipeErr.message();
  });
  // A plain thread: its signal mask is left as it was, with no SIGPIPE
  // pending for a later unblock to deliver.
  std::error_code tcpErr, pipeErr;
  bool blockedAfter = true, pendingAfter = true;
  std::thread t([&] {
    std::tie(tcpErr, pipeErr) = brokenWrites();
    sigset_t mask, pending;
    pthread_sigmask(SIG_BLOCK, nullptr, &mask);
    sigpending(&pending);
    blockedAfter = sigismember(&mask, SIGPIPE);
    pendingAfter = sigismember(&pending, SIGPIPE);
  });
  t.join();
  EXPECT_TRUE(isBrokenPipe(tcpErr)) << tcpErr.message();
  EXPECT_EQ(pipeErr, std::errc::broken_pipe) << pipeErr.message();
  EXPECT_FALSE(blockedAfter);
  EXPECT_FALSE(pendingAfter);
}

TEST(Net, AcceptDeadline) {
  cbridge::run([] {
    auto [ln, err] = net::listen_tcp("127.0.0.1", 0);
    ASSERT_FALSE(err);
    ln.set_deadline(std::chrono::steady_clock::now() + 20ms);
    auto [c, e] = ln.accept();
    EXPECT_EQ(e, std::errc::timed_out);
    ln.close();
  });
}

TEST(Net, ConnectRefusedAndConnectTimeout) {
  cbridge::run([] {
    // Refused: a port we just closed.
    auto [ln, err] = net::listen_tcp("127.0.0.1", 0);
    ASSERT_FALSE(err);
    uint16_t port = ln.port();
    ln.close();
    auto [c1, e1] = net::dial_tcp("127.0.0.1", port, 1s);
    EXPECT_EQ(e1, std::errc::connection_refused);
    // Timeout: a listener that never accepts, its backlog full, drops SYNs.
    auto [full, err2] = net::listen_tcp("127.0.0.1", 0, 1);
    ASSERT_FALSE(err2);
    std::vector<net::Conn> fillers;
    bool timedOut = false;
    for (int i = 0; i < 16 && !timedOut; i++) {
      auto [c, e] = net::dial_tcp("127.0.0.1", full.port(), 200ms);
      if (e == std::errc::timed_out) timedOut = true;
      else if (!e) fillers.push_back(c);
    }
    EXPECT_TRUE(timedOut);
    full.close();
  });
}

TEST(Net, UnixSocketEcho) {
  cbridge::run([] {
    std::string path = "/tmp/cbridge-test-" + std::to_string(getpid()) + ".sock";
    unlink(path.c_str());
    auto [ln, err] = net::listen_unix(path);
    ASSERT_FALSE(err) << err.message();
    cbridge::go([l = ln]() mutable {
      auto [c, e] = l.accept();
      char buf[16];
      net::IoResult r = c.read(buf, sizeof buf);
      c.write(buf, r.n);
    });
    auto [c, e] = net::dial_unix(path);
    ASSERT_FALSE(e) << e.message();
    c.write("unix", 4);
    char buf[16] = {};
    net::IoResult r = c.read(buf, sizeof buf);
    EXPECT_EQ(std::string(buf, r.n), "unix");
    ln.close();
    unlink(path.c_str());
  });
}

TEST(Net, ThousandConnectionsEchoOneMiBEach) {
  // Two fds per connection plus the test's own: lift the soft limit to the
  // hard one, as a server would.
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  ASSERT_GE(lim.rlim_cur, 2100u) << "RLIMIT_NOFILE's hard limit is too low for 1000 connections";
  cbridge::run([] {
    // A quarter as many under ThreadSanitizer: there the full test takes
    // 50-65 s alone (with or without preemption), and under CI's parallel
    // load a dial outlasted its 30 s deadline waiting for a P.
    constexpr int kConns = cbridge_test::kTsanBuild ? 250 : 1000;
    constexpr size_t kBytes = 1 << 20;
    auto [ln, err] = net::listen_tcp("127.0.0.1", 0, 1024);
    ASSERT_FALSE(err);
    cbridge::WaitGroup servers;  // every server task, to wait for at the end
    servers.add(1);
    cbridge::go([l = ln, &servers]() mutable {
      for (;;) {
        auto [c, e] = l.accept();
        if (e) break;  // closed
        servers.add(1);
        cbridge::go([c, &servers]() mutable {
          std::vector<char> buf(64 << 10);
          for (;;) {
            net::IoResult r = c.read(buf.data(), buf.size());
            if (r.err || r.n == 0) break;
            if (c.write(buf.data(), r.n).err) break;
          }
          c.close();
          servers.done();
        });
      }
      servers.done();
    });
    cbridge::WaitGroup wg;
    std::atomic<int> ok{0};
    uint16_t port = ln.port();
    for (int i = 0; i < kConns; i++) {
      wg.add(1);
      cbridge::go([&, i] {
        auto [c, e] = net::dial_tcp("127.0.0.1", port, 30s);
        if (e) {
          ADD_FAILURE() << "dial " << i << ": " << e.message();
          wg.done();
          return;
        }
        std::vector<char> out(kBytes, char('a' + i % 26)), in(kBytes);
        cbridge::go([c, out]() mutable { c.write(out.data(), out.size()); });
        size_t got = 0;
        while (got < kBytes) {
          net::IoResult r = c.read(in.data() + got, kBytes - got);
          if (r.err || r.n == 0) break;
          got += r.n;
        }
        if (got == kBytes && in == out) ok++;
        c.close();
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(ok.load(), kConns);
    ln.close();
    servers.wait();
  });
}

// The race of golang/go#59545, ported (Go's os.TestNonPollable): one task
// opens and closes /dev/net/tun, which epoll takes but reports EPOLLERR
// alone for (no interface attached), while another makes a FIFO, opens
// both ends non-blocking, writes, reads and closes. The tun's error
// events, delivered late, would land on a FIFO's reused pollDesc if the
// fdseq tag were not checked, and its read would fail (EIO).
TEST(Net, ErrorEventsDoNotPoisonReusedPollDescs) {
  int probe = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (probe < 0) GTEST_SKIP() << "cannot open /dev/net/tun: " << strerror(errno);
  close(probe);
  cbridge::run([] {
    std::string dir = "/tmp/cbridge-fifo-" + std::to_string(getpid());
    mkdir(dir.c_str(), 0700);
    std::atomic<bool> stop{false};
    cbridge::WaitGroup wg;
    wg.add(1);
    std::atomic<int> tunOpens{0};
    cbridge::go([&] {
      while (!stop) {
        int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd < 0) break;
        auto [f, e] = net::File::adopt(fd);
        EXPECT_FALSE(e);
        if (!e) {
          EXPECT_TRUE(f.pollable());
          f.close();
          tunOpens++;
        }
        cbridge::yield();
      }
      wg.done();
    });
    std::atomic<int> errors{0};
    for (int i = 0; i < 20000; i++) {
      std::string path = dir + "/fifo";
      unlink(path.c_str());
      if (mkfifo(path.c_str(), 0600) != 0) {
        errors++;
        break;
      }
      int rfd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      int wfd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      auto [r, e1] = net::File::adopt(rfd);
      auto [w, e2] = net::File::adopt(wfd);
      if (e1 || e2) {
        errors++;
        continue;
      }
      // The read finds the FIFO empty, most often, and waits: that is
      // where a stale error bit would fail it.
      cbridge::WaitGroup wrote;
      wrote.add(1);
      cbridge::go([w, &wrote, &errors]() mutable {
        if (w.write("msg", 3).err) errors++;
        wrote.done();
      });
      char buf[4];
      net::IoResult got = r.read(buf, sizeof buf);
      if (got.err || got.n != 3) errors++;
      wrote.wait();
      r.close();
      w.close();
    }
    stop = true;
    wg.wait();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_GT(tunOpens.load(), 0);
    unlink((dir + "/fifo").c_str());
    rmdir(dir.c_str());
  });
}

// writeLater starts a task that writes one byte to fd after 5 ms, so that
// a waiter on the other end has parked by then; wrote is done after it.
void writeLater(int fd, cbridge::WaitGroup& wrote) {
  wrote.add(1);
  cbridge::go([fd, &wrote] {
    cbridge::sleep_for(5ms);
    EXPECT_EQ(::write(fd, "!", 1), 1);
    wrote.done();
  });
}

TEST(Net, WaitFdFromCForAForeignFd) {
  cbridge::run([] {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    EXPECT_EQ(cbridge_wait_fd(fds[0], CBRIDGE_WAIT_READ, 10'000'000), -ETIMEDOUT);
    EXPECT_EQ(cbridge_wait_fd(fds[1], CBRIDGE_WAIT_WRITE, -1), 0);
    cbridge::WaitGroup wrote;
    writeLater(fds[1], wrote);
    EXPECT_EQ(cbridge_wait_fd(fds[0], CBRIDGE_WAIT_READ, -1), 0);
    EXPECT_EQ(cbridge_wait_fd(fds[0], 7, -1), CBRIDGE_ERR_ARGUMENT);
    wrote.wait();  // the writer is done with fds[1] before it is closed
    ::close(fds[0]);
    ::close(fds[1]);
  });
}

TEST(Net, WaitFdFromAPlainThread) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  cbridge::WaitGroup wrote;
  writeLater(fds[1], wrote);
  EXPECT_EQ(cbridge_wait_fd(fds[0], CBRIDGE_WAIT_READ, -1), 0);
  wrote.wait();  // the writer is done with fds[1] before it is closed
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(Net, WaitFdFromACallbackHandlerParksTheTask) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  cbridge::Callback<int(int)> cb([](int fd) { return cbridge_wait_fd(fd, CBRIDGE_WAIT_READ, -1); });
  cbridge::WaitGroup wrote;
  writeLater(fds[1], wrote);
  int rc = -1;
  std::thread t([&] { rc = cb.fn()(fds[0]); });  // a thread the runtime never created
  t.join();
  EXPECT_EQ(rc, 0);
  wrote.wait();
  ::close(fds[0]);
  ::close(fds[1]);
}

// A deterministic stale event: an event carrying the tag of a pollDesc
// that was freed and reused is dropped, and sets no error bit.
TEST(Net, StaleEventForAReusedPollDescIsDropped) {
  namespace rt = cbridge::rt;
  cbridge::run([] {
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_NONBLOCK), 0);
    rt::PollDesc* pd = rt::pollopen(fds[0]);
    ASSERT_NE(pd, nullptr);
    uint64_t oldTag = rt::polltag(pd, pd->fdseq.load());
    rt::pollclose(pd);
    // The free pollDescs are a span set, in no particular order: open and
    // close until pd comes back (each turn takes one and gives it back).
    rt::PollDesc* again = rt::pollopen(fds[0]);
    for (int i = 0; i < (1 << 23) && again != pd; i++) {
      rt::pollclose(again);
      again = rt::pollopen(fds[0]);
    }
    ASSERT_EQ(again, pd);
    rt::WakeList list;
    cbridge::Stats before = cbridge::stats();
    EXPECT_EQ(rt::pollevent(oldTag, EPOLLERR, -1, &list), 0);  // a tun's error, late
    cbridge::Stats after = cbridge::stats();
    EXPECT_EQ(after.netpoll_stale, before.netpoll_stale + 1);
    EXPECT_FALSE(again->rd.eventErr);
    EXPECT_FALSE(again->rd.ready);
    // The current tag is delivered.
    EXPECT_EQ(rt::pollevent(rt::polltag(again, again->fdseq.load()), EPOLLIN, -1, &list), 0);
    EXPECT_TRUE(again->rd.ready);
    rt::polleventclose(again);
    rt::pollclose(again);
    ::close(fds[0]);
    ::close(fds[1]);
  });
}

TEST(Net, BreakEntriesAreToldApartFromReadyOnes) {
  namespace rt = cbridge::rt;
  rt::netpollinit();
  uint64_t before = cbridge::stats().netpoll_breaks;
  rt::WakeList list;
  EXPECT_EQ(rt::pollevent(uint64_t(rt::PollSource::Break), EPOLLIN, -1, &list), 0);
  EXPECT_EQ(cbridge::stats().netpoll_breaks, before + 1);
}

}  // namespace
