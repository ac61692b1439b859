// ping: sends ICMP echo requests to HOST through a ping socket (SOCK_DGRAM with
// IPPROTO_ICMP, as Linux's unprivileged ping) and prints each reply with its round
// trip, then a summary. Exits 0 when any reply came back, 1 when none did.
import * as libc from '../libc/index.js';
import { AF, SOCK, IPPROTO, POLL, CLOCK, inet } from '../libc/index.js';
import { run, stdout, UsageError } from '../util/io.js';
import { parseArgs, parseCount } from '../util/args.js';
import { resolveHost } from '../util/hosts.js';

export function main(argv: string[]): number {
  return run('ping', () => {
    const args = parseArgs(argv.slice(1), { flags: 'q', options: 'ciWs' });
    if (args.operands.length !== 1) throw new UsageError('one HOST');
    const count = args.options.has('c') ? parseCount(args.options.get('c')!, 'count') : Infinity;
    const intervalMs = seconds(args.options.get('i') ?? '1', 'interval');
    const waitMs = seconds(args.options.get('W') ?? '1', 'timeout');
    const size = args.options.has('s') ? parseCount(args.options.get('s')!, 'size') : 56;
    if (size > 65499) throw new UsageError(`packet size too large: ${size}`);
    const quiet = args.flags.has('q');
    const host = args.operands[0]!;
    const addr = resolveHost(host);
    const fd = libc.socket(AF.INET, SOCK.DGRAM, IPPROTO.ICMP);
    stdout.write(`PING ${host} (${addr}) ${size}(${size + 28}) bytes of data.\n`);
    let sent = 0, received = 0;
    const rtts: number[] = [];
    for (let seq = 1; seq <= count; seq++) {
      const request = new Uint8Array(8 + size);
      request[0] = 8; // echo request; the id and checksum are the kernel's
      request[6] = (seq >> 8) & 0xff; request[7] = seq & 0xff;
      for (let i = 8; i < request.length; i++) request[i] = i & 0xff;
      const start = nowMs();
      libc.sendto(fd, request, inet(addr, 0));
      sent++;
      // Wait for this sequence's reply (older ones that come late are counted, not printed twice).
      const deadline = start + waitMs;
      for (;;) {
        const left = deadline - nowMs();
        if (left <= 0) break;
        const fds = [{ fd, events: POLL.IN, revents: 0 }];
        if (libc.poll(fds, Math.ceil(left)) === 0) break;
        const { data, from } = libc.recvfrom(fd, 65536);
        if (data.length < 8 || data[0] !== 0) continue;
        const replySeq = (data[6]! << 8) | data[7]!;
        const rtt = nowMs() - start;
        received++;
        if (replySeq !== (seq & 0xffff)) continue;
        rtts.push(rtt);
        if (!quiet) stdout.write(`${data.length} bytes from ${from.addr}: icmp_seq=${seq} time=${rtt.toFixed(3)} ms\n`);
        break;
      }
      if (seq < count) libc.sleepMs(Math.max(0, intervalMs - (nowMs() - start)));
    }
    libc.close(fd);
    const loss = sent === 0 ? 0 : Math.round((100 * (sent - received)) / sent);
    stdout.write(`\n--- ${host} ping statistics ---\n${sent} packets transmitted, ${received} received, ${loss}% packet loss\n`);
    if (rtts.length > 0) {
      const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
      stdout.write(`rtt min/avg/max = ${Math.min(...rtts).toFixed(3)}/${avg.toFixed(3)}/${Math.max(...rtts).toFixed(3)} ms\n`);
    }
    return received > 0 ? 0 : 1;
  });
}

const nowMs = (): number => libc.clockGettime(CLOCK.MONOTONIC) / 1e6;

function seconds(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 3600) throw new UsageError(`invalid ${what}: '${text}'`);
  return n * 1000;
}
