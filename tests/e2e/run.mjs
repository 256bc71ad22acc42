#!/usr/bin/env node
// End-to-end tests of cluster-execution-mcp through the official MCP client
// SDKs and raw JSON-RPC, against real processes on this machine.
//
//   cd tests/e2e && npm ci            # once: installs the pinned SDKs
//   node tests/e2e/run.mjs build/cluster-execution-mcp
//
// CTest runs it as the test `e2e.mcp_sdk`. Prints one PASS/FAIL line per
// check and exits non-zero if any check failed.
//
// Modules: util.mjs (helpers), rawclient.mjs (raw JSON-RPC client),
// schemas.mjs (tool list and shape checks), sessions.mjs (SDK sessions),
// legacy.mjs + arguments.mjs + async.mjs (2025-11-25 via
// @modelcontextprotocol/sdk 1.x), modern.mjs (2026-07-28 via
// @modelcontextprotocol/client 2.x, and raw), explain.mjs + status.mjs
// (placement explained, capabilities, cluster_status refresh; both eras),
// raw.mjs (raw JSON-RPC, EOF, environment), parallel.mjs (parallel_execute's
// forms, caps and refusals), tasks.mjs (background work and the task tools),
// remote.mjs (sshd nodes).

import { existsSync, accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const OVERALL_TIMEOUT_MS = 180_000;

function die(msg) {
  console.log(`FAIL setup: ${msg}`);
  process.exit(1);
}

const needed = ['@modelcontextprotocol/sdk', '@modelcontextprotocol/client', 'ajv'];
const missing = needed.filter((p) => !existsSync(join(here, 'node_modules', p, 'package.json')));
if (missing.length) {
  die(`missing node modules (${missing.join(', ')}) in ${join(here, 'node_modules')}.\n` +
      `    Run \`npm ci\` in ${here} (tests/e2e) first.`);
}

const binArg = process.argv[2];
if (!binArg) die('usage: node tests/e2e/run.mjs <path-to-cluster-execution-mcp>');
const bin = resolve(binArg);
try { accessSync(bin, constants.X_OK); } catch { die(`${bin} is not an executable file`); }

const { check, summary, cleanup } = await import('./util.mjs');
const { rawChecks } = await import('./raw.mjs');
const { remoteChecks } = await import('./remote.mjs');
const { legacyChecks } = await import('./legacy.mjs');
const { modernChecks, modernRawChecks } = await import('./modern.mjs');
const { busyStatusChecks } = await import('./status.mjs');
const { overloadChecks } = await import('./parallel.mjs');
const { taskChecks } = await import('./tasks.mjs');

const watchdog = setTimeout(() => {
  console.log(`FAIL overall: the e2e run took longer than ${OVERALL_TIMEOUT_MS / 1000} s`);
  cleanup();
  process.exit(1);
}, OVERALL_TIMEOUT_MS);

process.on('unhandledRejection', (e) => {
  console.log(`note: unhandled rejection: ${e && e.message ? e.message : e}`);
});

const started = Date.now();
try {
  await check('setup: server binary answers', async () => {
    const { RawServer } = await import('./rawclient.mjs');
    const srv = new RawServer(bin);
    try {
      await srv.request('probe', 'initialize', {
        protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'e2e-probe', version: '0' },
      }, 10_000);
    } finally {
      await srv.close(5_000);
    }
  });
  await legacyChecks(bin);
  await modernChecks(bin);
  await modernRawChecks(bin);
  await rawChecks(bin);
  await busyStatusChecks(bin);
  await overloadChecks(bin);
  await taskChecks(bin);
  await remoteChecks(bin);
} finally {
  clearTimeout(watchdog);
  cleanup();
}

const { total, failed } = summary();
console.log(`\n${total - failed.length}/${total} checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (failed.length) {
  console.log('Failed:');
  for (const f of failed) console.log(`  - ${f.name}`);
}
process.exit(failed.length ? 1 : 0);
