// SPDX-License-Identifier: MIT
// cbridge::net on the netpoller, the same program on Linux (epoll) and on
// Windows (the I/O completion port, netpoll_iocp.cpp, under Wine), over
// 127.0.0.1 only. Each part prints what it saw, never a time, a port or a
// count that depends on scheduling, so the two outputs must be the same
// line for line (scripts/test-windows):
//   - 50 connections echo 100 messages each through one listener, and 4
//     MiB go through one connection while its reader runs beside it;
//   - a read deadline times out and leaves the connection usable; a close
//     wakes a blocked reader; an accept deadline; a refused dial; EOF;
//   - a deadline set from a thread the runtime never made, while the
//     poller blocks, wakes it with the break entry (netpoll_breaks), and
//     no break is lost;
//   - an entry that is not for the current use of an fd is dropped and
//     counted (netpoll_stale): on Windows a completion of an overlapped
//     call the host made itself on one of our sockets, which comes with our
//     key (Go's issue 58870); on Linux an epoll entry with a stale tag;
//   - an entry with an unknown key is a fatal error (exit 2), in a child;
//   - a pipe, whose ends Windows cannot overlap (foreign calls there).
#include <cbridge/call.hpp>
#include <cbridge/net.hpp>
#include <cbridge/runtime.hpp>
#include <cbridge/task.hpp>
#include <cbridge/waitgroup.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "runtime/netpoll.hpp"

#if defined(_WIN32)
#include <winsock2.h>
#include <windows.h>

#include "runtime/netpoll_iocp.hpp"
#else
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace {

using namespace std::chrono_literals;
namespace net = cbridge::net;

const char* errName(std::error_code e) {
  if (!e) return "ok";
  if (e == std::errc::timed_out) return "timed_out";
  if (e == std::errc::bad_file_descriptor) return "bad_file_descriptor";
  if (e == std::errc::connection_refused) return "connection_refused";
  return "other";
}

bool readFull(net::Conn& c, void* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    auto r = c.read(static_cast<char*>(buf) + got, n - got);
    if (r.err || r.n == 0) return false;
    got += r.n;
  }
  return true;
}

void echo() {
  auto [l, err] = net::listen_tcp("127.0.0.1", 0);
  if (err) {
    std::printf("echo: listen failed: %s\n", err.message().c_str());
    return;
  }
  constexpr int kConns = 50, kMsgs = 100, kSize = 64;
  cbridge::WaitGroup servers;
  cbridge::go([&, l = l]() mutable {
    for (int i = 0; i < kConns; i++) {
      auto [c, e] = l.accept();
      if (e) return;
      servers.add(1);
      cbridge::go([&servers, c = c]() mutable {
        char buf[kSize];
        while (readFull(c, buf, kSize)) c.write(buf, kSize);
        c.close();
        servers.done();
      });
    }
  });
  std::atomic<int> good{0};
  cbridge::WaitGroup clients;
  clients.add(kConns);
  for (int i = 0; i < kConns; i++) {
    cbridge::go([&, i] {
      auto [c, e] = net::dial_tcp("127.0.0.1", l.port());
      int ok = 0;
      for (int m = 0; !e && m < kMsgs; m++) {
        char out[kSize], in[kSize];
        std::memset(out, 'a' + (i + m) % 26, kSize);
        if (c.write(out, kSize).err || !readFull(c, in, kSize)) break;
        ok += std::memcmp(out, in, kSize) == 0;
      }
      if (ok == kMsgs) good++;
      c.close();
      clients.done();
    });
  }
  clients.wait();
  servers.wait();
  l.close();
  std::printf("echo: %d connections x %d messages, %d echoed whole\n", kConns, kMsgs, good.load());
}

void bulk() {
  auto [l, err] = net::listen_tcp("127.0.0.1", 0);
  auto [c, e1] = net::dial_tcp("127.0.0.1", l.port());
  auto [s, e2] = l.accept();
  if (err || e1 || e2) {
    std::printf("bulk: setup failed\n");
    return;
  }
  constexpr size_t kTotal = 4 << 20;
  uint64_t sent = 0, received = 0;
  cbridge::WaitGroup wg;
  wg.add(1);
  cbridge::go([&, c = c]() mutable {
    std::vector<unsigned char> buf(100000);
    for (size_t off = 0; off < kTotal; off += buf.size()) {
      size_t n = std::min(buf.size(), kTotal - off);
      for (size_t i = 0; i < n; i++) {
        buf[i] = static_cast<unsigned char>((off + i) * 7 + 3);
        sent += buf[i];
      }
      if (c.write(buf.data(), n).err) break;
    }
    c.close();
    wg.done();
  });
  std::vector<unsigned char> in(65536);
  size_t total = 0;
  for (;;) {
    auto r = s.read(in.data(), in.size());
    if (r.err || r.n == 0) break;
    for (size_t i = 0; i < r.n; i++) received += in[i];
    total += r.n;
  }
  wg.wait();
  s.close();
  l.close();
  std::printf("bulk: %zu bytes, checksum %s\n", total, sent == received ? "equal" : "differs");
}

