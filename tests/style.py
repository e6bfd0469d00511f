#!/usr/bin/env python3
"""The written style (docs/HACKING.md), checked: run by tests/e2e/style.sh.

For every C file of the project: the first line names the file and says
what it is for; a header has its PERFD_NAME_H guard; a .c file with a
header of its own includes it first; indentation is tabs, a continued
line adds four spaces (two to align inside an initialiser's braces); no
trailing whitespace; no line over 110 columns (a tab counts 8); a function
that is not static carries its module's prefix (its file's name, or the
prefix docs/HACKING.md names for a group of files); no function body over
60 lines outside tests/ (split it where each piece says one thing).
"""
import os
import re
import subprocess
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
files = subprocess.run(["git", "-C", root, "ls-files", "*.c", "*.h"],
                       capture_output=True, text=True, check=True).stdout.split()
problems = []
# Files whose public names share one prefix that is not their own name.
GROUP_PREFIX = [
    (r"agents/agentrt\.c", ("agent_",)),
    (r"agents/integration.*\.c", ("integ_",)),
    (r"agents/profiling.*\.c", ("prof_",)),
    (r"agents/(batch|dbconfig|clientlib)\.c", None),  # only NAME_main, checked below
    (r"(agents/main|examples/.*)\.c", ("main",)),
    (r"cli/(cmd-.*|perfd)\.c", ("cmd_", "cli_", "main")),
    (r"daemon/req-.*\.c", ("req_",)),
    (r"daemon/supervisor\.c", ("sup_",)),
    (r"shared/model/investigation\.c", ("inv_",)),
    (r"shared/db/dbdriver\.c", ("db_driver",)),
    # A preload library: what it defines are libsqlite3's own names.
    (r"shared/db/sqlshim\.c", ("sqlshim_", "sqlite3_")),
    (r"shared/base/xmalloc\.c", ("x", "fatal")),
]


def prefixes(f):
    for pat, pre in GROUP_PREFIX:
        if re.fullmatch(pat, f):
            stem = os.path.basename(f)[:-2]
            return pre if pre is not None else (stem + "_",)
    return (os.path.basename(f)[:-2].replace("-", "_") + "_",)


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
    if f.endswith(".c") and not f.startswith(("tests/", "bench/")):
        start = None
        for n, line in enumerate(lines, 1):
            if line == "{" and n > 1 and re.match(r"^[a-z_][a-z0-9_]*\(|^    ", lines[n - 2]):
                start = n
            elif line == "}" and start is not None:
                if n - start - 1 > 60:
                    say(f, start, f"a function of {n - start - 1} lines (at most 60)")
                start = None
        for n, line in enumerate(lines, 1):
            m = re.match(r"^([a-z_][a-z0-9_]*)\(", line)
            if m and n > 1 and not lines[n - 2].startswith("static") and \
                    not m.group(1).startswith(prefixes(f)):
                say(f, n, f"{m.group(1)}: a public name carries its module's "
                    f"prefix ({' or '.join(prefixes(f))})")
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
