// SPDX-License-Identifier: MIT
// The two places bridge/ffi_win64 (a libffi for Win64) needs the machine:
// a call with arguments laid out as the Microsoft x64 ABI wants them, and
// the common entry of closures. Which argument goes where was decided in
// C++ (bridge/ffi_win64/ffi_win64.cpp); here each argument is one 8-byte
// slot, and the first four slots travel in registers.
//
// The first four slots are loaded into both rcx, rdx, r8, r9 and
// xmm0-xmm3, whatever their types: a callee reads the register its
// parameter's type names and ignores the other, and a variadic callee,
// which does not know the types, finds a floating-point argument in both,
// as the ABI asks of a variadic call.

	.text

// void cbridge_ffi_call_win64(const uint64_t* slots /* rcx */,
//     size_t nslots /* rdx, at least 4 */, void* fn /* r8 */,
//     uint64_t ret[2] /* r9 */): calls fn with the slots as its
// arguments (the first four in registers, and all of them in the shadow
// space and stack above its return address) and stores rax in ret[0],
// xmm0 in ret[1].
// Frame, from rbp up: the saved rbx (where rbp points), the saved rbp,
// the return address. Below rbp: the slots, rounded to keep the call's
// stack 16-byte aligned.
	.globl	cbridge_ffi_call_win64
	.def	cbridge_ffi_call_win64; .scl 2; .type 32; .endef
	.seh_proc cbridge_ffi_call_win64
cbridge_ffi_call_win64:
	pushq	%rbp
	.seh_pushreg %rbp
	pushq	%rbx
	.seh_pushreg %rbx
	movq	%rsp, %rbp
	.seh_setframe %rbp, 0
	.seh_endprologue
	movq	%r9, %rbx
	leaq	15(,%rdx,8), %rax
	andq	$-16, %rax
	addq	$8, %rax		// the two pushes left rsp 8 off 16
	subq	%rax, %rsp
	xorl	%r10d, %r10d
1:	movq	(%rcx,%r10,8), %rax
	movq	%rax, (%rsp,%r10,8)
	incq	%r10
	cmpq	%rdx, %r10
	jb	1b
	movq	%r8, %r11
	movq	0x00(%rsp), %rcx
	movq	0x08(%rsp), %rdx
	movq	0x10(%rsp), %r8
	movq	0x18(%rsp), %r9
	movq	%rcx, %xmm0
	movq	%rdx, %xmm1
	movq	%r8, %xmm2
	movq	%r9, %xmm3
	call	*%r11
	movq	%rax, 0(%rbx)
	movq	%xmm0, 8(%rbx)
	leaq	0(%rbp), %rsp
	popq	%rbx
	popq	%rbp
	ret
	.seh_endproc

// cbridge_ffi_closure_win64 is where every closure's trampoline jumps,
// with r10 = the closure and the closure's caller's frame untouched: its
// return address at rsp, then the shadow space, then its stack arguments.
// It spills rcx, rdx, r8, r9 to the shadow space, so that the slots of all
// the arguments lie in one array, and xmm0-xmm3 to its own frame, and
// calls
//   cbridge_ffi_closure_dispatch(closure, slots, xmm spills, result)
// which calls the closure's function and leaves in result what goes back
// in rax and xmm0 (it reads the argument of the type it expects, and
// puts an integer result where rax comes from, a floating-point one where
// xmm0 does: one 8-byte word serves both).
// Frame, from rsp up: 0x00 the dispatcher's shadow space, 0x20 xmm0-xmm3
// (8 bytes each), 0x40 the result, 0x48 alignment, 0x58 the return
// address, 0x60 the slots.
	.globl	cbridge_ffi_closure_win64
	.def	cbridge_ffi_closure_win64; .scl 2; .type 32; .endef
	.seh_proc cbridge_ffi_closure_win64
cbridge_ffi_closure_win64:
	subq	$0x58, %rsp
	.seh_stackalloc 0x58
	.seh_endprologue
	movq	%rcx, 0x60(%rsp)
	movq	%rdx, 0x68(%rsp)
	movq	%r8, 0x70(%rsp)
	movq	%r9, 0x78(%rsp)
	movq	%xmm0, 0x20(%rsp)
	movq	%xmm1, 0x28(%rsp)
	movq	%xmm2, 0x30(%rsp)
	movq	%xmm3, 0x38(%rsp)
	movq	%r10, %rcx
	leaq	0x60(%rsp), %rdx
	leaq	0x20(%rsp), %r8
	leaq	0x40(%rsp), %r9
	call	cbridge_ffi_closure_dispatch
	movq	0x40(%rsp), %rax
	movq	%rax, %xmm0
	addq	$0x58, %rsp
	ret
	.seh_endproc
