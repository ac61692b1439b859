// The static site is rebuilt by every browser test file (buildSite in its `before`),
// and two test files run at once: a page loading from dist/web/ while another build
// runs must read whole files. The build replaces a file only when its bytes changed,
// and then by a rename; the server sends the length and bytes of the file it opened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildSite, serveSite, siteStale, SITE } from '../../src/cli/web-server.js';
import { packageRoot } from '../../src/hosts/node/machine.js';

const SERVED = ['app.js', 'kernel-worker.js', 'process-worker.js', 'server-worker.js', 'initramfs.cpio', 'system.json', 'index.html'];

test('a rebuild leaves unchanged files as they were and says the site is fresh', () => {
  buildSite();
  const before = new Map(SERVED.map((f) => [f, fs.statSync(path.join(SITE, f))]));
  buildSite();
  for (const f of SERVED.filter((x) => x !== 'initramfs.cpio')) {
    const after = fs.statSync(path.join(SITE, f));
    assert.equal(after.ino, before.get(f)!.ino, `${f} was rewritten though its bytes did not change`);
    assert.equal(after.mtimeMs, before.get(f)!.mtimeMs, f);
  }
  assert.equal(siteStale(), false);
});

test('pages fetched while the site is rebuilt get every file whole', async () => {
  buildSite();
  const want = new Map(SERVED.map((f) => [f, fs.readFileSync(path.join(SITE, f))]));
  const site = await serveSite(SITE, 0, true);
  try {
    // Three builds one after another in a child process, while the files are fetched
    // over and over (bounded: at most 400 rounds or 60 s).
    const builds = spawn(process.execPath, ['-e', `const { spawnSync } = require('node:child_process'); for (let i = 0; i < 3; i++) spawnSync(process.execPath, [${JSON.stringify(path.join(packageRoot, 'scripts/build-web.mjs'))}, '--quiet']);`], { stdio: 'ignore' });
    let building = true;
    const done = new Promise<void>((resolve) => builds.on('exit', () => { building = false; resolve(); }));
    const deadline = Date.now() + 60_000;
    let rounds = 0;
    while ((building || rounds === 0) && rounds < 400 && Date.now() < deadline) {
      rounds++;
      for (const f of SERVED) {
        const r = await fetch(`${site.url}${f}`, { signal: AbortSignal.timeout(20_000) });
        assert.equal(r.status, 200, f);
        const body = Buffer.from(await r.arrayBuffer());
        assert.equal(body.length, Number(r.headers.get('content-length')), `${f}: the body is not the length the server announced`);
        // The initramfs is rebuilt with new times by the main build only; here its bytes stay.
        assert.ok(body.equals(want.get(f)!), `${f}: round ${rounds} got ${body.length} bytes that are not the built file (${want.get(f)!.length} bytes)`);
      }
    }
    await done;
    assert.ok(rounds > 0);
  } finally { await site.close(); }
});
