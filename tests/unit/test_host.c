/* triage host: PVE's config formats (pveconf.c) on the corners of
 * qemu-server's parse_vm_config and CPUConfig.pm, the node's /sys and
 * /proc trees, and whole runs over the three-node cluster fixture
 * (tests/unit/data/host/): every VM's level, what it lacks, the
 * cluster-safe type, the Prometheus textfile through promtool, files under
 * the PVE folder never written, and a run killed before its rename. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "host/host.h"
#include "isa/isa.h"
#include "lib/qemumodels.h"
#include "host/hostrun.h"
#include "host/pveconf.h"
#include "lib/json.h"
#include "lib/util.h"
#include "report/view.h"
#include "fakefs.h"

#define DATA "tests/unit/data/host/"
#define PVE DATA "pve"
#define ISA DATA "cpu/pve1-isa.json"

static struct pve_vmconf conf;

static int parse(const char *text)
{
	return pve_parse_vmconf(text, strlen(text), "/etc/pve/qemu-server/100.conf", &conf);
}

/* ---- pveconf ---- */

static void test_cpu_forms(void **state)
{
	(void)state;
	assert_int_equal(parse("memory: 1024\n"), 0);
	assert_false(conf.cpu_set);
	assert_string_equal(conf.cpu.type, "kvm64"); /* no cpu: line */

	assert_int_equal(parse("cpu: host\n"), 0);
	assert_true(conf.cpu_set);
	assert_string_equal(conf.cpu.type, "host");

	assert_int_equal(parse("cpu: x86-64-v2-AES\n"), 0);
	assert_string_equal(conf.cpu.type, "x86-64-v2-AES");

	assert_int_equal(parse("cpu: cputype=Haswell,flags=+aes;-pcid,hidden=1,hv-vendor-id=proxmox,phys-bits=42\n"), 0);
	assert_string_equal(conf.cpu.type, "Haswell");
	assert_int_equal(conf.cpu.nflags, 2);
	assert_string_equal(conf.cpu.flags[0].name, "aes");
	assert_true(conf.cpu.flags[0].on);
	assert_string_equal(conf.cpu.flags[1].name, "pcid");
	assert_false(conf.cpu.flags[1].on);
	assert_int_equal(conf.cpu.hidden, 1);
	assert_string_equal(conf.cpu.hv_vendor_id, "proxmox");
	assert_string_equal(conf.cpu.phys_bits, "42");

	/* the default key may come anywhere in the list */
	assert_int_equal(parse("cpu: flags=+pdpe1gb,x86-64-v3,phys-bits=host\n"), 0);
	assert_string_equal(conf.cpu.type, "x86-64-v3");
	assert_string_equal(conf.cpu.phys_bits, "host");

	assert_int_equal(parse("cpu: custom-mymodel\n"), 0);
	assert_string_equal(conf.cpu.type, "custom-mymodel");

	/* no cputype: kvm64 with the flags */
	assert_int_equal(parse("cpu: flags=+aes\n"), 0);
	assert_string_equal(conf.cpu.type, "kvm64");
	assert_int_equal(conf.cpu.nflags, 1);
}

static void test_cpu_rejected(void **state)
{
	static const char *const bad[] = {
		"cpu: cputype=host,foo=bar\n",	    /* unknown property */
		"cpu: host,flags=aes\n",	    /* a flag without + or - */
		"cpu: host,flags=+aes;\n",	    /* trailing ; */
		"cpu: host,phys-bits=7\n",	    /* 8..64 */
		"cpu: host,hidden=maybe\n",
		"cpu: host,hv-vendor-id=waytoolongvendorid\n",
		"cpu: host,cputype=kvm64\n",	    /* twice */
		"cpu: host,x86-64-v3\n",	    /* two values without a key */
		"cpu: host,,hidden=1\n",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse(bad[i]), 1);
		assert_false(conf.cpu_set); /* PVE drops the value: kvm64 */
		assert_string_equal(conf.cpu.type, "kvm64");
		assert_non_null(strstr(conf.problems[0].msg, "/etc/pve/qemu-server/100.conf:1: cpu:"));
	}
}

static void test_memory_balloon(void **state)
{
	(void)state;
	assert_int_equal(parse("name: x\n"), 0);
	assert_false(conf.memory_set);
	assert_int_equal(conf.memory_mib, PVE_DEFAULT_MEMORY_MIB);
	assert_false(conf.balloon_set); /* a balloon device, minimum = memory */

	assert_int_equal(parse("memory: 4096\nballoon: 0\n"), 0);
	assert_int_equal(conf.memory_mib, 4096);
	assert_true(conf.balloon_set);
	assert_int_equal(conf.balloon_mib, 0);

	assert_int_equal(parse("memory: current=8192\nballoon: 2048\n"), 0);
	assert_int_equal(conf.memory_mib, 8192);
	assert_int_equal(conf.balloon_mib, 2048);

	assert_int_equal(parse("memory: 8\n"), 1); /* at least 16 MiB */
	assert_int_equal(conf.memory_mib, PVE_DEFAULT_MEMORY_MIB);
	assert_int_equal(parse("memory: current=2048,size=4\n"), 1);
	assert_int_equal(parse("memory: 1024\nballoon: 2048\n"), 1); /* above memory */
	assert_non_null(strstr(conf.problems[0].msg, "above memory"));
	assert_int_equal(parse("balloon: -5\n"), 1);
}

static void test_numa_hotplug_description(void **state)
{
	(void)state;
	assert_int_equal(parse("#first line%3A with a colon\n#second\nnuma: 1\nhotplug: disk,network,memory,cpu\n"
			       "cores: 4\nsockets: 2\n"), 0);
	assert_string_equal(conf.description, "first line: with a colon\nsecond");
	assert_int_equal(conf.numa, 1);
	assert_string_equal(conf.hotplug, "disk,network,memory,cpu");
	assert_int_equal(conf.cores, 4);
	assert_int_equal(conf.sockets, 2);

	assert_int_equal(parse("name: y\n"), 0);
	assert_int_equal(conf.numa, -1);
	assert_string_equal(conf.hotplug, PVE_DEFAULT_HOTPLUG);
	assert_int_equal(parse("hotplug: 0\n"), 0);
	assert_int_equal(parse("hotplug: disk,floppy\n"), 1);
	assert_string_equal(conf.hotplug, PVE_DEFAULT_HOTPLUG);
	assert_int_equal(parse("numa: yes\n"), 0);
	assert_int_equal(conf.numa, 1);
	assert_int_equal(parse("description: one%20line\n"), 0);
	assert_string_equal(conf.description, "one line");
	assert_int_equal(parse("delete: net1\n[PENDING]\ndelete: net0\n"), 1); /* only in [PENDING] */
	assert_non_null(strstr(conf.problems[0].msg, "100.conf:1: property 'delete'"));
}

static void test_sections(void **state)
{
	(void)state;
	assert_int_equal(parse("cpu: x86-64-v3\nmemory: 4096\n\n[PENDING]\ncpu: host\nmemory: 512\n\n"
			       "[before-upgrade]\ncpu: kvm64\nmemory: 512\n#snapshot description\n\n"
			       "[special:cloudinit]\ncpu: qemu64\n[second_snap]\nballoon: 0\n"), 0);
	assert_string_equal(conf.cpu.type, "x86-64-v3");
	assert_int_equal(conf.memory_mib, 4096);
	assert_false(conf.balloon_set);
	assert_true(conf.pending);
	assert_true(conf.cloudinit);
	assert_int_equal(conf.nsnapshots, 2);
	assert_string_equal(conf.snapshots[0], "before-upgrade");
	assert_string_equal(conf.snapshots[1], "second_snap");
	assert_string_equal(conf.description, "");
}

/* qemu-server's own rules: hyphenated keys, the special sections, an
 * unknown section's lines skipped, [PENDING] read as the next start. */
