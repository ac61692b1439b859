// ping over a ping socket (SOCK_DGRAM, IPPROTO_ICMP) on every preset: the loopback
// network answers each echo; an address with no route fails with status 1. The rules
// a process cannot break with such a socket are nettests ping_socket_rules
// (test/system/sockets.test.ts runs it on every preset).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boot, noLeaks, PRESETS } from './harness.js';

for (const preset of PRESETS) {
  test(`ping 127.0.0.1 on ${preset}`, { timeout: 120_000 }, async () => {
    const r = await boot(preset, ['/bin/sh', '-c', 'ping -c 3 -i 0.1 -s 100 127.0.0.1; echo status=$?; ping -c 1 -W 0.2 10.9.8.7; echo unreachable=$?']);
    assert.match(r.stdout, /^PING 127\.0\.0\.1 \(127\.0\.0\.1\) 100\(128\) bytes of data\.$/m, r.stdout);
    for (const seq of [1, 2, 3]) assert.match(r.stdout, new RegExp(`^108 bytes from 127\\.0\\.0\\.1: icmp_seq=${seq} time=\\d+\\.\\d{3} ms$`, 'm'), r.stdout);
    assert.match(r.stdout, /^3 packets transmitted, 3 received, 0% packet loss$/m);
    assert.match(r.stdout, /^status=0$/m);
    assert.match(r.stdout, /^unreachable=1$/m);
    assert.match(r.stderr, /Network is unreachable/);
    assert.equal(noLeaks(r), undefined);
  });
}
