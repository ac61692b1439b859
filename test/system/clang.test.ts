// Compiling and running C entirely inside kernelkit: clang and lld from @yowasp/clang
// (staged by scripts/build-c.mjs --clang into build/clang-root/usr, shared as /usr).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sh, noLeaks, PRESETS } from './harness.js';

const usr = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../build/clang-root/usr');

for (const preset of PRESETS) {
  test(`clang compiles a C file inside kernelkit and the result runs there (${preset})`, async () => {
    assert.ok(fs.existsSync(path.join(usr, 'bin/llvm.wasm')), 'the clang tree is staged (npm run build does it)');
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-cc-'));
    // The program's output depends on its input, so a stale or canned binary cannot pass.
    const n = 37 + PRESETS.indexOf(preset);
    fs.writeFileSync(path.join(src, 'sum.c'), `#include <stdio.h>\nint main(int argc, char **argv) { long s = 0; for (int i = 1; i <= ${n}; i++) s += (long)i * i; printf("%s %ld\\n", argv[1], s); return ${n % 7}; }\n`);
    try {
      const r = await sh(preset, 'cd /src && clang -O2 sum.c -o /tmp/sum.wasm && /tmp/sum.wasm squares; echo status=$?', {
        mounts: [{ host: usr, guest: '/usr', readOnly: true }, { host: src, guest: '/src', readOnly: false }],
      });
      const expected = (n * (n + 1) * (2 * n + 1)) / 6;
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^squares ${expected}\\nstatus=${n % 7}$`, 'm'), r.stdout + r.stderr);
      assert.equal(noLeaks(r), undefined);
    } finally {
      fs.rmSync(src, { recursive: true, force: true });
    }
  });
}
