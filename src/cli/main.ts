// The kernelkit command. Subcommands: presets, run, boot, bench, mkfs, fsck, wasi-test,
// lab, faults. Unknown presets, bad placements and bad flags: one line on stderr,
// exit status 2.

import { samePresetFlags } from './preset-flags.js';
import { Command, CommanderError, Option } from 'commander';
import { presetNames, loadPreset, placementFor, TRANSPORTS, type TransportName } from '../hosts/presets.js';
import { runMachine, EXIT_PANIC, ImageInUseError } from '../hosts/node/machine.js';

import fs from 'node:fs';
import path from 'node:path';
import { COMMANDS } from './commands/index.js';
import { UsageError } from './usage.js';
import { runConfined } from './confine.js';
import { netOptions, netFromFlags, nicPort, listenEnv, NIC_FD } from './net-flags.js';
import { openNet } from '../hosts/node/net/backends.js';
import { streamPort, joinPorts, type FramePort } from '../hosts/node/net/frame-port.js';

function bootOptions(cmd: Command): Command {
  return cmd
    .option('--preset <name>', 'system image: monolithic, microkernel, hybrid, ...', 'monolithic')
    .option('--place <list>', 'override placements, e.g. blk=user,vfs=kernel')
    .addOption(new Option('--ipc <transport>', 'IPC transport between domains').choices([...TRANSPORTS]))
    .option('--disk <image>', 'a disk image for the block device: ext2 (mounted as /), or one that carries its own filesystem driver (mounted at /disk)')
    .option('--pin <sha256>', "load a disk's embedded filesystem driver only if its SHA-256 is this")
    .option('--mount <share>', 'share a host directory: HOSTDIR:GUESTDIR[:ro] (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--verbose', 'print the boot log and kernel messages on stderr', false)
    .option('--user <name>', 'run the shell as this user from /etc/passwd (default: root), through su');
}

function resolve(opts: { preset: string; place?: string; ipc?: TransportName; disk?: string }): { preset: string; placement: Record<string, 'kernel' | 'user' | 'sandbox' | 'kernel-wasm' | 'user-wasm'>; ipc: TransportName } {
  if (opts.disk !== undefined) checkDisk(opts.disk);
  let preset;
  try { preset = loadPreset(opts.preset); } catch (e) { throw new UsageError((e as Error).message); }
  let placement;
  try { placement = placementFor(preset, opts.place); } catch (e) { throw new UsageError((e as Error).message); }
  return { preset: preset.name, placement, ipc: opts.ipc ?? preset.ipc };
}

/** A --disk image must be a readable and writable regular file (one line, status 2, otherwise). */
function checkDisk(image: string): void {
  let st: fs.Stats;
  try { st = fs.statSync(image); } catch { throw new UsageError(`--disk ${image}: no such file (make one with: kernelkit mkfs ${image} --size 64M)`); }
  if (!st.isFile()) throw new UsageError(`--disk ${image}: not a regular file`);
  try { fs.accessSync(image, fs.constants.R_OK | fs.constants.W_OK); } catch { throw new UsageError(`--disk ${image}: not readable and writable by this user`); }
}

/** --pin: 64 hex digits. */
function pinOption(pin: string | undefined): { diskDriverPin?: string } {
  if (pin === undefined) return {};
  if (!/^[0-9a-f]{64}$/i.test(pin)) throw new UsageError(`bad --pin '${pin}': expected a SHA-256 in hex (64 digits)`);
  return { diskDriverPin: pin.toLowerCase() };
}

