// Helpers shared by the benchmarks in bench/: the repository paths, the
// command-line parsing they share, the MCP SDK taken from tests/e2e, timing
// and summary statistics, the sshd test-node workspace with its ControlMaster
// connections, a process's memory and CPU from /proc, and the failure list.

import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const e2eDir = join(root, 'tests', 'e2e');

// Parses --name VALUE / --name=VALUE for the names in `defaults`. A number
// default makes the value a Number; a boolean default makes --name a flag
// (--name 0 or --name=0 turns it off); a string or null default makes the value a path,
// resolved against the working directory. Validation is the caller's: it
// gets `usage(msg)`, which prints msg and the usage line and exits 2, and
// `given`, the names that were on the command line.
export function parseArgs(usageLine, defaults, argv = process.argv.slice(2)) {
  const usage = (msg) => {
    if (msg) console.error(msg);
    console.error(`usage: ${usageLine}`);
    process.exit(2);
  };
  const opts = { ...defaults };
  const given = new Set();
  for (let i = 0; i < argv.length; i++) {
    const [key, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    const name = key.slice(2);
    if (key === '--help' || key === '-h') usage();
    else if (!key.startsWith('--') || !Object.hasOwn(defaults, name)) usage(`unknown argument ${argv[i]}`);
    else if (typeof defaults[name] === 'boolean') {
      const v = inline ?? (/^(0|1|true|false|yes|no)$/.test(argv[i + 1] ?? '') ? argv[++i] : '1');
      opts[name] = !['0', 'false', 'no'].includes(v);
    }
    else if (typeof defaults[name] === 'number') opts[name] = Number(value());
    else {
      const v = value();
      if (v === undefined) usage(`${key} needs a value`);
      opts[name] = resolve(v);
    }
    given.add(name);
  }
  return { opts, usage, given };
}

// The legacy @modelcontextprotocol/sdk 1.x from tests/e2e/node_modules
// (CommonJS build, same API), so the benchmarks use the client the e2e tests
// pin instead of a second copy. Exits 1 when it is not installed.
export function loadSdk() {
  const pkg = join(e2eDir, 'node_modules', '@modelcontextprotocol', 'sdk', 'package.json');
  if (!existsSync(pkg)) {
    console.error(`The MCP SDK is not installed: run \`npm ci\` in ${e2eDir} first.`);
    process.exit(1);
  }
  const require = createRequire(join(e2eDir, 'package.json'));
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
  return { Client, StdioClientTransport, sdkVersion: JSON.parse(readFileSync(pkg, 'utf8')).version };
}

export const now = () => process.hrtime.bigint();
export const ms = (t0, t1) => Number(t1 - t0) / 1e6;

// Nearest-rank percentiles: every reported figure is a measured sample.
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { median: rank(0.5), p90: rank(0.9), min: s[0], max: s.at(-1) };
}

