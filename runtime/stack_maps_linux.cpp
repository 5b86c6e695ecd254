// SPDX-License-Identifier: MIT
// How the runtime knows how many memory-map entries the process uses.
//
// The exact count is the number of lines of /proc/self/maps. Reading it
// costs time in proportion to the count (126 ms for 240,000 entries on the
// 2-core machine here): far too much per stack allocation (~1 µs from the
// cache, ~10 µs fresh). So the runtime keeps an estimate, the count at the
// last read plus what it added or removed itself since (two entries per
// guarded stack mapped, one per chunk, minus what it unmapped), and reads
// the real count only at check points, which get closer together as the
// estimate nears the budget (limit - reserve): at the first stack, then
// each time the estimate has covered half the distance left while that is
// over 16,384 entries, then at the budget itself. That is about five reads
// from an empty process to the budget; the costly ones happen only when
// the process has very many mappings anyway. What the host program maps
// in between (threads, malloc, its own mmaps) the estimate misses; the
// next read sees it, and the halving keeps that read before the runtime
// alone could cover the distance; and sysmon reads it every scavenge
// period (2 s) while the process has under 16,384 entries (a read then
// costs under 10 ms), every 16th (32 s) otherwise. Should the host take
// entries faster than that, mmap or mprotect of a guarded stack fails
// with ENOMEM and the caller asks mapsExhausted, which recounts: a
// fallback to an unguarded stack, never a fatal error while entries are
// the cause (but then the reserve is gone until guarded stacks are
// unmapped: a host that maps most of its entries itself should do so
// before its tasks start, as it would then be counted).
//
// Past the budget ("tight") new stacks are unguarded. The count is read
// again when the runtime's own estimate has fallen by kHysteresis entries
// (it unmapped guarded stacks: the real count fell as much unless the host
// mapped more) and, for entries the host unmapped, which the estimate
// cannot see, by sysmon as above. Leaving tight
// needs the count kHysteresis below the budget, so that tasks starting and
// ending at the edge do not flip the mode (and pay a read) each time: at
// most one read per 512 guarded stacks unmapped.
#include "runtime/stack_maps.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace cbridge::rt {

