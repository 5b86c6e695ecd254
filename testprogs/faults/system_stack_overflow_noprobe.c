/* SPDX-License-Identifier: MIT */
/* system_stack_overflow.c built without page probes (CMakeLists.txt gives
 * this file -fno-stack-clash-protection). */
#include "system_stack_overflow.c"
