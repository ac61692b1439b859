// The shell's builtins for scripts (alias, unalias, local, trap, type, command,
// getopts, shift, set --, source, $$ in subshells) against the host's bash on the same script, on every
// preset: the outputs must agree byte for byte. (bash expands aliases in scripts only
// with expand_aliases, which the host run turns on.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sh, noLeaks, PRESETS } from './harness.js';

const script = [
  "alias ll='ls -d' greet='echo hello'",
  'll /etc; greet world; alias ll; type greet',
  'unalias greet',
  'greet 2>/dev/null || echo gone=$?',
  'unalias nothing 2>/dev/null; echo unalias=$?',
  'x=outer; f() { local x=inner y; y=set; echo "in $x $y"; g; }; g() { echo "g sees $x"; }; f; echo "out $x ${y-unset}"',
  "trap 'echo caught TERM' TERM; kill $$; echo after",
  "trap 'echo interrupted' INT; kill -INT $$; echo after-int",
  "trap 'echo bye $?' EXIT",
  'trap',
  'trap - INT; trap',
  'command -v cd; command -V cd; command -v no-such-thing; echo missing=$?',
  "echo() { printf 'fn:%s\\n' \"$*\"; }; echo a; command echo b; unset -f echo; echo c",
  'while getopts ab:c opt -a -b val -ca -- rest; do printf "%s %s\\n" "$opt" "${OPTARG-}"; done; echo OPTIND=$OPTIND',
  'OPTIND=1; while getopts :x: opt -y -x; do printf "%s %s\\n" "$opt" "${OPTARG-}"; done',
  'set -- p q "r s"; shift; echo "$# $1|$2"; set --; echo "$#"',
  "printf 'sourced=%s\\n' \"$1\" > /tmp/lib.sh; . /tmp/lib.sh; source /tmp/lib.sh",
  'h() { return 3; }; h; echo ret=$?',
  // $$ is the script's pid in every subshell, as a forked one keeps it.
  'me=$$; [ "$(echo $$)" = "$me" ] && echo subst-same; ( [ "$$" = "$me" ] && echo paren-same ); echo $$ | { read p; [ "$p" = "$me" ] && echo pipe-same; }; x=$(echo $(echo $$)); [ "$x" = "$me" ] && echo nested-same',
  'exit 4',
].join('\n');

const host = spawnSync('bash', ['-c', `shopt -s expand_aliases\n${script}`], { encoding: 'utf8' });

for (const p of PRESETS) {
  test(`shell builtins agree with bash (${p})`, async () => {
    assert.equal(host.status, 4, host.stderr);
    const r = await sh(p, script);
    assert.equal(r.stdout, host.stdout);
    assert.equal(r.status, 4);
    assert.equal(noLeaks(r), undefined);
  });
}
