// The kernel core: the process table, the trap loop that picks syscalls out of
// processes' pages and dispatches them (syscall/table.ts), process creation and
// teardown, signal delivery, and the line to the machine (panic, halt). Components
// are reached through the component table (component/table.ts); open files through
// fs/io.ts.
//
// Everything here runs on the kernel thread. Syscall handlers are async: a handler
// that awaits (a pipe read, a call to a user-domain server) lets other syscalls run.

import { countsAsSystemTime, userMs } from './proc/times.js';
import { Arena } from '../lib/arena.js';
import { Doorbell, Linger, pollLoop } from '../lib/poller.js';
import type { Value } from '../lib/codec.js';
import { KernelError, Errno, isKernelError } from '../abi/errno.js';
import { Signal, SigDisposition, defaultIgnored, stopsByDefault, signalName } from '../abi/signal.js';
import { TRAP_PAGE_BYTES, USER_MEMORY_BYTES, KERNEL_BELL_BYTES, TRAP_REGS_OFFSET, type ProcessStart } from '../abi/trap.js';
import { asPid } from '../abi/ids.js';
import type { DeviceKind, KernelCalls, ProcessRecord } from '../abi/component.js';
import { placedDomain } from '../abi/component.js';
import type { PmService, VfsService, ConsoleService, BlkService } from '../abi/services.js';
import type { SpawnRequest } from '../abi/syscalls.js';
import { execFormat, parseShebang, SHEBANG_DEPTH } from '../abi/exec.js';
import type { Platform, ThreadHandle, LeakReport } from './platform.js';
import { defaultParams, type Params } from './params.js';
import { KernelLog } from './log.js';
import { Process } from './proc/process.js';
import { ThreadPool, type ThreadStats } from './proc/pool.js';
import { ComponentTable, type Domain } from './component/table.js';
import type { Transport } from './component/server.js';
import type { ComponentModule } from './component/server-runtime.js';
import { closeFile, writeFile } from './fs/io.js';
import { cancelNetWaits } from './fs/socket.js';
import { WindowGrant } from './ipc/grant.js';
import { pathBase } from './fs/at.js';
import { AT } from '../abi/fs.js';
import type { OpenFile } from './fs/file.js';
import { SYSCALL_TABLE } from './syscall/table.js';
import { BpfSubsystem } from './bpf/subsystem.js';
import { componentCallSink, syscallEnter, syscallExit } from './bpf/hooks.js';
import { KernelTimers } from './timer.js';
import { bindDevice } from './device.js';
import { Deadlines } from './deadlines.js';
import { Limits } from './proc/limits.js';
import { RLIMIT } from '../abi/rlimit.js';
import { fsCred, rootCred, S_ISGID, S_ISUID, type Cred } from '../abi/cred.js';
import { InjectedCrash } from './component/fault.js';
import { detach, inherit, machineSink, traceDirectCalls, tracedSyscall, type TraceSink } from './trace.js';
import { DirectFiles } from './proc/direct.js';
import { DirectSockets } from './proc/direct-net.js';
import { procInfo } from './proc/procinfo.js';
import { runXdp } from './bpf/hooks.js';
import { SyscallScheduler } from './proc/sched.js';
import { NIC_XDP } from '../abi/device.js';
import { groupsToHangUp } from './proc/orphans.js';
import { readCpio } from '../lib/cpio.js';
import { mountDiskDriver } from './fs/disk-driver.js';

export interface BootConfig {
  preset: string;
  placement: Record<string, Domain | 'kernel-wasm' | 'user-wasm'>;
  /** Which device each component may drive (the preset's `devices`); the manifest must ask too. */
  grants: Record<string, DeviceKind>;
  ipc: Transport;
  params: Partial<Params>;
  /** Components to load at boot, in order. */
  components: string[];
  initramfs: Uint8Array;
  /** The initramfs root unpacked once and frozen by the host (services/vfs/boot.ts rootImage): vfs restores it instead of unpacking the cpio. */
  rootImage?: Value;
  rootDisk: boolean;
  init: { argv: string[]; env: string[]; cwd: string };
  devices: { blk: SharedArrayBuffer; console: SharedArrayBuffer; timer: SharedArrayBuffer; hostfs?: SharedArrayBuffer; nic?: SharedArrayBuffer; nic1?: SharedArrayBuffer };
  /** Host directories shared with the machine, mounted by vfs at boot. */
  shares: { guest: string; readOnly: boolean }[];
  release: string;
  /** Trace init and everything it starts to the machine's trace stream (Platform.trace): one line per event, or JSON lines. */
  trace?: 'text' | 'json';
  /**
   * The block device carries its filesystem's driver (abi/disk-driver.ts): mount it
   * here at boot with that driver, in the sandbox domain (kernel/fs/disk-driver.ts).
   */
  diskDriverMount?: string;
  /** The SHA-256 (hex) an embedded driver must have to be loaded (`--pin`); absent: any that matches its header. */
  diskDriverPin?: string;
  /** The network device's IPv4 configuration (a machine with a NIC); addresses as uint32. */
  net?: { address: number; prefix: number; gateway?: number };
}