static void test_sections_qemu_server(void **state)
{
	struct pve_vmconf next;

	(void)state;
	assert_int_equal(parse("amd-sev: type=std\nallow-ksm: 0\nintel-tdx: tdx\nmemory: 2048\n"), 0);
	assert_int_equal(conf.memory_mib, 2048);

	assert_int_equal(parse("cpu: x86-64-v3\n[special:fleecing]\nfleecing-images: local:vm-100-fleece-0\n"
			       "cpu: host\n"), 0);
	assert_true(conf.fleecing);
	assert_string_equal(conf.cpu.type, "x86-64-v3");

	/* an unknown section: one problem, and none of its lines is read,
	 * not even as a malformed one, up to the next known section */
	assert_int_equal(parse("cpu: x86-64-v3\nmemory: 4096\n[special:future]\ncpu: host\nnot a line PVE reads\n"
			       "#nor a description\n[snap1]\ncpu: kvm64\n"), 1);
	assert_non_null(strstr(conf.problems[0].msg, "100.conf:3: skipping unknown section 'special:future'"));
	assert_string_equal(conf.cpu.type, "x86-64-v3");
	assert_int_equal(conf.memory_mib, 4096);
	assert_string_equal(conf.description, "");
	assert_int_equal(conf.nsnapshots, 1);
	assert_int_equal(parse("[1bad]\ncpu: host\n"), 1);
	assert_string_equal(conf.cpu.type, "kvm64");

	/* [PENDING]: the next cold start's config */
	assert_int_equal(parse("args: -no-hpet\nballoon: 1024\ncpu: x86-64-v2-AES\nmemory: 4096\n\n[PENDING]\n"
			       "cpu: host\nmemory: 8192\ndelete: balloon;!args\n\n[snap]\ncpu: kvm64\n"), 0);
	assert_true(conf.pending);
	assert_string_equal(conf.cpu.type, "x86-64-v2-AES"); /* still what runs now */
	assert_true(conf.balloon_set);
	pve_next_start(&conf, &next);
	assert_string_equal(next.cpu.type, "host");
	assert_int_equal(next.memory_mib, 8192);
	assert_false(next.balloon_set);
	assert_string_equal(next.args, "");
	assert_int_equal(parse("cpu: host\n[PENDING]\ndelete: cpu\n"), 0);
	pve_next_start(&conf, &next);
	assert_false(next.cpu_set);
	assert_string_equal(next.cpu.type, "kvm64");
	/* an invalid pending value is dropped: the current one stays */
	assert_int_equal(parse("cpu: host\n[PENDING]\ncpu: host,flags=+avx2\n"), 1);
	pve_next_start(&conf, &next);
	assert_string_equal(next.cpu.type, "host");

	/* shares, template, hibernation, passthrough */
	assert_int_equal(parse("shares: 0\ntemplate: 1\nvmstate: local:vm-100-state-hib\nlock: suspended\n"
			       "hostpci0: 0000:01:00.0,pcie=1\nhostpci3: mapping=gpu\n"), 0);
	assert_int_equal(conf.shares, 0);
	assert_true(conf.template_);
	assert_true(conf.hibernated);
	assert_string_equal(conf.lock, "suspended");
	assert_int_equal(conf.hostpci, 0x9);
	assert_int_equal(parse("shares: 70000\n"), 1);
	assert_int_equal(conf.shares, -1);
}

/* The flags a VM may set itself, reported-model, args' -cpu. */
static void test_cpu_qemu_server(void **state)
{
	struct pve_cpumodels m;
	char cpu[128], rest[256];
	static const char models[] = "cpu-model: a\n    reported-model x86-64-v3\n    flags +avx2;+fma\n\n"
				     "cpu-model: b\n    reported-model Haswell-noTSX\n\n"
				     "cpu-model: c\n    reported-model NoSuchModel\n\n"
				     "cpu-model: d\n    guest-phys-bits 16\n";

	(void)state;
	assert_int_equal(parse("cpu: host,flags=+md-clear;+nested-virt;-pcid;+aes;+pdpe1gb;+hv-tlbflush\n"), 0);
	assert_int_equal(conf.cpu.nflags, 6);
	assert_int_equal(parse("cpu: host,flags=+avx2\n"), 1); /* only custom models may */
	assert_non_null(strstr(conf.problems[0].msg, "VM-specific CPU flags must be a subset of"));
	assert_string_equal(conf.cpu.type, "kvm64");
	assert_int_equal(parse("cpu: host,flags=+md_clear\n"), 1); /* PVE's regex takes the exact name */
	assert_int_equal(parse("cpu: kvm64,reported-model=Haswell\n"), 1);
	assert_non_null(strstr(conf.problems[0].msg, "'reported-model' not allowed in VM-specific"));
	assert_int_equal(parse("cpu: host,guest-phys-bits=40\n"), 0);

	/* a model's reported-model must be a QEMU model; a rejected one
	 * leaves PVE's default kvm64; a model may set any flag */
	assert_int_equal(pve_parse_cpumodels(models, sizeof(models) - 1, "m.conf", &m), 3);
	assert_non_null(strstr(m.problems[0].msg, "m.conf:2: model 'a': reported-model 'x86-64-v3' is not a QEMU"));
	assert_string_equal(m.m[0].cpu.reported_model, "kvm64");
	assert_int_equal(m.m[0].cpu.nflags, 2);
	assert_string_equal(m.m[1].cpu.reported_model, "Haswell-noTSX");
	assert_non_null(strstr(m.problems[1].msg, "m.conf:9: model 'c'"));
	assert_non_null(strstr(m.problems[2].msg, "m.conf:12: model 'd': guest-phys-bits"));

	/* args: the last -cpu, shell words, the rest kept for the advice */
	assert_true(pve_args_cpu("-cpu host,+kvm_pv_unhalt -smp 4", cpu, sizeof(cpu), rest, sizeof(rest)));
	assert_string_equal(cpu, "host,+kvm_pv_unhalt");
	assert_string_equal(rest, "-smp 4");
	assert_true(pve_args_cpu("-device 'a b' '-cpu' \"Haswell,enforce\" --cpu max", cpu, sizeof(cpu), rest,
				 sizeof(rest)));
	assert_string_equal(cpu, "max");
	assert_string_equal(rest, "-device 'a b'");
	assert_false(pve_args_cpu("-no-hpet -global kvm-pit.lost_tick_policy=discard", cpu, sizeof(cpu), rest,
				  sizeof(rest)));
	assert_string_equal(rest, "-no-hpet -global kvm-pit.lost_tick_policy=discard");
	assert_false(pve_args_cpu("-device cpu,x=1", cpu, sizeof(cpu), NULL, 0));
}

static void test_malformed_lines(void **state)
{
	(void)state;
	/* each bad line named with its number; the good ones still read */
	assert_int_equal(parse("name: ok\nthis has no key\nmemory: 2048\nCPU: host\nballoon: lots\ncores: 3\n"), 3);
	assert_string_equal(conf.problems[0].msg, "/etc/pve/qemu-server/100.conf:2: unable to parse config: this has no key");
	assert_non_null(strstr(conf.problems[1].msg, "100.conf:4: unable to parse config: CPU: host"));
	assert_non_null(strstr(conf.problems[2].msg, "100.conf:5: balloon:"));
	assert_int_equal(conf.memory_mib, 2048);
	assert_int_equal(conf.cores, 3);
	assert_string_equal(conf.name, "ok");
	/* CRLF, blank lines with spaces, a NUL byte, no final newline */
	assert_int_equal(pve_parse_vmconf("cpu: host\r\n   \nname: a\0b\nmemory: 100", 37, "f", &conf), 0);
	assert_string_equal(conf.cpu.type, "host");
	assert_string_equal(conf.name, "a b");
	assert_int_equal(conf.memory_mib, 100);
	assert_int_equal(pve_parse_vmconf("", 0, "f", &conf), 0);
}

