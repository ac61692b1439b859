// sha256sum: prints or checks SHA256 digests ("DIGEST  NAME"; -c LIST checks a list).
import { checksumMain } from '../util/checksum.js';
import { sha256 } from '../util/digest.js';

export function main(argv: string[]): number {
  return checksumMain('sha256sum', argv, sha256, 'SHA256');
}
