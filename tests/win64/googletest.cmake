# SPDX-License-Identifier: MIT
# tests/'s GoogleTest suites, crossed for Windows (included by
# CMakeLists.txt in the mingw-w64 configuration), as tests/CMakeLists.txt
# builds them for Linux, minus the files that are Linux's alone; the
# README's "### Windows" lists those with the reason, and
# scripts/test-windows the single tests Wine cannot run. Foreign threads
# in the tests are pthreads: winpthreads, Windows threads underneath.
set(t ${repo}/tests)
# The runtime's internals the tests include reach the mini libffi's ffi.h.
add_library(gtest_internal INTERFACE)
target_link_libraries(gtest_internal INTERFACE cbridge_internal)
target_include_directories(gtest_internal INTERFACE ${repo}/bridge/ffi_win64)

add_executable(cbridge_tests
  ${t}/bridge_call_test.cpp ${t}/bridge_dynamic_test.cpp ${t}/c99_caller.c ${t}/c_api_test.cpp
  ${t}/callback_test.cpp ${t}/cfuncs.c ${t}/chan_test.cpp
  ${t}/demangle_test.cpp ${t}/gfree_test.cpp ${t}/lockheld_test.cpp
  ${t}/net_closed_file_test.cpp ${t}/net_handoff_test.cpp
  ${t}/overflow_deadline_test.cpp ${t}/sched_test.cpp ${t}/select_test.cpp
  ${t}/signature_test.cpp ${t}/sync_test.cpp ${t}/timer_after_test.cpp ${t}/timer_race_test.cpp
  ${t}/timer_storm_test.cpp ${t}/timer_test.cpp)
set_source_files_properties(${t}/c99_caller.c PROPERTIES COMPILE_OPTIONS
  "-std=c99;-pedantic-errors;-Wall;-Wextra;-pedantic;-Werror")
target_link_libraries(cbridge_tests PRIVATE gtest_internal GTest::gtest_main)
target_compile_definitions(cbridge_tests PRIVATE CBRIDGE_SOURCE_DIR="${repo}")

add_executable(cbridge_internal_tests ${t}/debugvars_parse_test.cpp ${t}/handshake_test.cpp
  ${t}/runq_test.cpp ${t}/spanset_test.cpp ${t}/stackbounds_test.cpp ${t}/timers_heap_test.cpp)
target_link_libraries(cbridge_internal_tests PRIVATE gtest_internal GTest::gtest_main)

add_executable(cbridge_stack_cache_tests ${t}/stack_cache_test.cpp)
target_link_libraries(cbridge_stack_cache_tests PRIVATE gtest_internal GTest::gtest_main)

add_executable(cbridge_signature_limits_tests ${t}/signature_limits_test.cpp)
target_link_libraries(cbridge_signature_limits_tests PRIVATE gtest_internal GTest::gtest_main)

# As users build them: public headers, libcbridge.dll (written beside the
# programs, where Windows finds it, and the typed tests' C library too,
# which they also open by name).
add_executable(cbridge_shared_tests ${t}/callback_test.cpp ${t}/cfuncs.c ${t}/shared_exceptions_test.cpp)
target_include_directories(cbridge_shared_tests PRIVATE ${repo})
target_link_libraries(cbridge_shared_tests PRIVATE cbridge GTest::gtest_main)

add_library(cbridge_typed_cfuncs SHARED ${t}/typed_cfuncs.c)
set_target_properties(cbridge_typed_cfuncs PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
# No mingw DLL beside it (winpthreads linked in), as libcbridge.dll.
target_link_options(cbridge_typed_cfuncs PRIVATE -static)
add_executable(cbridge_typed_tests ${t}/typed_test.cpp)
target_include_directories(cbridge_typed_tests PRIVATE ${repo})
target_link_libraries(cbridge_typed_tests PRIVATE cbridge cbridge_typed_cfuncs GTest::gtest_main)
target_compile_definitions(cbridge_typed_tests PRIVATE
  TYPED_CFUNCS_PATH="$<TARGET_FILE_NAME:cbridge_typed_cfuncs>")
