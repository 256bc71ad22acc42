// Legacy era (2025-11-25) through @modelcontextprotocol/sdk 1.x: the tool
// list and schemas, and what cluster_bash / offload_to / parallel_execute /
// cluster_status do with real commands.

import { realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  check, expect, eq, makeTempDir, readPidFiles, assertGone, checkRunShape, toolResult, textOf,
  LOCAL_NODE, LOCAL_ARCH, failureCount, dumpStderrIfFailed,
} from './util.mjs';
import { checkToolList, checkStatusShape, checkBatchShape } from './schemas.mjs';
import { openLegacy } from './sessions.mjs';
import { argumentErrorChecks } from './arguments.mjs';
import { policyChecks } from './policy.mjs';
import { asyncChecks, unexpectedErrors } from './async.mjs';
import { explainChecks } from './explain.mjs';
import { statusChecks } from './status.mjs';
import { parallelChecks } from './parallel.mjs';

const OMITTED = /\n\[\.\.\. (\d+) bytes omitted \.\.\.\]\n/;

/** Checks a truncated stream: head/tail kept within `limit`, marker counts the rest. */
function checkTruncated(text, total, limit, head, tail, what) {
  const m = OMITTED.exec(text);
  expect(m, `${what}: no omission marker in ${JSON.stringify(text.slice(0, 200))}`);
  const kept = Buffer.byteLength(text) - Buffer.byteLength(m[0]);
  expect(kept <= limit && kept >= limit - 8, `${what}: kept ${kept} bytes, expected about ${limit}`);
  eq(Number(m[1]) + kept, total, `${what}: omitted + kept`);
  expect(text.startsWith(head), `${what}: head lost: ${JSON.stringify(text.slice(0, 20))}`);
  expect(text.endsWith(tail), `${what}: tail lost: ${JSON.stringify(text.slice(-20))}`);
}

// Slots the server is started with, distinct from its default max(4, CPUs),
// so cluster_status proves CLUSTER_LOCAL_SLOTS is read.
const SLOTS = Math.max(4, availableParallelism()) + 3;

export async function legacyChecks(bin) {
  const before = failureCount();
  let s;
  await check('legacy.connect (sdk 1.x initialize handshake)', async () => {
    s = await openLegacy(bin, { CLUSTER_LOCAL_SLOTS: String(SLOTS) });
    const v = s.client.getServerVersion();
    expect(v && typeof v.name === 'string' && v.name.length > 0, `serverInfo: ${JSON.stringify(v)}`);
    expect(s.client.getServerCapabilities()?.tools, 'server capabilities lack tools');
  });
  if (!s) return;
  try {
    await body(s);
  } finally {
    await s.close().catch(() => {});
    dumpStderrIfFailed(before, s.stderr(), 'legacy');
  }
}

