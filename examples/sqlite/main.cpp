// SPDX-License-Identifier: MIT
// SQLite calls managed code: a user function, registered with
// sqlite3_create_function_v2, whose xFunc is a cbridge Callback.
//
// Four OS threads (threads cbridge never created) each open their own
// connection and run queries that call managed_cube(x) once per row.
// SQLite calls xFunc on the querying thread, deep inside sqlite3_step;
// the callback binds that thread an M on its first call (kept for its
// later calls) and runs the handler as a task: the handler parks on a
// channel round trip with a "cube server" task, and then calls C again
// (sqlite3_result_int64) before SQLite's frames resume. Each thread checks
// its query's result against the closed form; main checks the totals.
#include <cbridge/cbridge.hpp>
#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kThreads = 4;
constexpr int kQueries = 5;    // per thread
constexpr int64_t kRows = 200; // per query: x in 1..kRows

// A request to the cube server: x in, x³ out through the reply channel.
struct CubeRequest {
  int64_t x;
  cbridge::Chan<int64_t> reply;
};

// sum of x³ for x in 1..n is (n(n+1)/2)².
int64_t sumOfCubes(int64_t n) { return (n * (n + 1) / 2) * (n * (n + 1) / 2); }

}  // namespace

int main() {
  // The server runs as a task for the whole program; every user-function
  // call asks it, so the handlers really park and hand over.
  cbridge::Chan<CubeRequest> requests(16);
  cbridge::go([requests]() mutable {
    while (auto r = requests.recv()) r->reply.send(r->x * r->x * r->x);
  });

  std::atomic<int64_t> handlerCalls{0};
  cbridge::Callback<void(sqlite3_context*, int, sqlite3_value**)> cube(
      [&](sqlite3_context* ctx, int argc, sqlite3_value** argv) {
        if (argc != 1 || sqlite3_value_type(argv[0]) != SQLITE_INTEGER) {
          sqlite3_result_error(ctx, "managed_cube: one integer argument", -1);
          return;
        }
        CubeRequest req{sqlite3_value_int64(argv[0]), cbridge::Chan<int64_t>()};
        requests.send(req);         // parks until the server takes it
        int64_t y = *req.reply.recv();  // and until it answers
        handlerCalls.fetch_add(1, std::memory_order_relaxed);  // read after the joins
        cbridge::call(sqlite3_result_int64, ctx, static_cast<sqlite3_int64>(y));  // C again
      });

  std::atomic<int> failures{0};  // relaxed adds: read after the joins
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      sqlite3* db = nullptr;
      // One connection per thread; FULLMUTEX too, as a connection shared
      // between threads would need.
      int rc = sqlite3_open_v2(":memory:", &db,
                               SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                               nullptr);
      if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(db, "managed_cube", 1, SQLITE_UTF8, nullptr, cube.fn(),
                                        nullptr, nullptr, nullptr);
      sqlite3_stmt* stmt = nullptr;
      const std::string sql =
          "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < " +
          std::to_string(kRows) + ") SELECT sum(managed_cube(x)) FROM n";
      if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
      for (int q = 0; rc == SQLITE_OK && q < kQueries; q++) {
        if (sqlite3_step(stmt) != SQLITE_ROW) {
          rc = SQLITE_ERROR;
          break;
        }
        int64_t got = sqlite3_column_int64(stmt, 0);
        if (got != sumOfCubes(kRows)) {
          std::fprintf(stderr, "thread %d: sum(managed_cube(x)) = %lld, want %lld\n", t,
                       static_cast<long long>(got), static_cast<long long>(sumOfCubes(kRows)));
          failures.fetch_add(1, std::memory_order_relaxed);
        }
        sqlite3_reset(stmt);
      }
      if (rc != SQLITE_OK) {
        std::fprintf(stderr, "thread %d: %s\n", t, db ? sqlite3_errmsg(db) : "sqlite3_open_v2");
        failures.fetch_add(1, std::memory_order_relaxed);
      }
      sqlite3_finalize(stmt);
      sqlite3_close(db);
    });
  }
  for (auto& th : threads) th.join();
  requests.close();

  const int64_t want = int64_t{kThreads} * kQueries * kRows;
  cbridge::Stats s = cbridge::stats();
  std::printf("%d threads x %d queries: sum(managed_cube(x)) for x in 1..%lld = %lld each\n",
              kThreads, kQueries, static_cast<long long>(kRows),
              static_cast<long long>(sumOfCubes(kRows)));
  std::printf("managed_cube ran %lld times as managed code (callbacks served: %llu)\n",
              static_cast<long long>(handlerCalls.load()),
              static_cast<unsigned long long>(s.callbacks));
  std::printf("extra Ms for the querying threads: %llu idle after they exited\n",
              static_cast<unsigned long long>(s.extra_ms_idle));
  if (failures != 0 || handlerCalls != want || s.callbacks < static_cast<uint64_t>(want)) {
    std::printf("FAIL: %d failures, %lld handler calls, want %lld\n", failures.load(),
                static_cast<long long>(handlerCalls.load()), static_cast<long long>(want));
    return 1;
  }
  std::printf("OK\n");
  return 0;
}
