// true: does nothing, successfully.
import { preflight } from '../util/args.js';
export function main(argv: string[]): number {
  // --help alone prints the usage; any other argument is ignored.
  if (argv.length === 2 && argv[1] === '--help') return preflight('true', ['--help']) ?? 0;
  return 0;
}
