#!/bin/bash
# bench/needs.sh OUTDIR: what the decoder of `triage needs` costs and how
# fast it is.
#
#   size    text+data of the decoder (lib/x86dec), the ELF reader (lib/elf),
#           the trap join (lib/faultinsn) and the needs command's objects in the musl build, and the same
#           objects xz-compressed as the initramfs compresses them
#           (xz -9, --x86): an upper bound of what they add to initrd.xz.
#   speed   `triage needs` on stress-ng's binary (1.1 M instructions)
#           against `objdump -d` on it (binutils, output to /dev/null),
#           best of REPS runs each, user+sys CPU seconds, and the ratio,
#           in one run so that the machine's load is shared.
#
# Environment: TRIAGE (another binary), REPS (3), FILE (/usr/bin/stress-ng).
set -Eeuo pipefail
trap 'echo "${0##*/}: FAILED at line $LINENO (status $?): $BASH_COMMAND" >&2' ERR

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
triage=${TRIAGE:-$out/triage}
reps=${REPS:-3}
file=${FILE:-/usr/bin/stress-ng}
objs=("$out/musl/tools/lib/x86dec.o" "$out/musl/tools/lib/elf.o" "$out/musl/tools/lib/faultinsn.o" "$out/musl/tools/needs/scan.o" "$out/musl/tools/needs/needs.o")

total=0
for o in "${objs[@]}"; do
	[ -f "$o" ] || { echo "missing $o (make tools)" >&2; exit 1; }
	read -r text data _ < <(size -A "$o" | awk '/^\.text|^\.rodata|^\.data/ { s[$1 ~ /text/ ? "t" : "d"] += $2 } END { print s["t"] + 0, s["d"] + 0 }')
	printf '%-34s %8d bytes code, %7d bytes data\n' "$(basename "$(dirname "$o")")/$(basename "$o")" "$text" "$data"
	total=$((total + text + data))
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for o in "${objs[@]}"; do
	objcopy -O binary --only-section=.text --only-section='.rodata*' --only-section=.data "$o" "$tmp/$(basename "$o").bin"
done
xzs=$(cat "$tmp"/*.bin | xz --x86 --lzma2=preset=9,dict=1MiB -c | wc -c)
printf '%-34s %8d bytes, %d bytes xz\n' "decoder + ELF + needs, total" "$total" "$xzs"
strip -o "$tmp/triage" "$triage"
printf '%-34s %8d bytes stripped\n' "triage binary" "$(stat -c %s "$tmp/triage")"

[ -f "$file" ] || { echo "speed: $file missing, skipped"; exit 0; }
TIMEFORMAT='%U %S'
best() { # best CPU seconds (user+sys) of $reps runs of "$@"
	local b="" t
	for _ in $(seq "$reps"); do
		t=$( { time "$@" >/dev/null 2>&1; } 2>&1 | awk '{ print $1 + $2 }')
		b=$(awk -v a="$b" -v t="$t" 'BEGIN { print (a == "" || t < a) ? t : a }')
	done
	echo "$b"
}
n=$("$triage" needs --json "$file" | sed -n 's/.*"instructions": \([0-9]*\),*/\1/p' | head -1)
tn=$(best "$triage" needs "$file")
to=$(best objdump -d "$file")
printf '%-34s %s (%s instructions)\n' "file" "$file" "$n"
printf '%-34s %8.2f s CPU (best of %d)\n' "triage needs" "$tn" "$reps"
printf '%-34s %8.2f s CPU (best of %d)\n' "objdump -d" "$to" "$reps"
awk -v a="$tn" -v b="$to" 'BEGIN { printf "%-34s %8.2f (triage needs / objdump -d)\n", "ratio", (b > 0 ? a / b : 0) }'