export class Kernel {
  readonly params: Params;
  /** The trap loop polls on, idle, after an answer woke its process: it calls again soon. */
  private readonly linger: Linger;
  readonly log: KernelLog;
  readonly arena: Arena;
  /** The kernel arena's memory, as WebAssembly sees it. */
  readonly arenaMemory: WebAssembly.Memory;
  readonly bellMemory = new SharedArrayBuffer(KERNEL_BELL_BYTES);
  readonly bell = new Doorbell(this.bellMemory);
  readonly components: ComponentTable;
  /** Alarms on the timer device (nanosleep, poll timeouts). */
  readonly timers: KernelTimers;
  readonly procs = new Map<number, Process>();
  private readonly inService = new Set<Process>();
  private readonly pool: ThreadPool;
  private running = true;
  private halted = false;
  readonly bootedAt = performance.now();
  /** The machine's trace stream, when the machine asked for init to be traced. */
  private readonly bootTrace: TraceSink | undefined;
  /** eBPF maps, programs and the hooks they attach to (kernel/bpf/). */
  readonly bpf: BpfSubsystem;
  /** The order trapped processes are served in: pid order, or an eBPF scheduler's (proc/sched.ts). */
  private readonly sched: SyscallScheduler;

  constructor(readonly platform: Platform, readonly config: BootConfig, modules: Record<string, ComponentModule>) {
    this.params = { ...defaultParams, ...config.params };
    this.linger = new Linger(this.params.kernelSpinAfterWakeUs);
    this.log = new KernelLog((line) => platform.bootLog(line));
    // The kernel arena is a (shared) WebAssembly memory, so a WebAssembly module loaded
    // unsandboxed (insmod --unsandboxed) can use it as its own: kernel/sandbox/.
    const pages = Math.ceil(this.params.kernelArenaBytes / 65536);
    this.arenaMemory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.arena = new Arena('kernel', this.arenaMemory.buffer as unknown as SharedArrayBuffer);
    this.pool = new ThreadPool(platform, this.params.processPoolSize, this.params.processPoolMaxIdle, this.params.processReuseGraceMs, this.params.rlimitAsBytes);
    this.timers = new KernelTimers(bindDevice('timer', config.devices.timer));
    this.modules = modules;
    this.bootTrace = config.trace === undefined ? undefined : machineSink((line) => platform.trace?.(line), config.trace === 'json');
    this.bpf = new BpfSubsystem({ mapBytes: this.params.bpfMapBytes, programs: this.params.bpfPrograms, jit: this.params.bpfJit },
      () => BigInt(Math.round((performance.now() - this.bootedAt) * 1e6)), (line) => this.log.log(line),
      () => new Promise((resolve) => { setTimeout(resolve, 0); }));
    // Programs on the syscall tracepoints see every syscall: none may bypass the dispatcher.
    this.bpf.onSyscallHooks = (hooked) => { this.direct?.setSlowPath(hooked); this.directNet?.setSlowPath(hooked); };
    this.sched = new SyscallScheduler(this.bpf, () => this.params.schedStallMs, (line) => this.log.log(line));
    // The NIC driver hands received frames to the kernel (`xdp`) while eth0 has a program.
    this.bpf.onXdp = (attached) => { if (config.devices.nic !== undefined) Atomics.store(new Int32Array(config.devices.nic, 0, 32), NIC_XDP, attached ? 1 : 0); };
    this.components = new ComponentTable({
      platform, params: this.params, transport: config.ipc, kernelArena: this.arena, kernelBell: this.bell,
      kernelBellMemory: this.bellMemory, kernelCalls: this.kernelCalls(),
      devices: {
        block: { kind: 'block', memory: config.devices.blk },
        console: { kind: 'console', memory: config.devices.console },
        ...(config.devices.hostfs === undefined ? {} : { hostfs: { kind: 'hostfs' as const, memory: config.devices.hostfs } }),
        ...(config.devices.nic === undefined ? {} : { nic: { kind: 'nic' as const, memory: config.devices.nic } }),
        ...(config.devices.nic1 === undefined ? {} : { nic1: { kind: 'nic1' as const, memory: config.devices.nic1 } }),
      },
      grants: config.grants,
      config: (name) => this.componentConfig(name),
      log: (line) => this.log.log(line),
      panic: (component, cause) => this.panic(component, cause),
      kernelArenaMemory: this.arenaMemory,
      imageFile: (path) => readCpio(this.config.initramfs).find((e) => e.name === path)?.data,
    });
    // The direct paths follow their servers' restarts (serverEvent: each path made so far).
    this.components.serverEvents = (name, event) => this.serverEvent(name, event);
  }

  /** The module of component `name` for `domain`: the sandbox domain takes its WebAssembly build (`NAME-wasm`). */
  moduleFor(name: string, domain: Domain): ComponentModule | undefined {
    if (domain !== 'sandbox') return this.modules[name];
    const mod = this.modules[`${name}-wasm`];
    if (mod === undefined && this.modules[name] !== undefined) throw new KernelError(Errno.ENOEXEC, `${name} has no WebAssembly build, so it cannot run in the sandbox domain`);
    return mod;
  }

  readonly modules: Record<string, ComponentModule>;

  // ---- components ------------------------------------------------------------------

  // The core components: their bindings, made once at load (component/table.ts). Every
  // reply is checked in one place, against the service list (abi/services.ts
  // checkReply): by the channel for a user-domain server, and for the one malformed
  // reply a kernel-domain component can give (an injected one) by its fault wrapper.
  get vfs(): VfsService { return this.components.iface<VfsService>('vfs'); }
  get pm(): PmService { return this.components.iface<PmService>('pm'); }
  get console(): ConsoleService { return this.components.iface<ConsoleService>('console'); }
  get blk(): BlkService { return this.components.iface<BlkService>('blk'); }

