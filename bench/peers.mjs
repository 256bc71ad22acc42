// How each peer of bench/parallel_fanout.mjs is driven against the sshd test
// nodes: pdsh, clush (ClusterShell), parallel-ssh (pssh) and GNU parallel.
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
// Output is read back with each tool's own labelling (pdsh/clush `node: line`,
// parallel-ssh -i `[n] time [SUCCESS] node` headers, GNU parallel --tag
// `node<TAB>line`), so a benchmark can check every node's answer.

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ms, now } from './lib.mjs';

// Where a command is found on PATH, or null: a missing peer is reported, never faked.
export function which(bin) {
  for (const d of (process.env.PATH || '').split(delimiter)) {
    if (!d) continue;
    const p = join(d, bin);
    try { accessSync(p, constants.X_OK); return p; } catch { /* next */ }
  }
  return null;
}

const firstLine = (r) => `${r.stdout || ''}${r.stderr || ''}`.trim().split('\n')[0] || '?';

// bin: the command; pkg: the Debian package bench/install-peers.sh installs it from.
export const peerTools = {
  pdsh: { bin: 'pdsh', pkg: 'pdsh', version: () => firstLine(spawnSync('pdsh', ['-V'], { encoding: 'utf8' })) },
  clush: { bin: 'clush', pkg: 'clustershell', version: () => `clush ${firstLine(spawnSync('clush', ['--version'], { encoding: 'utf8' })).replace(/^clush\s*/, '')}` },
  'parallel-ssh': { bin: 'parallel-ssh', pkg: 'pssh', version: () => `parallel-ssh ${firstLine(spawnSync('parallel-ssh', ['--version'], { encoding: 'utf8' }))}` },
  'GNU parallel': { bin: 'parallel', pkg: 'parallel', version: () => firstLine(spawnSync('parallel', ['--version'], { encoding: 'utf8' })) },
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
    default:
      throw new Error(`no broadcast form for ${tool}`);
  }
}

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
// Lines the tool's format does not account for come back under ''.
export function parseBroadcast(tool, stdout) {
  const out = new Map();
  const add = (node, line) => { if (!out.has(node)) out.set(node, []); out.get(node).push(line); };
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (tool === 'parallel-ssh') {
    let node = '';
    let inStderr = false;
    for (const line of lines) {
      const h = /^\[\d+\] \S+ \[(SUCCESS|FAILURE)\] (\S+)/.exec(line);
      if (h) { node = h[1] === 'SUCCESS' ? h[2] : ''; inStderr = false; continue; }
      // -i puts a host's stderr after its stdout, behind this marker.
      if (line.startsWith('Stderr: ')) { inStderr = true; continue; }
      if (!inStderr) add(node, line);
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

// Runs one peer command line with stdin from /dev/null; resolves to
// { ms, code, signal, stdout, stderr }, or { error } when it could not start.
export function runTool({ file, args, env }) {
  return new Promise((resolveRun) => {
    const t0 = now();
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (e) => resolveRun({ error: String(e) }));
    child.on('close', (code, signal) => resolveRun({ ms: ms(t0, now()), code, signal, stdout, stderr }));
  });
}