// mulberry32: a tiny seeded PRNG, so that generated inputs are the same for
// every contender and every run with the same seed.
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The first line a command prints (stdout, else stderr), for version strings.
export const firstLine = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout || ''}${r.stderr || ''}`.trim().split('\n')[0] || '?';
};

// ---------- a process's memory and CPU ----------

const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

// { rssKiB, hwmKiB, cpuS, sysS } of a live process: resident and peak
// resident memory (VmRSS, VmHWM), user + system CPU time of all its threads
// and the system part of it. null when it is gone.
export function procUsage(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key) => Number((status.match(new RegExp(`^${key}:\\s*(\\d+) kB`, 'm')) || [])[1] || NaN);
    // Fields after the command name, which may itself hold spaces: utime and stime are the 12th and 13th.
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM'), cpuS: (Number(f[11]) + Number(f[12])) / clockTicks,
      sysS: Number(f[12]) / clockTicks };
  } catch {
    return null;
  }
}

// Restarts VmHWM from the current RSS (clear_refs 5), so that a later
// reading is the peak of what came after; false where the kernel refuses.
export function resetPeak(pid) {
  try { writeFileSync(`/proc/${pid}/clear_refs`, '5'); return true; } catch { return false; }
}

// ---------- the sshd test nodes ----------

// The sshd test-node fixture the remote benchmarks start their nodes with.
export const fixture = join(root, 'tests', 'fixtures', 'sshd_nodes.sh');

// A scratch directory for `count` sshd test nodes (node1..nodeN) and what a
// benchmark starts against them. `start(defaultLimits)` starts the nodes,
// `startMasters()` a ControlMaster connection to each; `cleanup()` stops
// whatever was started, synchronously so that the SIGINT/SIGTERM handler
// installed here can run it to the end before exiting. `fail(what, detail)`
// records a failure and returns null, the value of a sample that failed.
export function sshdWorkspace(count) {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-exec-bench-'));
  const ws = {
    dir,
    sshConfig: join(dir, 'ssh_config'),
    nodes: Array.from({ length: count }, (_, i) => `node${i + 1}`),
    serverEnv: { ...process.env, CLUSTER_CONFIG: join(dir, 'nodes.json'), CLUSTER_LOG_LEVEL: 'warning' },
    nodesStarted: false,
    mastersStarted: false,
    failures: [],
  };
  ws.fail = (what, detail) => {
    ws.failures.push({ what, detail });
    return null;
  };
  // defaultLimits: how many of the nodes (the last ones) keep sshd's default
  // MaxSessions and MaxStartups.
  ws.start = (defaultLimits = 0) => {
    const r = spawnSync('bash', [fixture, 'start', dir, String(count), '--default-limits', String(defaultLimits)],
      { stdio: ['ignore', 'ignore', 'inherit'] });
    ws.nodesStarted = true;
    if (r.status !== 0) throw new Error(`sshd_nodes.sh start ${dir} ${count} exited ${r.status ?? r.signal}`);
  };
  ws.startMasters = () => {
    ws.mastersStarted = true;
    for (const node of ws.nodes) {
      // -f leaves the master running with our stdio: a pipe would keep spawnSync waiting.
      const log = join(dir, `master-${node}.log`);
      const fd = openSync(log, 'w');
      const r = spawnSync('ssh', ['-F', ws.sshConfig, '-o', 'ControlMaster=yes', '-o', 'ControlPersist=yes', '-fN', node],
        { stdio: ['ignore', fd, fd] });
      closeSync(fd);
      if (r.status !== 0) throw new Error(`ssh master for ${node} failed: ${readFileSync(log, 'utf8').trim()}`);
    }
    ws.checkMasters('after start');
  };
  // A dead master would make the ControlMaster figures fail, or silently
  // measure fresh connections: checked before and after.
  ws.checkMasters = (when) => {
    for (const node of ws.nodes) {
      const r = spawnSync('ssh', ['-F', ws.sshConfig, '-O', 'check', node], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
      if (r.status !== 0) ws.fail(`ssh master ${node} ${when}`, (r.stderr || '').trim());
    }
  };
  ws.cleanup = () => {
    if (ws.cleanedUp) return;
    ws.cleanedUp = true;
    if (ws.mastersStarted) {
      for (const node of ws.nodes) spawnSync('ssh', ['-F', ws.sshConfig, '-O', 'exit', node], { stdio: 'ignore' });
    }
    const stop = ws.nodesStarted ? spawnSync('bash', [fixture, 'stop', dir], { stdio: ['ignore', 'inherit', 'inherit'] }) : null;
    // The directory holds the fixture's PID files: keep it when stop failed.
    if (stop && stop.status !== 0) console.error(`sshd_nodes.sh stop failed (${stop.status}); left ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    // A server still running sees its stdin close when we exit, and exits too.
    process.on(sig, () => { console.error(`\n${sig}: cleaning up`); ws.cleanup(); process.exit(130); });
  }
  return ws;
}

// Prints the failures, identical ones once with a count, and sets the exit
// status; `effect` says what a failure did to the figures.
export function printFailures(failures, effect) {
  if (!failures.length) {
    console.log('failures: 0');
    return;
  }
  console.log(`FAILURES: ${failures.length} (${effect})`);
  const groups = new Map();
  for (const x of failures) groups.set(`${x.what}: ${x.detail}`, (groups.get(`${x.what}: ${x.detail}`) || 0) + 1);
  for (const [text, count] of groups) console.log(`  ${count > 1 ? `${count}x ` : ''}${text}`);
  process.exitCode = 1;
}

// Runs one command line with stdin from /dev/null; resolves to
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
