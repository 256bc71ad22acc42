// A fresh health snapshot of N remote nodes: cluster_status through the MCP
// server against the OpenSSH client doing the same probe work per node, in
// one run. Starts --nodes sshd nodes with tests/fixtures/sshd_nodes.sh in a
// fresh temporary directory (stopped at the end, also on error and on SIGINT
// or SIGTERM), all of them with sshd's default MaxStartups and MaxSessions,
// since real hosts have those and a fan-out that trips them must show it
// (each node has its own sshd, so a fan-out puts one connection on each).
// With the official @modelcontextprotocol/sdk 1.x client against the server
// started with CLUSTER_CONFIG=DIR/nodes.json it measures:
// - cold: from spawning the server to the first cluster_status {refresh:
//   true} that answers with every node reachable (the server connects to all
//   nodes while it starts, and a first probe reads /proc/stat twice 250 ms
//   apart). --cold fresh servers, median; the last one stays for the rest.
// - warm: cluster_status {refresh: true} on that server, connections open,
//   probes without the 250 ms gap. --rounds calls, median and p90. A call
//   that lands within 250 ms of the monitor's own periodic sample (every
//   CLUSTER_HEALTH_INTERVAL) does take the gap: it stays in, as an agent
//   would see it, and shows as a sample about 250 ms above the rest.
// - snapshot: cluster_status {} (the latest samples, nothing probed).
// Peers, each with the /proc reads of the server's script per node (loadavg,
// the first line of /proc/stat, MemTotal and MemAvailable; the script also
// runs uname and getconf, which the peers are spared), through `ssh` with the
// fixture's ssh_config, known_hosts and identity:
// - sequential fresh: one new connection per node, one node after another,
//   as the seed's Python tool did;
// - parallel fresh: all N new connections at once, as pdsh does;
// - parallel ControlMaster: all N at once over masters opened beforehand, the
//   warm peer.
// The peers have no 250 ms gap: their CPU figure would need a second round
// trip, so cold is compared to them with that handicap and says so.
// One round is one sample of each, warm, snapshot and peers, in an order that
// rotates every round so that machine noise hits all alike. Every reply is
// checked (every node reachable; a refresh's samples no older than the call;
// ssh exit 0 and every probe's output present); failures are printed, left
// out of the figures, and make the exit status 1.
// Compare ratios within one run: this machine's speed changes day to day.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, loadSdk, ms, now, parseArgs, printFailures, root, sshdWorkspace, stats } from './lib.mjs';

const { opts, usage } = parseArgs('node bench/status_fanout.mjs [--nodes 32] [--rounds 10] [--cold 3] '
  + '[--warmup 2] [--server PATH]',
  { nodes: 32, rounds: 10, cold: 3, warmup: 2, server: join(root, 'build', 'cluster-execution-mcp') });
for (const k of ['nodes', 'rounds', 'cold']) {
  if (!Number.isInteger(opts[k]) || opts[k] < 1) usage(`--${k} must be a positive integer`);
}
if (!Number.isInteger(opts.warmup) || opts.warmup < 0) usage('--warmup must be a non-negative integer');
if (!existsSync(opts.server)) usage(`no server at ${opts.server}`);
if (!existsSync(fixture)) usage(`no sshd fixture at ${fixture}`);
const { Client, StdioClientTransport, sdkVersion } = loadSdk();

const ws = sshdWorkspace(opts.nodes);
const { sshConfig, nodes, serverEnv, failures, fail, cleanup } = ws;
// The per-node work of the server's probe script, minus its second /proc/stat read.
const probeWork = "cat /proc/loadavg; head -1 /proc/stat; grep -E '^Mem(Total|Available)' /proc/meminfo";
// A cold server that never sees every node reachable is a failure, not a long sample.
const coldDeadlineMs = 30_000;

const ssh = (...args) => ['-F', sshConfig, ...args];

// One probe through ssh; resolves to true, or false (recorded as a failure)
// unless it exited 0 with all three files' lines in its output.
function sshProbe(what, node, extra) {
  return new Promise((resolveRun) => {
    const child = spawn('ssh', ssh(...extra, node, probeWork), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (e) => resolveRun(fail(`${what} (ssh ${node})`, String(e)) ?? false));
    child.on('close', (code, signal) => {
      if (code !== 0) {
        // No node name in the detail: identical failures print as one line with a count.
        resolveRun(fail(`${what} (ssh)`, `exit ${code ?? signal}: ${stderr.trim().slice(0, 300)}`) ?? false);
      } else if (!/^\d+\.\d+ \d+\.\d+ \d+\.\d+ /m.test(stdout) || !/^cpu /m.test(stdout)
        || !/^MemTotal:/m.test(stdout) || !/^MemAvailable:/m.test(stdout)) {
        resolveRun(fail(`${what} (ssh)`, `incomplete output: ${stdout.slice(0, 200)}`) ?? false);
      } else {
        resolveRun(true);
      }
    });
  });
}

