#!/bin/sh
# Writes postmortem-record.json: `triage postmortem --root` over a tree
# whose only evidence is a flight record (tests/postmortem/make-flight-ring
# episodes: a paused VM, a busy host, a memory stall, an I/O stall, the
# balloon before an OOM, late wake-ups, an unclean end), read back by
# `triage report --json` as a report of that one check. The views' tests
# (test_report.c) and check-html render it.
# Run from the top of the repository after `make out/triage`:
#   tests/unit/data/report/make-postmortem-record.sh [TRIAGE]
# Deterministic but for duration_s and read_s.
set -eu
triage=${1:-out/triage}
here=tests/unit/data/report
# a fixed path, since the report records the ring's path
tmp=out/postmortem-record
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
tests/postmortem/make-flight-ring episodes "$tmp/var/lib/vmtriage/watch.ring"
# exit 1: the record holds failures
"$triage" postmortem --root "$tmp" --isa none -q -o "$tmp/pm.json" || [ $? -eq 1 ]
# The will-fail scan finds no /usr here and takes some 1e-5 s, which the
# page's generic metric shows in e-notation: 0 keeps check-html's figure
# comparison about what this fixture is for.
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); d["metrics"]["scan_s"] = 0; json.dump(d, open(sys.argv[1], "w"))' \
	"$tmp/pm.json"
"$triage" report --json -o "$here/postmortem-record.json" "$tmp/pm.json"
