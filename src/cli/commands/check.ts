// kernelkit check CHAPTER: checks a tutorial exercise (docs/tutorial/) inside a booted
// kernelkit and says PASS or FAIL with the reason (src/lab/tutorial.ts). Status 0 on
// PASS, 1 on FAIL, 2 for a chapter or preset that does not exist.
import type { Command } from 'commander';
import { presetNames } from '../../hosts/presets.js';
import { CHAPTERS, runCheck } from '../../lab/tutorial.js';
import { UsageError, type StatusSink } from '../usage.js';

export function register(program: Command, status: StatusSink): void {
  program.command('check')
    .description(`check a tutorial exercise inside a booted kernelkit: ${Object.keys(CHAPTERS).join(', ')} (docs/tutorial/)`)
    .argument('<chapter>', 'the exercise to check')
    .option('--preset <name>', 'the system to check it on', 'monolithic')
    .option('--work <dir>', 'where your answers are', 'tutorial-work')
    .action(async (chapter: string, opts: { preset: string; work: string }) => {
      if (CHAPTERS[chapter] === undefined) throw new UsageError(`no exercise '${chapter}' (there are: ${Object.keys(CHAPTERS).join(', ')})`);
      if (!presetNames().includes(opts.preset)) throw new UsageError(`unknown preset '${opts.preset}' (known: ${presetNames().join(', ')})`);
      const r = await runCheck(chapter, opts.preset, opts.work);
      process.stdout.write(`${chapter} (${opts.preset}): ${r.pass ? 'PASS' : 'FAIL'}: ${r.reason}\n`);
      status.set(r.pass ? 0 : 1);
    });
}
