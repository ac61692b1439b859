// Runs the kernelkit command as a child process (the CLI contract the lab tests use).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../src/hosts/node/machine.js';

export interface CliResult { status: number; stdout: string; stderr: string }

export function kernelkit(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(packageRoot, 'bin/kernelkit.js'), ...args], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}
