// The host's own netcat (netcat-openbsd) and the guest's nc talk over TCP and UDP in
// both directions through --net user, and the guest pings the gateway, on every
// preset: guest -> host through 10.0.2.2 (the host's 127.0.0.1), host -> guest through
// --forward. Every exchange carries a line each way; every host process is bounded by
// `timeout`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { PRESETS } from './harness.js';
import { freePort, start, stop, waitFor } from './net-peers.js';

// A host netcat: its stdout up to the first line (it is then stopped), or whatever it
// printed when it ended. TCP input is sent at once (stdin closed with `end`, else
// left open so that the peer's end of stream does not race its answer); UDP input a
// second later, stdin left open (netcat-openbsd sends it once it knows its peer).
function hostNc(args: string[], input: string, seconds: number, end = false): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn('timeout', [String(seconds), 'nc', ...args], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    const done = (): void => { resolve(out); p.kill(); };
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('\n')) done(); });
    p.on('close', done);
    p.on('error', done);
    p.stdin.on('error', () => {});
    if (args.includes('-u')) setTimeout(() => p.stdin.write(input), 1000);
    else if (end) p.stdin.end(input);
    else p.stdin.write(input);
  });
}

for (const preset of PRESETS) {
  test(`nc (${preset}): host nc and guest nc over TCP and UDP both ways through --net user; the guest pings the gateway`, async () => {
    const hostTcp = await freePort(), hostUdp = await freePort(), fwdTcp = await freePort(), fwdUdp = await freePort();
    // The host's listeners for the guest's connections, started first.
    const tcpFromGuest = hostNc(['-l', '127.0.0.1', String(hostTcp)], 'from-host-tcp\n', 120, true);
    const udpFromGuest = hostNc(['-u', '-l', '127.0.0.1', String(hostUdp)], 'from-host-udp\n', 120);
    const m = start(['--preset', preset, '--net', 'user', '--forward', `${fwdTcp}:7000`, '--forward', `${fwdUdp}:7001/udp`], [
      'ping -c 2 -W 5 10.0.2.2 > /dev/null; echo ping=$?',
      `echo from-guest-tcp | nc -N 10.0.2.2 ${hostTcp}; echo tcp-out=$?`,
      `(echo from-guest-udp; sleep 4) | nc -u -w 3 10.0.2.2 ${hostUdp}; echo udp-out=$?`,
      '(echo to-host-tcp | nc -l 7000 > /tmp/tcp.in; echo tcp-in=$?) & until ss -lt | grep -q :7000; do sleep 0.1; done; echo tcp-listening; wait; cat /tmp/tcp.in',
      // The listener answers 5 s after it starts: a UDP listener knows its peer only from
      // the first datagram, which the host sends about a second after it sees udp-listening.
      '(sleep 5; echo to-host-udp; sleep 2) | nc -u -l -w 4 7001 > /tmp/udp.in & until ss -lu | grep -q :7001; do sleep 0.1; done; echo udp-listening; wait; cat /tmp/udp.in; echo finished',
    ].join('; '));
    try {
      await waitFor(m, /^udp-out=\d+$/m, 180_000);
      assert.match(m.out(), /^ping=0$/m, 'the gateway answers ping');
      assert.match(m.out(), /^from-host-tcp\ntcp-out=0$/m, 'the guest got the host\'s TCP line');
      assert.match(m.out(), /^from-host-udp\nudp-out=0$/m, 'the guest got the host\'s UDP answer');
      assert.equal(await tcpFromGuest, 'from-guest-tcp\n', 'the host got the guest\'s TCP line');
      assert.equal(await udpFromGuest, 'from-guest-udp\n', 'the host got the guest\'s datagram');

      await waitFor(m, /^tcp-listening$/m, 60_000);
      assert.equal(await hostNc(['127.0.0.1', String(fwdTcp)], 'from-host-tcp-in\n', 60), 'to-host-tcp\n', 'the host got the guest listener\'s line');
      await waitFor(m, /^udp-listening$/m, 60_000);
      assert.equal(await hostNc(['-u', '-w', '10', '127.0.0.1', String(fwdUdp)], 'from-host-udp-in\n', 30), 'to-host-udp\n', 'the host got the guest\'s UDP answer');
      await waitFor(m, /^finished$/m, 60_000);
      assert.match(m.out(), /^tcp-in=0\nfrom-host-tcp-in$/m, 'the guest listener got the host\'s TCP line');
      assert.match(m.out(), /^udp-listening\nfrom-host-udp-in$/m, 'the guest listener got the host\'s datagram');
    } finally {
      assert.equal(await stop(m), 0, m.err());
    }
  });
}

test('host nc is netcat-openbsd (the -N and -u -l behaviour these tests use)', () => {
  const help = execFileSync('sh', ['-c', 'nc -h 2>&1 || true'], { encoding: 'utf8' });
  assert.match(help, /OpenBSD netcat/);
});