static void test_cpumodels(void **state)
{
	struct pve_cpumodels m;
	const struct pve_cpumodel *a;
	size_t len;
	char *text = read_file(PVE "/virtual-guest/cpu-models.conf", 1 << 20, &len);
	static const char bad[] = "cpu-model: a\n    flags +avx\n    bogus 1\n\nnot-a-model: x\n    flags +aes\n"
				  "cpu-model: a\n\ncpu-model: b\n    phys-bits 99\n    reported-model Haswell\n";

	(void)state;
	assert_non_null(text);
	assert_int_equal(pve_parse_cpumodels(text, len, "cpu-models.conf", &m), 0);
	free(text);
	assert_int_equal(m.n, 2);
	a = pve_cpumodel_find(&m, "custom-avx2-on-kvm64");
	assert_non_null(a);
	assert_ptr_equal(a, pve_cpumodel_find(&m, "avx2-on-kvm64"));
	assert_string_equal(a->cpu.reported_model, "kvm64");
	assert_string_equal(a->cpu.type, "custom-avx2-on-kvm64");
	assert_int_equal(a->cpu.nflags, 14);
	assert_string_equal(a->cpu.phys_bits, "host");
	assert_int_equal(a->cpu.hidden, 0);
	assert_string_equal(a->cpu.hv_vendor_id, "proxmox");
	a = pve_cpumodel_find(&m, "nehalem-noaes");
	assert_string_equal(a->cpu.reported_model, "Nehalem");
	assert_false(a->cpu.flags[0].on);
	assert_null(pve_cpumodel_find(&m, "custom-none"));

	assert_int_equal(pve_parse_cpumodels(bad, sizeof(bad) - 1, "c.conf", &m), 4);
	assert_string_equal(m.problems[0].msg, "c.conf:3: model 'a': unknown property 'bogus'");
	assert_non_null(strstr(m.problems[1].msg, "c.conf:5: not a 'cpu-model: NAME' line"));
	assert_non_null(strstr(m.problems[2].msg, "c.conf:7: model 'a' defined twice"));
	assert_non_null(strstr(m.problems[3].msg, "c.conf:10: model 'b': phys-bits"));
	assert_int_equal(m.n, 2);
	assert_string_equal(m.m[1].cpu.reported_model, "Haswell"); /* read after the bad line */
}

static void test_names(void **state)
{
	const char *out[2];
	char base[64];

	(void)state;
	assert_int_equal(pve_flag_exts("pni", out, 2), 1);
	assert_string_equal(out[0], "sse3");
	assert_int_equal(pve_flag_exts("sse4_2", out, 2), 2);
	assert_string_equal(out[1], "sse4.2-pcmpstr");
	assert_int_equal(pve_flag_exts("abm", out, 2), 1);
	assert_string_equal(out[0], "lzcnt");
	assert_int_equal(pve_flag_exts("avx512-vpopcntdq", out, 2), 1);
	assert_string_equal(out[0], "avx512vpopcntdq");
	assert_int_equal(pve_flag_exts("sha_ni", out, 2), 1);
	assert_string_equal(out[0], "sha-ni");
	assert_int_equal(pve_flag_exts("pcid", out, 2), 0);
	pve_model_base("Haswell-noTSX-IBRS", base, sizeof(base));
	assert_string_equal(base, "Haswell");
	pve_model_base("EPYC-Rome-v2", base, sizeof(base));
	assert_string_equal(base, "EPYC-Rome");
	pve_model_base("Skylake-Client-IBRS", base, sizeof(base));
	assert_string_equal(base, "Skylake-Client");
}

/* ---- /sys and /proc ---- */

static void test_idle_intel(void **state)
{
	struct host_idle id;
	struct host_mem m;
	int deepest;

	(void)state;
	assert_int_equal(host_read_idle(DATA "root/intel", &id), 0);
	assert_string_equal(id.driver, "intel_idle");
	assert_string_equal(id.governor, "menu");
	assert_int_equal(id.ncpus, 2);
	assert_int_equal(id.nstates, 5);
	assert_string_equal(id.st[1].name, "C1");
	assert_string_equal(id.st[2].name, "C1E");
	assert_int_equal(id.st[2].latency_us, 10);
	assert_string_equal(id.st[3].name, "C6");
	assert_int_equal(id.st[3].latency_us, 85);
	assert_int_equal(id.st[3].residency_us, 200);
	assert_string_equal(id.st[4].name, "C10");
	assert_int_equal(id.st[4].usage, 8000); /* summed over both CPUs */
	assert_int_equal(host_idle_deepest_us(&id, &deepest), 890);
	assert_int_equal(deepest, 4);
	assert_string_equal(id.intel_max_cstate, "9");
	assert_string_equal(id.freq_driver, "intel_pstate");
	assert_string_equal(id.epp, "balance_power");
	assert_string_equal(id.cmd_idle, "");
	assert_int_equal(host_read_mem(DATA "root/intel", &m), 0);
	assert_int_equal(m.total_kib, 65536000);
	assert_int_equal(m.swap_total_kib, 8388604);
	assert_int_equal(m.ksm_pages_sharing, 262144);
}

static void test_idle_acpi(void **state)
{
	struct host_idle id;
	int deepest;

	(void)state;
	assert_int_equal(host_read_idle(DATA "root/acpi", &id), 0);
	assert_string_equal(id.driver, "acpi_idle");
	assert_string_equal(id.governor, "menu"); /* current_governor, no _ro */
	assert_int_equal(id.ncpus, 4);
	assert_int_equal(id.nstates, 4);
	assert_int_equal(id.st[3].disabled_cpus, 4);
	/* C3 is disabled everywhere: C2 is the deepest that runs */
	assert_int_equal(host_idle_deepest_us(&id, &deepest), 41);
	assert_string_equal(id.st[deepest].name, "C2");
	assert_string_equal(id.cmd_processor_max_cstate, "3");
	assert_string_equal(id.cmd_idle, "nomwait");
	assert_string_equal(id.intel_max_cstate, "");
	assert_string_equal(id.freq_governor, "performance");
}

static void test_idle_guest(void **state)
{
	struct host_idle id;
	struct host_mem m;

	(void)state;
	assert_int_equal(host_read_idle(DATA "root/guest", &id), -1);
	assert_string_equal(id.driver, "");
	assert_int_equal(id.nstates, 0);
	assert_int_equal(host_idle_deepest_us(&id, NULL), -1);
	assert_string_equal(id.freq_driver, "");
	assert_int_equal(host_read_mem(DATA "root/guest", &m), 0);
	assert_int_equal(m.ksm_pages_sharing, -1);
	assert_int_equal(host_read_idle(DATA "root/none", &id), -1);
}

/* The C-state advice from the driver's own state list: the shallow
 * states stay, and a limit that leaves only POLL says so. */
static void test_cstate_advice(void **state)
{
	struct host_idle id;
	struct host_cstate_advice a;

	(void)state;
	assert_int_equal(host_read_idle(DATA "root/intel", &id), 0); /* skl: POLL C1 C1E C6 C10 */
	host_cstate_advice(&id, 100, &a);
	assert_string_equal(a.kept, "POLL C1 C1E C6");
	assert_string_equal(a.param, "intel_idle.states_off=16");
	assert_string_equal(a.runtime, "cpupower idle-set -D 100");
	assert_false(a.poll_only);

	/* the N100: intel_idle.max_cstate=1 would leave POLL alone; the mask
	 * names C6 C8 C10 by their sysfs index and keeps C1E */
	assert_int_equal(host_read_idle(DATA "root/n100", &id), 0);
	assert_int_equal(id.nstates, 5);
	assert_string_equal(id.st[1].name, "C1E");
	host_cstate_advice(&id, 100, &a);
	assert_string_equal(a.kept, "POLL C1E");
	assert_string_equal(a.param, "intel_idle.states_off=28");
	assert_false(a.poll_only);
	assert_false(host_idle_poll_only(&id));

	assert_int_equal(host_read_idle(DATA "root/n100-maxcstate1", &id), 0);
	assert_true(host_idle_poll_only(&id));
	assert_string_equal(id.cmd_intel_max_cstate, "1");

	/* acpi_idle: the first N ACPI C-states */
	assert_int_equal(host_read_idle(DATA "root/acpi", &id), 0);
	host_cstate_advice(&id, 100, &a);
	assert_string_equal(a.param, "processor.max_cstate=2");
	assert_string_equal(a.kept, "POLL C1 C2");
	host_cstate_advice(&id, 30, &a);
	assert_string_equal(a.param, "processor.max_cstate=1");

	/* every state but POLL deep: the limit would leave polling only */
	assert_int_equal(host_read_idle(DATA "root/n100", &id), 0);
	host_cstate_advice(&id, 2, &a);
	assert_true(a.poll_only);
	assert_string_equal(a.kept, "POLL");
	assert_string_equal(a.param, "intel_idle.states_off=30");
	/* no driver with a parameter: only the run-time command */
	strlcpy_(id.driver, "haltpoll", sizeof(id.driver));
	host_cstate_advice(&id, 100, &a);
	assert_string_equal(a.param, "");
}

