#!/bin/bash
# bench/postmortem.sh OUTDIR: how fast `triage postmortem` reads journal
# files, against `journalctl -D DIR -o export > /dev/null` on the same files,
# both timed in this one run (median of REPS, page cache warm for both).
# Target (issue 15): 500 MB in at most 10 s, and no slower than journalctl.
#
# The journal is written once by systemd-journal-remote from
# tests/postmortem/gen-export's bulk entries (PM_BENCH_ENTRIES, default
# 1400000: about 500 MB in several rotated files) and cached in
# ~/.cache/vmtriage/bench-journal-N/; the first run takes several minutes.
set -Eeuo pipefail
trap 'echo "${0##*/}: FAILED at line $LINENO (status $?): $BASH_COMMAND" >&2' ERR

out=${1:?usage: bench/postmortem.sh OUTDIR}
top=$(cd "$(dirname "$0")/.." && pwd)
triage=$out/triage
n=${PM_BENCH_ENTRIES:-1400000}
reps=${PM_BENCH_REPS:-3}
cache=${VMTRIAGE_CACHE:-$HOME/.cache/vmtriage}/bench-journal-$n
dir=$cache/root/var/log/journal/bench
remote=/lib/systemd/systemd-journal-remote

[ -x "$triage" ] || { echo "bench/postmortem.sh: $triage missing (make tools)" >&2; exit 1; }
[ -x "$remote" ] || { echo "bench/postmortem.sh: $remote missing (scripts/deps)" >&2; exit 1; }
if [ ! -e "$cache/done" ]; then
	rm -rf "$cache"
	mkdir -p "$dir"
	echo "writing $n journal entries with systemd-journal-remote (once, cached in $cache)" >&2
	"$top/tests/postmortem/gen-export" bulk "$n" | "$remote" -o "$dir/system.journal" - 2>/dev/null
	touch "$cache/done"
fi
bytes=$(du -cb "$dir"/*.journal | tail -1 | cut -f1)
files=$(ls "$dir"/*.journal | wc -l)

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
t_ours=() t_jc=()
cat "$dir"/*.journal >/dev/null # warm the page cache for both
for _ in $(seq "$reps"); do
	s=$(date +%s.%N)
	"$triage" postmortem -q --root "$cache/root" -o "$out/bench-postmortem.json" || true
	e=$(date +%s.%N)
	t_ours+=("$(echo "$e - $s" | bc)")
	s=$(date +%s.%N)
	journalctl -D "$dir" -o export >/dev/null
	e=$(date +%s.%N)
	t_jc+=("$(echo "$e - $s" | bc)")
done
ours=$(printf '%s\n' "${t_ours[@]}" | median)
jc=$(printf '%s\n' "${t_jc[@]}" | median)
records=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['metrics']['records'])" "$out/bench-postmortem.json")
printf 'journal: %d files, %.0f MB, %d entries (systemd-journal-remote: compact, keyed hash, zstd)\n' \
	"$files" "$(echo "$bytes / 1000000" | bc -l)" "$n"
printf 'triage postmortem:           %6.2f s  %7.0f MB/s  (%s records)\n' "$ours" "$(echo "$bytes / 1000000 / $ours" | bc -l)" "$records"
printf 'journalctl -o export:        %6.2f s  %7.0f MB/s\n' "$jc" "$(echo "$bytes / 1000000 / $jc" | bc -l)"
printf 'journalctl / triage:         %6.1fx\n' "$(echo "$jc / $ours" | bc -l)"
printf 'seconds per 500 MB (triage): %6.2f s  (target: at most 10 s)\n' "$(echo "$ours * 500000000 / $bytes" | bc -l)"
