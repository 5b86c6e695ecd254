// SPDX-License-Identifier: MIT
// Boost.Context's fcontext for Win64 (x86-64, Microsoft ABI), in GNU as
// for x86_64-w64-mingw32: Debian ships no mingw build of Boost.Context,
// and the scheduler needs only these three functions (declared in
// runtime/fcontext_win64.hpp, with Boost's names and semantics).
//
// A context is the stack pointer of a stopped switch: below the return
// address of its jump_fcontext call lies everything the Microsoft ABI
// says a callee must preserve, and the thread's stack description in the
// TEB. Windows reads the latter (StackBase, StackLimit,
// DeallocationStack) to accept a frame during exception dispatch and
// unwinding, and to grow a stack, so a task running on its own stack must
// be described there as the thread's stack while it runs: the switch
// carries them, and FiberData (what GetCurrentFiber returns), along with
// the registers. A task that resumes on another thread installs its own
// description in that thread's TEB. It carries ExceptionList too, which
// Win64 itself does not use but Wine does, for handlers of its own that it
// calls once an unwind passes their (lower) address: a task stack above
// the thread's would pass them at its first frame, so a task starts with
// an empty list (-1, its end).
//
// transfer_t is 16 bytes, so the ABI returns it through a hidden pointer
// the caller passes in rcx (the arguments move one register right:
// to = rdx, vp = r8, fn = r9) and returns that pointer in rax; a
// context-function's transfer_t argument is passed by reference, in rcx.
// The hidden pointer of each stopped call is kept in its frame: whoever
// resumes it writes {the context it left, its data} there.
//
// Frame of a stopped context, at its fcontext_t (16-byte aligned):
//   0x000-0x09f  xmm6-xmm15
//   0x0a0        MXCSR (4 bytes), 0x0a4 x87 control word (2 bytes)
//   0x0a8        TEB FiberData (gs:0x20)
//   0x0b0        TEB DeallocationStack (gs:0x1478)
//   0x0b8        TEB StackLimit (gs:0x10)
//   0x0c0        TEB StackBase (gs:0x08)
//   0x0c8 rbx, 0x0d0 rbp, 0x0d8 rdi, 0x0e0 rsi,
//   0x0e8 r12, 0x0f0 r13, 0x0f8 r14, 0x100 r15
//   0x108        the hidden pointer for this context's transfer_t
//   0x110        TEB ExceptionList (gs:0x00)
//   0x118        return address
#define FRAME 0x118

	.text

// SAVE stores the caller's preserved state below its return address and
// leaves rsp at the frame. Clobbers rax.
.macro SAVE
	subq	$FRAME, %rsp
	movaps	%xmm6, 0x00(%rsp)
	movaps	%xmm7, 0x10(%rsp)
	movaps	%xmm8, 0x20(%rsp)
	movaps	%xmm9, 0x30(%rsp)
	movaps	%xmm10, 0x40(%rsp)
	movaps	%xmm11, 0x50(%rsp)
	movaps	%xmm12, 0x60(%rsp)
	movaps	%xmm13, 0x70(%rsp)
	movaps	%xmm14, 0x80(%rsp)
	movaps	%xmm15, 0x90(%rsp)
	stmxcsr	0xa0(%rsp)
	fnstcw	0xa4(%rsp)
	movq	%gs:0x20, %rax
	movq	%rax, 0xa8(%rsp)
	movq	%gs:0x1478, %rax
	movq	%rax, 0xb0(%rsp)
	movq	%gs:0x10, %rax
	movq	%rax, 0xb8(%rsp)
	movq	%gs:0x08, %rax
	movq	%rax, 0xc0(%rsp)
	movq	%rbx, 0xc8(%rsp)
	movq	%rbp, 0xd0(%rsp)
	movq	%rdi, 0xd8(%rsp)
	movq	%rsi, 0xe0(%rsp)
	movq	%r12, 0xe8(%rsp)
	movq	%r13, 0xf0(%rsp)
	movq	%r14, 0xf8(%rsp)
	movq	%r15, 0x100(%rsp)
	movq	%rcx, 0x108(%rsp)
	movq	%gs:0x00, %rax
	movq	%rax, 0x110(%rsp)
.endm

