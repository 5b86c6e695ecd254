/* SPDX-License-Identifier: MIT */
// cbridge_asyncPreempt for Win64 (asyncpreempt_amd64_sysv.S is the SysV
// one, whose protocol this keeps): the routine a thread the preemptor
// suspended is made to call. The preemptor (preempt_windows.cpp) does with
// GetThreadContext and SetThreadContext what the signal handler does with
// the ucontext: it pushes the interrupted Rip below the interrupted Rsp
// and points Rip here. Windows code has no red zone, so the PC lies right
// below the interrupted stack pointer and a plain `ret` returns to it with
// the stack pointer the interrupted one. That stack pointer may be any
// multiple of 8 (the thread stopped anywhere), so the frame aligns itself.
//
// It saves the flags, every general register (the volatile ones are the
// point: the interrupted code did not expect a call; the callee-saved ones
// too, as the SysV version does) and the full extended state, xmm0-15 and
// whatever else XCR0 enables (xsave, with the component mask and size in
// cbridge_asyncPreemptMaskLo/Hi and cbridge_asyncPreemptXsaveSize, read
// from CPUID and XCR0 by the runtime as on Linux). It calls
// cbridge_asyncPreempt2 with a clear direction flag, 32 bytes of shadow
// space and a 16-byte-aligned stack, and restores everything.
//
// Frame, from the interrupted stack pointer S down:
//   S-0x08  interrupted PC           S-0x10  flags
//   S-0x18  rbp                      S-0x20 .. S-0x88  rax .. r15
//                                    (rax rbx rcx rdx rsi rdi r8-r15)
//   rbp = S-0x88; below it the xsave area, 64-byte aligned, and below
//   that cbridge_asyncPreempt2's shadow space.
// The unwind information describes it, so that a debugger or an
// exception's dispatch walks from cbridge_asyncPreempt2 into the
// interrupted frame, with its registers: the flags word as an 8-byte
// allocation, each register as a push (the volatile ones come back too,
// harmlessly), the dynamic part below rbp through the frame register.
// The epilogue (pops, popfq) is not the ABI's shape, so the unwinder
// cannot step out of its last few instructions; nothing unwinds there.

        .text
        .globl  cbridge_asyncPreempt
        .def    cbridge_asyncPreempt; .scl 2; .type 32; .endef
        .seh_proc cbridge_asyncPreempt
        .p2align 4
cbridge_asyncPreempt:
        pushfq
        .seh_stackalloc 8
        pushq   %rbp
        .seh_pushreg %rbp
        pushq   %rax
        .seh_pushreg %rax
        pushq   %rbx
        .seh_pushreg %rbx
        pushq   %rcx
        .seh_pushreg %rcx
        pushq   %rdx
        .seh_pushreg %rdx
        pushq   %rsi
        .seh_pushreg %rsi
        pushq   %rdi
        .seh_pushreg %rdi
        pushq   %r8
        .seh_pushreg %r8
        pushq   %r9
        .seh_pushreg %r9
        pushq   %r10
        .seh_pushreg %r10
        pushq   %r11
        .seh_pushreg %r11
        pushq   %r12
        .seh_pushreg %r12
        pushq   %r13
        .seh_pushreg %r13
        pushq   %r14
        .seh_pushreg %r14
        pushq   %r15
        .seh_pushreg %r15
        movq    %rsp, %rbp
        .seh_setframe %rbp, 0
        .seh_endprologue
        // The xsave area below the saved registers, 64-byte aligned, its
        // header zeroed (xrstor checks the header's reserved bytes; the
        // standard form of xsave writes only XSTATE_BV); the shadow space
        // below it keeps both alignments.
        movl    cbridge_asyncPreemptXsaveSize(%rip), %eax
        subq    %rax, %rsp
        andq    $-64, %rsp
        xorl    %eax, %eax
        movq    %rax, 512(%rsp)
        movq    %rax, 520(%rsp)
        movq    %rax, 528(%rsp)
        movq    %rax, 536(%rsp)
        movq    %rax, 544(%rsp)
        movq    %rax, 552(%rsp)
        movq    %rax, 560(%rsp)
        movq    %rax, 568(%rsp)
        movl    cbridge_asyncPreemptMaskLo(%rip), %eax
        movl    cbridge_asyncPreemptMaskHi(%rip), %edx
        xsave64 (%rsp)
        subq    $32, %rsp
        cld
        call    cbridge_asyncPreempt2
        addq    $32, %rsp
        movl    cbridge_asyncPreemptMaskLo(%rip), %eax
        movl    cbridge_asyncPreemptMaskHi(%rip), %edx
        xrstor64 (%rsp)
        movq    %rbp, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rbx
        popq    %rax
        popq    %rbp
        popfq
        ret
        .seh_endproc
