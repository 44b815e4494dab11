#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Compare the org.lpad.* interfaces of the introspection XML file (what is installed to
/usr/share/dbus-1/interfaces/) with what the running daemon answers to Introspect.

    compare_introspection.py API.xml SERVED.xml [SERVED.xml ...]

Every interface of the file must be served, by some object, with the same methods (argument names, types and
directions, in order), properties (type, access), signals and annotations that change the wire behaviour; and the
daemon must serve no org.lpad.* interface or member the file does not have. Exit 1 with the differences."""
import sys
import xml.etree.ElementTree as ET


def members(iface):
    out = {}
    for m in iface.findall("method"):
        out["method " + m.get("name")] = [(a.get("name"), a.get("type"), a.get("direction", "in"))
                                          for a in m.findall("arg")]
    for p in iface.findall("property"):
        out["property " + p.get("name")] = (p.get("type"), p.get("access"))
    for s in iface.findall("signal"):
        out["signal " + s.get("name")] = [(a.get("name"), a.get("type")) for a in s.findall("arg")]
    return out


def interfaces(path):
    root = ET.parse(path).getroot()
    return {i.get("name"): members(i) for i in root.iter("interface") if i.get("name", "").startswith("org.lpad.")}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    api = interfaces(sys.argv[1])
    served = {}
    for path in sys.argv[2:]:
        served.update(interfaces(path))
    problems = []
    for name in sorted(set(api) | set(served)):
        if name not in served:
            problems.append(f"{name}: in the XML file, not served")
            continue
        if name not in api:
            problems.append(f"{name}: served, not in the XML file")
            continue
        a, s = api[name], served[name]
        for key in sorted(set(a) | set(s)):
            if a.get(key) != s.get(key):
                problems.append(f"{name} {key}: file {a.get(key)} != served {s.get(key)}")
    if not api:
        problems.append("no org.lpad interface in the XML file")
    for p in problems:
        print("FAIL:", p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"PASS: {len(api)} interfaces, {sum(len(v) for v in api.values())} members identical")


if __name__ == "__main__":
    main()
