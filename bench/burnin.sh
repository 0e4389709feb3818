#!/bin/bash
# bench/burnin.sh OUTDIR
#
# What our samplers cost stress-ng: its bogo-ops in the same time with no
# sampler, with the health sampler alone (sensors, frequency, counters, the
# kernel log, once a second) and with everything the burn-in runs beside it
# (health, ISA rounds every 20 s, the wake sampler). Runs alternate, in a
# different order each round, so a noisy neighbour hits all three alike; each round is compared with the same
# round's run without samplers and the median of the rounds is printed.
# Beside it: the CPU time the kernel accounted to the samplers as a share of
# stress-ng's own, which a neighbour does not move. Target: the health
# sampler under 2%. The ISA rounds and the wake sampler are load of their
# own by design (they compete for the CPUs to check them under load); their
# figures are for information.
#
# OUTDIR holds triage (make tools); the raw results go to OUTDIR/bench/burnin/.
# Environment: TRIAGE (another binary), BURNIN_BENCH_SECONDS (20 per run),
# BURNIN_BENCH_ROUNDS (3), BURNIN_BENCH_STRESSORS (cpu:matrixprod,matrix:mult:
# one method each, so that a bogo-op costs the same all run long). Run as
# root (the wake sampler's SCHED_FIFO, the kernel log). About 3.5 minutes.
set -Eeuo pipefail
trap 'echo "${0##*/}: FAILED at line $LINENO (status $?): $BASH_COMMAND" >&2' ERR

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
triage=${TRIAGE:-$1/triage}
out=$1/bench/burnin
secs=${BURNIN_BENCH_SECONDS:-20}
rounds=${BURNIN_BENCH_ROUNDS:-3}
stressors=${BURNIN_BENCH_STRESSORS:-cpu:matrixprod,matrix:mult}

[ -x "$triage" ] || { echo "burnin bench: $triage is missing (make tools)" >&2; exit 1; }
command -v stress-ng >/dev/null || { echo "burnin bench: stress-ng is missing (scripts/deps)" >&2; exit 1; }
mkdir -p "$out"
rm -f "$out"/*.json

configs=(none health health,isa,wake)
for r in $(seq 1 "$rounds"); do
	# Each round starts with another configuration, so that a drift of the
	# machine over the runs does not always fall on the same one.
	for k in 0 1 2; do
		s=${configs[$(((r + k) % 3))]}
		# exit 2 (warn) or 1 (fail) is still a measurement
		"$triage" burnin --duration "${secs}s" --stressors "$stressors" --samplers "$s" -q \
			-o "$out/round$r-${s//,/+}.json" || [ $? -le 2 ]
	done
done

python3 - "$out" "$rounds" "$secs" "$stressors" <<'PY'
import json, statistics, sys
out, rounds, secs, stressors = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def metrics(r, s):
    with open(f"{out}/round{r}-{s}.json") as f:
        return json.load(f)["metrics"]
def share(m, keys):
    mine = sum(m[k] for k in keys)
    return 100 * mine / (m["load_cpu_s"] + mine)
print(f"stress-ng {stressors}, {secs} s a run, {rounds} rounds")
base = [metrics(r, "none")["bogo_ops"] for r in range(1, rounds + 1)]
print(f"  no sampler      bogo-ops {statistics.median(base):11.0f} (median of {', '.join('%.0f' % b for b in base)})")
for s, label, keys, target in (
        ("health", "health", ["health_cpu_s"], "target < 2%"),
        ("health+isa+wake", "all samplers", ["health_cpu_s", "isa_cpu_s", "wake_cpu_s"], "for information")):
    ms = [metrics(r, s) for r in range(1, rounds + 1)]
    cost = [100 * (1 - m["bogo_ops"] / b) for m, b in zip(ms, base)]
    cpu = [share(m, keys) for m in ms]
    print(f"  {label:<15} CPU time beside stress-ng's {statistics.median(cpu):6.2f}% (median of "
          f"{', '.join('%.2f' % c for c in cpu)}; {target})")
    print(f"  {'':<15} bogo-ops {statistics.median([m['bogo_ops'] for m in ms]):11.0f}, "
          f"{statistics.median(cost):+5.1f}% against the same round without (median of {', '.join('%+.1f' % c for c in cost)})")
PY
