// Faults, the point of the exercise: the same fault in the same component behaves
// differently only because of the domain the component runs in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sh, noLeaks } from './harness.js';

test('blk crash: microkernel restarts the driver and the read completes', async () => {
  const r = await sh('microkernel', 'fault blk crash; cat /dev/blk0 | wc -c; lsmod');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^4194304$/m);
  assert.match(r.stdout, /^blk\s+user\s+running\s+1$/m, 'lsmod counts the restart');
  assert.equal(noLeaks(r), undefined);
});

test('blk crash: monolithic panics with status 70', async () => {
  const r = await sh('monolithic', 'fault blk crash; cat /dev/blk0 | wc -c');
  assert.equal(r.status, 70);
  assert.match(r.stderr, /kernel panic: blk: .*injected crash/);
  assert.doesNotMatch(r.stdout, /4194304/);
});

test('blk wild write: monolithic corrupts a neighbour, microkernel and hybrid only the driver', async () => {
  const outside = async (preset: string): Promise<number> => {
    const r = await sh(preset, 'memstat -f blk wild-write');
    const m = /(\d+) regions changed, (\d+) outside blk/.exec(r.stdout);
    assert.ok(m, `${preset}: ${r.stdout}${r.stderr}`);
    return Number(m[2]);
  };
  assert.ok(await outside('monolithic') > 0, 'a kernel-domain wild write lands in another component');
  assert.equal(await outside('microkernel'), 0);
  assert.equal(await outside('hybrid'), 0);
});

test('blk hang: microkernel detects it by heartbeat and restarts; monolithic is stopped by the watchdog', async () => {
  const micro = await sh('microkernel', 'fault blk hang; cat /dev/blk0 | wc -c; dmesg | grep -c "hung (no heartbeat)"');
  assert.equal(micro.status, 0, micro.stderr);
  assert.match(micro.stdout, /^4194304\n1$/m);
  const mono = await sh('monolithic', 'fault blk hang; cat /dev/blk0 | wc -c', { watchdogMs: 1500 });
  assert.equal(mono.status, 70);
  assert.match(mono.stderr, /kernel panic: watchdog/);
});

test('a crash in a user-domain server is not noticed by an unrelated process', async () => {
  // A background job keeps working on ramfs while the block driver crashes and restarts.
  const r = await sh('microkernel', 'usertests files dirs pipes > /tmp/bg & fault blk crash; cat /dev/blk0 | wc -c; wait; cat /tmp/bg');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /usertests: 3 passed, 0 failed/);
  assert.equal(noLeaks(r), undefined);
});

test('console and pm crash under microkernel: the request fails or is retried, the system goes on', async () => {
  for (const component of ['console', 'pm', 'vfs']) {
    // External programs, so each line is requests to pm, vfs and the console: the first
    // request after the fault fails (EIO) or is replayed, and everything after it works.
    const r = await sh('microkernel', `fault ${component} crash; /bin/true; /bin/echo one; /bin/echo two; lsmod`);
    assert.equal(r.status, 0, `${component}: ${r.stderr}`);
    assert.match(r.stdout, /^two$/m, component);
    assert.match(r.stdout, new RegExp(`^${component}\\s+user\\s+running\\s+1$`, 'm'), `${component} restarted once`);
    assert.equal(noLeaks(r), undefined, component);
  }
});

test('bad fault requests are refused with a clear error', async () => {
  const r = await sh('microkernel', 'fault blk explode; echo $?; fault nosuch crash; echo $?');
  assert.match(r.stdout, /^2\n1$/m); // usage error, then ENODEV
  assert.match(r.stderr, /crash, wild-write, hang/);
  assert.match(r.stderr, /nosuch: No such device/);
});

test('bad reply: the one reply check fails the call with EIO at the caller on every preset, and the system goes on', async () => {
  for (const preset of ['monolithic', 'microkernel', 'hybrid']) {
    const r = await sh(preset, 'fault blk bad-reply; cat /dev/blk0 | wc -c; fault vfs bad-reply; /bin/cat /etc/motd; echo vfs=$?; cat /dev/blk0 | wc -c');
    assert.equal(r.status, 0, `${preset}: ${r.stderr}`);
    assert.match(r.stderr, /cat: \/dev\/blk0: Input\/output error/, preset);
    assert.match(r.stderr, /\/bin\/cat: Input\/output error/, preset);
    assert.match(r.stdout, /^0\nvfs=126\n4194304$/m, preset);
    assert.equal(noLeaks(r), undefined, preset);
  }
});

test('the watchdog arms at the kernel thread\'s first heartbeat: a slow start is not a hang, a thread that never starts is', async () => {
  // The kernel thread busies itself before its first beat, as loading its code does on a
  // loaded host; the 500 ms watchdog must not count that time.
  const slow = await sh('microkernel', 'echo up', { watchdogMs: 500, testStartDelayMs: 1500 });
  assert.equal(slow.status, 0, slow.stderr);
  assert.match(slow.stdout, /^up$/m);
  const never = await sh('monolithic', 'echo up', { kernelStartMs: 500, testStartDelayMs: 5000 });
  assert.equal(never.status, 70);
  assert.match(never.stderr, /kernel panic: watchdog: the kernel thread did not start within 0\.5 s/);
});
