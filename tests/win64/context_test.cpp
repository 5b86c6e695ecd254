// SPDX-License-Identifier: MIT
// The context switch the scheduler runs on, checked the same way on Linux
// against Boost.Context's own fcontext and on Win64 (under Wine) against
// runtime/fcontext_amd64_win64.S: the program prints one line per fact,
// and scripts/run-tests diffs the two outputs, so the Win64 switch is held
// to what Boost does. What the Microsoft ABI adds over SysV is exercised
// where it shows: preserved xmm6-xmm15, rsi and rdi (values kept in
// registers across a switch while the other side clobbers them), the
// floating-point control words, stack probes through a task's pages, and
// exceptions, which Windows unwinds only within the stack the TEB
// describes. The program also exits 1 on a wrong value, so a run on its
// own says something too.
#include <cfenv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <xmmintrin.h>

#ifdef _WIN32
#include "runtime/fcontext_win64.hpp"
#else
#include <boost/context/detail/fcontext.hpp>
#endif

using boost::context::detail::fcontext_t;
using boost::context::detail::jump_fcontext;
using boost::context::detail::make_fcontext;
using boost::context::detail::ontop_fcontext;
using boost::context::detail::transfer_t;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  std::printf("%s: %s\n", what, ok ? "ok" : "WRONG");
  if (!ok) failures++;
}

constexpr std::size_t kStack = 1 << 20;

struct Stack {
  char* lo = static_cast<char*>(std::malloc(kStack));
  ~Stack() { std::free(lo); }
  void* top() const { return lo + kStack; }
};

fcontext_t mainCtx;  // where the tasks jump back to

// --- ping-pong between main and two tasks, each on its own stack

void pingpong(transfer_t t) {
  const char* name = static_cast<const char*>(t.data);
  mainCtx = t.fctx;
  intptr_t n = 0;
  for (;;) {
    t = jump_fcontext(mainCtx, reinterpret_cast<void*>(n));
    mainCtx = t.fctx;
    n = reinterpret_cast<intptr_t>(t.data);
    std::printf("%s got %lld\n", name, static_cast<long long>(n));
    n = n * 10 + (name[0] == 'A' ? 1 : 2);
  }
}

void testPingPong() {
  Stack sa, sb;
  fcontext_t a = make_fcontext(sa.top(), kStack, pingpong);
  fcontext_t b = make_fcontext(sb.top(), kStack, pingpong);
  a = jump_fcontext(a, const_cast<char*>("A")).fctx;
  b = jump_fcontext(b, const_cast<char*>("B")).fctx;
  intptr_t n = 1;
  for (int i = 0; i < 6; i++) {
    transfer_t t = jump_fcontext(i % 2 ? b : a, reinterpret_cast<void*>(n));
    (i % 2 ? b : a) = t.fctx;
    n = reinterpret_cast<intptr_t>(t.data);
  }
  std::printf("pingpong ends with %lld\n", static_cast<long long>(n));
  check(n == 1121212, "pingpong value");
}

// --- values in preserved registers across a switch

