// The machine on Node's main thread: the virtual hardware (block device on RAM or a
// disk image, console on this terminal), the kernel thread, and the watchdog that
// reports a kernel that stopped answering. `runMachine` boots, runs until the system
// halts or panics, and returns the exit status (70 after a panic or a hang). A disk
// image is locked while the machine runs (image-lock.ts): a second machine refuses it.

import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlockDeviceModel, RamBacking, type Backing } from '../../hw/block-device.js';
import { ConsoleDeviceModel } from '../../hw/console-device.js';
import { DEV_DOORBELL } from '../../abi/device.js';
import type { BootConfig } from '../../kernel/kernel.js';
import { defaultParams, type Params } from '../../kernel/params.js';
import type { LeakReport } from '../../kernel/platform.js';
import type { Domain } from '../../kernel/component/table.js';
import type { DeviceKind } from '../../abi/component.js';
import type { Transport } from '../../kernel/component/server.js';
import { bootComponents } from '../components.js';
import { HostFsDeviceModel } from '../../hw/hostfs-device.js';
import { TimerDeviceModel } from '../../hw/timer-device.js';
import { hostFsBackend, type Share } from './hostfs-backend.js';
import { NicDeviceModel } from '../../hw/nic-device.js';
import { formatMac } from '../../services/net/wire/ethernet.js';
import type { FramePort } from './net/frame-port.js';
import { FileBacking } from './file-backing.js';
import { ImageLock } from './image-lock.js';
import { hasDiskDriver } from '../../abi/disk-driver.js';
import type { Value } from '../../lib/codec.js';
import { rootImage } from '../../services/vfs/index.js';

export { ImageInUseError } from './image-lock.js';

export const EXIT_PANIC = 70;
/** runMachine's status when the machine was aborted (MachineOptions.signal): 128 + SIGKILL, as a shell reports a killed program. */
export const EXIT_ABORTED = 137;
/** How long the kernel thread may take to load before its first heartbeat (ms). */
const KERNEL_START_MS = 60_000;

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export interface MachineOptions {
  preset: string;
  placement: Record<string, Domain | 'kernel-wasm' | 'user-wasm'>;
  /** Device grants by component (default: the preset file's `devices`). */
  grants?: Record<string, DeviceKind>;
  ipc: Transport;
  params?: Partial<Params>;
  /** argv of init (default: an interactive shell). */
  init?: string[];
  /** Environment of init, "NAME=value" (default: `defaultInitEnv()`). */
  initEnv?: string[];
  disk?: string;
  /**
   * Where a disk that carries its own filesystem driver (abi/disk-driver.ts) is mounted
   * (default /disk); such a disk is not the root. Other disks are ext2, mounted as /.
   */
  diskMount?: string;
  /** The SHA-256 an embedded driver must have (`--pin`). */
  diskDriverPin?: string;
  ramDiskBytes?: number;
  verbose?: boolean;
  interactive?: boolean;
  /** Where console output goes (default: this process's stdout/stderr). */
  stdout?: (bytes: Uint8Array) => void;
  stderr?: (bytes: Uint8Array) => void;
  /** Input for the console when not interactive (default: this process's stdin if it is not a TTY). */
  stdin?: Uint8Array | 'inherit' | 'none';
  /** Input the caller types as it goes (instead of `stdin`): handed a function that types bytes into the console. */
  input?: (type: (bytes: Uint8Array) => void) => void;
  /** Kernel heartbeat silence that counts as a hang (ms). */
  watchdogMs?: number;
  /** How long the kernel thread may take to load before its first heartbeat (ms; default 60 s). */
  kernelStartMs?: number;
  /** Test only: the kernel thread busies itself this long before its first heartbeat, as a slow load on a busy host does (ms). */
  testStartDelayMs?: number;
  backing?: Backing;
  /** Host directories to share (`--mount HOSTDIR:GUESTDIR[:ro]`). */
  mounts?: Share[];
  /** Told what the kernel still held when it halted (leak checks). */
  onHalt?: (leaks: LeakReport) => void;
  /** Trace init and everything it starts (kernel/trace.ts): one line per event, or JSON lines. */
  trace?: 'text' | 'json';
  /** Where trace lines go (default: this process's stderr). */
  onTrace?: (line: string) => void;
  /**
   * Aborts the machine: every thread it owns is terminated (the kernel thread, and with
   * it every server and process thread it started), its devices stop, its disk image is
   * closed and unlocked, and runMachine resolves EXIT_ABORTED once all of that is done.
   */
  signal?: AbortSignal;
  /** A network device: its MAC address, the host's end of its cable (net/backends.ts), the guest's IPv4 address (uint32s). */
  nic?: { mac: Uint8Array; port: FramePort; address: number; prefix: number; gateway?: number; offload?: boolean };
  /**
   * A bridge machine instead: two network devices (eth0 on `ports[0]`, eth1 on
   * `ports[1]`), their drivers nic and nic1, and the bridge component forwarding between
   * them (services/bridge/); no IP stack. Not together with `nic`.
   */
  bridge?: { macs: [Uint8Array, Uint8Array]; ports: [FramePort, FramePort] };
}

