// echo: prints its arguments separated by spaces (-n: no newline, -e: escapes).
import { write } from '../libc/index.js';
import { echoText } from '../util/echo.js';
import { run, HelpRequest } from '../util/io.js';

export function main(argv: string[]): number {
  return run('echo', () => {
    if (argv.length === 2 && argv[1] === '--help') throw new HelpRequest();
    write(1, echoText(argv.slice(1)));
    return 0;
  });
}
