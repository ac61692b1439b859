// The command groups beyond presets/run/boot; each file registers its own commands.
import type { Command } from 'commander';
import type { StatusSink } from '../usage.js';
import { register as fs } from './fs.js';
import { register as demo } from './demo.js';
import { register as wasi } from './wasi.js';
import { register as benchWasi } from './bench-wasi.js';
import { register as benchExt } from './bench-ext.js';
import { register as benchFs } from './bench-fs.js';
import { register as benchNet } from './bench-net.js';
import { register as bench } from './bench.js';
import { register as lab } from './lab.js';
import { register as faults } from './faults.js';
import { register as web } from './web.js';
import { register as check } from './check.js';

export type Register = (program: Command, status: StatusSink) => void;

export const COMMANDS: Register[] = [demo, bench, lab, fs, wasi, benchWasi, benchFs, benchNet, benchExt, faults, web, check];