// clobber puts -1 in every register either ABI asks a callee to preserve
// (but rbp, the frame pointer), as code on the other side of a switch may.
void clobber() {
  asm volatile(
      "movq $-1, %%rbx\n\tmovq $-1, %%rsi\n\tmovq $-1, %%rdi\n\t"
      "movq $-1, %%r12\n\tmovq $-1, %%r13\n\tmovq $-1, %%r14\n\tmovq $-1, %%r15\n\t"
      "pcmpeqd %%xmm6, %%xmm6\n\tpcmpeqd %%xmm7, %%xmm7\n\tpcmpeqd %%xmm8, %%xmm8\n\t"
      "pcmpeqd %%xmm9, %%xmm9\n\tpcmpeqd %%xmm10, %%xmm10\n\tpcmpeqd %%xmm11, %%xmm11\n\t"
      "pcmpeqd %%xmm12, %%xmm12\n\tpcmpeqd %%xmm13, %%xmm13\n\tpcmpeqd %%xmm14, %%xmm14\n\t"
      "pcmpeqd %%xmm15, %%xmm15" ::
          : "rbx", "rsi", "rdi", "r12", "r13", "r14", "r15", "xmm6", "xmm7", "xmm8", "xmm9",
            "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

void clobberer(transfer_t t) {
  for (;;) {
    clobber();
    t = jump_fcontext(t.fctx, nullptr);
  }
}

volatile double dIn[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
volatile int64_t iIn[7] = {11, 12, 13, 14, 15, 16, 17};

void testRegisters() {
  Stack s;
  fcontext_t c = make_fcontext(s.top(), kStack, clobberer);
  // Ten doubles and seven integers live across the switch: on Win64 the
  // compiler keeps them in xmm6-xmm15 and rbx, rsi, rdi, r12-r15.
  double d0 = dIn[0] * 1.5, d1 = dIn[1] * 1.5, d2 = dIn[2] * 1.5, d3 = dIn[3] * 1.5,
         d4 = dIn[4] * 1.5, d5 = dIn[5] * 1.5, d6 = dIn[6] * 1.5, d7 = dIn[7] * 1.5,
         d8 = dIn[8] * 1.5, d9 = dIn[9] * 1.5;
  int64_t i0 = iIn[0] * 3, i1 = iIn[1] * 3, i2 = iIn[2] * 3, i3 = iIn[3] * 3, i4 = iIn[4] * 3,
          i5 = iIn[5] * 3, i6 = iIn[6] * 3;
  for (int round = 0; round < 3; round++) {
    c = jump_fcontext(c, nullptr).fctx;
    d0 += 1, d1 += 2, d2 += 3, d3 += 4, d4 += 5, d5 += 6, d6 += 7, d7 += 8, d8 += 9, d9 += 10;
    i0 += 1, i1 += 2, i2 += 3, i3 += 4, i4 += 5, i5 += 6, i6 += 7;
  }
  double dsum = d0 + 2 * d1 + 3 * d2 + 4 * d3 + 5 * d4 + 6 * d5 + 7 * d6 + 8 * d7 + 9 * d8 +
                10 * d9;
  int64_t isum = i0 + 2 * i1 + 3 * i2 + 4 * i3 + 5 * i4 + 6 * i5 + 7 * i6;
  std::printf("registers across switches: %.1f %lld\n", dsum, static_cast<long long>(isum));
  check(dsum == 1732.5 && isum == 1680, "preserved registers");
}

// --- floating-point control words are per context

int sseRounding() { return (_mm_getcsr() >> 13) & 3; }

void roundingTask(transfer_t t) {
  std::fesetround(FE_UPWARD);
  t = jump_fcontext(t.fctx, nullptr);
  std::printf("task after switches: x87 upward %d, sse upward %d\n", std::fegetround() == FE_UPWARD,
              sseRounding() == 2);
  jump_fcontext(t.fctx, nullptr);
}

void testRounding() {
  Stack s;
  fcontext_t c = make_fcontext(s.top(), kStack, roundingTask);
  c = jump_fcontext(c, nullptr).fctx;
  bool nearest = std::fegetround() == FE_TONEAREST && sseRounding() == 0;
  std::printf("main after the task set upward: nearest %d\n", nearest);
  jump_fcontext(c, nullptr);
  check(nearest && std::fegetround() == FE_TONEAREST, "rounding modes per context");
}

// --- the TEB describes the running stack

// describes says whether the thread's stack, as Windows reads it from the
// TEB, is [lo, hi). Linux keeps no such description (the kernel needs
// none), so there it says yes: the Linux line is what Windows must print.
#ifdef _WIN32
// The TEB's StackBase (gs:0x08) and StackLimit (gs:0x10).
void tebStack(char** base, char** limit) {
  asm volatile("movq %%gs:0x08, %0\n\tmovq %%gs:0x10, %1" : "=r"(*base), "=r"(*limit));
}
#endif

bool describes(const void* lo, const void* hi) {
#ifdef _WIN32
  char *base, *limit;
  tebStack(&base, &limit);
  return limit == lo && base == hi;
#else
  (void)lo, (void)hi;
  return true;
#endif
}

bool describesHere() {
#ifdef _WIN32
  char *base, *limit, here;
  tebStack(&base, &limit);
  return limit <= &here && &here < base;
#else
  return true;
#endif
}

// --- deep frames on a task stack, probed page by page

// Each frame is bigger than a page, so the compiler probes it (Windows'
// __chkstk; on Linux a plain subtraction): 24 frames touch 400 KiB.
__attribute__((noinline)) uint64_t deep(int n) {
  volatile unsigned char buf[16 * 1024];
  for (std::size_t i = 0; i < sizeof buf; i += 512) buf[i] = static_cast<unsigned char>(n + i);
  uint64_t sum = 0;
  for (std::size_t i = 0; i < sizeof buf; i += 512) sum += buf[i];
  return n == 0 ? sum : sum + deep(n - 1);
}

struct DeepResult {
  const Stack* stack;
  uint64_t sum;
  bool described;
};

void deepTask(transfer_t t) {
  auto* r = static_cast<DeepResult*>(t.data);
  r->described = describes(r->stack->lo, r->stack->top());
  r->sum = deep(24);
  jump_fcontext(t.fctx, nullptr);
}

void testDeep() {
  Stack s;
  DeepResult r{&s, 0, false};
  fcontext_t c = make_fcontext(s.top(), kStack, deepTask);
  jump_fcontext(c, &r);
  std::printf("deep recursion on a task stack: %llu\n", static_cast<unsigned long long>(r.sum));
  check(r.sum == 9600, "deep recursion");
  check(r.described, "the task's stack described while it runs");
  check(describesHere(), "main's stack described again");
}

// --- exceptions inside a task, and in main after it

__attribute__((noinline)) void thrower(int n) {
  if (n == 0) throw std::runtime_error("thrown 3 frames down");
  thrower(n - 1);
  asm volatile("");  // not a tail call: keep the frames
}

void exceptionTask(transfer_t t) {
  std::string got;
  for (;;) {
    try {
      thrower(3);
    } catch (const std::exception& e) {
      got = e.what();
    }
    std::printf("task caught: %s\n", got.c_str());
    t = jump_fcontext(t.fctx, nullptr);  // the next round follows main's throw
  }
}

void testExceptions() {
  Stack s;
  fcontext_t c = make_fcontext(s.top(), kStack, exceptionTask);
  c = jump_fcontext(c, nullptr).fctx;
  std::string got;
  try {
    thrower(2);
  } catch (const std::exception& e) {
    got = e.what();
  }
  std::printf("main caught: %s\n", got.c_str());
  jump_fcontext(c, nullptr);
  check(got == "thrown 3 frames down", "exceptions");
}

// --- a task resumed on another thread, as the scheduler moves them

struct Migrant {
  const Stack* stack;
  bool described[2];
  int caught;
};

void migrantTask(transfer_t t) {
  auto* m = static_cast<Migrant*>(t.data);
  for (int i = 0;; i++) {
    m->described[i % 2] = describes(m->stack->lo, m->stack->top());
    try {
      thrower(1);  // unwound within this thread's TEB, which describes the task
    } catch (const std::exception&) {
      m->caught++;
    }
    t = jump_fcontext(t.fctx, nullptr);
  }
}

void testMigration() {
  Stack s;
  Migrant m{&s, {false, false}, 0};
  fcontext_t c = make_fcontext(s.top(), kStack, migrantTask);
  c = jump_fcontext(c, &m).fctx;  // on the main thread
  bool threadDescribed = false;
  std::thread([&] {
    c = jump_fcontext(c, nullptr).fctx;  // the same task, on this thread
    threadDescribed = describesHere();
  }).join();
  std::printf(
      "a task on two threads: described on each %d %d, the thread's own after %d, caught %d\n",
      m.described[0], m.described[1], threadDescribed, m.caught);
  check(m.described[0] && m.described[1] && threadDescribed && describesHere() && m.caught == 2,
        "migration");
}

// --- ontop_fcontext

// addOne runs on top of the resumed context: what it returns is what that
// context's pending jump_fcontext returns.
transfer_t addOne(transfer_t t) {
  return {t.fctx, reinterpret_cast<void*>(reinterpret_cast<intptr_t>(t.data) + 1)};
}

void ontopTask(transfer_t t) {
  for (;;) {
    t = jump_fcontext(t.fctx, reinterpret_cast<void*>(reinterpret_cast<intptr_t>(t.data) * 2));
  }
}

// Only onto a parked context: onto a fresh one, what the context-function
// gets is Boost's accident (on SysV, fn's argument, not its result).
void testOntop() {
  Stack s;
  fcontext_t c = make_fcontext(s.top(), kStack, ontopTask);
  transfer_t t = jump_fcontext(c, reinterpret_cast<void*>(5));
  intptr_t started = reinterpret_cast<intptr_t>(t.data);
  t = ontop_fcontext(t.fctx, reinterpret_cast<void*>(20), addOne);
  intptr_t first = reinterpret_cast<intptr_t>(t.data);
  t = ontop_fcontext(t.fctx, reinterpret_cast<void*>(first), addOne);
  intptr_t second = reinterpret_cast<intptr_t>(t.data);
  std::printf("ontop: %lld %lld %lld\n", static_cast<long long>(started),
              static_cast<long long>(first), static_cast<long long>(second));
  check(started == 10 && first == 42 && second == 86, "ontop_fcontext");
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  testPingPong();
  testRegisters();
  testRounding();
  testDeep();
  testExceptions();
  testMigration();
  testOntop();
  return failures ? 1 : 0;
}
