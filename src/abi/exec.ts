// Executable formats the process runtime accepts (the binfmt list):
// - a kernelkit program: the header line below, then a script (not an ES module)
//   that sets `exports.main = function (argv, env) { ... }` (or `module.exports`);
//   it runs in the program sandbox, whose only way out is the syscall trap
//   (user/runtime/sandbox.ts, docs/security.md). The build bundles /bin this way
//   (esbuild format cjs);
// - a WebAssembly module (magic "\0asm") run through the WASI preview1 layer;
// - an interpreter script: `#!INTERPRETER [ARG]` on the first line; the kernel runs
//   INTERPRETER [ARG] SCRIPT ARGS... instead (kernel.ts spawn, as Linux's binfmt_script).

export const executableHeader = '#!kernelkit-js\n';
export const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d] as const;

export type ExecFormat = 'js' | 'wasm' | 'unknown';

export function execFormat(bytes: Uint8Array): ExecFormat {
  if (bytes.length >= 4 && WASM_MAGIC.every((b, i) => bytes[i] === b)) return 'wasm';
  const header = new TextEncoder().encode(executableHeader);
  if (bytes.length >= header.length && header.every((b, i) => bytes[i] === b)) return 'js';
  return 'unknown';
}

/** The longest `#!` line read, as Linux's BINPRM_BUF_SIZE: a longer one is refused. */
export const SHEBANG_MAX = 256;
/** Interpreters that are scripts themselves, followed at most this deep (Linux: 4). */
export const SHEBANG_DEPTH = 4;

/**
 * An interpreter script's `#!` line (binfmt_script): the interpreter's path and at
 * most one argument (the rest of the line, trimmed, as Linux passes it). Undefined
 * when `bytes` is not such a script (a kernelkit program's header is not one);
 * a string naming what is wrong when the line is malformed.
 */
export function parseShebang(bytes: Uint8Array): { interpreter: string; arg?: string } | string | undefined {
  if (bytes.length < 2 || bytes[0] !== 0x23 || bytes[1] !== 0x21 || execFormat(bytes) !== 'unknown') return undefined;
  const end = bytes.subarray(0, SHEBANG_MAX).indexOf(0x0a);
  if (end < 0 && bytes.length > SHEBANG_MAX) return `the #! line is longer than ${SHEBANG_MAX - 1} bytes`;
  const line = new TextDecoder().decode(bytes.subarray(2, end < 0 ? bytes.length : end)).replace(/\r$/, '').trim();
  if (line === '') return 'the #! line names no interpreter';
  const space = line.search(/[ \t]/);
  if (space < 0) return { interpreter: line };
  const arg = line.slice(space).trim();
  return arg === '' ? { interpreter: line.slice(0, space) } : { interpreter: line.slice(0, space), arg };
}
