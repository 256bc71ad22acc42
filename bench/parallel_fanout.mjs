#!/usr/bin/env node
// parallel_execute through cluster-execution-mcp against the tools people
// fan commands out with today, pdsh, clush (ClusterShell), parallel-ssh
// (pssh) and GNU parallel, in one run against the same sshd test nodes.
//
// Usage (from the repository root; root, as the sshd fixture needs):
//   (cd tests/e2e && npm ci)          # once: the MCP SDK is taken from there
//   bash bench/install-peers.sh       # once: the peers, from Debian packages
//   node bench/parallel_fanout.mjs [--reps 5] [--warmup 1] [--seed 1]
//        [--jobs 40] [--nodes-a 4] [--slots-a 2] [--echos 200] [--nodes-b 4]
//        [--slots-b 4] [--nodes-c 32] [--masters 1] [--server build/cluster-execution-mcp]
//
// It starts max(--nodes-a, --nodes-b, --nodes-c) sshd nodes with
// tests/fixtures/sshd_nodes.sh in a fresh temporary directory (stopped at the
// end, also on error and on SIGINT or SIGTERM), all with sshd's default
// MaxSessions and MaxStartups, since real hosts have them. Every scenario
// uses node1..nodeK of them. cluster-exec gets a node file per scenario with
// just those nodes and the scenario's slots, and its calls carry
// requires_capabilities ["sshd-test"] (a capability only the fixture's nodes
// have), because the server always adds the machine it runs on as a local
// node and the comparison is between remote fan-outs. Its server is started
// once per scenario and waits until every node is reachable: it is a
// long-running process, so connection set-up is not in its figures (except
// in one row of (c)); the peers' rows come in two kinds that bracket that:
// - new ssh: the tools as shipped, one new OpenSSH connection per remote
//   command (key exchange and authentication included);
// - ControlMaster: the same tools over masters opened beforehand (--masters 0
//   leaves these rows out).
// See bench/peers.mjs for how each tool is pointed at the nodes.
//
// Scenarios (a node count of 0 skips one), one module each, which says what
// it compares and how:
// (a) bench/fanout_makespan.mjs: makespan of --jobs `sleep` jobs;
// (b) bench/fanout_rate.mjs: commands per second of --echos `echo` commands;
// (c) bench/fanout_broadcast.mjs: `uname -a` on all --nodes-c nodes.
// Every repetition runs every contender once, in an order that rotates each
// repetition so that machine noise hits all alike; --warmup repetitions
// first are not counted. Every result is checked: cluster-exec's items all
// success with exit 0 on a node of the scenario (each node exactly once for
// a broadcast), echo and uname output as expected, sleeps no shorter than
// asked; a peer's exit status 0 and each node's output (GNU parallel: its
// job log's exit values and hosts). A repetition with a failure is left out
// of the figures, the failure is printed, and the exit status is 1.
// The cluster-exec server of a scenario stays up while the peers run (its
// health monitor probes every node every CLUSTER_HEALTH_INTERVAL): all
// contenders of that scenario run under the same background load.
// Compare ratios within one run: this machine's speed changes day to day.

import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fixture, loadSdk, parseArgs, root, sshdWorkspace } from './lib.mjs';
import { peerTools, which, writePeerSshConfigs } from './peers.mjs';
import { printFooter, printHeader } from './fanout_report.mjs';
import * as makespan from './fanout_makespan.mjs';
import * as rate from './fanout_rate.mjs';
import * as broadcast from './fanout_broadcast.mjs';

const usageLine = 'node bench/parallel_fanout.mjs [--reps 5] [--warmup 1] [--seed 1] [--jobs 40] '
  + '[--nodes-a 4] [--slots-a 2] [--echos 200] [--nodes-b 4] [--slots-b 4] [--nodes-c 32] [--masters 1] '
  + '[--server PATH]';
