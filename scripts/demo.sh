#!/bin/sh
# make demo: start a throwaway PostgreSQL cluster on a private socket, load the
# legacy RBAC database (the migration to role_permissions(role_id,
# permission_id, scope) never ran), and check it against the current model.
# Everything is removed afterwards. Needs the PostgreSQL server binaries.
set -eu
bin=${1:-bin/rbacdrift}
top=$(cd "$(dirname "$0")/.." && pwd)

find_bin() {
	if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/$1" ]; then echo "$d/$1"; return; fi
	done
	if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/$1" ]; then echo "$(pg_config --bindir)/$1"; return; fi
	echo "demo: $1 not found; install the PostgreSQL server binaries (Debian: apt-get install postgresql)" >&2
	exit 2
}
initdb=$(find_bin initdb)
pg_ctl=$(find_bin pg_ctl)
psql=$(find_bin psql)

dir=$(mktemp -d /tmp/rbacdrift-demo.XXXXXX)
chmod 755 "$dir"
as_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	# initdb refuses to run as root: run the cluster as the postgres OS user.
	chown postgres "$dir"
	as_pg() { runuser -u postgres -- "$@"; }
fi
cleanup() {
	as_pg "$pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

echo "demo: starting a throwaway PostgreSQL in $dir"
as_pg "$initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log" >&2; exit 2; }
as_pg "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	-o "-c listen_addresses='' -c unix_socket_directories=$dir -c fsync=off" start >/dev/null ||
	{ cat "$dir/server.log" >&2; exit 2; }
"$psql" -q -h "$dir" -U postgres -d postgres -c "CREATE DATABASE app"
"$psql" -q -h "$dir" -U postgres -d app -v ON_ERROR_STOP=1 -f "$top/testdata/reference/legacy.sql" \
	-f "$top/testdata/reference/legacy_drizzle_history.sql"
echo "demo: loaded testdata/reference/legacy.sql (role_permissions still has resource, permission)"
echo "demo: and drizzle's history: migrations 0000 to 0006 of testdata/migrations/drizzle-reference ran, 0007 did not"
migs=testdata/migrations/drizzle-reference
echo "demo: \$ rbacdrift check --db 'postgres://postgres@/app?host=$dir' --spec testdata/reference/normalised.yaml --migrations $migs"
echo
set +e
(cd "$top" && "$bin" check --db "postgres://postgres@/app?host=$dir" --spec testdata/reference/normalised.yaml --migrations "$migs")
code=$?
set -e
echo
if [ "$code" = 1 ]; then
	echo "demo: rbacdrift exited 1 (drift found), as it should on this database"
	exit 0
fi
echo "demo: rbacdrift exited $code; expected 1 (drift found)" >&2
exit 1
