// ss: the socket table (iproute2's ss): one line per socket with its state, queues
// and addresses. Without -l it shows connected sockets, with -l listening ones, with
// -a both; -t, -u, -x, -0 keep TCP, UDP, Unix or packet (capture) sockets.
import { sockets, AF, SOCK, type SocketInfo } from '../libc/index.js';
import { run, stdout } from '../util/io.js';
import { parseArgs } from '../util/args.js';

const netid = (s: SocketInfo): string => s.family === AF.UNIX ? 'u_str' : s.family === AF.PACKET ? 'p_raw' : s.type === SOCK.STREAM ? 'tcp' : 'udp';

export function main(argv: string[]): number {
  return run('ss', () => {
    const args = parseArgs(argv.slice(1), { flags: 'atuxlnp0', long: { all: 'a', tcp: 't', udp: 'u', unix: 'x', packet: '0', listening: 'l', numeric: 'n' } });
    const kinds = ['t', 'u', 'x', '0'].filter((f) => args.flags.has(f));
    const wanted = (s: SocketInfo): boolean => {
      const kind = s.family === AF.UNIX ? 'x' : s.family === AF.PACKET ? '0' : s.type === SOCK.STREAM ? 't' : 'u';
      if (kinds.length > 0 && !kinds.includes(kind)) return false;
      const listening = s.state === 'LISTEN' || s.state === 'UNCONN';
      if (args.flags.has('a')) return true;
      return args.flags.has('l') ? listening : !listening && s.state !== 'CLOSED' && s.state !== 'BOUND';
    };
    const rows = sockets().filter(wanted).map((s) => [netid(s), s.state, String(s.recvQueue), String(s.sendQueue), s.local || '*', s.remote || '*']);
    const head = ['Netid', 'State', 'Recv-Q', 'Send-Q', 'Local Address:Port', 'Peer Address:Port'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [head, ...rows]) stdout.write(r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i]!)).join(' ') + '\n');
    return 0;
  });
}
