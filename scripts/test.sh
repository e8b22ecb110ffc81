#!/usr/bin/env bash
# `npm test`: installs what the tests need, typechecks, then runs every test file under test/
# with node's test runner (through tsx). Pass file paths to run only those.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx tsc -p tsconfig.json --noEmit
if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(find test -name '*.test.ts' | sort); fi
# The timeout also bounds each whole test file (node runs a file as one test): 15 min is a hang
# guard that a loaded machine (other jobs on the 2 cores) still stays well inside.
exec node --import tsx --test --test-concurrency=2 --test-timeout=900000 "${files[@]}"
