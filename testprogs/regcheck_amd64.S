/* SPDX-License-Identifier: MIT */
// regcheck_loop(n, avx) (scenarios_preempt.cpp, PreemptedTaskKeepsItsRegisters):
// keeps known values in 14 general registers (all but rsp and r11, the
// scratch register) and in xmm0-xmm14 (ymm0-ymm14 when avx != 0; xmm15 or
// ymm15 is the scratch vector), and checks every one of them in each of n
// rounds. The round counter lives in memory, decremented with the flags
// live between `decq` and `jnz`. Returns 0 when all held, 1 at the first
// mismatch. A preemption that lost or mixed up any register's value, or the
// flags, makes it return 1.
        .text
        .globl  regcheck_loop
        .type   regcheck_loop, @function
        .p2align 4
regcheck_loop:
        pushq   %rbx
        pushq   %rbp
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        subq    $16, %rsp
        movq    %rdi, 0(%rsp)
        movl    %esi, 8(%rsp)
        testl   %esi, %esi
        jz      1f
        vmovdqa vtab+0(%rip), %ymm0
        vmovdqa vtab+32(%rip), %ymm1
        vmovdqa vtab+64(%rip), %ymm2
        vmovdqa vtab+96(%rip), %ymm3
        vmovdqa vtab+128(%rip), %ymm4
        vmovdqa vtab+160(%rip), %ymm5
        vmovdqa vtab+192(%rip), %ymm6
        vmovdqa vtab+224(%rip), %ymm7
        vmovdqa vtab+256(%rip), %ymm8
        vmovdqa vtab+288(%rip), %ymm9
        vmovdqa vtab+320(%rip), %ymm10
        vmovdqa vtab+352(%rip), %ymm11
        vmovdqa vtab+384(%rip), %ymm12
        vmovdqa vtab+416(%rip), %ymm13
        vmovdqa vtab+448(%rip), %ymm14
        jmp     2f
1:
        movdqa  vtab+0(%rip), %xmm0
        movdqa  vtab+32(%rip), %xmm1
        movdqa  vtab+64(%rip), %xmm2
        movdqa  vtab+96(%rip), %xmm3
        movdqa  vtab+128(%rip), %xmm4
        movdqa  vtab+160(%rip), %xmm5
        movdqa  vtab+192(%rip), %xmm6
        movdqa  vtab+224(%rip), %xmm7
        movdqa  vtab+256(%rip), %xmm8
        movdqa  vtab+288(%rip), %xmm9
        movdqa  vtab+320(%rip), %xmm10
        movdqa  vtab+352(%rip), %xmm11
        movdqa  vtab+384(%rip), %xmm12
        movdqa  vtab+416(%rip), %xmm13
        movdqa  vtab+448(%rip), %xmm14
2:
        movq    gtab+0(%rip), %rax
        movq    gtab+8(%rip), %rbx
        movq    gtab+16(%rip), %rcx
        movq    gtab+24(%rip), %rdx
        movq    gtab+32(%rip), %rsi
        movq    gtab+40(%rip), %rdi
        movq    gtab+48(%rip), %rbp
        movq    gtab+56(%rip), %r8
        movq    gtab+64(%rip), %r9
        movq    gtab+72(%rip), %r10
        movq    gtab+80(%rip), %r12
        movq    gtab+88(%rip), %r13
        movq    gtab+96(%rip), %r14
        movq    gtab+104(%rip), %r15
3:
        cmpq    gtab+0(%rip), %rax
        jne     9f
        cmpq    gtab+8(%rip), %rbx
        jne     9f
        cmpq    gtab+16(%rip), %rcx
        jne     9f
        cmpq    gtab+24(%rip), %rdx
        jne     9f
        cmpq    gtab+32(%rip), %rsi
        jne     9f
        cmpq    gtab+40(%rip), %rdi
        jne     9f
        cmpq    gtab+48(%rip), %rbp
        jne     9f
        cmpq    gtab+56(%rip), %r8
        jne     9f
        cmpq    gtab+64(%rip), %r9
        jne     9f
        cmpq    gtab+72(%rip), %r10
        jne     9f
        cmpq    gtab+80(%rip), %r12
        jne     9f
        cmpq    gtab+88(%rip), %r13
        jne     9f
        cmpq    gtab+96(%rip), %r14
        jne     9f
        cmpq    gtab+104(%rip), %r15
        jne     9f
        testl   $1, 8(%rsp)
        jz      4f
        vpcmpeqb vtab+0(%rip), %ymm0, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        vpcmpeqb vtab+32(%rip), %ymm1, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        vpcmpeqb vtab+64(%rip), %ymm2, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        vpcmpeqb vtab+96(%rip), %ymm3, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        vpcmpeqb vtab+128(%rip), %ymm4, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        vpcmpeqb vtab+160(%rip), %ymm5, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        vpcmpeqb vtab+192(%rip), %ymm6, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        vpcmpeqb vtab+224(%rip), %ymm7, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        vpcmpeqb vtab+256(%rip), %ymm8, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        vpcmpeqb vtab+288(%rip), %ymm9, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        vpcmpeqb vtab+320(%rip), %ymm10, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        vpcmpeqb vtab+352(%rip), %ymm11, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        vpcmpeqb vtab+384(%rip), %ymm12, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        vpcmpeqb vtab+416(%rip), %ymm13, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        vpcmpeqb vtab+448(%rip), %ymm14, %ymm15
        vpmovmskb %ymm15, %r11d
        cmpl    $-1, %r11d
        jne     9f
        jmp     5f
