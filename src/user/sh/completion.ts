// What Tab completes at the prompt (line-editor.ts asks): in a command's place, the
// names of builtins, functions, aliases and the programs in $PATH; elsewhere, or for a
// word with a '/', paths (directories end in '/'). The filesystem is reached through a
// small interface so the rules are tested without a kernel.

import type { Completion } from './line-editor.js';

export interface DirEntryInfo { name: string; dir: boolean; executable: boolean }

export interface CompletionSources {
  /** The entries of directory `path` whose names start with `prefix`, or undefined if it cannot be read. */
  list(path: string, prefix: string): DirEntryInfo[] | undefined;
  /** Builtins, functions and aliases. */
  commandNames(): Iterable<string>;
  path(): string;
}

const SEPARATORS = new Set([' ', '\t', ';', '|', '&', '(', ')', '<', '>']);
const COMMAND_LEAD = /(^|[;|&(!]|\b(then|do|else|elif|if|while|until))\s*$/;

export function complete(before: string, sources: CompletionSources): Completion {
  let start = before.length;
  while (start > 0 && !SEPARATORS.has(before[start - 1]!)) start--;
  const word = before.slice(start);
  const commandPlace = COMMAND_LEAD.test(before.slice(0, start));
  if (commandPlace && !word.includes('/')) return { start, candidates: commands(word, sources) };
  return { start, candidates: paths(word, sources) };
}

function commands(prefix: string, sources: CompletionSources): string[] {
  const found = new Set<string>();
  for (const name of sources.commandNames()) if (name.startsWith(prefix)) found.add(name);
  for (const dir of sources.path().split(':')) {
    for (const e of sources.list(dir === '' ? '.' : dir, prefix) ?? []) {
      if (!e.dir && e.executable && e.name.startsWith(prefix)) found.add(e.name);
    }
  }
  return [...found].sort();
}

function paths(word: string, sources: CompletionSources): string[] {
  const slash = word.lastIndexOf('/');
  const dirPart = slash < 0 ? '' : word.slice(0, slash + 1);
  const base = word.slice(slash + 1);
  const entries = sources.list(dirPart === '' ? '.' : dirPart, base) ?? [];
  return entries
    .filter((e) => e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
    .map((e) => dirPart + e.name + (e.dir ? '/' : ''))
    .sort();
}
