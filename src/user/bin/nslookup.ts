// nslookup: asks a nameserver for NAME's IPv4 address, as the real one does — the DNS
// server itself, not /etc/hosts (which the other programs' resolver reads first).
// SERVER defaults to the first nameserver in /etc/resolv.conf. Exits 0 with an
// address, 1 when the name has none or no server answered.
import { run, stdout, complain, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { nameservers, queryNameserver } from '../util/hosts.js';
import { parseIpv4 } from '../libc/index.js';
import { DNS_RCODE } from '../../lib/dns.js';

export function main(argv: string[]): number {
  return run('nslookup', () => {
    const args = parseArgs(argv.slice(1), { flags: '', options: '' });
    if (args.operands.length < 1 || args.operands.length > 2) throw new UsageError('NAME [SERVER]');
    const [name, given] = args.operands as [string, string | undefined];
    if (given !== undefined && parseIpv4(given) === undefined) throw new UsageError(`SERVER is an IPv4 address: ${given}`);
    const server = given ?? nameservers()[0];
    if (server === undefined) { complain('nslookup', 'no nameserver in /etc/resolv.conf'); return 1; }
    stdout.write(`Server:\t\t${server}\nAddress:\t${server}#53\n\n`);
    const answer = queryNameserver(server, name);
    switch (answer.kind) {
      case 'address': stdout.write(`Name:\t${name}\nAddress: ${answer.address}\n`); return 0;
      case 'no such name': stdout.write(`** server can't find ${name}: NXDOMAIN\n`); return 1;
      case 'no address': stdout.write(`*** Can't find ${name}: No answer\n`); return 1;
      case 'error': stdout.write(`** server can't find ${name}: ${rcodeName(answer.rcode)}\n`); return 1;
      case 'unanswered': stdout.write(';; connection timed out; no servers could be reached\n'); return 1;
    }
  });
}

const rcodeName = (rcode: number): string => Object.entries(DNS_RCODE).find(([, v]) => v === rcode)?.[0] ?? `RCODE ${rcode}`;
