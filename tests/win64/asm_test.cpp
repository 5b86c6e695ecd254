// SPDX-License-Identifier: MIT
// The runtime's CPU-specific assembly, checked the same way on Linux
// against the _amd64_sysv.S files and on Win64 (under Wine) against their
// _amd64_win64.S siblings: cbridge_asmcgocall (bridge/stack_switch), the
// prepared call's cbridge_regcall and the preemption's cbridge_asyncPreempt.
// The program prints one line per fact and scripts/test-windows diffs the
// two outputs; it also exits 1 on a wrong value. C++ cannot place values
// in chosen registers, so the register checks go through a small harness
// per ABI (asm_harness_amd64_*.S), which loads known values, makes the
// call and stores what the registers hold after it. The runtime is
// not linked: the symbols the assembly reaches into (cbridge_asyncPreempt2
// and the xsave parameters) are defined here.
#include <cpuid.h>

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#ifdef _WIN32
#include <windows.h>
#else
#include <execinfo.h>
#endif

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  std::printf("%s: %s\n", what, ok ? "ok" : "WRONG");
  if (!ok) failures++;
}

using OnStackFn = void (*)(void* arg, uintptr_t inuse);

}  // namespace

extern "C" {
#ifdef _WIN32
// {DeallocationStack, StackLimit, StackBase}: the TEB description Win64's
// asmcgocall installs while fn runs and writes back after.
struct TebStack {
  uintptr_t dealloc, limit, base;
};
void cbridge_asmcgocall(OnStackFn fn, void* arg, void* sp, TebStack* stack);
#else
void cbridge_asmcgocall(OnStackFn fn, void* arg, void* sp);
#endif

// asm_harness_amd64_*.S
extern uint64_t harness_in[50], harness_out[50];
void harness_callsaved(void* target, void* fn, void* arg, void* sp, void* stack);
}