/* ---- whole runs ---- */

static char tmpdir[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int setup_tmp(void **state)
{
	(void)state;
	strlcpy_(tmpdir, "/tmp/test_host.XXXXXX", sizeof(tmpdir));
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown_tmp(void **state)
{
	(void)state;
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Runs cmd_host with args and returns its JSON (rc in *rc). */
static struct jval *run_host(int *rc, const char *first, ...)
{
	char *argv[32], out[128], err[200], *text;
	int argc = 0;
	size_t len;
	va_list ap;
	struct jval *v;

	snprintf(out, sizeof(out), "%s/host.json", tmpdir);
	argv[argc++] = "host";
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc++] = "-q";
	argv[argc++] = "-o";
	argv[argc++] = out;
	argv[argc] = NULL;
	*rc = cmd_host(argc, argv);
	text = read_file(out, 16 << 20, &len);
	assert_non_null(text);
	v = json_parse(text, len, err, sizeof(err));
	free(text);
	if (!v)
		fail_msg("%s", err);
	return v;
}

static const struct jval *vm_of(const struct jval *rep, int vmid)
{
	const struct jval *vms = json_path(rep, "data.vms");

	for (size_t i = 0; vms && i < vms->len; i++)
		if ((int)json_num(vms->items[i], "vmid", 0) == vmid)
			return vms->items[i];
	fail_msg("VM %d not in the report", vmid);
	return NULL;
}

static int findings(const struct jval *rep, const char *id, int vmid)
{
	const struct jval *fl = json_get(rep, "findings");
	int n = 0;

	for (size_t i = 0; fl && i < fl->len; i++)
		if (!strcmp(json_str(fl->items[i], "id", ""), id) &&
		    (vmid < 0 || (int)json_num(json_get(fl->items[i], "evidence"), "vmid", -1) == vmid))
			n++;
	return n;
}

static bool has_str(const struct jval *arr, const char *s)
{
	for (size_t i = 0; arr && arr->type == J_ARR && i < arr->len; i++)
		if (!strcmp(arr->items[i]->str, s))
			return true;
	return false;
}

/* FNV-1a over the names, sizes, times and bytes of every file below dir. */
static uint64_t tree_sum;

static int sum_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	for (const char *p = path; *p; p++)
		tree_sum = (tree_sum ^ (unsigned char)*p) * 1099511628211ULL;
	if (flag == FTW_F) {
		size_t len;
		char *text = read_file(path, 1 << 20, &len);

		for (size_t i = 0; text && i < len; i++)
			tree_sum = (tree_sum ^ (unsigned char)text[i]) * 1099511628211ULL;
		free(text);
		tree_sum ^= (uint64_t)st->st_size * 31 + (uint64_t)st->st_mtim.tv_sec * 7 + (uint64_t)st->st_mtim.tv_nsec;
	}
	return 0;
}

static uint64_t sum_tree(const char *dir)
{
	tree_sum = 14695981039346656037ULL;
	assert_int_equal(nftw(dir, sum_entry, 16, FTW_PHYS), 0);
	return tree_sum;
}

static void copy_file(const char *from, const char *to)
{
	size_t len;
	char *text = read_file(from, 1 << 20, &len);
	FILE *f = fopen(to, "w");

	assert_non_null(text);
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	free(text);
}

static void share_dir(char *buf, size_t size)
{
	char to[200];

	snprintf(buf, size, "%s/share", tmpdir);
	mkdir(buf, 0755);
	snprintf(to, sizeof(to), "%s/pve2.json", buf);
	copy_file(DATA "share/pve2.json", to);
	snprintf(to, sizeof(to), "%s/pve3.json", buf);
	copy_file(DATA "share/pve3.json", to);
}

/* The expected verdict on every VM of the fixture, against pve1 (the node
 * running) and the shared reports of pve2 and pve3. */
static const struct {
	int vmid, level;
	const char *finding, *command;
} expect[] = {
	{ 100, 1, "vm.cpu-baseline", "qm set 100 --cpu x86-64-v3" },	   /* no cpu: kvm64 */
	{ 101, 2, "vm.cpu-below-cluster", "qm set 101 --cpu x86-64-v3" }, /* x86-64-v2-AES */
	{ 102, 4, "vm.cpu-host-migration", NULL },			   /* host on pve1 */
	{ 103, 4, "vm.cpu-beyond-cluster", NULL },			   /* v4 -aes */
	{ 104, 3, NULL, NULL },						   /* custom, kvm64 + v3 flags */
	{ 105, 0, "vm.cpu-type-unknown", NULL },			   /* undefined custom model */
	{ 106, 4, "vm.cpu-pending", NULL },				   /* [PENDING] cpu: host */
	{ 200, 3, NULL, NULL },						   /* Haswell-noTSX-IBRS */
	{ 201, 4, "vm.cpu-beyond-node", NULL },				   /* Skylake-Server on Haswell */
	{ 202, 1, "vm.config-problem", "qm set 202 --cpu x86-64-v3" },	   /* malformed */
	{ 203, 3, "vm.config-problem", NULL },				   /* balloon > memory */
	{ 300, 3, "vm.balloon-auto", NULL },				   /* EPYC-Rome, numa */
	{ 301, 3, "vm.cpu-host-migration", "qm set 301 --delete args --cpu x86-64-v3" }, /* args -cpu host */
	{ 302, 2, "vm.cpu-below-cluster", "qm set 302 --cpu x86-64-v3" }, /* hidden, phys-bits */
	{ 303, 3, NULL, NULL },						   /* CRLF */
};

static void test_cluster(void **state)
{
	char share[128], prom[160], cmd[300];
	uint64_t before = sum_tree(PVE);
	const struct jval *v;
	struct jval *rep;
	int rc;

	(void)state;
	share_dir(share, sizeof(share));
	snprintf(prom, sizeof(prom), "%s/vmtriage.prom", tmpdir);
	rep = run_host(&rc, "--pve", PVE, "--root", DATA "root/intel", "--node", "pve1", "--isa-json", ISA,
		       "--no-wake", "--share", share, "--prom", prom, NULL);
	assert_int_equal(rc, EXIT_FAIL); /* VM 201 cannot run on its node */
	assert_int_equal(sum_tree(PVE), before); /* nothing under the PVE folder written */

	assert_string_equal(json_str(json_get(rep, "metrics"), "cluster_safe_type", ""), "x86-64-v3");
	assert_int_equal(json_num(json_get(rep, "metrics"), "nodes", 0), 3);
	assert_int_equal(json_num(json_get(rep, "metrics"), "nodes_known", 0), 3);
	assert_int_equal(json_num(json_get(rep, "metrics"), "vms", 0), ARRAY_SIZE(expect));
	assert_int_equal(json_num(json_get(rep, "metrics"), "cpu_level", 0), 4);
	for (size_t i = 0; i < ARRAY_SIZE(expect); i++) {
		const struct jval *vm = vm_of(rep, expect[i].vmid), *cpu = json_get(vm, "cpu");

		assert_int_equal(json_num(cpu, "level", 0), expect[i].level);
		if (expect[i].finding && findings(rep, expect[i].finding, expect[i].vmid) != 1)
			fail_msg("VM %d: no %s", expect[i].vmid, expect[i].finding);
		if (expect[i].command)
			assert_string_equal(json_str(vm, "command", ""), expect[i].command);
	}
	/* what they lack against their own node */
	v = json_path(vm_of(rep, 101), "cpu.lacks");
	assert_true(has_str(v, "avx2") && has_str(v, "avx512f") && !has_str(v, "aes"));
	v = json_path(vm_of(rep, 201), "cpu.beyond_node");
	assert_true(has_str(v, "avx512f") && !has_str(v, "avx2"));
	assert_int_equal(json_path(vm_of(rep, 200), "cpu.lacks")->len, 0); /* Haswell on Haswell */
	assert_true(has_str(json_path(vm_of(rep, 103), "cpu.extensions"), "avx512f"));
	assert_false(has_str(json_path(vm_of(rep, 103), "cpu.extensions"), "aes")); /* -aes */
	assert_true(has_str(json_path(vm_of(rep, 104), "cpu.extensions"), "avx2"));  /* custom model's +avx2 */
	assert_true(has_str(json_path(vm_of(rep, 104), "cpu.extensions"), "lzcnt")); /* +abm */
	/* balloons: absent, 0, a minimum */
	assert_true(json_path(vm_of(rep, 100), "balloon.device")->b);
	assert_int_equal(json_num(json_get(vm_of(rep, 100), "balloon"), "min_mib", 0), 2048);
	assert_false(json_path(vm_of(rep, 102), "balloon.device")->b);
	assert_true(json_path(vm_of(rep, 101), "balloon.automatic")->b);
	assert_int_equal(findings(rep, "vm.balloon-auto", 101), 1);
	assert_int_equal(json_num(vm_of(rep, 103), "memory_mib", 0), 16384);
	assert_int_equal(json_num(vm_of(rep, 106), "memory_mib", 0), 512); /* [PENDING] memory: 512 */
	assert_true(has_str(json_get(vm_of(rep, 106), "snapshots"), "before-upgrade"));
	assert_true(json_path(vm_of(rep, 300), "numa")->b);
	assert_int_equal(json_get(vm_of(rep, 202), "problems")->len, 5);
	/* the node */
	assert_int_equal(findings(rep, "host.deep-cstates", -1), 1);
	assert_int_equal(findings(rep, "host.mem-overcommit", -1), 0); /* 36 GiB of VMs, 62.5 GiB RAM */
	assert_int_equal(findings(rep, "host.mem-autoballoon", -1), 0);
	json_free(rep);

	/* the textfile passes promtool */
	snprintf(cmd, sizeof(cmd), "command -v promtool >/dev/null || exit 99; promtool check metrics < %s", prom);
	rc = system(cmd);
	if (WEXITSTATUS(rc) == 99)
		fail_msg("promtool is missing: scripts/deps installs the Debian package prometheus");
	assert_int_equal(WEXITSTATUS(rc), 0);
	{
		char *text = read_file(prom, 1 << 20, NULL);

		assert_non_null(text);
		assert_non_null(strstr(text, "vmtriage_vm_cpu_level{vmid=\"100\",node=\"pve1\",cputype=\"kvm64\"} 1\n"));
		assert_non_null(strstr(text, "vmtriage_vm_cpu_missing_extensions{vmid=\"102\",node=\"pve1\"} 0\n"));
		assert_non_null(strstr(text, "vmtriage_vm_balloon_min_bytes{vmid=\"101\",node=\"pve1\"} 1073741824\n"));
		assert_non_null(strstr(text, "vmtriage_host_cstate_exit_latency_seconds{node=\"pve1\",state=\"C10\"} 0.00089\n"));
		assert_non_null(strstr(text, "vmtriage_cluster_safe_cpu_level{node=\"pve1\"} 3\n"));
		assert_null(strstr(text, "vmid=\"200\"")); /* pve2's VMs are pve2's to export */
		free(text);
	}
	/* this node's shared report, read back as another node would */
	snprintf(cmd, sizeof(cmd), "%s/pve1.json", share);
	{
		char *text = read_file(cmd, 1 << 20, NULL);

		assert_non_null(text);
		assert_non_null(strstr(text, "\"schema\": \"vmtriage-host-share/1\""));
		assert_non_null(strstr(text, "\"avx512f\""));
		free(text);
	}
}

/* Without the other nodes' reports the safe type covers pve1 alone, and
 * the report says which nodes are unknown. */
static void test_cluster_without_shares(void **state)
{
	struct jval *rep;
	int rc;

	(void)state;
	rep = run_host(&rc, "--pve", PVE, "--root", DATA "root/acpi", "--node", "pve1", "--isa-json", ISA, "--no-wake",
		       NULL);
	assert_string_equal(json_str(json_get(rep, "metrics"), "cluster_safe_type", ""), "x86-64-v4");
	assert_int_equal(json_num(json_get(rep, "metrics"), "nodes_known", 0), 1);
	assert_int_equal(findings(rep, "host.cluster-cpus-unknown", -1), 1);
	assert_int_equal(findings(rep, "host.deep-cstates", -1), 0); /* acpi: C3 disabled, C2 41 us */
	assert_int_equal(findings(rep, "vm.cpu-beyond-cluster", 103), 0);
	/* 4 x 8 GiB... : 36 GiB of pve1's VMs against 15.6 GiB of RAM */
	assert_int_equal(findings(rep, "host.mem-overcommit", -1), 1);
	json_free(rep);
}

static void test_no_pve(void **state)
{
	struct jval *rep;
	int rc;

	(void)state;
	rep = run_host(&rc, "--pve", DATA "no-such-dir", "--root", DATA "root/guest", "--isa-json", ISA, "--no-wake",
		       NULL);
	assert_int_equal(rc, EXIT_PASS);
	assert_int_equal(findings(rep, "host.no-vm-configs", -1), 1);
	assert_int_equal(json_num(json_get(rep, "metrics"), "vms", -1), 0);
	assert_null(json_path(rep, "data.cstates.driver")->str);
	assert_int_equal(json_num(json_get(rep, "metrics"), "cpu_level", 0), 4);
	json_free(rep);
}

/* Killed between writing the temporary file and the rename: the previous
 * textfile and shared report stay whole. */
static void killed_at(const char *point, const char *path, const char *old)
{
	char share[128], prom[160];
	pid_t pid;
	int ws;

	snprintf(share, sizeof(share), "%s/share", tmpdir);
	snprintf(prom, sizeof(prom), "%s/vmtriage.prom", tmpdir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char out[128];
		char *argv[] = { "host", "--pve", PVE, "--root", DATA "root/intel", "--node", "pve1", "--isa-json", ISA,
				 "--no-wake", "--share", share, "--prom", prom, "-q", "-o", out, NULL };

		snprintf(out, sizeof(out), "%s/killed.json", tmpdir);
		setenv("VMTRIAGE_KILL_BEFORE_RENAME", point, 1);
		cmd_host(ARRAY_SIZE(argv) - 1, argv);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
	{
		char *text = read_file(path, 1 << 20, NULL);

		assert_non_null(text);
		assert_string_equal(text, old);
		free(text);
	}
}

static void test_killed_midway(void **state)
{
	char share[128], prom[160], sp[200], *text;
	FILE *f;

	(void)state;
	share_dir(share, sizeof(share));
	snprintf(prom, sizeof(prom), "%s/vmtriage.prom", tmpdir);
	snprintf(sp, sizeof(sp), "%s/pve1.json", share);
	f = fopen(prom, "w");
	fputs("# old textfile\n", f);
	fclose(f);
	f = fopen(sp, "w");
	fputs("{\"old\": true}\n", f);
	fclose(f);
	killed_at("share", sp, "{\"old\": true}\n");
	killed_at("prom", prom, "# old textfile\n");
	/* the share was written whole before the textfile's kill point */
	text = read_file(sp, 1 << 20, NULL);
	assert_non_null(strstr(text, "vmtriage-host-share/1"));
	free(text);
}

/* The views: report.txt's block within 80 columns with one row per VM,
 * report.html's table with the fix and names escaped. */
static void test_views(void **state)
{
	char *buf = NULL, *line;
	size_t len = 0;
	struct jval *rep;
	FILE *f;
	int rc, rows = 0;
	static const char evil[] = "{\"data\": {\"node\": \"<b>&\", \"vms\": [{\"vmid\": 7, \"name\": \"<script>\", "
				   "\"cpu\": {\"type\": \"a'b\"}, \"command\": \"qm set 7 --cpu \\\"x\\\"\"}]}}";
	char err[100], share[128];

	(void)state;
	share_dir(share, sizeof(share));
	rep = run_host(&rc, "--pve", PVE, "--root", DATA "root/intel", "--node", "pve1", "--isa-json", ISA, "--no-wake",
		       "--share", share, NULL);
	f = open_memstream(&buf, &len);
	host_view.text(f, rep);
	fclose(f);
	for (char *p = buf; (line = strsep(&p, "\n"));) {
		if (strlen(line) > 80)
			fail_msg("longer than 80 columns: %s", line);
		rows += strstr(line, "--cpu x86-64-v3") != NULL;
	}
	/* 100 101 102 103 106 (pending host) 200 (Intel model, pve3 AMD) 201
	 * 202 300 (AMD model, pve1/2 Intel) 302; 301's "--delete args --cpu
	 * x86-64-v3" is cut at 80 columns */
	assert_int_equal(rows, 10);
	free(buf);
	f = open_memstream(&buf, &len);
	host_view.html(f, rep, "host");
	fclose(f);
	assert_non_null(strstr(buf, "<code>--cpu x86-64-v3</code>"));
	assert_non_null(strstr(buf, "C10</th><td>MWAIT 0x60</td><td class=\"n\" data-path=\"tests.host.data.cstates.states."
				    "4.exit_latency_us\" data-value=\"890\">890</td>"));
	assert_non_null(strstr(buf, "x86-64-v3 (the richest generic type"));
	free(buf);
	json_free(rep);

	rep = json_parse(evil, strlen(evil), err, sizeof(err));
	assert_non_null(rep);
	f = open_memstream(&buf, &len);
	host_view.html(f, rep, "host");
	fclose(f);
	assert_null(strstr(buf, "<script>"));
	assert_non_null(strstr(buf, "&lt;script&gt;"));
	assert_non_null(strstr(buf, "&lt;b&gt;&amp;"));
	assert_non_null(strstr(buf, "a&#39;b"));
	assert_non_null(strstr(buf, "--cpu &quot;x&quot;"));
	free(buf);
	json_free(rep);
}

/* corosync.conf's nodelist, .members, a node on its own: the members,
 * and a folder of no member left out. */
static void put(const char *dir, const char *rel, const char *text)
{
	char path[300];

	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "/%s", rel);
	fakefs_put(dir, path, text);
}

static void test_members(void **state)
{
	char names[4][PVE_NODE_NAME_MAX], pve[128];
	static const char coro[] = "totem {\n  cluster_name: x\n  interface {\n    linknumber: 0\n  }\n}\n"
				   "nodelist {\n  node {\n    name: b\n    nodeid: 2\n  }\n  node {\n    nodeid: 1\n"
				   "    name: a\n    ring0_addr: 10.0.0.1\n  }\n}\n";
	struct jval *rep;
	int rc;
	bool bad;

	(void)state;
	assert_int_equal(pve_parse_corosync(coro, sizeof(coro) - 1, names, 4), 2);
	assert_string_equal(names[0], "b");
	assert_string_equal(names[1], "a");
	assert_int_equal(pve_parse_corosync("totem {\n name: x\n}\n", 20, names, 4), -1); /* no nodelist */
	assert_int_equal(pve_node_balloon_target("#x\nballooning-target: 65\n", 25, &bad), 65);
	assert_false(bad);
	assert_int_equal(pve_node_balloon_target("ballooning-target: 120\n", 23, &bad), -1);
	assert_true(bad);

	/* .members alone: its nodelist; b's folder is stale */
	snprintf(pve, sizeof(pve), "%s/pve", tmpdir);
	put(pve, "nodes/a/qemu-server/100.conf", "cpu: host\nmemory: 1024\n");
	put(pve, "nodes/b/qemu-server/200.conf", "cpu: host\nmemory: 1024\n");
	put(pve, ".members", "{\"nodename\": \"a\", \"version\": 3, \"nodelist\": {\"a\": {\"id\": 1, \"online\": 1}, "
			     "\"c\": {\"id\": 3, \"online\": 0}}}");
	rep = run_host(&rc, "--pve", pve, "--root", DATA "root/guest", "--node", "a", "--isa-json", ISA, "--no-wake", NULL);
	assert_string_equal(json_str(json_path(rep, "data.cluster"), "members_from", ""), ".members");
	assert_int_equal(json_num(json_get(rep, "metrics"), "nodes", 0), 2); /* a and c */
	assert_int_equal(json_num(json_get(rep, "metrics"), "vms", 0), 1);
	assert_true(has_str(json_path(rep, "data.cluster.stale_folders"), "b"));
	assert_false(json_true(json_at(json_path(rep, "data.cluster.nodes"), 1), "online")); /* c */
	assert_true(json_true(json_at(json_path(rep, "data.cluster.nodes"), 0), "online")); /* a */
	json_free(rep);
	/* a node on its own: .members without a nodelist */
	put(pve, ".members", "{\"nodename\": \"a\", \"version\": 0}");
	rep = run_host(&rc, "--pve", pve, "--root", DATA "root/guest", "--node", "a", "--isa-json", ISA, "--no-wake", NULL);
	assert_string_equal(json_str(json_path(rep, "data.cluster"), "members_from", ""), "standalone");
	assert_int_equal(json_num(json_get(rep, "metrics"), "nodes", 0), 1);
	assert_int_equal(findings(rep, "host.stale-node-folder", -1), 1);
	assert_int_equal(findings(rep, "vm.cpu-host-migration", -1), 0); /* one node: host is fine */
	json_free(rep);
}

/* ---- the held-out cluster (data/host/audit) ---- */

#define AUDIT DATA "audit/pve"
#define DUMPS "tests/unit/data/isa/"

static const struct {
	const char *node, *dump;
	struct cpuid_dump cpuid;
} audit_nodes[] = {
	{ "fra", DUMPS "spr-xeon-w9-3475x.cpuid", { 0 } },  /* Sapphire Rapids: runs triage host */
	{ "n100", DUMPS "adln-n95.cpuid", { 0 } },	    /* Alder Lake-N (the N95 is the N100's die) */
	{ "epyc", DUMPS "zen4-epyc-9124.cpuid", { 0 } },  /* Zen 4 Genoa */
};
static struct cpuid_dump audit_dump[3];

/* What `triage isa` reports on a recorded CPU (every extension it
 * advertises and its OS enables executes: a real CPU), written as the
 * isa result this node reads, or as the node's shared report. */
static void audit_cpu_file(int k, const char *path, bool share)
{
	struct isa_ident id;
	isa_set set;
	char err[200];
	FILE *f;

	assert_int_equal(cpuid_load(audit_nodes[k].dump, &audit_dump[k], err, sizeof(err)), 0);
	isa_identify(&audit_dump[k], &id);
	set = isa_usable_set(&audit_dump[k]);
	f = fopen(path, "w");
	assert_non_null(f);
	if (share)
		fprintf(f, "{\"schema\": \"vmtriage-host-share/1\", \"node\": \"%s\", \"cpu\": {\"known\": true, "
			"\"vendor\": \"%s\", \"brand\": \"%s\", \"level\": %d, \"extensions\": [", audit_nodes[k].node,
			id.vendor, id.brand, isa_level(set));
	else
		fprintf(f, "{\"name\": \"isa\", \"status\": \"pass\", \"data\": {\"identification\": {\"vendor\": \"%s\", "
			"\"brand\": \"%s\"}, \"extensions\": [", id.vendor, id.brand);
	for (int i = 0, n = 0; i < isa_next; i++) {
		if (share && !(set & (1ULL << i)))
			continue;
		if (share)
			fprintf(f, "%s\"%s\"", n++ ? ", " : "", isa_exts[i].name);
		else
			fprintf(f, "%s{\"name\": \"%s\", \"level\": %d, \"state\": \"%s\"}", n++ ? ", " : "",
				isa_exts[i].name, isa_exts[i].level, set & (1ULL << i) ? "ok" : "absent");
	}
	if (share) {
		fputs("], \"tested\": [", f);
		for (int i = 0; i < isa_next; i++)
			fprintf(f, "%s\"%s\"", i ? ", " : "", isa_exts[i].name);
		fputs("], \"levels\": {", f);
		for (int i = 0, n = 0; i < isa_next; i++)
			if (isa_exts[i].level)
				fprintf(f, "%s\"%s\": %d", n++ ? ", " : "", isa_exts[i].name, isa_exts[i].level);
		fputs("}, \"cpuid\": [", f);
		if (audit_dump[k].has_xcr0)
			fprintf(f, "\"xcr0 %016llx\"%s", (unsigned long long)audit_dump[k].xcr0, audit_dump[k].n ? ", " : "");
		for (int i = 0; i < audit_dump[k].n; i++) {
			const struct cpuid_leaf *e = &audit_dump[k].e[i];

			fprintf(f, "%s\"%08x %02x %08x %08x %08x %08x\"", i ? ", " : "", e->leaf, e->sub, e->r[0], e->r[1],
				e->r[2], e->r[3]);
		}
		fputs("]}}\n", f);
	} else {
		fputs("]}}\n", f);
	}
	fclose(f);
}

static int audit_node(const char *name)
{
	for (int k = 0; k < 3; k++)
		if (!strcmp(audit_nodes[k].node, name))
			return k;
	return -1;
}

/* The oracle: QEMU with enforce, as PVE 8 and PVE 9 run it, on the node's
 * recorded CPUID (lib/qemumodels.c, checked against QEMU itself by
 * test_qemumodels), and the model's vendor the node's. */
static bool qemu_starts(const char *type, int k)
{
	struct qm_verdict v;
	int known = 0;

	for (int q = 0; q < QM_NQEMU; q++) {
		bool ok = qm_pve_starts((enum qm_qemu)q, type, NULL, &audit_dump[k], &v);

		if (!v.known)
			continue; /* a model newer than this QEMU (EPYC-Genoa and 7.2) */
		known++;
		if (!ok || !v.vendor_matches)
			return false;
	}
	return known > 0;
}

/* Every type the run names: the advised --cpu of every VM on every node
 * it may run on, this node's runnable types, the cluster-safe type. */
static void audit_never_refused(const struct jval *rep, int self, bool n100_known)
{
	const struct jval *vms = json_path(rep, "data.vms"), *fl = json_get(rep, "findings");
	const struct jval *types = json_path(rep, "data.cpu.pve_types");
	const char *safe = json_str(json_get(rep, "metrics"), "cluster_safe_type", NULL);

	for (size_t i = 0; i < json_len(vms); i++) {
		const struct jval *vm = json_at(vms, i);
		const char *cmd = json_str(vm, "command", NULL), *t;
		int home = audit_node(json_str(vm, "node", ""));
		char type[64];

		assert_true(home >= 0);
		if (home == 1 && !n100_known) {
			/* nothing advised to a VM on a node whose CPU is unknown */
			if (cmd)
				fail_msg("VM %.0f on n100 (CPU unknown) is told: %s", json_num(vm, "vmid", 0), cmd);
			continue;
		}
		if (!cmd || !(t = strstr(cmd, "--cpu ")))
			continue;
		snprintf(type, sizeof(type), "%.*s", (int)strcspn(t + 6, " "), t + 6);
		for (int k = 0; k < 3; k++) {
			bool relevant = k == home || (!json_true(vm, "passthrough") && (k != 1 || n100_known));

			if (relevant && !qemu_starts(type, k))
				fail_msg("VM %.0f is told %s, which QEMU refuses on %s", json_num(vm, "vmid", 0), cmd,
					 audit_nodes[k].node);
		}
	}
	for (size_t i = 0; i < json_len(fl); i++) {
		const struct jval *f = json_at(fl, i), *ev = json_get(f, "evidence");

		if (strncmp(json_str(f, "id", ""), "vm.", 3) || n100_known || strcmp(json_str(ev, "node", ""), "n100"))
			continue;
		if (strstr(json_str(f, "advice", ""), "--cpu"))
			fail_msg("%s for a VM on n100 (CPU unknown) advises %s", json_str(f, "id", ""),
				 json_str(f, "advice", ""));
	}
	assert_true(json_len(types) > 0);
	for (size_t i = 0; i < json_len(types); i++) {
		const char *t = json_as_str(json_at(types, i), "");

		if (strncmp(t, "custom-", 7) && !qemu_starts(t, self))
			fail_msg("%s is said to run %s, which QEMU refuses there", audit_nodes[self].node, t);
	}
	assert_non_null(safe);
	for (int k = 0; k < 3; k++)
		if ((k != 1 || n100_known) && !qemu_starts(safe, k))
			fail_msg("cluster-safe %s is refused on %s", safe, audit_nodes[k].node);
}

static void test_audit_cluster(void **state)
{
	char share[128], isa[160], dump_n100[8] = "", path[200];
	uint64_t before = sum_tree(AUDIT);
	const struct jval *m, *v;
	struct jval *rep;
	int rc;

	(void)state, (void)dump_n100;
	snprintf(share, sizeof(share), "%s/share", tmpdir);
	mkdir(share, 0755);
	snprintf(isa, sizeof(isa), "%s/fra-isa.json", tmpdir);
	audit_cpu_file(0, isa, false);
	snprintf(path, sizeof(path), "%s/epyc.json", share);
	audit_cpu_file(2, path, true);

	/* the first run: n100 has not shared its CPU yet */
	rep = run_host(&rc, "--pve", AUDIT, "--root", DATA "root/intel", "--node", "fra", "--isa-json", isa,
		       "--cpuid-dump", audit_nodes[0].dump, "--no-wake", "--share", share, NULL);
	assert_int_equal(sum_tree(AUDIT), before);
	m = json_get(rep, "metrics");
	assert_int_equal(json_num(m, "nodes", 0), 3);
	assert_int_equal(json_num(m, "nodes_known", 0), 2);
	assert_int_equal(json_num(m, "vms", 0), 26); /* oldnode's two left out */
	assert_string_equal(json_str(json_path(rep, "data.cluster"), "members_from", ""), "corosync.conf");
	assert_true(has_str(json_path(rep, "data.cluster.stale_folders"), "oldnode"));
	assert_int_equal(findings(rep, "host.stale-node-folder", -1), 1);
	assert_int_equal(findings(rep, "host.cluster-cpus-unknown", -1), 1);
	audit_never_refused(rep, 0, false);
	for (int id = 200; id <= 206; id++)
		assert_int_equal(findings(rep, "vm.node-cpu-unknown", id), 1);
	/* args, passthrough, pending, parsing */
	assert_non_null(strstr(json_str(vm_of(rep, 104), "command", ""), "qm set 104 --delete args --cpu "));
	assert_string_equal(json_path(vm_of(rep, 104), "cpu.judged")->str, "host");
	assert_int_equal(findings(rep, "vm.cpu-args-override", 104), 1);
	assert_int_equal(findings(rep, "vm.cpu-host-migration", 102), 1);
	assert_int_equal(findings(rep, "vm.cpu-host-migration", 103), 0); /* hostpci0 */
	assert_int_equal(findings(rep, "vm.cpu-pending", 111), 1);
	assert_string_equal(json_path(vm_of(rep, 111), "cpu.judged")->str, "host");
	assert_int_equal(json_get(vm_of(rep, 112), "problems")->len, 0); /* allow-ksm, [special:fleecing] */
	assert_int_equal(json_get(vm_of(rep, 113), "problems")->len, 1);
	assert_string_equal(json_path(vm_of(rep, 113), "cpu.type")->str, "kvm64");
	assert_int_equal(json_get(vm_of(rep, 114), "problems")->len, 1);
	assert_int_equal(json_num(vm_of(rep, 114), "memory_mib", 0), 2048);
	assert_string_equal(json_path(vm_of(rep, 305), "cpu.type")->str, "kvm64"); /* delete: cpu */
	/* x86-64-v2-AES, PVE's default, below the cluster: INFO, not WARN */
	assert_int_equal(findings(rep, "vm.cpu-below-cluster", 101), 1);
	/* ballooning: the node's target 70, shares 0 */
	v = json_path(rep, "data.memory");
	assert_int_equal(json_num(v, "autoballoon_used_pct", 0), 70);
	assert_int_equal(findings(rep, "vm.balloon-auto", 101), 1);
	assert_int_equal(findings(rep, "vm.balloon-shares-zero", 109), 1);
	assert_int_equal(findings(rep, "vm.balloon-auto", 109), 0);
	/* committed memory: 13 VMs on fra, the template and the hibernated one
	 * (16 GiB each) left out */
	assert_int_equal(json_num(m, "vm_memory_mib", 0),
			 2048 + 4096 + 8192 + 8192 + 2048 + 2048 + 8192 + 4096 + 2048 + 2048 + 2048);
	json_free(rep);

	/* the second run: every node known */
	snprintf(path, sizeof(path), "%s/n100.json", share);
	audit_cpu_file(1, path, true);
	rep = run_host(&rc, "--pve", AUDIT, "--root", DATA "root/intel", "--node", "fra", "--isa-json", isa,
		       "--cpuid-dump", audit_nodes[0].dump, "--no-wake", "--share", share, NULL);
	assert_int_equal(rc, EXIT_FAIL); /* n100's own VMs 201 and 206 cannot start there */
	assert_int_equal(json_num(json_get(rep, "metrics"), "nodes_known", 0), 3);
	audit_never_refused(rep, 0, true);
	assert_int_equal(findings(rep, "vm.cpu-beyond-node", 201), 1); /* Skylake-Client: hle, rtm */
	assert_non_null(strstr(json_str(json_get(vm_of(rep, 201), "cpu"), "read_as", ""), "Skylake-Client"));
	assert_int_equal(findings(rep, "vm.cpu-beyond-node", 206), 1); /* x86-64-v4 */
	assert_int_equal(findings(rep, "vm.node-cpu-unknown", -1), 0);
	assert_int_equal(findings(rep, "vm.cpu-beyond-cluster", 300), 1); /* EPYC-Genoa on Intel nodes */
	json_free(rep);

	/* from the N100 itself, booted with intel_idle.max_cstate=1 */
	snprintf(isa, sizeof(isa), "%s/n100-isa.json", tmpdir);
	audit_cpu_file(1, isa, false);
	snprintf(path, sizeof(path), "%s/fra.json", share);
	audit_cpu_file(0, path, true);
	rep = run_host(&rc, "--pve", AUDIT, "--root", DATA "root/n100-maxcstate1", "--node", "n100", "--isa-json", isa,
		       "--cpuid-dump", audit_nodes[1].dump, "--no-wake", "--share", share, NULL);
	audit_never_refused(rep, 1, true);
	assert_false(has_str(json_path(rep, "data.cpu.pve_types"), "Skylake-Client"));
	assert_int_equal(findings(rep, "host.cstates-poll-only", -1), 1);
	assert_int_equal(findings(rep, "host.deep-cstates", -1), 0);
	json_free(rep);
	rep = run_host(&rc, "--pve", AUDIT, "--root", DATA "root/n100", "--node", "n100", "--isa-json", isa,
		       "--cpuid-dump", audit_nodes[1].dump, "--no-wake", "--share", share, NULL);
	assert_int_equal(findings(rep, "host.deep-cstates", -1), 1);
	assert_int_equal(findings(rep, "host.cstates-poll-only", -1), 0);
	{
		const struct jval *fl = json_get(rep, "findings");

		for (size_t i = 0; i < json_len(fl); i++)
			if (!strcmp(json_str(json_at(fl, i), "id", ""), "host.deep-cstates")) {
				const char *adv = json_str(json_at(fl, i), "advice", "");

				assert_non_null(strstr(adv, "intel_idle.states_off=28"));
				assert_non_null(strstr(adv, "POLL C1E"));
				assert_null(strstr(adv, "max_cstate=1"));
			}
	}
	json_free(rep);
}

/* --vm --run-iso: the script against a stand-in qm (data/host/fake-qm). */
static int run_script(int vmid, const char *state, bool fail_start, bool force, char *log, size_t size)
{
	char path[200], work[128], logp[160], statep[160], img[160], env[1200], *text, *script;
	struct pve_vmconf c;
	size_t len;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), PVE "/nodes/pve1/qemu-server/%d.conf", vmid);
	text = read_file(path, 1 << 20, &len);
	assert_non_null(text);
	pve_parse_vmconf(text, len, path, &c);
	free(text);
	snprintf(work, sizeof(work), "%s/work", tmpdir);
	script = host_iso_script(vmid, &c, "local:iso/vmtriage.iso", work, force, &len);
	assert_non_null(script);
	snprintf(path, sizeof(path), "%s/run.sh", tmpdir);
	f = fopen(path, "w");
	fwrite(script, 1, len, f);
	fclose(f);
	free(script);
	snprintf(logp, sizeof(logp), "%s/qm.log", tmpdir);
	snprintf(statep, sizeof(statep), "%s/qm.state", tmpdir);
	snprintf(img, sizeof(img), "%s/report.img", work);
	f = fopen(statep, "w");
	fputs(state, f);
	fclose(f);
	unlink(logp);
	snprintf(env, sizeof(env), "PATH=\"$PWD/" DATA "fake-qm:$PATH\" QM_LOG=%s QM_STATE=%s QM_IMG=%s %s sh %s "
		 ">/dev/null 2>&1", logp, statep, img, fail_start ? "QM_FAIL_START=1" : "", path);
	rc = system(env);
	text = read_file(logp, 1 << 16, NULL);
	strlcpy_(log, text ? text : "", size);
	free(text);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_run_iso(void **state)
{
	char log[4096], path[200], *rest;
	struct pve_vmconf c;

	(void)state;
	/* VM 100: boots, its report is copied out, boot and ide2 come back */
	assert_int_equal(run_script(100, "stopped", false, false, log, sizeof(log)), 0);
	rest = strstr(log, "qm set 100 --ide2 local:iso/vmtriage.iso,media=cdrom\n");
	assert_non_null(rest);
	assert_non_null(rest = strstr(rest, "qm set 100 --virtio15 "));
	assert_non_null(rest = strstr(rest, "qm set 100 --boot order=ide2\n"));
	assert_non_null(rest = strstr(rest, "qm start 100\n"));
	assert_non_null(rest = strstr(rest, "qm set 100 --boot order=scsi0;net0\n"));
	assert_non_null(rest = strstr(rest, "qm set 100 --delete ide2\n"));
	assert_non_null(rest = strstr(rest, "qm set 100 --delete virtio15\n"));
	assert_null(strstr(log, "qm start 100\nqm start")); /* it was stopped: not started again */
	snprintf(path, sizeof(path), "%s/work/vmtriage/report.json", tmpdir);
	assert_int_equal(access(path, R_OK), 0);

	/* the start fails: the trap still puts everything back */
	assert_int_not_equal(run_script(100, "stopped", true, false, log, sizeof(log)), 0);
	assert_non_null(rest = strstr(log, "qm start 100\n"));
	assert_non_null(rest = strstr(rest, "qm set 100 --boot order=scsi0;net0\n"));
	assert_non_null(strstr(rest, "qm set 100 --delete virtio15\n"));

	/* a running VM is refused and left alone, unless --force */
	assert_int_equal(run_script(100, "running", false, false, log, sizeof(log)), 1);
	assert_null(strstr(log, "qm set"));
	assert_int_equal(run_script(100, "running", false, true, log, sizeof(log)), 0);
	assert_non_null(rest = strstr(log, "qm shutdown 100"));
	assert_non_null(strstr(rest, "qm start 100\n"));

	/* no free virtio slot: no script */
	memset(&c, 0, sizeof(c));
	c.virtio_used = 0xffff;
	assert_null(host_iso_script(100, &c, "x", "/tmp/x", false, &(size_t){ 0 }));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_forms),
		cmocka_unit_test(test_cpu_rejected),
		cmocka_unit_test(test_memory_balloon),
		cmocka_unit_test(test_numa_hotplug_description),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_sections_qemu_server),
		cmocka_unit_test(test_cpu_qemu_server),
		cmocka_unit_test(test_cpumodels),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_idle_intel),
		cmocka_unit_test(test_idle_acpi),
		cmocka_unit_test(test_idle_guest),
		cmocka_unit_test(test_cstate_advice),
		cmocka_unit_test_setup_teardown(test_cluster, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_cluster_without_shares, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_no_pve, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_killed_midway, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_run_iso, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_views, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_members, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_audit_cluster, setup_tmp, teardown_tmp),
	};

	return cmocka_run_group_tests_name("host", tests, NULL, NULL);
}
