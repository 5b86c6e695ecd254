// ThreadSanitizer keeps at most 8128 threads and fibers (every task is a
// fiber to it) at a time: the few tests that need more skip under it.
#pragma once

namespace cbridge_test {

#ifdef CBRIDGE_TSAN_BUILD
inline constexpr bool kTsanBuild = true;
#else
inline constexpr bool kTsanBuild = false;
#endif

inline constexpr const char* kTsanThreadLimit =
    "needs more threads or tasks than ThreadSanitizer tracks (8128)";

}  // namespace cbridge_test
