// Helpers shared by the benchmarks in bench/: the repository paths, the
// command-line parsing they share, the MCP SDK taken from tests/e2e, timing
// and summary statistics.

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const e2eDir = join(root, 'tests', 'e2e');

// Parses --name VALUE / --name=VALUE for the names in `defaults`. A number
// default makes the value a Number; a string default makes it a path,
// resolved against the working directory. Validation is the caller's: it gets
// `usage(msg)`, which prints msg and the usage line and exits 2.
export function parseArgs(usageLine, defaults, argv = process.argv.slice(2)) {
  const usage = (msg) => {
    if (msg) console.error(msg);
    console.error(`usage: ${usageLine}`);
    process.exit(2);
  };
  const opts = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const [key, inline] = argv[i].split('=', 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    const name = key.slice(2);
    if (key === '--help' || key === '-h') usage();
    else if (!key.startsWith('--') || !Object.hasOwn(defaults, name)) usage(`unknown argument ${argv[i]}`);
    else opts[name] = typeof defaults[name] === 'number' ? Number(value()) : resolve(value());
  }
  return { opts, usage };
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

// The sshd test-node fixture the remote benchmarks start their nodes with.
export const fixture = join(root, 'tests', 'fixtures', 'sshd_nodes.sh');

// A scratch directory for `count` sshd test nodes (node1..nodeN) and what a
// benchmark starts against them. The caller sets `nodesStarted` and
// `mastersStarted` as it starts them; `cleanup()` stops whatever was started,
// synchronously so that the SIGINT/SIGTERM handler installed here can run it
// to the end before exiting.
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