/** Whether the image at `file` starts with the header of a disk that carries its driver. */
function diskCarriesDriver(file: string): boolean {
  const first = new Uint8Array(8);
  const fd = fs.openSync(file, 'r');
  try { fs.readSync(fd, first, 0, 8, 0); } finally { fs.closeSync(fd); }
  return hasDiskDriver(first);
}

export function readInitramfs(): Uint8Array {
  const file = path.join(packageRoot, 'build/initramfs.cpio');
  if (!fs.existsSync(file)) throw new Error(`no initramfs at ${file}: run 'npm run build' first`);
  return new Uint8Array(fs.readFileSync(file));
}

// The kernel thread's entry: the bundle the build makes of the thread entry points
// (scripts/build.mjs: each one file plus chunks they share, which a new thread loads for
// about a fifth less CPU than the module graph, measured per server and process thread),
// or the module itself where there is no bundle. The kernel's own threads start from
// the bundle's siblings (threads.ts names its entries relative to itself).
const KERNEL_ENTRY = ((): URL => {
  const bundled = new URL('./bundle/kernel-worker.js', import.meta.url);
  return fs.existsSync(fileURLToPath(bundled)) ? bundled : new URL('./kernel-worker.js', import.meta.url);
})();

// The image every machine of this process boots, read once per build of it (a
// long-lived `kernelkit worker` sees a rebuild): the cpio in shared memory, so the
// kernel and each vfs it starts share it instead of copying 6 MB, and its root
// unpacked once and frozen (services/vfs/boot.ts rootImage), which every vfs, first
// or restarted, copies instead of unpacking the cpio. Nothing writes to either.
// An archive vfs cannot unpack gets no image: vfs then fails at boot and says why.
let bootImage: { stamp: string; initramfs: Uint8Array; root: Promise<Value | undefined> } | undefined;
function sharedBootImage(): { initramfs: Uint8Array; root: Promise<Value | undefined> } {
  const file = path.join(packageRoot, 'build/initramfs.cpio');
  const st = fs.existsSync(file) ? fs.statSync(file) : undefined;
  const stamp = st === undefined ? '' : `${st.size}:${st.mtimeMs}`;
  if (bootImage?.stamp !== stamp) {
    const bytes = readInitramfs();
    const initramfs = new Uint8Array(new SharedArrayBuffer(bytes.length));
    initramfs.set(bytes);
    bootImage = { stamp, initramfs, root: rootImage(initramfs).catch(() => undefined) };
  }
  return bootImage;
}

