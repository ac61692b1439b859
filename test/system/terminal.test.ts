// The shell's line editor and the terminal modes on a real terminal (tmux): arrows,
// Tab completion, ^R, history, ^C at the prompt, a program that leaves the terminal
// raw, and the window size following the host's terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys, screenShows, onTerminal, tmux, session } from './tmux.js';

test('line editing: arrows, Home/End, ^W, Tab completion of commands and paths, ^R, history', async () => {
  await onTerminal('microkernel', async () => {
    await screenShows(/^kernelkit:\/\$ ?$/m);
    keys('echo wrld', 'Left', 'Left', 'Left', 'o', 'Home', 'Right', 'Right', 'Right', 'Right', 'Right', 'End', '!', 'Enter');
    // Each line is typed at a prompt: the shell puts the terminal in raw mode before it
    // prints one, and keys typed before that are the terminal's cooked input (^W erases
    // there, ^A and ^K are plain characters), as on any Unix terminal.
    await screenShows(/^world!\nkernelkit:\/\$ ?$/m);
    keys('echo one two', 'C-w', 'C-a', 'C-k', 'echo three', 'Enter');
    await screenShows(/^three\nkernelkit:\/\$ ?$/m);
    // A single candidate completes (a builtin, then a path), with a space after a file.
    keys('ech', 'Tab', '-n x; cat /etc/mot', 'Tab');
    await screenShows(/^kernelkit:\/\$ echo -n x; cat \/etc\/motd ?$/m);
    keys('C-u', 'hostna', 'Tab');
    await screenShows(/^kernelkit:\/\$ hostname ?$/m);
    keys('Enter');
    await screenShows(/^kernelkit\nkernelkit:\/\$ ?$/m);
    // Several, with nothing more in common: listed under the line, which comes back.
    keys('ls /bin/s', 'Tab');
    // (The columns depend on what /bin holds: only the names and the line after them are checked.)
    await screenShows(/^\/bin\/sed +(?=[\s\S]*\/bin\/sh +)(?=[\s\S]*\/bin\/stty\b)[\s\S]*\nkernelkit:\/\$ ls \/bin\/s$/m);
    keys('C-u', 'ls -d /et', 'Tab');
    await screenShows(/ls -d \/etc\/$/m);
    keys('Enter');
    await screenShows(/^\/etc\/\nkernelkit:\/\$ ?$/m);
    // ^R: type part of an earlier line, Enter runs it.
    keys('C-r', 'orl');
    await screenShows(/\(reverse-i-search\)'orl': echo world!$/m);
    keys('Enter');
    await screenShows(/^world!\n[\s\S]*^world!\nkernelkit:\/\$ ?$/m);
    keys('history', 'Enter');
    const shown = await screenShows(/^ +\d+ {2}history\nkernelkit:\/\$ ?$/m);
    const numbered = shown.split('\n').filter((l) => /^ +\d+ {2}/.test(l)).map((l) => l.trim());
    assert.deepEqual(numbered, ['1  echo world!', '2  echo three', '3  hostname', '4  ls -d /etc/', '5  echo world!', '6  history']);
    // Up walks the history; ^C abandons a line: a fresh prompt and status 130.
    keys('Up', 'Up', 'Up');  // history, echo world!, ls -d /etc/
    await screenShows(/^kernelkit:\/\$ ls -d \/etc\/$/m);
    keys('C-c');
    await screenShows(/^kernelkit:\/\$ ls -d \/etc\/\^C\nkernelkit:\/\$ ?$/m);
    keys('echo status=$?', 'Enter');
    await screenShows(/^status=130\nkernelkit:\/\$ ?$/m);
    keys('C-d');
    await screenShows(/HALTED=0/);
  });
});

