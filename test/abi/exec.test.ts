import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseShebang, executableHeader, SHEBANG_MAX } from '../../src/abi/exec.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('#! lines: the interpreter and at most one argument, the rest of the line as Linux passes it', () => {
  assert.deepEqual(parseShebang(bytes('#!/bin/sh\necho hi\n')), { interpreter: '/bin/sh' });
  assert.deepEqual(parseShebang(bytes('#! /bin/sh -e\n')), { interpreter: '/bin/sh', arg: '-e' });
  assert.deepEqual(parseShebang(bytes('#!/bin/sh -e -x  \r\n')), { interpreter: '/bin/sh', arg: '-e -x' });
  assert.deepEqual(parseShebang(bytes('#!/bin/sh')), { interpreter: '/bin/sh' });
});

test('#! lines that are not scripts, or malformed ones', () => {
  assert.equal(parseShebang(bytes(`${executableHeader}exports.main = () => 0;`)), undefined, 'a kernelkit program');
  assert.equal(parseShebang(new Uint8Array([0, 0x61, 0x73, 0x6d])), undefined, 'a WebAssembly module');
  assert.equal(parseShebang(bytes('echo hi\n')), undefined);
  assert.equal(parseShebang(bytes('#!\n')), 'the #! line names no interpreter');
  assert.equal(parseShebang(bytes(`#!/bin/${'x'.repeat(SHEBANG_MAX)}\n`)), `the #! line is longer than ${SHEBANG_MAX - 1} bytes`);
});