  /** Where component `name` runs: kernel-wasm (its WebAssembly build, unsandboxed) is the kernel domain. */
  domainOf(name: string): Domain {
    const d = placedDomain(this.config.preset, this.config.placement, name);
    return d === 'kernel-wasm' ? 'kernel' : d === 'user-wasm' ? 'user' : d;
  }

  /** Whether component `name` is placed as its WebAssembly build (sandbox, kernel-wasm, user-wasm). */
  wasmBuild(name: string): boolean {
    const d = placedDomain(this.config.preset, this.config.placement, name);
    return d === 'sandbox' || d === 'kernel-wasm' || d === 'user-wasm';
  }

  /** Whether component `name` is placed as its WebAssembly build, unsandboxed in the kernel domain. */
  unsandboxedWasm(name: string): boolean {
    return placedDomain(this.config.preset, this.config.placement, name) === 'kernel-wasm';
  }

  private componentConfig(name: string): Record<string, Value> {
    if (name === 'vfs') {
      return {
        initramfs: this.config.initramfs, rootDisk: this.config.rootDisk, ...(this.config.rootImage === undefined ? {} : { rootImage: this.config.rootImage }),
        mounts: [{ source: 'proc', target: '/proc', fstype: 'proc' }, ...this.config.shares.map((s, i) => ({ source: `host${i}`, target: s.guest, fstype: 'hostfs' }))],
      };
    }
    // ext2 mounts the root disk at init, so a restarted ext2 server mounts it again.
    if (name === 'ext2') return { rootDisk: this.config.rootDisk };
    if (name === 'net' && this.config.net !== undefined) return { interface: { ...this.config.net } };
    if (name === 'hostfs') return { shares: this.config.shares.map((s, i) => ({ index: i, guest: s.guest, readOnly: s.readOnly })) };
    return {};
  }

  private kernelCalls(): KernelCalls & { log(message: string): Promise<void> } {
    return {
      signalGroup: async (pgid, sig) => {
        // kill(-1) means every process: the group of init (pid 1, the login shell, whose
        // group is the terminal's between jobs) is taken from the kernel's own copy of the
        // groups instead, so a ^C at the prompt reaches the shell, not every job.
        if (pgid === 1) { for (const p of [...this.procs.values()]) if (!p.dead && p.pgid === 1) this.deliver(p, sig); return; }
        await this.signal(0, -pgid, sig).catch(() => {});
      },
      processTable: async () => this.processTable(),
      terminate: async (pid, code, signal) => { const p = this.procs.get(pid); if (p !== undefined) await this.exitProcess(p, code, signal); },
      log: async (message) => { this.log.log(message); },
      procInfo: (topic, pid) => procInfo(this, topic, pid),
      xdp: async (frames) => runXdp(this.bpf, frames),
      // A kernel-domain component reaches lent memory directly (table.ts maps it for servers).
      mapLent: async () => {},
    };
  }

  processTable(): ProcessRecord[] {
    // A process whose exit pm never took is the kernel's to reap: a rebuilt pm must not report it again.
    return [...this.procs.values()].filter((p) => !p.exitUnreported).map((p) => ({
      pid: p.pid, ppid: p.ppid, pgid: p.pgid, sid: p.sid, uid: p.cred.uid, euid: p.cred.euid, suid: p.cred.suid,
      state: p.state === 'zombie' ? 'zombie' : 'running', name: p.name, exitCode: p.exitCode, exitSignal: p.exitSignal,
    }));
  }

  // ---- boot and the trap loop ---------------------------------------------------------

  async boot(): Promise<void> {
    this.log.log(`kernelkit ${this.config.release} booting preset ${this.config.preset} (ipc ${this.config.ipc})`);
    // The trap loop runs from the start: servers call the kernel while they initialize.
    void pollLoop({
      doorbell: this.bell,
      poll: () => this.poll(),
      spinUs: this.params.kernelSpinUs,
      host: this.platform,
      running: () => this.running,
      tick: () => { this.components.watch(); this.deadlines.tick(); this.checkCpuLimits(); if (this.sched.active) this.sched.watch(this.waiting(), performance.now()); },
      tickMs: this.params.supervisorTickMs,
      linger: this.linger,
    }).catch((e: unknown) => this.panic('kernel', e instanceof Error ? `${e.name}: ${e.message}` : String(e)));
    for (const name of this.config.components) {
      const domain = this.domainOf(name);
      const unsandboxed = this.unsandboxedWasm(name);
      const mod = this.moduleFor(name, this.wasmBuild(name) ? 'sandbox' : domain);
      if (mod === undefined) throw new Error(`boot: no component named ${name}`);
      await this.components.load(mod, domain, undefined, unsandboxed);
      this.log.log(`  ${name.padEnd(8)} ${unsandboxed ? 'kernel domain, WebAssembly unsandboxed (memory in the kernel arena, direct calls)' : domain === 'user' && this.wasmBuild(name) ? `user domain, WebAssembly in its own thread (${this.config.ipc} IPC)` : domain === 'kernel' ? 'kernel domain (direct calls)' : domain === 'sandbox' ? 'sandbox domain (WebAssembly in the kernel thread, direct calls, metered)' : `user domain (own thread, ${this.config.ipc} IPC)`}`);
    }
    if (this.config.diskDriverMount !== undefined) await this.mountDiskAtBoot(this.config.diskDriverMount);
    const { argv, env, cwd } = this.config.init;
    await this.spawn(undefined, { path: argv[0]!, argv, env, fds: [], pgid: -1 }, cwd);
    this.pool.fill();
  }

