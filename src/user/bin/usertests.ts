// usertests: the system test suite, a user program that speaks only the ABI (xv6's
// usertests.c). One name -> test table; each test runs in its own process (this
// program re-spawned with the test's name), prints OK or FAILED, and ends by checking
// that nothing leaked: no extra processes, no extra open descriptors.
//
//   usertests            run every test
//   usertests NAME...    run the named tests
//   usertests -l         list the tests
//   usertests --write-all PATH BYTES
//                        one write of BYTES bytes to PATH; prints "wrote N" (a helper for disk tests)

import * as libc from '../libc/index.js';
import { TESTS } from './_usertests-cases.js';
import { cpuHog, heapHog } from './_usertests-limits.js';
import './_usertests-beneath.js';
import './_usertests-procfs.js';
import { preflight } from '../util/args.js';

function openFds(): number[] {
  const fds: number[] = [];
  for (let fd = 0; fd < 64; fd++) {
    try { libc.fstat(fd); fds.push(fd); } catch { /* not open */ }
  }
  return fds;
}

function liveChildren(): number {
  const me = libc.getpid();
  const table = libc.ps() as { ppid: number; state: string }[];
  return table.filter((p) => p.ppid === me && p.state !== 'zombie').length;
}

function writeAll(path: string, bytes: number): number {
  const fd = libc.open(path, libc.O.WRONLY | libc.O.CREAT | libc.O.TRUNC, 0o644);
  try {
    libc.print(`wrote ${libc.write(fd, new Uint8Array(bytes).fill(0x5a))}\n`);
  } catch (e) {
    libc.print(`write failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    libc.close(fd);
  }
  return 0;
}

function runOne(name: string): number {
  const test = TESTS[name];
  if (test === undefined) { libc.eprint(`usertests: no test named ${name}\n`); return 2; }
  const before = openFds();
  try {
    test();
  } catch (e) {
    libc.print(`${name}: FAILED: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const after = openFds();
  if (after.join(',') !== before.join(',')) { libc.print(`${name}: FAILED: leaked descriptors (before ${before.join(',')}, after ${after.join(',')})\n`); return 1; }
  if (liveChildren() !== 0) { libc.print(`${name}: FAILED: leaked child processes\n`); return 1; }
  libc.print(`${name}: OK\n`);
  return 0;
}

export function main(argv: string[]): number {
  const early = preflight('usertests', argv.slice(1, 2), ['-l', '--one', '--child-echo', '--exit', '--sleep', '--cpu-hog', '--heap-hog', '--write-all']);
  if (early !== null) return early;
  if (argv[1] === '-l') { libc.print(Object.keys(TESTS).join('\n') + '\n'); return 0; }
  if (argv[1] === '--one') return runOne(argv[2] ?? '');
  // Helpers the cases spawn.
  if (argv[1] === '--child-echo') { libc.print('child says hi\n'); return 7; }
  if (argv[1] === '--exit') return Number(argv[2]);
  if (argv[1] === '--sleep') { libc.sleepMs(60000); return 0; }
  if (argv[1] === '--cpu-hog') return cpuHog(argv.slice(2));
  if (argv[1] === '--heap-hog') return heapHog();
  // One write(2) of N bytes to PATH; prints what it returned (a disk test fills the disk with it).
  if (argv[1] === '--write-all') return writeAll(argv[2] ?? '', Number(argv[3]));
  const names = argv.length > 1 ? argv.slice(1) : Object.keys(TESTS);
  let failed = 0;
  for (const name of names) {
    // Each test in its own process, so a crash in one cannot hide the others.
    const pid = libc.spawn('/bin/usertests', { argv: ['usertests', '--one', name] });
    const r = libc.wait(pid)!;
    if (r.code !== 0 || r.signal !== 0) {
      failed++;
      if (r.signal !== 0) libc.print(`${name}: FAILED: killed by signal ${r.signal}\n`);
    }
  }
  libc.print(`usertests: ${names.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}
