// The network half of kbench's fault workload ("kbench faults SEED FIRST SCHEDULE net
// TCPPORT UDPPORT CHUNK", bin/kbench.ts runs the schedule): one operation moves data over
// every path a socket can take, each checked byte for byte, so a fault in the `nic`
// driver or the `net` server shows up as what a program would see.
//
//   nic TCP   a connection through eth0 to the gateway 10.0.2.2:TCPPORT (the campaign's
//             host echo server behind --net user): CHUNK bytes sent, the echo
//             read back and compared. The connection lives across operations (and faults):
//             its first 8 bytes name it ("KBNF" and a 32-bit id), so the host can check
//             every echoed chunk it received against the seed afterwards.
//   nic UDP   a 512-byte datagram to 10.0.2.2:UDPPORT, the echo compared (up to 3 tries:
//             a datagram may be lost, that is UDP).
//   lo TCP    a connection on 127.0.0.1 between two sockets of this process: 1 KiB each
//             way, compared.
//   lo UDP    a datagram to this process's own socket on 127.0.0.1, compared.
//
// Every socket is non-blocking and every wait is a poll with a deadline, so a path that
// stops carrying data fails the operation instead of hanging the workload.
//
// Lines on stdout (besides kbench's F/O/R/DONE):
//   A i CONN OFFSET  op i's chunk was echoed and verified: bytes OFFSET.. of connection
//                    CONN (the host checks them against payload(SEED, i))
//   T k N            just before fault k is armed, N connections are established
//   L i WHERE CODE   an established connection broke (an error, or no data before the
//                    deadline): what a program sees as a connection lost; made again
//   E i WHERE CODE   a request failed (a connect, a datagram with no answer)
//   C i WHERE        data came back different from what was sent

import * as libc from '../libc/index.js';
import { AF, SOCK, SOL_SOCKET, SO, POLL, inet } from '../libc/index.js';

/** How long one wait for a TCP connection may last (ms): longer than a hung driver's restart plus a few backed-off retransmissions. */
const TCP_WAIT_MS = 15000;
/** How long one wait for a datagram's echo lasts (ms), and tries. */
const UDP_WAIT_MS = 1000;
const UDP_TRIES = 3;
const GATEWAY = '10.0.2.2';
const LOOPBACK = '127.0.0.1';

class Timeout extends Error { readonly code = 'ETIMEDOUT'; }

const codeOf = (e: unknown): string => (e instanceof libc.SysError ? e.code : e instanceof Timeout ? e.code : 'exception');

function waitFor(fd: number, events: number, ms: number): void {
  const deadline = performance.now() + ms;
  for (;;) {
    const left = Math.ceil(deadline - performance.now());
    if (left <= 0) throw new Timeout('no progress before the deadline');
    const fds = [{ fd, events, revents: 0 }];
    if (libc.poll(fds, left) > 0) return;
  }
}

const again = (e: unknown): boolean => e instanceof libc.SysError && e.errno === libc.Errno.EAGAIN;

function sendAll(fd: number, data: Uint8Array, ms: number): void {
  for (let at = 0; at < data.length;) {
    try { at += libc.send(fd, data.subarray(at), libc.MSG.NOSIGNAL); } catch (e) {
      if (!again(e)) throw e;
      waitFor(fd, POLL.OUT, ms);
    }
  }
}

function recvExactly(fd: number, n: number, ms: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n;) {
    let got: Uint8Array;
    try { got = libc.recv(fd, n - at); } catch (e) {
      if (!again(e)) throw e;
      waitFor(fd, POLL.IN, ms);
      continue;
    }
    if (got.length === 0) throw new libc.SysError(libc.Errno.ECONNRESET, 'recv', 'end of stream');
    out.set(got, at);
    at += got.length;
  }
  return out;
}

function connectTo(addr: string, port: number, ms: number): number {
  const fd = libc.socket(AF.INET, SOCK.STREAM | SOCK.NONBLOCK);
  try {
    try { libc.connect(fd, inet(addr, port)); } catch (e) {
      if (!(e instanceof libc.SysError && e.errno === libc.Errno.EINPROGRESS)) throw e;
      waitFor(fd, POLL.OUT, ms);
      const err = libc.getsockopt(fd, SOL_SOCKET, SO.ERROR);
      if (err !== 0) throw new libc.SysError(err, 'connect', `${addr}:${port}`);
    }
    return fd;
  } catch (e) { quietClose(fd); throw e; }
}

