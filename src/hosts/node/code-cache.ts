// A thread's bundle compiled with V8's code cache. A server thread starts from one
// CommonJS file holding its whole program (scripts/build.mjs); the build compiles it
// once and keeps what V8 made of it (`FILE.cache`), so a new thread deserializes that
// instead of parsing half a megabyte of JavaScript again. Measured here: a server
// thread's start 35 -> 27 ms of CPU (blk; an empty Worker is 21-24, Node's own). A
// cache that is not for this very source, or that V8 does not accept (another Node,
// other flags), is ignored and the file compiled from its source, as without one.
// NOTE: the cache starts with the SHA-256 of the source it was made from. V8 checks
// only the source's length: a same-length edit would otherwise run the old code.

import crypto from 'node:crypto';
import fs from 'node:fs';
import vm from 'node:vm';

const HASH_BYTES = 32;
const sha256 = (text: string): Buffer => crypto.createHash('sha256').update(text).digest();

/** The CommonJS wrapper around a bundle's source, the same for the build and the thread (the cache is checked against it). */
const wrap = (source: string): string => `(function (exports, require, module, __filename, __dirname) {${source}\n})`;

type CommonJsBody = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

/** Compiles `file` (a CommonJS bundle) with `file.cache` if V8 takes it; `cached` says whether it did. */
export function compileBundle(file: string): { body: CommonJsBody; cached: boolean } {
  const code = wrap(fs.readFileSync(file, 'utf8'));
  let cachedData: Buffer | undefined;
  try {
    const saved = fs.readFileSync(`${file}.cache`);
    if (saved.length > HASH_BYTES && saved.subarray(0, HASH_BYTES).equals(sha256(code))) cachedData = saved.subarray(HASH_BYTES);
  } catch { /* no cache: from source */ }
  const script = new vm.Script(code, { filename: file, ...(cachedData !== undefined ? { cachedData } : {}) });
  return { body: script.runInThisContext() as CommonJsBody, cached: cachedData !== undefined && !script.cachedDataRejected };
}

/** Writes `file.cache`: V8's code for the bundle's top level (the build's step; NOTE: the functions a thread runs later are compiled when first called, as without a cache). */
export function writeBundleCache(file: string): number {
  const code = wrap(fs.readFileSync(file, 'utf8'));
  const data = Buffer.concat([sha256(code), new vm.Script(code, { filename: file }).createCachedData()]);
  fs.writeFileSync(`${file}.cache`, data);
  return data.length;
}
