#!/usr/bin/env bash
# The README's first command, after `npm ci`: build the vulnerability
# database (offline from ../shared/data/vulns when that snapshot folder is
# there, from the live feeds otherwise), then scan this machine's root file
# system with it.
set -euo pipefail
cd "$(dirname "$0")/.."
snapshot=../shared/data/vulns
if [[ -d $snapshot ]]; then
  node bin/strata.js db build --from "$snapshot"
else
  node bin/strata.js db build
fi
node bin/strata.js db status
node bin/strata.js rootfs / "$@"