function quietClose(fd: number | undefined): void {
  if (fd === undefined) return;
  try { libc.close(fd); } catch { /* a socket of a restarted net: gone already */ }
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

export interface NetWorkload {
  /** One operation over every path; true when everything came back intact. */
  op(i: number): boolean;
  /** Connections established now (said when a fault is armed). */
  established(): number;
  /** Closes everything. */
  end(): void;
}

/**
 * The workload. `payload(i, bytes)` gives op i's data; `say` prints a line; `fail`
 * reports a failed request ("E") and returns undefined.
 */
export function netWorkload(tcpPort: number, udpPort: number, chunk: number, payload: (i: number, bytes: number) => Uint8Array, say: (line: string) => void): NetWorkload {
  // The connection through the NIC: its descriptor, its id (the op that opened it) and
  // how many echoed bytes it has carried; `up` once one chunk came back.
  let nic: { fd: number; id: number; offset: number; up: boolean } | undefined;
  // The loopback pair and its listener.
  let lo: { listener: number; a: number; b: number; up: boolean } | undefined;
  let nicUdp: number | undefined, loUdp: number | undefined;

  const dropNic = (i: number, where: string, e: unknown): void => {
    if (nic?.up === true) say(`L ${i} ${where} ${codeOf(e)}`); else say(`E ${i} ${where} ${codeOf(e)}`);
    quietClose(nic?.fd);
    nic = undefined;
  };
  const dropLo = (i: number, e: unknown): void => {
    if (lo?.up === true) say(`L ${i} lo-tcp ${codeOf(e)}`); else say(`E ${i} lo-tcp ${codeOf(e)}`);
    if (lo !== undefined) { quietClose(lo.a); quietClose(lo.b); quietClose(lo.listener); }
    lo = undefined;
  };

  const nicTcp = (i: number): boolean => {
    try {
      if (nic === undefined) {
        const fd = connectTo(GATEWAY, tcpPort, TCP_WAIT_MS);
        nic = { fd, id: i, offset: 0, up: false };
        const head = new Uint8Array(8);
        head.set([0x4b, 0x42, 0x4e, 0x46]); // "KBNF"
        new DataView(head.buffer).setUint32(4, i >>> 0);
        sendAll(fd, head, TCP_WAIT_MS);
      }
      const data = payload(i, chunk);
      sendAll(nic.fd, data, TCP_WAIT_MS);
      const back = recvExactly(nic.fd, chunk, TCP_WAIT_MS);
      if (!same(back, data)) {
        // The stream is out of step from here on: say so and start a new connection.
        say(`C ${i} nic-tcp`);
        quietClose(nic.fd);
        nic = undefined;
        return false;
      }
      say(`A ${i} ${nic.id} ${nic.offset}`);
      nic.offset += chunk;
      nic.up = true;
      return true;
    } catch (e) { dropNic(i, 'nic-tcp', e); return false; }
  };

  const loTcp = (i: number): boolean => {
    try {
      if (lo === undefined) {
        const listener = libc.socket(AF.INET, SOCK.STREAM | SOCK.NONBLOCK);
        lo = { listener, a: -1, b: -1, up: false };
        libc.bind(listener, inet(LOOPBACK, 0));
        libc.listen(listener, 4);
        lo.a = connectTo(LOOPBACK, libc.getsockname(listener).port, TCP_WAIT_MS);
        waitFor(listener, POLL.IN, TCP_WAIT_MS);
        lo.b = libc.accept(listener, SOCK.NONBLOCK).fd;
      }
      const data = payload(i, 1024);
      sendAll(lo.a, data, TCP_WAIT_MS);
      const there = recvExactly(lo.b, data.length, TCP_WAIT_MS);
      sendAll(lo.b, there, TCP_WAIT_MS);
      const back = recvExactly(lo.a, data.length, TCP_WAIT_MS);
      if (!same(there, data) || !same(back, data)) {
        say(`C ${i} lo-tcp`);
        quietClose(lo.a); quietClose(lo.b); quietClose(lo.listener);
        lo = undefined;
        return false;
      }
      lo.up = true;
      return true;
    } catch (e) { dropLo(i, e); return false; }
  };

  // A datagram and its echo; `to` is the echo's address (our own socket on loopback).
  // Its first 4 bytes are the op's number: an echo of an earlier op's try that comes
  // late is recognised and skipped, not taken for corruption.
  const datagram = (i: number, where: string, fd: number, to: { addr: string; port: number }, bytes: number): boolean => {
    const data = payload(i, bytes);
    new DataView(data.buffer, data.byteOffset).setUint32(0, i >>> 0);
    for (let t = 0; t < UDP_TRIES; t++) {
      libc.sendto(fd, data, inet(to.addr, to.port));
      const deadline = performance.now() + UDP_WAIT_MS;
      while (performance.now() < deadline) {
        try { waitFor(fd, POLL.IN, deadline - performance.now()); } catch (e) { if (e instanceof Timeout) break; throw e; }
        let got: Uint8Array;
        try { got = libc.recv(fd, 65536); } catch (e) { if (again(e)) continue; throw e; }
        if (got.length < 4 || new DataView(got.buffer, got.byteOffset).getUint32(0) !== (i >>> 0)) continue;
        if (same(got, data)) return true;
        say(`C ${i} ${where}`);
        return false;
      }
    }
    say(`E ${i} ${where} ETIMEDOUT`);
    return false;
  };

  const udp = (i: number): boolean => {
    let ok = true;
    try {
      nicUdp ??= libc.socket(AF.INET, SOCK.DGRAM | SOCK.NONBLOCK);
      if (!datagram(i, 'nic-udp', nicUdp, { addr: GATEWAY, port: udpPort }, 512)) ok = false;
    } catch (e) { say(`E ${i} nic-udp ${codeOf(e)}`); quietClose(nicUdp); nicUdp = undefined; ok = false; }
    try {
      if (loUdp === undefined) { loUdp = libc.socket(AF.INET, SOCK.DGRAM | SOCK.NONBLOCK); libc.bind(loUdp, inet(LOOPBACK, 0)); }
      if (!datagram(i, 'lo-udp', loUdp, { addr: LOOPBACK, port: libc.getsockname(loUdp).port }, 512)) ok = false;
    } catch (e) { say(`E ${i} lo-udp ${codeOf(e)}`); quietClose(loUdp); loUdp = undefined; ok = false; }
    return ok;
  };

  return {
    op(i: number): boolean {
      const a = nicTcp(i), b = loTcp(i), c = udp(i);
      return a && b && c;
    },
    established: () => (nic?.up === true ? 1 : 0) + (lo?.up === true ? 1 : 0),
    end(): void {
      quietClose(nic?.fd);
      if (lo !== undefined) { quietClose(lo.a); quietClose(lo.b); quietClose(lo.listener); }
      quietClose(nicUdp); quietClose(loUdp);
    },
  };
}