  // A disk that carries its driver, mounted before init runs. A disk the kernel refuses
  // (a bad header, a driver that fails its checks, a damaged filesystem) leaves the
  // system up without it; dmesg says why.
  private async mountDiskAtBoot(target: string): Promise<void> {
    try {
      await this.vfs.mkdir('/', target, 0o755);
    } catch (e) {
      if (!(e instanceof KernelError) || e.errno !== Errno.EEXIST) { this.log.log(`diskfs: cannot make ${target}: ${e instanceof Error ? e.message : String(e)}`); return; }
    }
    await mountDiskDriver(this, '/dev/blk0', target).catch((e: unknown) => { if (!(e instanceof KernelError)) throw e; });
  }

  private poll(): boolean {
    // Descriptors vfs's server closed or opened on the direct path reach the tables first.
    let worked = this.direct?.takeFdEvents() === true;
    if (this.components.poll()) worked = true;
    // Calls traced processes made on the direct path, told before their next syscall.
    const direct = this.direct?.takeTraced();
    if (direct !== undefined) { traceDirectCalls(this, direct); worked = true; }
    const sockets = this.directNet?.takeTraced();
    if (sockets !== undefined) { traceDirectCalls(this, sockets); worked = true; }
    if (this.pool.poll()) worked = true;
    // An eBPF scheduler chooses among the waiting processes (proc/sched.ts); else all of them, in pid order.
    if (this.sched.active) {
      for (const p of this.sched.pick(this.waiting(), performance.now())) { worked = true; this.serve(p); }
      return worked;
    }
    for (const p of this.procs.values()) {
      if (this.isWaiting(p)) { worked = true; this.serve(p); }
    }
    return worked;
  }

  private isWaiting(p: Process): boolean {
    return p.trapped && !this.inService.has(p) && p.state !== 'zombie' && p.stopSignal === 0;
  }

  /** Processes trapped in a syscall the kernel has not started serving (the scheduler's runnable set). */
  private waiting(): Process[] {
    const out: Process[] = [];
    for (const p of this.procs.values()) if (this.isWaiting(p)) out.push(p);
    return out;
  }

  private serve(p: Process): void {
    // A close or open the process made on the direct path just before this trap is in the ring.
    this.direct?.takeFdEvents();
    p.cpu.enterKernel(performance.now());
    this.inService.add(p);
    void this.dispatch(p);
  }

  private async dispatch(p: Process): Promise<void> {
    const nr = p.trapNr;
    const args = Array.from(p.regs.subarray(0, 6));
    p.syscalls++;
    const systemSince = countsAsSystemTime(p, nr, args) ? performance.now() : undefined;
    let result: number;
    const handler = SYSCALL_TABLE[nr];
    // eBPF hooks (raw_syscalls, component calls): one field test when nothing is attached.
    const bpfHooked = this.bpf.attached !== 0;
    if (bpfHooked && this.bpf.hooks['raw_syscalls/sys_enter'].length !== 0) syscallEnter(this.bpf, bpfCaller(p), nr, args);
    if (handler === undefined) {
      result = -Errno.ENOSYS;
    } else {
      try {
        // The eBPF component-call hook rides on the tracer: with a program attached, syscalls run traced.
        const sink = bpfHooked && this.bpf.hooks['kernelkit/component_call'].length !== 0 ? componentCallSink(this.bpf, this.procs, p.trace) : p.trace;
        const out = sink === undefined ? handler(this, p, args) : tracedSyscall(this, p, nr, args, handler, sink);
        // A handler that answers at once (null, getpid in the kernel domain, ...) is
        // answered in this turn: no promise to wait on, no microtask in between.
        result = typeof out === 'number' ? out : await out;
      } catch (e) {
        if (e instanceof KernelPanic) return;
        // Anything but an errno escaping a syscall is a kernel bug.
        if (!isKernelError(e)) this.panicOn(`syscall ${nr}`, e);
        result = -e.errno;
      }
    }
    this.inService.delete(p);
    if (systemSince !== undefined) p.cpu.systemMs += performance.now() - systemSince;
    if (bpfHooked && this.bpf.hooks['raw_syscalls/sys_exit'].length !== 0) syscallExit(this.bpf, bpfCaller(p), nr, result);
    if (p.dead) return;
    // The direct path's grant follows what the syscall changed (credentials, cwd).
    this.direct?.afterSyscall(p);
    p.cpu.leaveKernel(performance.now());
    // Given up for a stop: the trap stays in the page and is served again once the process runs.
    if (p.restartSyscall) { p.restartSyscall = false; return; }
    if (p.stopSignal !== 0) { p.heldResult = result; return; }
    this.linger.answered(p.complete(result));
  }

  /** RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one (called on the tick). */
  private checkCpuLimits(): void {
    const now = performance.now();
    for (const p of this.procs.values()) {
      if (p.dead) continue;
      const { soft, hard } = p.limits.get(RLIMIT.CPU);
      if (soft === Infinity && hard === Infinity) continue;
      // The host's count of the thread's CPU time where it has one; else time in user code.
      const seconds = userMs(p, now) / 1000;
      // SIGXCPU first even when soft = hard (ulimit -t sets both): it says why. SIGKILL
      // follows on a later tick for a process that survives it (ignored or handled).
      if (seconds >= soft && p.cpu.stage < 1) {
        p.cpu.stage = 1;
        this.log.log(`pid ${p.pid} (${p.name}): CPU time limit (${soft} s) exceeded`);
        this.deliver(p, Signal.SIGXCPU);
      } else if (seconds >= hard && p.cpu.stage < 2) {
        p.cpu.stage = 2;
        this.log.log(`pid ${p.pid} (${p.name}): CPU time limit (${hard} s hard) exceeded`);
        this.deliver(p, Signal.SIGKILL);
      }
    }
  }