4:
        movdqa  %xmm0, %xmm15
        pcmpeqb vtab+0(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
        movdqa  %xmm1, %xmm15
        pcmpeqb vtab+32(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
        movdqa  %xmm2, %xmm15
        pcmpeqb vtab+64(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
        movdqa  %xmm3, %xmm15
        pcmpeqb vtab+96(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
        movdqa  %xmm4, %xmm15
        pcmpeqb vtab+128(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
        movdqa  %xmm5, %xmm15
        pcmpeqb vtab+160(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
        movdqa  %xmm6, %xmm15
        pcmpeqb vtab+192(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
        movdqa  %xmm7, %xmm15
        pcmpeqb vtab+224(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
        movdqa  %xmm8, %xmm15
        pcmpeqb vtab+256(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
        movdqa  %xmm9, %xmm15
        pcmpeqb vtab+288(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
        movdqa  %xmm10, %xmm15
        pcmpeqb vtab+320(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
        movdqa  %xmm11, %xmm15
        pcmpeqb vtab+352(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
        movdqa  %xmm12, %xmm15
        pcmpeqb vtab+384(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
        movdqa  %xmm13, %xmm15
        pcmpeqb vtab+416(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
        movdqa  %xmm14, %xmm15
        pcmpeqb vtab+448(%rip), %xmm15
        pmovmskb %xmm15, %r11d
        cmpl    $0xffff, %r11d
        jne     9f
5:
        decq    0(%rsp)
        jnz     3b
        xorl    %eax, %eax
        jmp     8f
9:
        movl    $1, %eax
8:
        testl   $1, 8(%rsp)
        jz      7f
        vzeroupper
7:
        addq    $16, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbp
        popq    %rbx
        ret
        .size   regcheck_loop, .-regcheck_loop

        .section .rodata
        .p2align 5
gtab:
        .quad   0x1032547698badcfe
        .quad   0x23016745ab89efcd
        .quad   0x32107654ba98fedc
        .quad   0x45670123cdef89ab
        .quad   0x54761032dcfe98ba
        .quad   0x67452301efcdab89
        .quad   0x76543210fedcba98
        .quad   0x89abcdef01234567
        .quad   0x98badcfe10325476
        .quad   0xab89efcd23016745
        .quad   0xba98fedc32107654
        .quad   0xcdef89ab45670123
        .quad   0xdcfe98ba54761032
        .quad   0xefcdab8967452301
        .p2align 5
vtab:
        .byte   1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32
        .byte   33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64
        .byte   65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96
        .byte   97,98,99,100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,115,116,117,118,119,120,121,122,123,124,125,126,127,128
        .byte   129,130,131,132,133,134,135,136,137,138,139,140,141,142,143,144,145,146,147,148,149,150,151,152,153,154,155,156,157,158,159,160
        .byte   161,162,163,164,165,166,167,168,169,170,171,172,173,174,175,176,177,178,179,180,181,182,183,184,185,186,187,188,189,190,191,192
        .byte   193,194,195,196,197,198,199,200,201,202,203,204,205,206,207,208,209,210,211,212,213,214,215,216,217,218,219,220,221,222,223,224
        .byte   225,226,227,228,229,230,231,232,233,234,235,236,237,238,239,240,241,242,243,244,245,246,247,248,249,250,251,252,253,254,255,0
        .byte   1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32
        .byte   33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64
        .byte   65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96
        .byte   97,98,99,100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,115,116,117,118,119,120,121,122,123,124,125,126,127,128
        .byte   129,130,131,132,133,134,135,136,137,138,139,140,141,142,143,144,145,146,147,148,149,150,151,152,153,154,155,156,157,158,159,160
        .byte   161,162,163,164,165,166,167,168,169,170,171,172,173,174,175,176,177,178,179,180,181,182,183,184,185,186,187,188,189,190,191,192
        .byte   193,194,195,196,197,198,199,200,201,202,203,204,205,206,207,208,209,210,211,212,213,214,215,216,217,218,219,220,221,222,223,224

        .section .note.GNU-stack,"",@progbits
