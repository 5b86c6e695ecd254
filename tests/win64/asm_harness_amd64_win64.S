/* SPDX-License-Identifier: MIT */
/* asm_test's register harness for the Microsoft x64 ABI: what
 * asm_harness_amd64_sysv.S does, with the Win64 differences. The
 * callee-saved registers are rbx rbp rdi rsi r12-r15 and xmm6-15, the
 * fifth argument comes on the stack above the shadow space, and the
 * preemption has no red zone to step over: preempt_windows.cpp pushes the
 * interrupted PC right below the interrupted stack pointer, as
 * harness_preempt's call does. Slots as in the SysV harness.
 */
        .bss
        .globl  harness_in, harness_out, harness_isp, harness_preempt_pc
        .p2align 4
harness_in:     .zero   400
harness_out:    .zero   400
harness_sp:     .zero   8
harness_isp:    .zero   8

        .text
.macro SAVE_CALLER
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        pushq   %rdi
        pushq   %rsi
        subq    $168, %rsp
        .irp    i, 6,7,8,9,10,11,12,13,14,15
        movdqu  %xmm\i, 16*(\i-6)(%rsp)
        .endr
        movq    %rsp, harness_sp(%rip)
.endm

.macro RESTORE_CALLER
        movq    harness_sp(%rip), %rsp
        .irp    i, 6,7,8,9,10,11,12,13,14,15
        movdqu  16*(\i-6)(%rsp), %xmm\i
        .endr
        addq    $168, %rsp
        popq    %rsi
        popq    %rdi
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
.endm

.macro GPRS op, a, b
        \op     \a+0(\b), %rax
        \op     \a+8(\b), %rbx
        \op     \a+16(\b), %rcx
        \op     \a+24(\b), %rdx
        \op     \a+32(\b), %rsi
        \op     \a+40(\b), %rdi
        \op     \a+48(\b), %rbp
        \op     \a+56(\b), %r8
        \op     \a+64(\b), %r9
        \op     \a+72(\b), %r10
        \op     \a+80(\b), %r11
        \op     \a+88(\b), %r12
        \op     \a+96(\b), %r13
        \op     \a+104(\b), %r14
        \op     \a+112(\b), %r15
.endm

.macro XMMS_IN
        .irp    i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        movdqu  harness_in+128+16*\i(%rip), %xmm\i
        .endr
.endm

.macro STORE_OUT
        movq    %rax, harness_out+0(%rip)
        movq    %rbx, harness_out+8(%rip)
        movq    %rcx, harness_out+16(%rip)
        movq    %rdx, harness_out+24(%rip)
        movq    %rsi, harness_out+32(%rip)
        movq    %rdi, harness_out+40(%rip)
        movq    %rbp, harness_out+48(%rip)
        movq    %r8, harness_out+56(%rip)
        movq    %r9, harness_out+64(%rip)
        movq    %r10, harness_out+72(%rip)
        movq    %r11, harness_out+80(%rip)
        movq    %r12, harness_out+88(%rip)
        movq    %r13, harness_out+96(%rip)
        movq    %r14, harness_out+104(%rip)
        movq    %r15, harness_out+112(%rip)
        movq    %rsp, harness_out+392(%rip)
        pushfq
        popq    harness_out+384(%rip)
        cld
        .irp    i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        movdqu  %xmm\i, harness_out+128+16*\i(%rip)
        .endr
.endm

        .globl  harness_callsaved
harness_callsaved:
        SAVE_CALLER
        movq    (8*8+168+40)(%rsp), %r10
        movq    %rcx, %rax
        movq    %rdx, %rcx
        movq    %r8, %rdx
        movq    %r9, %r8
        movq    %r10, %r9
        subq    $32, %rsp
        movq    harness_in+8(%rip), %rbx
        movq    harness_in+32(%rip), %rsi
        movq    harness_in+40(%rip), %rdi
        movq    harness_in+48(%rip), %rbp
        .irp    i, 6,7,8,9,10,11,12,13,14,15
        movdqu  harness_in+128+16*\i(%rip), %xmm\i
        .endr
        movq    harness_in+88(%rip), %r12
        movq    harness_in+96(%rip), %r13
        movq    harness_in+104(%rip), %r14
        movq    harness_in+112(%rip), %r15
        call    *%rax
        STORE_OUT
        RESTORE_CALLER

        .globl  harness_preempt
harness_preempt:
        SAVE_CALLER
        testl   %ecx, %ecx
        jz      1f
        subq    $8, %rsp
1:      movq    %rsp, harness_isp(%rip)
        XMMS_IN
        GPRS    movq, harness_in, %rip
        stc
        std
        call    cbridge_asyncPreempt
harness_preempt_pc:
        STORE_OUT
        RESTORE_CALLER
