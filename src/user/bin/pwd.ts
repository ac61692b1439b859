// pwd: prints the working directory.
import { getcwd } from '../libc/index.js';
import { run, stdout } from '../util/io.js';

export function main(): number {
  return run('pwd', () => { stdout.line(getcwd()); return 0; });
}