/** This package's version (package.json beside dist/). */
function version(): string {
  try { return (JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version; } catch { return 'unknown'; }
}

/** A --user name: the guest's su looks it up in /etc/passwd; here only its form is checked. */
function checkUser(name: string): string {
  if (!/^[a-z_][a-z0-9_-]*$/i.test(name)) throw new UsageError(`bad --user '${name}': expected a user name from /etc/passwd, e.g. user`);
  return name;
}

/** Parses --mount values: HOSTDIR:GUESTDIR[:ro]; the host directory must exist. */
function parseMounts(values: string[] | undefined): { host: string; guest: string; readOnly: boolean }[] {
  return (values ?? []).map((v) => {
    const m = /^(.+?):(\/[^:]*)(?::(ro|rw))?$/.exec(v);
    if (m === null) throw new UsageError(`bad --mount '${v}': expected HOSTDIR:GUESTDIR[:ro], GUESTDIR absolute`);
    const host = path.resolve(m[1]!);
    if (!fs.existsSync(host) || !fs.statSync(host).isDirectory()) throw new UsageError(`bad --mount '${v}': ${host} is not a directory`);
    if (m[2] === '/') throw new UsageError(`bad --mount '${v}': a share cannot replace the root`);
    return { host, guest: m[2]!, readOnly: m[3] === 'ro' };
  });
}

/** Where the network back ends' messages go: stderr with --verbose; failures always. */
function netLog(verbose: boolean): (line: string) => void {
  return (line) => { if (verbose || line.startsWith('error:')) process.stderr.write(`${verbose ? 'host: ' : 'kernelkit: '}${line}\n`); };
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('kernelkit')
    .description('one small Unix-like OS, booted as a monolithic kernel, a microkernel or a hybrid')
    .version(version(), '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError(false)
    // One line per error, and commander's "(Did you mean ...?)" for a mistyped command or flag.
    .configureOutput({ writeErr: (s) => process.stderr.write(s.split('\n').filter((l, i) => i === 0 || l.startsWith('(Did you mean')).join('\n').trimEnd() + '\n') });
  let status = 0;

  program.command('presets').description('list presets and where each component runs').action(() => {
    for (const name of presetNames()) {
      const p = loadPreset(name);
      const placement = Object.entries(p.placement).map(([c, d]) => `${c}=${d}`).join(' ');
      process.stdout.write(`${p.name.padEnd(12)} ${placement}  (${p.description})\n`);
    }
  });

  netOptions(bootOptions(program.command('run').description('boot, run a command line in sh, halt; exit with its status').argument('<line...>', "the command line, after '--'")))
    .option('--trace', 'print each syscall and the IPC hops it caused on stderr (docs/userland.md, "trace")', false)
    .option('--trace-json', 'the same events as JSON lines', false)
    .option('--trace-file <file>', 'write the trace to this host file instead of stderr')
    .action(async (line: string[], opts) => {
      const r = resolve(opts);
      const mounts = parseMounts(opts.mount);
      const network = netFromFlags(opts);
      const initEnv = listenEnv(opts.listen);
      const init = opts.user === undefined ? ['/bin/sh', '-c', line.join(' ')] : ['/bin/su', checkUser(opts.user), '-c', line.join(' ')];
      const trace = opts.traceJson === true ? 'json' as const : opts.trace === true || opts.traceFile !== undefined ? 'text' as const : undefined;
      const traceFile = opts.traceFile === undefined ? undefined : path.resolve(opts.traceFile as string);
      // Made here, so that the confined machine needs write access to this one file only.
      if (traceFile !== undefined && (process as { permission?: unknown }).permission === undefined) {
        try { fs.writeFileSync(traceFile, ''); } catch (e) { throw new UsageError(`--trace-file ${traceFile}: ${(e as Error).message}`); }
      }
      // NOTE: Node 20's permission model disables fsync, which a disk's flush needs:
      // with --disk the machine runs unconfined (docs/security.md).
      let wire: FramePort | undefined;
      const confined = opts.disk === undefined ? runConfined(argv, {
        read: mounts.map((m) => m.host),
        write: [...mounts.filter((m) => !m.readOnly).map((m) => m.host), ...(traceFile === undefined ? [] : [traceFile])],
      }, network === undefined ? undefined : {
        fd: NIC_FD,
        attach: (pipe) => {
          const chain = openNet(network.options, netLog(opts.verbose === true));
          wire = chain;
          // The machine's device sends large segments whole over the pipe only when the
          // chain here carries them (a switch with no pcap or impairment stage).
          const cable = streamPort(pipe, () => chain.close(), chain.sendLarge === undefined ? undefined : 'answer');
          joinPorts(cable, chain);
        },
      }) : undefined;
      // NOTE: the child's exit may come before its pipe's end: the back end is closed
      // here too, so it leaves the switch (and logs) before this process exits.
      if (confined !== undefined) { status = await confined; wire?.close(); return; }
      const traceFd = traceFile === undefined ? undefined : fs.openSync(traceFile, 'a');
      try {
        status = await runMachine({
          ...r, disk: opts.disk, mounts, verbose: opts.verbose, init, trace, ...pinOption(opts.pin), ...(initEnv === undefined ? {} : { initEnv }),
          ...(network === undefined ? {} : { nic: { mac: network.mac, port: nicPort(network.options, netLog(opts.verbose === true)), ...network.ip, offload: network.offload } }),
          ...(traceFd === undefined ? {} : { onTrace: (l: string) => { fs.writeSync(traceFd, l + '\n'); } }),
        });
      } finally {
        if (traceFd !== undefined) fs.closeSync(traceFd);
      }
    });

  netOptions(bootOptions(program.command('boot').description('boot to an interactive shell')))
    .option('--login', 'ask for a user name first (runs /bin/login as init)', false)
    .action(async (opts) => {
      const r = resolve(opts);
      if (opts.login === true && opts.user !== undefined) throw new UsageError('--login and --user exclude each other');
      const init = opts.login === true ? ['/bin/login'] : opts.user === undefined ? ['/bin/sh', '-i'] : ['/bin/su', '-l', checkUser(opts.user)];
      const network = netFromFlags(opts);
      const initEnv = listenEnv(opts.listen);
      status = await runMachine({
        ...r, disk: opts.disk, mounts: parseMounts(opts.mount), verbose: opts.verbose, interactive: true, init, ...pinOption(opts.pin), ...(initEnv === undefined ? {} : { initEnv }),
        ...(network === undefined ? {} : { nic: { mac: network.mac, port: nicPort(network.options, netLog(opts.verbose === true)), ...network.ip, offload: network.offload } }),
      });
    });

  // Each command group registers itself from its own file in commands/.
  const status_ = { set: (n: number) => { status = n; } };
  for (const register of COMMANDS) register(program, status_);

  // A bare `kernelkit`: what it can do.
  if (argv.length === 0) { process.stdout.write(program.helpInformation()); return 0; }
  try {
    await program.parseAsync(samePresetFlags(program, argv), { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
      return 2;
    }
    if (e instanceof UsageError) { process.stderr.write(`kernelkit: ${e.message}\n`); return 2; }
    if (e instanceof ImageInUseError) { process.stderr.write(`kernelkit: ${e.message}\n`); return 1; }
    throw e;
  }
  return status;
}

export { EXIT_PANIC };
