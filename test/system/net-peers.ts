// Helpers for system tests whose peers are host programs: a `kernelkit run` child
// whose output is watched while the test talks to it, a free port on the host's
// loopback, and a bounded wait for a line.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const kernelkitBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');
export const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Machine { proc: ChildProcess; out: () => string; err: () => string; status: Promise<number> }

/** `kernelkit run ARGS -- LINE`, its stdin left open (a line ending in `cat > /dev/null` runs until stop()). */
export function start(args: string[], line: string): Machine {
  const proc = spawn(process.execPath, [kernelkitBin, 'run', ...args, '--', line], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [], err: Buffer[] = [];
  proc.stdout!.on('data', (d: Buffer) => out.push(d));
  proc.stderr!.on('data', (d: Buffer) => err.push(d));
  const status = new Promise<number>((r) => proc.on('exit', (code) => r(code ?? 128)));
  return { proc, out: () => Buffer.concat(out).toString(), err: () => Buffer.concat(err).toString(), status };
}

/** Waits until the machine's stdout (or stderr) matches `pattern`, at most `ms`. */
export async function waitFor(m: Machine, pattern: RegExp, ms: number, stream: 'out' | 'err' = 'out'): Promise<RegExpExecArray> {
  for (let t = 0; t < ms; t += 100) {
    const hit = pattern.exec(stream === 'out' ? m.out() : m.err());
    if (hit !== null) return hit;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${pattern} within ${ms} ms\nstdout:\n${m.out()}\nstderr:\n${m.err()}`);
}

/** Ends the machine's stdin and waits for its status (killed after 30 s). */
export async function stop(m: Machine): Promise<number> {
  m.proc.stdin!.end();
  const t = setTimeout(() => m.proc.kill('SIGKILL'), 30_000);
  const s = await m.status;
  clearTimeout(t);
  return s;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
