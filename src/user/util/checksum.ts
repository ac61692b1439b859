// The command line shared by sha256sum and md5sum: "DIGEST  NAME" per file ("-" for
// stdin), and -c FILE to check such a list ("NAME: OK" / "NAME: FAILED", status 1
// when any failed).
import { run, stdout, complain, errorText } from './io.js';
import { parseArgs } from './args.js';
import { readInput, latin1, textLines } from './bytes.js';

export function checksumMain(prog: string, argv: readonly string[], digest: (data: Uint8Array) => string, algorithm: string): number {
  return run(prog, () => {
    const args = parseArgs(argv.slice(1), { flags: 'cbtw', long: { check: 'c', binary: 'b', text: 't', status: 's', warn: 'w' } });
    const files = args.operands.length > 0 ? args.operands : ['-'];
    let status = 0;
    if (!args.flags.has('c')) {
      for (const f of files) {
        try {
          stdout.line(`${digest(readInput(f))}  ${f}`);
        } catch (e) {
          complain(prog, errorText(e, f));
          status = 1;
        }
      }
      return status;
    }
    let bad = 0;
    for (const list of files) {
      let lines: string[];
      try { lines = textLines(latin1(readInput(list))); } catch (e) { complain(prog, errorText(e, list)); status = 1; continue; }
      let good = 0;
      for (const line of lines) {
        const m = /^([0-9a-fA-F]+) [ *](.*)$/.exec(line);
        if (m === null) continue;
        good++;
        const name = m[2] as string;
        let ok = false;
        try { ok = digest(readInput(name)) === (m[1] as string).toLowerCase(); } catch (e) { complain(prog, errorText(e, name)); }
        if (!ok) bad++;
        if (!args.flags.has('s')) stdout.line(`${name}: ${ok ? 'OK' : 'FAILED'}`);
      }
      if (good === 0) { complain(prog, `${list}: no properly formatted ${algorithm} checksum lines found`); status = 1; }
    }
    if (bad > 0) {
      complain(prog, `WARNING: ${bad} computed checksum${bad > 1 ? 's' : ''} did NOT match`);
      status = 1;
    }
    return status;
  });
}

