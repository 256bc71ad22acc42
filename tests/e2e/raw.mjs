// Raw JSON-RPC over the server's stdio, no SDK: error codes for bad input,
// concurrency of calls, shutdown on EOF, refusing a bad environment, and
// that stdout carries nothing but JSON-RPC lines.

import { spawn } from 'node:child_process';
import {
  check, expect, eq, sleep, serverEnv, makeTempDir, readPidFiles, assertGone,
  sleeperCommand, sleeperPidFiles, LOCAL_NODE, failureCount, dumpStderrIfFailed,
} from './util.mjs';
import { RawServer, assertOnlyJson } from './rawclient.mjs';

/** After an error, the server must still answer a valid request. */
async function stillAnswers(srv, id) {
  const r = await srv.request(id, 'tools/list', {});
  expect(r.result && Array.isArray(r.result.tools), `no valid answer after the error: ${JSON.stringify(r)}`);
}

export async function rawChecks(bin) {
  const before = failureCount();
  const srv = new RawServer(bin);
  try {
    await check('raw.initialize (2025-11-25)', async () => {
      const res = await srv.initializeLegacy();
      expect(res.capabilities?.tools, 'capabilities.tools missing');
      expect(typeof res.serverInfo?.name === 'string', 'serverInfo.name missing');
    });

    await check('raw.malformed JSON -> -32700 with id null', async () => {
      srv.send('{"jsonrpc":"2.0","id":5,"method":');
      const r = await srv.next((m) => m.error?.code === -32700, 5_000, '-32700 error');
      eq(r.id, null, 'id');
      await stillAnswers(srv, 'after-parse');
    });

    const invalid = [
      ['{"jsonrpc":"1.0","id":1,"method":"x"}', [1, null]],
      ['{"id":1}', [1, null]],
      ['[]', [null]],
      ['{"jsonrpc":"2.0","id":{"a":1},"method":"tools/list"}', [null]],
      ['{"jsonrpc":"2.0","id":2,"method":7}', [2, null]],
    ];
    for (const [line, ids] of invalid) {
      await check(`raw.invalid request ${line} -> -32600`, async () => {
        srv.send(line);
        const r = await srv.next((m) => 'error' in m && !('result' in m) && m.error?.code !== undefined, 5_000, 'error reply');
        eq(r.error.code, -32600, 'error.code');
        expect(ids.includes(r.id), `id ${JSON.stringify(r.id)} not one of ${JSON.stringify(ids)}`);
        await stillAnswers(srv, `after-invalid-${line.length}`);
      });
    }

    await check('raw.unknown method -> -32601', async () => {
      const r = await srv.request('um', 'no/such/method', {});
      eq(r.error?.code, -32601, 'error.code');
      await stillAnswers(srv, 'after-um');
    });

    await check('raw.unknown tool -> -32602', async () => {
      const r = await srv.request('ut', 'tools/call', { name: 'no_such_tool', arguments: {} });
      eq(r.error?.code, -32602, 'error.code');
      await stillAnswers(srv, 'after-ut');
    });

    await check('raw.invalid UTF-8 output -> valid UTF-8 JSON with U+FFFD', async () => {
      const r = await srv.request('u8', 'tools/call', { name: 'cluster_bash', arguments: { command: "printf '\\xff\\xfe ok'" } });
      const sc = r.result?.structuredContent;
      expect(sc, `no structuredContent: ${JSON.stringify(r)}`);
      expect(sc.stdout.includes('\uFFFD') && sc.stdout.endsWith(' ok'), `stdout ${JSON.stringify(sc.stdout)}`);
      assertOnlyJson(srv);
    });

    await check('raw.concurrency: cluster_status overtakes an in-flight sleep 3', async () => {
      srv.send({ jsonrpc: '2.0', id: 'slow', method: 'tools/call', params: { name: 'cluster_bash', arguments: { command: 'sleep 3; echo slept' } } });
      await sleep(200);
      srv.send({ jsonrpc: '2.0', id: 'fast', method: 'tools/call', params: { name: 'cluster_status', arguments: {} } });
      const fast = await srv.response('fast', 10_000);
      const slow = await srv.response('slow', 15_000);
      const iFast = srv.messages.indexOf(fast);
      const iSlow = srv.messages.indexOf(slow);
      expect(iFast < iSlow, 'the cluster_status reply came after the sleep 3 reply');
      eq(fast.result?.structuredContent?.local_node, LOCAL_NODE, 'status local_node');
      eq(slow.result?.structuredContent?.stdout, 'slept\n', 'slow stdout');
    });

    await check('raw.stdout carried only JSON-RPC lines', async () => {
      assertOnlyJson(srv);
    });
  } finally {
    await srv.close(10_000);
    dumpStderrIfFailed(before, srv.stderr, 'raw');
  }

  await check('raw.EOF while a command runs -> exit 0 within 10 s, process group gone', async () => {
    const eof = new RawServer(bin);
    try {
      await eof.initializeLegacy();
      const dir = makeTempDir('eof');
      eof.send({ jsonrpc: '2.0', id: 'long', method: 'tools/call', params: { name: 'cluster_bash', arguments: { command: sleeperCommand(dir) } } });
      const pids = await readPidFiles(sleeperPidFiles(dir), 10_000);
      const exit = await eof.close(10_000);
      expect(exit, 'server did not exit within 10 s of EOF on stdin');
      eq(exit.code, 0, `exit code (signal ${exit.signal}; stderr: ${eof.stderr.slice(-300)})`);
      await assertGone(pids, 3_000, 'command processes after the server exited');
      assertOnlyJson(eof);
    } finally {
      eof.kill();
    }
  });

  for (const [name, value] of [['CLUSTER_CMD_TIMEOUT', 'abc'], ['CLUSTER_LOG_LEVEL', 'loud'], ['CLUSTER_OUTPUT_LIMIT', '-5']]) {
    await check(`raw.env ${name}=${value} -> refuses to start, exit 2, names it`, async () => {
      const r = await runToExit(bin, serverEnv({ [name]: value }), 10_000);
      eq(r.code, 2, `exit code (stderr: ${r.stderr.slice(0, 300)})`);
      expect(r.stderr.includes(name), `stderr does not name ${name}: ${JSON.stringify(r.stderr.slice(0, 300))}`);
      eq(r.stdout, '', 'stdout');
    });
  }
}

/** Runs the server with stdin from /dev/null; resolves with its exit code and output. */
function runToExit(bin, env, timeoutMs) {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, [], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => { stdout += c; });
    p.stderr.on('data', (c) => { stderr += c; });
    const t = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`no exit within ${timeoutMs} ms`)); }, timeoutMs);
    p.on('error', (e) => { clearTimeout(t); reject(e); });
    p.on('close', (code, signal) => { clearTimeout(t); resolve({ code, signal, stdout, stderr }); });
  });
}
