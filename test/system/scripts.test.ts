// Interpreter scripts (binfmt_script): a file whose first line is `#!INTERPRETER [ARG]`
// runs as INTERPRETER [ARG] FILE ARGS..., on every preset; malformed, missing,
// non-executable and endlessly nested interpreters are refused with their errno.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sh, noLeaks, PRESETS } from './harness.js';

for (const preset of PRESETS) {
  test(`regression: chmod-x-script-fails-with-exec-format-error: ./t.sh runs with its #! interpreter (${preset})`, async () => {
    const r = await sh(preset, [
      'cd /tmp',
      'printf "#!/bin/sh -e\\necho args: \\$0 \\$@\\nfalse\\necho not reached\\n" > t.sh',
      'chmod +x t.sh',
      './t.sh one "two words"; echo status=$?',
      // An interpreter that is itself a script: the kernel follows it.
      'printf "#!/tmp/t.sh\\n" > u; chmod +x u; ./u x; echo status=$?',
    ].join('; '));
    assert.equal(r.status, 0, r.stderr);
    // sh -e stops at `false`: the -e from the #! line reached the interpreter.
    assert.equal(r.stdout, 'args: ./t.sh one two words\nstatus=1\nargs: /tmp/t.sh ./u x\nstatus=1\n');
    assert.equal(noLeaks(r), undefined);
  });

  test(`#! scripts that cannot run are refused with their errno (${preset})`, async () => {
    const r = await sh(preset, [
      'cd /tmp',
      'printf "#!/tmp/loop\\n" > loop; chmod +x loop; ./loop; echo loop=$?',
      'printf "#!/no/such/interpreter\\n" > gone; chmod +x gone; ./gone; echo gone=$?',
      'printf "#!\\n" > empty; chmod +x empty; ./empty; echo empty=$?',
      'printf "#!/bin/sh\\necho hi\\n" > noexec; ./noexec; echo noexec=$?',
    ].join('; '));
    assert.equal(r.stdout, 'loop=126\ngone=127\nempty=126\nnoexec=126\n', r.stderr);
    assert.match(r.stderr, /\.\/loop: Too many levels of symbolic links/);
    assert.match(r.stderr, /\.\/empty: cannot execute: Exec format error/);
    assert.match(r.stderr, /\.\/noexec: Permission denied/);
    assert.equal(noLeaks(r), undefined);
  });
}
