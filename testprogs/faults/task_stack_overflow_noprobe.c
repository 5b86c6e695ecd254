/* SPDX-License-Identifier: MIT */
/* task_stack_overflow.c built without page probes (CMakeLists.txt gives
 * this file -fno-stack-clash-protection): the frames jump straight to
 * their lowest byte, as in code built without cbridge's flags. */
#include "task_stack_overflow.c"