// ControlMaster=no on fresh ones too: a client must never quietly become a master itself.
const fresh = ['-o', 'ControlMaster=no', '-o', 'ControlPath=none'];
const viaMaster = ['-o', 'ControlMaster=no'];

// Each peer resolves to its wall time in ms, or null when any node failed.
const peers = {
  'ssh sequential fresh': async () => {
    const t0 = now();
    let ok = true;
    for (const node of nodes) if (!await sshProbe('sequential fresh', node, fresh)) ok = false;
    return ok ? ms(t0, now()) : null;
  },
  'ssh parallel fresh': async () => {
    const t0 = now();
    const rs = await Promise.all(nodes.map((node) => sshProbe('parallel fresh', node, fresh)));
    return rs.every(Boolean) ? ms(t0, now()) : null;
  },
  'ssh parallel ControlMaster': async () => {
    const t0 = now();
    const rs = await Promise.all(nodes.map((node) => sshProbe('parallel ControlMaster', node, viaMaster)));
    return rs.every(Boolean) ? ms(t0, now()) : null;
  },
};
const peerNames = Object.keys(peers);

// What is wrong with a cluster_status reply: null when every node answered.
// For a refresh, `sinceMs` is the call's own duration: a sample older than
// that came from before the call, so the refresh did not probe.
function statusProblems(res, sinceMs) {
  const sc = res?.structuredContent;
  if (res?.isError || !sc?.nodes) return `isError=${res?.isError} ${JSON.stringify(res).slice(0, 300)}`;
  const problems = [];
  for (const id of nodes) {
    const n = sc.nodes[id];
    if (!n) problems.push(`${id} absent`);
    else if (n.reachable !== true) problems.push(`${id} reachable=${n.reachable} status=${n.status} error=${n.error}`);
    // sample_age_ms is whole ms, rounded either way: one ms of slack.
    else if (sinceMs !== undefined && !(n.sample_age_ms <= sinceMs + 1)) problems.push(`${id} sample_age_ms ${n.sample_age_ms} > call ${sinceMs.toFixed(1)} ms`);
  }
  return problems.length ? problems.join('; ') : null;
}

// Resolves to { ms, res } whatever the reply said, or null when the call itself failed.
async function status(client, what, args) {
  const t0 = now();
  try {
    const res = await client.callTool({ name: 'cluster_status', arguments: args });
    return { ms: ms(t0, now()), res };
  } catch (e) {
    // The refresh argument is new: an older server refuses it, which must not read as slowness.
    return fail(`${what} (cluster_status ${JSON.stringify(args)})`, String(e));
  }
}

// A fresh server, timed from its spawn to the first refresh with every node
// reachable; resolves to { client, ms, calls } (ms null on failure).
async function coldServer() {
  const t0 = now();
  const transport = new StdioClientTransport({ command: opts.server, args: [], stderr: 'inherit', env: serverEnv });
  const client = new Client({ name: 'status-fanout-bench', version: '0.0.0' }, { capabilities: {} });
  await client.connect(transport);
  // A node may still be connecting when the first refresh answers: ask again
  // until all are in, since that moment is what an agent waits for.
  let last = 'no reply';
  for (let calls = 1; ms(t0, now()) < coldDeadlineMs; calls++) {
    const r = await status(client, 'cold', { refresh: true });
    if (!r) return { client, ms: null, calls };
    last = statusProblems(r.res);
    if (!last) return { client, ms: ms(t0, now()), calls };
  }
  return { client, ms: fail('cold', `not every node reachable after ${coldDeadlineMs} ms: ${last}`), calls: 0 };
}

