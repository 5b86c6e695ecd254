// SPDX-License-Identifier: MIT
// libuv's thread pool runs managed code: uv_queue_work with a cbridge
// Callback as work_cb, and another as after_work_cb.
//
// libuv runs work_cb on the threads of its own pool (4 by default,
// UV_THREADPOOL_SIZE), which cbridge never created: each binds an M on
// its first call and keeps it. The handler runs as a task: it parks on a
// timer (cbridge::sleep_for) and sends its result on a cbridge channel to
// a collector task, which the pool's thread waits for without holding up
// anything else. after_work_cb runs on the loop's thread. The loop itself
// runs in a task, through cbridge::call(uv_run, ...): a foreign call, so
// the task's P is free for the collector while uv_run waits in epoll, and
// after_work_cb is a nested callback (managed -> C -> managed) that runs
// on that same task.
#include <cbridge/cbridge.hpp>
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <set>
#include <vector>

namespace {

constexpr int kJobs = 64;

struct Job {
  uv_work_t req;  // req.data points back to the Job
  int n;
  int64_t square = 0;       // written by work_cb, read by after_work_cb (libuv orders them)
  int64_t workM = -1;       // the M work_cb ran on
  int64_t workTask = 0;     // the task work_cb ran as
};

}  // namespace

int main() {
  cbridge::Chan<int64_t> results(kJobs);

  cbridge::Callback<void(uv_work_t*)> work([&](uv_work_t* req) {
    Job* job = static_cast<Job*>(req->data);
    cbridge::sleep_for(std::chrono::milliseconds(2));  // parks the task; the pool thread waits
    job->square = int64_t{job->n} * job->n;
    job->workM = cbridge::m_id();
    job->workTask = static_cast<int64_t>(cbridge::task_id());
    results.send(job->square);
  });

  int afterCalls = 0;        // only the loop's thread touches it
  int64_t afterSum = 0;
  uint64_t loopTask = 0;
  bool afterOnLoopTask = true;
  cbridge::Callback<void(uv_work_t*, int)> after([&](uv_work_t* req, int status) {
    Job* job = static_cast<Job*>(req->data);
    if (status == 0) afterSum += job->square;
    afterCalls++;
    afterOnLoopTask = afterOnLoopTask && cbridge::task_id() == loopTask;
  });

  std::vector<Job> jobs(kJobs);
  int64_t collected = 0;
  int loopRc = 0;
  cbridge::run([&] {
    uv_loop_t loop;
    uv_loop_init(&loop);
    for (int i = 0; i < kJobs; i++) {
      jobs[i].n = i + 1;
      jobs[i].req.data = &jobs[i];
      uv_queue_work(&loop, &jobs[i].req, work.fn(), after.fn());
    }
    cbridge::WaitGroup wg;
    wg.add(1);
    cbridge::go([&] {
      for (int i = 0; i < kJobs; i++) collected += *results.recv();
      wg.done();
    });
    loopTask = cbridge::task_id();
    // uv_run returns when no request is left: every after_work_cb ran.
    loopRc = cbridge::call(uv_run, &loop, UV_RUN_DEFAULT);
    wg.wait();
    uv_loop_close(&loop);
  });

  const int64_t want = int64_t{kJobs} * (kJobs + 1) * (2 * kJobs + 1) / 6;
  std::set<int64_t> ms;
  std::set<int64_t> tasks;
  for (const Job& j : jobs) {
    ms.insert(j.workM);
    tasks.insert(j.workTask);
  }
  cbridge::Stats s = cbridge::stats();
  std::printf("%d uv_queue_work jobs: sum of squares %lld from the channel, %lld in after_work_cb "
              "(want %lld)\n",
              kJobs, static_cast<long long>(collected), static_cast<long long>(afterSum),
              static_cast<long long>(want));
  std::printf("work_cb ran as managed code on %zu Ms (libuv's pool threads); after_work_cb %d "
              "times, nested on the loop's task: %s\n",
              ms.size(), afterCalls, afterOnLoopTask ? "yes" : "no");
  std::printf("callbacks served: %llu\n", static_cast<unsigned long long>(s.callbacks));
  bool ok = loopRc == 0 && collected == want && afterSum == want && afterCalls == kJobs &&
            afterOnLoopTask && !ms.count(-1) && !tasks.count(0) &&
            s.callbacks >= 2u * kJobs;
  std::printf("%s\n", ok ? "OK" : "FAIL");
  return ok ? 0 : 1;
}
