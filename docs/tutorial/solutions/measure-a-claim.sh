#!/bin/sh
# The reference solution of chapter 8: measures claim C1 the way the chapter says and
# writes WORKDIR/claim.txt. Run from the repository, after a build:
#   sh docs/tutorial/solutions/measure-a-claim.sh tutorial-work
set -e
work=${1:-tutorial-work}
mkdir -p "$work"
median_us() {
  node bin/kernelkit.js run --preset "$1" -- 'kbench -s 0.2 smallfile' | sed -E 's/.*"median_ns":([0-9]+).*/\1/' | awk '{ printf "%.1f", $1 / 1000 }'
}
mono=$(median_us monolithic)
micro=$(median_us microkernel)
verdict=$(awk -v a="$mono" -v b="$micro" 'BEGIN { print (b >= 2 * a) ? "held" : "not-held" }')
cat > "$work/claim.txt" <<END
claim C1
monolithic_us $mono
microkernel_us $micro
verdict $verdict
because every create, stat and unlink under microkernel is a message from the kernel to the vfs server and back, where monolithic makes a direct call
END
cat "$work/claim.txt"
