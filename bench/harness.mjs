#!/usr/bin/env node
// cluster-exec against the tools people run commands across nodes with
// today: plain ssh (new connections and ControlMaster), pdsh, clush
// (ClusterShell), parallel-ssh, GNU parallel --sshlogin and Ansible ad-hoc,
// side by side, in one run, on the same sshd test nodes.
//
// Usage (from the repository root; root, as the sshd fixture needs port 22):
//   (cd tests/e2e && npm ci)          # once: the MCP SDK is taken from there
//   node bench/harness.mjs [--reps 3] [--warmup 1] [--seed 1] [--csv FILE]
//        [--server build/cluster-execution-mcp] [--router build/cluster-router]
//        [--smoke] [--install 0] [--w1-samples 10] [--w2-nodes 4] [--w3-echos 200]
//        [--w3-nodes 4] [--w3-par 16] [--w4-jobs 40] [--w4-nodes 4] [--w4-slots 2]
//        [--w4-max-sleep 2] [--w5-nodes 32]
//
// Workloads (a count of 0 leaves one out), one module each:
//   W1 bench/w1_latency.mjs    one `true` on one node, cold and warm;
//   W2 bench/w_broadcast.mjs   `uname -a` on all 4 nodes;
//   W3 bench/w3_rate.mjs       200 `echo`s over 4 nodes, 16 at once: commands per second;
//   W4 bench/w4_makespan.mjs   40 seeded `sleep`s over 4 nodes x 2 slots: makespan and bounds;
//   W5 bench/w_broadcast.mjs   `true` on 32 nodes;
//   M  the warm MCP server's peak resident memory and CPU time during W2, W3 and W5.
// cluster-exec runs through the MCP server (the official SDK client; a
// server running beforehand, and one spawned per call) and through the CLI
// (one process per call); every peer runs over new ssh connections and over
// ControlMaster masters opened beforehand (bench/peers.mjs says how each is
// pointed at the nodes). Every contender's repetitions rotate so that machine
// noise hits all alike; warm-up repetitions are not counted. Every result is
// checked (exit status and every node's or command's output, the node it
// ran on, sleeps no shorter than asked); a failed run is left out of the
// figures, printed, and makes the exit status 1.
//
// Missing peers are installed first from Debian's packages (bench/install-
// peers.sh: root or sudo) unless --install 0; one still missing is a "not
// installed" row. --smoke is a short end-to-end check (1 repetition, no
// warm-up, 2-4 nodes, small workloads, no installing): its figures mean
// nothing, its exit status does.
// The nodes are started with tests/fixtures/sshd_nodes.sh in a fresh
// temporary directory (stopped at the end, also on error and on SIGINT or
// SIGTERM), all with sshd's default MaxSessions and MaxStartups, since real
// hosts have them. cluster-exec's calls carry requires_capabilities
// ["sshd-test"] (only the fixture's nodes have it), because it always adds
// the machine it runs on as a local node and the comparison is between
// remote fan-outs. Compare ratios within one run: this machine's speed
// changes from day to day.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, loadSdk, parseArgs, printFailures, root, sshdWorkspace } from './lib.mjs';
import { peerTools, which, writePeerSshConfigs } from './peers.mjs';
import { analyse, machineDetails, printSummary, printTable, printUsage, writeCsv } from './report.mjs';
import * as w1 from './w1_latency.mjs';
import { unameLines, workload as broadcastWorkload } from './w_broadcast.mjs';
import * as w3 from './w3_rate.mjs';
import * as w4 from './w4_makespan.mjs';

const usageLine = 'node bench/harness.mjs [--reps 3] [--warmup 1] [--seed 1] [--csv FILE] [--server PATH] '
  + '[--router PATH] [--smoke] [--install 0|1] [--w1-samples N] [--w2-nodes N] [--w3-echos N] [--w3-nodes N] '
  + '[--w3-par N] [--w4-jobs N] [--w4-nodes N] [--w4-slots N] [--w4-max-sleep S] [--w5-nodes N]';
const defaults = {
  reps: 3, warmup: 1, seed: 1, csv: null, smoke: false, install: true,
  server: join(root, 'build', 'cluster-execution-mcp'), router: join(root, 'build', 'cluster-router'),
  'w1-samples': 10, 'w2-nodes': 4, 'w3-echos': 200, 'w3-nodes': 4, 'w3-par': 16,
  'w4-jobs': 40, 'w4-nodes': 4, 'w4-slots': 2, 'w4-max-sleep': 2, 'w5-nodes': 32,
};
// Small enough to finish in well under a minute here, large enough to go
// through every path: several nodes, more commands than slots, a queue.
const smoke = {
  reps: 1, warmup: 0, install: false, 'w1-samples': 1, 'w2-nodes': 2, 'w3-echos': 8, 'w3-nodes': 2, 'w3-par': 4,
  'w4-jobs': 4, 'w4-nodes': 2, 'w4-slots': 1, 'w4-max-sleep': 0.3, 'w5-nodes': 4,
};
const { opts, usage, given } = parseArgs(usageLine, defaults);
if (opts.smoke) for (const [k, v] of Object.entries(smoke)) if (!given.has(k)) opts[k] = v;

