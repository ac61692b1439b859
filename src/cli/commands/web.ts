// kernelkit web: the browser lab on 127.0.0.1, with the headers SharedArrayBuffer needs;
// builds the site first when it is missing or stale. Runs until interrupted.
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { serveSite, siteStale, buildSite, SITE } from '../web-server.js';
import { UsageError, type StatusSink } from '../usage.js';

export function register(program: Command, _status: StatusSink): void {
  program.command('web').description('serve the browser lab on 127.0.0.1 (builds it if needed) and print its URL')
    .option('--port <n>', 'port to listen on (0: any free port)', '8080')
    .option('--open', 'open the URL in the default browser', false)
    .action(async (opts: { port: string; open: boolean }) => {
      const port = Number(opts.port);
      if (!/^\d+$/.test(opts.port) || port > 65535) throw new UsageError(`bad --port '${opts.port}': expected a number from 0 to 65535`);
      if (siteStale()) {
        process.stderr.write('kernelkit web: building the site...\n');
        buildSite();
      }
      let served;
      try { served = await serveSite(SITE, port, true); } catch (e) {
        throw new UsageError(`cannot listen on 127.0.0.1:${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      process.stdout.write(`kernelkit web: ${served.url}\n`);
      if (opts.open) spawn(process.platform === 'darwin' ? 'open' : 'xdg-open', [served.url], { stdio: 'ignore', detached: true }).on('error', () => {
        process.stderr.write(`kernelkit web: could not open a browser; open ${served.url} yourself\n`);
      }).unref();
      await new Promise<void>((resolve) => {
        const stop = (): void => { void served.close().then(resolve); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
