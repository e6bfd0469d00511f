#!/usr/bin/env python3
"""The written style (docs/HACKING.md), checked: run by tests/e2e/style.sh.

For every C file of the project: the first line names the file and says
what it is for; a header has its PERFD_NAME_H guard; a .c file with a
header of its own includes it first; indentation is tabs, a continued
line adds four spaces (two to align inside an initialiser's braces); no
trailing whitespace; no line over 110 columns (a tab counts 8).
"""
import os
import re
import subprocess
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
files = subprocess.run(["git", "-C", root, "ls-files", "*.c", "*.h"],
                       capture_output=True, text=True, check=True).stdout.split()
problems = []


def say(f, n, what):
    problems.append(f"{f}:{n}: {what}")


for f in files:
    text = open(os.path.join(root, f), encoding="utf-8").read()
    lines = text.split("\n")
    base = os.path.basename(f)
    if not lines[0].startswith(f"/* {base} - "):
        say(f, 1, f"the first line must be '/* {base} - what it is for */'")
    if f.endswith(".h") and not base.startswith("test-list"):
        guard = "PERFD_" + re.sub(r"[^A-Z0-9]", "_", base[:-2].upper()) + "_H"
        first = next((l for l in lines if l.startswith("#")), "")
        if first != f"#ifndef {guard}":
            say(f, 2, f"no include guard {guard}")
    own = base[:-2] + ".h"
    if f.endswith(".c") and os.path.exists(os.path.join(root, os.path.dirname(f), own)):
        first = next((l for l in lines if l.startswith("#include")), "")
        if first != f'#include "{own}"':
            say(f, 2, f"include its own header \"{own}\" first")
    in_comment = False
    for n, line in enumerate(lines, 1):
        if line != line.rstrip():
            say(f, n, "trailing whitespace")
        if len(line.expandtabs(8)) > 110:
            say(f, n, f"{len(line.expandtabs(8))} columns (at most 110)")
        lead = re.match(r"^(\t*)( *)(\S?)", line)
        spaces, rest = lead.group(2), lead.group(3)
        stripped = line.strip()
        was_in_comment = in_comment
        for tok in re.findall(r"/\*|\*/", re.sub(r'"(\\.|[^"\\])*"', '""', line)):
            in_comment = tok == "/*"
        if was_in_comment:
            continue
        if rest and spaces and spaces not in ("    ", "  ") and not stripped.startswith("*"):
            say(f, n, "indent with tabs; a continued line adds four spaces "
                "(two inside an initialiser's braces)")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
