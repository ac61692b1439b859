// getegid: the effective group id.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';

export function sysGetegid(_k: Kernel, p: Process): number { return p.cred.egid; }
