#!/usr/bin/env bash
# `npm test`: installs what the tests need, typechecks, then runs every test file under test/
# with node's test runner (through tsx). Pass file paths to run only those.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx tsc -p tsconfig.json --noEmit
if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(find test -name '*.test.ts' | sort); fi
exec node --import tsx --test --test-concurrency=2 --test-timeout=300000 "${files[@]}"
