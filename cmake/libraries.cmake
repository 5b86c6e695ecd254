# SPDX-License-Identifier: MIT
# The libraries, from the objects every folder adds to cbridge_objects.
if(WIN32)
  # Two builds of the same sources, since a declaration says whether it is
  # exported (export.h): the static library's objects (cbridge_objects,
  # CBRIDGE_STATIC: CBRIDGE_EXPORT is empty) and the DLL's
  # (cbridge_dll_objects, CBRIDGE_BUILDING_DLL: dllexport). Built from the
  # first's objects, the DLL would export everything (mingw's ld does
  # when no object says dllexport), or, with dllexport in them, a program
  # linking libcbridge.a would export the API from its .exe.
  target_compile_definitions(cbridge_objects PRIVATE CBRIDGE_STATIC)
  get_target_property(_cbridge_sources cbridge_objects SOURCES)
  get_target_property(_cbridge_dir cbridge_objects SOURCE_DIR)
  list(TRANSFORM _cbridge_sources PREPEND "${_cbridge_dir}/" REGEX "^[^/]")
  add_library(cbridge_dll_objects OBJECT ${_cbridge_sources})
  target_include_directories(cbridge_dll_objects PRIVATE $<TARGET_PROPERTY:cbridge_objects,INCLUDE_DIRECTORIES>)
  target_compile_definitions(cbridge_dll_objects PRIVATE CBRIDGE_BUILDING_DLL)
  target_link_libraries(cbridge_dll_objects PUBLIC Threads::Threads ${CBRIDGE_SYSTEM_LIBS})
  # libcbridge.dll with its import library libcbridge.dll.a (mingw's
  # -lcbridge finds the import library before the static one).
  add_library(cbridge SHARED $<TARGET_OBJECTS:cbridge_dll_objects>)
else()
  add_library(cbridge SHARED $<TARGET_OBJECTS:cbridge_objects>)
endif()
add_library(cbridge_static STATIC $<TARGET_OBJECTS:cbridge_objects>)
set_target_properties(cbridge_static PROPERTIES OUTPUT_NAME cbridge)
foreach(t cbridge cbridge_static)
  target_include_directories(${t} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endforeach()
add_library(cbridge::cbridge ALIAS cbridge)
# The tests, testprogs and benchmarks (tests/win64's
# GoogleTest suites on Windows) reach into the runtime's internals.
add_library(cbridge_internal INTERFACE)
target_link_libraries(cbridge_internal INTERFACE cbridge_static)
target_include_directories(cbridge_internal INTERFACE ${PROJECT_SOURCE_DIR})
if(WIN32)
  # The Windows libraries the objects call (CBRIDGE_SYSTEM_LIBS). -static
  # links libgcc, libstdc++ and winpthreads into the DLL (Windows' own
  # import libraries are archives, so they still link), as the toolchain
  # file does for programs: it needs no mingw DLL beside it, whatever
  # linker flags the build was configured with.
  target_link_libraries(cbridge PUBLIC Threads::Threads PRIVATE ${CBRIDGE_SYSTEM_LIBS})
  target_link_options(cbridge PRIVATE -static)
  target_compile_definitions(cbridge_static INTERFACE CBRIDGE_STATIC)
  target_link_libraries(cbridge_static PUBLIC Threads::Threads ${CBRIDGE_SYSTEM_LIBS})
  return()
endif()
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
