// How each peer of bench/harness.mjs is driven against the sshd test nodes:
// plain ssh (bench/ssh_pool.mjs), pdsh, clush (ClusterShell), parallel-ssh
// (pssh), GNU parallel and Ansible ad-hoc.
//
// Every peer reaches the nodes through OpenSSH with `ssh -F FILE`, FILE being
// the fixture's ssh_config (Host node1..N with HostName, Port, User,
// IdentityFile, UserKnownHostsFile, StrictHostKeyChecking yes, BatchMode yes)
// behind a `Host *` block of our own. OpenSSH takes the first value it
// reads for each option, so that block decides how connections are made
// while the fixture's entries decide where they go:
// - fresh: ControlMaster no, ControlPath none. Every remote command is a new
//   TCP connection, key exchange and authentication, which is how these
//   tools work out of the box.
// - master: ControlMaster no, with the fixture's own ControlPath. Commands
//   ride masters opened beforehand, the tuned set-up a user who knows about
//   ControlMaster has. `no` rather than `auto`, so that a client never
//   quietly becomes a master and a dead master shows as a failure (BatchMode
//   and StrictHostKeyChecking stay in force on a fallback connection).
// The per-tool knobs that route ssh through that file:
// - pdsh: its ssh rcmd module builds `ssh -2 -a -x -l%u %h CMD`;
//   PDSH_SSH_ARGS_APPEND puts `-F FILE` before the host.
// - clush: `-o` sets clush.conf's ssh_options, which come first on its ssh
//   command line (then -oForwardAgent=no -oForwardX11=no -oBatchMode=yes).
// - parallel-ssh: `-X` adds one ssh argument each, unsplit.
// - GNU parallel: `--ssh "ssh -F FILE"`; its remote jobs are wrapped in a
//   perl one-liner that restores the environment and runs the command in
//   the login shell: that wrapper is part of its cost and stays in.
// - Ansible: ANSIBLE_SSH_ARGS replaces its default `-C -o ControlMaster=auto
//   -o ControlPersist=60s`, so its own masters never hide a fresh row; with
//   pipelining on (one ssh session per host and module, its documented
//   speed-up) and the command module, hosts given inline (`-i a,b,`). Its
//   work per host (a Python module sent over ssh and run by the remote
//   /usr/bin/python3) is what an ad-hoc command costs and stays in.
// Output is read back with each tool's own labelling (pdsh/clush/ssh
// `node: line`, parallel-ssh -i `[n] time [SUCCESS] node` headers, GNU
// parallel --tag `node<TAB>line`, ansible --one-line `node | CHANGED | rc=0 |
// (stdout) line`), so a benchmark can check every node's answer.

import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { firstLine, runTool } from './lib.mjs';
import { sshBroadcast } from './ssh_pool.mjs';

// Where a command is found on PATH, or null: a missing peer is reported, never faked.
export function which(bin) {
  for (const d of (process.env.PATH || '').split(delimiter)) {
    if (!d) continue;
    const p = join(d, bin);
    try { accessSync(p, constants.X_OK); return p; } catch { /* next */ }
  }
  return null;
}

// bin: the command; pkg: the Debian package bench/install-peers.sh installs it from.
export const peerTools = {
  ssh: { bin: 'ssh', pkg: 'openssh-client', version: () => firstLine('ssh', ['-V']) },
  pdsh: { bin: 'pdsh', pkg: 'pdsh', version: () => firstLine('pdsh', ['-V']) },
  clush: { bin: 'clush', pkg: 'clustershell', version: () => `clush ${firstLine('clush', ['--version']).replace(/^clush\s*/, '')}` },
  'parallel-ssh': { bin: 'parallel-ssh', pkg: 'pssh', version: () => `parallel-ssh ${firstLine('parallel-ssh', ['--version'])}` },
  'GNU parallel': { bin: 'parallel', pkg: 'parallel', version: () => firstLine('parallel', ['--version']) },
  ansible: { bin: 'ansible', pkg: 'ansible-core', version: () => firstLine('ansible', ['--version']) },
};

// Writes the two ssh_config files described above next to the fixture's
// and returns their paths: { fresh, master }.
export function writePeerSshConfigs(dir, fixtureSshConfig) {
  const fixture = readFileSync(fixtureSshConfig, 'utf8');
  const fresh = join(dir, 'peers-fresh.ssh_config');
  const master = join(dir, 'peers-master.ssh_config');
  writeFileSync(fresh, `Host *\n  ControlMaster no\n  ControlPath none\n\n${fixture}`);
  writeFileSync(master, `Host *\n  ControlMaster no\n\n${fixture}`);
  return { fresh, master };
}

// Ansible's settings for ssh_config CFG; its scratch files go beside CFG.
function ansibleEnv(cfg) {
  const tmp = join(dirname(cfg), 'ansible-tmp');
  mkdirSync(tmp, { recursive: true });
  return { ...process.env, ANSIBLE_SSH_ARGS: `-F ${cfg}`, ANSIBLE_PIPELINING: 'True',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3', ANSIBLE_LOCAL_TEMP: tmp, ANSIBLE_REMOTE_TMP: tmp,
    ANSIBLE_STDOUT_CALLBACK: 'minimal', ANSIBLE_LOAD_CALLBACK_PLUGINS: '1', ANSIBLE_NOCOLOR: '1',
    ANSIBLE_DEPRECATION_WARNINGS: 'False', ANSIBLE_RETRY_FILES_ENABLED: 'False' };
}

