// DNS: the message format shared by the guest's resolver and the server of --net user
// at 10.0.2.3 (lib/dns.ts), the server's answers (hosts/node/net/dns.ts), and the
// server on the cable, asked by a guest made of our own stack. tshark judges the
// bytes in test/system/user-net.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DNS_CLASS_IN, DNS_RCODE, DNS_TYPE, buildMessage, buildQuery, parseMessage, readName } from '../../src/lib/dns.js';
import { answerQuery, hostsTable } from '../../src/hosts/node/net/dns.js';
import { openUserNet } from '../../src/hosts/node/net/user.js';
import { Stack } from '../../src/services/net/stack/stack.js';
import type { Clock } from '../../src/services/net/link.js';
import { parseAddress } from '../../src/services/net/stack/address.js';

const HOSTS = '127.0.0.1\tlocalhost\n127.0.1.1\tbuildhost.example buildhost\n# a comment\n192.0.2.7  www.example.test  WWW2.example.test # trailing\n192.0.2.8 www.example.test\n::1 ip6-localhost\nbad line\n';
const table = hostsTable(HOSTS, 'MyHost', '10.0.2.2');

test('hostsTable: names from /etc/hosts, loopback answered as the gateway, localhost left to the guest, the host name added', () => {
  assert.deepEqual(Object.fromEntries(table), {
    'buildhost.example': ['10.0.2.2'], buildhost: ['10.0.2.2'],
    'www.example.test': ['192.0.2.7', '192.0.2.8'], 'www2.example.test': ['192.0.2.7'],
    myhost: ['10.0.2.2'],
  });
});

test('answerQuery: A records for a known name (any case), no data for other types, NXDOMAIN, and the refusals', () => {
  const ask = (name: string, type: number = DNS_TYPE.A, id = 0x1234) => parseMessage(answerQuery(buildQuery(id, name, type), table)!)!;
  const a = ask('WWW.Example.Test');
  assert.equal(a.id, 0x1234);
  assert.ok(a.response && a.aa && a.rd && !a.ra);
  assert.equal(a.rcode, DNS_RCODE.NOERROR);
  assert.deepEqual(a.questions, [{ name: 'WWW.Example.Test', type: DNS_TYPE.A, klass: DNS_CLASS_IN }]);
  assert.deepEqual(a.answers.map((r) => [r.name, r.type, r.ttl, Array.from(r.data).join('.')]), [['WWW.Example.Test', 1, 60, '192.0.2.7'], ['WWW.Example.Test', 1, 60, '192.0.2.8']]);
  const aaaa = ask('myhost', DNS_TYPE.AAAA);
  assert.equal(aaaa.rcode, DNS_RCODE.NOERROR);
  assert.equal(aaaa.answers.length, 0);
  assert.equal(ask('localhost').rcode, DNS_RCODE.NXDOMAIN);
  assert.equal(ask('nosuch.example').rcode, DNS_RCODE.NXDOMAIN);
  // Another opcode, two questions, another class, a truncated question.
  const q = buildQuery(7, 'myhost');
  const inverse = q.slice(); inverse[2] = (inverse[2]! & 0x87) | (1 << 3);
  assert.equal(parseMessage(answerQuery(inverse, table)!)!.rcode, DNS_RCODE.NOTIMP);
  const two = buildMessage({ ...parseMessage(q)!, questions: [{ name: 'a', type: 1, klass: 1 }, { name: 'b', type: 1, klass: 1 }] });
  assert.equal(parseMessage(answerQuery(two, table)!)!.rcode, DNS_RCODE.FORMERR);
  const chaos = buildMessage({ ...parseMessage(q)!, questions: [{ name: 'myhost', type: 1, klass: 3 }] });
  assert.equal(parseMessage(answerQuery(chaos, table)!)!.rcode, DNS_RCODE.REFUSED);
  const cut = answerQuery(q.subarray(0, q.length - 3), table)!;
  assert.equal(parseMessage(cut)!.rcode, DNS_RCODE.FORMERR);
  assert.equal(parseMessage(cut)!.id, 7, 'the id is answered even when the question is not readable');
  // Responses and scraps get no answer at all.
  assert.equal(answerQuery(buildMessage({ ...parseMessage(q)!, response: true }), table), undefined);
  assert.equal(answerQuery(Uint8Array.of(1, 2, 3), table), undefined);
});