namespace {

// --- a stack walk, as a debugger makes it: the return addresses from
// here up. On Windows through the unwind tables alone (RtlVirtualUnwind),
// not RtlCaptureStackBackTrace, which stops at the first frame outside
// the TEB's bounds, as the exception dispatcher does; on Linux through
// the CFI (glibc's backtrace).

std::vector<uintptr_t> walk() {
  std::vector<uintptr_t> pcs;
#ifdef _WIN32
  CONTEXT c;
  RtlCaptureContext(&c);
  for (int i = 0; i < 32 && c.Rip != 0; i++) {
    DWORD64 base = 0;
    PRUNTIME_FUNCTION fe = RtlLookupFunctionEntry(c.Rip, &base, nullptr);
    if (fe == nullptr) break;  // only our own frames matter
    void* data = nullptr;
    DWORD64 frame = 0;
    RtlVirtualUnwind(UNW_FLAG_NHANDLER, base, c.Rip, fe, &c, &data, &frame, nullptr);
    pcs.push_back(c.Rip);
  }
#else
  void* b[32];
  int n = backtrace(b, 32);
  for (int i = 0; i < n; i++) pcs.push_back(reinterpret_cast<uintptr_t>(b[i]));
#endif
  return pcs;
}

bool walked(const std::vector<uintptr_t>& pcs, uintptr_t pc) {
  for (uintptr_t p : pcs)
    if (p == pc) return true;
  return false;
}

// --- asmcgocall: fn on a buffer of our own, as g0's stack or a task's.

constexpr size_t kAltStack = 256 * 1024;
alignas(64) unsigned char altStack[kAltStack];
const uintptr_t altLo = reinterpret_cast<uintptr_t>(altStack);
const uintptr_t altHi = altLo + kAltStack;

#ifdef _WIN32
TebStack altTeb() { return {altLo, altLo, altHi}; }
#endif

uintptr_t callerSP;  // onAlt's stack pointer at its call

inline uintptr_t currentSP() {
  uintptr_t sp;
  asm volatile("mov %%rsp, %0" : "=r"(sp));
  return sp;
}

void onAlt(OnStackFn fn, void* arg) {
  callerSP = currentSP();
#ifdef _WIN32
  TebStack t = altTeb();
  cbridge_asmcgocall(fn, arg, reinterpret_cast<void*>(altHi), &t);
#else
  cbridge_asmcgocall(fn, arg, reinterpret_cast<void*>(altHi));
#endif
}

struct Where {
  uintptr_t local, sp, inuse;
  bool tebOk;
};

#ifdef _WIN32
// The TEB's words asmcgocall swaps: ExceptionList, StackBase, StackLimit
// and DeallocationStack.
struct Teb {
  uintptr_t list, base, limit, dealloc;
  bool operator==(const Teb&) const = default;
};

uintptr_t tebWord(uintptr_t off) {
  uintptr_t v;
  asm volatile("mov %%gs:(%1), %0" : "=r"(v) : "r"(off));
  return v;
}

Teb teb() { return {tebWord(0x00), tebWord(0x08), tebWord(0x10), tebWord(0x1478)}; }

// What Windows sees of the stack fn runs on: the description asmcgocall
// installed, and no handler of Wine's.
bool tebDescribesAlt() { return teb() == Teb{uintptr_t(-1), altHi, altLo, altLo}; }
#endif

__attribute__((noinline)) void whereFn(void* p, uintptr_t inuse) {
  auto* w = static_cast<Where*>(p);
  volatile int local = 0;
  w->local = reinterpret_cast<uintptr_t>(&local);
  w->sp = currentSP();
  w->inuse = inuse;
#ifdef _WIN32
  w->tebOk = tebDescribesAlt();
#else
  w->tebOk = true;
#endif
}

__attribute__((noinline)) void testWhere() {
#ifdef _WIN32
  Teb before = teb();
#endif
  Where w{};
  onAlt(whereFn, &w);
  check(w.local >= altLo && w.local < altHi && w.sp >= altLo && w.sp < altHi,
        "asmcgocall: fn runs on the other stack");
  check(w.inuse < callerSP && callerSP - w.inuse <= 64, "asmcgocall: inuse is just below the caller's stack pointer");
  check(w.tebOk, "asmcgocall: the thread's stack description is fn's while it runs");
#ifdef _WIN32
  bool back = teb() == before;
#else
  bool back = true;
#endif
  check(back, "asmcgocall: and the caller's again after");
}

__attribute__((noinline)) void bigFrameFn(void* p, uintptr_t) {
  volatile unsigned char big[16 * 1024];
  for (size_t i = 0; i < sizeof big; i += 512) big[i] = static_cast<unsigned char>(i >> 9);
  unsigned sum = 0;
  for (size_t i = 0; i < sizeof big; i += 512) sum += big[i];
  *static_cast<unsigned*>(p) = sum;
}

__attribute__((noinline)) void thrower(int n) {
  if (n > 0) throw std::runtime_error("thrown on the other stack " + std::to_string(n));
}

__attribute__((noinline)) void catchFn(void* p, uintptr_t) {
  auto* s = static_cast<std::string*>(p);
  try {
    thrower(7);
  } catch (const std::exception& e) {
    *s = e.what();
  }
}

void testFrames() {
  unsigned sum = 0;
  onAlt(bigFrameFn, &sum);
  check(sum == 496, "asmcgocall: fn with a 16 KiB frame");
  std::string caught;
  onAlt(catchFn, &caught);
  std::printf("asmcgocall: fn caught \"%s\"\n", caught.c_str());
}

uintptr_t walkCallerRet;

__attribute__((noinline)) void walkFn(void* p, uintptr_t) {
  *static_cast<bool*>(p) = walked(walk(), walkCallerRet);
}

__attribute__((noinline)) void walkCaller(bool* found) {
  walkCallerRet = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  onAlt(walkFn, found);
  asm volatile("");  // keep the call above a call, not a tail jump
}

void testWalk() {
  bool found = false;
  walkCaller(&found);
  check(found, "asmcgocall: a stack walk from fn reaches the caller's caller");
}

// The callee-saved registers, the ABI's: what the harness loads and checks.
#ifdef _WIN32
const int kSavedGpr[] = {1, 4, 5, 6, 11, 12, 13, 14};  // rbx rsi rdi rbp r12-r15
constexpr int kSavedXmmFrom = 6;                       // xmm6-15
#else
const int kSavedGpr[] = {1, 6, 11, 12, 13, 14};  // rbx rbp r12-r15
constexpr int kSavedXmmFrom = 16;                // none
#endif

// Slots (asm_harness_amd64_sysv.S): 0-14 rax rbx rcx rdx rsi rdi rbp
// r8-r15, 16-47 xmm0-15, 48 the flags, 49 rsp.
// gpr slot i holds a value no register has by chance; xmm i's 16 bytes too.
void fillPatterns() {
  for (int i = 0; i < 16; i++) harness_in[i] = 0x0101010101010101ull * uint64_t(i + 1) ^ 0xa5000000000000a5ull;
  for (int i = 0; i < 16; i++) {
    harness_in[16 + 2 * i] = 0x1122334455667700ull + uint64_t(i);
    harness_in[17 + 2 * i] = 0x8877665544332200ull + uint64_t(i);
  }
}

// clobberFn really changes every callee-saved register (the compiler
// saves and restores them around the asm): asmcgocall must keep its
// caller's, which it holds across the call itself.
void clobberFn(void*, uintptr_t) {
  asm volatile(
      "xor %%ebx, %%ebx\n\txor %%r12d, %%r12d\n\txor %%r13d, %%r13d\n\t"
      "xor %%r14d, %%r14d\n\txor %%r15d, %%r15d\n\txor %%esi, %%esi\n\txor %%edi, %%edi\n\t"
      "pcmpeqd %%xmm6, %%xmm6\n\tpcmpeqd %%xmm7, %%xmm7\n\tpcmpeqd %%xmm8, %%xmm8\n\t"
      "pcmpeqd %%xmm9, %%xmm9\n\tpcmpeqd %%xmm10, %%xmm10\n\tpcmpeqd %%xmm11, %%xmm11\n\t"
      "pcmpeqd %%xmm12, %%xmm12\n\tpcmpeqd %%xmm13, %%xmm13\n\tpcmpeqd %%xmm14, %%xmm14\n\t"
      "pcmpeqd %%xmm15, %%xmm15" ::
          : "rbx", "r12", "r13", "r14", "r15", "rsi", "rdi", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
            "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

void testCalleeSaved() {
  fillPatterns();
#ifdef _WIN32
  TebStack t = altTeb();
  void* stack = &t;
#else
  void* stack = nullptr;
#endif
  harness_callsaved(reinterpret_cast<void*>(&cbridge_asmcgocall), reinterpret_cast<void*>(&clobberFn),
                    nullptr, reinterpret_cast<void*>(altHi), stack);
  bool ok = true;
  for (int r : kSavedGpr) ok &= harness_out[r] == harness_in[r];
  for (int x = kSavedXmmFrom; x < 16; x++)
    ok &= std::memcmp(&harness_out[16 + 2 * x], &harness_in[16 + 2 * x], 16) == 0;
  check(ok, "asmcgocall: the callee-saved registers are kept");
}

}  // namespace

// --- asyncPreempt

extern "C" {
// asm_harness_amd64_*.S
extern uintptr_t harness_isp;
extern char harness_preempt_pc[];
void harness_preempt(int misalign);
// What runtime/asyncpreempt_amd64_*.S reads and calls.
uint32_t cbridge_asyncPreemptXsaveSize, cbridge_asyncPreemptMaskLo, cbridge_asyncPreemptMaskHi;
void cbridge_asyncPreempt2();
}

namespace {

int hookCalls = 0;
bool hookAligned = true, hookDirectionClear = true, hookWalkOk = true;

// initXsave, as the runtime does it (sigpreempt_linux.cpp): every
// component XCR0 enables but AMX's tiles.
bool initXsave() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) return false;
  uint32_t lo = 0, hi = 0;
  asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  lo &= ~((1u << 17) | (1u << 18));
  __cpuid_count(0xd, 0, a, b, c, d);
  if (b < 576) return false;
  cbridge_asyncPreemptMaskLo = lo;
  cbridge_asyncPreemptMaskHi = hi;
  cbridge_asyncPreemptXsaveSize = b;
  return true;
}

void testPreempt() {
  if (!initXsave()) {
    std::printf("asyncPreempt: no XSAVE on this machine\n");
    failures++;
    return;
  }
  const char* how[] = {"an aligned", "a misaligned"};
  for (int misalign = 0; misalign < 2; misalign++) {
    fillPatterns();
    harness_preempt(misalign);
    std::printf("asyncPreempt from %s stack pointer:\n", how[misalign]);
    bool gpr = true;
    for (int i = 0; i < 15; i++) gpr &= harness_out[i] == harness_in[i];
    check(gpr, "  every general register restored");
    check(std::memcmp(&harness_out[16], &harness_in[16], 256) == 0, "  xmm0-15 restored");
    check((harness_out[48] & 0x401) == 0x401, "  carry and direction flags restored");
    check(harness_out[49] == harness_isp, "  stack pointer restored");
  }
  check(hookCalls == 2, "asyncPreempt: the runtime's hook ran once each");
  check(hookAligned, "asyncPreempt: the hook runs on a 16-byte aligned stack");
  check(hookDirectionClear, "asyncPreempt: the hook runs with the direction flag clear");
  check(hookWalkOk, "asyncPreempt: a stack walk from the hook reaches the interrupted PC");
}

}  // namespace

