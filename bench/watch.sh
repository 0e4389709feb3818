#!/bin/bash
# bench/watch.sh OUTDIR
#
# What the flight recorder costs: `triage watch` and sar's collector
# (sysstat's sadc, with disks: what `sar -d` records) side by side at the
# same 1 s interval for the same seconds, in one run. For each: CPU time
# (the kernel's sum_exec_runtime, /proc/PID/schedstat, in ns: not the
# 10 ms ticks of /proc/PID/stat) and bytes written (/proc/PID/io wchar),
# both over the same window after both have started, then per hour.
# Target: triage watch at most 0.1% of one CPU (1 ms per s).
#
# OUTDIR holds triage (make tools); the rings and sadc's file go to
# OUTDIR/bench/watch/. Environment: TRIAGE (another binary),
# WATCH_BENCH_SECONDS (60). atop is not compared (not in scripts/deps).
set -Eeuo pipefail
trap 'echo "${0##*/}: FAILED at line $LINENO (status $?): $BASH_COMMAND" >&2' ERR

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
triage=${TRIAGE:-$1/triage}
out=$1/bench/watch
secs=${WATCH_BENCH_SECONDS:-60}
sadc=/usr/lib/sysstat/sadc
[ -x "$triage" ] || { echo "watch bench: $triage is missing (make tools)" >&2; exit 1; }
[ -x "$sadc" ] || { echo "watch bench: $sadc is missing (scripts/deps installs sysstat)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"

"$triage" watch --dir "$out/ring" --interval 1s --duration $((secs + 30))s -q &
wpid=$!
"$sadc" -S DISK 1 $((secs + 30)) "$out/sa.data" &
spid=$!
# Both past their start (the ring's 8 MiB of zeros, sadc's file header).
sleep 2

cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }
wchar() { awk '$1 == "wchar:" { print $2 }' "/proc/$1/io"; }
w0=$(cpu_ns $wpid) s0=$(cpu_ns $spid) wb0=$(wchar $wpid) sb0=$(wchar $spid) t0=$(date +%s.%N)
sleep "$secs"
w1=$(cpu_ns $wpid) s1=$(cpu_ns $spid) wb1=$(wchar $wpid) sb1=$(wchar $spid) t1=$(date +%s.%N)
kill $wpid $spid
wait $wpid || true
wait $spid || true

python3 - "$w0" "$w1" "$s0" "$s1" "$wb0" "$wb1" "$sb0" "$sb1" "$t0" "$t1" <<'PY'
import sys
w0, w1, s0, s1, wb0, wb1, sb0, sb1 = map(int, sys.argv[1:9])
t = float(sys.argv[10]) - float(sys.argv[9])
wc, sc = (w1 - w0) / 1e9, (s1 - s0) / 1e9
print("window %.1f s, interval 1 s" % t)
print("%-14s %10s %12s %14s" % ("", "CPU %", "CPU s/hour", "written/hour"))
for name, c, b in (("triage watch", wc, wb1 - wb0), ("sadc (sar -d)", sc, sb1 - sb0)):
    print("%-14s %9.4f%% %12.3f %11.1f KiB" % (name, 100 * c / t, c / t * 3600, b / t * 3600 / 1024))
print("ratio CPU watch/sadc %.2f, written %.2f" % (wc / sc if sc else float("nan"),
      (wb1 - wb0) / (sb1 - sb0) if sb1 != sb0 else float("nan")))
print("target: watch <= 0.1%% of one CPU: %s" % ("met" if 100 * wc / t <= 0.1 else "NOT met"))
PY