  // ---- processes ------------------------------------------------------------------------

  /** Starts a process for `req`; `parent` undefined for init (which starts in `cwd`); others get the parent's cwd. */
  async spawn(parent: Process | undefined, req: SpawnRequest, cwd: string): Promise<number> {
    // The last processReserve slots are init's, so a runaway program cannot lock the shell out.
    const free = this.params.maxProcesses - this.procs.size - this.spawning;
    if (free <= 0) throw new KernelError(Errno.EAGAIN, 'process table full');
    if (parent !== undefined && parent.pid !== 1 && free <= this.params.processReserve) throw new KernelError(Errno.EAGAIN, 'process table full (the rest is reserved for init)');
    this.spawning++;
    try {
      return await this.spawnCounted(parent, req, cwd);
    } finally {
      this.spawning--;
    }
  }

  private spawning = 0;

  private async spawnCounted(parent: Process | undefined, req: SpawnRequest, cwd: string): Promise<number> {
    const cred: Cred = parent === undefined ? rootCred() : { ...parent.cred, groups: [...parent.cred.groups] };
    // Caller must have checked the privilege for req.user (syscall/spawn.ts).
    if (req.user !== undefined) {
      const { uid, gid, groups } = req.user;
      Object.assign(cred, { uid, euid: uid, suid: uid, gid, egid: gid, sgid: gid, groups: [...groups] });
    }
    // RLIMIT_NPROC: an ordinary user's processes are counted by pm (root is exempt).
    if (cred.uid !== 0 && cred.euid !== 0) {
      const n = await this.pm.count(cred.uid);
      if (typeof n !== 'number') throw new KernelError(Errno.EIO, 'pm returned a malformed reply');
      if (n >= this.params.maxProcessesPerUser) throw new KernelError(Errno.EAGAIN, `user ${cred.uid} has ${n} processes (maxProcessesPerUser)`);
    }
    const readExecutable = async (path: string): Promise<{ program: Uint8Array; mode: number; uid: number; gid: number }> => {
      const exe = await this.vfs.readExecutable(parent !== undefined ? await pathBase(this, parent, AT.FDCWD, path) : cwd, path, fsCred(cred, parent?.pid));
      if (typeof exe !== 'object' || exe === null || !(exe.program instanceof Uint8Array) || typeof exe.mode !== 'number' || typeof exe.uid !== 'number' || typeof exe.gid !== 'number') {
        throw new KernelError(Errno.EIO, 'vfs returned a malformed reply');
      }
      return exe;
    };
    let exe = await readExecutable(req.path);
    // An interpreter script (binfmt_script): run the `#!` line's interpreter with the
    // script's path as its argument; its own set-user-id bits are ignored, as in Linux.
    let argv = req.argv;
    for (let depth = 0, path = req.path; ; depth++) {
      const script = parseShebang(exe.program);
      if (script === undefined) break;
      if (typeof script === 'string') throw new KernelError(Errno.ENOEXEC, `${path}: ${script}`);
      if (depth === SHEBANG_DEPTH) throw new KernelError(Errno.ELOOP, `${req.path}: interpreters nested more than ${SHEBANG_DEPTH} deep`);
      argv = [script.interpreter, ...(script.arg !== undefined ? [script.arg] : []), path, ...argv.slice(1)];
      path = script.interpreter;
      exe = await readExecutable(path);
    }
    const program = exe.program;
    if (execFormat(program) === 'unknown') throw new KernelError(Errno.ENOEXEC, `${req.path}: not a kernelkit program or WebAssembly module`);
    // exec: a set-user-id (set-group-id) file runs with its owner (group) as the
    // effective id; the saved ids take the effective ones, as execve(2) does.
    if ((exe.mode & S_ISUID) !== 0) cred.euid = exe.uid;
    if ((exe.mode & S_ISGID) !== 0 && (exe.mode & 0o010) !== 0) cred.egid = exe.gid;
    cred.suid = cred.euid;
    cred.sgid = cred.egid;
    // Collect the child's descriptors first, so a bad fd fails before anything exists.
    const inherited: [number, OpenFile][] = [];
    for (const [childFd, parentFd] of req.fds) {
      if (parent === undefined) break;
      if (!Number.isInteger(childFd) || childFd < 0 || childFd >= Math.min(this.params.maxFdsPerProcess, parent.limits.soft(RLIMIT.NOFILE))) throw new KernelError(Errno.EBADF);
      inherited.push([childFd, parent.fds.get(parentFd).file]);
    }
    const name = (req.argv[0] ?? req.path).split('/').pop() ?? req.path;
    // The thread of a process that just exited is about to be ready: wait for it rather
    // than start another (proc/pool.ts). Before pm hears of the child, so that no
    // other call finds a pid pm gave out and the kernel does not know yet.
    const settling = this.pool.settling();
    if (settling !== undefined) await settling;
    // One call: pm answers with the child's group and session too (it decides them).
    const { pid, pgid, sid } = await this.pm.fork(parent?.pid ?? 0, parent === undefined ? -1 : (req.pgid ?? 0), name, { uid: cred.uid, euid: cred.euid, suid: cred.suid });
    if (this.procs.has(pid)) throw new KernelError(Errno.EIO, `pm.fork returned pid ${pid}, which is in use`);
    const page = new SharedArrayBuffer(TRAP_PAGE_BYTES);
    const userMemory = new SharedArrayBuffer(USER_MEMORY_BYTES);
    const limits = parent?.limits.clone() ?? Limits.defaults(this.params);
    const p = new Process(asPid(pid), name, argv, parent?.pid ?? 0, pgid, parent?.cwd ?? cwd, page, userMemory, this.params.maxFdsPerProcess, limits);
    p.cred = cred;
    p.sid = sid;
    // The child shares the parent's open cwd, as it shares descriptors.
    if (parent?.cwdDir !== undefined) { parent.cwdDir.refs++; p.cwdDir = parent.cwdDir; }
    for (const [childFd, file] of inherited) { file.refs++; p.fds.replace(childFd, file); }
    inherit(parent === undefined ? this.bootTrace : parent.traceChildren ?? parent.trace, p);
    if (parent === undefined) await this.openConsoleFds(p);
    this.procs.set(pid, p);
    const lease = this.pool.take(limits.soft(RLIMIT.AS));
    const thread = lease.thread;
    p.lease = lease;
    p.thread = thread;
    p.cpu.threadBaseMs = thread.cpuMs?.() ?? 0;
    thread.onExit((error) => { void this.threadExited(p, error); });
    const start: ProcessStart = {
      type: 'start', pid, argv, env: req.env, program, page, userMemory, kernelBell: this.bellMemory, spinUs: this.params.processSpinUs,
      spinners: this.params.spinningProcesses, spinProbeEvery: this.params.spinProbeEvery, sleepAfterWaking: this.params.sleepAfterWaking !== 0, direct: this.directFiles()?.attach(p), net: this.directSockets()?.attach(p),
    };
    // vfs's server may pass grants of the process's memory on (to ext2): it is lent.
    if (start.direct !== undefined) this.components.lendMemory(p.memoryId, p.userMemory);
    thread.post(start);
    return pid;
  }