// The runtime's hook, here a stand-in that checks how it is called and
// clobbers every register a function may.
extern "C" __attribute__((noinline)) void cbridge_asyncPreempt2() {
  hookCalls++;
  hookAligned &= (reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) & 15) == 0;
  uint64_t flags;
  asm volatile("pushf\n\tpop %0" : "=r"(flags));
  hookDirectionClear &= (flags & 0x400) == 0;
  hookWalkOk &= walked(walk(), reinterpret_cast<uintptr_t>(harness_preempt_pc));
  asm volatile(
      "mov $-1, %%rax\n\tmov $-1, %%rcx\n\tmov $-1, %%rdx\n\tmov $-1, %%r8\n\tmov $-1, %%r9\n\t"
      "mov $-1, %%r10\n\tmov $-1, %%r11\n\tmov $-1, %%rsi\n\tmov $-1, %%rdi\n\tmov $-1, %%rbx\n\t"
      "mov $-1, %%r12\n\tmov $-1, %%r13\n\tmov $-1, %%r14\n\tmov $-1, %%r15\n\t"
      "pcmpeqd %%xmm0, %%xmm0\n\tpcmpeqd %%xmm1, %%xmm1\n\tpcmpeqd %%xmm2, %%xmm2\n\t"
      "pcmpeqd %%xmm3, %%xmm3\n\tpcmpeqd %%xmm4, %%xmm4\n\tpcmpeqd %%xmm5, %%xmm5\n\t"
      "pcmpeqd %%xmm6, %%xmm6\n\tpcmpeqd %%xmm7, %%xmm7\n\tpcmpeqd %%xmm8, %%xmm8\n\t"
      "pcmpeqd %%xmm9, %%xmm9\n\tpcmpeqd %%xmm10, %%xmm10\n\tpcmpeqd %%xmm11, %%xmm11\n\t"
      "pcmpeqd %%xmm12, %%xmm12\n\tpcmpeqd %%xmm13, %%xmm13\n\tpcmpeqd %%xmm14, %%xmm14\n\t"
      "pcmpeqd %%xmm15, %%xmm15\n\tstc" ::
          : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "rsi", "rdi", "rbx", "r12", "r13", "r14",
            "r15", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
            "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "cc");
}