// RESTORE loads the frame at rsp and leaves rsp at its return address,
// and rax = its hidden pointer. Clobbers r10; keeps r8, r9, r11.
.macro RESTORE
	movaps	0x00(%rsp), %xmm6
	movaps	0x10(%rsp), %xmm7
	movaps	0x20(%rsp), %xmm8
	movaps	0x30(%rsp), %xmm9
	movaps	0x40(%rsp), %xmm10
	movaps	0x50(%rsp), %xmm11
	movaps	0x60(%rsp), %xmm12
	movaps	0x70(%rsp), %xmm13
	movaps	0x80(%rsp), %xmm14
	movaps	0x90(%rsp), %xmm15
	ldmxcsr	0xa0(%rsp)
	fldcw	0xa4(%rsp)
	movq	0xa8(%rsp), %r10
	movq	%r10, %gs:0x20
	movq	0xb0(%rsp), %r10
	movq	%r10, %gs:0x1478
	movq	0xb8(%rsp), %r10
	movq	%r10, %gs:0x10
	movq	0xc0(%rsp), %r10
	movq	%r10, %gs:0x08
	movq	0xc8(%rsp), %rbx
	movq	0xd0(%rsp), %rbp
	movq	0xd8(%rsp), %rdi
	movq	0xe0(%rsp), %rsi
	movq	0xe8(%rsp), %r12
	movq	0xf0(%rsp), %r13
	movq	0xf8(%rsp), %r14
	movq	0x100(%rsp), %r15
	movq	0x110(%rsp), %r10
	movq	%r10, %gs:0x00
	movq	0x108(%rsp), %rax
	addq	$FRAME, %rsp
.endm

// transfer_t jump_fcontext(fcontext_t to /* rdx */, void* vp /* r8 */),
// result at rcx: stops here and resumes to, whose pending jump_fcontext
// returns {this context, vp}.
	.globl	jump_fcontext
	.def	jump_fcontext; .scl 2; .type 32; .endef
	.seh_proc jump_fcontext
jump_fcontext:
	.seh_endprologue
	SAVE
	movq	%rsp, %r9
	movq	%rdx, %rsp
	RESTORE
	movq	%r9, 0(%rax)
	movq	%r8, 8(%rax)
	ret
	.seh_endproc

// transfer_t ontop_fcontext(fcontext_t to /* rdx */, void* vp /* r8 */,
// transfer_t (*fn)(transfer_t) /* r9 */), result at rcx: as jump_fcontext,
// but on to's stack fn({this context, vp}) runs first, and what it returns
// is what to's pending jump_fcontext returns.
	.globl	ontop_fcontext
	.def	ontop_fcontext; .scl 2; .type 32; .endef
	.seh_proc ontop_fcontext
ontop_fcontext:
	.seh_endprologue
	SAVE
	movq	%rsp, %r11
	movq	%rdx, %rsp
	RESTORE
	movq	%r11, 0(%rax)
	movq	%r8, 8(%rax)
	jmp	cbridge_fcontext_ontop
	.seh_endproc

// cbridge_fcontext_ontop calls fn (r9) as if to's pending jump_fcontext
// had: rsp is at its return address, rax at its result. fn gets its own
// copy of the argument, as a compiled caller would give it, since the ABI
// lets it write its result before it has read its argument.
// Frame: 0x00-0x1f fn's shadow space, 0x20 the argument copy, 0x30
// alignment, 0x38 the return address into to's code.
	.def	cbridge_fcontext_ontop; .scl 3; .type 32; .endef
	.seh_proc cbridge_fcontext_ontop
cbridge_fcontext_ontop:
	subq	$0x38, %rsp
	.seh_stackalloc 0x38
	.seh_endprologue
	movq	0(%rax), %r10
	movq	%r10, 0x20(%rsp)
	movq	8(%rax), %r10
	movq	%r10, 0x28(%rsp)
	movq	%rax, %rcx
	leaq	0x20(%rsp), %rdx
	call	*%r9
	addq	$0x38, %rsp
	ret
	.seh_endproc

// fcontext_t make_fcontext(void* sp /* rcx */, size_t size /* rdx */,
// void (*fn)(transfer_t) /* r8 */): a context that, when first resumed,
// calls fn on the stack [sp-size, sp). Below the 16-byte-aligned top:
//   top-0x010  the transfer_t fn gets (the frame's hidden pointer)
//   top-0x030  fn's shadow space
//   top-0x038  return address: cbridge_fcontext_start
//   top-0x150  the frame: rbx = fn; the stack [sp-size, sp), no fiber
//              data, an empty ExceptionList; the caller's control words;
//              rbp 0 (the end of a frame-pointer walk); the registers a
//              fresh context has no value for are left as they are
// fn must not return: if it does the process exits with status 0, as
// with Boost.
	.globl	make_fcontext
	.def	make_fcontext; .scl 2; .type 32; .endef
	.seh_proc make_fcontext