const { opts, usage } = parseArgs(usageLine, {
  reps: 5, warmup: 1, seed: 1, jobs: 40, 'nodes-a': 4, 'slots-a': 2, echos: 200, 'nodes-b': 4, 'slots-b': 4,
  'nodes-c': 32, masters: 1, server: join(root, 'build', 'cluster-execution-mcp'),
});
for (const k of ['reps', 'jobs', 'slots-a', 'echos', 'slots-b']) {
  if (!Number.isInteger(opts[k]) || opts[k] < 1) usage(`--${k} must be a positive integer`);
}
for (const k of ['warmup', 'seed', 'nodes-a', 'nodes-b', 'nodes-c']) {
  if (!Number.isInteger(opts[k]) || opts[k] < 0) usage(`--${k} must be a non-negative integer`);
}
if (opts.masters !== 0 && opts.masters !== 1) usage('--masters must be 0 or 1');
if (opts['nodes-b'] > 0 && opts.echos % opts['nodes-b'] !== 0) {
  usage('--echos must be a multiple of --nodes-b (the broadcast tools run each echo on every node)');
}
const maxNodes = Math.max(opts['nodes-a'], opts['nodes-b'], opts['nodes-c']);
if (maxNodes === 0) usage('every scenario is skipped: give at least one --nodes-X above 0');
if (!existsSync(opts.server)) usage(`no server at ${opts.server}`);
if (!existsSync(fixture)) usage(`no sshd fixture at ${fixture}`);
const { Client, StdioClientTransport, sdkVersion } = loadSdk();

const ws = sshdWorkspace(maxNodes);
const { dir, nodes, fail, cleanup } = ws;
const installed = Object.fromEntries(Object.entries(peerTools).map(([name, t]) => [name, which(t.bin) !== null]));
// What the scenarios share (see bench/fanout_harness.mjs); sshCfg is filled
// in once the nodes are up.
const ctx = {
  opts, Client, StdioClientTransport, sdkVersion, dir, nodes, serverEnv: ws.serverEnv, fail, failures: ws.failures,
  capability: 'sshd-test', installed, modes: opts.masters ? ['new ssh', 'ControlMaster'] : ['new ssh'],
  sshCfg: { 'new ssh': null, ControlMaster: null },
};

// A dead master would make the ControlMaster rows fail (ControlMaster no
// never falls back silently to a master of its own) or time fresh
// connections under the wrong name: checked before and after.
function checkMasters(when) {
  for (const node of nodes) {
    const r = spawnSync('ssh', ['-F', ws.sshConfig, '-O', 'check', node], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) fail(`ssh master ${node} ${when}`, (r.stderr || '').trim());
  }
}

const scenarios = [['a', makespan], ['b', rate], ['c', broadcast]].filter(([key]) => opts[`nodes-${key}`]);
const outcomes = {};
try {
  const start = spawnSync('bash', [fixture, 'start', dir, String(maxNodes), '--default-limits', String(maxNodes)],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  ws.nodesStarted = true;
  if (start.status !== 0) throw new Error(`sshd_nodes.sh start ${dir} ${maxNodes} exited ${start.status ?? start.signal}`);
  const cfgs = writePeerSshConfigs(dir, ws.sshConfig);
  ctx.sshCfg['new ssh'] = cfgs.fresh;
  ctx.sshCfg.ControlMaster = cfgs.master;
  if (opts.masters) {
    ws.mastersStarted = true;
    for (const node of nodes) {
      // -f leaves the master running with our stdio: a pipe would keep spawnSync waiting.
      const log = join(dir, `master-${node}.log`);
      const fd = openSync(log, 'w');
      const r = spawnSync('ssh', ['-F', ws.sshConfig, '-o', 'ControlMaster=yes', '-o', 'ControlPersist=yes', '-fN', node],
        { stdio: ['ignore', fd, fd] });
      closeSync(fd);
      if (r.status !== 0) throw new Error(`ssh master for ${node} failed: ${readFileSync(log, 'utf8').trim()}`);
    }
    checkMasters('after start');
  }
  // One scenario failing to start (say, a server that cannot reach a node)
  // must not hide the others' figures.
  for (const [key, scenario] of scenarios) {
    try {
      outcomes[key] = await scenario.run(ctx);
    } catch (e) {
      fail(`(${key})`, e && e.stack ? e.stack : String(e));
    }
  }
  if (opts.masters) checkMasters('after the measurements');
} catch (e) {
  fail('benchmark', e && e.stack ? e.stack : String(e));
} finally {
  cleanup();
}

printHeader(ctx);
for (const [key, scenario] of scenarios) scenario.report(ctx, outcomes[key]);
printFooter(ctx);
