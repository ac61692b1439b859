// getuid: the real user id (the kernel keeps credentials; pm mirrors the user ids).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';

export function sysGetuid(_k: Kernel, p: Process): number { return p.cred.uid; }
