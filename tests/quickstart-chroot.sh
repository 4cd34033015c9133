#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks the README's two quick-start commands the way a newcomer meets them: in a fresh
# Debian 12 root file system (debootstrap --variant=minbase, plus git), as root, with this
# repository cloned inside and ../shared beside it as in CI. Takes about 15 minutes and needs
# Debian's package archive; not part of ./do test. Run as root:
#   tests/quickstart-chroot.sh [WORKDIR]        (default /var/tmp/mtkbak-quickstart)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/var/tmp/mtkbak-quickstart}
root=$work/bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

[ "$(id -u)" -eq 0 ] || { echo "quickstart-chroot: run as root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null

cleanup() {
	for m in root/w/shared dev/pts dev sys proc; do
		mountpoint -q "$root/$m" && umount "$root/$m" || true
	done
}
trap cleanup EXIT
cleanup
rm -rf "$root"
mkdir -p "$work"
echo "== debootstrap bookworm (minbase) into $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1
for m in proc sys dev dev/pts; do mount --bind "/$m" "$root/$m"; done
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/root/w/shared"
if [ -d "$src/../shared" ]; then mount --bind -o ro "$src/../shared" "$root/root/w/shared"; fi
git clone -q "$src" "$root/root/w/main"
chroot "$root" /bin/bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git >/dev/null'

echo "== ./do demo"
chroot "$root" /bin/bash -c 'cd /root/w/main && ./do demo' >"$work/demo.log" 2>&1 || { tail -30 "$work/demo.log"; echo "FAIL: ./do demo"; exit 1; }
grep -q 'health 100%' "$work/demo.log" || { tail -30 "$work/demo.log"; echo "FAIL: the demo pull did not end healthy"; exit 1; }
tail -3 "$work/demo.log"
echo "== ./do test"
chroot "$root" /bin/bash -c 'cd /root/w/main && ./do test' >"$work/test.log" 2>&1 || { tail -40 "$work/test.log"; echo "FAIL: ./do test"; exit 1; }
grep 'tests passed' "$work/test.log"
echo "quickstart: both README commands pass in a fresh Debian 12 (logs in $work)"