const ce = { cold: [], coldCalls: [], warm: [], snapshot: [] };
const peer = Object.fromEntries(peerNames.map((p) => [p, []]));
let client = null;
let warmText = null;
try {
  ws.start(opts.nodes);

  for (let i = 0; i < opts.cold; i++) {
    const s = await coldServer();
    if (s.ms !== null) { ce.cold.push(s.ms); ce.coldCalls.push(s.calls); }
    if (i < opts.cold - 1) await s.client.close(); // waits for the exit: no shutdown overlaps the next sample
    else client = s.client;
  }
  await client.listTools(); // so that the SDK validates results against outputSchema, as real clients do

  ws.startMasters();

  const warmCall = async (what) => {
    const r = await status(client, what, { refresh: true });
    const p = r && statusProblems(r.res, r.ms);
    if (p) fail(what, p);
    return r && !p ? r : null;
  };
  // A refresh within 250 ms of a node's last reading has no baseline old
  // enough and reads /proc/stat twice 250 ms apart: back-to-back warm-ups
  // would hand that to the first measured call. The rounds space warm calls
  // by the other steps, which include the sequential peer.
  const settle = () => new Promise((r) => { setTimeout(r, 300); });
  for (let i = 0; i < opts.warmup; i++) {
    await warmCall('warm-up');
    await peers['ssh parallel ControlMaster']();
    await settle();
  }

  const steps = [
    async () => {
      const r = await warmCall('warm');
      if (r) { ce.warm.push(r.ms); warmText ??= r.res.content?.map((c) => c.text).join('\n'); }
    },
    async () => {
      const r = await status(client, 'snapshot', {});
      const p = r && statusProblems(r.res);
      if (p) fail('snapshot', p);
      else if (r) ce.snapshot.push(r.ms);
    },
    ...peerNames.map((name) => async () => { const t = await peers[name](); if (t !== null) peer[name].push(t); }),
  ];
  for (let round = 0; round < opts.rounds; round++) {
    for (let k = 0; k < steps.length; k++) await steps[(round + k) % steps.length]();
  }
  ws.checkMasters('after the measurements');
} catch (e) {
  fail('benchmark', e && e.stack ? e.stack : String(e));
} finally {
  if (client) await client.close().catch(() => {});
  cleanup();
}

const med = (xs) => (xs.length ? stats(xs).median : NaN);
const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
// Two significant digits at least: a snapshot is a small fraction of any peer.
const ratio = (a, b) => {
  const r = a / b;
  return Number.isFinite(r) ? `${r < 0.1 ? r.toPrecision(2) : r.toFixed(2)}x` : 'n/a';
};
const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim();
const warm = ce.warm.length ? stats(ce.warm) : { median: NaN, p90: NaN };
const ours = [
  [`cold, median of ${ce.cold.length}`, med(ce.cold)],
  [`warm refresh median, n=${ce.warm.length}`, warm.median],
  ['warm refresh p90', warm.p90],
  [`snapshot median, n=${ce.snapshot.length}`, med(ce.snapshot)],
];

console.log(`${new Date().toISOString()}; nproc ${nproc}; node ${process.version}; sdk ${sdkVersion}; server ${opts.server}`);
console.log(`${opts.nodes} sshd nodes on loopback (sshd default limits); ${opts.rounds} rounds (warm-up ${opts.warmup}); `
  + `cold: ${opts.cold} fresh servers, refresh calls until all reachable: ${ce.coldCalls.join(' ') || 'n/a'}`);
console.log('');
const head = ['N', 'cold', 'warm med', 'warm p90', 'snapshot', ...peerNames];
const cells = [String(opts.nodes), f(med(ce.cold)), f(warm.median), f(warm.p90), f(med(ce.snapshot)),
  ...peerNames.map((p) => f(med(peer[p])))];
const widths = head.map((h, i) => Math.max(h.length, cells[i].length) + 2);
console.log(head.map((h, i) => h.padStart(widths[i])).join(''));
console.log(cells.map((c, i) => c.padStart(widths[i])).join(''));
console.log('(ms; peers: median of their rounds, all N nodes each)');
console.log('');
const w0 = ours.reduce((w, r) => Math.max(w, r[0].length), 10) + 2;
const pw = peerNames.map((p) => p.length + 2);
console.log(`${'ratio ours / peer'.padEnd(w0)}${peerNames.map((p, i) => p.padStart(pw[i])).join('')}`);
for (const [label, v] of ours) {
  console.log(`${label.padEnd(w0)}${peerNames.map((p, i) => ratio(v, med(peer[p])).padStart(pw[i])).join('')}`);
}
console.log('below 1 favours cluster-exec. cold includes the server\'s start and a first probe\'s 250 ms /proc/stat gap; '
  + 'the peers read /proc/stat once.');
// Warm samples in call order, so that the ones that took the gap can be told apart.
console.log(`samples (ms): cold ${ce.cold.map(f).join(' ')}; warm ${ce.warm.map(f).join(' ')}; `
  + peerNames.map((p) => `${p} ${peer[p].map(f).join(' ')}`).join('; '));
if (opts.nodes <= 4 && warmText !== null) {
  console.log('\none warm cluster_status {refresh: true} reply, text content:');
  console.log(warmText);
}
printFailures(failures, 'left out of every figure above');
