// ip: the network configuration, read-only (iproute2's ip). `ip link` lists the
// interfaces (with -s, the device's packet counters), `ip addr` their addresses, `ip
// route` the routes and `ip neigh` the neighbour (ARP) table, in iproute2's format.
// Objects may be shortened as iproute2 allows (a, l, r, n) and followed by `show` or
// `list`. Changing the configuration is not offered: a machine's address, prefix and
// gateway are set when it boots (`--ip`, `--gateway`).
import { netinfo, type LinkInfo, type NetInfo } from '../libc/index.js';
import { run, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';

// `index` numbers the interfaces as the whole table does, also when `dev` picks one.
const OBJECTS: Record<string, (info: NetInfo, stats: boolean, index: (l: LinkInfo) => number) => string[]> = {
  link: (info, stats, index) => info.links.flatMap((l) => linkLines(l, index(l), stats)),
  address: (info, stats, index) => info.links.flatMap((l) => [
    ...linkLines(l, index(l), stats),
    ...info.addresses.filter((a) => a.dev === l.name).map((a) => `    inet ${a.address}/${a.prefix} scope ${l.loopback ? 'host' : 'global'} ${a.dev}`),
  ]),
  route: (info) => info.routes.map((r) => {
    if (r.via !== undefined) return `${r.dest} via ${r.via} dev ${r.dev}`;
    const src = info.addresses.find((a) => a.dev === r.dev)?.address;
    return `${r.dest} dev ${r.dev} proto kernel scope link${src === undefined ? '' : ` src ${src}`}`;
  }),
  neighbour: (info) => info.neighbours.map((n) => `${n.address} dev ${n.dev}${n.mac === undefined ? '' : ` lladdr ${n.mac}`} ${n.state}`),
};

/** iproute2's abbreviations: any prefix of the object's name, and its short forms. */
function objectNamed(word: string): string | undefined {
  if (word === 'neigh' || word === 'neighbor') return 'neighbour';
  if (word === 'addr') return 'address';
  return Object.keys(OBJECTS).find((name) => word.length > 0 && name.startsWith(word));
}

function linkLines(l: LinkInfo, index: number, stats: boolean): string[] {
  const flags = l.loopback ? 'LOOPBACK,UP,LOWER_UP' : 'BROADCAST,MULTICAST,UP,LOWER_UP';
  const lines = [
    `${index}: ${l.name}: <${flags}> mtu ${l.mtu} state ${l.loopback ? 'UNKNOWN' : 'UP'}`,
    `    link/${l.loopback ? 'loopback' : 'ether'} ${l.mac} brd ${l.loopback ? '00:00:00:00:00:00' : 'ff:ff:ff:ff:ff:ff'}`,
  ];
  if (stats && l.stats !== undefined) {
    const s = l.stats;
    const table = (head: string, cells: number[]): string[] => {
      const names = ['bytes', 'packets', 'errors', 'dropped'];
      const widths = names.map((n, i) => Math.max(n.length, String(cells[i]).length));
      return [`    ${head}  ${names.map((n, i) => n.padStart(widths[i]!)).join(' ')}`, `         ${cells.map((c, i) => String(c).padStart(widths[i]!)).join(' ')}`];
    };
    lines.push(...table('RX:', [s.rxBytes, s.rxPackets, s.rxErrors, s.rxDropped]), ...table('TX:', [s.txBytes, s.txPackets, s.txErrors, s.txDropped]));
  }
  return lines;
}

export function main(argv: string[]): number {
  return run('ip', () => {
    const args = parseArgs(argv.slice(1), { flags: 's4', long: { stats: 's', statistics: 's' } });
    const [word, verb, ...rest] = args.operands;
    if (word === undefined) throw new UsageError('an object: link, address, route or neigh');
    const object = objectNamed(word);
    if (object === undefined) throw new UsageError(`object "${word}" is unknown (link, address, route, neigh)`);
    if (verb !== undefined && verb !== 'show' && verb !== 'list' && verb !== 'ls') {
      throw new UsageError(`"${verb}": only show is offered; the address, prefix and gateway are set at boot (--ip, --gateway)`);
    }
    const dev = rest[0] === 'dev' ? rest[1] : rest[0];
    if (rest.length > 0 && dev === undefined) throw new UsageError('dev needs an interface name');
    const info = netinfo();
    if (dev !== undefined && !info.links.some((l) => l.name === dev)) throw new UsageError(`device "${dev}" does not exist`);
    const shown: NetInfo = dev === undefined ? info : {
      links: info.links.filter((l) => l.name === dev),
      addresses: info.addresses.filter((a) => a.dev === dev),
      routes: info.routes.filter((r) => r.dev === dev),
      neighbours: info.neighbours.filter((n) => n.dev === dev),
    };
    for (const line of OBJECTS[object]!(shown, args.flags.has('s'), (l) => info.links.indexOf(l) + 1)) stdout.write(line + '\n');
    return 0;
  });
}
