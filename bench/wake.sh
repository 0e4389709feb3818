#!/bin/bash
# bench/wake.sh OUTDIR
#
# The measurement floor of `triage wake` on this machine, and its median and
# p99 wake-up overshoot next to cyclictest's (Debian rt-tests) in the same
# run: one CPU, the same interval, the same SCHED_FIFO priority, C-states as
# the system has them (cyclictest --laptop leaves /dev/cpu_dma_latency
# alone, and triage wake --no-shallow skips its held-shallow sweep).
# Target: medians within 20% of each other.
#
# OUTDIR holds triage (make tools); the raw results go to OUTDIR/bench/wake/.
# Environment: TRIAGE (another binary), WAKE_BENCH_LOOPS (15000 wake-ups
# each, about 15 s each at the 1 ms interval), WAKE_BENCH_CPU (0). Run as
# root: both then measure with SCHED_FIFO. About 35 s.
set -Eeuo pipefail
trap 'echo "${0##*/}: FAILED at line $LINENO (status $?): $BASH_COMMAND" >&2' ERR

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
triage=${TRIAGE:-$1/triage}
out=$1/bench/wake
loops=${WAKE_BENCH_LOOPS:-15000}
cpu=${WAKE_BENCH_CPU:-0}
interval_us=1000
# The priority triage wake uses (WAKE_RT_PRIO in tools/wake/wake.c).
prio=49

[ -x "$triage" ] || { echo "wake bench: $triage is missing (make tools)" >&2; exit 1; }
command -v cyclictest >/dev/null || { echo "wake bench: cyclictest is missing (scripts/deps installs rt-tests)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "wake bench: python3 is missing (scripts/deps)" >&2; exit 1; }
mkdir -p "$out"

rtopt=(-p "$prio")
if [ "$(id -u)" -ne 0 ]; then
	# Without root neither gets SCHED_FIFO; triage wake falls back by itself.
	rtopt=()
	echo "wake bench: not root: both measure as ordinary threads" >&2
fi

# triage exits 2 (warn) or 1 (fail) when it finds stalls: still a measurement.
rc=0
"$triage" wake --durations "${interval_us}us" --cpus "$cpu" --samples "$loops" --no-shallow -q \
	-o "$out/wake.json" || rc=$?
[ "$rc" -le 2 ] && [ -s "$out/wake.json" ] || { echo "wake bench: triage wake failed (exit $rc)" >&2; exit 1; }

cyclictest -m -i "$interval_us" -l "$loops" -t1 -a "$cpu" -q --laptop "${rtopt[@]}" \
	-h 100000 --histfile="$out/cyclictest.hist" --json="$out/cyclictest.json" >"$out/cyclictest.txt" 2>&1 ||
	{ echo "wake bench: cyclictest failed:" >&2; cat "$out/cyclictest.txt" >&2; exit 1; }

python3 - "$out/wake.json" "$out/cyclictest.json" "$interval_us" "$loops" "$cpu" <<'EOF' | tee "$out/summary.txt"
import json, math, sys

wake = json.load(open(sys.argv[1]))
ct = json.load(open(sys.argv[2]))
interval, loops, cpu = sys.argv[3], sys.argv[4], sys.argv[5]

def rank(hist, n, q):
    """Nearest rank over cyclictest's 1 us buckets; a bucket k holds
    [k, k+1) us (it truncates), so its midpoint stands for it."""
    need = max(1, math.ceil(n * q))
    seen = 0
    for k in sorted(hist):
        seen += hist[k]
        if seen >= need:
            return k + 0.5
    return float("nan")

d = wake["data"]
f = d["floor"]
b = d["blocks"][0]
t = ct["thread"]["0"]
hist = {int(k): v for k, v in t["histogram"].items()}
n = sum(hist.values())
ct50, ct99 = rank(hist, n, 0.50), rank(hist, n, 0.99)

print(f"wake bench: CPU {cpu}, interval {interval} us, {loops} wake-ups each, C-states as the system has them")
print(f"  clocksource {d['env']['clocksource']['current']}, cpuidle "
      f"{d['env']['cpuidle']['driver'] if d['env']['cpuidle']['present'] else 'absent'}, "
      f"hypervisor {d['env']['hypervisor'] or 'none'}")
print(f"floor of triage wake: clock read p50 {f['clock_read_ns']['p50']} ns (p99 {f['clock_read_ns']['p99']} ns); "
      f"zero-length absolute sleep p50 {f['sleep0']['p50_us']:.1f} us (p99 {f['sleep0']['p99_us']:.1f} us)")
print(f"triage wake:  n {b['n']}  median {b['p50_us']:.1f} us  p99 {b['p99_us']:.1f} us  max {b['max_us']:.1f} us")
print(f"cyclictest:   n {n}  median {ct50:.1f} us  p99 {ct99:.1f} us  max {t['max']} us  (avg {t['avg']} us)")
ratio = b["p50_us"] / ct50
print(f"ratio of medians (triage wake / cyclictest): {ratio:.2f}  "
      f"({'within' if abs(ratio - 1) <= 0.20 else 'OUTSIDE'} the 20% target)")
EOF
