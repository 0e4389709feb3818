/* lib/trapline: every form of the kernel's user-space trap line, as
 * arch/x86/kernel/traps.c, arch/x86/mm/fault.c and mm/memory.c's
 * print_vma_addr have printed them, with the prefixes readers leave. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/kmsg.h"
#include "lib/trapline.h"

static void test_do_trap(void **state)
{
	struct trap_line t;

	(void)state;
	assert_int_equal(trap_parse("bun[77] trap invalid opcode ip:4a1b2c sp:7ffe error:0 in bun[400000+1000]", &t), 0);
	assert_string_equal(t.kind, "invalid opcode");
	assert_string_equal(t.comm, "bun");
	assert_int_equal(t.pid, 77);
	assert_string_equal(t.file, "bun");
	assert_true(t.has_map && !t.has_offset);
	assert_true(t.ip == 0x4a1b2c && t.base == 0x400000 && t.size == 0x1000);
	assert_true(t.has_sp && t.sp == 0x7ffe && t.has_error && t.error == 0);
	assert_false(t.has_addr || t.has_cpu);

	/* 6.x: the file offset of ip before the mapping; dmesg's timestamp. */
	assert_int_equal(trap_parse("[ 2013.27] traps: mainv[2334] trap invalid opcode ip:7f25b1a65100 "
				    "sp:7fff7d131fd8 error:0 in libvnni.so[1100,7f25b1a65000+1000]", &t), 0);
	assert_string_equal(t.comm, "mainv");
	assert_string_equal(t.file, "libvnni.so");
	assert_true(t.has_offset && t.offset == 0x1100);
	assert_true(t.base == 0x7f25b1a65000ULL && t.size == 0x1000 && t.ip == 0x7f25b1a65100ULL);

	assert_int_equal(trap_parse("traps: a.out[9] trap divide error ip:401136 sp:7ffc error:0 in a.out[401000+1000]", &t), 0);
	assert_string_equal(t.kind, "divide error");
	assert_int_equal(trap_parse("traps: gdb[5] trap int3 ip:401136 sp:7ffc error:0", &t), 0);
	assert_string_equal(t.kind, "int3");
	assert_false(t.has_map);
}

static void test_general_protection(void **state)
{
	struct trap_line t;

	(void)state;
	assert_int_equal(trap_parse("traps: code[102321] general protection fault ip:70c6be715729 "
				    "sp:7fff2e24ac28 error:0 in libfoo.so[70c6be700000+20000]", &t), 0);
	assert_string_equal(t.kind, "general protection fault");
	assert_string_equal(t.comm, "code");
	assert_int_equal(t.pid, 102321);
	assert_true(t.ip == 0x70c6be715729ULL && t.sp == 0x7fff2e24ac28ULL);
	assert_string_equal(t.file, "libfoo.so");
	assert_true(t.base == 0x70c6be700000ULL && t.size == 0x20000);
	/* Before 5.x: "general protection ip:"; the same kind. */
	assert_int_equal(trap_parse("python3[812] general protection ip:7f0c sp:7ffd error:0 in libc-2.17.so[7f00+1c3000]",
				    &t), 0);
	assert_string_equal(t.kind, "general protection fault");
	assert_string_equal(t.file, "libc-2.17.so");
	/* A file name with a space and a bracket of its own. */
	assert_int_equal(trap_parse("traps: code[1] general protection fault ip:70c6be715729 sp:1 error:0 in "
				    "my prog [x][70c6be700000+20000]", &t), 0);
	assert_string_equal(t.file, "my prog [x]");
	assert_int_equal(t.base, 0x70c6be700000ULL);
	/* No mapping printed (ip in no file). */
	assert_int_equal(trap_parse("traps: a.out[9] general protection fault ip:1234 sp:5678 error:0", &t), 0);
	assert_false(t.has_map);
	assert_string_equal(t.file, "");
	/* CET's shadow-stack fault (6.6). */
	assert_int_equal(trap_parse("traps: cet[3] control protection ip:401000 sp:7ffc ssp:7fff0 error:1(near ret) "
				    "in cet[401000+1000]", &t), 0);
	assert_string_equal(t.kind, "control protection");
	assert_true(t.has_error && t.error == 1);
	assert_string_equal(t.file, "cet");
}