void deadlines() {
  auto [l, err] = net::listen_tcp("127.0.0.1", 0);
  auto [c, e1] = net::dial_tcp("127.0.0.1", l.port());
  auto [s, e2] = l.accept();
  if (err || e1 || e2) {
    std::printf("deadlines: setup failed\n");
    return;
  }
  char b[8];
  s.set_read_deadline(std::chrono::steady_clock::now() + 50ms);
  auto r = s.read(b, sizeof b);
  s.set_read_deadline({});
  c.write("ping", 4);
  bool usable = readFull(s, b, 4) && std::memcmp(b, "ping", 4) == 0;
  std::printf("read deadline: %s, then usable: %s\n", errName(r.err), usable ? "yes" : "no");

  std::atomic<bool> parked{false};
  std::error_code closed;
  cbridge::WaitGroup wg;
  wg.add(1);
  cbridge::go([&, s = s]() mutable {
    parked = true;
    closed = s.read(b, sizeof b).err;
    wg.done();
  });
  while (!parked) cbridge::sleep_for(1ms);
  cbridge::sleep_for(20ms);
  s.close();
  wg.wait();
  std::printf("close wakes a blocked reader: %s\n", errName(closed));

  l.set_deadline(std::chrono::steady_clock::now() + 30ms);
  std::printf("accept deadline: %s\n", errName(l.accept().second));
  uint16_t port = l.port();
  l.close();
  c.close();
  std::printf("dial with nobody listening: %s\n", errName(net::dial_tcp("127.0.0.1", port).second));
}

void eof() {
  auto [l, err] = net::listen_tcp("127.0.0.1", 0);
  auto [c, e1] = net::dial_tcp("127.0.0.1", l.port());
  auto [s, e2] = l.accept();
  if (err || e1 || e2) {
    std::printf("eof: setup failed\n");
    return;
  }
  c.write("bye", 3);
  c.close();
  char b[8];
  bool got = readFull(s, b, 3);
  auto r = s.read(b, sizeof b);
  std::printf("peer closed: data %s, then read %zu bytes, %s\n", got ? "read" : "lost", r.n, errName(r.err));
  s.close();
  l.close();
}

// A deadline set from a plain thread while every task waits on the
// poller: the poller blocks with no timer, and the new timer must wake it
// (the break entry).
void breaks() {
  auto [l, err] = net::listen_tcp("127.0.0.1", 0);
  auto [c, e1] = net::dial_tcp("127.0.0.1", l.port());
  auto [s, e2] = l.accept();
  if (err || e1 || e2) {
    std::printf("breaks: setup failed\n");
    return;
  }
  uint64_t before = cbridge::stats().netpoll_breaks;
  std::thread setter([s = s]() mutable {
    std::this_thread::sleep_for(100ms);
    s.set_read_deadline(std::chrono::steady_clock::now() + 20ms);
  });
  char b[8];
  std::error_code e = s.read(b, sizeof b).err;
  void (*join)(std::thread*) = [](std::thread* t) { t->join(); };
  cbridge::call(join, &setter);
  cbridge::Stats st = cbridge::stats();
  std::printf("deadline from a thread while the poller blocks: %s, break drained: %s, lost: %llu\n",
              errName(e), st.netpoll_breaks > before ? "yes" : "no",
              static_cast<unsigned long long>(st.netpoll_breaks_lost));
  s.close();
  c.close();
  l.close();
}

#if defined(_WIN32)
// The host's own overlapped WSARecv on one of our sockets: its completion
// comes to our port with our key.
void foreignEntry(net::Conn& ours, net::Conn& peer) {
  struct {
    OVERLAPPED ov;
    char zeros[32];  // what the backend reads past a foreign OVERLAPPED
  } host{};
  host.ov.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  char b[4];
  WSABUF wb{sizeof b, b};
  DWORD flags = 0;
  SOCKET s = SOCKET(uintptr_t(unsigned(ours.fd())));
  int r = WSARecv(s, &wb, 1, nullptr, &flags, &host.ov, nullptr);
  if (r != 0 && WSAGetLastError() != WSA_IO_PENDING) {
    std::printf("foreign WSARecv failed: %d\n", WSAGetLastError());
    return;
  }
  peer.write("host", 4);
  WaitForSingleObject(host.ov.hEvent, INFINITE);
  CloseHandle(host.ov.hEvent);
}
#else
// An epoll entry for a pollDesc since freed: its tag's fdseq is old. (A
// dup of our socket is another registration of the same socket.)
void foreignEntry(net::Conn& ours, net::Conn&) {
  int fd = dup(ours.fd());
  cbridge::rt::PollDesc* pd = cbridge::rt::pollopen(fd);
  uint64_t tag = cbridge::rt::polltag(pd, cbridge::rt::pollseq(pd));
  cbridge::rt::polleventclose(pd);
  cbridge::rt::pollclose(pd);
  close(fd);
  cbridge::rt::WakeList out;
  cbridge::rt::pollevent(tag, cbridge::rt::kPollIn, -1, &out);
}
#endif

