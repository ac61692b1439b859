// The network flags of `kernelkit run` and `boot`: --net, --pcap, --mac and the
// impairments. Parsed here into hosts/node/net/backends.ts's options; a bad value is
// one line on stderr and exit status 2, like every other flag.
//
// Under confinement the back end runs in the unconfined parent (a TAP back end starts
// socat, which the confined machine may not) and the machine gets one end of a pipe
// as its NIC's cable: fd NIC_FD, announced to the child in KERNELKIT_NIC_FD.

import net from 'node:net';
import path from 'node:path';
import type { Command } from 'commander';
import { parseNet, parseProbability, parseIp, parseForward, openNet, NO_IMPAIRMENTS, DEFAULT_GUEST_IP, USER_GATEWAY, USER_GUEST, USER_PREFIX, type NetOptions } from '../hosts/node/net/backends.js';
import { streamPort, type FramePort } from '../hosts/node/net/frame-port.js';
import { macFromSeed, parseMac } from '../hosts/node/net/backends.js';
import { UsageError } from './usage.js';
import { defaultInitEnv } from '../hosts/node/machine.js';
import { LISTEN_ENV, parseListenAddress } from '../abi/wasi-listen.js';

/** The descriptor the confined machine finds its NIC's cable on. */
export const NIC_FD = 3;

export function netOptions(cmd: Command): Command {
  return cmd
    .option('--net <backend>', 'a network device: user (10.0.2.2 is the host\'s 127.0.0.1), switch:NAME (machines of the same NAME share a switch) or tap:IFNAME (a Linux TAP device; needs root)')
    .option('--forward <ports>', 'with --net user: HOSTPORT:GUESTPORT[/udp], host programs reach a guest port at 127.0.0.1:HOSTPORT (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--pcap <file>', 'write every frame of the network device to this pcap file')
    .option('--ip <address/prefix>', `the guest's IPv4 address on the network device (default ${DEFAULT_GUEST_IP})`)
    .option('--gateway <address>', 'the guest\'s default route (default: none)')
    .option('--mac <address>', 'the network device\'s MAC address (aa:bb:cc:dd:ee:ff), or a name to derive one from (default: one per machine)')
    .option('--net-loss <p>', 'drop each frame with probability P')
    .option('--net-corrupt <p>', 'flip a byte of each frame with probability P')
    .option('--net-reorder <p>', 'hold each frame back behind the next with probability P')
    .option('--net-delay <ms>', 'delay each frame by MS milliseconds')
    .option('--net-seed <n>', 'seed of the impairments (the same seed drops the same frames)')
    .option('--no-offload', 'the network device offers no segmentation offload (TSO/GRO): the stack sends and receives only real frames')
    .option('--listen <[addr:]port>', 'preopen a listening TCP socket on the guest port for every WASI program run (as wasmtime --tcplisten; fd 3, then 4...); ADDR defaults to 0.0.0.0 (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[]);
}

/**
 * init's environment for --listen: KERNELKIT_WASI_LISTEN, which every WASI program
 * of the session turns into preopened listeners (user/wasi/listen.ts); undefined
 * without --listen. A bad address is a usage error.
 */
export function listenEnv(values: string[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const addresses = values.flatMap((v) => v.split(',')).map((v) => {
    try { return parseListenAddress(v.trim()); } catch (e) { throw new UsageError(`bad --listen: ${(e as Error).message}`); }
  });
  return [...defaultInitEnv(), `${LISTEN_ENV}=${addresses.map((a) => `${a.addr}:${a.port}`).join(',')}`];
}

interface NetFlags { offload?: boolean; net?: string; forward?: string[]; ip?: string; gateway?: string; pcap?: string; mac?: string; netLoss?: string; netCorrupt?: string; netReorder?: string; netDelay?: string; netSeed?: string }

/** The network the flags ask for, or undefined (no --net: no network device). */
export function netFromFlags(o: NetFlags): { options: NetOptions; mac: Uint8Array; ip: { address: number; prefix: number; gateway?: number }; offload: boolean } | undefined {
  const anyNetFlag = o.ip !== undefined || o.gateway !== undefined || o.pcap !== undefined || o.mac !== undefined || o.netLoss !== undefined || o.netCorrupt !== undefined || o.netReorder !== undefined || o.netDelay !== undefined || o.netSeed !== undefined || o.offload === false;
  if (o.net === undefined) {
    if ((o.forward ?? []).length > 0) throw new UsageError('--forward needs --net user');
    if (anyNetFlag) throw new UsageError('--ip, --gateway, --pcap, --mac, --no-offload and the --net-* impairments need --net');
    return undefined;
  }
  try {
    const backend = parseNet(o.net);
    const delay = o.netDelay === undefined ? 0 : Number(o.netDelay);
    if (!Number.isInteger(delay) || delay < 0 || delay > 10000) throw new Error(`bad --net-delay '${o.netDelay}': expected whole milliseconds from 0 to 10000`);
    const seed = o.netSeed === undefined ? 1 : Number(o.netSeed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`bad --net-seed '${o.netSeed}': expected a whole number from 0 to 4294967295`);
    const impairments = {
      ...NO_IMPAIRMENTS, seed, delayMs: delay,
      loss: o.netLoss === undefined ? 0 : parseProbability('--net-loss', o.netLoss),
      corrupt: o.netCorrupt === undefined ? 0 : parseProbability('--net-corrupt', o.netCorrupt),
      reorder: o.netReorder === undefined ? 0 : parseProbability('--net-reorder', o.netReorder),
    };
    let mac: Uint8Array;
    if (o.mac === undefined) mac = macFromSeed(`kernelkit-${process.pid}`);
    else if (o.mac.includes(':')) {
      const parsed = parseMac(o.mac);
      if (parsed === undefined) throw new Error(`bad --mac '${o.mac}': expected a unicast address aa:bb:cc:dd:ee:ff`);
      mac = parsed;
    } else mac = macFromSeed(o.mac);
    if (backend.kind !== 'user' && (o.forward ?? []).length > 0) throw new Error('--forward needs --net user');
    if (backend.kind === 'user' && (o.ip !== undefined || o.gateway !== undefined)) throw new Error(`--net user gives the guest ${USER_GUEST}/${USER_PREFIX} with gateway ${USER_GATEWAY}: --ip and --gateway do not apply`);
    const forwards = (o.forward ?? []).map(parseForward);
    const ip = backend.kind === 'user' ? parseIp(`${USER_GUEST}/${USER_PREFIX}`, USER_GATEWAY) : parseIp(o.ip ?? DEFAULT_GUEST_IP, o.gateway);
    return { options: { backend, forwards, impairments, ...(o.pcap === undefined ? {} : { pcap: path.resolve(o.pcap) }) }, mac, ip, offload: o.offload !== false };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
}

/**
 * The machine's end of its cable: the pipe from the confining parent when there is
 * one, else the back end opened here.
 */
export function nicPort(options: NetOptions, log: (line: string) => void): FramePort {
  // The machine offers large segments; the parent answers when its chain carries them.
  if (process.env.KERNELKIT_NIC_FD === String(NIC_FD)) return streamPort(new net.Socket({ fd: NIC_FD, readable: true, writable: true }), undefined, 'offer');
  return openNet(options, log);
}
