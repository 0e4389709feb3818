"""The expectation language of the boot-test cases: `expect = PATH OP VALUE`
against the report JSON, `finding = ID` (a trailing * matches a prefix), and
VALUE sums of what the host measured (fault.KEY)."""
import json
import re

def finding_ids(report):
    ids = set()
    for t in (report.get("tests") or {}).values():
        for f in t.get("findings") or []:
            ids.add(f.get("id"))
    for f in report.get("kernel_log") or []:
        if isinstance(f, dict):
            ids.add(f.get("id"))
    return ids


def match_id(pattern, fid):
    return fid == pattern or (pattern.endswith("*") and fid.startswith(pattern[:-1]))


def lookup(obj, path):
    for part in path.split("."):
        if isinstance(obj, dict) and part in obj:
            obj = obj[part]
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return KeyError(path)
    return obj


def fault_sum(text, facts):
    """VALUE of a numeric expectation: numbers and fault.KEY joined by + and -."""
    parts = re.split(r"\s*([+-])\s*", text.strip())
    total, sign = 0.0, 1
    for p in parts:
        if p in ("+", "-"):
            sign = 1 if p == "+" else -1
            continue
        if p == "":
            continue
        if p.startswith("fault."):
            if p[6:] not in facts:
                raise KeyError(f"{p} is not known (known: {', '.join(sorted(facts)) or 'none'})")
            total += sign * float(facts[p[6:]])
        else:
            total += sign * float(p)
    return total


def expect(report, text, facts=None):
    """PATH OP VALUE with OP one of == != < <= > >= in ~ (regex) exists absent;
    for < <= > >= VALUE may refer to what the host measured of the faults."""
    m = re.match(r"^([\w.\-*]+)\s+(==|!=|<=|>=|<|>|in|~|exists|absent)\s*(.*)$", text)
    if not m:
        return f"bad expectation '{text}'"
    path, op, want = m.groups()
    got = lookup(report, path)
    missing = isinstance(got, KeyError)
    if op == "exists":
        return f"{path} is absent" if missing else None
    if op == "absent":
        return None if missing else f"{path} is present ({json.dumps(got)[:80]})"
    if missing:
        return f"{path} is absent (wanted {op} {want})"
    ok = False
    if op in ("==", "!="):
        try:
            w = json.loads(want)
        except ValueError:
            w = want
        ok = (got == w) if op == "==" else (got != w)
    elif op == "in":
        ok = str(got).lower() in [x.strip() for x in want.split(",")] or got in [
            json.loads(x) for x in want.split(",") if re.match(r"^-?[\d.]+$", x.strip())]
    elif op == "~":
        ok = re.search(want, json.dumps(got) if not isinstance(got, str) else got) is not None
    else:
        try:
            g = float(got)
        except (TypeError, ValueError):
            return f"{path} = {json.dumps(got)[:60]} is not a number"
        try:
            w = fault_sum(want, facts or {}) if "fault." in want else float(want)
        except (KeyError, ValueError) as e:
            return f"bad value in '{text}': {e}"
        if "fault." in want:
            want = f"{want} = {w:.0f}"
        ok = {"<": g < w, "<=": g <= w, ">": g > w, ">=": g >= w}[op]
    return None if ok else f"expected {path} {op} {want}, got {json.dumps(got)[:120]}"
