// Defence in depth for `kernelkit run`: the machine runs in a child node process under
// Node's permission model, which may read only the kernelkit tree (the compiled
// system, the initramfs, its packages) and the shares, may write only the writable
// shares, and may start no child process (it may start Workers: every thread of the
// machine is one). Not with --disk: Node 20 disables fsync under the model. The program sandbox
// (user/runtime/sandbox.ts) is the boundary; this is the second wall, for the day a
// program finds a way through the first (docs/security.md, "Programs").
//
// KERNELKIT_UNCONFINED=1 runs the machine in this process instead (a debugger).

import { spawn, type StdioOptions } from 'node:child_process';
import type { Duplex } from 'node:stream';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** What the machine may touch besides the kernelkit tree. */
export interface HostAccess { read: string[]; write: string[] }

/**
 * Runs this command again in a confined child and resolves to its exit status, or
 * returns undefined when the machine should run here (already confined, or
 * confinement turned off).
 */
export function runConfined(argv: string[], access: HostAccess, cable?: { fd: number; attach(stream: Duplex): void }): Promise<number> | undefined {
  if ((process as { permission?: unknown }).permission !== undefined) { watchParent(); return undefined; }
  if (process.env.KERNELKIT_UNCONFINED === '1') return undefined;
  // Each path also as its real path: the host side resolves symlinks (a share, the
  // packages) before it opens anything.
  const both = (paths: string[]): string[] => [...new Set(paths.flatMap((p) => {
    try { return [p, fs.realpathSync(p)]; } catch { return [p]; }
  }))];
  // NOTE: the hostfs back end reaches share files through /proc/self/fd/N/NAME (one
  // component at a time beneath an open directory, hosts/node/hostfs-backend.ts), and
  // the permission model checks that path as written, so /proc/self/fd is granted
  // when there are shares (for writing too when one is writable). The model is a
  // second wall behind the program sandbox; docs/security.md says what this opens.
  const viaFds = access.read.length > 0 ? ['/proc/self/fd'] : [];
  const read = outermost(both([root, path.join(root, 'node_modules'), ...access.read, ...viaFds]));
  const write = outermost(both([...access.write, ...(access.write.length > 0 ? viaFds : [])]));
  const flags = [
    '--experimental-permission', '--allow-worker',
    '--disable-warning=ExperimentalWarning', '--disable-warning=SecurityWarning',
    // NOTE: one flag per path: Node 20 takes a comma in the value as part of the path.
    ...read.map((p) => `--allow-fs-read=${p}`),
    ...write.map((p) => `--allow-fs-write=${p}`),
  ];
  return new Promise<number>((resolve, reject) => {
    // A network back end stays here, outside the confinement; the machine gets a pipe as its NIC's cable.
    const stdio: StdioOptions = cable === undefined ? 'inherit' : ['inherit', 'inherit', 'inherit', ...Array<'ignore'>(cable.fd - 3).fill('ignore'), 'pipe'];
    const env = { ...process.env, KERNELKIT_PARENT_PID: String(process.pid), ...(cable === undefined ? {} : { KERNELKIT_NIC_FD: String(cable.fd) }) };
    const child = spawn(process.execPath, [...flags, path.join(root, 'bin/kernelkit.js'), ...argv], { stdio, env });
    if (cable !== undefined) cable.attach(child.stdio[cable.fd] as Duplex);
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal !== null ? 128 + (signalNumber(signal) ?? 1) : 1)));
  });
}

/** How often the confined child checks that the process that started it is still there (ms). */
const PARENT_CHECK_MS = 1000;

/**
 * In the confined child: ends it (status 129, as a hangup) once the process that
 * started it is gone. That process can be killed with a signal it cannot catch or pass
 * on (SIGKILL), and the machine would then run on with nobody to read its output or
 * end it: a guest waiting for a connection that never comes ran for good.
 */
function watchParent(): void {
  const parent = Number(process.env.KERNELKIT_PARENT_PID);
  if (!Number.isInteger(parent) || parent <= 1) return;
  setInterval(() => {
    if (process.ppid === parent) return;
    process.stderr.write('kernelkit: the process that started this machine is gone; stopping it\n');
    process.exit(129);
  }, PARENT_CHECK_MS).unref();
}

/**
 * The paths not inside another of them, each once. A directory's grant covers what is
 * beneath it, and Node 20 refuses (or aborts on) a grant list that names a directory
 * twice or a directory and a path beneath it (a share of the package's own tree).
 */
export function outermost(paths: string[]): string[] {
  const norm = [...new Set(paths.map((p) => path.resolve(p)))];
  return norm.filter((p) => !norm.some((q) => q !== p && (q === '/' || p.startsWith(q + '/'))));
}

function signalNumber(name: string): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 } as Record<string, number>)[name];
}
