#!/usr/bin/env python3
"""Writes the synthetic reports of tests/unit/data/report/ from the recorded
kvm-quick-warn.json (a real `triage run --no-disk` of a 2-vCPU KVM guest with
AVX-512; kvm-quick-pass.json is another real run of the same guest; in both
the kernel command line is cut before "rdinit=", whose arguments belong to
the build machine's own init, not to the report). Deterministic: rerunning
it gives the same files.

  synthetic-full.json  every part filled: findings of every severity in every
                       check, a check in error, kernel-log findings, option
                       problems, a written report disk, a shrinking MemTotal,
                       per-CPU ISA disagreement, and markup (<script>, quotes,
                       ampersands) in strings the page must escape
  minimal.json         only the schema: every other part missing
  host-v4.json         the recorded report as a bare-metal PVE host (x86-64-v4)
  host-v3.json         the same host without AVX-512 (a Zen 2-like x86-64-v3)
  guest-v2aes.json     a guest of that host with CPU type x86-64-v2-AES: only
                       v2 and aes, wake-ups 15x and memory fill 5x slower
  not-a-report.json    JSON of another schema
"""
import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = "<script>alert('x')</script>"
# x86-64-v2-AES in Proxmox VE (qemu-server CPUConfig.pm): v2 plus aes.
V2AES = {"sse2", "sse3", "cx16", "lahf-sahf", "ssse3", "sse4.1", "sse4.2", "sse4.2-pcmpstr", "popcnt", "aes"}


def load(name):
    with open(os.path.join(HERE, name)) as f:
        return json.load(f)


def save(name, rep):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(rep, f, indent=2)
        f.write("\n")


def set_state(ext, state, advertised):
    ext["state"] = state
    ext["advertised"] = advertised
    ext["per_cpu"] = [state] * len(ext["per_cpu"])


def isa_counts(rep):
    """Recounts the isa metrics and level from the extension states."""
    exts = rep["tests"]["isa"]["data"]["extensions"]
    m = rep["tests"]["isa"]["metrics"]
    names = {"ok": "ok", "absent": "absent", "works-unadvertised": "works_unadvertised", "faults": "faults",
             "wrong": "wrong", "not-os-enabled": "not_os_enabled", "inconsistent": "inconsistent"}
    for k in names.values():
        m[k] = 0
    for e in exts:
        m[names[e["state"]]] += 1
    level = 1
    for lv in (2, 3, 4):
        if all(e["state"] == "ok" for e in exts if e["level"] == lv):
            level = lv
        else:
            break
    m["level_cpuid"] = m["level_exec"] = level
    rep["tests"]["isa"]["data"]["levels"].update(cpuid=level, exec=level)


def finding(fid, sev, summary, evidence, advice):
    return {"id": fid, "severity": sev, "summary": summary, "evidence": evidence, "advice": advice}


