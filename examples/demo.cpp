// The cbridge demo: tasks, channels, select, timers and the runtime's
// stats, each step saying what it shows.
#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>

#include <chrono>
#include <cstdio>
#include <string>

using namespace std::chrono_literals;

namespace {

void printStats(const char* when) {
  cbridge::Stats s = cbridge::stats();
  std::printf("  stats %s: tasks created=%llu live=%lld, threads (Ms) created=%llu idle=%d, Ps=%d\n",
              when, static_cast<unsigned long long>(s.tasks_created),
              static_cast<long long>(s.tasks_live), static_cast<unsigned long long>(s.ms_created),
              s.ms_idle, s.procs);
}

}  // namespace

int main() {
  std::printf("cbridge demo: lightweight tasks scheduled over a few OS threads\n\n");

  cbridge::run([] {
    std::printf("1. A pipeline of tasks joined by channels\n");
    cbridge::Chan<int> numbers;          // unbuffered: each send meets a receive
    cbridge::Chan<std::string> results(4);  // buffered
    cbridge::go([numbers]() mutable {
      for (int i = 1; i <= 5; i++) numbers.send(i);
      numbers.close();
    });
    cbridge::go([numbers, results]() mutable {
      while (auto n = numbers.recv()) results.send(std::to_string(*n) + " squared is " + std::to_string(*n * *n));
      results.close();
    });
    while (auto line = results.recv()) std::printf("   %s\n", line->c_str());

    std::printf("\n2. 10,000 tasks, each sleeping 10 ms, finish together\n");
    auto t0 = std::chrono::steady_clock::now();
    cbridge::WaitGroup wg;
    cbridge::Mutex mu;
    long sum = 0;
    for (int i = 0; i < 10000; i++) {
      wg.add(1);
      cbridge::go([&, i] {
        cbridge::sleep_for(10ms);
        std::lock_guard<cbridge::Mutex> g(mu);
        sum += i;
        wg.done();
      });
    }
    printStats("while they sleep");
    wg.wait();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    std::printf("   all done in %lld ms; the sum of their ids is %ld\n", static_cast<long long>(ms), sum);

    std::printf("\n3. select: the first of a reply and a timeout wins\n");
    cbridge::Chan<std::string> reply(1);
    cbridge::go([reply]() mutable {
      cbridge::sleep_for(50ms);
      reply.send("late reply");
    });
    auto timeout = cbridge::after(20ms);
    cbridge::select(
        cbridge::on_recv(reply, [](std::optional<std::string> r) { std::printf("   got %s\n", r->c_str()); }),
        cbridge::on_recv(timeout, [](std::optional<cbridge::Instant>) { std::printf("   timed out after 20 ms\n"); }));
    std::printf("   the reply still arrives later: %s\n", reply.recv()->c_str());

    std::printf("\n4. A timer runs a function later unless stopped\n");
    cbridge::Chan<int> fired(1);
    cbridge::Timer t1(5ms, [fired]() mutable { fired.send(1); });
    cbridge::Timer t2(5ms, [fired]() mutable { fired.send(2); });
    std::printf("   stopped the second timer: %s\n", t2.stop() ? "yes" : "no");
    std::printf("   timer %d fired\n", *fired.recv());

    std::printf("\n5. An echo server and three clients on 127.0.0.1: blocking-style I/O parks only the task\n");
    auto [ln, err] = cbridge::net::listen_tcp("127.0.0.1", 0);
    if (err) {
      std::printf("   listen failed: %s\n", err.message().c_str());
      return;
    }
    cbridge::WaitGroup served;
    cbridge::go([l = ln, &served]() mutable {
      for (int i = 0; i < 3; i++) {
        auto [conn, e] = l.accept();
        if (e) return;
        served.add(1);
        cbridge::go([conn, &served]() mutable {
          char buf[128];
          cbridge::net::IoResult r = conn.read(buf, sizeof buf);
          std::string reply = "echo: " + std::string(buf, r.n);
          conn.write(reply.data(), reply.size());
          conn.close();
          served.done();
        });
      }
    });
    cbridge::WaitGroup clients;
    for (int i = 1; i <= 3; i++) {
      clients.add(1);
      cbridge::go([i, &clients, port = ln.port()] {
        auto [conn, e] = cbridge::net::dial_tcp("127.0.0.1", port, 1s);
        if (!e) {
          std::string msg = "hello " + std::to_string(i);
          conn.write(msg.data(), msg.size());
          char buf[128];
          cbridge::net::IoResult r = conn.read(buf, sizeof buf);
          std::printf("   client %d got \"%s\"\n", i, std::string(buf, r.n).c_str());
          conn.close();
        }
        clients.done();
      });
    }
    clients.wait();
    served.wait();
    ln.close();
  });

  std::printf("\n6. The runtime at the end\n");
  printStats("after the work");
  return 0;
}
