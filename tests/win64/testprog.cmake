# SPDX-License-Identifier: MIT
# testprogs/' scenarios and the GoogleTest files that run them, crossed for
# Windows (included by CMakeLists.txt in the mingw-w64 configuration after
# googletest.cmake). testprog.exe has the scenario files that are not
# Linux's alone: not scenarios_*_linux.cpp (ucontext, Boost.Fiber, epoll,
# io_uring, seccomp), nor scenarios_trace.cpp (its test checks the trace
# with python3), nor testprog_shared's but the portable observability
# scenarios (scenarios_observe.cpp; their SIGQUIT half,
# scenarios_observe_unix.cpp, is Unix's); the README's "### Windows" says
# why for each test file left out, scripts/test-windows for each single
# test.
set(tp ${repo}/testprogs)
add_executable(testprog ${tp}/testprog.cpp ${tp}/scenarios_bridge.cpp ${tp}/scenarios_callbacks.cpp
  ${tp}/scenarios_cbcheck.cpp ${tp}/scenarios_debugvars.cpp ${tp}/scenarios_globrunq.cpp
  ${tp}/scenarios_observe.cpp ${tp}/scenarios_runtime.cpp ${tp}/scenarios_schedtrace.cpp
  ${tp}/scenarios_traceback.cpp ${tp}/observe_foreign.c ${tp}/pipe_windows.cpp ${t}/cfuncs.c)
target_link_libraries(testprog PRIVATE gtest_internal)

# The tests start testprog.exe by its file name from the directory they
# run in, the build directory (scripts/test-windows cds there).
add_executable(cbridge_testprog_tests ${t}/cbcheck_test.cpp ${t}/debugvars_test.cpp
  ${t}/globrunq_test.cpp ${t}/schedtrace_test.cpp ${t}/testprog_callbacks_test.cpp
  ${t}/testprog_observe_test.cpp ${t}/testprog_test.cpp ${t}/testprog_runner_windows.cpp)
target_include_directories(cbridge_testprog_tests PRIVATE ${repo})
target_link_libraries(cbridge_testprog_tests PRIVATE GTest::gtest_main)
target_compile_definitions(cbridge_testprog_tests PRIVATE
  TESTPROG_PATH="$<TARGET_FILE_NAME:testprog>")
add_dependencies(cbridge_testprog_tests testprog)
