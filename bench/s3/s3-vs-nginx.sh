#!/usr/bin/env bash
# Runs the S3-vs-nginx benchmark (see s3-vs-nginx.ts). Usage: bash bench/s3/s3-vs-nginx.sh [--size-mb N] [--runs N] [--duration 10s]
set -euo pipefail
cd "$(dirname "$0")/../.."
exec npx tsx bench/s3/s3-vs-nginx.ts "$@"
