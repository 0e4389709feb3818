#!/usr/bin/env python3
"""The boot-test runner's case format and expectation language on their
own (tests/qemu/vmtest/), without QEMU: `make check-scripts` runs it."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vmtest.casefile import parse_cases  # noqa: E402
from vmtest.expectations import expect, fault_sum, finding_ids, match_id  # noqa: E402

REPORT = {
    "verdict": {"status": "fail", "top": [{"id": "prev.trap.needs-missing"}]},
    "run": {"tests": ["isa", "postmortem"], "duration_s": 41.5},
    "tests": {
        "isa": {"status": "warn", "findings": [{"id": "cpu.no-avx"}], "metrics": {"cpus": 2}},
        "postmortem": {"status": "skip", "reason": "no suspect disk found: attach one",
                       "findings": [{"id": "prev.trap.base"}], "data": {"disks": []}},
    },
    "kernel_log": [{"id": "kernel.gpf"}],
}


class Expectations(unittest.TestCase):
    def ok(self, text, facts=None):
        self.assertIsNone(expect(REPORT, text, facts), text)

    def bad(self, text, facts=None):
        self.assertIsNotNone(expect(REPORT, text, facts), text)

    def test_equal(self):
        self.ok('tests.isa.status == "warn"')
        self.ok("tests.isa.metrics.cpus == 2")
        self.ok('run.tests == ["isa", "postmortem"]')
        self.ok("tests.postmortem.data.disks == []")
        self.bad('tests.isa.status == "pass"')
        self.ok('tests.isa.status != "pass"')

    def test_numbers(self):
        self.ok("run.duration_s < 60")
        self.ok("tests.isa.metrics.cpus >= 2")
        self.bad("tests.isa.metrics.cpus > 2")
        self.assertIn("not a number", expect(REPORT, "tests.isa.status < 3"))

    def test_in_and_regex(self):
        self.ok("tests.isa.status in pass,warn")
        self.bad("tests.isa.status in pass,fail")
        self.ok("tests.isa.metrics.cpus in 1,2")
        self.ok("tests.postmortem.reason ~ no suspect disk found")
        self.ok("verdict.top ~ prev\\.trap\\.")
        # A '#' in a value is the value's: the regex keeps it.
        self.bad("tests.postmortem.reason ~ found#")

    def test_exists(self):
        self.ok("tests.isa.metrics exists")
        self.ok("tests.mem absent")
        self.bad("tests.isa absent")
        self.assertIn("is absent", expect(REPORT, "tests.mem.status == \"pass\""))
        self.ok("verdict.top.0.id exists")
        self.ok("verdict.top.1 absent")

    def test_malformed(self):
        self.assertIn("bad expectation", expect(REPORT, "no operator here"))

    def test_fault_facts(self):
        self.assertEqual(fault_sum("fault.pause_ms + 100", {"pause_ms": 250}), 350.0)
        self.assertEqual(fault_sum("1000 - fault.a - fault.b", {"a": 1, "b": 2}), 997.0)
        with self.assertRaises(KeyError):
            fault_sum("fault.nope", {})
        self.ok("run.duration_s < fault.budget + 10", {"budget": 40})
        self.bad("run.duration_s < fault.budget", {"budget": 40})
        self.assertIn("bad value", expect(REPORT, "run.duration_s < fault.nope", {}))

    def test_findings(self):
        ids = finding_ids(REPORT)
        self.assertEqual(ids, {"cpu.no-avx", "prev.trap.base", "kernel.gpf"})
        self.assertTrue(match_id("cpu.no-avx", "cpu.no-avx"))
        self.assertTrue(match_id("prev.trap.*", "prev.trap.base"))
        self.assertFalse(match_id("prev.trap", "prev.trap.base"))


class CaseFile(unittest.TestCase):
    def parse(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".cases", delete=False) as f:
            f.write(text)
        try:
            return parse_cases(f.name)
        finally:
            os.unlink(f.name)

    def test_comments_are_whole_lines(self):
        c = self.parse("# a comment\n[one]\n  # indented comment\nserial = \\[mem\\] \\[#*\\.*\\]\n"
                       "expect = tests.x ~ a#b\nscreen = 1\\. FAIL\n")
        self.assertEqual(len(c), 1)
        self.assertEqual(c[0]["serial"], ["\\[mem\\] \\[#*\\.*\\]"])
        self.assertEqual(c[0]["expect"], ["tests.x ~ a#b"])
        self.assertEqual(c[0]["screen"], ["1\\. FAIL"])

    def test_repeats_and_singles(self):
        c = self.parse("[a]\nboot = kernel\nfinding = x.y\nfinding = x.z\n[b]\nboot = iso\n")
        self.assertEqual([x["name"] for x in c], ["a", "b"])
        self.assertEqual(c[0]["finding"], ["x.y", "x.z"])
        self.assertEqual(c[1]["boot"], "iso")
        self.assertEqual(c[1]["finding"], [])

    def test_errors(self):
        for text in ("[a]\nbogus = 1\n", "boot = kernel\n", "[a]\n[a]\n", "[a]\nno equals sign\n"):
            with self.assertRaises(SystemExit, msg=text):
                self.parse(text)

    def test_the_table(self):
        """The real table parses, and its regexes keep their '#'."""
        cases = parse_cases(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases"))
        self.assertGreater(len(cases), 40)
        full = [c for c in cases if c["name"] == "full-bios-smp1-256m"][0]
        self.assertIn("#", full["serial"][0])


if __name__ == "__main__":
    unittest.main()
