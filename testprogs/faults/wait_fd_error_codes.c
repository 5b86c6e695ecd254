/* SPDX-License-Identifier: MIT */
/* cbridge's error codes and -errno never collide (issue #11.14): before,
 * cbridge_wait_fd on a regular file returned -EPERM == -1 ==
 * CBRIDGE_ERR_ARGUMENT. Prints PASS. */
#include <cbridge/cbridge.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  int fd = open("/proc/self/exe", O_RDONLY), r;
  if (fd < 0) return 1;
  if (CBRIDGE_ERR_ARGUMENT > -4096 || CBRIDGE_ERR_SIGNATURE > -4096 || CBRIDGE_ERR_SHUTDOWN > -4096) {
    printf("FAIL: a CBRIDGE_ERR_* code lies in the -errno range\n");
    return 1;
  }
  r = cbridge_wait_fd(fd, CBRIDGE_WAIT_READ, -1); /* epoll takes no regular file */
  if (r != -EPERM || r == CBRIDGE_ERR_ARGUMENT) {
    printf("FAIL: wait on a regular file returned %d, want -EPERM (%d), not CBRIDGE_ERR_ARGUMENT\n", r, -EPERM);
    return 1;
  }
  r = cbridge_wait_fd(fd, 7, -1);
  if (r != CBRIDGE_ERR_ARGUMENT) {
    printf("FAIL: a bad mode returned %d, want CBRIDGE_ERR_ARGUMENT\n", r);
    return 1;
  }
  close(fd);
  printf("PASS\n");
  return 0;
}