static void test_segfault(void **state)
{
	struct trap_line t;

	(void)state;
	/* 6.1's line, with the CPU suffix. */
	assert_int_equal(trap_parse("node[5120]: segfault at 8 ip 00007f1234567890 sp 00007ffd00000000 error 4 in "
				    "libc.so.6[7f1234500000+195000] likely on CPU 1 (core 1, socket 0)", &t), 0);
	assert_string_equal(t.kind, "segfault");
	assert_string_equal(t.comm, "node");
	assert_true(t.has_addr && t.addr == 8);
	assert_true(t.ip == 0x7f1234567890ULL && t.error == 4);
	assert_string_equal(t.file, "libc.so.6");
	assert_true(t.base == 0x7f1234500000ULL && t.size == 0x195000);
	assert_true(t.has_cpu && t.cpu == 1 && t.core == 1 && t.socket == 0);
	/* ...and in an anonymous mapping: no file, the CPU all the same. */
	assert_int_equal(trap_parse("a[1]: segfault at 0 ip 00000000004232c3 sp 00007fff946ff790 error 4 "
				    "likely on CPU 3 (core 1, socket 1)", &t), 0);
	assert_false(t.has_map);
	assert_true(t.has_cpu && t.cpu == 3 && t.socket == 1);
	/* The offset form after a segfault. */
	assert_int_equal(trap_parse("x[2]: segfault at 0 ip 00007f25b1a65100 sp 00007ffd error 6 in "
				    "libvnni.so[1100,7f25b1a65000+1000] likely on CPU 0 (core 0, socket 0)", &t), 0);
	assert_true(t.has_offset && t.offset == 0x1100 && t.has_cpu);
	/* %p before 4.15: a NULL ip was "(null)". */
	assert_int_equal(trap_parse("a.out[25311]: segfault at 0 ip (null) sp 00007fff error 14", &t), 0);
	assert_true(t.has_ip && t.ip == 0);
	/* syslog's prefix and a comm with a space. */
	assert_int_equal(trap_parse("Nov 28 05:30:55 pve kernel: [  12.345678] Web Content[44]: segfault at 10 ip "
				    "00007f00 sp 00007ffd error 4 in libxul.so[7f00+100]", &t), 0);
	assert_string_equal(t.comm, "Web Content");
	assert_int_equal(t.pid, 44);
}

static void test_not_traps(void **state)
{
	static const char *const lines[] = {
		"general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] PREEMPT SMP NOPTI",
		"Linux version 6.1.0 (gcc [12])",
		"x[", "", "[", "[1] trap x ip:1", "a[1] trap  ip:1", "a[1] trap invalid opcode ip:", "a[12x] trap y ip:1",
		"a[1] made up kind ip:1234", "a[1]: segfault at zz ip 1", "no instruction pointer here",
		"a[1] trap invalid opcode ip:11111111111111111",
	};
	struct trap_line t;

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_int_equal(trap_parse(lines[i], &t), -1);
		assert_false(t.has_ip);
		assert_string_equal(t.comm, "");
	}
	/* A range that does not parse is not a mapping. */
	assert_int_equal(trap_parse("a[1] trap invalid opcode ip:1 sp:2 error:0 in x[12+]", &t), 0);
	assert_false(t.has_map);
	assert_false(t.has_offset);
}

/* Every trap line the parser takes is one the kernel-log rules count. */
static void test_rules_see_traps(void **state)
{
	static const char *const lines[] = {
		"traps: a[1] trap invalid opcode ip:1 sp:2 error:0",
		"traps: a[1] general protection fault ip:1 sp:2 error:0",
		"a[1] general protection ip:1 sp:2 error:0",
		"a[1]: segfault at 0 ip 1 sp 2 error 4",
	};
	struct trap_line t;

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_int_equal(trap_parse(lines[i], &t), 0);
		assert_true(kmsg_classify(lines[i]) >= 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_do_trap),
		cmocka_unit_test(test_general_protection),
		cmocka_unit_test(test_segfault),
		cmocka_unit_test(test_not_traps),
		cmocka_unit_test(test_rules_see_traps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