export function release(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Whether this host process runs under Node's permission model (cli/confine.ts), as the host sees it. */
export function confinement(): string {
  const permission = (process as { permission?: { has(scope: string, reference?: string): boolean } }).permission;
  if (permission === undefined) return 'not confined (Node permission model off)';
  // NOTE: a real read, not permission.has(): Node 20's has() answers true for '/'
  // when several paths are granted, although reads there are refused.
  let readOutside = 'yes';
  try { fs.accessSync('/etc/passwd'); } catch (e) { readOutside = (e as { code?: string }).code === 'ERR_ACCESS_DENIED' ? 'no' : 'yes'; }
  const tmp = path.join(os.tmpdir(), 'kernelkit-probe');
  return `confined by Node's permission model: child processes ${permission.has('child') ? 'yes' : 'no'}, write ${tmp} ${permission.has('fs.write', tmp) ? 'yes' : 'no'}, read /etc/passwd ${readOutside}`;
}

const abortReason = (r: unknown): string => (r instanceof Error ? r.message : r === undefined ? 'aborted' : String(r));

/** init's environment unless the caller gives one: PATH, HOME, and the host's TERM. */
export function defaultInitEnv(): string[] {
  return ['PATH=/bin', 'HOME=/', `TERM=${process.env.TERM ?? 'dumb'}`];
}

export async function runMachine(o: MachineOptions): Promise<number> {
  const out = o.stdout ?? ((b: Uint8Array) => { process.stdout.write(b); });
  const err = o.stderr ?? ((b: Uint8Array) => { process.stderr.write(b); });
  const isTty = o.interactive === true && process.stdin.isTTY === true;
  // One machine per image (image-lock.ts): throws ImageInUseError before touching it.
  const lock = o.backing === undefined && o.disk !== undefined ? ImageLock.acquire(o.disk) : undefined;
  let backing: Backing;
  try {
    backing = o.backing ?? (o.disk !== undefined ? new FileBacking(o.disk) : new RamBacking(o.ramDiskBytes ?? 4 << 20));
  } catch (e) {
    lock?.release();
    throw e;
  }
  const blk = new BlockDeviceModel(backing);
  const carriesDriver = o.disk !== undefined && diskCarriesDriver(o.disk);
  const con = new ConsoleDeviceModel(isTty);
  const onResize = (): void => { con.resize(process.stdout.columns ?? 0, process.stdout.rows ?? 0); };
  if (isTty && process.stdout.isTTY === true) onResize();
  const shares = o.mounts ?? [];
  const hostBackend = shares.length > 0 ? hostFsBackend(shares, { maxNodes: o.params?.hostfsOpenNodes ?? defaultParams.hostfsOpenNodes }) : undefined;
  const hostfs = hostBackend !== undefined ? new HostFsDeviceModel(hostBackend) : undefined;
  const timer = new TimerDeviceModel({ set: (ms, fire) => setTimeout(fire, ms), clear: (h) => clearTimeout(h as NodeJS.Timeout) });
  if (o.nic !== undefined && o.bridge !== undefined) throw new Error('a machine has either one network device (nic) or a bridge between two');
  const cables: FramePort[] = o.nic !== undefined ? [o.nic.port] : o.bridge !== undefined ? [...o.bridge.ports] : [];
  const macs: Uint8Array[] = o.nic !== undefined ? [o.nic.mac] : o.bridge !== undefined ? [...o.bridge.macs] : [];
  const nics = cables.map((port, i) => {
    const device = new NicDeviceModel(macs[i]!, undefined, { offload: o.nic?.offload !== false });
    device.onTransmit = (f) => port.send(f);
    port.onFrame((f) => { device.deliver(f); });
    // A cable that carries large segments whole (segmentation offload) gets them whole.
    if (port.sendLarge !== undefined && port.onLarge !== undefined) {
      const sendLarge = port.sendLarge;
      device.onTransmitGso = (f, mss) => sendLarge(f, mss);
      port.onLarge((f, mss) => { device.deliverGso(f, mss); });
    }
    return device;
  });
  const nic = nics[0], nic1 = nics[1];
  const heartbeat = new SharedArrayBuffer(4);
  const image = sharedBootImage();
  const root = await image.root;
  // NOTE: imported here, not at the top: presets.ts needs this module's packageRoot.
  const grants = o.grants ?? (await import('../presets.js')).deviceGrantsOf(o.preset);
  const config: BootConfig = {
    grants,
    preset: o.preset,
    placement: o.placement,
    ipc: o.ipc,
    params: o.params ?? {},
    components: bootComponents(shares.length, nic !== undefined, nic1 !== undefined),
    initramfs: image.initramfs,
    ...(root === undefined ? {} : { rootImage: root }),
    rootDisk: o.disk !== undefined && !carriesDriver,
    ...(carriesDriver ? { diskDriverMount: o.diskMount ?? '/disk' } : {}),
    ...(o.diskDriverPin === undefined ? {} : { diskDriverPin: o.diskDriverPin }),
    init: { argv: o.init ?? ['/bin/sh'], env: o.initEnv ?? defaultInitEnv(), cwd: '/' },
    devices: { blk: blk.memory, console: con.memory, timer: timer.memory, hostfs: hostfs?.memory, nic: nic?.memory, nic1: nic1?.memory },
    shares: shares.map((m) => ({ guest: m.guest, readOnly: m.readOnly })),
    release: release(),
    ...(o.trace === undefined ? {} : { trace: o.trace }),
    ...(o.nic === undefined ? {} : { net: { address: o.nic.address, prefix: o.nic.prefix, ...(o.nic.gateway === undefined ? {} : { gateway: o.nic.gateway }) } }),
  };
  const traceLine = o.onTrace ?? ((line: string) => { process.stderr.write(line + '\n'); });
  if (o.verbose === true) err(new TextEncoder().encode(`host: ${confinement()}\n`));
  const kernel = new Worker(KERNEL_ENTRY, { workerData: { config, heartbeat, startDelayMs: o.testStartDelayMs ?? 0 } });

  return new Promise<number>((resolve) => {
    let finished = false;
    const timers: NodeJS.Timeout[] = [];
    const doorbells: Int32Array[] = [];
    const flushConsole = (): void => {
      const { out: o1, err: e1 } = con.drain();
      if (o1.length > 0) out(o1);
      if (e1.length > 0) err(e1);
    };
    const finish = (status: number, message?: string): void => {
      if (finished) return;
      finished = true;
      flushConsole();
      if (message !== undefined) err(new TextEncoder().encode(message.endsWith('\n') ? message : message + '\n'));
      for (const t of timers) clearInterval(t);
      o.signal?.removeEventListener('abort', onAbort);
      // Wake every device loop so it sees `finished` and ends: a wait left pending would
      // keep the device, and with it the disk's memory, alive for as long as this process.
      for (const words of doorbells) Atomics.notify(words, DEV_DOORBELL);
      timer.stop();
      for (const port of cables) port.close();
      if (o.verbose === true) {
        for (const [i, device] of nics.entries()) {
          const c = device.counters();
          err(new TextEncoder().encode(`host: eth${i} ${formatMac(device.mac)}: ${Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ')}\n`));
        }
      }
      if (isTty) { process.stdin.setRawMode(false); process.stdout.removeListener('resize', onResize); }
      process.stdin.pause();
      process.stdin.removeListener('data', onData);
      process.stdin.removeListener('end', onEnd);
      void kernel.terminate().then(() => {
        if (backing instanceof FileBacking) backing.close();
        lock?.release();
        hostBackend?.close();
        resolve(status);
      });
    };

    // NOTE: a worker's own workers end with it, so terminating the kernel thread ends
    // every server and process thread of this machine (test/lab/machine-abort.test.ts).
    const onAbort = (): void => finish(EXIT_ABORTED, `machine aborted: ${abortReason(o.signal?.reason)}`);

    // Devices: serve each whenever its doorbell rings.
    const serve = (memory: SharedArrayBuffer, service: () => void): void => {
      const words = new Int32Array(memory, 0, 1);
      doorbells.push(words);
      const loop = (seen: number): void => {
        if (finished) return;
        service();
        const w = Atomics.waitAsync(words, DEV_DOORBELL, seen);
        if (w.async) void w.value.then(() => loop(Atomics.load(words, DEV_DOORBELL)));
        else setImmediate(() => loop(Atomics.load(words, DEV_DOORBELL)));
      };
      loop(Atomics.load(words, DEV_DOORBELL));
    };
    serve(blk.memory, () => { blk.service(); });
    serve(con.memory, flushConsole);
    if (hostfs !== undefined) serve(hostfs.memory, () => hostfs.service());
    serve(timer.memory, () => timer.service());
    for (const device of nics) serve(device.memory, () => { device.service(); });

    // Input.
    const onData = (chunk: Buffer): void => con.type(new Uint8Array(chunk));
    const onEnd = (): void => con.closeInput();
    if (o.input !== undefined) o.input((bytes) => con.type(bytes));
    else if (o.stdin instanceof Uint8Array) { con.type(o.stdin); con.closeInput(); }
    else if (o.stdin === 'none' || (o.stdin === undefined && !isTty && process.stdin.isTTY === true)) con.closeInput();
    else {
      if (isTty) { process.stdin.setRawMode(true); process.stdout.on('resize', onResize); }
      process.stdin.on('data', onData);
      process.stdin.on('end', onEnd);
      process.stdin.resume();
    }

    // The watchdog: the kernel thread bumps its heartbeat every 100 ms unless it is stuck.
    // It arms at the first beat: before it the thread is still loading its code, which on
    // a loaded host takes seconds (1.4-3.3 s measured at load 20 on 2 cores) and is not a
    // hang; a thread that never starts is caught after KERNEL_START_MS.
    const beat = new Int32Array(heartbeat);
    let last = Atomics.load(beat, 0);
    let lastAt = Date.now();
    let started = false;
    const watchdogMs = o.watchdogMs ?? 3000;
    const startMs = o.kernelStartMs ?? KERNEL_START_MS;
    timers.push(setInterval(() => {
      const now = Atomics.load(beat, 0);
      if (now !== last) { last = now; lastAt = Date.now(); started = true; return; }
      const silent = Date.now() - lastAt;
      if (!started && silent > startMs) finish(EXIT_PANIC, `kernel panic: watchdog: the kernel thread did not start within ${startMs / 1000} s`);
      else if (started && silent > watchdogMs) finish(EXIT_PANIC, `kernel panic: watchdog: the kernel stopped responding (no heartbeat for ${(silent / 1000).toFixed(1)} s)`);
    }, 250));

    kernel.on('message', (m: { type: string; status?: number; text?: string; line?: string; leaks?: LeakReport }) => {
      if (m.type === 'halt') { if (m.leaks !== undefined) o.onHalt?.(m.leaks); finish(m.status ?? 0); }
      else if (m.type === 'panic') finish(EXIT_PANIC, m.text);
      else if (m.type === 'log' && o.verbose === true) err(new TextEncoder().encode(m.line + '\n'));
      else if (m.type === 'trace' && m.line !== undefined) traceLine(m.line);
    });
    if (o.signal?.aborted === true) onAbort(); else o.signal?.addEventListener('abort', onAbort, { once: true });
    kernel.on('error', (e) => finish(EXIT_PANIC, `kernel panic: kernel thread: ${e instanceof Error ? e.message : String(e)}`));
    kernel.on('exit', (code) => finish(EXIT_PANIC, `kernel panic: kernel thread exited (${code})`));
  });
}
