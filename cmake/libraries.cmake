# SPDX-License-Identifier: MIT
# The libraries, from the objects every folder adds to cbridge_objects.
if(WIN32)
  # The static library alone (see CMakeLists.txt): the objects and the
  # Windows libraries they call (CBRIDGE_SYSTEM_LIBS).
  # CBRIDGE_STATIC: its declarations are neither dllexport nor dllimport
  # (export.h), for the library's own objects and for its users.
  target_compile_definitions(cbridge_objects PRIVATE CBRIDGE_STATIC)
  add_library(cbridge_static STATIC $<TARGET_OBJECTS:cbridge_objects>)
  target_compile_definitions(cbridge_static INTERFACE CBRIDGE_STATIC)
  set_target_properties(cbridge_static PROPERTIES OUTPUT_NAME cbridge)
  target_include_directories(cbridge_static PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>)
  target_link_libraries(cbridge_static PUBLIC Threads::Threads ${CBRIDGE_SYSTEM_LIBS})
  return()
endif()
add_library(cbridge SHARED $<TARGET_OBJECTS:cbridge_objects>)
add_library(cbridge_static STATIC $<TARGET_OBJECTS:cbridge_objects>)
set_target_properties(cbridge_static PROPERTIES OUTPUT_NAME cbridge)
foreach(t cbridge cbridge_static)
  target_include_directories(${t} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endforeach()
target_link_libraries(cbridge PUBLIC Threads::Threads PRIVATE Boost::context ${CBRIDGE_SYSTEM_LIBS})
# The static archive's users link its dependencies themselves: a static
# library's PRIVATE links are its users' (as $<LINK_ONLY:...>). Installed,
# libffi and liburing are cbridge::libffi and cbridge::liburing, which
# cbridgeConfig.cmake makes from the ones it finds (neither has a CMake
# package); Boost::context and
# Threads::Threads come from its find_dependency calls.
target_link_libraries(cbridge_static PUBLIC Threads::Threads PRIVATE Boost::context
  $<BUILD_INTERFACE:${LIBFFI_LIBRARIES}> $<INSTALL_INTERFACE:cbridge::libffi>
  $<BUILD_INTERFACE:${LIBURING_LIBRARIES}> $<INSTALL_INTERFACE:cbridge::liburing> backtrace
  ${CMAKE_DL_LIBS})
# Exported to users, not only used for the library: task code runs on
# 256 KiB stacks with a 64 KiB guard below, and a user's frame of more than
# 64 KiB compiled without probes jumps the guard into another task's live
# stack, corrupting it silently. With the flag every such frame is a clean
# "fatal error: stack overflow"; it costs a probe per page of frames larger
# than a page, nothing for others. GCC >= 8 and Clang >= 11 know it (the
# generator expression keeps it from other compilers); cbridge.pc's Cflags
# carry it too. A source file can opt out: its COMPILE_OPTIONS come after
# these, so -fno-stack-clash-protection there wins.
foreach(t cbridge cbridge_static)
  target_compile_options(${t} INTERFACE
    $<$<COMPILE_LANG_AND_ID:C,GNU,Clang>:-fstack-clash-protection>
    $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-fstack-clash-protection>)
endforeach()
# The SONAME carries the major version: a C ABI break bumps it.
set_target_properties(cbridge PROPERTIES VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
add_library(cbridge::cbridge ALIAS cbridge)
# The tests, testprogs and benchmarks reach into the runtime's internals.
add_library(cbridge_internal INTERFACE)
target_link_libraries(cbridge_internal INTERFACE cbridge_static)
target_include_directories(cbridge_internal INTERFACE ${PROJECT_SOURCE_DIR})

# Only the public API leaves libcbridge.so: the objects are compiled with
# hidden visibility and the declarations in include/cbridge/ carry
# CBRIDGE_EXPORT (export.h). Inline member functions stay hidden too
# (-fvisibility-inlines-hidden): each user compiles its own copy from the
# header, so they are no part of the ABI. The static archive is made from
# the same objects; visibility means nothing to a static link, so the
# tests and benchmarks that reach into the runtime link it (cbridge_internal).
set_target_properties(cbridge_objects PROPERTIES
  C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
# What visibility cannot hide (std:: instantiations): see libcbridge.map.
target_link_options(cbridge PRIVATE "-Wl,--version-script=${PROJECT_SOURCE_DIR}/cmake/libcbridge.map")
set_property(TARGET cbridge APPEND PROPERTY LINK_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/libcbridge.map)