// --- regcall: the prepared call's register path, with each ABI's rule
// for where an argument goes. Every argument is 8 bytes in its slot
// (integers sign-extended, a float in the low 4 bytes).

extern "C" {
// bridge/regcall_amd64_*.S: prepared_call.hpp's RegFrame.
struct RegFrame {
  uint64_t gpr[6];
  uint64_t sse[8];
  uint64_t nsse;
  uint64_t rax;
  uint64_t xmm0;
  void* fn;
};
void cbridge_regcall(RegFrame* f);
}

static_assert(offsetof(RegFrame, sse) == 48 && offsetof(RegFrame, nsse) == 112 &&
              offsetof(RegFrame, rax) == 120 && offsetof(RegFrame, xmm0) == 128 &&
              offsetof(RegFrame, fn) == 136);

namespace {

enum class K { Int, Dbl, Flt };

struct Arg {
  K k;
  uint64_t bits;
};

Arg i64(int64_t v) { return {K::Int, uint64_t(v)}; }
Arg ptr(const void* p) { return {K::Int, uint64_t(reinterpret_cast<uintptr_t>(p))}; }
Arg dbl(double v) {
  Arg a{K::Dbl, 0};
  std::memcpy(&a.bits, &v, 8);
  return a;
}
Arg flt(float v) {
  Arg a{K::Flt, 0};
  std::memcpy(&a.bits, &v, 4);
  return a;
}

// The classification prepared_call.cpp makes once per signature. SysV:
// integers in the next of the six GPRs, floating point in the next of the
// eight SSE registers, their count in nsse (%al). Win64: argument i in
// slot i, whatever its type; regcall loads rcx/xmm0 .. r9/xmm3 from the
// four slots.
RegFrame frame(void* fn, std::initializer_list<Arg> args) {
  RegFrame f{};
  f.fn = fn;
#ifdef _WIN32
  int i = 0;
  for (const Arg& a : args) f.gpr[i++] = a.bits;
#else
  int ngpr = 0, nsse = 0;
  for (const Arg& a : args) {
    if (a.k == K::Int)
      f.gpr[ngpr++] = a.bits;
    else
      f.sse[nsse++] = a.bits;
  }
  f.nsse = uint64_t(nsse);
#endif
  return f;
}

double asDouble(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}
float asFloat(uint64_t bits) {
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

int64_t mixIDID(int64_t a, double b, int64_t c, double d) {
  return a + int64_t(b * 10) + c * 100 + int64_t(d * 1000);
}
double mixDIDI(double a, int b, double c, int d) { return a * b + c * d; }
double fourD(double a, double b, double c, double d) { return ((a - b) * c) / d; }
int64_t fourI(int64_t a, int64_t b, int64_t c, int64_t d) { return ((a - b) * c) ^ d; }
float mixFI(float a, int b) { return a * float(b); }

// A variadic callee: its doubles travel as the variadic convention wants.
int format(char* buf, size_t n, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = std::vsnprintf(buf, n, fmt, ap);
  va_end(ap);
  return r;
}

void testRegcall() {
  RegFrame f = frame(reinterpret_cast<void*>(&mixIDID), {i64(-3), dbl(2.5), i64(7), dbl(0.125)});
  cbridge_regcall(&f);
  std::printf("regcall int64(int64, double, int64, double) = %lld\n", static_cast<long long>(f.rax));
  f = frame(reinterpret_cast<void*>(&mixDIDI), {dbl(1.5), i64(-4), dbl(0.25), i64(8)});
  cbridge_regcall(&f);
  std::printf("regcall double(double, int, double, int) = %g\n", asDouble(f.xmm0));
  f = frame(reinterpret_cast<void*>(&fourD), {dbl(10), dbl(4), dbl(3), dbl(8)});
  cbridge_regcall(&f);
  std::printf("regcall double(double x4) = %g\n", asDouble(f.xmm0));
  f = frame(reinterpret_cast<void*>(&fourI), {i64(1LL << 40), i64(-5), i64(3), i64(0xff)});
  cbridge_regcall(&f);
  std::printf("regcall int64(int64 x4) = %lld\n", static_cast<long long>(f.rax));
  f = frame(reinterpret_cast<void*>(&mixFI), {flt(1.25f), i64(6)});
  cbridge_regcall(&f);
  std::printf("regcall float(float, int) = %g\n", double(asFloat(f.xmm0)));
  char buf[64];
  f = frame(reinterpret_cast<void*>(&format), {ptr(buf), i64(sizeof buf), ptr("<%.3f>"), dbl(2.71828)});
  cbridge_regcall(&f);
  std::printf("regcall variadic int(char*, size_t, const char*, ...) = %d \"%s\"\n", int(f.rax), buf);
}

}  // namespace

int main() {
  testWhere();
  testFrames();
  testWalk();
  testCalleeSaved();
  testPreempt();
  testRegcall();
  return failures ? 1 : 0;
}