async function body(s) {
  const call = (name, args, opts) => s.call(name, args, opts);
  const bash = (args, opts) => call('cluster_bash', args, opts);

  await check('legacy.tools_list: four tools, valid JSON Schemas, annotations', async () => {
    const { tools } = await s.client.listTools();
    s.validators = checkToolList(tools);
    // The SDK validates structuredContent against outputSchema once it has the list.
    for (const t of tools) {
      expect(typeof s.client.getToolOutputValidator(t.name) === 'function',
        `sdk 1.x holds no output validator for ${t.name}`);
    }
  });

  await check('legacy.cluster_bash: echo runs locally', async () => {
    const res = await bash({ command: 'echo hello' });
    const sc = toolResult(res);
    checkRunShape(sc);
    eq(sc.stdout, 'hello\n', 'stdout');
    eq(sc.stderr, '', 'stderr');
    eq(sc.return_code, 0, 'return_code');
    eq(sc.signal, null, 'signal');
    eq(sc.success, true, 'success');
    eq(sc.error, 'none', 'error');
    eq(sc.executed_on, LOCAL_NODE, 'executed_on');
    eq(sc.stdout_truncated, false, 'stdout_truncated');
    eq(sc.stdout_bytes, 6, 'stdout_bytes');
    expect(sc.task_id.length > 0, 'task_id empty');
    expect(textOf(res).includes('hello'), `text block lacks the output: ${textOf(res)}`);
  });

  await check('legacy.cluster_bash: stdout and stderr kept apart', async () => {
    const sc = toolResult(await bash({ command: 'echo out; echo err >&2; echo out2' }));
    eq(sc.stdout, 'out\nout2\n', 'stdout');
    eq(sc.stderr, 'err\n', 'stderr');
    eq(sc.stderr_bytes, 4, 'stderr_bytes');
  });

  await check('legacy.cluster_bash: non-zero exit is honest (exit 3)', async () => {
    const sc = toolResult(await bash({ command: 'echo partial; exit 3' }), { isError: false });
    eq(sc.success, false, 'success');
    eq(sc.return_code, 3, 'return_code');
    eq(sc.error, 'command', 'error');
    eq(sc.stdout, 'partial\n', 'stdout');
  });

  await check('legacy.cluster_bash: cwd honoured', async () => {
    const dir = makeTempDir('cwd');
    const sc = toolResult(await bash({ command: 'pwd', cwd: dir }));
    expect([dir + '\n', realpathSync(dir) + '\n'].includes(sc.stdout), `pwd printed ${JSON.stringify(sc.stdout)}, cwd ${dir}`);
  });

  await check('legacy.cluster_bash: missing cwd -> error "spawn" naming it', async () => {
    const missing = makeTempDir('cwd') + '/no-such-dir';
    const res = await bash({ command: 'pwd', cwd: missing });
    const sc = toolResult(res, { isError: true });
    checkRunShape(sc);
    eq(sc.error, 'spawn', 'error');
    eq(sc.success, false, 'success');
    expect(sc.error_message.includes(missing), `error_message does not name ${missing}: ${sc.error_message}`);
  });

  await check('legacy.cluster_bash: timeout 0.5 on sleep 30 -> "timeout", process gone', async () => {
    const dir = makeTempDir('timeout');
    const res = await bash({ command: `echo before; sleep 30 & echo $! > ${dir}/t.pid; wait`, timeout: 0.5 });
    const sc = toolResult(res, { isError: true });
    checkRunShape(sc);
    eq(sc.error, 'timeout', 'error');
    eq(sc.return_code, null, 'return_code');
    eq(sc.success, false, 'success');
    eq(sc.stdout, 'before\n', 'stdout (output so far)');
    await assertGone(await readPidFiles([`${dir}/t.pid`], 2_000), 5_000, 'sleep after timeout');
  });

  await check('legacy.cluster_bash: max_output_bytes 100 truncates 10008 bytes', async () => {
    const cmd = "printf HEAD; head -c 10000 /dev/zero | tr '\\0' x; printf TAIL";
    const sc = toolResult(await bash({ command: cmd, max_output_bytes: 100 }));
    eq(sc.stdout_truncated, true, 'stdout_truncated');
    eq(sc.stdout_bytes, 10008, 'stdout_bytes');
    eq(sc.stderr_truncated, false, 'stderr_truncated');
    checkTruncated(sc.stdout, 10008, 100, 'HEAD', 'TAIL', 'stdout');
  });

  await check('legacy.cluster_bash: stderr truncated on its own', async () => {
    const cmd = "echo small; { printf AB; head -c 5000 /dev/zero | tr '\\0' e; printf YZ; } >&2";
    const sc = toolResult(await bash({ command: cmd, max_output_bytes: 100 }));
    eq(sc.stdout, 'small\n', 'stdout');
    eq(sc.stdout_truncated, false, 'stdout_truncated');
    eq(sc.stderr_truncated, true, 'stderr_truncated');
    eq(sc.stderr_bytes, 5004, 'stderr_bytes');
    checkTruncated(sc.stderr, 5004, 100, 'AB', 'YZ', 'stderr');
  });

  await check('legacy.cluster_bash: default output limit is 16384', async () => {
    const sc = toolResult(await bash({ command: "head -c 20000 /dev/zero | tr '\\0' y" }));
    eq(sc.stdout_truncated, true, 'stdout_truncated');
    eq(sc.stdout_bytes, 20000, 'stdout_bytes');
    checkTruncated(sc.stdout, 20000, 16384, 'y', 'y', 'stdout');
  });

  await check('legacy.cluster_bash: invalid UTF-8 becomes U+FFFD', async () => {
    const sc = toolResult(await bash({ command: "printf '\\xff\\xfe ok'" }));
    expect(sc.stdout.includes('\uFFFD'), `no U+FFFD in ${JSON.stringify(sc.stdout)}`);
    expect(sc.stdout.endsWith(' ok'), `stdout ${JSON.stringify(sc.stdout)}`);
    eq(sc.stdout_bytes, 5, 'stdout_bytes');
  });

  await check('legacy.cluster_bash: requires_os linux + local arch, auto_route false', async () => {
    for (const args of [
      { command: 'uname -s', requires_os: 'linux', requires_arch: LOCAL_ARCH === 'aarch64' ? 'arm64' : LOCAL_ARCH },
      { command: 'uname -s', requires_os: 'linux', requires_arch: LOCAL_ARCH === 'x86_64' ? 'amd64' : 'aarch64' },
      { command: 'uname -s', auto_route: false },
    ]) {
      const sc = toolResult(await bash(args), { where: JSON.stringify(args) });
      eq(sc.stdout, 'Linux\n', `${JSON.stringify(args)} stdout`);
      eq(sc.executed_on, LOCAL_NODE, `${JSON.stringify(args)} executed_on`);
      if (args.auto_route === false) eq(sc.auto_routed, false, 'auto_routed with auto_route false');
    }
  });

  await check('legacy.cluster_bash: requires_os darwin -> "placement" naming darwin', async () => {
    for (const os of ['darwin', 'macos']) {
      const sc = toolResult(await bash({ command: 'true', requires_os: os }), { isError: true });
      checkRunShape(sc);
      eq(sc.error, 'placement', `requires_os ${os}: error`);
      expect(/darwin|macos/i.test(sc.error_message), `message does not name the OS: ${sc.error_message}`);
    }
  });

  await check('legacy.cluster_bash: requires_arch of another arch -> "placement"', async () => {
    const other = LOCAL_ARCH === 'x86_64' ? 'arm64' : 'x86_64';
    const sc = toolResult(await bash({ command: 'true', requires_arch: other }), { isError: true });
    eq(sc.error, 'placement', 'error');
    const names = other === 'arm64' ? /arm64|aarch64/i : /x86_64|amd64/i;
    expect(names.test(sc.error_message), `message does not name ${other}: ${sc.error_message}`);
  });

  await check('legacy.offload_to: the local node by id', async () => {
    const sc = toolResult(await call('offload_to', { command: 'echo offloaded', node_id: LOCAL_NODE }));
    checkRunShape(sc);
    eq(sc.stdout, 'offloaded\n', 'stdout');
    eq(sc.executed_on, LOCAL_NODE, 'executed_on');
  });

  await check('legacy.offload_to: unknown node -> "placement" naming it', async () => {
    const res = await call('offload_to', { command: 'true', node_id: 'no-such-node-e2e' });
    const sc = toolResult(res, { isError: true });
    eq(sc.error, 'placement', 'error');
    expect(sc.error_message.includes('no-such-node-e2e'), `message does not name the node: ${sc.error_message}`);
  });

  await check('legacy.parallel_execute: input order, per-item results', async () => {
    const commands = ['sleep 0.6; echo first', 'echo second', 'sleep 0.3; echo third >&2; exit 5', 'printf fourth'];
    const sc = toolResult(await call('parallel_execute', { commands }), { isError: null });
    checkBatchShape(sc, 4);
    eq(sc.results[0].stdout, 'first\n', 'results[0].stdout');
    eq(sc.results[1].stdout, 'second\n', 'results[1].stdout');
    eq(sc.results[2].stderr, 'third\n', 'results[2].stderr');
    eq(sc.results[2].return_code, 5, 'results[2].return_code');
    eq(sc.results[2].success, false, 'results[2].success');
    eq(sc.results[3].stdout, 'fourth', 'results[3].stdout');
    eq(sc.succeeded, 3, 'succeeded');
    eq(sc.failed, 1, 'failed');
    sc.results.forEach((r, i) => eq(r.executed_on, LOCAL_NODE, `results[${i}].executed_on`));
  });

  await check('legacy.parallel_execute: per-item timeout', async () => {
    const dir = makeTempDir('ptimeout');
    const commands = [`sleep 30 & echo $! > ${dir}/p.pid; wait`, 'echo fine'];
    const sc = toolResult(await call('parallel_execute', { commands, timeout: 0.5 }), { isError: null });
    checkBatchShape(sc, 2);
    eq(sc.results[0].error, 'timeout', 'results[0].error');
    eq(sc.results[0].return_code, null, 'results[0].return_code');
    eq(sc.results[1].stdout, 'fine\n', 'results[1].stdout');
    await assertGone(await readPidFiles([`${dir}/p.pid`], 2_000), 5_000, 'sleep after batch timeout');
  });

  await check('legacy.cluster_status: local node and CLUSTER_LOCAL_SLOTS', async () => {
    const res = await call('cluster_status', {});
    const n = checkStatusShape(toolResult(res));
    eq(n.slots, SLOTS, 'slots (CLUSTER_LOCAL_SLOTS)');
    expect(textOf(res).includes(LOCAL_NODE), 'text block does not name the node');
  });

  await explainChecks(s, 'legacy');
  await statusChecks(s, 'legacy');
  await argumentErrorChecks(s, 'legacy');
  await policyChecks(s, 'legacy');
  await asyncChecks(s, 'legacy');
  await parallelChecks(s, 'legacy');

  await check('legacy.session: no protocol errors seen by the SDK', async () => {
    const errs = unexpectedErrors(s);
    expect(errs.length === 0, `client.onerror got: ${errs.map((e) => e.message).join(' | ')}`);
  });
}
