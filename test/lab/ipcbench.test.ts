// ipcbench, the component that times component -> echo round trips from inside a
// component, on every preset: loading it without echo neither panics the kernel nor
// hangs (regression: its init used to fail, and a user-domain init failure took the
// insmod syscall down as a kernel panic); with echo it logs its timings and kbench
// server reads them back; it loads once, unloads, and the system keeps answering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelkit } from './cli.js';

for (const preset of ['monolithic', 'microkernel', 'hybrid']) {
  test(`insmod ipcbench without echo does not panic the kernel (${preset})`, async () => {
    const line = 'insmod ipcbench; echo noecho=$?; dmesg | grep -c "ipcbench: no timings"; rmmod ipcbench; insmod echo; kbench -s 0.01 server; insmod ipcbench; insmod ipcbench; echo again=$?; rmmod ipcbench; echo rm=$?; echo alive';
    const r = await kernelkit(['run', '--preset', preset, line]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /kernel panic/);
    const out = r.stdout.split('\n');
    assert.equal(out[0], 'noecho=0');
    // At least once: on a crowded host the supervisor may restart a slow server, whose init runs again.
    assert.ok(Number(out[1]) >= 1, `the log says why there are no timings (${out[1]})`);
    const server = JSON.parse(out[2]!) as { workload: string; n: number; median_ns: number; p99_ns: number };
    assert.equal(server.workload, 'server');
    assert.equal(server.n, 2000);
    assert.ok(server.median_ns > 0 && server.p99_ns >= server.median_ns, out[2]);
    assert.match(r.stdout, /again=1\nrm=0\nalive\n$/);
  });
}
