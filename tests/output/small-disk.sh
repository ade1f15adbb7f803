#!/bin/sh
# The output on a disk that cannot take it, in a private mount namespace:
#   full       the output (and, in a second run, its temporary files too) on a 1 MiB tmpfs, which
#              fills long before the GeoPackage is done;
#   read-only  the output on a read-only tmpfs, in its root and in a folder still to be made
#              (chmod would not do: root writes into a folder without write permission).
# The run must fail with exit 1 and a message that names the output file and says what is wrong
# (the disk is full; read-only), and leave nothing on that disk. Needs a private mount namespace
# (unshare -m, as root or with user namespaces); when there is none, the test is skipped (exit 77).
# Usage: small-disk.sh full|read-only TRYGG ARGS...   (a trygg command line without --out)
set -u
if ! unshare -m true 2> /dev/null && ! unshare -rm true 2> /dev/null; then
  echo "skipped: no private mount namespace here (unshare -m), so no small tmpfs to fill"; exit 77
fi
flag=-m; unshare -m true 2> /dev/null || flag=-rm
unshare $flag sh -s "$@" <<'INNER'
set -u
mode=$1 disk=$(mktemp -d); shift
expect_failure() {  # expect_failure OUTPUT WHAT_THE_MESSAGE_SAYS (a grep -i pattern) TRYGG ARGS...
  out=$1 says=$2; shift 2
  msg=$("$@" --out "$out" --overwrite --quiet 2>&1); rc=$?
  echo "$mode, $out: exit $rc: $msg"
  [ $rc -eq 1 ] || { echo "FAIL: exit $rc, not 1"; exit 1; }
  echo "$msg" | grep -qF "$out" || { echo "FAIL: the message does not name the output file"; exit 1; }
  echo "$msg" | grep -qi "$says" || { echo "FAIL: the message does not say '$says'"; exit 1; }
  left=$(ls -A "$disk")
  [ -z "$left" ] || { echo "FAIL: left on the disk: $left"; exit 1; }
}
if [ "$mode" = full ]; then
  mount -t tmpfs -o size=1m tmpfs "$disk" || { echo "skipped: cannot mount a tmpfs"; exit 77; }
  expect_failure "$disk/kavlinge.gpkg" "full\|no space" "$@"
  export TMPDIR="$disk"
  expect_failure "$disk/kavlinge.gpkg" "full\|no space" "$@"
else
  mount -t tmpfs -o ro,size=1m tmpfs "$disk" || { echo "skipped: cannot mount a tmpfs"; exit 77; }
  expect_failure "$disk/kavlinge.gpkg" "read-only" "$@"
  expect_failure "$disk/new/kavlinge.gpkg" "read-only" "$@"
fi
umount "$disk"; rmdir "$disk"
INNER
