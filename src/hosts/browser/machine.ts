// The machine in a browser page (hosts/node/machine.ts's sibling): the virtual
// hardware — block device on the page's persistent disk (disk.ts), console wired to a
// terminal by the caller, timer on the page's clock, and (when the page gives one) the
// hostfs device on an in-page share of dropped files (upload-share.ts) — the kernel
// Web Worker, and the watchdog that reports a kernel that stopped answering. The page
// drives it through `type`, `fault`, `readFile` and `stop`, and hears back through
// the callbacks.

import { BlockDeviceModel, type Backing } from '../../hw/block-device.js';
import { ConsoleDeviceModel } from '../../hw/console-device.js';
import { TimerDeviceModel } from '../../hw/timer-device.js';
import { HostFsDeviceModel } from '../../hw/hostfs-device.js';
import { DEV_DOORBELL } from '../../abi/device.js';
import type { BootConfig } from '../../kernel/kernel.js';
import type { Domain } from '../../kernel/component/table.js';
import type { DeviceKind } from '../../abi/component.js';
import type { Transport } from '../../kernel/component/server.js';
import type { ModRecord, MemArenaRecord } from '../../abi/sysinfo.js';
import type { WildWriteReport } from './watch-fault.js';
import type { TraceEvent } from '../../abi/trace.js';
import { bootComponents } from '../boot-order.js';
import type { FromKernel, ToKernel, PeerTraffic } from './messages.js';
import { UPLOAD_MOUNT, type UploadShare } from './upload-share.js';

export interface BrowserMachineOptions {
  preset: string;
  placement: Record<string, Domain | 'kernel-wasm' | 'user-wasm'>;
  grants: Record<string, DeviceKind>;
  ipc: Transport;
  initramfs: Uint8Array;
  release: string;
  disk: Backing;
  /** Files the page hands the guest, mounted at /mnt/upload through the hostfs device (upload-share.ts). */
  share?: UploadShare;
  /** Trace everything init starts (the architecture view's edges). */
  trace: boolean;
  /** argv of init (default: an interactive shell). */
  init?: string[];
  /** Mount the disk as the root (default); false: a ramfs root, the disk raw at /dev/blk0. */
  rootDisk?: boolean;
  /** No console input: init's stdin reads end of file (a scripted run). */
  noInput?: boolean;
  watchdogMs?: number;
  onOutput: (bytes: Uint8Array) => void;
  /** The machine stopped: halted with a status, or panicked with the panic's text. */
  onStop: (how: { status: number; panic?: string }) => void;
  onStatus?: (modules: ModRecord[], procs: { pid: number; name: string }[], links: PeerTraffic[]) => void;
  onTrace?: (event: TraceEvent) => void;
  /** The arenas and their regions (the kernel's memstat), every two seconds; without it the kernel takes none (an experiment's machine). */
  onMemstat?: (arenas: MemArenaRecord[]) => void;
  /** A wild write the page asked for fired: the regions whose bytes it changed. */
  onWildWrite?: (report: WildWriteReport) => void;
  onLog?: (line: string) => void;
}

export const EXIT_PANIC = 70;
export { FAULT_TYPES } from '../../kernel/component/fault.js';
export { PersistentDisk, freshImage, checkImage, DEFAULT_DISK_BYTES } from './disk.js';
export { UploadShare, UPLOAD_MOUNT, UPLOAD_MAX_BYTES } from './upload-share.js';
export { EXPORT_MAX_BYTES } from './file-export.js';
export type { WildWriteReport } from './watch-fault.js';
export type { PeerTraffic } from './messages.js';

export class BrowserMachine {
  private readonly console = new ConsoleDeviceModel(true);
  private readonly blk: BlockDeviceModel;
  private readonly timer = new TimerDeviceModel({ set: (ms, fire) => setTimeout(fire, ms), clear: (h) => clearTimeout(h as number) });
  private readonly kernel: Worker;
  private readonly hostfs: HostFsDeviceModel | undefined;
  private readonly heartbeat = new SharedArrayBuffer(4);
  private readonly reads = new Map<number, { resolve: (data: Uint8Array) => void; reject: (e: Error) => void }>();
  private nextRead = 1;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private finished = false;
  readonly bootedAt = performance.now();

  constructor(private readonly o: BrowserMachineOptions) {
    this.blk = new BlockDeviceModel(o.disk);
    this.hostfs = o.share === undefined ? undefined : new HostFsDeviceModel(o.share.backend);
    const config: BootConfig = {
      grants: o.grants,
      preset: o.preset,
      placement: o.placement,
      ipc: o.ipc,
      params: {},
      components: bootComponents(this.hostfs === undefined ? 0 : 1),
      initramfs: o.initramfs,
      rootDisk: o.rootDisk ?? true,
      init: { argv: o.init ?? ['/bin/sh', '-i'], env: ['PATH=/bin', 'HOME=/', 'TERM=xterm-256color'], cwd: '/' },
      devices: { blk: this.blk.memory, console: this.console.memory, timer: this.timer.memory, ...(this.hostfs === undefined ? {} : { hostfs: this.hostfs.memory }) },
      shares: this.hostfs === undefined ? [] : [{ guest: UPLOAD_MOUNT, readOnly: false }],
      release: o.release,
      ...(o.trace ? { trace: 'json' as const } : {}),
    };
    this.kernel = new Worker(new URL('./kernel-worker.js', import.meta.url), { type: 'module', name: `kernel (${o.preset})` });
    this.kernel.addEventListener('message', (e: MessageEvent) => this.fromKernel(e.data as FromKernel));
    this.kernel.addEventListener('error', (e) => { e.preventDefault(); this.finish(EXIT_PANIC, `kernel panic: kernel worker: ${e.message}`); });
    this.serve(this.blk.memory, () => { this.blk.service(); });
    this.serve(this.console.memory, () => this.flushConsole());
    this.serve(this.timer.memory, () => this.timer.service());
    const hostfs = this.hostfs;
    if (hostfs !== undefined) this.serve(hostfs.memory, () => { hostfs.service(); });
    this.startWatchdog(o.watchdogMs ?? 3000);
    if (o.noInput === true) this.console.closeInput();
    const machine = { cpu: 'browser', cores: navigator.hardwareConcurrency, host: location.host };
    this.post({ type: 'boot', config, heartbeat: this.heartbeat, machine, memstat: o.onMemstat !== undefined });
  }

