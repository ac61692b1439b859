// Entry point of a server thread on Node when the build made its CommonJS bundle
// (threads.ts): runs the bundle named in workerData.entry, compiled with the code
// cache the build made for it (code-cache.ts). The bundle itself reads the rest of
// workerData, as when it is the entry point.
import path from 'node:path';
import { workerData } from 'node:worker_threads';
import { compileBundle } from './code-cache.js';

const entry = (workerData as { entry?: unknown } | undefined)?.entry;
if (typeof entry !== 'string') throw new Error('thread-loader: no bundle named in workerData.entry');
const mod = { exports: {} };
compileBundle(entry).body(mod.exports, require, mod, entry, path.dirname(entry));
