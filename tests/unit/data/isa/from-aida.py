#!/usr/bin/env python3
"""Converts a published raw CPUID dump into a fixture of tests/unit/data/isa/
(`triage isa --dump-cpuid` format). Two text forms are read: AIDA64 /
InstLatx64 ("CPUID 00000007: EAX-EBX-ECX-EDX [SL 01]", one block per logical
CPU, as in InstLatx64's *_CPUID.txt files and libcpuid's tests/*/*.test) and
the `cpuid -r` tool ("   0x00000007 0x01: eax=0x... ebx=0x... ecx=0x...
edx=0x...", blocks "CPU N:", as in QEMU's test suites and bug reports).

    from-aida.py DUMP NAME SOURCE [CPU] > NAME.cpuid

SOURCE is written into the fixture (where the dump came from). CPU is the
logical CPU block to take (default 0). Those dumps hold no XCR0; the fixture
gets the states the CPU supports for the OS to enable, CPUID 0xD.0 EDX:EAX,
which is what Linux enables (it turns on every user state it knows; AMX tile
data is then granted per process), and says so.
"""
import re
import sys

LINE = re.compile(r"^CPUID ([0-9A-Fa-f]{8}): ([0-9A-Fa-f]{8})-([0-9A-Fa-f]{8})-([0-9A-Fa-f]{8})-([0-9A-Fa-f]{8})"
                  r"(?:.*?\[SL ([0-9A-Fa-f]{2})\])?")
RAW = re.compile(r"^\s*0x([0-9a-fA-F]{8}) 0x([0-9a-fA-F]{2}): eax=0x([0-9a-fA-F]{8}) ebx=0x([0-9a-fA-F]{8}) "
                 r"ecx=0x([0-9a-fA-F]{8}) edx=0x([0-9a-fA-F]{8})")
BLOCK = re.compile(r"Logical CPU #(\d+)|^CPU (\d+):|^CPU:")


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    path, name, source = sys.argv[1:4]
    want = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    cpu, leaves, seen = None, [], set()
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = BLOCK.search(line)
            if m:
                cpu = int(m.group(1) or m.group(2) or 0)
                continue
            if line.startswith("-----") and not m and cpu is not None and leaves:
                break  # the end of the raw part
            m, r = LINE.match(line), RAW.match(line)
            if (not m and not r) or (cpu is not None and cpu != want):
                continue
            if r:
                leaf, sub = int(r.group(1), 16), int(r.group(2), 16)
                regs = [int(r.group(i), 16) for i in range(3, 7)]
            else:
                leaf = int(m.group(1), 16)
                sub = int(m.group(6), 16) if m.group(6) else 0
                regs = [int(m.group(i), 16) for i in range(2, 6)]
            if leaf == 0x8FFFFFFF or (leaf, sub) in seen:
                continue  # AIDA64's probe past the extended range
            seen.add((leaf, sub))
            leaves.append((leaf, sub, regs))
    if not leaves:
        sys.exit(f"{path}: no CPUID lines for logical CPU {want}")
    regs = {(l, s): r for l, s, r in leaves}
    xsave = regs.get((0xD, 0))
    osxsave = regs.get((1, 0), [0, 0, 0, 0])[2] >> 27 & 1
    print(f"# {name}: {source}")
    print(f"# logical CPU {want}, converted by tests/unit/data/isa/from-aida.py. XCR0 is not in the dump:")
    print("# it is CPUID 0xD.0 EDX:EAX, the states the CPU offers, which Linux enables.")
    print("# vmtriage cpuid dump 1: LEAF SUBLEAF EAX EBX ECX EDX, hex")
    if xsave and osxsave:
        print(f"xcr0 {(xsave[3] << 32 | xsave[0]):016x}")
    for leaf, sub, r in leaves[:256]:
        print(f"{leaf:08x} {sub:02x} {r[0]:08x} {r[1]:08x} {r[2]:08x} {r[3]:08x}")


if __name__ == "__main__":
    main()
