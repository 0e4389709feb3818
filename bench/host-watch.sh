#!/bin/bash
# bench/host-watch.sh OUTDIR
#
# The CPU cost of `triage host --watch` at its default interval (1 s) on a
# host with running VMs, next to sysstat's collector (sadc, what `sar -o`
# runs; all activities with -S XALL) at the same interval over the same
# time, as a ratio measured in one run. The VMs are real QEMU processes
# (TCG) with the halt guest of tests/autopsy/guest.S, named as PVE names
# them (-name ...,debug-threads=on), under a fake /var/run/qemu-server.
# Target: the recorder under 0.1% of one CPU with 4 VMs of 2 vCPUs, in
# steady state: the CPU time it records of itself in each node record
# (cost_ns, docs/watch.md), first to last, so making the 8 MiB ring at
# start is left out; /usr/bin/time's whole-run figure (10 ms resolution)
# is printed beside it.
#
# OUTDIR holds triage (make tools); the raw results go to
# OUTDIR/bench/host-watch/. Environment: TRIAGE (another binary),
# HOSTWATCH_BENCH_SECONDS (60), HOSTWATCH_BENCH_VMS (4). About a minute.
set -Eeuo pipefail
trap 'echo "${0##*/}: FAILED at line $LINENO (status $?): $BASH_COMMAND" >&2' ERR

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
triage=${TRIAGE:-$1/triage}
out=$1/bench/host-watch
secs=${HOSTWATCH_BENCH_SECONDS:-60}
nvms=${HOSTWATCH_BENCH_VMS:-4}
sadc=/usr/lib/sysstat/sadc

[ -x "$triage" ] || { echo "host-watch bench: $triage is missing (make tools)" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "host-watch bench: QEMU is missing (scripts/deps)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/run" "$out/ring" "$out/prom"

gcc -E -DGUEST_HALT "$top/tests/autopsy/guest.S" -o "$out/halt.s"
as --32 "$out/halt.s" -o "$out/halt.o"
ld -m elf_i386 -Ttext 0 --oformat binary -e start -o "$out/halt.bin" "$out/halt.o"

pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT
for i in $(seq 1 "$nvms"); do
	vmid=$((900 + i))
	qemu-system-x86_64 -accel tcg -bios "$out/halt.bin" -smp 2 -m 16 -display none -nodefaults \
		-name "vm$vmid,debug-threads=on" -pidfile "$out/run/$vmid.pid" -daemonize
	pids+=("$(cat "$out/run/$vmid.pid")")
done

# CPU seconds (user + system) of a command and what it waits for, and
# its wall time: /usr/bin/time's own account.
measure() {
	local name=$1
	shift
	/usr/bin/time -o "$out/$name.time" -f '%e %U %S' "$@" >"$out/$name.out" 2>&1 &
}
measure triage "$triage" host --watch --interval 1s --duration "${secs}s" --dir "$out/ring" \
	--run-dir "$out/run" --textfile "$out/prom" -q
have_sadc=0
if [ -x "$sadc" ]; then
	measure sadc "$sadc" -S XALL 1 "$secs" "$out/sa.data"
	have_sadc=1
else
	echo "host-watch bench: sysstat's sadc is missing (scripts/deps): no comparison" >&2
fi
wait

python3 - "$out" "$nvms" "$have_sadc" <<'PY'
import struct
import sys
out, nvms, have_sadc = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
# the node records (type 65) from the ring, by docs/watch.md's layout:
# CLOCK_MONOTONIC at 16, payload at 40, cost_ns at payload offset 184
data = open(f"{out}/ring/watch.ring", "rb").read()
node = sorted((struct.unpack_from("<Q", data, o)[0], struct.unpack_from("<q", data, o + 16)[0],
               struct.unpack_from("<q", data, o + 40 + 184)[0])
              for o in range(4096, len(data) - 255, 256)
              if data[o + 12:o + 16] == b"VTRC" and struct.unpack_from("<H", data, o + 8)[0] == 65)
(_, m0, c0), (_, m1, c1) = node[1], node[-1]
print(f"host-watch: triage host --watch steady state, {len(node) - 1} ticks over {(m1 - m0) / 1e9:.0f} s: "
      f"{(c1 - c0) / 1e9:.4f} CPU s = {100 * (c1 - c0) / (m1 - m0):.4f}% of one CPU")
def cost(name):
    e, u, s = map(float, open(f"{out}/{name}.time").read().split()[-3:])
    return e, u + s
e, c = cost("triage")
print(f"host-watch: triage host --watch whole run (ring made, {nvms} VMs x 2 vCPUs, 1 s interval, "
      f"textfile every 15 s), {e:.0f} s: {c:.3f} CPU s = {100 * c / e:.4f}% of one CPU")
if have_sadc:
    e2, c2 = cost("sadc")
    print(f"host-watch: sadc -S XALL (sar -o), same interval, {e2:.0f} s: {c2:.3f} CPU s = "
          f"{100 * c2 / e2:.4f}% of one CPU")
    if c2 > 0:
        print(f"host-watch: ratio triage / sadc = {c / c2:.2f}")
PY
