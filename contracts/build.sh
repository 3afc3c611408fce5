#!/usr/bin/env bash
# Rebuild the city contracts' ABI and bytecode (contracts/build/) offline with the pinned
# npm `solc` (solcjs, version in contracts/package.json). The outputs are committed, so
# nothing here runs at build or run time; run this after editing a .sol file and commit
# the result. `cargo test` (tests/all/contracts.rs) fails if sources and outputs drift apart.
#
#   contracts/build.sh            rewrite contracts/build/
#   contracts/build.sh DIR        write into DIR instead (used by the drift test)
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.citytrace-lock
if [ ! -f node_modules/solc/package.json ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
exec node compile.js "${1:-build}"
