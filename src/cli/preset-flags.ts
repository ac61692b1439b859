// One spelling for every command: a command that takes a list of presets declares
// --presets, one that takes a single preset --preset; each also answers to the other
// name. Rewrites the command line (up to a "--") before commander sees it.

import type { Command } from 'commander';

/** `argv` with --preset/--presets renamed to what the addressed (sub)command declares. */
export function samePresetFlags(program: Command, argv: readonly string[]): string[] {
  let command: Command | undefined = program;
  let i = 0;
  for (; i < argv.length; i++) {
    const next: Command | undefined = command.commands.find((c) => c.name() === argv[i] || c.aliases().includes(argv[i] as string));
    if (next === undefined) break;
    command = next;
  }
  const longs = new Set(command.options.map((o) => o.long));
  const wanted = longs.has('--presets') ? '--presets' : longs.has('--preset') ? '--preset' : undefined;
  if (wanted === undefined) return [...argv];
  const other = wanted === '--preset' ? '--presets' : '--preset';
  const end = argv.indexOf('--');
  return argv.map((a, k) => {
    if (end >= 0 && k > end) return a;
    if (a === other) return wanted;
    if (a.startsWith(other + '=')) return wanted + a.slice(other.length);
    return a;
  });
}
