/* SPDX-License-Identifier: MIT */
/* void cbridge_asmcgocall(void (*fn)(void*, uintptr_t), void* arg, void* sp)
 *
 * Calls fn(arg, inuse) with the stack pointer set to sp (16-byte aligned,
 * on the other stack) and returns on the caller's stack: Go's asmcgocall.
 * Only the stack pointer changes hands, so this costs a few instructions
 * where a context switch costs a register save and restore each way. The
 * frame pointer keeps the caller's stack pointer, so debuggers unwind
 * through. inuse is the lowest address of the caller's stack that stays
 * in use while fn runs (our saved %rbp): everything below it is free
 * until we return, and nothing else writes there, since no code runs on
 * the caller's stack meanwhile (see stack_switch.hpp).
 */
        .text
        .globl  cbridge_asmcgocall
        .hidden cbridge_asmcgocall   /* internal: -fvisibility does not reach assembly */
        .type   cbridge_asmcgocall, @function
        .p2align 4
cbridge_asmcgocall:
        .cfi_startproc
        pushq   %rbp
        .cfi_def_cfa_offset 16
        .cfi_offset %rbp, -16
        movq    %rsp, %rbp
        .cfi_def_cfa_register %rbp
        movq    %rdx, %rsp
        movq    %rdi, %rax
        movq    %rsi, %rdi
        movq    %rbp, %rsi
        call    *%rax
        movq    %rbp, %rsp
        popq    %rbp
        .cfi_def_cfa %rsp, 8
        ret
        .cfi_endproc
        .size   cbridge_asmcgocall, .-cbridge_asmcgocall
        .section .note.GNU-stack,"",@progbits