namespace {

// Linux's default, if /proc/sys/vm/max_map_count cannot be read.
constexpr int64_t kDefaultMaxMapCount = 65530;
// While the distance to the budget exceeds this, the next check point is
// halfway there; closer, it is the budget itself.
constexpr int64_t kHalvingFloor = 16384;
// sysmon reads the count every scavenge period (2 s) while the last count
// was below kCheapCount, else every kRecountPeriods-th.
constexpr int64_t kCheapCount = 16384;
constexpr int kRecountPeriods = 16;
// How far below the budget a tight process must get to leave tight (a
// quarter of the reserve if that is less).
constexpr int64_t kHysteresis = 1024;

// Set by init, before any other use (a function-local static's guard
// orders it), and never again.
int64_t gLimit = 0;
int64_t gReserve = 0;

// The estimate: the last count plus the runtime's own changes since.
// Relaxed everywhere: it is a number compared against thresholds and
// publishes no other memory; a stale read costs at most one stack guarded
// or unguarded otherwise, which the reserve absorbs.
std::atomic<int64_t> gEst{0};
// The plan, written only by the thread that holds gCounting (after a
// read), read by every allocation. Relaxed for the same reason as gEst.
// tight: new stacks go unguarded. checkAt (not tight): recount when the
// estimate reaches it. resumeAt (tight): recount when it falls to it.
std::atomic<bool> gTight{false};
std::atomic<int64_t> gCheckAt{0};
std::atomic<int64_t> gResumeAt{0};
// One reader of /proc/self/maps at a time; the others go by the current
// plan instead of waiting (readers at the threshold would otherwise queue
// up behind a read of 100+ ms). Acquire on taking it, release on giving it
// back: the holder sees its predecessor's gBuf use finished.
std::atomic<bool> gCounting{false};
char gBuf[64 * 1024];  // the reader's buffer, gCounting's holder only
std::atomic<uint64_t> gRecounts{0};  // a statistic; relaxed
std::atomic<int64_t> gLastCount{0};  // the last read's result; relaxed, a hint
int gScavenges = 0;                  // sysmon's own

int64_t readLimit() {
  int fd = open("/proc/sys/vm/max_map_count", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return kDefaultMaxMapCount;
  char b[32];
  ssize_t n = read(fd, b, sizeof b - 1);
  close(fd);
  if (n <= 0) return kDefaultMaxMapCount;
  b[n] = 0;
  long long v = strtoll(b, nullptr, 10);
  return v > 0 ? v : kDefaultMaxMapCount;
}

// countMaps is the number of lines of /proc/self/maps, or -1 if it cannot
// be read. The caller holds gCounting.
int64_t countMaps() {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int64_t lines = 0;
  for (;;) {
    ssize_t n = read(fd, gBuf, sizeof gBuf);
    if (n < 0) {
      close(fd);
      return -1;
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; i++) lines += gBuf[i] == '\n';
  }
  close(fd);
  gRecounts.fetch_add(1, std::memory_order_relaxed);
  gLastCount.store(lines, std::memory_order_relaxed);
  return lines;
}

// plan sets the mode and the next check point for estimate est. The
// caller holds gCounting.
void plan(int64_t est) {
  int64_t budget = gLimit - gReserve;
  bool wasTight = gTight.load(std::memory_order_relaxed);
  int64_t hyst = gReserve / 4 < kHysteresis ? gReserve / 4 : kHysteresis;
  bool tight = wasTight ? est > budget - hyst : est + 2 > budget;
  if (tight) {
    int64_t from = est < budget ? est : budget;
    gResumeAt.store(from - hyst, std::memory_order_relaxed);
  } else {
    int64_t gap = budget - est;
    gCheckAt.store(gap > kHalvingFloor ? est + gap / 2 : budget, std::memory_order_relaxed);
  }
  gTight.store(tight, std::memory_order_relaxed);
}

// recount reads the real count and plans by it; false if another thread
// is reading (the caller goes by the current plan).
bool recount() {
  if (gCounting.exchange(true, std::memory_order_acquire)) return false;
  int64_t before = gEst.load(std::memory_order_relaxed);
  int64_t c = countMaps();
  // Entries the runtime added or removed during the read may or may not
  // be in c; keeping its own changes since `before` errs high for adds.
  if (c >= 0) gEst.fetch_add(c - before, std::memory_order_relaxed);
  plan(gEst.load(std::memory_order_relaxed));
  gCounting.store(false, std::memory_order_release);
  return true;
}

bool init() {
  gLimit = readLimit();
  // For the rest of the process: each thread takes two entries (stack
  // and guard), each malloc arena a few, each shared library about five,
  // plus the host's own mmaps. A sixteenth of the limit (4,095 of Linux's
  // default 65,530; 16,384 of 262,144), at least 1,024, at most half.
  int64_t r = gLimit / 16;
  if (r < 1024) r = 1024;
  if (r > gLimit / 2) r = gLimit / 2;
  gReserve = r;
  recount();  // nobody else can hold gCounting before init returns
  return true;
}

void ensureInit() {
  static const bool ready = init();
  (void)ready;
}

}  // namespace

bool mapsRoomForGuard() {
  ensureInit();
  if (gTight.load(std::memory_order_relaxed)) {
    if (gEst.load(std::memory_order_relaxed) > gResumeAt.load(std::memory_order_relaxed))
      return false;
    recount();
  } else if (gEst.load(std::memory_order_relaxed) + 2 > gCheckAt.load(std::memory_order_relaxed)) {
    recount();
  }
  return !gTight.load(std::memory_order_relaxed);
}

void mapsAdded(int64_t n) { gEst.fetch_add(n, std::memory_order_relaxed); }

bool mapsExhausted() {
  ensureInit();
  // The answer decides between a fallback and a fatal error: wait for a
  // read of our own (another thread's read may predate the failure).
  while (!recount()) sched_yield();
  // A process without /proc cannot tell: try unguarded; if the chunk's
  // mmap fails too, that is out of memory.
  return gTight.load(std::memory_order_relaxed) ||
         gRecounts.load(std::memory_order_relaxed) == 0;
}

void mapsScavenge() {
  ensureInit();
  bool due = ++gScavenges % kRecountPeriods == 0 ||
             gLastCount.load(std::memory_order_relaxed) < kCheapCount;
  if (due || (gTight.load(std::memory_order_relaxed) &&
              gEst.load(std::memory_order_relaxed) <= gResumeAt.load(std::memory_order_relaxed)))
    recount();
}

MapsState mapsState() {
  ensureInit();
  return MapsState{gLimit, gReserve, gEst.load(std::memory_order_relaxed),
                   gRecounts.load(std::memory_order_relaxed)};
}

}  // namespace cbridge::rt
