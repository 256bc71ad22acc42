#!/usr/bin/env node
// Latency of one cluster_bash call through cluster-execution-mcp, against
// the cost of spawning `bash -c true` directly, measured in the same run.
//
// Usage (from the repository root):
//   (cd tests/e2e && npm ci)          # once: the MCP SDK is taken from there
//   node bench/mcp_latency.mjs [--n 200] [--warmup 20] [--server build/cluster-execution-mcp]
//
// What it does: starts the server over stdio with the official
// @modelcontextprotocol/sdk 1.x client (legacy 2025-11-25 handshake, as
// deployed hosts use it), lists the tools (so the SDK validates each result
// against the outputSchema, as a real client does), warms up, then times N
// sequential calls of cluster_bash {command: "true"}: the wall time from
// callTool() to its resolved result, in the client. The baseline is
// child_process.spawnSync('bash', ['-c', 'true']) from this node process.
// The two are interleaved call by call, so machine noise hits both alike.
// Prints median, p90, min and max in ms for each, the server-reported
// duration_ms, and the ratios MCP / spawn. This machine's fork/exec speed
// changes from day to day: compare ratios within one run, not absolute
// numbers across runs.
//
// The server inherits this environment (CLUSTER_* settings apply).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSdk, ms, parseArgs, root, stats } from './lib.mjs';

const { opts, usage } = parseArgs('node bench/mcp_latency.mjs [--n 200] [--warmup 20] [--server PATH]',
  { n: 200, warmup: 20, server: join(root, 'build', 'cluster-execution-mcp') });
if (!Number.isInteger(opts.n) || opts.n < 1) usage('--n must be a positive integer');
if (!Number.isInteger(opts.warmup) || opts.warmup < 0) usage('--warmup must be a non-negative integer');
if (!existsSync(opts.server)) usage(`no server at ${opts.server}`);
const { Client, StdioClientTransport, sdkVersion } = loadSdk();

function spawnTrue() {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', 'true']);
  const t1 = process.hrtime.bigint();
  if (r.status !== 0) throw new Error(`bash -c true failed: ${r.status} ${r.error || ''}`);
  return ms(t0, t1);
}

const transport = new StdioClientTransport({ command: opts.server, args: [], stderr: 'inherit', env: process.env });
const client = new Client({ name: 'mcp-latency-bench', version: '0.0.0' }, { capabilities: {} });

async function callTrue() {
  const t0 = process.hrtime.bigint();
  const res = await client.callTool({ name: 'cluster_bash', arguments: { command: 'true' } });
  const t1 = process.hrtime.bigint();
  const sc = res.structuredContent;
  if (res.isError || !sc || sc.return_code !== 0) {
    throw new Error(`cluster_bash true failed: ${JSON.stringify(res).slice(0, 500)}`);
  }
  return { wall: ms(t0, t1), server: sc.duration_ms };
}

try {
  await client.connect(transport);
  await client.listTools();
  for (let i = 0; i < opts.warmup; i++) { await callTrue(); spawnTrue(); }

  const mcp = [];
  const serverSide = [];
  const spawn = [];
  for (let i = 0; i < opts.n; i++) {
    const r = await callTrue();
    mcp.push(r.wall);
    serverSide.push(r.server);
    spawn.push(spawnTrue());
  }

  const a = stats(mcp);
  const d = stats(serverSide);
  const b = stats(spawn);
  const f = (x) => x.toFixed(2).padStart(9);
  const row = (name, s) => console.log(`${name.padEnd(38)}${f(s.median)}${f(s.p90)}${f(s.min)}${f(s.max)}`);
  console.log(`server ${opts.server}; sdk ${sdkVersion}; node ${process.version}; n=${opts.n}, warmup=${opts.warmup}`);
  console.log(`${'(ms)'.padEnd(38)}${'median'.padStart(9)}${'p90'.padStart(9)}${'min'.padStart(9)}${'max'.padStart(9)}`);
  row('MCP cluster_bash "true" (client wall)', a);
  row('  server-reported duration_ms', d);
  row('spawnSync bash -c true (baseline)', b);
  console.log(`ratio MCP / spawn: median ${(a.median / b.median).toFixed(2)}x, p90 ${(a.p90 / b.p90).toFixed(2)}x`);
  console.log(`MCP overhead over spawn: median ${(a.median - b.median).toFixed(2)} ms`);
} catch (e) {
  console.error(`benchmark failed: ${e && e.stack ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  await client.close().catch(() => {});
}
