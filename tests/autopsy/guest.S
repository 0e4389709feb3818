/* The autopsy test's guests: a 64 KiB -bios image each, no OS. The CPU
 * starts in real mode at F000:FFF0 (the reset vector, the image's last 16
 * bytes) and jumps to one of:
 *
 *   GUEST_SPIN   jmp . forever: a vCPU that runs guest code all the time
 *   GUEST_HALT   cli; hlt forever: a halted vCPU, sleeping in the host
 *   GUEST_WRITE  writes 64 KiB to sector 0 of a legacy virtio-blk disk
 *                (PCI 1af4:1001) again and again, polling for each
 *                completion: a guest with a request in flight whenever
 *                the host holds one back (virtio 0.9.5 legacy interface:
 *                I/O BAR registers, one 256-entry queue at 64 KiB)
 *
 * Built by tests/autopsy/check with as --32 and ld -Ttext 0 --oformat
 * binary: code at the image's start (linear F0000), vector at FFF0. */
	.code16
	.text
	.globl	start
start:
	cli
	xorw	%ax, %ax
	movw	%ax, %ss
	movw	$0x7000, %sp
#if defined(GUEST_SPIN)
spin:	jmp	spin
#elif defined(GUEST_HALT)
halt:	hlt
	jmp	halt
#elif defined(GUEST_WRITE)
	/* PCI configuration mechanism 1: bus 0, every device, function 0 */
	movl	$0x80000000, %ebx
scan:	movl	%ebx, %eax
	movw	$0xcf8, %dx
	outl	%eax, %dx
	movw	$0xcfc, %dx
	inl	%dx, %eax
	cmpl	$0x10011af4, %eax	/* virtio-blk, transitional */
	je	found
	addl	$0x800, %ebx
	cmpl	$0x80010000, %ebx
	jb	scan
nodev:	hlt
	jmp	nodev
found:	/* BAR0 = I/O port 0xc000; command = I/O space + bus master */
	leal	0x10(%ebx), %eax
	movw	$0xcf8, %dx
	outl	%eax, %dx
	movl	$0xc000, %eax
	movw	$0xcfc, %dx
	outl	%eax, %dx
	leal	0x04(%ebx), %eax
	movw	$0xcf8, %dx
	outl	%eax, %dx
	movl	$0x5, %eax
	movw	$0xcfc, %dx
	outl	%eax, %dx
	/* status: reset, ACKNOWLEDGE, DRIVER; no features; queue 0 at PFN 0x10 */
	movw	$0xc012, %dx
	xorb	%al, %al
	outb	%al, %dx
	movb	$1, %al
	outb	%al, %dx
	movb	$3, %al
	outb	%al, %dx
	movw	$0xc004, %dx
	xorl	%eax, %eax
	outl	%eax, %dx
	movw	$0xc00e, %dx
	xorw	%ax, %ax
	outw	%ax, %dx
	movw	$0xc008, %dx
	movl	$0x10, %eax
	outl	%eax, %dx
	movw	$0xc012, %dx
	movb	$7, %al			/* DRIVER_OK */
	outb	%al, %dx
	/* the request header at 0x20000: type 1 (write), sector 0 */
	movw	$0x2000, %ax
	movw	%ax, %es
	movl	$1, %es:0
	/* three descriptors at 0x10000: header, 64 KiB data at 0x30000, status */
	movw	$0x1000, %ax
	movw	%ax, %es
	movl	$0x20000, %es:0x00
	movl	$16, %es:0x08
	movw	$1, %es:0x0c		/* NEXT */
	movw	$1, %es:0x0e
	movl	$0x30000, %es:0x10
	movl	$0x10000, %es:0x18
	movw	$1, %es:0x1c		/* NEXT, read by the device */
	movw	$2, %es:0x1e
	movl	$0x20010, %es:0x20
	movl	$1, %es:0x28
	movw	$2, %es:0x2c		/* WRITE: the device's status byte */
	/* avail ring at +4096 (flags, idx, ring[]), used ring at +8192 */
again:	movw	%es:0x1002, %bx
	movw	%bx, %di
	andw	$255, %di
	shlw	$1, %di
	movw	$0, %es:0x1004(%di)
	incw	%bx
	movw	%bx, %es:0x1002
	movw	$0xc010, %dx		/* notify queue 0 */
	xorw	%ax, %ax
	outw	%ax, %dx
wait:	cmpw	%es:0x2002, %bx
	jne	wait
	jmp	again
#else
#error "define GUEST_SPIN, GUEST_HALT or GUEST_WRITE"
#endif
	.org	0xfff0, 0xff
reset:	ljmp	$0xf000, $start
	.org	0x10000, 0xff
