"""The boot-test case table (tests/qemu/cases): its keys and its parser."""
import re
import sys

KEYS = {"boot", "firmware", "cpu", "smp", "mem", "append", "disk", "fault",
        "timeout", "groups", "exit", "report", "expect", "finding", "no-finding",
        "serial", "no-serial", "balloon", "accel", "exclusive", "entry", "suspect",
        "pve", "screen", "no-screen", "view", "progress", "progress-when", "view-step"}
# The GRUB menu's entries (image/grub.cfg), in order: `entry` picks one.
ENTRIES = ["quick", "standard", "burnin", "shell"]
MULTI = {"expect", "finding", "no-finding", "serial", "no-serial", "fault",
         "screen", "no-screen", "view", "progress", "view-step"}


def parse_cases(path):
    """Stanzas: [name] then key = value lines; lines starting with # are
    comments; some keys repeat."""
    cases, cur = [], None
    with open(path) as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            # A comment is a whole line: values (expect, serial and screen
            # regexes) may hold '#'.
            if line.startswith("#") or not line:
                continue
            m = re.match(r"^\[([\w.-]+)\]$", line)
            if m:
                cur = {"name": m.group(1), "line": n}
                for k in MULTI:
                    cur[k] = []
                cases.append(cur)
                continue
            m = re.match(r"^([\w-]+)\s*=\s*(.*)$", line)
            if not m or cur is None:
                sys.exit(f"{path}:{n}: expected [name] or key = value")
            k, v = m.group(1), m.group(2).strip()
            if k not in KEYS:
                sys.exit(f"{path}:{n}: unknown key '{k}'")
            if k in MULTI:
                cur[k].append(v)
            else:
                cur[k] = v
    names = [c["name"] for c in cases]
    dup = {x for x in names if names.count(x) > 1}
    if dup:
        sys.exit(f"{path}: duplicate case names {sorted(dup)}")
    return cases
