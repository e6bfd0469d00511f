# The agents speak to databases only through the driver table (shared/dbdriver.h):
# a new database kind is a driver and a rules file, and no agent changes.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
if grep -l 'sqlite3\.h\|sqlprobe\.h\|sqlite3_' "$S"/agents/*.c "$S"/agents/*.h; then
	fail "agent code uses SQLite directly (above): go through the driver"
fi
# Test doubles live under tests/, never in agents/.
if grep -l 'FAKE_' "$S"/agents/*.c; then
	fail "a test double in agents/"
fi
