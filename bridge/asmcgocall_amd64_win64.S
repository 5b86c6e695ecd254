/* SPDX-License-Identifier: MIT */
/* void cbridge_asmcgocall(void (*fn)(void*, uintptr_t), void* arg, void* sp,
 *                         struct TebStack* stack)
 *
 * The Win64 asmcgocall (asmcgocall_amd64_sysv.S is the SysV one): calls
 * fn(arg, inuse) with the stack pointer at sp (16-byte aligned, on the
 * other stack) and returns on the caller's stack. fn's 32-byte shadow
 * space is reserved on the new stack, below sp. inuse is the lowest
 * address of the caller's stack live while fn runs (this frame's bottom).
 *
 * The fourth argument is the one the SysV version has no use for. Windows
 * reads the thread's stack description in the TEB: the exception
 * dispatcher accepts a frame only between StackLimit and StackBase, and
 * the kernel grows a stack through its guard page only between
 * DeallocationStack and StackBase, moving StackLimit down as it does
 * (MSVC's __chkstk probes from StackLimit). fcontext carries the
 * description with each task (fcontext_amd64_win64.S), so after a switch
 * of the stack pointer alone the TEB would describe the stack just left:
 * an exception thrown in fn would find its own frames out of bounds and
 * end the process. So the description is swapped too: *stack, laid out
 * as fcontext's saved frame holds it, {DeallocationStack, StackLimit,
 * StackBase} (fcontext frame offsets 0xb0-0xc0), is installed while fn
 * runs, and what the TEB holds when fn returns (StackLimit may have moved
 * down) is written back to it. For a call from a task onto g0's stack,
 * pass the description g0's saved context holds (the thread's own, with
 * its live commit boundary); for a callback onto a task's committed
 * stack, {lo, lo, sp}. ExceptionList, which Wine walks for handlers of its
 * own (see fcontext), is empty while fn runs, as at a task's start.
 *
 * No exception crosses this frame, as on Linux, where only glibc's forced
 * unwind of a thread ending in a callback does (Windows has none): the
 * caller's frames are outside the bounds fn runs under, so the dispatcher
 * stops at them, and a C++ exception escaping fn terminates the process.
 * The unwind information still takes a stack walker (RtlVirtualUnwind,
 * a debugger) from fn back into the caller through the frame pointer.
 *
 * Frame, on the caller's stack, at rbp (= inuse):
 *   rbp+0x00  ExceptionList   rbp+0x08  DeallocationStack
 *   rbp+0x10  StackLimit      rbp+0x18  StackBase      (the caller's TEB)
 *   rbp+0x20  stack (the fourth argument)   rbp+0x28  alignment
 *   rbp+0x30  the caller's rbp               rbp+0x38  return address
 */
        .text
        .globl  cbridge_asmcgocall
        .def    cbridge_asmcgocall; .scl 2; .type 32; .endef
        .seh_proc cbridge_asmcgocall
        .p2align 4
cbridge_asmcgocall:
        pushq   %rbp
        .seh_pushreg %rbp
        subq    $0x30, %rsp
        .seh_stackalloc 0x30
        movq    %rsp, %rbp
        .seh_setframe %rbp, 0
        .seh_endprologue
        movq    %r9, 0x20(%rbp)
        movq    %gs:0x00, %rax
        movq    %rax, 0x00(%rbp)
        movq    %gs:0x1478, %rax
        movq    %rax, 0x08(%rbp)
        movq    %gs:0x10, %rax
        movq    %rax, 0x10(%rbp)
        movq    %gs:0x08, %rax
        movq    %rax, 0x18(%rbp)
        movq    0x00(%r9), %rax
        movq    %rax, %gs:0x1478
        movq    0x08(%r9), %rax
        movq    %rax, %gs:0x10
        movq    0x10(%r9), %rax
        movq    %rax, %gs:0x08
        movq    $-1, %gs:0x00
        movq    %rcx, %rax
        movq    %rdx, %rcx
        movq    %rbp, %rdx
        leaq    -0x20(%r8), %rsp
        call    *%rax
        movq    0x20(%rbp), %r9
        movq    %gs:0x1478, %rax
        movq    %rax, 0x00(%r9)
        movq    %gs:0x10, %rax
        movq    %rax, 0x08(%r9)
        movq    %gs:0x08, %rax
        movq    %rax, 0x10(%r9)
        movq    0x00(%rbp), %rax
        movq    %rax, %gs:0x00
        movq    0x08(%rbp), %rax
        movq    %rax, %gs:0x1478
        movq    0x10(%rbp), %rax
        movq    %rax, %gs:0x10
        movq    0x18(%rbp), %rax
        movq    %rax, %gs:0x08
        leaq    0x30(%rbp), %rsp
        popq    %rbp
        ret
        .seh_endproc
