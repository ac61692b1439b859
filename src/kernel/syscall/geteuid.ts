// geteuid: the effective user id, which permission checks use.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';

export function sysGeteuid(_k: Kernel, p: Process): number { return p.cred.euid; }