test('readName: compression pointers are followed, loops and pointers past the end are refused', () => {
  // "a.b" at 12, then a name "c" + pointer to 12.
  const m = Uint8Array.from([...new Uint8Array(12), 1, 97, 1, 98, 0, 1, 99, 0xc0, 12]);
  assert.deepEqual(readName(m, 12), { name: 'a.b', next: 17 });
  assert.deepEqual(readName(m, 17), { name: 'c.a.b', next: 21 });
  assert.equal(readName(Uint8Array.from([...new Uint8Array(12), 0xc0, 12]), 12), undefined, 'a pointer to itself');
  assert.equal(readName(Uint8Array.from([...new Uint8Array(12), 0xc0, 200]), 12), undefined, 'a pointer past the end');
  assert.equal(readName(Uint8Array.from([...new Uint8Array(12), 5, 97]), 12), undefined, 'a label past the end');
  assert.equal(readName(Uint8Array.from([...new Uint8Array(12), 0x80, 97]), 12), undefined, 'reserved label bits');
  assert.throws(() => buildQuery(1, 'x'.repeat(64)), RangeError);
  assert.throws(() => buildQuery(1, 'a b'), RangeError);
});

test('fuzz: parseMessage and answerQuery never throw on random or mutated messages, and every answer parses', () => {
  const query = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.stringMatching(/^[a-zA-Z0-9-]{1,20}(\.[a-zA-Z0-9-]{1,20}){0,3}$/), fc.constantFrom(1, 5, 28, 255, 16));
  const mutated = fc.tuple(query, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat())
    .map(([[id, name, type], flips, cut]) => {
      const b = buildQuery(id, name, type);
      for (const [at, v] of flips) b[at % b.length] = v;
      return b.subarray(0, b.length - (cut % 4));
    });
  fc.assert(fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 600 })), (b) => {
    parseMessage(b);
    const answer = answerQuery(b, table);
    if (answer !== undefined) {
      const m = parseMessage(answer);
      assert.ok(m !== undefined && m.response, 'an answer is a well-formed response');
      assert.ok(answer.length <= 512);
    }
  }), { numRuns: 3000 });
});

const clock: Clock = {
  now: () => performance.now(),
  setTimer(at, fn) { const h = setTimeout(fn, Math.max(0, at - performance.now())); return () => clearTimeout(h); },
};

test('--net user: 10.0.2.3 answers ARP and DNS queries on the cable (and nothing reaches the host for it)', async () => {
  const user = openUserNet([], () => {}, table);
  const stack = new Stack(clock);
  stack.attach({ mac: Uint8Array.of(0x52, 0x54, 0, 0x12, 0x34, 0x56), mtu: 1500, transmit: (f) => { setImmediate(() => user.send(f)); } },
    { address: parseAddress('10.0.2.15')!, prefix: 24, gateway: parseAddress('10.0.2.2')! });
  user.onFrame((f) => { setImmediate(() => stack.receive(f)); });
  try {
    const got = new Map<number, Uint8Array>();
    stack.udp.ports.set(40000, { receive: (from, fromPort, data) => { if (from === parseAddress('10.0.2.3') && fromPort === 53) got.set(parseMessage(data)!.id, data); } });
    const names = ['www.example.test', 'nosuch.test', 'MYHOST'];
    names.forEach((n, i) => { stack.udp.send(40000, parseAddress('10.0.2.3')!, 53, buildQuery(i + 1, n)); stack.settle(); });
    for (let i = 0; i < 200 && got.size < 3; i++) await new Promise((r) => setTimeout(r, 10));
    const a = names.map((_, i) => parseMessage(got.get(i + 1)!)!);
    assert.deepEqual(a.map((m) => [m.rcode, m.answers.map((r) => Array.from(r.data).join('.'))]), [[0, ['192.0.2.7', '192.0.2.8']], [3, []], [0, ['10.0.2.2']]]);
    assert.equal(user.stats.udpFlows, 0, 'the DNS server opened no host socket');
  } finally { user.close(); }
});
