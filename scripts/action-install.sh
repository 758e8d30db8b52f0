#!/usr/bin/env bash
# Installs rbacdrift for the GitHub Action (action.yml): the release for the
# runner's OS and architecture, verified against the release's checksums, or,
# when the action runs from a ref that is no release (a branch, a commit), the
# action's own source built with go build.
#
# Environment: INPUT_VERSION (a release tag; empty: ACTION_REF when it is one),
# ACTION_REF, ACTION_PATH (the action's checkout), RUNNER_OS, RUNNER_ARCH,
# RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_PATH; RBACDRIFT_RELEASE_URL replaces
# https://github.com/rbacdrift/rbacdrift/releases/download (a mirror).
# Writes the output path (the binary) and adds its directory to GITHUB_PATH.
set -euo pipefail

fail() { echo "::error title=rbacdrift install::$1"; exit 1; }

case "${RUNNER_OS:-}" in
  Linux) os=linux ;;
  macOS) os=darwin ;;
  Windows) os=windows ;;
  *) fail "unsupported runner OS '${RUNNER_OS:-}'" ;;
esac
case "${RUNNER_ARCH:-}" in
  X64) arch=amd64 ;;
  ARM64) arch=arm64 ;;
  *) fail "unsupported runner architecture '${RUNNER_ARCH:-}'" ;;
esac
exe=""
[ "$os" = windows ] && exe=.exe

version="${INPUT_VERSION:-}"
explicit=true
if [ -z "$version" ]; then
  explicit=false
  # A release tag such as v0.5.0; a branch, a commit or a major tag (v1) is no release.
  if [[ "${ACTION_REF:-}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    version="$ACTION_REF"
  fi
fi

dir="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rbacdrift.XXXXXX")"
bin="$dir/rbacdrift$exe"

# download VERSION: fetches and verifies the archive; 1 when the release or
# its archive is not there, exit 1 (no fallback) when the checksum is wrong.
download() {
  local v="${1#v}" base="${RBACDRIFT_RELEASE_URL:-https://github.com/rbacdrift/rbacdrift/releases/download}"
  local archive="rbacdrift_${v}_${os}_${arch}.tar.gz" sums="rbacdrift_${v}_checksums.txt"
  [ "$os" = windows ] && archive="rbacdrift_${v}_${os}_${arch}.zip"
  curl -fsSL --retry 3 -o "$dir/$sums" "$base/$1/$sums" || return 1
  curl -fsSL --retry 3 -o "$dir/$archive" "$base/$1/$archive" || return 1
  local want got
  want="$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$dir/$sums")"
  [ -n "$want" ] || fail "$sums of $1 does not list $archive"
  if command -v sha256sum >/dev/null; then
    got="$(sha256sum "$dir/$archive" | awk '{ print $1 }')"
  else
    got="$(shasum -a 256 "$dir/$archive" | awk '{ print $1 }')"
  fi
  [ "$got" = "$want" ] || fail "checksum mismatch for $archive of $1: got $got, the release lists $want; not installing it"
  if [ "$os" = windows ]; then
    unzip -q -o "$dir/$archive" "rbacdrift$exe" -d "$dir"
  else
    tar -xzf "$dir/$archive" -C "$dir" "rbacdrift"
  fi
  rm -f "$dir/$archive" "$dir/$sums"
}

if [ -n "$version" ] && download "$version"; then
  echo "rbacdrift $version ($os/$arch) installed from the release, checksum verified"
elif [ "$explicit" = true ]; then
  fail "cannot download rbacdrift $version for $os/$arch; is it a release tag?"
else
  # No release for this ref: build the action's own source.
  command -v go >/dev/null || fail "no release for ref '${ACTION_REF:-}' and no Go to build it: add actions/setup-go before this step, or pin a release (uses: rbacdrift/rbacdrift@v0.5.0)"
  echo "no release for ref '${ACTION_REF:-}': building the action's source with $(go version)"
  (cd "${ACTION_PATH:?}" && CGO_ENABLED=0 go build -o "$bin" ./cmd/rbacdrift)
fi

"$bin" version
echo "path=$bin" >> "${GITHUB_OUTPUT:?}"
if [ -n "${GITHUB_PATH:-}" ]; then echo "$dir" >> "$GITHUB_PATH"; fi
