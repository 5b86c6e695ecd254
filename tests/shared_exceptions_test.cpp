// SPDX-License-Identifier: MIT
// Exceptions thrown inside libcbridge.so, caught by type in the program.
//
// The library is built with -fvisibility=hidden (cmake/libraries.cmake):
// a catch clause in another module matches the thrown type through its
// typeinfo, so the exception classes of errors.hpp are exported
// (CBRIDGE_EXPORT) and their typeinfo is the library's. Built into
// cbridge_shared_tests, which links the shared library with lazy binding,
// as a user's program does; tests/packaging/check_exports.py checks that
// the typeinfo is in the dynamic symbol table.
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>

#include <stdexcept>
#include <typeinfo>

namespace {

int add(int a, int b) { return a + b; }

// caught names the handler that caught what f threw: only the one for the
// exact class may, never the catch-all behind it.
template <typename E, typename F>
const char* caught(F f) {
  try {
    f();
  } catch (const E& e) {
    EXPECT_EQ(typeid(e), typeid(E));
    return "by type";
  } catch (const std::exception& e) {
    ADD_FAILURE() << "caught only as std::exception: " << typeid(e).name() << ": " << e.what();
    return "as std::exception";
  } catch (...) {
    return "by catch-all";
  }
  return "nothing thrown";
}

TEST(Exceptions, ChannelClosedFromTheLibrary) {
  cbridge::Chan<int> c(1);
  c.close();
  EXPECT_STREQ(caught<cbridge::ChannelClosed>([&] { c.close(); }), "by type");
  EXPECT_STREQ(caught<cbridge::ChannelClosed>([&] { c.send(1); }), "by type");
}

TEST(Exceptions, SignatureErrorFromTheLibrary) {
  EXPECT_STREQ(caught<cbridge::SignatureError>([] {
                 cbridge::ForeignFunction f(reinterpret_cast<void*>(&add), "int(int,");
               }),
               "by type");
  // As the base class the header names, too.
  try {
    cbridge::ForeignFunction f(reinterpret_cast<void*>(&add), "int(int, @)");
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(dynamic_cast<const cbridge::SignatureError*>(&e), nullptr);
  }
}

TEST(Exceptions, LibraryErrorFromTheLibrary) {
  EXPECT_STREQ(caught<cbridge::LibraryError>([] { cbridge::Library l("/nonexistent/libnothing.so"); }),
               "by type");
  cbridge::Library self("libc.so.6");
  EXPECT_STREQ(caught<cbridge::LibraryError>([&] { self.symbol("cbridge_no_such_symbol"); }), "by type");
}

// Thrown in a task, caught there by type; escaping the task, rethrown by
// run() on this thread and caught by type again.
TEST(Exceptions, ChannelClosedInATaskAndThroughRun) {
  cbridge::Chan<int> c(1);
  c.close();
  const char* inTask = cbridge::run([&] { return caught<cbridge::ChannelClosed>([&] { c.send(1); }); });
  EXPECT_STREQ(inTask, "by type");
  EXPECT_STREQ(caught<cbridge::ChannelClosed>([&] { cbridge::run([&] { c.close(); }); }), "by type");
}

}  // namespace