// An M polls only while a task waits on the poller (Go's netpollWaiters
// rule): Waiting makes one, a task blocked in accept, until it ends.
class Waiting {
 public:
  Waiting() {
    l_ = net::listen_tcp("127.0.0.1", 0).first;
    wg_.add(1);
    cbridge::go([this] {
      l_.accept();
      wg_.done();
    });
  }
  ~Waiting() {
    l_.close();
    wg_.wait();
  }

 private:
  net::Listener l_;
  cbridge::WaitGroup wg_;
};

void stale() {
  Waiting waiting;
  auto [l, err] = net::listen_tcp("127.0.0.1", 0);
  auto [c, e1] = net::dial_tcp("127.0.0.1", l.port());
  auto [s, e2] = l.accept();
  if (err || e1 || e2) {
    std::printf("stale: setup failed\n");
    return;
  }
  uint64_t before = cbridge::stats().netpoll_stale;
  foreignEntry(s, c);
  // The entry waits in the poller until an M polls: sysmon's poll comes
  // within 10 ms, an idle M's sooner.
  for (int i = 0; i < 5000 && cbridge::stats().netpoll_stale == before; i++) cbridge::sleep_for(1ms);
  std::printf("an entry not for the current use of an fd: dropped as stale: %s\n",
              cbridge::stats().netpoll_stale > before ? "yes" : "no");
  c.write("ours", 4);
  char b[4];
  bool ok = readFull(s, b, 4) && std::memcmp(b, "ours", 4) == 0;
  std::printf("the socket still serves its File: %s\n", ok ? "yes" : "no");
  s.close();
  c.close();
  l.close();
}

void pipes() {
  net::Pipe p = net::pipe();
  if (p.err) {
    std::printf("pipe: %s\n", p.err.message().c_str());
    return;
  }
  cbridge::go([w = p.writer]() mutable {
    w.write("through the pipe", 16);
    w.close();
  });
  char b[32];
  size_t total = 0;
  for (;;) {
    auto r = p.reader.read(b + total, sizeof b - total);
    if (r.err || r.n == 0) break;
    total += r.n;
  }
  p.reader.close();
  std::printf("pipe: read \"%.*s\", then EOF\n", int(total), b);
}

// The child: an entry with an unknown key must be a fatal error.
int unknownKey() {
  cbridge::run([] {
    Waiting waiting;
#if defined(_WIN32)
    // A key of ours in form (source 3 is neither Ready nor Break), posted
    // to our port as nothing but a bug could.
    PostQueuedCompletionStatus(cbridge::rt::iocpPort(), 0, ULONG_PTR(3), nullptr);
    cbridge::sleep_for(5s);
#else
    cbridge::rt::WakeList out;
    cbridge::rt::pollevent(3, cbridge::rt::kPollIn, -1, &out);
#endif
    return 0;
  });
  std::printf("unknown key: not fatal\n");
  return 0;
}

void unknownKeyIsFatal(const char* self) {
  std::string log = (std::filesystem::temp_directory_path() / "cbridge_net_test_child.log").string();
  std::string cmd = std::string(self) + " unknown-key 2>" + log;
  int status = std::system(cmd.c_str());
#if !defined(_WIN32)
  status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
#endif
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  // Wine may hold the file a moment after the child is gone.
  for (int i = 0; i < 100 && std::remove(log.c_str()) != 0; i++)
    std::this_thread::sleep_for(10ms);
  bool fatal = text.find("fatal error: netpoll: unknown") != std::string::npos;
  std::printf("an unknown key: %s, exit status %d\n", fatal ? "fatal error" : "no fatal error", status);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "unknown-key") == 0) return unknownKey();
  int r = cbridge::run([] {
    echo();
    bulk();
    deadlines();
    eof();
    breaks();
    stale();
    pipes();
    return 0;
  });
  unknownKeyIsFatal(argv[0]);
  std::printf("run returned %d\n", r);
  std::fflush(stdout);
  return 0;
}