test('terminal modes: a program that leaves the terminal raw does not break the shell; stty size follows the window', async () => {
  await onTerminal('hybrid', async () => {
    await screenShows(/^kernelkit:\/\$ ?$/m);
    keys('stty raw -echo; stty', 'Enter');
    await screenShows(/^-icanon -echo -isig$/m);
    // The shell set cooked mode back before its prompt, and before running cat.
    keys('cat', 'Enter');
    await screenShows(/\$ cat\n/);
    keys('abc', 'Enter');
    await screenShows(/^abc\nabc$/m);
    keys('C-d');
    keys('stty', 'Enter');
    await screenShows(/^icanon echo isig$/m);
    keys('stty size', 'Enter');
    await screenShows(/^40 100$/m);
    tmux('resize-window', '-t', session, '-x', '120', '-y', '30');
    keys('stty size', 'Enter');
    await screenShows(/^30 120$/m);
    keys('stty cols 0', 'Enter');
    await screenShows(/stty: invalid integer argument: '0'/);
    // $PS1 escapes: user, host, directory, # for root.
    keys("PS1='\\u@\\h:\\w\\$ '; cd /tmp", 'Enter');
    await screenShows(/^root@kernelkit:\/tmp# ?$/m);
    keys('C-d');
    await screenShows(/HALTED=\d+/);
  });
});

test('job control: ^Z stops the foreground job, jobs/ps show it stopped, bg and fg continue it, the next line is the shell\'s', async () => {
  await onTerminal('microkernel', async () => {
    await screenShows(/^kernelkit:\/\$ ?$/m);
    keys('cat', 'Enter');
    await screenShows(/\$ cat\n/);
    keys('first', 'Enter');
    await screenShows(/^first\nfirst$/m);
    keys('C-z');
    await screenShows(/^\^Z\n\n?\[1\]\+ {2}Stopped {17}cat\nkernelkit:\/\$ ?$/m);
    // The stopped cat's read gave the terminal up: this line is the shell's.
    keys('echo status=$?; jobs; ps | grep cat', 'Enter');
    await screenShows(/^status=148\n\[1\]\+ {2}Stopped {17}cat\n +\d+ +1 T +cat$/m);
    keys('fg', 'Enter');
    await screenShows(/\$ fg\ncat$/m);
    keys('second', 'Enter');
    await screenShows(/^second\nsecond$/m);
    keys('C-d');
    await screenShows(/^second\nsecond\nkernelkit:\/\$ ?$/m);
    // A job stopped from elsewhere, continued with bg, reported and killed with kill %N.
    keys('sleep 300 &', 'Enter');
    await screenShows(/^\[1\] \d+$/m);
    keys('kill -STOP %1; jobs', 'Enter');
    await screenShows(/^\[1\]\+ {2}Stopped {17}sleep 300$/m);
    keys('bg %1; jobs', 'Enter');
    await screenShows(/^\[1\]\+ sleep 300 &\n\[1\]\+ {2}Running {17}sleep 300 &$/m);
    keys('kill %1; wait %1; echo waited=$?', 'Enter');
    await screenShows(/^waited=143$/m);
    keys('fg', 'Enter');
    await screenShows(/^sh: fg: current: no such job$/m);
    keys('C-d');
    await screenShows(/HALTED=\d+/);
  });
});

test('full-screen programs: vi edits a file and saves it, less pages and searches, top refreshes; ^C ends top and the shell takes the terminal back', async () => {
  await onTerminal('monolithic', async () => {
    await screenShows(/^kernelkit:\/\$ ?$/m);
    keys('printf "alpha\\nbeta\\ngamma\\n" > /tmp/t.txt; vi /tmp/t.txt', 'Enter');
    await screenShows(/^alpha\nbeta\ngamma\n~/m);
    // dd on beta, p puts it under gamma; A appends on gamma... then o opens a new line.
    keys('j', 'd', 'd', 'p', 'g', 'g', 'A', '-one', 'Escape', 'o', 'new line', 'Escape');
    await screenShows(/^alpha-one\nnew line\ngamma\nbeta\n~/m);
    keys('/', 'gam', 'Enter', 'x', 'x');
    await screenShows(/^mma$/m);
    keys(':q', 'Enter');
    await screenShows(/E37: No write since last change/);
    keys(':wq', 'Enter');
    await screenShows(/^kernelkit:\/\$ ?$/m);
    keys('cat /tmp/t.txt', 'Enter');
    await screenShows(/cat \/tmp\/t.txt\nalpha-one\nnew line\nmma\nbeta\nkernelkit:\/\$ ?$/m);
    // less: one screen of 40 rows holds lines 1-39; space shows the next.
    keys('seq 1 100 > /tmp/n; less /tmp/n', 'Enter');
    await screenShows(/^1\n2\n[\s\S]*^39\n.*\/tmp\/n:1/m);
    keys('Space');
    await screenShows(/^40\n41\n[\s\S]*^78\n/m);
    keys('/', '^9[0-9]$', 'Enter');
    await screenShows(/^90\n91\n/m);
    keys('q');
    await screenShows(/less \/tmp\/n\nkernelkit:\/\$ ?$/m);
    keys('top', 'Enter');
    const first = await screenShows(/^top - (\d\d:\d\d:\d\d) UTC {2}preset monolithic[\s\S]* T? *top\n[\s\S]*^vfs /m);
    const at = /top - (\d\d:\d\d:\d\d)/.exec(first)![1];
    // Refreshed: the clock in the first line moves on.
    await screenShows(new RegExp(`^top - (?!${at})\\d\\d:\\d\\d:\\d\\d UTC`, 'm'));
    keys('C-c');
    await screenShows(/^kernelkit:\/\$ ?$/m);
    keys('echo back', 'Enter');
    await screenShows(/^back$/m);
    keys('C-d');
    await screenShows(/HALTED=\d+/);
  });
});
