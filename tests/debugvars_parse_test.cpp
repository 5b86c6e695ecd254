// SPDX-License-Identifier: MIT
// CBRIDGE_DEBUG's parser (runtime/debugvars.hpp), on strings: key=value,
// bare keys, all, =0, and the one warning line for bad items.
#include <gtest/gtest.h>

#include <string>

#include "runtime/debugvars.hpp"

namespace {

using cbridge::rt::DebugVars;
using cbridge::rt::parseDebugVars;

struct Parsed {
  bool ok;
  DebugVars dv;
  std::string warn;
};

Parsed parse(const char* s) {
  Parsed p{};
  char warn[512];
  p.ok = parseDebugVars(s, &p.dv, warn, sizeof warn);
  p.warn = warn;
  return p;
}

TEST(DebugVars, KeyEqualsValue) {
  Parsed p = parse("schedtrace=1000,scheddetail=1,cbcheck=1");
  EXPECT_TRUE(p.ok) << p.warn;
  EXPECT_EQ(p.dv.schedtrace, 1000);
  EXPECT_EQ(p.dv.scheddetail, 1);
  EXPECT_EQ(p.dv.cbcheck, 1);
  EXPECT_EQ(p.dv.shutdown, 0);
  EXPECT_EQ(p.warn, "");
}

TEST(DebugVars, BareKeyIsOne) {
  Parsed p = parse("shutdown,asyncpreemptoff,preemptnolock");
  EXPECT_TRUE(p.ok) << p.warn;
  EXPECT_EQ(p.dv.shutdown, 1);
  EXPECT_EQ(p.dv.asyncpreemptoff, 1);
  EXPECT_EQ(p.dv.preemptnolock, 1);
  EXPECT_EQ(p.dv.callbacks, 0);
}

TEST(DebugVars, ZeroTurnsOff) {
  Parsed p = parse("shutdown=0,callbacks=1");
  EXPECT_TRUE(p.ok);
  EXPECT_EQ(p.dv.shutdown, 0);
  EXPECT_EQ(p.dv.callbacks, 1);
  // A later item overrides an earlier one, as in GODEBUG.
  p = parse("all,deadlock=0");
  EXPECT_EQ(p.dv.deadlock, 0);
  EXPECT_EQ(p.dv.shutdown, 1);
}

// all turns on the reports, not the switches that change what the
// runtime does nor the traces.
TEST(DebugVars, AllIsEveryReport) {
  Parsed p = parse("all");
  EXPECT_TRUE(p.ok);
  EXPECT_EQ(p.dv.shutdown, 1);
  EXPECT_EQ(p.dv.callbacks, 1);
  EXPECT_EQ(p.dv.deadlock, 1);
  EXPECT_EQ(p.dv.cbcheck, 0);
  EXPECT_EQ(p.dv.asyncpreemptoff, 0);
  EXPECT_EQ(p.dv.preemptnolock, 0);
  EXPECT_EQ(p.dv.schedtrace, 0);
}

TEST(DebugVars, EmptyAndUnset) {
  EXPECT_TRUE(parse(nullptr).ok);
  Parsed p = parse(",,shutdown,");
  EXPECT_TRUE(p.ok) << p.warn;
  EXPECT_EQ(p.dv.shutdown, 1);
}

TEST(DebugVars, BadItemsMakeOneWarning) {
  Parsed p = parse("foo,shutdown,schedtrace=abc,cbcheck=-1,deadlock=99999999999");
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.dv.shutdown, 1);  // the good items still count
  EXPECT_EQ(p.dv.schedtrace, 0);
  EXPECT_EQ(p.dv.cbcheck, 0);
  EXPECT_EQ(p.dv.deadlock, 0);
  EXPECT_EQ(p.warn.find('\n'), std::string::npos);
  EXPECT_EQ(p.warn.rfind("CBRIDGE_DEBUG: unknown key \"foo\", malformed value \"schedtrace=abc\", "
                         "malformed value \"cbcheck=-1\", malformed value "
                         "\"deadlock=99999999999\" ignored (known: schedtrace=MS, ",
                         0),
            0u)
      << p.warn;
}

}  // namespace
