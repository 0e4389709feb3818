#!/bin/bash
# bench/compare.sh OUTDIR: `triage compare` on reports with very many ISA
# extensions (a hostile or broken file), to show it stays linear: two
# reports of N extensions a side (N = 10k, 40k; the 40k file is about
# 2 MB), compared as text and as JSON. Target: 40k a side under 1 s
# (before the extension tables were indexed: 10k 1.5 s, 40k 39.8 s).
#
# Environment: TRIAGE (another binary), SIZES ("10000 40000").
set -Eeuo pipefail
trap 'echo "${0##*/}: FAILED at line $LINENO (status $?): $BASH_COMMAND" >&2' ERR

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
triage=${TRIAGE:-$out/triage}
sizes=${SIZES:-10000 40000}
work=$out/bench/compare
mkdir -p "$work"
[ -x "$triage" ] || { echo "compare: no $triage (make tools)"; exit 0; }

for n in $sizes; do
	python3 - "$n" "$work" <<'PY'
import json, sys
n, work = int(sys.argv[1]), sys.argv[2]
for side, vm in (("host", False), ("guest", True)):
    exts = [{"name": f"ext{i}", "state": "ok" if (side == "host" or i % 3) else "hidden", "level": 1 + i % 4}
            for i in range(n)]
    rep = {"schema": "vmtriage/1", "system": {"hypervisor": {"vm": vm}},
           "tests": {"isa": {"status": "pass", "data": {"extensions": exts}}}}
    json.dump(rep, open(f"{work}/{side}-{n}.json", "w"))
PY
	for fmt in text json; do
		flag=; [ $fmt = json ] && flag=--json
		t0=$(date +%s.%N)
		"$triage" compare $flag "$work/host-$n.json" "$work/guest-$n.json" >"$work/out-$n.$fmt"
		t=$(echo "$(date +%s.%N) - $t0" | bc)
		printf 'compare %6d extensions a side (%s, %4s kB each), %-4s: %.3f s\n' "$n" \
			"$(basename "$work/host-$n.json")" "$(( $(stat -c %s "$work/host-$n.json") / 1024 ))" $fmt "$t"
	done
done
