// SPDX-License-Identifier: MIT
// Many live tasks near vm.max_map_count (#12.5): the runtime keeps a
// reserve of map entries for the rest of the process and gives further
// stacks no guard region, saying so once, instead of dying or starving
// malloc, pthread_create and the program's own mmaps.
//
// stack_map_limit TASKS [plain|overflow|resume]: before the runtime starts
// the program takes map entries itself, without root, until only the
// reserve the README documents (a sixteenth of the limit, at least 1,024)
// plus 2,000 remain below /proc/sys/vm/max_map_count: a PROT_NONE region
// with every other page made readable, one entry per page. A first task
// then gets a guarded stack. Then TASKS tasks start and block on a channel
// (two entries each, were they guarded: far more than are left). With all
// of them alive, the counter stacks_unguarded must show unguarded stacks,
// and the process must still have entries for what else it does: a new
// thread and 1,000 mappings of its own. Then the tasks are released and
// end. Prints PASS.
//
// overflow: at the end the first task overflows its stack, which must
// still be caught: "fatal error: stack overflow in task" (exit 2).
//
// resume: the program leaves the reserve plus TASKS entries, and the tasks
// have 64 KiB stacks (not the cached size: freed at once): about half get
// guarded stacks, the rest unguarded. Once they have ended (the guarded
// stacks unmapped, the count well below the budget again), TASKS/4 more
// tasks must all get guarded stacks: stacks_unguarded stays put.
#include <cbridge/cbridge.hpp>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "deep_frames.h"

DEEP(40)

namespace {

constexpr long kSpare = 2000;  // entries left free beyond the reserve
constexpr int kOwnMappings = 1000;  // what the program maps itself after

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "FAIL: %s\n", what);
  std::exit(1);
}

long readLong(const char* path) {
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) fail("cannot read /proc/sys/vm/max_map_count");
  long v = 0;
  if (std::fscanf(f, "%ld", &v) != 1) fail("cannot parse /proc/sys/vm/max_map_count");
  std::fclose(f);
  return v;
}

long countMaps() {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot read /proc/self/maps");
  static char buf[1 << 16];
  long lines = 0;
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
    for (ssize_t i = 0; i < n; i++) lines += buf[i] == '\n';
  close(fd);
  return lines;
}

// fill leaves only remain map entries free: one entry per page of a
// region whose pages alternate PROT_NONE and PROT_READ.
void fill(long remain) {
  long ps = sysconf(_SC_PAGESIZE);
  long want = readLong("/proc/sys/vm/max_map_count") - countMaps() - remain;
  if (want < 3) return;
  auto* p = static_cast<char*>(mmap(nullptr, size_t(want) * ps, PROT_NONE,
                                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
  if (p == MAP_FAILED) fail("mmap of the filler region");
  for (long i = 1; i < want; i += 2)
    if (mprotect(p + i * ps, size_t(ps), PROT_READ) != 0) fail("mprotect of the filler region");
}

// blockTasks starts n tasks blocked on gate, with stack size stack (0:
// the default), and returns once they all run.
void blockTasks(long n, size_t stack, cbridge::Chan<int> gate, cbridge::WaitGroup& ended) {
  cbridge::WaitGroup started;
  started.add(n);
  ended.add(n);
  cbridge::TaskOptions opts;
  opts.stack_size = stack;
  for (long i = 0; i < n; i++)
    if (!cbridge::go(opts, [gate, &started, &ended]() mutable {
          started.done();
          gate.recv();
          ended.done();
        }))
      fail("go() refused a task");
  started.wait();
}

// stillRoom checks that the process can make a thread and kOwnMappings
// mappings of its own (alternating protections, so none merge).
void stillRoom() {
  pthread_t t;
  if (pthread_create(&t, nullptr, [](void*) -> void* { return nullptr; }, nullptr) != 0)
    fail("pthread_create with the tasks alive: the runtime took the map entries");
  pthread_join(t, nullptr);
  long ps = sysconf(_SC_PAGESIZE);
  std::vector<void*> maps;
  for (int i = 0; i < kOwnMappings; i++) {
    void* m = mmap(nullptr, size_t(ps), i % 2 ? PROT_READ : PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
      fail("the program's own mmap with the tasks alive: the runtime took the map entries");
    maps.push_back(m);
  }
  for (void* m : maps) munmap(m, size_t(ps));
}

}  // namespace

int main(int argc, char** argv) {
  long tasks = argc >= 2 ? std::atol(argv[1]) : 0;
  const char* mode = argc >= 3 ? argv[2] : "plain";
  bool overflow = std::strcmp(mode, "overflow") == 0, resume = std::strcmp(mode, "resume") == 0;
  if (tasks <= 0 || !(overflow || resume || std::strcmp(mode, "plain") == 0)) {
    std::fprintf(stderr, "usage: stack_map_limit TASKS [plain|overflow|resume]\n");
    return 64;
  }
  long limit = readLong("/proc/sys/vm/max_map_count");
  long reserve = limit / 16 < 1024 ? 1024 : limit / 16;
  fill(reserve + (resume ? tasks : kSpare));
  cbridge::run([&] {
    cbridge::Chan<int> poke;
    cbridge::WaitGroup firstDone;
    firstDone.add(1);
    cbridge::go([poke, &firstDone]() mutable {
      if (*poke.recv() == 1) deep40(0);
      firstDone.done();
    });
    if (cbridge::stats().stacks_unguarded != 0) fail("an unguarded stack before the limit");

    size_t stack = resume ? 64 * 1024 : 0;
    cbridge::Chan<int> gate;
    cbridge::WaitGroup ended;
    blockTasks(tasks, stack, gate, ended);
    uint64_t unguarded = cbridge::stats().stacks_unguarded;
    if (unguarded == 0) fail("no unguarded stack near the limit");
    if (resume && unguarded >= uint64_t(tasks)) fail("no guarded stack below the budget");
    stillRoom();
    gate.close();
    ended.wait();

    if (resume) {
      cbridge::Chan<int> gate2;
      cbridge::WaitGroup ended2;
      blockTasks(tasks / 4, stack, gate2, ended2);
      if (cbridge::stats().stacks_unguarded != unguarded)
        fail("unguarded stacks after the count fell: guarded stacks did not come back");
      gate2.close();
      ended2.wait();
    }

    poke.send(overflow ? 1 : 0);
    firstDone.wait();
    if (overflow) fail("the overflow of a guarded stack was not caught");
  });
  std::printf("PASS\n");
  return 0;
}