  private async openConsoleFds(p: Process): Promise<void> {
    const { openFile } = await import('./fs/io.js');
    p.fds.replace(0, await openFile(this, '/', '/dev/console', 0o2, 0));
    p.fds.replace(1, await openFile(this, '/', '/dev/console', 0o2, 0));
    p.fds.replace(2, await openFile(this, '/', '/dev/ttyerr', 0o2, 0));
  }

  private async threadExited(p: Process, error: string | undefined): Promise<void> {
    if (p.dead) return;
    // The thread ended without exit(): an uncaught error in the program.
    if (error !== undefined) this.log.log(`pid ${p.pid} (${p.name}): ${error}`);
    if (error !== undefined && /memory limit/i.test(error)) {
      // The host ended it at its heap limit (RLIMIT_AS): say so where the user looks.
      const limit = p.limits.soft(RLIMIT.AS);
      const message = `${p.name}: killed: JavaScript heap over its RLIMIT_AS of ${Math.floor(limit / (1 << 20))} MiB\n`;
      this.log.log(message.trimEnd());
      try { await writeFile(this, p, p.fds.get(2).file, new TextEncoder().encode(message)); } catch { /* no stderr */ }
      await this.exitProcess(p, 0, Signal.SIGKILL);
      return;
    }
    await this.exitProcess(p, error === undefined ? 0 : 1, error === undefined ? 0 : Signal.SIGSEGV);
  }

  /**
   * Tears a process down: its thread, its descriptors; tells pm. `fromExit`: the
   * process is in its exit syscall, so its thread can be answered and reused (the
   * pool takes it back once the thread reports idle); otherwise it is terminated.
   */
  async exitProcess(p: Process, code: number, signal: number, fromExit = false): Promise<void> {
    if (p.dead) return;
    p.dead = true;
    p.state = 'zombie';
    p.exitCode = code;
    p.exitSignal = signal;
    const lease = p.lease;
    p.lease = undefined;
    p.cpu.finalUserMs = userMs(p, performance.now());
    p.thread = undefined;
    // Its direct calls are revoked before its descriptors close.
    this.direct?.detach(p);
    this.directNet?.detach(p);
    // The parent is told (pm.exit) without waiting for the thread to report idle: the
    // pool counts a parked thread as coming back, and a spawn that finds none ready
    // waits for it (proc/pool.ts), so the report overlaps the parent's next spawn.
    if (lease !== undefined) {
      if (fromExit) void this.pool.release(lease, () => p.complete(0));
      else this.pool.discard(lease);
    }
    // Its console read must not take the next line typed (it belongs to whoever reads next).
    if (p.inDeviceRead) await this.console.cancel(p.pid).catch(() => {});
    await cancelNetWaits(this, p);
    p.fds.shut();
    for (const [fd] of p.fds.list()) {
      const e = p.fds.remove(fd);
      await closeFile(this, e.file).catch(() => {});
    }
    if (p.cwdDir !== undefined) { const dir = p.cwdDir; p.cwdDir = undefined; await closeFile(this, dir).catch(() => {}); }
    this.components.forgetMemory(p.memoryId);
    if (p.trace !== undefined || p.traceChildren !== undefined) await detach(this, p, this.params.traceFlushMs);
    if (!await this.reportExit(p, code, signal)) {
      // pm never took the exit: the parent's wait is answered from the kernel's table.
      p.exitUnreported = true;
      this.log.log(`pid ${p.pid} (${p.name}): pm did not acknowledge the exit; the kernel reaps it`);
      for (const wake of this.childLost.get(p.ppid)?.splice(0) ?? []) wake();
    }
    if (p.pid === 1) { await this.halt(signal !== 0 ? 128 + signal : code); return; }
    // A zombie whose parent is gone is reaped by pm at once; drop it here too.
    const parent = this.procs.get(p.ppid);
    if (parent === undefined || parent.dead) this.procs.delete(p.pid);
    const groups = [p.pgid];
    for (const child of this.procs.values()) if (child.ppid === p.pid) { groups.push(child.pgid); child.ppid = 1; if (child.dead) this.procs.delete(child.pid); }
    // Stopped jobs nobody can continue any more are hung up (proc/orphans.ts).
    for (const pgid of groupsToHangUp(this.procs, groups)) {
      const members = [...this.procs.values()].filter((m) => !m.dead && m.pgid === pgid);
      this.log.log(`process group ${pgid} orphaned with a stopped member: SIGHUP, SIGCONT to ${members.map((m) => m.pid).join(' ')}`);
      for (const m of members) this.deliver(m, Signal.SIGHUP);
      for (const m of members) if (!m.dead) this.deliver(m, Signal.SIGCONT);
    }
  }

