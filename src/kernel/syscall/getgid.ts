// getgid: the real group id.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';

export function sysGetgid(_k: Kernel, p: Process): number { return p.cred.gid; }
