/* triage host --vm VMID --run-iso ISO: the qm commands that boot one VM
 * once from the vmtriage ISO with a report disk, wait for the report, copy
 * it out and put the VM back as it was. A shell script, printed by
 * default; its trap restores the VM on any exit, error or signal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/hostrun.h"
#include "lib/util.h"

/* The report disk: 32 MiB FAT (scripts/report-disk makes the same). */
#define REPORT_DISK_KIB 32768
/* Longest wait for the guest to power off: a standard run is about 12
 * minutes under KVM (commands.h time limits); a margin for slow guests. */
#define RUN_ISO_WAIT_S 1800

/* s in single quotes for the shell, ' as '\''. */
static void sq(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

char *host_iso_script(int vmid, const struct pve_vmconf *c, const char *iso, const char *work, bool force,
		      size_t *len)
{
	char *buf = NULL, slot[24];
	FILE *f = open_memstream(&buf, len);
	int free_slot = -1;

	if (!f)
		dief("out of memory");
	for (int n = 15; n >= 0 && free_slot < 0; n--)
		if (!(c->virtio_used & (1u << n)))
			free_slot = n;
	if (free_slot < 0) {
		fclose(f);
		free(buf);
		return NULL;
	}
	snprintf(slot, sizeof(slot), "virtio%d", free_slot);
	fprintf(f, "#!/bin/sh\n# vmtriage: boot VM %d once from the vmtriage ISO with a report disk, keep the\n"
		   "# report, and put the VM back as it was (the trap restores it on any exit).\n"
		   "set -eu\nvmid=%d\niso=", vmid, vmid);
	sq(f, iso);
	fputs("\nwork=", f);
	sq(f, work);
	fputs("\nimg=\"$work/report.img\"\nwas_running=0\n"
	      "if qm status \"$vmid\" | grep -q 'status: running'; then\n", f);
	if (force)
		fputs("\twas_running=1\n\tqm shutdown \"$vmid\" --timeout 180\n", f);
	else
		fputs("\techo \"VM $vmid is running: shut it down first, or pass --force\" >&2\n\texit 1\nfi\n", f);
	if (force)
		fputs("fi\n", f);
	fputs("mkdir -p \"$work\"\nqm config \"$vmid\" > \"$work/config.before\"\n\n"
	      "restore() {\n\trc=$?\n\tset +e\n\ttrap - EXIT INT TERM HUP\n"
	      "\tqm status \"$vmid\" | grep -q 'status: running' && qm stop \"$vmid\"\n", f);
	if (c->boot[0]) {
		fputs("\tqm set \"$vmid\" --boot ", f);
		sq(f, c->boot);
		fputs("\n", f);
	} else {
		fputs("\tqm set \"$vmid\" --delete boot\n", f);
	}
	if (c->ide2[0]) {
		fputs("\tqm set \"$vmid\" --ide2 ", f);
		sq(f, c->ide2);
		fputs("\n", f);
	} else {
		fputs("\tqm set \"$vmid\" --delete ide2\n", f);
	}
	fprintf(f, "\tqm set \"$vmid\" --delete %s\n", slot);
	fputs("\t[ \"$was_running\" = 1 ] && qm start \"$vmid\"\n"
	      "\tqm config \"$vmid\" > \"$work/config.after\"\n"
	      "\tdiff -u \"$work/config.before\" \"$work/config.after\" >&2 || echo \"VM $vmid: config differs "
	      "from before (above)\" >&2\n\texit $rc\n}\ntrap restore EXIT INT TERM HUP\n\n", f);
	fprintf(f, "rm -f \"$img\"\nmkfs.vfat -C -n TRIAGE \"$img\" %d >/dev/null\n", REPORT_DISK_KIB);
	fputs("printf 'set triage_args=\"triage.after=poweroff\"\\nset timeout=0\\n' > \"$work/vmtriage.cfg\"\n"
	      "mcopy -i \"$img\" \"$work/vmtriage.cfg\" ::vmtriage.cfg\n"
	      "qm set \"$vmid\" --ide2 \"$iso,media=cdrom\"\n", f);
	fprintf(f, "qm set \"$vmid\" --%s \"$img\"\nqm set \"$vmid\" --boot order=ide2\nqm start \"$vmid\"\n", slot);
	fprintf(f, "waited=0\nwhile qm status \"$vmid\" | grep -q 'status: running'; do\n"
		   "\tsleep 5\n\twaited=$((waited + 5))\n"
		   "\t[ \"$waited\" -lt %d ] || { echo \"VM $vmid still running after %d s\" >&2; exit 1; }\ndone\n",
		RUN_ISO_WAIT_S, RUN_ISO_WAIT_S);
	fputs("mcopy -s -n -i \"$img\" ::vmtriage \"$work/\"\necho \"report: $work/vmtriage/\"\n", f);
	if (fclose(f) != 0)
		dief("out of memory");
	return buf;
}