for (const k of ['reps', 'seed', 'warmup', 'w1-samples', 'w2-nodes', 'w3-echos', 'w3-nodes', 'w3-par', 'w4-jobs',
  'w4-nodes', 'w4-slots', 'w5-nodes']) {
  const min = k === 'reps' ? 1 : 0;
  if (!Number.isInteger(opts[k]) || opts[k] < min) usage(`--${k} must be an integer >= ${min}`);
}
if (!(opts['w4-max-sleep'] >= 0.1)) usage('--w4-max-sleep must be at least 0.1');
if (opts['w3-echos'] && (!opts['w3-nodes'] || opts['w3-echos'] % opts['w3-nodes'] || opts['w3-par'] % opts['w3-nodes']
  || !opts['w3-par'])) {
  usage('--w3-echos and --w3-par must be positive multiples of --w3-nodes (the broadcast tools run each echo on every node)');
}
if (opts['w4-jobs'] && (!opts['w4-nodes'] || !opts['w4-slots'])) usage('W4 needs --w4-nodes and --w4-slots above 0');
for (const k of ['server', 'router']) if (!existsSync(opts[k])) usage(`no ${k} at ${opts[k]}`);
if (!existsSync(fixture)) usage(`no sshd fixture at ${fixture}`);
opts.csv ??= join(tmpdir(), `cluster-exec-bench-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`);
const { Client, StdioClientTransport, sdkVersion } = loadSdk();

const notes = [];
const missingPeers = () => Object.keys(peerTools).filter((t) => !which(peerTools[t].bin));
if (opts.install && missingPeers().length) {
  console.error(`installing peers: ${missingPeers().join(', ')}`);
  const r = spawnSync('bash', [join(root, 'bench', 'install-peers.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) notes.push(`bench/install-peers.sh exited ${r.status ?? r.signal}: missing peers are not measured`);
}
const installed = Object.fromEntries(Object.keys(peerTools).map((t) => [t, which(peerTools[t].bin) !== null]));

const workloads = [
  opts['w1-samples'] && { key: 'W1', run: w1.run },
  opts['w2-nodes'] && broadcastWorkload('W2', opts['w2-nodes'], 'uname -a', unameLines()),
  opts['w3-echos'] && { key: 'W3', run: w3.run },
  opts['w4-jobs'] && { key: 'W4', run: w4.run },
  opts['w5-nodes'] && broadcastWorkload('W5', opts['w5-nodes'], 'true', []),
].filter(Boolean);
if (!workloads.length) usage('every workload is left out');
const nodeCount = Math.max(1, opts['w2-nodes'], opts['w3-echos'] && opts['w3-nodes'], opts['w4-jobs'] && opts['w4-nodes'],
  opts['w5-nodes']);

const ws = sshdWorkspace(nodeCount);
const ctx = {
  opts, Client, StdioClientTransport, sdkVersion, dir: ws.dir, nodes: ws.nodes, fail: ws.fail, capability: 'sshd-test',
  installed, notes, modes: ['new ssh', 'ControlMaster'], sshCfg: {},
  // Not the user's ~/.ssh/config: the node file says everything, and the figures must not depend on who runs them.
  serverEnv: { ...ws.serverEnv, CLUSTER_SSH_CONFIG: 'none' },
};
const results = [];
const t0 = Date.now();
try {
  ws.start(nodeCount);
  const hosts = new Map(JSON.parse(readFileSync(join(ws.dir, 'nodes.json'), 'utf8')).nodes.map((n) => [n.id, n.host]));
  ctx.nodeHost = (id) => hosts.get(id);
  const cfgs = writePeerSshConfigs(ws.dir, ws.sshConfig);
  ctx.sshCfg = { 'new ssh': cfgs.fresh, ControlMaster: cfgs.master };
  ws.startMasters();
  // One workload failing to start (a server that cannot reach a node) must not hide the others' figures.
  for (const w of workloads) {
    console.error(`${w.key}: running (${((Date.now() - t0) / 1000).toFixed(0)} s so far)`);
    try {
      const r = await w.run(ctx);
      results.push(analyse({ reps: w.key === 'W1' ? opts['w1-samples'] : opts.reps, ...r }));
    } catch (e) {
      ws.fail(w.key, e && e.stack ? e.stack : String(e));
    }
  }
  ws.checkMasters('after the measurements');
} catch (e) {
  ws.fail('harness', e && e.stack ? e.stack : String(e));
} finally {
  ws.cleanup();
}

const details = machineDetails(ctx);
console.log(`cluster-exec benchmark harness: node bench/harness.mjs ${process.argv.slice(2).join(' ')}`.trimEnd());
for (const [k, v] of details) console.log(`${k.padEnd(13)}${v}`);
console.log(`nodes        ${nodeCount} sshd test nodes on loopback (sshd default MaxSessions/MaxStartups); peers over `
  + '"new ssh" connections (cold) and "ControlMaster" masters opened beforehand (warm)');
for (const w of results) printTable(w);
printUsage(results);
printSummary(results);
writeCsv(opts.csv, details, results);
console.log('');
console.log(`CSV: ${opts.csv}; took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
printFailures(ws.failures, 'each left its run out of the figures above');
