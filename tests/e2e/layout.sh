# The agents speak to databases only through the driver table (shared/db/dbdriver.h):
# a new database kind is a driver and a rules file, and no agent changes.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
if grep -l 'sqlite3\.h\|sqlprobe\.h\|sqlite3_' "$S"/agents/*.c "$S"/agents/*.h; then
	fail "agent code uses SQLite directly (above): go through the driver"
fi
# Test doubles live under tests/, never in agents/.
if grep -l 'FAKE_' "$S"/agents/*.c; then
	fail "a test double in agents/"
fi

# The layers (shared/*/README.md) are the build's: a file of each layer,
# compiled as the build compiles it, can include a header of a layer it
# may use and cannot include one of a layer above or beside it.
python3 - "$B/compile_commands.json" "$T" <<'PY' || fail "the build does not enforce the layers (above)"
import json, os, shlex, subprocess, sys
cmds = {os.path.relpath(e["file"], e["directory"]).lstrip("./"): e
        for e in json.load(open(sys.argv[1]))}
# a file of the layer: (headers it may include, headers it must not)
cases = {
    "shared/base/xmalloc.c": (["util.h"], ["spec.h", "run.h", "dbdriver.h", "stats.h", "md.h"]),
    "shared/model/spec.c": (["paths.h"], ["run.h", "dbdriver.h", "stats.h", "agentrt.h"]),
    "shared/measure/run.c": (["spec.h"], ["dbdriver.h", "stats.h", "agentrt.h", "md.h"]),
    "shared/db/dbdriver.c": (["spec.h"], ["run.h", "stats.h", "agentrt.h"]),
    "shared/stats/stats.c": (["spec.h"], ["run.h", "dbdriver.h", "agentrt.h"]),
    "reports/md.c": (["util.h"], ["spec.h", "stats.h"]),
    "cli/ui.c": (["dbdriver.h", "compare.h", "md.h", "supervisor.h"], ["agentrt.h", "run.h", "pipeline.h", "dbagent.h"]),
    "daemon/supervisor.c": (["investigation.h", "dbdriver.h"], ["cli.h", "ui.h", "compare.h", "md.h", "run.h", "agentrt.h"]),
}
bad = 0
for src, (allowed, forbidden) in cases.items():
    key = next((k for k in cmds if k.endswith(src)), None)
    if key is None:
        print(f"{src}: not in compile_commands.json"); bad += 1; continue
    e = cmds[key]
    argv, keep, skip = shlex.split(e["command"]), [], 0
    for a in argv:
        if skip: skip -= 1; continue
        if a in ("-o", "-MQ", "-MF"): skip = 1; continue
        if a in ("-c", "-MD") or a.endswith(".c"): continue
        keep.append(a)
    for h in allowed + forbidden:
        probe = os.path.join(sys.argv[2], "layer-probe.c")
        open(probe, "w").write(f'#include "{h}"\nint layer_probe;\n')
        ok = subprocess.run(keep + ["-fsyntax-only", probe], cwd=e["directory"],
                            capture_output=True).returncode == 0
        if ok != (h in allowed):
            print(f"{src}: #include \"{h}\" {'compiles' if ok else 'fails'}"); bad += 1
sys.exit(1 if bad else 0)
PY
