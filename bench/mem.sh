#!/bin/bash
# bench/mem.sh OUTDIR: how fast `triage mem` tests memory, against memtester
# and against a plain memset of fresh memory, measured in this one run.
#
#   tested rate   = bytes / (fill + verify passes) of `triage mem --size=S`,
#                   against memtester's S / wall time for one loop of S
#                   (target: at least 5x)
#   fill rate     = triage's fill of fresh memory (page faults included),
#                   against memset of a fresh mmap of the same size, both the
#                   median of REPS runs taken in turn (target: at least 50%)
#
# OUTDIR holds out/triage; the memset helper is compiled into OUTDIR/bench/.
# Run as root so memtester can lock its memory. About 40 s on 2 cores.
set -Eeuo pipefail
trap 'echo "${0##*/}: FAILED at line $LINENO (status $?): $BASH_COMMAND" >&2' ERR

out=${1:?usage: bench/mem.sh OUTDIR}
triage=$out/triage
size_mib=${MEM_BENCH_MIB:-64}
reps=${MEM_BENCH_REPS:-6}
work=$out/bench
mkdir -p "$work"

[ -x "$triage" ] || { echo "bench/mem.sh: $triage missing (make tools)" >&2; exit 1; }
command -v memtester >/dev/null || { echo "bench/mem.sh: memtester missing (scripts/deps)" >&2; exit 1; }

# memset of a fresh anonymous mapping: what any program pays to touch new
# memory. Prints GiB/s of one run.
cat >"$work/memset.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
int main(int argc, char **argv)
{
	size_t size = strtoull(argv[1], NULL, 10) << 20;
	struct timespec a, b;
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	memset(p, 0x5a, size);
	clock_gettime(CLOCK_MONOTONIC, &b);
	/* Read one byte back so the store is not optimized away. */
	if (p[size / 2] != 0x5a)
		return 1;
	printf("%.3f\n", (double)size / (1 << 30) / ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9));
	return 0;
}
EOF
gcc -O2 -o "$work/memset" "$work/memset.c"

json_num() { # FILE KEY: a number from the metrics of a check's JSON
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metrics"][sys.argv[2]])' "$1" "$2"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

memset_runs=() fill_runs=() tested_runs=() wall_runs=()
run_memset() { memset_runs+=("$("$work/memset" "$size_mib")"); }
run_triage() {
	local t0 t1 rc=0
	t0=$(date +%s.%N)
	"$triage" mem --size="${size_mib}M" --chunk=16M --hold=0 --no-churn --budget=60s -q -o "$work/mem.json" || rc=$?
	t1=$(date +%s.%N)
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
		echo "bench/mem.sh: triage mem exited $rc" >&2
		exit 1
	fi
	[ "$(json_num "$work/mem.json" mismatches)" = 0 ] || { echo "bench/mem.sh: mismatches!" >&2; exit 1; }
	fill_runs+=("$(json_num "$work/mem.json" fill_gibps)")
	tested_runs+=("$(json_num "$work/mem.json" tested_gibps)")
	wall_runs+=("$(echo "$size_mib $t0 $t1" | awk '{ printf "%.4f", $1 / 1024 / ($3 - $2) }')")
}
for ((i = 0; i < reps; i++)); do
	# In turn, and each first half of the time: the second of a pair
	# may reuse pages the first just freed (where a hypervisor backs
	# guest memory lazily, those are far cheaper to touch).
	if ((i % 2)); then run_triage; run_memset; else run_memset; run_triage; fi
done
memset=$(printf '%s\n' "${memset_runs[@]}" | median)
fill=$(printf '%s\n' "${fill_runs[@]}" | median)
tested=$(printf '%s\n' "${tested_runs[@]}" | median)
wall=$(printf '%s\n' "${wall_runs[@]}" | median)

# memtester: one loop over the same size; its rate is size / wall time.
t0=$(date +%s.%N)
memtester "${size_mib}M" 1 >"$work/memtester.log" 2>&1 || { echo "bench/mem.sh: memtester failed" >&2; tail -3 "$work/memtester.log" >&2; exit 1; }
t1=$(date +%s.%N)
mt_s=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')
mt=$(echo "$size_mib $mt_s" | awk '{ printf "%.5f", $1 / 1024 / $2 }')

ratio() { echo "$1 $2" | awk '{ printf "%.2f", $1 / $2 }'; }
echo "mem: size ${size_mib} MiB, median of ${reps} runs each"
echo "mem: memset of fresh memory        ${memset} GiB/s"
echo "mem: triage fill of fresh memory   ${fill} GiB/s"
echo "mem: fill / memset                 $(ratio "$fill" "$memset")  (target >= 0.5)"
echo "mem: triage tested (fill+2 verify) ${tested} GiB/s  (whole process, wall clock: ${wall} GiB/s)"
echo "mem: memtester, 1 loop             ${mt} GiB/s  (${mt_s} s)"
echo "mem: tested / memtester            $(ratio "$tested" "$mt")  (target >= 5; wall clock: $(ratio "$wall" "$mt"))"