make_fcontext:
	.seh_endprologue
	movq	%rcx, %rax
	andq	$-16, %rax
	subq	$(FRAME + 8 + 0x20 + 0x10), %rax
	stmxcsr	0xa0(%rax)
	fnstcw	0xa4(%rax)
	movq	$0, 0xa8(%rax)
	movq	%rcx, 0xc0(%rax)
	subq	%rdx, %rcx
	movq	%rcx, 0xb0(%rax)
	movq	%rcx, 0xb8(%rax)
	movq	%r8, 0xc8(%rax)
	movq	$0, 0xd0(%rax)
	movq	$-1, 0x110(%rax)
	leaq	(FRAME + 8 + 0x20)(%rax), %rcx
	movq	%rcx, 0x108(%rax)
	leaq	cbridge_fcontext_start(%rip), %rcx
	movq	%rcx, FRAME(%rax)
	ret
	.seh_endproc

// void cbridge_fcontext_set_reservation(fcontext_t ctx /* rcx */,
// void* lo /* rdx */): ctx, fresh from make_fcontext, installs lo, not
// the bottom of the stack it was made with, as the TEB's
// DeallocationStack: the stack's reservation begins below it, with its
// guard pages (runtime/os_windows.cpp, sysStackGuard), which Windows
// treats as the stack's only between DeallocationStack and StackLimit.
	.globl	cbridge_fcontext_set_reservation
	.def	cbridge_fcontext_set_reservation; .scl 2; .type 32; .endef
	.seh_proc cbridge_fcontext_set_reservation
cbridge_fcontext_set_reservation:
	.seh_endprologue
	movq	%rdx, 0xb0(%rcx)
	ret
	.seh_endproc

// A fresh context's first resume returns here, rax = its transfer_t and
// rsp 16-byte aligned at fn's shadow space.
	.def	cbridge_fcontext_start; .scl 3; .type 32; .endef
cbridge_fcontext_start:
	movq	%rax, %rcx
	call	*%rbx
	xorl	%ecx, %ecx
	call	_exit

// void cbridge_fcontext_start_above_asmcgocall(fcontext_t ctx /* rcx */):
// ctx, fresh from make_fcontext with its top at a cbridge_asmcgocall
// frame (the inuse that asmcgocall gives, 16-byte aligned: the frame's
// rbp), starts as any fresh context but, once running, unwinds into that
// frame: its start is cbridge_fcontext_start_above, whose unwind is the
// 0x30 bytes below the top, then asmcgocall's frame (0x30 bytes of its
// own, the caller's rbp, the return address). A callback's g0, made on
// the calling thread's stack below the switch (cgocallback.cpp), is one:
// an exception raised in a foreign call that a callback's task makes
// searches that thread's frames for handlers, down to its start
// (asmcgocall_amd64_win64.S), as it would without cbridge between them.
	.globl	cbridge_fcontext_start_above_asmcgocall
	.def	cbridge_fcontext_start_above_asmcgocall; .scl 2; .type 32; .endef
	.seh_proc cbridge_fcontext_start_above_asmcgocall
cbridge_fcontext_start_above_asmcgocall:
	.seh_endprologue
	leaq	cbridge_fcontext_start_above(%rip), %rax
	movq	%rax, FRAME(%rcx)
	ret
	.seh_endproc

// The prologue's bytes are never run (the start is the label after
// them): they only carry the unwind codes, as a frame that pushed rbp
// and took 0x60 bytes would.
	.def	cbridge_fcontext_start_above_frame; .scl 3; .type 32; .endef
	.seh_proc cbridge_fcontext_start_above_frame
cbridge_fcontext_start_above_frame:
	int3
	.seh_pushreg %rbp
	int3
	.seh_stackalloc 0x60
	.seh_endprologue
cbridge_fcontext_start_above:
	movq	%rax, %rcx
	call	*%rbx
	xorl	%ecx, %ecx
	call	_exit
	.seh_endproc