  get running(): boolean { return !this.finished; }

  /** What the person typed, to the console device. */
  type(bytes: Uint8Array): void { if (!this.finished) this.console.type(bytes); }

  /** The terminal's size changed: the guest reads it at its next TIOCGWINSZ. */
  resize(columns: number, rows: number): void { if (!this.finished) this.console.resize(columns, rows); }

  /** Arms `kind` in `component` for its next request, as `fault COMPONENT KIND` does. */
  fault(component: string, kind: string): void { this.post({ type: 'fault', component, kind }); }

  /** The bytes of guest file `path`, read by the kernel with the shell's permissions (file-export.ts); rejects with the reason. */
  readFile(path: string): Promise<Uint8Array> {
    if (this.finished) return Promise.reject(new Error('the machine is not running'));
    const id = this.nextRead++;
    return new Promise((resolve, reject) => {
      this.reads.set(id, { resolve, reject });
      this.post({ type: 'read-file', id, path });
    });
  }

  /** Ends the machine now (reboot, a new placement): the disk keeps what was written back. */
  stop(): void { this.finish(0); }

  private post(m: ToKernel): void { this.kernel.postMessage(m); }

  private fromKernel(m: FromKernel): void {
    if (m.type === 'halt') this.finish(m.status);
    else if (m.type === 'panic') this.finish(EXIT_PANIC, m.text);
    else if (m.type === 'status') this.o.onStatus?.(m.modules, m.procs, m.links);
    else if (m.type === 'log') this.o.onLog?.(m.line);
    else if (m.type === 'armed') this.o.onLog?.(m.error === undefined ? `fault: ${m.kind} armed in ${m.component}` : `fault: ${m.component}: ${m.error}`);
    else if (m.type === 'memstat') this.o.onMemstat?.(m.arenas);
    else if (m.type === 'wild-write') { this.o.onWildWrite?.(m.report); this.o.onLog?.(`fault: wild-write fired in ${m.report.component}: ${m.report.changed.length} regions changed${m.report.error === undefined ? '' : ` (${m.report.error})`}`); }
    else if (m.type === 'file') {
      const r = this.reads.get(m.id);
      this.reads.delete(m.id);
      if (m.data !== undefined) r?.resolve(m.data); else r?.reject(new Error(m.error ?? 'not read'));
    } else if (m.type === 'trace' && this.o.onTrace !== undefined) {
      try { this.o.onTrace(JSON.parse(m.line) as TraceEvent); } catch { /* a text line: not for the view */ }
    }
  }

  private flushConsole(): void {
    const { out, err } = this.console.drain();
    if (out.length > 0) this.o.onOutput(out);
    if (err.length > 0) this.o.onOutput(err);
  }

  // Each device is served whenever its doorbell rings (Atomics.waitAsync on the page).
  private serve(memory: SharedArrayBuffer, service: () => void): void {
    const words = new Int32Array(memory, 0, 1);
    const loop = (seen: number): void => {
      if (this.finished) return;
      service();
      const w = Atomics.waitAsync(words, DEV_DOORBELL, seen);
      if (w.async) void w.value.then(() => loop(Atomics.load(words, DEV_DOORBELL)));
      else setTimeout(() => loop(Atomics.load(words, DEV_DOORBELL)), 0);
    };
    loop(Atomics.load(words, DEV_DOORBELL));
  }

  // The kernel worker bumps its heartbeat every 100 ms unless it is stuck.
  private startWatchdog(ms: number): void {
    const beat = new Int32Array(this.heartbeat);
    let last = Atomics.load(beat, 0);
    let lastAt = performance.now();
    // Armed at the first beat: before it the worker is still loading (slow on a busy machine).
    let started = false;
    this.watchdog = setInterval(() => {
      const now = Atomics.load(beat, 0);
      if (now !== last) { last = now; lastAt = performance.now(); started = true; return; }
      const silent = performance.now() - lastAt;
      if (!started && silent > 60_000) this.finish(EXIT_PANIC, 'kernel panic: watchdog: the kernel worker did not start within 60 s');
      else if (started && silent > ms) this.finish(EXIT_PANIC, `kernel panic: watchdog: the kernel stopped responding (no heartbeat for ${(silent / 1000).toFixed(1)} s)`);
    }, 250);
  }

  private finish(status: number, panic?: string): void {
    if (this.finished) return;
    this.flushConsole();
    this.finished = true;
    clearInterval(this.watchdog);
    this.timer.stop();
    this.kernel.terminate();
    for (const r of this.reads.values()) r.reject(new Error('the machine stopped'));
    this.reads.clear();
    this.o.disk.flush();
    this.o.onStop(panic === undefined ? { status } : { status, panic });
  }
}
