// ss: the socket table (iproute2's ss): one line per socket with its state, queues
// and addresses. Without -l it shows connected sockets, with -l listening ones, with
// -a both; -t, -u, -x, -0 keep TCP, UDP, Unix or packet (capture) sockets. -i adds a
// line of TCP's internals under each connection through the stack (Linux's tcp_info:
// SACK, the congestion controller, window scales, RTO and RTT in ms, MSS, cwnd and
// ssthresh in segments, bytes and segments each way, retransmissions), -m its buffers
// (skmem: queued and allocated bytes each way; autotuning grows them).
import { sockets, AF, SOCK, type SocketInfo } from '../libc/index.js';
import type { TcpInfo } from '../../abi/net.js';
import { run, stdout } from '../util/io.js';
import { parseArgs } from '../util/args.js';

const netid = (s: SocketInfo): string => s.family === AF.UNIX ? 'u_str' : s.family === AF.PACKET ? 'p_raw' : s.type === SOCK.STREAM ? 'tcp' : 'udp';

export function main(argv: string[]): number {
  return run('ss', () => {
    const args = parseArgs(argv.slice(1), { flags: 'atuxlnp0im', long: { all: 'a', tcp: 't', udp: 'u', unix: 'x', packet: '0', listening: 'l', numeric: 'n', info: 'i', memory: 'm' } });
    const kinds = ['t', 'u', 'x', '0'].filter((f) => args.flags.has(f));
    const wanted = (s: SocketInfo): boolean => {
      const kind = s.family === AF.UNIX ? 'x' : s.family === AF.PACKET ? '0' : s.type === SOCK.STREAM ? 't' : 'u';
      if (kinds.length > 0 && !kinds.includes(kind)) return false;
      const listening = s.state === 'LISTEN' || s.state === 'UNCONN';
      if (args.flags.has('a')) return true;
      return args.flags.has('l') ? listening : !listening && s.state !== 'CLOSED' && s.state !== 'BOUND';
    };
    const shown = sockets().filter(wanted);
    const rows = shown.map((s) => [netid(s), s.state, String(s.recvQueue), String(s.sendQueue), s.local || '*', s.remote || '*']);
    const head = ['Netid', 'State', 'Recv-Q', 'Send-Q', 'Local Address:Port', 'Peer Address:Port'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]): string => r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i]!)).join(' ') + '\n';
    stdout.write(line(head));
    shown.forEach((s, k) => {
      stdout.write(line(rows[k]!));
      const t = s.tcp;
      if (t === undefined) return;
      if (args.flags.has('m')) stdout.write(`\t skmem:(r${s.recvQueue},rb${t.rcvBuffer},t${s.sendQueue},tb${t.sndBuffer})\n`);
      if (args.flags.has('i')) stdout.write(`\t ${tcpInfo(t)}\n`);
    });
    return 0;
  });
}

/** One line of tcp_info in ss's words. */
function tcpInfo(t: TcpInfo): string {
  const ms = (x: number): string => String(Math.round(x * 1000) / 1000);
  return [
    ...(t.sack ? ['sack'] : []), 'newreno', `wscale:${t.sndWscale},${t.rcvWscale}`, `rto:${Math.round(t.rto)}`, `rtt:${ms(t.rtt)}/${ms(t.rttvar)}`,
    `mss:${t.mss}`, `cwnd:${t.cwnd}`, ...(t.ssthresh > 0 ? [`ssthresh:${t.ssthresh}`] : []),
    `bytes_sent:${t.bytesSent}`, `bytes_acked:${t.bytesAcked}`, `bytes_received:${t.bytesReceived}`, `segs_out:${t.segmentsSent}`, `segs_in:${t.segmentsReceived}`,
    `retrans:${t.retransmits}`, `fast_retrans:${t.fastRetransmits}`, `timeouts:${t.timeouts}`, ...(t.recovery ? ['recovery'] : []),
  ].join(' ');
}
