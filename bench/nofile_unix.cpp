// SPDX-License-Identifier: MIT
// net_bench's 1,000 connections take 2,000 descriptors: the soft
// RLIMIT_NOFILE is raised to the hard one.
#include <sys/resource.h>

void raiseNofileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}
