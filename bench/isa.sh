#!/bin/bash
# bench/isa.sh OUTDIR: how long `triage isa` takes on every CPU of this
# machine, and under QEMU TCG with 2 vCPUs.
#
#   hardware   `triage isa` on all CPUs, quick (target: under 1 s) and
#              standard mode: median and worst wall time of REPS runs, and
#              the check's own duration_s.
#   TCG        OUTDIR/bzImage booted with `-accel tcg -smp 2` and a tiny
#              initramfs (busybox + OUTDIR/triage) whose /init runs
#              `triage isa` in quick mode, for -cpu qemu64 and -cpu max
#              (target: about 10 s at most). Reported: the check's
#              duration_s and QEMU's wall time from start to power-off.
#              Skipped when OUTDIR/bzImage (make kernel) or QEMU is missing.
#              By hand, with the real image: boot the ISO with
#              `triage.tests=isa triage.after=poweroff` on the kernel command
#              line and read tests.isa.duration_s from the report JSON
#              between the -----BEGIN/END VMTRIAGE REPORT----- lines.
#
# Environment: TRIAGE (another binary), REPS (20), TCG_CPUS ("qemu64 max").
# About 30 s on 2 cores.
set -Eeuo pipefail
trap 'echo "${0##*/}: FAILED at line $LINENO (status $?): $BASH_COMMAND" >&2' ERR

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
triage=${TRIAGE:-$out/triage}
reps=${REPS:-20}
tcg_cpus=${TCG_CPUS:-qemu64 max}
work=$out/bench/isa
mkdir -p "$work"

[ -x "$triage" ] || { echo "isa bench: $triage is missing (make tools)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "isa bench: python3 is missing (scripts/deps)" >&2; exit 1; }

# Runs triage isa REPS times; prints "wall_median wall_max check_median" in s.
# Exit codes 0-2 are results (pass, fail, warn), not errors.
measure() {
	local mode=$1 n=$2 i rc
	: >"$work/times-$mode"
	for ((i = 0; i < n; i++)); do
		local t0 t1
		t0=$(date +%s%N)
		rc=0
		"$triage" isa -q --mode "$mode" -o "$work/isa-$mode.json" || rc=$?
		t1=$(date +%s%N)
		[ "$rc" -le 2 ] || { echo "isa bench: triage isa --mode $mode exited $rc" >&2; exit 1; }
		echo "$(( (t1 - t0) / 1000 )) $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["duration_s"])' "$work/isa-$mode.json")" >>"$work/times-$mode"
	done
	python3 - "$work/times-$mode" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
wall = [int(r[0]) / 1e6 for r in rows]
check = [float(r[1]) for r in rows]
print(f"{statistics.median(wall):.4f} {max(wall):.4f} {statistics.median(check):.4f}")
EOF
}

ncpu=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metrics"]["cpus"])' <("$triage" isa -q --only sse2 || true))
read -r qmed qmax qcheck < <(measure quick "$reps")
read -r smed smax scheck < <(measure standard 3)
python3 - "$work/isa-quick.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["metrics"]
print(f"hardware: {m['cpus']} CPUs, {m['extensions']} extensions, {d['data']['iterations']} inputs per kernel (quick); "
      f"levels v{m['level_cpuid']} (CPUID) / v{m['level_exec']} (executed); status {d['status']}")
EOF
echo "hardware quick (all $ncpu CPUs):    median ${qmed} s, worst ${qmax} s of $reps runs; check's own duration ${qcheck} s (target < 1 s)"
echo "hardware standard (all $ncpu CPUs): median ${smed} s, worst ${smax} s of 3 runs; check's own duration ${scheck} s"

# ---- TCG: the kernel of the image, a throwaway initramfs, 2 vCPUs ----
kernel=$out/bzImage
if [ ! -f "$kernel" ] || ! command -v qemu-system-x86_64 >/dev/null || ! command -v cpio >/dev/null ||
	[ ! -x /bin/busybox ]; then
	echo "TCG: skipped (needs $kernel from make kernel, qemu-system-x86_64, cpio and /bin/busybox)"
	exit 0
fi
root=$work/initramfs
rm -rf "$root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
cp /bin/busybox "$root/bin/busybox"
cp "$triage" "$root/triage"
cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
echo ISA-JSON-BEGIN
/triage isa -q
echo "ISA-JSON-END rc=$?"
/bin/busybox poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

for cpu in $tcg_cpus; do
	t0=$(date +%s%N)
	timeout 120 qemu-system-x86_64 -accel tcg -cpu "$cpu" -smp 2 -m 256 -nographic -no-reboot -nic none \
		-kernel "$kernel" -initrd "$work/initramfs.gz" -append "console=ttyS0 panic=-1 quiet" \
		>"$work/tcg-$cpu.log" 2>&1 || true
	t1=$(date +%s%N)
	python3 - "$work/tcg-$cpu.log" "$cpu" "$(( (t1 - t0) / 1000000 ))" <<'EOF'
import json, re, sys
log, cpu, wall_ms = open(sys.argv[1], errors="replace").read(), sys.argv[2], int(sys.argv[3])
m = re.search(r"ISA-JSON-BEGIN\r?\n(.*?)ISA-JSON-END", log, re.S)
if not m:
    print(f"TCG -cpu {cpu}: no result (see {sys.argv[1]})")
    sys.exit(0)
d = json.loads(m.group(1))
bad = [f["id"] for f in d["findings"] if f["severity"] != "info"]
print(f"TCG -cpu {cpu} -smp 2: triage isa quick {d['duration_s']:.3f} s (target about 10 s max), "
      f"boot to power-off {wall_ms / 1000:.1f} s; v{d['metrics']['level_cpuid']}, status {d['status']}"
      f"{', findings ' + ' '.join(bad) if bad else ''}")
EOF
done