  /**
   * Tells pm of an exit: a malformed answer, an error or no answer within
   * pmReplyDeadlineMs is tried again, pmExitAttempts times. True once pm took it
   * (ESRCH too: pm has no record, so nothing waits on it there).
   */
  private async reportExit(p: Process, code: number, signal: number): Promise<boolean> {
    for (let attempt = 1; attempt <= this.params.pmExitAttempts; attempt++) {
      try {
        await this.deadlines.within(this.pm.exit(p.pid, code, signal), this.params.pmReplyDeadlineMs, 'pm.exit');
        return true;
      } catch (e) {
        if (isKernelError(e) && e.errno === Errno.ESRCH) return true;
        if (e instanceof KernelPanic) throw e;
        this.log.log(`pm.exit(${p.pid}) failed (attempt ${attempt}): ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return false;
  }

  /**
   * A grant of `window` (a view of `p`'s user memory) for one call: a direct reference for
   * a kernel-domain callee; a user-domain callee gets the memory mapped and the window's
   * reference (component/server.ts). The caller revokes it when the call is over.
   */
  lend(p: Process, window: Uint8Array, writable: boolean): WindowGrant {
    this.components.lendMemory(p.memoryId, p.userMemory);
    return new WindowGrant(p.umem, { grant: p.memoryId, offset: window.byteOffset, length: window.length, writable }, p.userMemory);
  }

  /**
   * The direct path (proc/direct.ts): made at the first spawn when vfs runs in the user
   * domain under shm; undefined otherwise (every call takes the kernel path).
   */
  direct: DirectFiles | undefined;
  private directChecked = false;

  private directFiles(): DirectFiles | undefined {
    if (this.directChecked) return this.direct;
    const vfs = this.components.get('vfs');
    if (vfs === undefined || vfs.domain !== 'user' || !this.components.direct || vfs.state !== 'running') return undefined;
    this.directChecked = true;
    const link = (name: string): ConstructorParameters<typeof DirectFiles>[0] | undefined => {
      const r = this.components.get(name);
      if (r === undefined || r.domain !== 'user') return undefined;
      return {
        bell: r.bell,
        generation: () => this.components.get(name)?.generation ?? 0,
        post: (m) => { const now = this.components.get(name); if (now?.state === 'running') now.server?.post(m); },
        close: name === 'vfs' ? (handle) => { void this.vfs.close(handle).catch(() => {}); } : undefined,
      };
    };
    const direct = new DirectFiles(link('vfs')!, this.params.directProcesses, this.params.directFiles, link('pm'));
    direct.serverUp();
    if (this.bpf.syscallHooked()) direct.setSlowPath(true);
    this.direct = direct;
    return direct;
  }

  private serverEvent(name: string, event: 'up' | 'down'): void {
    const direct = this.direct;
    if (name === 'vfs' && direct !== undefined) { if (event === 'up') direct.serverUp(); else direct.serverDown(); }
    if (name === 'pm' && direct !== undefined) { if (event === 'up') direct.pmUp(); else direct.pmDown(); }
    if (name === 'net' && this.directNet !== undefined) { if (event === 'up') this.directNet.serverUp(); else this.directNet.serverDown(); }
  }

  /**
   * The direct path to net (proc/direct-net.ts): made at the first spawn when net is
   * placed in the user domain under shm, whether or not it runs yet (it loads at the
   * first socket()); undefined otherwise (socket calls take the kernel path).
   */
  directNet: DirectSockets | undefined;
  private directNetChecked = false;

  private directSockets(): DirectSockets | undefined {
    if (this.directNetChecked) return this.directNet;
    this.directNetChecked = true;
    if (!this.components.direct || this.modules['net'] === undefined || this.domainOf('net') !== 'user') return undefined;
    const record = (): ReturnType<typeof this.components.get> => this.components.get('net');
    const net = new DirectSockets({
      bell: this.components.bellFor('net'),
      generation: () => record()?.generation ?? -1,
      running: () => record()?.state === 'running',
      post: (m) => { const r = record(); if (r?.state === 'running') r.server?.post(m); },
    }, this.params.directProcesses, this.params.directSockets);
    if (this.bpf.syscallHooked()) net.setSlowPath(true);
    this.directNet = net;
    net.serverUp();
    return net;
  }

  /** Wakes a parent's wait (wait.ts) when a child's exit could not be told to pm; by parent pid. */
  readonly childLost = new Map<number, (() => void)[]>();

  /** Bounded waits for component replies (ticked by the trap loop). */
  readonly deadlines = new Deadlines();

  /** Sends `sig` from process `from` (0: the kernel) to a pid or, negative, a group. */
  async signal(from: number, target: number, sig: number): Promise<void> {
    const pids = await this.pm.kill(from, target, sig);
    for (const pid of pids) {
      const p = this.procs.get(pid);
      if (p === undefined || p.dead) continue;
      this.deliver(p, sig);
    }
  }

  deliver(p: Process, sig: number): void {
    // SIGCONT resumes a stopped process whatever its disposition says (POSIX).
    if (sig === Signal.SIGCONT) this.resume(p);
    const disposition = sig === Signal.SIGKILL || sig === Signal.SIGSTOP ? SigDisposition.DEFAULT : p.dispositions[sig] ?? SigDisposition.DEFAULT;
    if (disposition === SigDisposition.IGNORE) return;
    if (disposition === SigDisposition.HANDLE) { p.setSignalPending(sig); return; }
    if (defaultIgnored(sig)) return;
    if (stopsByDefault(sig)) { this.stop(p, sig); return; }
    this.log.log(`pid ${p.pid} (${p.name}) killed by ${signalName(sig)}`);
    void this.exitProcess(p, 0, sig);
  }

  /**
   * Stops `p` (job control): its next trap waits, the answer of a syscall in flight is
   * held, and a terminal read gives the terminal up. Init never stops: nothing could
   * continue it, as Linux's init gets only the signals it handles.
   */
  private stop(p: Process, sig: number): void {
    if (p.pid === 1 || p.dead || p.stopSignal !== 0) return;
    p.stopSignal = sig;
    p.suspendRead?.();
    this.log.log(`pid ${p.pid} (${p.name}) stopped by ${signalName(sig)}`);
    void this.pm.stopped(p.pid, sig).catch(() => {});
  }

  /** Continues a stopped `p`: a held answer is given; a trap waiting in its page is served at the next poll. */
  private resume(p: Process): void {
    if (p.dead || p.stopSignal === 0) return;
    p.stopSignal = 0;
    const held = p.heldResult;
    p.heldResult = undefined;
    if (held !== undefined) p.complete(held);
    this.bell.ring(); // the trap loop looks again at once
    void this.pm.stopped(p.pid, 0).catch(() => {});
  }

  // ---- the machine --------------------------------------------------------------------------

  panic(component: string, cause: string): never {
    if (!this.halted) {
      this.halted = true;
      this.running = false;
      for (const p of this.procs.values()) { p.dead = true; p.thread?.terminate(); }
      this.platform.panic(`kernel panic: ${component}: ${cause}`);
    }
    throw new KernelPanic(component, cause);
  }

  /** Panics for an unexpected exception `e` (not an errno). */
  panicOn(where: string, e: unknown): never {
    if (e instanceof KernelPanic) throw e;
    // An injected crash names the component it fired in (kernel-domain calls are direct:
    // nothing wraps them to say who failed).
    if (e instanceof InjectedCrash) return this.panic(e.component, `${e.name}: ${e.message}`);
    return this.panic(where, e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }

  async halt(status: number): Promise<void> {
    if (this.halted) return;
    this.halted = true;
    this.log.log(`halting (status ${status})`);
    const leaks = await this.leakReport();
    this.log.log(`at halt: ${leaks.processes} processes still running, ${leaks.openFiles} vfs handles open, ${leaks.ipcInFlight} IPC calls in flight`);
    for (const p of this.procs.values()) { p.dead = true; p.thread?.terminate(); }
    try { await this.vfs.sync(); } catch { /* best effort: the disk may be gone */ }
    // NOTE: the trap loop keeps running through shutdown: unmounting ext2 in a
    // kernel-domain vfs still writes through a user-domain blk, whose replies it polls.
    await this.components.shutdownAll();
    this.running = false;
    this.timers.stop();
    this.pool.shutdown();
    this.platform.halt(status, leaks);
  }

  /** What is still held when the system halts: every test ends by checking it is nothing. */
  async leakReport(): Promise<LeakReport> {
    const processes = [...this.procs.values()].filter((p) => !p.dead).length;
    let openFiles = -1;
    try { const n = await this.vfs.openCount(); if (typeof n === 'number') openFiles = n; } catch { /* vfs gone */ }
    return { processes, openFiles, ipcInFlight: this.components.inFlight() };
  }

  uptimeMs(): number { return performance.now() - this.bootedAt; }

  /** For ThreadPool users that need a raw thread (lab). */
  takeThread(): ThreadHandle { return this.pool.take().thread; }

  /** Process threads started, reused and discarded (sysinfo THREADS). */
  threadStats(): ThreadStats { return this.pool.stats(); }
}

/** Thrown through the stack after a panic was reported, so nothing carries on. */
export class KernelPanic extends Error {
  constructor(readonly component: string, readonly reason: string) { super(`kernel panic: ${component}: ${reason}`); this.name = 'KernelPanic'; }
}

export const REGS_OFFSET = TRAP_REGS_OFFSET;

/** Who a hook's program sees as the current task. */
export function bpfCaller(p: Process): { pid: number; uid: number; gid: number; comm: string } {
  return { pid: p.pid, uid: p.cred.uid, gid: p.cred.gid, comm: p.name };
}
