// --net user judged by real peers on the host's loopback: the guest's wget downloads
// 10 MB from python3's http.server through the gateway 10.0.2.2, and the host's curl
// downloads it back from the guest's httpd through --forward; sha256 must match the
// host file both times, on every preset. UDP both ways with Node's sockets, and what
// the guest cannot reach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import http from 'node:http';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { PRESETS } from './harness.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const freePort = async (): Promise<number> => {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
};

interface Machine { proc: ChildProcess; out: () => string; err: () => string; status: Promise<number> }

function start(args: string[], line: string): Machine {
  const proc = spawn(process.execPath, [bin, 'run', ...args, '--', line], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [], err: Buffer[] = [];
  proc.stdout!.on('data', (d: Buffer) => out.push(d));
  proc.stderr!.on('data', (d: Buffer) => err.push(d));
  const status = new Promise<number>((r) => proc.on('exit', (code) => r(code ?? 128)));
  return { proc, out: () => Buffer.concat(out).toString(), err: () => Buffer.concat(err).toString(), status };
}

async function waitFor(m: Machine, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  for (let t = 0; t < ms; t += 100) {
    const hit = pattern.exec(m.out());
    if (hit !== null) return hit;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${pattern} within ${ms} ms\nstdout:\n${m.out()}\nstderr:\n${m.err()}`);
}

async function stop(m: Machine): Promise<number> {
  m.proc.stdin!.end();
  const t = setTimeout(() => m.proc.kill('SIGKILL'), 30_000);
  const s = await m.status;
  clearTimeout(t);
  return s;
}

for (const preset of PRESETS) {
  test(`--net user (${preset}): the guest's wget fetches 10 MB from python3 http.server on the host; the host's curl fetches it back through --forward`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kk-user-'));
    const body = randomBytes(10 * 1024 * 1024);
    writeFileSync(path.join(dir, 'big.bin'), body);
    const httpPort = await freePort(), forwardPort = await freePort();
    const python = spawn('python3', ['-m', 'http.server', String(httpPort), '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' });
    const m = start(['--preset', preset, '--net', 'user', '--forward', `${forwardPort}:8080`],
      `mkdir /srv; until wget -q -T 20 -O /srv/w.bin http://10.0.2.2:${httpPort}/big.bin; do sleep 0.2; done; echo wget=done; sha256sum /srv/w.bin; httpd -q -p 8080 /srv & for i in $(seq 1 200); do ss -lt | grep -q :8080 && break; sleep 0.1; done; echo httpd=up; cat > /dev/null; kill %1`);
    try {
      const hit = await waitFor(m, /^([0-9a-f]{64})  \/srv\/w\.bin$/m, 240_000);
      assert.equal(hit[1], sha(body), 'the guest got every byte');
      // curl only once httpd listens (on a loaded host its start can take seconds).
      await waitFor(m, /^httpd=up$/m, 60_000);
      let fetched = '';
      for (let i = 0; i < 50; i++) {
        const file = path.join(dir, 'back.bin');
        try {
          execFileSync('curl', ['-sf', '-o', file, `http://127.0.0.1:${forwardPort}/w.bin`], { timeout: 120_000 });
          fetched = sha(readFileSync(file));
          break;
        } catch { await new Promise((r) => setTimeout(r, 200)); }
      }
      assert.equal(fetched, sha(body), `curl got every byte back from the guest\nguest stderr:\n${m.err()}`);
    } finally {
      assert.equal(await stop(m), 0, m.err());
      python.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const preset of PRESETS) {
  test(`--net user (${preset}): 10.0.2.3 answers DNS for the host's names — nslookup, and wget by name to a host server; an unknown name fails; tshark reads the queries and answers`, async () => {
    // The host's name is always in 10.0.2.3's table (as the gateway); the guest's /etc/hosts does not have it.
    const name = hostname();
    assert.ok(/^[a-zA-Z0-9][a-zA-Z0-9.-]*$/.test(name) && !['localhost', 'gateway', 'host'].includes(name), `a host name a test can look up: ${name}`);
    const server = http.createServer((_req, res) => { res.end('served by name\n'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    const dir = mkdtempSync(path.join(tmpdir(), 'kk-dns-'));
    const pcap = path.join(dir, 'dns.pcap');
    const m = start(['--preset', preset, '--net', 'user', '--pcap', pcap],
      `nslookup ${name}; echo ns=$?; nslookup nosuch.invalid; echo nx=$?; wget -q -O - http://${name}:${port}/; echo wget=$?; wget -q -O - http://nosuch.invalid:${port}/; echo bad=$?`);
    try {
      m.proc.stdin!.end();
      assert.equal(await m.status, 0, m.err());
      const out = m.out();
      assert.match(out, new RegExp(`^Server:\\t\\t10\\.0\\.2\\.3\\nAddress:\\t10\\.0\\.2\\.3#53\\n\\nName:\\t${name.replace(/\./g, '\\.')}\\nAddress: 10\\.0\\.2\\.2\\nns=0$`, 'm'));
      assert.match(out, /^\*\* server can't find nosuch\.invalid: NXDOMAIN\nnx=1$/m);
      assert.match(out, /^served by name\nwget=0$/m);
      assert.match(out, /^bad=4$/m);
      assert.match(m.err(), /nosuch\.invalid: unknown host/);
      // tshark's own DNS dissector: every query answered with the same id, the right rcode and address, nothing malformed.
      const rows = execFileSync('tshark', ['-r', pcap, '-Y', 'dns', '-T', 'fields', '-E', 'separator=|', '-e', 'dns.id', '-e', 'dns.flags.response', '-e', 'dns.qry.name', '-e', 'dns.flags.rcode', '-e', 'dns.a', '-e', '_ws.malformed', '-e', 'ip.src'], { encoding: 'utf8' })
        .trim().split('\n').map((l) => l.split('|'));
      const queries = rows.filter((r) => r[1] === '0' || r[1] === 'False'), answers = rows.filter((r) => r[1] === '1' || r[1] === 'True');
      assert.equal(queries.length, 4, `two lookups of each name:\n${rows.join('\n')}`);
      assert.equal(answers.length, 4);
      for (const q of queries) {
        const a = answers.find((r) => r[0] === q[0] && r[2] === q[2]);
        assert.ok(a !== undefined, `query ${q.join('|')} answered`);
        assert.equal(a[6], '10.0.2.3');
        if (q[2] === name) assert.deepEqual([a[3], a[4]], ['0', '10.0.2.2']);
        else assert.deepEqual([a[3], a[4]], ['3', '']);
      }
      assert.ok(rows.every((r) => r[5] === ''), 'no malformed packet');
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('--net user: UDP to 10.0.2.2 reaches 127.0.0.1 and is answered; other addresses (10.0.2.3, 192.168.7.1) reach nothing on the host', async () => {
  const server = dgram.createSocket('udp4');
  await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
  const got: string[] = [];
  server.on('message', (msg, rinfo) => { got.push(msg.toString()); server.send(Buffer.from(`echo:${msg.toString()}`), rinfo.port, rinfo.address); });
  const port = server.address().port;
  const m = start(['--preset', 'microkernel', '--net', 'user'],
    `echo far | nc -u -w 1 192.168.7.1 ${port}; echo dns | nc -u -w 1 10.0.2.3 ${port}; (echo near; sleep 2) | nc -u -w 1 10.0.2.2 ${port}; echo finished`);
  try {
    await waitFor(m, /^finished$/m, 120_000);
    assert.match(m.out(), /^echo:near$/m, 'the answer came back to the guest');
    assert.deepEqual(got, ['near\n'], 'only the datagram for the gateway reached the host');
  } finally {
    assert.equal(await stop(m), 0, m.err());
    server.close();
  }
});

test('--forward: a port already taken on the host is reported; --forward without --net user is refused', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const taken = (blocker.address() as net.AddressInfo).port;
  try {
    const m = start(['--net', 'user', '--forward', `${taken}:80`], 'true');
    assert.equal(await stop(m), 0);
    assert.match(m.err(), /error: --forward: .*EADDRINUSE/);
    const bad = start(['--net', 'switch:x', '--forward', '8080:80'], 'true');
    assert.equal(await stop(bad), 2);
    assert.match(bad.err(), /--forward needs --net user/);
  } finally { blocker.close(); }
});

test('--net user on microkernel: a nic driver that hangs, then one that crashes, mid-download: TCP carries both transfers across the restarts, every byte intact', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kk-user-'));
  const body = randomBytes(2 * 1024 * 1024);
  writeFileSync(path.join(dir, 'f.bin'), body);
  const httpPort = await freePort();
  const python = spawn('python3', ['-m', 'http.server', String(httpPort), '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' });
  const url = `http://10.0.2.2:${httpPort}/f.bin`;
  // The first wget waits for python to listen; each fault fires at the driver's next request, inside the next transfer.
  const m = start(['--preset', 'microkernel', '--net', 'user', '--verbose'],
    `until wget -q -T 20 -O /tmp/0 ${url}; do sleep 0.2; done; fault nic hang; wget -q -T 60 -O /tmp/1 ${url}; echo one=$?; fault nic crash; wget -q -T 60 -O /tmp/2 ${url}; echo two=$?; sha256sum /tmp/1 /tmp/2`);
  try {
    m.proc.stdin!.end();
    assert.equal(await m.status, 0, m.err());
    assert.match(m.out(), /^one=0$/m);
    assert.match(m.out(), /^two=0$/m);
    for (const f of ['/tmp/1', '/tmp/2']) assert.match(m.out(), new RegExp(`^${sha(body)}  ${f}$`, 'm'), `${f} intact`);
    assert.match(m.err(), /nic: hung \(no heartbeat\); restarting \(restart 1\)/);
    assert.match(m.err(), /nic: InjectedCrash: injected crash in nic; restarting \(restart 2\)/);
  } finally {
    python.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--net user with impairments (5% loss, 1% corruption, 2% reordering, 5 ms delay, seeded): a 1 MB download still arrives intact', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kk-user-'));
  const body = randomBytes(1024 * 1024);
  writeFileSync(path.join(dir, 'f.bin'), body);
  const httpPort = await freePort();
  const python = spawn('python3', ['-m', 'http.server', String(httpPort), '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' });
  const m = start(['--preset', 'monolithic', '--net', 'user', '--net-loss', '0.05', '--net-corrupt', '0.01', '--net-reorder', '0.02', '--net-delay', '5', '--net-seed', '7', '--verbose'],
    `until wget -q -T 60 -O /tmp/f http://10.0.2.2:${httpPort}/f.bin; do sleep 0.2; done; sha256sum /tmp/f`);
  try {
    m.proc.stdin!.end();
    assert.equal(await m.status, 0, m.err());
    assert.match(m.out(), new RegExp(`^${sha(body)}  /tmp/f$`, 'm'));
  } finally {
    python.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
