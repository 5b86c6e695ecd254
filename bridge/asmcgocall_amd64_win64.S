/* SPDX-License-Identifier: MIT */
/* void cbridge_asmcgocall(void (*fn)(void*, uintptr_t), void* arg, void* sp,
 *                         struct TebStack* stack)
 * void cbridge_asmcgocall_ctx(the same)
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
 * Where an exception raised in fn looks for its handlers. The caller's
 * frames lie outside the bounds fn runs under, and the dispatcher
 * gives up at the first frame out of bounds ("invalid frame"), before it
 * reaches the thread's start, whose handler calls the process's
 * unhandled-exception filter (SetUnhandledExceptionFilter: a host's
 * crash reporter). So the two entries differ in the frame fn returns to:
 *   - cbridge_asmcgocall, for a callback onto a task's stack: the return
 *     is into this frame, whose unwind goes on into the caller's through
 *     the frame pointer, as a stack walker (RtlVirtualUnwind, a debugger)
 *     wants. A fault in the callback's task is the runtime's own
 *     (signal_windows.cpp) and never searches.
 *   - cbridge_asmcgocall_ctx, for a foreign call onto g0's stack just
 *     below g0's saved context (sp is that context, 16-byte aligned): the
 *     return is into cbridge_asmcgocall_return, a frame of no code whose
 *     unwind is that of the stopped jump_fcontext above it: the search
 *     goes on into the frames g0 stopped in, on the same stack, inside
 *     the bounds, down to the thread's start (or, for a callback's g0,
 *     into the thread's caller: fcontext's cbridge_fcontext_start_above).
 *     A fault in foreign code reaches the foreign frames' handlers, then
 *     the thread's, then the process's filter, as it does in a program
 *     without cbridge. Those frames are not the ones fn returns to, so no
 *     unwind may go there: a C++ exception that leaves the foreign
 *     function is a fatal error in fn itself (cgocall.cpp's callForeign),
 *     before the search reaches them.
 *
 * Wine's own handlers are frames on the ExceptionList (its __TRY, in
 * RtlUserThreadStart among others: the one that calls the process's
 * filter), searched before any frame below them on the stack. So
 * cbridge_asmcgocall_ctx installs the list g0's context holds (its
 * ExceptionList, 0x60 above its description), the thread's own, while
 * cbridge_asmcgocall leaves it empty (-1), as at a task's start: the
 * handlers of the caller's stack are not above fn's frames.
 *
 * Frame, on the caller's stack, at rbp (= inuse):
 *   rbp+0x00  ExceptionList   rbp+0x08  DeallocationStack
 *   rbp+0x10  StackLimit      rbp+0x18  StackBase      (the caller's TEB)
 *   rbp+0x20  stack (the fourth argument)   rbp+0x28  alignment
 *   rbp+0x30  the caller's rbp               rbp+0x38  return address
 */

/* A stopped context's ExceptionList, from its stack description. */
#define CTX_LIST 0x60

/* ENTER builds the frame and installs *stack (r9) and the ExceptionList
 * list (an address, or -1 for none); leaves rax = fn, rcx = arg, rdx =
 * inuse, r8 = sp. */
.macro ENTER list
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
        movq    \list, %rax
        movq    %rax, %gs:0x00
        movq    %rcx, %rax
        movq    %rdx, %rcx
        movq    %rbp, %rdx
.endm

/* LEAVE writes the TEB's description back to *stack, restores the
 * caller's and returns. */
.macro LEAVE
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
.endm

        .text
        .globl  cbridge_asmcgocall
        .def    cbridge_asmcgocall; .scl 2; .type 32; .endef
        .seh_proc cbridge_asmcgocall
        .p2align 4
cbridge_asmcgocall:
        ENTER   $-1
        leaq    -0x20(%r8), %rsp
        call    *%rax
        LEAVE
        .seh_endproc

        .globl  cbridge_asmcgocall_ctx
        .def    cbridge_asmcgocall_ctx; .scl 2; .type 32; .endef
        .seh_proc cbridge_asmcgocall_ctx
        .p2align 4
cbridge_asmcgocall_ctx:
        ENTER   CTX_LIST(%r9)
        leaq    -0x28(%r8), %rsp
        leaq    cbridge_asmcgocall_return(%rip), %r10
        movq    %r10, (%rsp)
        jmp     *%rax
cbridge_asmcgocall_ctx_returned:
        LEAVE
        .seh_endproc

/* cbridge_asmcgocall_return is where fn, called by cbridge_asmcgocall_ctx,
 * returns: back into it. Its unwind information describes a prologue it
 * never runs (the bytes before the label): 0x20 bytes of fn's shadow
 * space above the return address, then the stopped context's frame
 * (fcontext_amd64_win64.S: xmm6-15 at 0x00, the preserved general
 * registers at 0xc8-0x100, its return address at 0x118), so that
 * unwinding this frame restores what g0 stopped with and returns into
 * jump_fcontext's caller. The nop keeps the label's first instruction
 * from being read as an epilogue (a jmp out of the function is a tail
 * call to the unwinder). A traceback of the thread (traceback_windows.cpp)
 * knows the label: above it come g0's frames, not the task's. */
#define CTX 0x20
        .def    cbridge_asmcgocall_return_frame; .scl 3; .type 32; .endef
        .seh_proc cbridge_asmcgocall_return_frame
        .p2align 4
cbridge_asmcgocall_return_frame:
        int3
        .seh_stackalloc CTX + 0x118
        .seh_savexmm %xmm6, CTX + 0x00
        .seh_savexmm %xmm7, CTX + 0x10
        .seh_savexmm %xmm8, CTX + 0x20
        .seh_savexmm %xmm9, CTX + 0x30
        .seh_savexmm %xmm10, CTX + 0x40
        .seh_savexmm %xmm11, CTX + 0x50
        .seh_savexmm %xmm12, CTX + 0x60
        .seh_savexmm %xmm13, CTX + 0x70
        .seh_savexmm %xmm14, CTX + 0x80
        .seh_savexmm %xmm15, CTX + 0x90
        .seh_savereg %rbx, CTX + 0xc8
        .seh_savereg %rbp, CTX + 0xd0
        .seh_savereg %rdi, CTX + 0xd8
        .seh_savereg %rsi, CTX + 0xe0
        .seh_savereg %r12, CTX + 0xe8
        .seh_savereg %r13, CTX + 0xf0
        .seh_savereg %r14, CTX + 0xf8
        .seh_savereg %r15, CTX + 0x100
        .seh_endprologue
        .globl  cbridge_asmcgocall_return
cbridge_asmcgocall_return:
        nop
        jmp     cbridge_asmcgocall_ctx_returned
        .seh_endproc
