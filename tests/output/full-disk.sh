#!/bin/sh
# A full disk while writing: the sample run's output (and, in a second run, its temporary files
# too) on a 1 MiB tmpfs, which fills long before the GeoPackage is done. The run must fail with
# exit 1 and a message that names the output file and says the disk is full, and leave nothing on
# that disk. Needs a private mount namespace (unshare -m, as root or with user namespaces); when
# there is none, the test is skipped (exit 77).
# Usage: full-disk.sh TRYGG CONFIG
set -u
trygg=$1 config=$2
if ! unshare -m true 2> /dev/null && ! unshare -rm true 2> /dev/null; then
  echo "skipped: no private mount namespace here (unshare -m), so no small tmpfs to fill"; exit 77
fi
flag=-m; unshare -m true 2> /dev/null || flag=-rm
unshare $flag sh -s "$trygg" "$config" <<'INNER'
set -u
trygg=$1 config=$2 disk=$(mktemp -d)
mount -t tmpfs -o size=1m tmpfs "$disk" || { echo "skipped: cannot mount a tmpfs"; exit 77; }
for tmp in outside inside; do
  if [ $tmp = inside ]; then export TMPDIR="$disk"; fi
  out=$("$trygg" run "$config" --out "$disk/kavlinge.gpkg" --overwrite --quiet 2>&1); rc=$?
  echo "temporary files $tmp the full disk: exit $rc: $out"
  [ $rc -eq 1 ] || { echo "FAIL: exit $rc, not 1"; exit 1; }
  echo "$out" | grep -q "$disk/kavlinge.gpkg" || { echo "FAIL: the message does not name the output file"; exit 1; }
  echo "$out" | grep -qi "full\|no space" || { echo "FAIL: the message does not say the disk is full"; exit 1; }
  left=$(ls -A "$disk")
  [ -z "$left" ] || { echo "FAIL: left on the disk: $left"; exit 1; }
done
umount "$disk"; rmdir "$disk"
INNER
