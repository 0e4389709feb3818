#!/bin/sh
# Writes host-cluster.json: `triage host` over the three-node fixture
# cluster (tests/unit/data/host/, the node pve1 with intel_idle, the other
# nodes' shared reports, the node's wake-up stall from host-v4.json's wake
# check), read back by `triage report --json` as a report of that one
# check. The views' tests (test_report.c) and check-html render it.
# Run from the top of the repository after `make out/triage`:
#   tests/unit/data/report/make-host-cluster.sh [TRIAGE]
# Deterministic but for tests.host.duration_s and run.duration_s.
set -eu
triage=${1:-out/triage}
data=tests/unit/data/host
here=tests/unit/data/report
# fixed paths, since the check records its options and its share folder
tmp=out/host-cluster
share=$tmp/share
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$share"
cp "$data"/share/*.json "$share"/
python3 -c 'import json, sys; json.dump(json.load(open(sys.argv[1]))["tests"]["wake"], open(sys.argv[2], "w"))' \
	"$here/host-v4.json" "$tmp/wake.json"
# exit 1: the fixture has a VM whose type its node cannot run
"$triage" host --pve "$data/pve" --root "$data/root/intel" --node pve1 --isa-json "$data/cpu/pve1-isa.json" \
	--wake-json "$tmp/wake.json" --share "$share" -q -o "$tmp/host.json" || [ $? -eq 1 ]
"$triage" report --json -o "$here/host-cluster.json" "$tmp/host.json"
