// `kernelkit boot` on a real terminal (tmux): echo, line editing, ^C to the
// foreground job, history, ^D to halt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { bin, session, tmux, screenShows, onTerminal } from './tmux.js';

test('interactive shell on a terminal: echo, ^C, history, ^D', async () => {
  assert.equal(spawnSync('tmux', ['-V']).status, 0, 'tmux is installed (.ci/run installs it)');
  await onTerminal('microkernel', async () => {
    await screenShows(/^kernelkit:\/\$/m);
    tmux('send-keys', '-t', session, 'echo hello wrld', 'BSpace', 'BSpace', 'BSpace', 'orld', 'Enter');
    await screenShows(/^hello world$/m);
    tmux('send-keys', '-t', session, 'sleep 100', 'Enter');
    await screenShows(/sleep 100\n/);
    // At once: a ^C that reaches the shell before the job holds the terminal is the job's.
    tmux('send-keys', '-t', session, 'C-c');
    // Type only once the shell prompts again, as a person would.
    await screenShows(/^\^C\nkernelkit:\/\$/m);
    tmux('send-keys', '-t', session, 'echo status=$?', 'Enter');
    await screenShows(/^status=130\nkernelkit:\/\$/m);
    tmux('send-keys', '-t', session, 'Up', 'Up', 'Enter');
    await screenShows(/^\^C\nkernelkit:\/\$ echo status=\$\?\nstatus=130\nkernelkit:\/\$ sleep 100$/m);
    tmux('send-keys', '-t', session, 'C-c');
    await screenShows(/sleep 100\n\^C\nkernelkit:\/\$/m);
    tmux('send-keys', '-t', session, 'C-d');
    // Like bash, the shell leaves with the status of the last command (the ^C'd sleep).
    await screenShows(/HALTED=130/);
  });
});

test('regression: kill-%1-reports-exit-143: a background job ended by a signal is reported by the signal\'s name', async () => {
  await onTerminal('monolithic', async () => {
    await screenShows(/^kernelkit:\/\$/m);
    tmux('send-keys', '-t', session, 'sleep 100 &', 'Enter');
    await screenShows(/sleep 100 &\n[\s\S]*\[1\] \d+/);
    tmux('send-keys', '-t', session, 'kill %1', 'Enter');
    // The job is reported before the next prompt once it is reaped.
    tmux('send-keys', '-t', session, 'echo next', 'Enter');
    // (The report may follow a prompt on its line: the tty echoes typing at once.)
    await screenShows(/\[1\]\+ {2}Terminated {4}sleep 100$/m);
    tmux('send-keys', '-t', session, 'sleep 200 &', 'Enter');
    // The job's number goes to stderr, the prompt to stdout: they may come in either order.
    await screenShows(/sleep 200 &\n[\s\S]*\[1\] \d+/);
    tmux('send-keys', '-t', session, 'kill -9 %1', 'Enter');
    tmux('send-keys', '-t', session, 'echo next', 'Enter');
    await screenShows(/\[1\]\+ {2}Killed {4}sleep 200$/m);
    tmux('send-keys', '-t', session, 'C-d');
    await screenShows(/HALTED=\d+/);
  });
});

test('regression: ctrl-c-at-the-prompt-kills-every-background-job (the terminal signalled kill(-1) for init\'s group)', async () => {
  await onTerminal('microkernel', async () => {
    await screenShows(/^kernelkit:\/\$/m);
    tmux('send-keys', '-t', session, 'sleep 100 &', 'Enter');
    // At the prompt, as a person would type it (the job's number may come before or after it).
    await screenShows(/sleep 100 &\n[\s\S]*\[1\] \d+[\s\S]*kernelkit:\/\$ ?$/m);
    tmux('send-keys', '-t', session, 'C-c');
    await screenShows(/\$ \^C\nkernelkit:\/\$/m); // a fresh prompt: the line editor abandoned the line
    tmux('send-keys', '-t', session, 'echo alive=$(ps | grep -c "sleep 100$")', 'Enter');
    await screenShows(/^alive=1$/m);
    tmux('send-keys', '-t', session, 'kill -9 %1; wait', 'Enter');
    tmux('send-keys', '-t', session, 'C-d');
    await screenShows(/HALTED=\d+/);
  });
});

test('regression: motd-never-shown: a login shell greets with /etc/motd, a shell started from it does not', async () => {
  const motd = spawnSync(process.execPath, [bin, 'run', '--', 'cat /etc/motd'], { encoding: 'utf8' }).stdout.trimEnd();
  assert.ok(motd.length > 0, 'the initramfs has a motd');
  const quoted = motd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await onTerminal('monolithic', async () => {
    await screenShows(new RegExp(`^${quoted}\\nkernelkit:\\/\\$`, 'm'));
    tmux('send-keys', '-t', session, 'su -l user', 'Enter');
    await screenShows(new RegExp(`su -l user\\n${quoted}\\nkernelkit:\\/home\\/user\\$`, 'm'));
    tmux('send-keys', '-t', session, 'sh -i', 'Enter');
    tmux('send-keys', '-t', session, 'echo inner', 'Enter');
    // (Typing is echoed at once, so "echo inner" may land before the inner prompt.)
    const screen = await screenShows(/^(kernelkit:\/home\/user\$ )?inner$/m);
    assert.equal(screen.split(motd).length - 1, 2, 'the motd twice: init\'s shell and su -l, not sh -i');
    tmux('send-keys', '-t', session, 'C-d');
    tmux('send-keys', '-t', session, 'C-d');
    tmux('send-keys', '-t', session, 'C-d');
    await screenShows(/HALTED=\d+/);
  }, 200);
});

test('regression: line-after-ctrl-c-goes-to-the-shell (the killed job\'s console read is cancelled)', async () => {
  await onTerminal('monolithic', async () => {
    await screenShows(/^kernelkit:\/\$/m);
    tmux('send-keys', '-t', session, 'cat', 'Enter');
    await screenShows(/\$ cat\n/);
    tmux('send-keys', '-t', session, 'abc', 'Enter');
    await screenShows(/^abc\nabc$/m);
    tmux('send-keys', '-t', session, 'C-c');
    await screenShows(/^\^C\nkernelkit:\/\$/m);
    tmux('send-keys', '-t', session, 'echo one', 'Enter');
    await screenShows(/^one\nkernelkit:\/\$/m);
    tmux('send-keys', '-t', session, 'C-d');
    await screenShows(/HALTED=0/);
  });
});
