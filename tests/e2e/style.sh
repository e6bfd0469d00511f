# The written style (docs/HACKING.md) holds for every C file: a change that
# breaks it fails here, with file:line and the rule.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
python3 "$S/tests/style.py" "$S" || fail "style (above; the rules are in tests/style.py)"
# The checker can fail: a planted breach of each rule is found.
mkdir -p "$T/p/x"
git -C "$T/p" init -q
printf '/* wrong.c - a file */\n#include "a.h"\n' >"$T/p/x/a.c"
printf '/* a.h - its header */\n' >"$T/p/x/a.h"
printf '/* b.c - b */\nint\nf(int a,\n      int b)\n{\n        return a + b; \n}\n' >"$T/p/x/b.c"
{ printf '/* c.c - c */\nstatic int\ng(void)\n{\n'; for i in $(seq 61); do printf '\tg();\n'; done; printf '}\n'; } >"$T/p/x/c.c"
git -C "$T/p" add x
out=$(python3 "$S/tests/style.py" "$T/p") && fail "planted breaches passed"
for want in "x/a.c:1: the first line" "x/a.h:2: no include guard" \
    "x/b.c:4: indent with tabs" "x/b.c:6: trailing whitespace" "x/b.c:6: indent with tabs" \
    "x/b.c:3: f: a public name carries its module's prefix (b_)" \
    "x/c.c:4: a function of 61 lines (at most 60)"; do
	echo "$out" | grep -q "$want" || fail "not found: $want"
done
