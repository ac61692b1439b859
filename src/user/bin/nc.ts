// nc: netcat. Connects to HOST PORT (or with -l listens on PORT and takes one
// connection) and copies stdin to the socket and the socket to stdout, with poll
// over both. TCP by default: nc exits when the peer's side ends; with -N end of stdin
// also shuts the sending side down (the peer reads end of file), as OpenBSD's nc. With -u it speaks UDP: each
// read of stdin is one datagram; a listener answers whoever sent the first datagram.
// -w SECS ends nc after SECS seconds without traffic.
import * as libc from '../libc/index.js';
import { AF, SOCK, SHUT, POLL, SO, SOL_SOCKET, inet, SysError, Errno } from '../libc/index.js';
import { run, UsageError } from '../util/io.js';
import { parseArgs, parseCount } from '../util/args.js';
import { resolveHost } from '../util/hosts.js';

function port(text: string | undefined): number {
  if (text === undefined) throw new UsageError('missing PORT');
  const n = parseCount(text, 'port');
  if (n < 1 || n > 65535) throw new UsageError(`invalid port: '${text}'`);
  return n;
}

export function main(argv: string[]): number {
  return run('nc', () => {
    const args = parseArgs(argv.slice(1), { flags: 'luvN', options: 'w' });
    const udp = args.flags.has('u'), listen = args.flags.has('l'), verbose = args.flags.has('v'), shutdownAtEof = args.flags.has('N');
    const idleMs = args.options.has('w') ? parseCount(args.options.get('w')!, 'timeout') * 1000 : -1;
    const ops = args.operands;
    const fd = libc.socket(AF.INET, udp ? SOCK.DGRAM : SOCK.STREAM);
    let conn = fd;
    if (listen) {
      // nc -l PORT, or nc -l HOST PORT.
      const [host, p] = ops.length >= 2 ? [resolveHost(ops[0]!), port(ops[1])] : ['0.0.0.0', port(ops[0])];
      libc.setsockopt(fd, SOL_SOCKET, SO.REUSEADDR, 1);
      libc.bind(fd, inet(host, p));
      if (!udp) {
        libc.listen(fd, 1);
        if (!waitFor(fd, idleMs)) return 1;
        const c = libc.accept(fd);
        conn = c.fd;
        libc.close(fd);
        if (verbose) libc.eprint(`Connection from ${c.peer.addr} ${c.peer.port}\n`);
      }
    } else {
      if (ops.length < 2) throw new UsageError('missing HOST or PORT');
      libc.connect(fd, inet(resolveHost(ops[0]!), port(ops[1])));
      if (verbose) libc.eprint(`Connection to ${ops[0]} ${ops[1]} port succeeded!\n`);
    }
    return pump(conn, udp, listen && udp, idleMs, shutdownAtEof);
  });
}

function waitFor(fd: number, idleMs: number): boolean {
  const fds = [{ fd, events: POLL.IN, revents: 0 }];
  return libc.poll(fds, idleMs) > 0;
}

// Copies stdin -> socket and socket -> stdout until the socket's stream ends (TCP),
// or stdin ends (UDP client), or nothing moved for idleMs.
function pump(sock: number, udp: boolean, udpListener: boolean, idleMs: number, shutdownAtEof: boolean): number {
  let stdinOpen = true;
  let peerKnown = !udpListener;
  for (;;) {
    const fds = [{ fd: sock, events: POLL.IN, revents: 0 }];
    if (stdinOpen && peerKnown) fds.push({ fd: 0, events: POLL.IN, revents: 0 });
    if (libc.poll(fds, idleMs) === 0) return 0;
    if ((fds[0]!.revents & (POLL.IN | POLL.HUP | POLL.ERR)) !== 0) {
      if (udpListener && !peerKnown) {
        const d = libc.recvfrom(sock, 65536);
        libc.connect(sock, d.from);
        peerKnown = true;
        libc.write(1, d.data);
      } else {
        const data = libc.recv(sock, 65536);
        if (data.length === 0 && !udp) return 0;
        libc.write(1, data);
      }
    }
    const input = fds[1];
    if (input !== undefined && (input.revents & (POLL.IN | POLL.HUP)) !== 0) {
      const data = libc.read(0, 65536);
      if (data.length === 0) {
        stdinOpen = false;
        if (!udp) { if (shutdownAtEof) shutdownQuietly(sock); } else if (!udpListener) return 0;
      } else if (udp) {
        libc.send(sock, data);
      } else {
        for (let done = 0; done < data.length;) done += libc.send(sock, data.subarray(done));
      }
    }
  }
}

function shutdownQuietly(sock: number): void {
  try { libc.shutdown(sock, SHUT.WR); } catch (e) { if (!(e instanceof SysError && e.errno === Errno.ENOTCONN)) throw e; }
}
