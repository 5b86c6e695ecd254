// SPDX-License-Identifier: MIT
// The tracebacks' allocation-free demangler (runtime/demangle.cpp): the
// qualified names of the symbols a cbridge stack shows, and a refusal for
// what it does not read.
#include "runtime/demangle.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

std::string dm(const char* mangled, size_t size = 256) {
  char buf[256];
  return cbridge::rt::demangle(mangled, buf, size) ? std::string(buf) : std::string("(refused)");
}

TEST(Demangle, QualifiedNames) {
  EXPECT_EQ(dm("_ZN7cbridge2rt5mcallEPFPNS0_1GES2_Eb"), "cbridge::rt::mcall");
  EXPECT_EQ(dm("_Z5stuckv"), "stuck");
  EXPECT_EQ(dm("_ZL3foov"), "foo");
  EXPECT_EQ(dm("_ZN12_GLOBAL__N_116observeNullWriteEv"), "(anonymous namespace)::observeNullWrite");
}

TEST(Demangle, TemplatesLambdasOperatorsAndDestructors) {
  EXPECT_EQ(dm("_ZN7cbridge4ChanIiE4recvEv"), "cbridge::Chan<...>::recv");
  EXPECT_EQ(dm("_ZZ5stuckvENKUlvE_clEv"), "stuck()::{lambda}::operator()");
  EXPECT_EQ(dm("_ZNKSt8functionIFvvEEclEv"), "std::function<...>::operator()");
  EXPECT_EQ(dm("_ZN7cbridge6detail8TaskFnOfIZN12_GLOBAL__N_120fatalPrintsTracebackEvEUlvE_ED1Ev"),
            "cbridge::detail::TaskFnOf<...>::~TaskFnOf");
  // Argument packs and local names inside template arguments are skipped
  // by their nesting.
  EXPECT_EQ(dm("_ZN7cbridge6detail13cgocallLambdaIZNS0_8callImplIiPFiiEJRiEEET_T0_DpOT1_EUlvE_EEvRS6_"),
            "cbridge::detail::cgocallLambda<...>");
}

TEST(Demangle, RefusesWhatItCannotRead) {
  EXPECT_EQ(dm("main"), "(refused)");
  EXPECT_EQ(dm("_ZN7cbridge2rt"), "(refused)");          // cut short
  EXPECT_EQ(dm("_ZN7cbridge2rt5mcallEv", 8), "(refused)");  // does not fit
  EXPECT_EQ(dm("_ZN3foo3barB5cxx11Ev"), "(refused)");      // an ABI tag
}

}  // namespace
