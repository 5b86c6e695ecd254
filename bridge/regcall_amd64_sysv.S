/* SPDX-License-Identifier: MIT */
/* void cbridge_regcall(struct RegFrame* f)
 *
 * Calls f->fn with every argument register of the System V AMD64 ABI loaded
 * from f and stores its integer and SSE results back: the prepared call's
 * fast path (bridge/prepared_call.cpp) for signatures whose arguments all
 * travel in registers (at most 6 of the INTEGER class, at most 8 of the
 * SSE class, no struct, no long double). A callee reads only the
 * registers its prototype names, so loading all of them is harmless, and
 * %al holds the number of SSE registers used, which a variadic callee
 * needs and every other callee ignores. This is what libffi's
 * ffi_call_unix64 does once ffi_call has classified the arguments; the
 * prepared call classifies them once, when it is made.
 *
 * It has cgocall's signature, void(void*), so that it is itself the
 * foreign part of the call: the frame is filled before the call and read
 * after it, and nothing else runs on the system stack.
 *
 * RegFrame (prepared_call.hpp): gpr[6] at 0, sse[8] at 48, nsse at 112,
 * rax at 120, xmm0 at 128, fn at 136.
 */
        .text
        .globl  cbridge_regcall
        .hidden cbridge_regcall
        .type   cbridge_regcall, @function
        .p2align 4
cbridge_regcall:
        .cfi_startproc
        pushq   %rbp
        .cfi_def_cfa_offset 16
        .cfi_offset %rbp, -16
        movq    %rsp, %rbp
        .cfi_def_cfa_register %rbp
        pushq   %rbx
        .cfi_offset %rbx, -24
        subq    $8, %rsp                /* 16-byte aligned at the call */
        movq    %rdi, %rbx              /* f, kept across the call */
        movq    136(%rbx), %r11
        movq    48(%rbx), %xmm0
        movq    56(%rbx), %xmm1
        movq    64(%rbx), %xmm2
        movq    72(%rbx), %xmm3
        movq    80(%rbx), %xmm4
        movq    88(%rbx), %xmm5
        movq    96(%rbx), %xmm6
        movq    104(%rbx), %xmm7
        movq    0(%rbx), %rdi
        movq    8(%rbx), %rsi
        movq    16(%rbx), %rdx
        movq    24(%rbx), %rcx
        movq    32(%rbx), %r8
        movq    40(%rbx), %r9
        movq    112(%rbx), %rax
        call    *%r11
        movq    %rax, 120(%rbx)
        movq    %xmm0, 128(%rbx)
        movq    -8(%rbp), %rbx
        movq    %rbp, %rsp
        popq    %rbp
        .cfi_def_cfa %rsp, 8
        ret
        .cfi_endproc
        .size   cbridge_regcall, .-cbridge_regcall
        .section .note.GNU-stack,"",@progbits
