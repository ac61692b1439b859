// tar and gzip against GNU tar and gzip on the host, on every preset: archives and
// compressed files made inside kernelkit are read by the host's tools (listing,
// extraction, `gzip -t`), and the host's are read inside kernelkit, both ways compared
// byte for byte; `tar -tv` of one archive prints the same lines on both sides. Also:
// hostile archives (a '..' member, an absolute name, a write through a symbolic link
// the archive made) write nothing outside the target directory, and a damaged .gz is
// refused with its input kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { sh, noLeaks, PRESETS } from './harness.js';
import { seededRandom } from '../../src/lib/random.js';
import { encodeHeader, BLOCK, TYPE, type TarEntry } from '../../src/user/util/tar-format.js';

const seed = Number(process.env['ARCHIVE_SEED'] ?? 1206);
const host = (cmd: string, cwd: string): string => execFileSync('bash', ['-c', cmd], { cwd, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' }, encoding: 'latin1' });

// A tree with text, binary, empty and long-named files, a symbolic and a hard link.
function makeTree(dir: string): void {
  const r = seededRandom(seed);
  const src = path.join(dir, 'src');
  const deep = path.join(src, 'a-rather-long-directory-name-for-the-prefix-field', 'another-long-directory-name-to-pass-one-hundred');
  fs.mkdirSync(deep, { recursive: true });
  fs.mkdirSync(path.join(src, 'empty-dir'));
  fs.writeFileSync(path.join(src, 'text.txt'), Array.from({ length: 400 }, (_, i) => `line ${i} ${Math.floor(r() * 1e6)}`).join('\n') + '\n');
  fs.writeFileSync(path.join(src, 'big.bin'), Uint8Array.from({ length: 70000 }, (_, i) => (i % 3 === 0 ? Math.floor(r() * 256) : i & 255)));
  fs.writeFileSync(path.join(src, 'empty'), '');
  fs.writeFileSync(path.join(src, 'exact-block'), 'x'.repeat(BLOCK));
  fs.writeFileSync(path.join(deep, 'file-with-a-long-name.txt'), 'deep\n');
  fs.chmodSync(path.join(src, 'text.txt'), 0o640);
  fs.symlinkSync('text.txt', path.join(src, 'link'));
  fs.linkSync(path.join(src, 'text.txt'), path.join(src, 'hard'));
  // Fixed times, so a listing does not depend on when the test ran.
  const walk = (p: string): void => {
    for (const e of fs.readdirSync(p, { withFileTypes: true })) {
      const q = path.join(p, e.name);
      if (e.isDirectory()) walk(q);
      if (!e.isSymbolicLink()) fs.utimesSync(q, 1700000000 + Math.floor(r() * 1e6), 1700000000 + Math.floor(r() * 1e6));
    }
  };
  walk(src);
}

// A tar with a member that climbs out, an absolute one, and a write through its own link.
function hostileTar(): Uint8Array {
  const entry = (name: string, type: string, body = '', linkname = ''): Uint8Array[] => {
    const e: TarEntry = { name, mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: 1700000000, type, linkname, uname: 'root', gname: 'root', devmajor: 0, devminor: 0 };
    const data = new TextEncoder().encode(body);
    const padded = new Uint8Array(Math.ceil(data.length / BLOCK) * BLOCK);
    padded.set(data);
    return [encodeHeader(e), padded];
  };
  const parts = [
    ...entry('../escaped', TYPE.FILE, 'out\n'),
    ...entry('/absolute', TYPE.FILE, 'abs\n'),
    ...entry('up', TYPE.SYMLINK, '', '/t/outside'),
    ...entry('up/pwned', TYPE.FILE, 'pwned\n'),
    ...entry('fine', TYPE.FILE, 'fine\n'),
    new Uint8Array(2 * BLOCK),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

// Per file of the tree: "name mode size mtime" for files and directories, "name -> target" for links, and the SHA-256 of each file.
const describe = 'find src | sort | while read f; do if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; else stat -c "%n %a %s %Y" "$f" | sed "s/ [0-9]* \\([0-9]*\\)$/ SIZE \\1/;t;"; fi; done; find src -type f | sort | xargs sha256sum';

for (const preset of PRESETS) {
  test(`tar and gzip agree with GNU tar and gzip on ${preset}`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-archive-'));
    try {
      makeTree(dir);
      fs.mkdirSync(path.join(dir, 'outside'));
      host('tar -cf host.tar src && tar --format=ustar -cf host-ustar.tar src && tar -czf host.tgz src && gzip -9 -c src/big.bin > host.gz && ' +
        'gzip -c src/text.txt > two.gz && gzip -1 -c src/big.bin >> two.gz && cat src/text.txt src/big.bin > two.expected && ' +
        'for a in host.tar host-ustar.tar host.tgz; do tar -tvf $a > $a.list; done && gzip -l host.gz > host.gz.list && ' +
        'cp host.gz bad.gz && printf "\\xff\\xff\\xff\\xff" | dd of=bad.gz bs=1 seek=200 conv=notrunc 2>/dev/null && head -c 100 host.gz > short.gz', dir);
      fs.writeFileSync(path.join(dir, 'hostile.tar'), hostileTar());
      const expectedTree = host(describe, dir);
      const script = [
        'cd /t',
        'tar -cf guest.tar src && tar -czf guest.tgz src && tar -tvf guest.tar > guest.tar.list && tar -tf guest.tar > guest.tar.names',
        'for a in host.tar host-ustar.tar host.tgz; do tar -tvf $a > $a.guest-list; done',
        'mkdir /tmp/x && tar -xf host.tar -C /tmp/x && cd /tmp/x && { ' + describe + '; } > /t/host.tar.extracted; cd /t',
        'mkdir /tmp/y && tar -xzf host.tgz -C /tmp/y && cd /tmp/y && { ' + describe + '; } > /t/host.tgz.extracted; cd /t',
        'gzip -c src/big.bin > guest.gz && cp src/text.txt t.txt && gzip t.txt && { test -e t.txt && echo t.txt kept; ls t.txt.gz; } > gz.files; gunzip t.txt.gz && cmp t.txt src/text.txt && echo roundtrip > gz.roundtrip',
        'zcat host.gz > host.gz.out; zcat two.gz > two.out; gzip -l host.gz > host.gz.guest-list',
        'gunzip bad.gz 2> bad.err; echo $? > bad.status; { ls bad.gz; test -e bad && echo bad made; } > bad.files; zcat short.gz > /dev/null 2> short.err; echo $? > short.status',
        'mkdir /tmp/ex && cd /tmp/ex && tar -xf /t/hostile.tar 2> /t/hostile.err; echo $? > /t/hostile.status; ls -a /tmp/ex > /t/hostile.files; ls /tmp > /t/tmp.files; ls /t/outside > /t/outside.files',
      ].join('\n');
      const r = await sh(preset, script, { mounts: [{ host: dir, guest: '/t', readOnly: false }] });
      assert.equal(r.status, 0, r.stderr);
      const read = (f: string): string => fs.readFileSync(path.join(dir, f), 'latin1');
      // The host reads what kernelkit wrote.
      assert.equal(host('tar -tvf guest.tar', dir), read('guest.tar.list'), 'GNU tar lists our archive as we do');
      assert.equal(host('tar -tzvf guest.tgz', dir), read('guest.tar.list'), 'GNU tar lists our gzip-compressed archive as we do');
      assert.equal(host('mkdir -p out && tar -xf guest.tar -C out && cd out && { ' + describe + '; }', dir), expectedTree, 'GNU tar extracts our archive to the same tree');
      host('gzip -t guest.gz', dir);
      assert.ok(host('gzip -dc guest.gz', dir) === read('src/big.bin'), 'GNU gzip decompresses ours to the original');
      assert.equal(read('gz.files').trim(), 't.txt.gz', 'gzip replaced the file by FILE.gz');
      assert.equal(read('gz.roundtrip'), 'roundtrip\n');
      // kernelkit reads what the host wrote.
      for (const a of ['host.tar', 'host-ustar.tar', 'host.tgz']) assert.equal(read(`${a}.guest-list`), read(`${a}.list`), `tar -tv of ${a}`);
      assert.equal(read('host.tar.extracted'), expectedTree, 'our tar extracts GNU tar\'s archive to the same tree');
      assert.equal(read('host.tgz.extracted'), expectedTree, 'and the gzip-compressed one');
      assert.ok(read('host.gz.out') === read('src/big.bin'), 'zcat of GNU gzip output');
      assert.ok(read('two.out') === read('two.expected'), 'zcat of two members one after the other');
      assert.equal(read('host.gz.guest-list'), read('host.gz.list'), 'gzip -l');
      // Damaged input: refused, the input kept, nothing half-written left.
      assert.equal(read('bad.status').trim(), '1');
      assert.match(read('bad.err'), /^gunzip: bad\.gz: invalid compressed data/);
      assert.equal(read('bad.files'), 'bad.gz\n');
      assert.equal(read('short.status').trim(), '1');
      assert.match(read('short.err'), /unexpected end of file/);
      // Hostile archive: only what stays inside is written.
      assert.equal(read('hostile.status').trim(), '2');
      assert.match(read('hostile.err'), /\.\.\/escaped: Member name contains '\.\.'/);
      assert.match(read('hostile.err'), /up\/pwned: Cannot open: a symbolic link from this archive is in the path/);
      assert.deepEqual(read('hostile.files').trim().split('\n').sort(), ['.', '..', 'absolute', 'fine', 'up']);
      assert.ok(!read('tmp.files').split('\n').includes('escaped'), 'nothing written above the target');
      assert.equal(read('outside.files'), '', 'nothing written through the archive\'s link');
      assert.equal(noLeaks(r), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
