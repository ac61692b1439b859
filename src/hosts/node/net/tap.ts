// --net tap:IFNAME: frames to and from a Linux TAP device, so Linux's own stack is the
// peer. Node cannot make a TAP device (that takes an ioctl, TUNSETIFF), so a `socat`
// child creates it (TUN,tun-type=tap; needs CAP_NET_ADMIN) and relays each frame as
// one UDP datagram between the device and a socket of ours on 127.0.0.1. Both UDP
// ports are on the loopback address, and we take datagrams only from socat's port.
// This runs in `kernelkit run`'s unconfined parent: the confined machine may start no
// child process (cli/confine.ts).

import dgram from 'node:dgram';
import { spawn, type ChildProcess } from 'node:child_process';
import type { FramePort } from './frame-port.js';
import { frameLengthOk } from './frame-port.js';

export function checkInterfaceName(name: string): string | undefined {
  return /^[A-Za-z0-9_.-]{1,15}$/.test(name) ? undefined : `bad TAP interface name '${name}': 1 to 15 of A-Z a-z 0-9 _ . -`;
}

/** A free UDP port on 127.0.0.1 (taken, then let go for socat to bind). */
async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => { s.once('error', reject); s.bind(0, '127.0.0.1', resolve); });
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface TapPort extends FramePort {
  /** Resolves once socat runs and our socket is bound (frames sent earlier are dropped). */
  readonly ready: Promise<void>;
}

export function openTap(ifname: string, log: (line: string) => void = () => {}): TapPort {
  const bad = checkInterfaceName(ifname);
  if (bad !== undefined) throw new Error(bad);
  let handler: (f: Uint8Array) => void = () => {};
  let sock: dgram.Socket | undefined;
  let child: ChildProcess | undefined;
  let socatPort = 0;
  let closed = false;
  const ready = (async () => {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => { s.once('error', reject); s.bind(0, '127.0.0.1', resolve); });
    socatPort = await freePort();
    if (closed) { s.close(); return; }
    s.on('message', (msg, from) => {
      if (from.address !== '127.0.0.1' || from.port !== socatPort || !frameLengthOk(msg.length)) return;
      handler(new Uint8Array(msg.buffer, msg.byteOffset, msg.length).slice());
    });
    sock = s;
    child = spawn('socat', [`TUN,tun-type=tap,tun-name=${ifname},iff-up,iff-no-pi`, `UDP4-DATAGRAM:127.0.0.1:${s.address().port},bind=127.0.0.1:${socatPort}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => log(`tap ${ifname}: socat: ${d.toString().trim()}`));
    child.on('error', (e) => log(`error: tap ${ifname}: cannot start socat: ${e.message}`));
    child.on('exit', (code) => { if (!closed) log(`error: tap ${ifname}: socat exited (${code}); the device is gone`); });
  })();
  return {
    ready,
    send: (f) => { if (sock !== undefined && socatPort !== 0 && frameLengthOk(f.length)) sock.send(f, socatPort, '127.0.0.1'); },
    onFrame: (h) => { handler = h; },
    close: () => {
      if (closed) return;
      closed = true;
      child?.kill();
      sock?.close();
    },
  };
}
