// Tracing on every preset: `kernelkit run --trace` (the machine's trace stream), the
// `trace` program inside, and who may trace whom. The expected figures come from the
// run itself (the file's real length as cat printed it) and from the preset (where vfs
// and the console run), never from a constant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PRESETS, sh, boot, noLeaks, type RunResult } from './harness.js';
import { loadPreset } from '../../src/hosts/presets.js';
import type { HopTraceEvent, SyscallTraceEvent, TraceEvent } from '../../src/abi/trace.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');

/** Runs `line` in sh with init traced to the machine's trace stream; the lines it wrote. */
async function traced(preset: string, line: string, form: 'text' | 'json'): Promise<RunResult & { trace: string[] }> {
  const trace: string[] = [];
  const r = await sh(preset, line, { trace: form, onTrace: (l) => trace.push(l) });
  return { ...r, trace };
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The syscall events of process `name`, each with the hops that follow it. */
function calls(events: TraceEvent[], name: string): { call: SyscallTraceEvent; hops: HopTraceEvent[] }[] {
  const out: { call: SyscallTraceEvent; hops: HopTraceEvent[] }[] = [];
  for (const e of events) {
    if (e.type === 'syscall' && e.process === name) out.push({ call: e, hops: [] });
    else if (e.type === 'hop' && out.length > 0 && out.at(-1)!.call.seq === e.seq) out.at(-1)!.hops.push(e);
  }
  return out;
}

for (const p of PRESETS) {
  const placement = loadPreset(p).placement;
  const domainOf = (c: string): 'kernel' | 'user' => (placement as Record<string, string>)[c] === 'user' ? 'user' : 'kernel';
  // A user-domain vfs under shm (the presets' transport) serves file reads on the direct
  // path: the process's thread and vfs's, no kernel thread (docs/architecture.md).
  const direct = domainOf('vfs') === 'user' && loadPreset(p).ipc === 'shm';
  const readFrom = direct ? 'process' : 'kernel';

  test(`trace: run --trace shows cat's syscalls, results and hops (${p})`, async () => {
    const plain = await sh(p, 'cat /etc/motd');
    const r = await traced(p, 'cat /etc/motd', 'json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, plain.stdout, "the traced program's output is unchanged");
    assert.equal(r.stderr, '', 'trace lines never go to the console');
    const length = Buffer.byteLength(plain.stdout);
    assert.ok(length > 0);
    const events = r.trace.map((l) => JSON.parse(l) as TraceEvent);
    const cat = calls(events, 'cat');
    const named = (syscall: string): { call: SyscallTraceEvent; hops: HopTraceEvent[] }[] => cat.filter((c) => c.call.syscall === syscall);

    const [open] = named('open');
    assert.ok(open !== undefined, r.trace.join('\n'));
    assert.equal(open.call.args, '"/etc/motd", 0x0, 0644');
    const fd = open.call.result!;
    assert.ok(fd >= 3 && open.call.errno === null, 'open returned a new descriptor');
    const reads = named('read');
    assert.deepEqual(reads.map((c) => [c.call.args.split(',')[0], c.call.result]), [[String(fd), length], [String(fd), 0]], 'the file, then end of file');
    assert.deepEqual(named('write').map((c) => [c.call.args, c.call.result]), [[`1, ${length}`, length]]);
    assert.deepEqual(named('close').map((c) => [c.call.args, c.call.result]), [[String(fd), 0]]);
    assert.deepEqual(named('exit').map((c) => [c.call.args, c.call.result]), [['0', null]], 'exit does not return');

    // Each read reached vfs once, lending it cat's buffer: the data went by grant, not in a message.
    const hop = reads[0]!.hops;
    assert.deepEqual(hop.map((h) => [h.from, h.to, h.method]), [[readFrom, 'vfs', 'readInto']]);
    const vfsRead = hop[0]!;
    assert.equal(vfsRead.toDomain, domainOf('vfs'));
    assert.equal(vfsRead.grantBytes, length);
    assert.equal(vfsRead.dataBytes, 0);
    assert.ok(vfsRead.us > 0 && reads[0]!.call.us! >= vfsRead.us, 'the hop is timed inside its syscall');
    if (direct) {
      assert.equal(vfsRead.transport, 'direct page');
      assert.equal(vfsRead.callBytes, null, 'no message: registers in the direct page');
    } else if (domainOf('vfs') === 'user') {
      assert.equal(vfsRead.transport, 'shm fixed');
      assert.ok(vfsRead.replyBytes! < length && vfsRead.callBytes! > 0, 'the reply message holds a count, not the data');
    } else {
      assert.equal(vfsRead.transport, 'direct call');
      assert.equal(vfsRead.dataCopied, false);
      assert.equal(vfsRead.callBytes, null);
    }
    const write = named('write')[0]!.hops;
    assert.deepEqual(write.map((h) => [h.to, h.method, h.toDomain, h.dataBytes]), [['console', 'write', domainOf('console'), length]]);
    // The shell that started cat is traced too (inherited from init), and waited for it.
    assert.ok(events.some((e) => e.type === 'syscall' && e.process === 'sh' && e.syscall === 'spawn' && e.args.startsWith('"/bin/cat", ["cat","/etc/motd"]')), r.trace.join('\n'));
    assert.equal(noLeaks(r), undefined);
  });

  test(`trace: the text form names the domain and transport of each hop (${p})`, async () => {
    const r = await traced(p, 'cat /etc/motd', 'text');
    assert.equal(r.status, 0, r.stderr);
    const length = Buffer.byteLength(r.stdout);
    const text = r.trace.join('\n');
    const read = new RegExp(`^\\[pid \\d+ cat\\] read\\((\\d+), \\d+\\) = ${length}   [\\d.]+ (µs|ms)\\n`
      + (direct ? `    process -> vfs \\(user, direct page\\) readInto  registers only, no kernel thread \\(${length} B by grant, copied once\\)  [\\d.]+ (µs|ms)$`
        : domainOf('vfs') === 'user'
        ? `    kernel -> vfs \\(user, shm fixed\\) readInto  call \\d+ B  reply \\d+ B \\(${length} B by grant, copied once\\)  [\\d.]+ (µs|ms)$`
        : `    kernel -> vfs \\(kernel, direct call\\) readInto  no message \\(${length} B by grant, copied once\\)  [\\d.]+ (µs|ms)$`), 'm');
    assert.match(text, read);
    assert.match(text, new RegExp(`^\\[pid \\d+ cat\\] open\\(${escape('"/etc/motd"')}, 0x0, 0644\\) = 3 `, 'm'));
    assert.match(text, /^\[pid \d+ cat\] exit\(0\) = \?$/m);
    assert.equal(noLeaks(r), undefined);
  });

  test(`trace: a failed syscall shows its errno (${p})`, async () => {
    const r = await traced(p, 'cat /nonexistent', 'text');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cat: \/nonexistent: No such file or directory/);
    assert.match(r.trace.join('\n'), /^\[pid \d+ cat\] open\("\/nonexistent", 0x0, 0644\) = -1 ENOENT   [\d.]+ (µs|ms)\n {4}(kernel|process) -> vfs \((kernel|user), [^)]+\) open = ENOENT /m);
    assert.equal(noLeaks(r), undefined);
  });

  test(`trace: tracing off leaves no trace output (${p})`, async () => {
    const lines: string[] = [];
    const r = await sh(p, 'cat /etc/motd; trace -o /tmp/t true; echo $?; trace --help | head -1; trace -p 99999; echo esrch=$?', { onTrace: (l) => lines.push(l) });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^0\nusage: trace \[-o FILE\]/m);
    assert.match(r.stdout, /^esrch=1$/m);
    assert.deepEqual(lines, [], 'the machine was not asked to trace');
    assert.doesNotMatch(r.stdout, /\[pid /);
    assert.equal(r.stderr, 'trace: pid 99999: No such process\n');
    assert.equal(noLeaks(r), undefined);
  });

  test(`trace: the trace program traces its command and its children (${p})`, async () => {
    const r = await sh(p, [
      'trace cat /etc/motd > /tmp/out 2> /tmp/err; echo status=$?',
      'trace -o /tmp/t sh -c "echo hi; cat /tmp/out" > /dev/null',
      'trace --json -o /tmp/j cat /tmp/out > /dev/null',
      'wc -c < /tmp/out; echo ==err; cat /tmp/err; echo ==t; cat /tmp/t; echo ==j; cat /tmp/j',
    ].join('; '));
    assert.equal(r.status, 0, r.stderr);
    const [head, rest] = r.stdout.split('==err\n') as [string, string];
    const [err, rest2] = rest.split('==t\n') as [string, string];
    const [t, j] = rest2.split('==j\n') as [string, string];
    assert.match(head, /^status=0\n\s*\d+\n$/);
    const length = Number(/(\d+)\n$/.exec(head)![1]);
    assert.ok(length > 0);
    // To stderr: cat's calls, not the trace program's own.
    assert.match(err, new RegExp(`^\\[pid \\d+ cat\\] read\\(3, \\d+\\) = ${length} `, 'm'));
    assert.match(err, new RegExp(`^ {4}${readFrom} -> vfs \\((kernel|user), [^)]+\\) readInto `, 'm'));
    assert.doesNotMatch(err, /\[pid \d+ trace\]/, 'the tracer itself is not traced');
    // -o FILE: the command's children are traced too, under their own names.
    assert.match(t, /^\[pid \d+ sh\] spawn\("\/bin\/cat", \["cat","\/tmp\/out"\]\) = \d+ /m);
    assert.match(t, new RegExp(`^\\[pid \\d+ cat\\] write\\(1, ${length}\\) = ${length} `, 'm'));
    // --json: one object per line, the same events.
    const json = j.trim().split('\n').map((l) => JSON.parse(l) as TraceEvent);
    assert.ok(json.some((e) => e.type === 'syscall' && e.process === 'cat' && e.syscall === 'read' && e.result === length), j);
    assert.ok(json.some((e) => e.type === 'hop' && e.to === 'vfs' && e.method === 'readInto' && e.toDomain === domainOf('vfs') && e.grantBytes === length));
    assert.equal(noLeaks(r), undefined);
  });

  test(`trace: -p attaches to a running process; a process has one tracer (${p})`, async () => {
    const r = await sh(p, 'sleep 3 & trace -o /tmp/p -p $!; echo attach=$?; cat /tmp/p');
    assert.equal(r.status, 0, r.stderr);
    // Whatever it was doing when the tracer attached, it ends traced, and only it is traced.
    assert.match(r.stdout, /^attach=0\n(\[pid \d+ sleep\] .*\n)*\[pid \d+ sleep\] exit\(0\) = \?\n$/, r.stdout);
    // Under run --trace every process already has the machine as its tracer.
    const busy = await traced(p, 'sleep 3 & trace -o /tmp/p -p $!; echo attach=$?; wait', 'text');
    assert.match(busy.stdout, /^attach=1$/m);
    assert.match(busy.stderr, /^trace: pid \d+: Device or resource busy$/m);
    assert.match(busy.trace.join('\n'), /^\[pid \d+ sleep\] exit\(0\) = \?$/m, 'the first tracer keeps it');
    assert.equal(noLeaks(r), undefined);
    assert.equal(noLeaks(busy), undefined);
  });

  test(`trace: a non-root user cannot trace root's processes (${p})`, async () => {
    const r = await sh(p, [
      "su user -c 'trace -p 1; echo attach=$?'",
      // A set-user-id root program started under a user's trace is not followed.
      'cp /bin/id /tmp/id; chmod 4755 /tmp/id',
      "su user -c 'trace -o /tmp/t /tmp/id -ru; trace -o /tmp/u cat /etc/motd > /dev/null'",
      'cat /tmp/t; grep -c "cat] read" /tmp/u',
      // Root may trace anyone's.
      "trace -o /tmp/r su user -c 'cat /etc/motd' > /dev/null; grep -c 'cat] read' /tmp/r",
    ].join('; '));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^trace: pid 1: Operation not permitted$/m);
    assert.match(r.stdout, /^attach=1$/m);
    assert.match(r.stdout, /^1000$/m, 'the program ran');
    assert.match(r.stdout, /^\[pid \d+ id\] not traced: runs as uid 1000, euid 0; the tracer is uid 1000$/m);
    assert.doesNotMatch(r.stdout, /\[pid \d+ id\] [a-z_]+\(/, 'none of its syscalls');
    assert.match(r.stdout, /^2\n2$/m, "the user traces its own cat; root traces the user's");
    assert.equal(noLeaks(r), undefined);
  });

  test(`trace: kernelkit run --trace prints to stderr, the output unchanged on stdout (${p})`, () => {
    const plain = spawnSync(process.execPath, [bin, 'run', '--preset', p, '--', 'cat /etc/motd'], { encoding: 'utf8', timeout: 120_000 });
    const r = spawnSync(process.execPath, [bin, 'run', '--preset', p, '--trace', '--', 'cat /etc/motd'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(plain.stderr, '');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, plain.stdout);
    const length = Buffer.byteLength(plain.stdout);
    assert.match(r.stderr, new RegExp(`^\\[pid \\d+ cat\\] write\\(1, ${length}\\) = ${length} `, 'm'));
    assert.match(r.stderr, new RegExp(`^ {4}kernel -> console \\(${domainOf('console')}, `, 'm'));
  });
}

// Where the architecture is the point: under microkernel vfs reaches ext2, and ext2
// blk, themselves. Under the relayed transport (mach) the kernel carries those calls and
// attributes them to the one traced request each server is serving; on direct shm
// channels it never sees them (and the process reads from vfs on the direct path).
test('trace: relayed server-to-server calls are shown, direct ones are not (microkernel, ext2 disk)', async () => {
  const img = path.join(os.tmpdir(), `kk-trace-${process.pid}.img`);
  try {
    const mkfs = spawnSync(process.execPath, [bin, 'mkfs', img, '--size', '8M'], { encoding: 'utf8' });
    assert.equal(mkfs.status, 0, mkfs.stderr);
    const made = await boot('microkernel', ['/bin/sh', '-c', 'seq 1 3000 > /f'], { disk: img });
    assert.equal(made.status, 0, made.stderr);
    for (const ipc of ['mach', 'shm'] as const) {
      // A fresh boot: the file's blocks are not cached, so reading it reads the disk.
      const trace: string[] = [];
      const r = await boot('microkernel', ['/bin/sh', '-c', 'wc -c < /f'], { disk: img, ipc, trace: 'json', onTrace: (l) => trace.push(l) });
      assert.equal(r.status, 0, r.stderr);
      const size = Number(r.stdout.trim());
      assert.ok(size > 0, r.stdout);
      const events = trace.map((l) => JSON.parse(l) as TraceEvent);
      const read = calls(events, 'wc').find((c) => c.call.syscall === 'read' && c.call.result === size);
      assert.ok(read !== undefined, trace.join('\n'));
      const relayed = read.hops.filter((h) => h.from === 'vfs');
      if (ipc === 'mach') {
        assert.ok(relayed.length > 0, `vfs read the disk through the relay: ${JSON.stringify(read.hops)}`);
        // The first generation: the data travels in every message, kernel <- vfs <- ext2 <- blk.
        assert.deepEqual(read.hops.filter((h) => h.from === 'kernel').map((h) => [h.to, h.method, h.dataBytes]), [['vfs', 'read', size]]);
        for (const h of relayed) assert.deepEqual([h.to, h.fromDomain, h.toDomain, h.transport, h.dataCopied], ['ext2', 'user', 'user', 'mach codec, relayed', true]);
        assert.ok(relayed.reduce((n, h) => n + h.dataBytes, 0) >= size, 'the file came up from ext2');
        const fromExt2 = read.hops.filter((h) => h.from === 'ext2');
        assert.ok(fromExt2.length > 0 && fromExt2.every((h) => h.to === 'blk' && h.transport === 'mach codec, relayed'), 'ext2 read the disk through the relay');
        assert.ok(fromExt2.reduce((n, h) => n + h.dataBytes, 0) >= size, 'at least the file came up from blk');
        assert.ok([...relayed, ...fromExt2].every((h) => h.replyBytes! > h.dataBytes), 'each reply message holds its data');
      } else {
        assert.deepEqual(relayed, [], 'a direct channel between two servers is not visible to the kernel');
        // And the read itself went from wc's thread to vfs's: the direct path.
        assert.deepEqual(read.hops.map((h) => [h.from, h.to, h.method, h.transport]), [['process', 'vfs', 'readInto', 'direct page']]);
      }
      assert.equal(noLeaks(r), undefined);
    }
  } finally {
    fs.rmSync(img, { force: true });
  }
});
