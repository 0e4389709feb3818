#!/usr/bin/env python3
"""Writes the synthetic sample files of tests/unit/data/wake/ (the format of
`triage wake --record`, see tools/wake/stats.c). Deterministic: rerunning it
gives the same files. The recorded ones (kvm-haltpoll-busy.txt,
tcg-*-recorded.txt) come from real runs of `triage wake --record`.

  baremetal-c6.txt  a Haswell-like host: C6 (133 us claimed) entered on every
                    idle, wake-ups 350-900 us late, fast with C-states held
                    shallow; the clock ramps after idle (burst 5x slower)
  tcg-pause.txt     QEMU/TCG guest, no cpuidle, ms-level jitter, and two
                    wake-ups that ended inside a 150 ms SIGSTOP of QEMU
  tcg-quiet.txt     the same guest without the pauses
  kvm-steal.txt     a KVM guest whose host took 12% of a vCPU (steal)
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
HASWELL = [  # intel_idle's hsw_cstates: name, exit latency us, target residency us
    ("POLL", 0, 0), ("C1", 2, 2), ("C1E", 10, 20), ("C3", 33, 100), ("C6", 133, 400)]


def block(f, run, cpu, idle_ns, over, cold, warm, states=(), steal_ms=0.0, elapsed_ns=800000000):
    f.write(f"block run={run} cpu={cpu} idle_ns={idle_ns} elapsed_ns={elapsed_ns} steal_ms={steal_ms:.3f}\n")
    for name, lat, res, usage, time_us in states:
        f.write(f"state {lat} {res} 0 {usage} {time_us} {name}\n")
    for tag, xs in (("over", over), ("cold", cold), ("warm", warm)):
        f.write(tag + "".join(f" {int(x)}" for x in xs) + "\n")


def samples(rng, n, lo, hi):
    return [rng.uniform(lo, hi) for _ in range(n)]


def count_for(idle_ns, budget_ns=800000000, cost_ns=60000):
    return max(2, budget_ns // (idle_ns + cost_ns))


def baremetal(path):
    rng = random.Random(1)
    with open(path, "w") as f:
        f.write("# synthetic: see make-synthetic.py\nenv vm=0 tcg=0 cpuidle=1 shallow=1\n")
        for run in ("default", "shallow"):
            for cpu in (0, 1):
                for idle in (50000, 1000000, 20000000):
                    n = min(count_for(idle), 4000)
                    deep = run == "default" and idle >= 1000000
                    if deep:  # C6 exit, wake-up and a cold start
                        over = samples(rng, n, 350000, 900000)
                        cold = samples(rng, n, 95000, 105000)
                        used = {"C6": n}
                    else:
                        over = samples(rng, n, 3000, 9000)
                        cold = samples(rng, n, 20500, 21500)
                        used = {"POLL": n} if run == "shallow" else {"C1E": n}
                    warm = samples(rng, 500, 19500, 20500)
                    states = [(name, lat, res, used.get(name, 0), used.get(name, 0) * idle // 1000)
                              for name, lat, res in HASWELL]
                    block(f, run, cpu, idle, over, cold, warm, states)


def tcg(path, pauses):
    rng = random.Random(2)
    with open(path, "w") as f:
        f.write("# synthetic: see make-synthetic.py\nenv vm=1 tcg=1 cpuidle=0 shallow=1\n")
        for run in ("default", "shallow"):
            for cpu in (0, 1):
                for idle in (50000, 1000000, 20000000, 100000000):
                    n = count_for(idle, cost_ns=400000)
                    over = samples(rng, n, 100000, 900000)
                    # TCG's jitter: a few ms now and then
                    for i in range(0, n, 97):
                        over[i] = rng.uniform(2000000, 9000000)
                    if pauses and (run, cpu, idle) in (("default", 1, 50000), ("shallow", 0, 1000000)):
                        over[n // 2] = 148000000 if idle == 50000 else 121000000
                    cold = samples(rng, n, 40000, 60000)
                    warm = samples(rng, 300, 40000, 50000)
                    block(f, run, cpu, idle, over, cold, warm)


def steal(path):
    rng = random.Random(3)
    with open(path, "w") as f:
        f.write("# synthetic: see make-synthetic.py\nenv vm=1 tcg=0 cpuidle=1 shallow=0\n")
        states = [("POLL", 0, 0, 0, 0), ("haltpoll idle", 1, 1, 1000, 700000)]
        for cpu, ms in ((0, 0.0), (1, 96.0)):
            over = samples(rng, 1000, 20000, 60000)
            block(f, "default", cpu, 1000000, over, samples(rng, 1000, 5500, 6500),
                  samples(rng, 300, 5500, 6000), states, steal_ms=ms)


baremetal(os.path.join(HERE, "baremetal-c6.txt"))
tcg(os.path.join(HERE, "tcg-pause.txt"), True)
tcg(os.path.join(HERE, "tcg-quiet.txt"), False)
steal(os.path.join(HERE, "kvm-steal.txt"))