// One command line per tool for "run COMMAND on every node of NODES, at most
// FANOUT at once", through the ssh_config CFG: { file, args, env }.
export function broadcastCommand(tool, cfg, nodes, fanout, command) {
  const list = nodes.join(',');
  switch (tool) {
    case 'pdsh':
      // -S: exit with the largest remote status, so a failed node fails the run.
      return { file: 'pdsh', args: ['-R', 'ssh', '-S', '-f', String(fanout), '-w', list, command],
        env: { ...process.env, PDSH_SSH_ARGS_APPEND: `-F ${cfg}` } };
    case 'clush':
      // -n: no stdin watching; -S: largest remote status.
      return { file: 'clush', args: ['-n', '-S', '-f', String(fanout), '-o', `-F ${cfg}`, '-w', list, command],
        env: process.env };
    case 'parallel-ssh':
      // -i: each host's output inline under a header naming it; exit 0 only when every host exited 0.
      return { file: 'parallel-ssh', args: ['-i', '-p', String(fanout), '-X', '-F', '-X', cfg,
        ...nodes.flatMap((n) => ['-H', n]), command], env: process.env };
    case 'GNU parallel':
      // --nonall: the command once on every sshlogin, -j of them at once; exit status counts failures.
      return { file: 'parallel', args: ['--will-cite', '--ssh', `ssh -F ${cfg}`, '--nonall', '--tag',
        '-j', String(fanout), '-S', list, command], env: process.env };
    case 'ansible':
      // Exit 0 only when every host ran the command with status 0 (2: a host failed, 4: unreachable).
      return { file: 'ansible', args: ['all', '-i', `${list},`, '-m', 'command', '-a', command,
        '-f', String(fanout), '--one-line'], env: ansibleEnv(cfg) };
    default:
      throw new Error(`no broadcast form for ${tool}`);
  }
}

// Runs COMMAND on every node of NODES with `tool`, FANOUT at once; resolves
// to { ms, code, signal, stdout, stderr } or { error }.
export const runBroadcast = (tool, cfg, nodes, fanout, command) => (tool === 'ssh'
  ? sshBroadcast(cfg, nodes, fanout, command)
  : runTool(broadcastCommand(tool, cfg, nodes, fanout, command)));

// GNU parallel running a list of commands over the nodes, SLOTS at once on
// each (`--sshlogin SLOTS/node`), each command to whichever login has a free
// slot, with a job log that records where each one ran and how it ended.
export function parallelListCommand(cfg, nodes, slots, commands, joblog) {
  return { file: 'parallel', args: ['--will-cite', '--ssh', `ssh -F ${cfg}`, '--joblog', joblog,
    '-S', nodes.map((n) => `${slots}/${n}`).join(','), ':::', ...commands], env: process.env };
}

// GNU parallel's --joblog: one row per job (Seq, Host, Starttime, JobRuntime,
// Send, Receive, Exitval, Signal, Command).
export function readJoblog(file) {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return lines.slice(1).map((l) => {
    const f = l.split('\t');
    return { seq: Number(f[0]), host: f[1], runtime: Number(f[3]), exitval: Number(f[6]), signal: Number(f[7]),
      command: f.slice(8).join('\t') };
  });
}

// Each node's stdout lines from a broadcast tool's output: Map node -> [line].
// A tool that names every node that succeeded (parallel-ssh, ansible) gives
// such a node an entry even when it printed nothing. Lines the tool's
// format does not account for come back under ''.
export function parseBroadcast(tool, stdout) {
  const out = new Map();
  const add = (node, line) => { if (!out.has(node)) out.set(node, []); if (line !== undefined) out.get(node).push(line); };
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (tool === 'parallel-ssh') {
    let node = '';
    let inStderr = false;
    for (const line of lines) {
      const h = /^\[\d+\] \S+ \[(SUCCESS|FAILURE)\] (\S+)/.exec(line);
      if (h) { node = h[1] === 'SUCCESS' ? h[2] : ''; inStderr = false; add(node); continue; }
      // -i puts a host's stderr after its stdout, behind this marker.
      if (line.startsWith('Stderr: ')) { inStderr = true; continue; }
      if (!inStderr) add(node, line);
    }
    return out;
  }
  if (tool === 'ansible') {
    for (const line of lines) {
      const m = /^(\S+) \| (?:CHANGED|SUCCESS) \| rc=0 \| \(stdout\) ?(.*)$/.exec(line);
      if (m) add(m[1], m[2] === '' ? undefined : m[2]);
      else add('', line);
    }
    return out;
  }
  const re = tool === 'GNU parallel' ? /^([^\t]+)\t(.*)$/ : /^([^:\s]+): (.*)$/;
  for (const line of lines) {
    const m = re.exec(line);
    if (m) add(m[1], m[2]);
    else add('', line);
  }
  return out;
}
