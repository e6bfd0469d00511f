# A second database kind, registered by the tests alone (tests/dbdouble/):
# the spec check, db-config, client-library and batch-size reach it through
# the driver interface, every one of them answers, nothing they write names
# SQLite, and the setting db-config prints is a line that works.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
export PERFD_AGENT="$B/tests/dbdouble-agent"
mkdir -p "$T/rules"
cp "$S/agents/rules/sqlite.yaml" "$S/tests/dbdouble/linefile.yaml" "$T/rules/"
export PERFD_RULES_DIR="$T/rules"
cd "$T"
# 1000 rows, each appended and synced on its own: one commit per row. One
# process writes them all, so that the syncs, not process starts, are most
# of the stage: a sync costs 0.15 ms here, and a shell loop starting `sync`
# per row made the setting's bounded gain x1.09-1.19, so close to the 5%
# db-config asks that it missed it once in a suite (now x2.2-2.5).
cat >load.sh <<'EOS'
#!/bin/sh
exec python3 -c '
import os
with open("data/t.rows", "a") as f:
    for i in range(1, 1001):
        f.write("%d,row-%d\n" % (i, i))
        f.flush()
        os.fdatasync(f.fileno())
'
EOS
chmod +x load.sh

spec() {
	cat >"$T/$1.yaml" <<EOS
version: 1
name: linefile
rows: 1000
pipeline:
  warmup: 0
  repetitions: 3
  setup: "rm -rf data && mkdir data && : >data/t.rows"
  stages:
    - {name: ingest, run: "./load.sh"}
database: {kind: linefile, $2, table: t}
client: {stage: ingest}
batch: {stage: ingest, current: 1, sizes: [1, 10, 1000]}
EOS
}

# The driver checks the section for its kind, at the key's place.
spec path "path: data/t.rows"
"$B/tests/dbdouble-perfd" run path.yaml 2>err && fail "a path for a dsn kind was taken"
grep -q "path.yaml:10:.*database.path: kind 'linefile' connects with database.dsn" err ||
    fail "path: $(cat err)"
spec nodsn "dsn: 'host=x'"
"$B/tests/dbdouble-perfd" run nodsn.yaml 2>err && fail "a bad dsn was taken"
grep -q "nodsn.yaml:10:.*database.dsn: kind 'linefile' takes" err || fail "dsn: $(cat err)"
# perfd's own registry does not have it: the kind is one registry line.
spec good "dsn: dir=data"
"$B/perfd" run good.yaml 2>err && fail "perfd knows linefile"
grep -q "unsupported kind 'linefile' (supported: sqlite, postgresql)" err || fail "kind: $(cat err)"

"$B/tests/dbdouble-perfd" run good.yaml >out 2>&1 || fail "the investigation: $(tail out)"
D=$(ls -d "$T"/tmp/perf-optimization/*)
for a in db-config client-library batch-size; do
	[ "$(jget "$D/$a/findings.json" status)" = ok ] ||
	    fail "$a: $(jget "$D/$a/findings.json" headline)"
	[ "$(jget "$D/$a/status.json" status)" = ok ] || fail "$a: status.json"
	! grep -il sqlite "$D/$a"/*.md "$D/$a"/*.json "$D/$a"/*.svg ||
	    fail "$a names SQLite on a linefile database"
done
[ "$(jget "$D/batch-size/findings.json" data.mode)" = linefile-probe ] || fail "batch mode"
grep -q "Measured with perfd's LineFile probe" "$D/batch-size/BATCH_ANALYSIS.md" ||
    fail "batch-size does not say whose probe"
grep -q "one commit per row" "$D/client-library/CLIENT_ANALYSIS.md" ||
    fail "client-library did not count the commits by the driver's syncs per commit"
[ "$(jget "$D/db-config/findings.json" recommendations.0.title)" = "Tune LineFile (1 setting)" ] ||
    fail "db-config's title does not come from the driver"

# The setting's How line, run as written, sets what the driver reads.
how=$(sed -n "s/.*(it is kept in the database): \`\(.*\)\`$/\1/p" "$D/db-config/CONFIG_ANALYSIS.md")
[ -n "$how" ] || fail "no How line for the stored setting"
sh -c "$how" || fail "the How line fails: $how"
grep -qx "sync=off" data/settings || fail "the How line did not set sync=off"
