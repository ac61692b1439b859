// Build: transpile src/ and test/ to plain JavaScript in dist/ (Workers, the CLI and
// the browser load JS, so nothing pays for transpiling at run time), bundle each user
// program into one self-contained module, and pack the initramfs (cpio newc) that
// the root ramfs is populated from at boot.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, mkdirSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const started = Date.now();
// NOTE: dist/ is overwritten in place, not removed first: a running system keeps its modules.
const transpile = (entryPoints) => esbuild.build({
  entryPoints,
  outdir: 'dist',
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
await transpile([...walk('src'), ...walk('test')]);
// The syscall numbers user programs carry (src/abi/sysnr.ts) follow the list: a
// syscall added to src/abi/syscalls.ts is numbered there too, with no second edit.
{
  const { SYSCALLS } = await import(pathToFileURL(path.join(root, 'dist/src/abi/syscalls.js')).href);
  const { sysnrText } = await import(pathToFileURL(path.join(root, 'scripts/sysnr.mjs')).href);
  const file = 'src/abi/sysnr.ts';
  const text = sysnrText(SYSCALLS);
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    writeFileSync(file, text);
    await transpile([file]);
    console.log(`build: ${file} written from the syscall list`);
  }
}

// The thread entry points (kernel, server and process threads) bundled, with the code
// they share in common chunks and each component in a chunk of its own (a server
// thread imports only its component's): a Worker loads a few files instead of a
// module graph of dozens, which cut a new thread's CPU by about a fifth (server 64 ->
// 52 ms, process 100 -> 73 ms here). machine.ts starts the kernel from here, and the
// kernel's threads.ts names its entries relative to itself, so they come from here too.
{
  const outdir = 'dist/src/hosts/node/bundle';
  const result = await esbuild.build({
    entryPoints: ['kernel-worker', 'server-worker', 'process-worker'].map((n) => `src/hosts/node/${n}.ts`),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  // A server thread starts from one CommonJS file instead (its loader compiles it with
  // V8's code cache, made here; src/hosts/node/code-cache.ts): 35 -> 27 ms of CPU per
  // new server thread, which a fault campaign pays at every crash and hang.
  const cjs = await esbuild.build({
    entryPoints: { 'server-worker': 'src/hosts/node/server-worker.ts', 'thread-loader': 'src/hosts/node/thread-loader.ts' },
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    metafile: true,
    logLevel: 'warning',
  });
  // ASCII only (esbuild escapes what code holds; comments keep theirs): one character
  // outside it makes V8 hold the whole half megabyte as two-byte text, which cost each
  // new thread ~2 ms. A \u escape means the same in code and nothing in a comment.
  const serverBundle = path.join(outdir, 'server-worker.cjs');
  writeFileSync(serverBundle, readFileSync(serverBundle, 'utf8').replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  const { writeBundleCache } = await import(pathToFileURL(path.resolve('dist/src/hosts/node/code-cache.js')).href);
  writeBundleCache(serverBundle);
  // Chunks of earlier builds (their names carry a hash of their contents) go.
  const made = new Set([...Object.keys(result.metafile.outputs), ...Object.keys(cjs.metafile.outputs), path.join(outdir, 'server-worker.cjs.cache')].map((f) => path.resolve(f)));
  for (const name of readdirSync(outdir)) if (!made.has(path.resolve(outdir, name))) rmSync(path.join(outdir, name));
}

// User programs: one bundle each, no imports left, loaded by the process runtime
// from the file's bytes in the OS's own filesystem and evaluated as a script in the
// program sandbox (user/runtime/sandbox.ts): CommonJS-shaped, main on `exports`.
const binDir = 'src/user/bin';
const programs = readdirSync(binDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('_'));
mkdirSync('build/bin', { recursive: true });
// The --help texts (util/usage-text.ts) are not bundled: each program gets, at the top
// of its bundle, only the entries it names (its own, and chown's chgrp), `man` all of
// them; the table of every program in every program was half of a small one's bytes.
const { USAGES } = await import(pathToFileURL(path.join(root, 'dist/src/user/util/usage-text.js')).href);
const USAGE_GLOBAL = '__kernelkit_usages';
await esbuild.build({
  entryPoints: programs.map((f) => path.join(binDir, f)),
  outdir: 'build/bin',
  bundle: true,
  format: 'cjs',
  platform: 'neutral',
  target: 'es2022',
  minify: true,
  logLevel: 'warning',
  plugins: [{
    name: 'usage-per-program',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/]user[\\/]util[\\/]usage-text\.ts$/ }, () => ({ contents: `export const USAGES = ${USAGE_GLOBAL};`, loader: 'js' }));
    },
  }],
});
for (const f of programs) {
  const out = path.join('build/bin', f.replace(/\.ts$/, '.js'));
  const name = f.replace(/\.ts$/, '');
  const text = readFileSync(out, 'utf8');
  if (!text.includes(USAGE_GLOBAL)) continue;
  const named = (key) => key === name || [`"${key}"`, `'${key}'`, `\`${key}\``].some((q) => text.includes(q));
  const own = name === 'man' ? USAGES : Object.fromEntries(Object.entries(USAGES).filter(([key]) => named(key)));
  const strict = '"use strict";';
  const at = text.startsWith(strict) ? strict.length : 0;
  writeFileSync(out, `${text.slice(0, at)}var ${USAGE_GLOBAL}=${JSON.stringify(own)};${text.slice(at)}`);
}
// The sandbox refuses, without parsing, text that looks like a dynamic import or an
// HTML comment (ses's rules); a program bundle must not contain any.
const refused = [/(^|[^.]|\.\.\.)\bimport(\s*(?:\(|\/[/*]))/, /<!--|-->/];
for (const f of programs) {
  const out = path.join('build/bin', f.replace(/\.ts$/, '.js'));
  const text = readFileSync(out, 'utf8');
  const bad = refused.find((re) => re.test(text));
  if (bad !== undefined) { console.error(`build: ${out} contains text the program sandbox refuses (${bad}); reword it`); process.exit(1); }
}

// Drivers in C for the sandbox domain (src/services/*-wasm/*.c): freestanding wasm32,
// imports only, no libc. device.h is written from the ABI (abi/device.ts, abi/errno.ts)
// so the C never copies a constant. The module ships in the initramfs at
// /lib/modules/NAME.wasm, where the kernel loads it from.
{
  const { spawnSync } = await import('node:child_process');
  const device = await import(pathToFileURL(path.join(root, 'dist/src/abi/device.js')).href);
  const { Errno } = await import(pathToFileURL(path.join(root, 'dist/src/abi/errno.js')).href);
  const { SECTOR_SIZE } = await import(pathToFileURL(path.join(root, 'dist/src/abi/blk.js')).href);
  const { defaultParams } = await import(pathToFileURL(path.join(root, 'dist/src/kernel/params.js')).href);
  const defines = {
    SECTOR_SIZE, BLK_SLOTS: device.BLK_SLOTS, BLK_SLOTS_OFFSET: device.BLK_SLOTS_OFFSET, BLK_SLOT_BYTES: device.BLK_SLOT_BYTES,
    BLK_DATA_OFFSET: device.BLK_DATA_OFFSET, BLK_SLOT_DATA_BYTES: device.BLK_SLOT_DATA_BYTES, BLK_CAPACITY_LO: device.BLK_CAPACITY_LO, BLK_CAPACITY_HI: device.BLK_CAPACITY_HI,
    BLK_READ: device.BlkOp.READ, BLK_WRITE: device.BlkOp.WRITE, BLK_FLUSH: device.BlkOp.FLUSH,
    BLK_FREE: device.BlkSlotState.FREE, BLK_SUBMITTED: device.BlkSlotState.SUBMITTED, BLK_DONE: device.BlkSlotState.DONE,
    EINVAL: Errno.EINVAL, ENXIO: Errno.ENXIO, EAGAIN: Errno.EAGAIN, WILD_WRITE_BYTES: defaultParams.wildWriteBytes,
  };
  mkdirSync('build/wasm-drivers', { recursive: true });
  writeFileSync('build/wasm-drivers/device.h', `// Written by scripts/build.mjs from abi/device.ts, abi/errno.ts, abi/blk.ts and kernel/params.ts.\n${Object.entries(defines).map(([k, v]) => `#define ${k} ${v}`).join('\n')}\n`);
  const which = spawnSync('sh', ['-c', 'command -v clang && command -v wasm-ld'], { encoding: 'utf8' });
  if (which.status !== 0) {
    console.error('build: clang and wasm-ld are needed to build the WebAssembly block driver (src/services/blk-wasm/blk.c); install them: apt-get install clang lld');
    process.exit(1);
  }
  mkdirSync('build/initramfs-extra/lib/modules', { recursive: true });
  const out = 'build/initramfs-extra/lib/modules/blk.wasm';
  const r = spawnSync('clang', ['--target=wasm32', '-O2', '-nostdlib', '-ffreestanding', '-Wall', '-Werror', '-Ibuild/wasm-drivers',
    '-Wl,--no-entry', '-Wl,--strip-all', '-Wl,-z,stack-size=16384', '-Wl,--initial-memory=262144', '-Wl,--max-memory=262144',
    '-o', out, 'src/services/blk-wasm/blk.c'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) { console.error('build: compiling src/services/blk-wasm/blk.c failed'); process.exit(1); }

  // A filesystem driver that travels with its disk (src/services/diskfs/chainfs/): it is
  // not part of this kernel's image. `kernelkit mkfs --format chainfs --embed-driver`
  // takes it from build/fs-drivers/ and writes it into the image it makes.
  const { S, DT } = await import(pathToFileURL(path.join(root, 'dist/src/abi/fs.js')).href);
  const fsDefines = {
    ...Object.fromEntries(['ENOENT', 'EEXIST', 'ENOTDIR', 'EISDIR', 'EINVAL', 'ENOSPC', 'ENAMETOOLONG', 'ENOTEMPTY', 'EFBIG', 'EUCLEAN', 'ESTALE', 'ENFILE'].map((e) => [e, Errno[e]])),
    ...Object.fromEntries(Object.entries(S).map(([k, v]) => [`S_${k}`, v])),
    ...Object.fromEntries(Object.entries(DT).map(([k, v]) => [`DT_${k}`, v])),
    WILD_WRITE_BYTES: defaultParams.wildWriteBytes,
  };
  writeFileSync('build/wasm-drivers/fsabi.h', `// Written by scripts/build.mjs from abi/errno.ts, abi/fs.ts and kernel/params.ts.\n${Object.entries(fsDefines).map(([k, v]) => `#define ${k} ${v}`).join('\n')}\n`);
  mkdirSync('build/fs-drivers', { recursive: true });
  const fsOut = 'build/fs-drivers/chainfs.wasm';
  const f = spawnSync('clang', ['--target=wasm32', '-O2', '-nostdlib', '-ffreestanding', '-Wall', '-Werror', '-Ibuild/wasm-drivers',
    '-Wl,--no-entry', '-Wl,--strip-all', '-Wl,-z,stack-size=65536', '-Wl,--initial-memory=3145728', '-Wl,--max-memory=4194304',
    '-o', fsOut, 'src/services/diskfs/chainfs/chainfs.c'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (f.status !== 0) { console.error('build: compiling src/services/diskfs/chainfs/chainfs.c failed'); process.exit(1); }
}

// The initramfs: /bin with every program, /dev nodes, /etc, /tmp.
const { writeCpio } = await import(pathToFileURL(path.join(root, 'dist/src/lib/cpio.js')).href);
const { executableHeader } = await import(pathToFileURL(path.join(root, 'dist/src/abi/exec.js')).href);
const enc = new TextEncoder();
const now = Math.floor(Date.now() / 1000);
const DIR = 0o040755, REG = 0o100755, FILE = 0o100644, CHR = 0o020666, BLK = 0o060660;
const entries = [
  { name: 'bin', mode: DIR, data: new Uint8Array(0), mtime: now },
  { name: 'dev', mode: DIR, data: new Uint8Array(0), mtime: now },
  { name: 'etc', mode: DIR, data: new Uint8Array(0), mtime: now },
  { name: 'tmp', mode: 0o041777, data: new Uint8Array(0), mtime: now },
  { name: 'home', mode: DIR, data: new Uint8Array(0), mtime: now },
  { name: 'mnt', mode: DIR, data: new Uint8Array(0), mtime: now },
  { name: 'dev/null', mode: CHR, data: new Uint8Array(0), rdevMajor: 1, rdevMinor: 3, mtime: now },
  { name: 'dev/zero', mode: CHR, data: new Uint8Array(0), rdevMajor: 1, rdevMinor: 5, mtime: now },
  // The one terminal is everyone's (as /dev/tty is): a shell started by su or login opens it.
  { name: 'dev/console', mode: 0o020666, data: new Uint8Array(0), rdevMajor: 5, rdevMinor: 1, mtime: now },
  { name: 'dev/ttyerr', mode: 0o020666, data: new Uint8Array(0), rdevMajor: 5, rdevMinor: 2, mtime: now },
  // root:disk 0660: only root (and the disk group) may read or write the raw disk.
  { name: 'dev/blk0', mode: BLK, gid: 6, data: new Uint8Array(0), rdevMajor: 8, rdevMinor: 0, mtime: now },
  // Users: root and one ordinary user (su, login, `kernelkit run --user user`). No passwords.
  { name: 'etc/passwd', mode: FILE, data: enc.encode('root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:an ordinary user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n'), mtime: now },
  { name: 'etc/group', mode: FILE, data: enc.encode('root:x:0:\ndisk:x:6:\nwheel:x:10:root\nuser:x:1000:\nusers:x:100:user\nnogroup:x:65534:\n'), mtime: now },
  { name: 'root', mode: 0o040700, data: new Uint8Array(0), mtime: now },
  { name: 'home/user', mode: DIR, uid: 1000, gid: 1000, data: new Uint8Array(0), mtime: now },
  // Names for the resolver (user/util/hosts.ts): the loopback, and the gateway of `--net user`.
  { name: 'etc/hosts', mode: FILE, data: enc.encode('127.0.0.1\tlocalhost\n10.0.2.2\tgateway host\n'), mtime: now },
  // The resolver's nameserver: the DNS server of `--net user` (on other networks nobody answers there, and a name not in /etc/hosts is unknown after two tries).
  { name: 'etc/resolv.conf', mode: FILE, data: enc.encode('nameserver 10.0.2.3\n'), mtime: now },
  { name: 'etc/motd', mode: FILE, data: enc.encode('Welcome to kernelkit. Try: uname; ls -l /bin; lsmod; fault blk crash; dmesg\n'), mtime: now },
];
for (const f of programs.sort()) {
  const name = f.replace(/\.ts$/, '');
  const code = readFileSync(path.join('build/bin', name + '.js'));
  const header = enc.encode(executableHeader);
  const data = new Uint8Array(header.length + code.length);
  data.set(header, 0);
  data.set(code, header.length);
  entries.push({ name: `bin/${name}`, mode: REG, data, mtime: now });
}
// C programs compiled to WASI (scripts/build-c.mjs) join the image: build/initramfs-extra
// mirrors the root, and a module in bin/ is installed without its .wasm suffix, so
// `sqlite3 db 'select 1'` finds /bin/sqlite3.
if (existsSync('scripts/build-c.mjs') && !process.argv.includes('--no-c')) {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['scripts/build-c.mjs', '--clang'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) { console.error('build: building the C programs failed'); process.exit(1); }
}
const extra = 'build/initramfs-extra';
if (existsSync(extra)) {
  for (const rel of readdirSync(extra, { recursive: true }).map(String).sort()) {
    const p = path.join(extra, rel);
    if (!statSync(p).isFile()) continue;
    const name = rel.startsWith('bin/') ? rel.replace(/\.wasm$/, '') : rel;
    if (entries.some((e) => e.name === name)) continue;
    entries.push({ name, mode: p.endsWith('.wasm') ? REG : FILE, data: readFileSync(p), mtime: now });
  }
}
writeFileSync('build/initramfs.cpio', writeCpio(entries));
if (!process.argv.includes('--quiet')) console.error(`build: ${programs.length} programs, initramfs ${(statSync('build/initramfs.cpio').size / 1024).toFixed(0)} KiB, ${Date.now() - started} ms`);
