/* SPDX-License-Identifier: MIT */
// cbridge_asyncPreempt (Go's asyncPreempt, preempt_amd64.s): the routine a
// thread stopped by the preemption signal is made to call (see
// sigpreempt_linux.cpp). On entry the stack holds the interrupted PC as a
// return address, 8 + 128 bytes below the interrupted stack pointer: the
// handler stepped over the 128-byte red zone that C code may use. It saves
// the flags, every general register and the full extended state (xsave,
// with the component mask and size initPreemptSignal read from CPUID and
// XCR0), calls cbridge_asyncPreempt2 (which yields the task), restores all
// of it, and returns to the interrupted instruction with `ret $128`, which
// also drops the red-zone gap, so the stack pointer is the interrupted one.
//
// Frame, from the CFA (the interrupted stack pointer) down:
//   CFA-136  interrupted PC          CFA-144  flags
//   CFA-152  rbp  <- rbp points here CFA-160 .. CFA-264  rax .. r15
//   below: the xsave area, 64-byte aligned.
// The CFI describes it, so that debuggers and sanitizer reports unwind
// through to the interrupted frame.

        .text
        .globl  cbridge_asyncPreempt
        .hidden cbridge_asyncPreempt
        .type   cbridge_asyncPreempt, @function
        .p2align 4
cbridge_asyncPreempt:
        .cfi_startproc
        .cfi_def_cfa %rsp, 136
        .cfi_offset %rip, -136
        pushfq
        .cfi_def_cfa_offset 144
        pushq   %rbp
        .cfi_def_cfa_offset 152
        .cfi_offset %rbp, -152
        movq    %rsp, %rbp
        .cfi_def_cfa_register %rbp
        pushq   %rax
        pushq   %rbx
        .cfi_offset %rbx, -168
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
        pushq   %r12
        .cfi_offset %r12, -240
        pushq   %r13
        .cfi_offset %r13, -248
        pushq   %r14
        .cfi_offset %r14, -256
        pushq   %r15
        .cfi_offset %r15, -264
        // The xsave area: its size below the saved registers, aligned to
        // 64 bytes, with its header zeroed (xrstor checks the reserved
        // bytes of the header; the standard form of xsave writes only
        // XSTATE_BV).
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
        // Clean state for C++: the direction flag clear (the ABI's
        // precondition; the saved flags bring the interrupted one back).
        cld
        call    cbridge_asyncPreempt2
        movl    cbridge_asyncPreemptMaskLo(%rip), %eax
        movl    cbridge_asyncPreemptMaskHi(%rip), %edx
        xrstor64 (%rsp)
        leaq    -112(%rbp), %rsp
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
        .cfi_def_cfa %rsp, 144
        .cfi_same_value %rbp
        popfq
        .cfi_def_cfa_offset 136
        ret     $128
        .cfi_endproc
        .size   cbridge_asyncPreempt, .-cbridge_asyncPreempt

        .section .note.GNU-stack,"",@progbits
