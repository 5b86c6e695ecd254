/* SPDX-License-Identifier: MIT */
/* void cbridge_regcall(struct RegFrame* f)
 *
 * The Win64 cbridge_regcall (regcall_amd64_sysv.S is the SysV one): calls
 * f->fn with the argument registers of the Microsoft x64 ABI loaded from
 * f and stores its integer and SSE results back, for signatures whose
 * arguments all travel in registers: at most 4, each of at most 8 bytes,
 * no struct, no long double. The Microsoft rule is positional: the i-th
 * argument goes in the i-th of rcx, rdx, r8, r9 if it is an integer or a
 * pointer, in xmm<i> if it is a float or a double, and a variadic callee
 * wants a double in both (it spills the four integer registers to its
 * shadow space and reads its arguments from there). So each position has
 * one 8-byte slot, f->gpr[i], and both registers of the position are
 * loaded from it: the one the prototype names is right, the other is
 * ignored by a fixed-argument callee and is what a variadic callee needs.
 * The SysV fields past the fourth slot (gpr[4-5], sse[], nsse) are not
 * read: the ABI has no register count for variadic calls.
 *
 * It has cgocall's signature, void(void*), as the SysV one does: it is
 * itself the foreign part of the call.
 *
 * RegFrame (prepared_call.hpp), the same struct as on SysV: the slots
 * gpr[0-3] at 0, 8, 16, 24; rax at 120, xmm0 at 128, fn at 136.
 * Frame: rbx (f, kept across the call) below the return address, then
 * the callee's 32-byte shadow space, which leaves rsp 16-byte aligned.
 */
        .text
        .globl  cbridge_regcall
        .def    cbridge_regcall; .scl 2; .type 32; .endef
        .seh_proc cbridge_regcall
        .p2align 4
cbridge_regcall:
        pushq   %rbx
        .seh_pushreg %rbx
        subq    $32, %rsp
        .seh_stackalloc 32
        .seh_endprologue
        movq    %rcx, %rbx
        movq    136(%rbx), %rax
        movq    0(%rbx), %rcx
        movq    8(%rbx), %rdx
        movq    16(%rbx), %r8
        movq    24(%rbx), %r9
        movq    %rcx, %xmm0
        movq    %rdx, %xmm1
        movq    %r8, %xmm2
        movq    %r9, %xmm3
        call    *%rax
        movq    %rax, 120(%rbx)
        movq    %xmm0, 128(%rbx)
        addq    $32, %rsp
        popq    %rbx
        ret
        .seh_endproc