def full(base):
    rep = copy.deepcopy(base)
    rep["system"]["hostname"] = "guest" + SCRIPT
    rep["system"]["dmi"]["sys_vendor"] = 'QEMU "Standard" & Co'
    isa = rep["tests"]["isa"]
    for e in isa["data"]["extensions"]:
        if e["name"] == "avx2":
            set_state(e, "faults", True)
            e["signal"] = "SIGILL"
        elif e["name"] == "avx512f":
            e["state"], e["per_cpu"] = "inconsistent", ["ok", "faults"]
        elif e["name"] == "sha-ni":
            set_state(e, "works-unadvertised", False)
    isa_counts(rep)
    isa["status"] = "fail"
    isa["findings"].insert(0, finding(
        "cpu.advertised-but-faults.avx2", "fail", "avx2 is advertised by CPUID but raises SIGILL " + SCRIPT,
        {"signal": "SIGILL", "cpu": 1, "kernel": "vpaddq ymm <b>bold</b>"},
        'Pick a CPU type the host runs: "x86-64-v2-AES" & restart.'))
    isa["findings"].insert(1, finding(
        "cpu.inconsistent", "fail", "CPUs disagree about: avx512f",
        {"per_cpu": {"avx512f": ["0:ok", "1:faults"]}}, "Report this to the hypervisor's maintainers."))
    mem = rep["tests"]["mem"]
    s = mem["data"]["samples"]
    n = len(s["memtotal_kib"])
    drop = 4 * 1024 * 1024  # the host takes 4 GiB back in the second half
    s["memtotal_kib"] = [v - (drop * (i - n // 2) // (n - n // 2) if i > n // 2 else 0)
                         for i, v in enumerate(s["memtotal_kib"])]
    s["balloon_kib"] = [base["tests"]["mem"]["data"]["samples"]["memtotal_kib"][i] - v
                        for i, v in enumerate(s["memtotal_kib"])]
    mem["metrics"]["memtotal_drop_kib"] = drop
    mem["metrics"]["balloon_kib"] = drop
    mem["status"] = "warn"
    mem["findings"].insert(0, finding(
        "mem.balloon-shrank", "warn", "the host took 4096 MiB (16.6%) of this guest's memory back 3.4 s into the run",
        {"shrink_kib": drop, "shrink_pct": 16.99, "measured_by": "MemTotal", "first_drop_s": 3.41},
        "Raise 'Minimum memory' to 'Memory' or untick 'Ballooning Device'."))
    wake = rep["tests"]["wake"]
    wake["status"] = "fail"
    wake["findings"].insert(0, finding(
        "wake.stall", "fail", "wake-ups after 20ms idle stalled up to 17.3 ms (p99) & more",
        {"statistic": "p99", "value_us": 17319.037, "threshold_us": 1000, "stalls": [
            {"run": "default", "cpu": 1, "idle_us": 20000, "max_us": 17319.037}]},
        "Keep the host's C-states shallow."))
    rep["tests"]["burnin"] = {"name": "burnin", "status": "error",
                              "reason": "crashed: killed by signal 11 (Segmentation fault) <core>",
                              "duration_s": 1.25, "metrics": {}, "data": {}, "findings": []}
    rep["run"]["tests"].append("burnin")
    rep["kernel_log"] = [
        finding("kernel.gpf", "fail", "2 general protection fault or invalid-opcode message(s) in the kernel log",
                {"count": 2, "lines": ["traps: node[4242] general protection fault ip:7f3a <script>x</script>",
                                       "traps: bun[77] trap invalid opcode ip:55d0 sp:7ffd error:0 in bun[55d0+5]"],
                 "log_overran": False},
                "Pick a CPU type that has the extensions the software needs."),
        finding("kernel.balloon", "info", "1 virtio balloon message(s)",
                {"count": 1, "lines": ["virtio_balloon virtio0: Out of puff! Can't get 1 pages"],
                 "log_overran": False}, None),
    ]
    rep["run"]["problems"] = ["triage.mem.percent=200: out of range <10..95>; ignored",
                              "triage.tests: 'disk' is not a check; ignored"]
    rep["report_disk"].update(target="auto", device="/dev/vdb", filesystem="vfat", label="TRIAGE",
                              written=True, error=None)
    top = [dict(test=t, **{k: f[k] for k in ("id", "severity", "summary", "advice")})
           for t, f in (("isa", isa["findings"][0]), ("isa", isa["findings"][1]), ("wake", wake["findings"][0]),
                        ("kernel_log", rep["kernel_log"][0]), ("mem", mem["findings"][0]))]
    top.append({"test": "burnin", "id": "run.check-error.burnin", "severity": "error",
                "summary": "burnin could not complete: crashed", "advice": "Its log is in the report folder."})
    counts = {"fail": 0, "warn": 0, "info": 0}
    for t in list(rep["tests"].values()) + [{"findings": rep["kernel_log"]}]:
        for f in t["findings"]:
            counts[f["severity"]] += 1
    rep["verdict"] = {"status": "fail", "exit_code": 1, "top": top, "findings": counts}
    return rep


def host(base, avx512):
    rep = copy.deepcopy(base)
    rep["system"]["hypervisor"].update(vm=False, cpuid_bit=False, cpuid_signature=None, name=None)
    rep["system"]["hostname"] = "pve1"
    if not avx512:
        for e in rep["tests"]["isa"]["data"]["extensions"]:
            if e["name"].startswith("avx512"):
                set_state(e, "absent", False)
        isa_counts(rep)
        rep["tests"]["isa"]["data"]["pve"].update(closest="x86-64-v3", generic="x86-64-v3", model=None)
    return rep


def guest(base):
    rep = copy.deepcopy(base)
    rep["system"]["hostname"] = "vm101"
    for e in rep["tests"]["isa"]["data"]["extensions"]:
        if e["name"] not in V2AES:
            set_state(e, "absent", False)
    isa_counts(rep)
    rep["tests"]["isa"]["data"]["pve"].update(closest="x86-64-v2-AES", generic="x86-64-v2-AES", model="Westmere")
    w = rep["tests"]["wake"]["metrics"]
    w["overshoot_p99_worst_us"] = round(w["overshoot_p99_worst_us"] * 15, 3)
    for b in rep["tests"]["wake"]["data"]["blocks"]:
        b["p99_us"] = round(b["p99_us"] * 15, 3)
    m = rep["tests"]["mem"]["metrics"]
    m["fill_gibps"] = round(m["fill_gibps"] / 5, 3)
    return rep


def main():
    base = load("kvm-quick-warn.json")
    save("synthetic-full.json", full(base))
    save("minimal.json", {"schema": "vmtriage/1"})
    save("host-v4.json", host(base, True))
    save("host-v3.json", host(base, False))
    save("guest-v2aes.json", guest(base))
    save("not-a-report.json", {"schema": "vmtriage/0", "tests": {}})


if __name__ == "__main__":
    main()
