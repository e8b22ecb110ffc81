#!/usr/bin/env bash
# Installs what the tests need: Debian packages (real servers and clients) and npm packages.
# Idempotent: skips what is already there. Needs root (or sudo) for apt-get on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(etcd-server nginx-light awscli python3-boto3 s3cmd rclone libfuse2 fuse3 build-essential wrk iproute2 curl bc s3fs openssl python3-requests python3-aiohttp python3-humanfriendly python3-sortedcontainers python3-decorator python3-pycurl python3-cachetools python3-yaml python3-torch chromium prometheus)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Reinstalled when the lock file's content changed since the last install here (its checksum is kept
# in node_modules), not when its mtime is newer: a fresh checkout (a git worktree whose node_modules
# is a link to another's) must not wipe a current install.
LOCK_SUM=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat node_modules/.alluxio-lock-sha256 2>/dev/null)" != "$LOCK_SUM" ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$LOCK_SUM" > node_modules/.alluxio-lock-sha256
fi

# The FUSE binding fork (native/fuse: cached reads answered on libfuse's thread), built when missing
# or older than its sources; the FUSE tests check its fast path.
if [ ! -f build/native/fuse-native.node ] || [ -n "$(find native/fuse scripts/build-native.sh -newer build/native/fuse-native.node -print -quit)" ]; then
  bash scripts/build-native.sh
fi
