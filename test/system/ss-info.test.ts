// ss -tim on every preset: a TCP connection through the stack (the guest connecting to
// its own interface address, which goes through TCP, not the loopback path) shows its
// internals as Linux's ss -i does — SACK agreed, window scales, RTO and RTT, MSS, cwnd,
// bytes each way — and its buffers (-m).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRESETS } from './harness.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');

// 288894 bytes (seq 1 50000), then the client keeps the connection open while ss looks.
const SCRIPT = [
  'nc -l -w 10 7000 > /dev/null < /dev/null &',
  'i=0; until ss -lt | grep -q :7000 || [ $i -ge 100 ]; do sleep 0.1; i=$((i+1)); done',
  '(seq 1 50000; sleep 3) | nc -N -w 10 10.0.2.15 7000 &',
  'i=0; until [ "$(ss -tni | grep -c bytes_acked:288894)" -ge 1 ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i+1)); done',
  'ss -taim',
  'wait',
].join('\n');

for (const preset of PRESETS) {
  test(`ss -tim shows a TCP connection's internals and buffers on ${preset}`, { timeout: 120_000 }, () => {
    const r = spawnSync(process.execPath, [bin, 'run', '--preset', preset, '--net', 'user', '--', SCRIPT], { encoding: 'utf8', timeout: 110_000 });
    const out = r.stdout;
    assert.equal(r.status, 0, out + r.stderr);
    const lines = out.split('\n');
    const established = lines.flatMap((l, i) => /^tcp\s+ESTABLISHED\s.*10\.0\.2\.15:\d+\s+10\.0\.2\.15:\d+$/.test(l) ? [i] : []);
    assert.equal(established.length, 2, `both ends of the connection:\n${out}`);
    const infos = established.map((i) => {
      assert.match(lines[i + 1]!, /^\t skmem:\(r\d+,rb\d+,t\d+,tb\d+\)$/, `-m's line under ${lines[i]}`);
      const m = /^\t sack newreno wscale:7,7 rto:(\d+) rtt:([\d.]+)\/([\d.]+) mss:(\d+) cwnd:(\d+) (?:ssthresh:\d+ )?bytes_sent:(\d+) bytes_acked:(\d+) bytes_received:(\d+) segs_out:(\d+) segs_in:(\d+) retrans:(\d+)/.exec(lines[i + 2]!);
      assert.ok(m !== null, `-i's line under ${lines[i]}: ${lines[i + 2]}`);
      return { rto: Number(m[1]), rtt: Number(m[2]), mss: Number(m[4]), cwnd: Number(m[5]), sent: Number(m[6]), acked: Number(m[7]), received: Number(m[8]), segsOut: Number(m[9]), segsIn: Number(m[10]) };
    });
    const client = infos.find((x) => x.sent === 288894), server = infos.find((x) => x.received === 288894);
    assert.ok(client !== undefined && server !== undefined, `one end sent and the other received all 288894 bytes:\n${out}`);
    assert.equal(client.acked, 288894, 'and the sender saw all of it acknowledged');
    for (const x of infos) {
      assert.ok(x.rto >= 200, `rto ${x.rto}: at least the 200 ms minimum`);
      assert.ok(x.rtt > 0, 'an RTT was measured');
      assert.equal(x.mss, 1460, 'the MTU of eth0 less 40');
      assert.ok(x.cwnd >= 2 && x.segsOut > 0 && x.segsIn > 0);
    }
    assert.ok(client.segsOut >= Math.ceil(288894 / 65535), 'the sender sent at least one segment per 64 KiB');
    // Only the two connections have internals (nc -l closed its listener once it accepted).
    assert.equal(lines.filter((l) => l.startsWith('\t')).length, 4, out);
  });
}
