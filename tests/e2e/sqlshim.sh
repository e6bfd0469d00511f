# The preload library the database agents run a stage under
# (shared/db/sqlshim.c), on the real clients it is for: the sqlite3 shell
# and Python's sqlite3 module. As it is, it counts and changes nothing;
# with the fold, every row still lands, in one commit; ROLLBACK keeps its
# meaning; a statement that cannot run in a transaction still runs; a
# process that exits without closing still commits; programs that never
# load SQLite are untouched. Settings under test are applied at each open
# of the one database named, hold against the client's own PRAGMAs, and
# leave other databases alone.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
L="$B/perfd-sqlshim.so"
[ -f "$L" ] || fail "no $L"
cd "$T"
schema="CREATE TABLE t (a INTEGER, b TEXT)"
rows() { sqlite3 "$1" "SELECT count(*) FROM t"; }
# under MODE CMD...: CMD with the library preloaded; its counts in $T/counts.
under() {
	mode=$1
	shift
	rm -f counts
	LD_PRELOAD="$L" PERFD_SQLSHIM=$mode PERFD_SQLSHIM_OUT="$T/counts" "$@"
}
counts() { awk '{ w += $2; c += $4; f += $6 } END { printf "writes %d commits %d folded %d", w, c, f }' counts; }
applied() { awk '{ s += $8; o += $10 } END { printf "set %d overridden %d", s, o }' counts; }

# The shell, each INSERT in autocommit: 200 commits as it is, 1 folded.
for i in $(seq 200); do echo "INSERT INTO t VALUES ($i, 'x');"; done >ins.sql
rm -f s.db; sqlite3 s.db "$schema"
under count sqlite3 s.db <ins.sql
[ "$(counts)" = "writes 200 commits 200 folded 0" ] || fail "shell as it is: $(counts)"
rm -f s.db; sqlite3 s.db "$schema"
under tx sqlite3 s.db <ins.sql
[ "$(counts)" = "writes 200 commits 1 folded 0" ] || fail "shell folded: $(counts)"
[ "$(rows s.db)" = 200 ] || fail "shell folded: $(rows s.db) rows"

# Explicit BEGIN/COMMIT per 50 rows, a ROLLBACK of a batch, a VACUUM after.
{
	for b in 0 1 2 3; do
		echo "BEGIN;"
		for i in $(seq 50); do echo "INSERT INTO t VALUES ($((b * 50 + i)), 'y');"; done
		if [ $b = 2 ]; then echo "ROLLBACK;"; else echo "COMMIT;"; fi
	done
	echo "VACUUM;"
	echo "INSERT INTO t VALUES (0, 'after');"
} >batches.sql
rm -f s.db; sqlite3 s.db "$schema"
under count sqlite3 s.db <batches.sql
[ "$(rows s.db)" = 151 ] || fail "batches as they are: $(rows s.db) rows"
rm -f s.db; sqlite3 s.db "$schema"
under tx sqlite3 s.db <batches.sql 2>err || fail "batches folded: $(cat err)"
# The ROLLBACK undoes what was folded before it too: the fold holds one
# transaction, so the first two batches roll back with the third. That is
# what one transaction means; the agent checks the rows a folded run wrote
# against the run as it is, and claims nothing when they differ.
n=$(rows s.db)
[ "$n" = 51 ] || fail "batches folded: $n rows (want 51: the rollback took the fold with it)"

# Python's module: a commit per row, then the same with the connection left
# open at exit (the one commit is made when the process ends).
cat >load.py <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for i in range(300):
    con.execute("INSERT INTO t VALUES (?, ?)", (i, "p"))
    con.commit()
if len(sys.argv) < 3:
    con.close()
EOF
for py in /usr/bin/python3 python3; do
	command -v "$py" >/dev/null || continue
	rm -f p.db; sqlite3 p.db "$schema"
	under count "$py" load.py p.db
	[ "$(counts)" = "writes 300 commits 300 folded 0" ] || fail "$py as it is: $(counts)"
	for open in "" open; do
		rm -f p.db; sqlite3 p.db "$schema"
		under tx "$py" load.py p.db $open
		[ "$(rows p.db)" = 300 ] || fail "$py folded $open: $(rows p.db) rows"
		[ "$(counts)" = "writes 300 commits 1 folded 300" ] || fail "$py folded $open: $(counts)"
	done
done

# Settings at open: the shell and Python's module, each with its own PRAGMA
# of a setting under test (skipped, and the value under test set again:
# SQLite applies synchronous when it prepares the statement), and a second
# database the settings are not for.
export PERFD_SQLSHIM_PRAGMAS="journal_mode=wal;synchronous=normal"
rm -f s.db* o.db*; sqlite3 s.db "$schema"; sqlite3 o.db "$schema"
PERFD_SQLSHIM_DB="$T/./s.db" under count sqlite3 s.db \
    "PRAGMA main.synchronous = FULL; PRAGMA journal_mode = delete" \
    "SELECT 'sync=' || synchronous FROM pragma_synchronous" "INSERT INTO t VALUES (1, 'x')" >out
[ "$(cat out)" = sync=1 ] || fail "shell: synchronous under test did not hold: $(cat out)"
[ "$(sqlite3 s.db 'PRAGMA journal_mode')" = wal ] || fail "shell: journal mode not applied"
[ "$(applied)" = "set 1 overridden 2" ] || fail "shell settings: $(applied)"
PERFD_SQLSHIM_DB="$T/s.db" under count sqlite3 o.db "INSERT INTO t VALUES (1, 'x')"
[ "$(sqlite3 o.db 'PRAGMA journal_mode')" = delete ] || fail "another database was changed"
[ "$(applied)" = "set 0 overridden 0" ] || fail "another database: $(applied)"
cat >set.py <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("PRAGMA synchronous=FULL")
con.execute("INSERT INTO t VALUES (1, 'p')")
con.commit()
print(con.execute("PRAGMA synchronous").fetchone()[0])
EOF
rm -f p.db*; sqlite3 p.db "$schema"
PERFD_SQLSHIM_DB=p.db under count python3 set.py p.db >out
[ "$(cat out)" = 1 ] || fail "python: synchronous under test did not hold: $(cat out)"
[ "$(applied)" = "set 1 overridden 1" ] || fail "python settings: $(applied)"
unset PERFD_SQLSHIM_PRAGMAS

# A program that never loads SQLite: untouched, and it writes no counts.
under tx sh -c 'echo hello >out.txt'
[ "$(cat out.txt)" = hello ] || fail "a plain program"
[ ! -e counts ] || fail "counts from a program that never used SQLite"
echo "ok"
