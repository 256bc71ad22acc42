// Modern era (2026-07-28): @modelcontextprotocol/client 2.x pinned to the
// revision, and the same revision spoken raw to see the wire fields the
// client consumes (resultType, ttlMs, cacheScope, -32022).

import {
  check, expect, eq, toolResult, checkRunShape, LOCAL_NODE,
  failureCount, dumpStderrIfFailed,
} from './util.mjs';
import { RawServer, assertOnlyJson, modernMeta } from './rawclient.mjs';
import { checkToolList, checkStatusShape } from './schemas.mjs';
import { openModern, MODERN_VERSION, LEGACY_VERSION } from './sessions.mjs';
import { asyncChecks, unexpectedErrors } from './async.mjs';
import { explainChecks } from './explain.mjs';
import { statusChecks } from './status.mjs';

function checkCacheHints(result, what) {
  expect(Number.isInteger(result.ttlMs) && result.ttlMs >= 0, `${what}.ttlMs: ${JSON.stringify(result.ttlMs)}`);
  expect(['public', 'private'].includes(result.cacheScope), `${what}.cacheScope: ${JSON.stringify(result.cacheScope)}`);
}

export async function modernChecks(bin) {
  const before = failureCount();
  let s;
  await check('modern.connect (client 2.x pinned to 2026-07-28)', async () => {
    s = await openModern(bin);
    eq(s.client.getProtocolEra(), 'modern', 'era');
    eq(s.client.getNegotiatedProtocolVersion(), MODERN_VERSION, 'negotiated version');
    const d = s.client.getDiscoverResult();
    expect(d && Array.isArray(d.supportedVersions), `discover result: ${JSON.stringify(d)}`);
    // Modern clients pick a version from this list and send it in _meta, so it
    // lists only versions usable there; 2025-11-25 is reached via initialize.
    eq(JSON.stringify(d.supportedVersions), JSON.stringify([MODERN_VERSION]), 'supportedVersions');
  });
  if (!s) return;
  try {
    await check('modern.tools_list: tools, schemas, ttlMs and cacheScope', async () => {
      const res = await s.client.listTools(undefined, { cacheMode: 'refresh' });
      s.validators = checkToolList(res.tools);
      const wire = s.inbound.filter((m) => m.result && Array.isArray(m.result.tools)).at(-1);
      expect(wire, 'no tools/list response seen on the wire');
      checkCacheHints(wire.result, 'tools/list result');
      eq(wire.result.resultType, 'complete', 'tools/list resultType');
    });

    await check('modern.cluster_bash: echo, every request carries the version _meta', async () => {
      const res = await s.call('cluster_bash', { command: 'echo modern; echo err >&2; exit 2' });
      const sc = toolResult(res);
      checkRunShape(sc);
      eq(sc.stdout, 'modern\n', 'stdout');
      eq(sc.stderr, 'err\n', 'stderr');
      eq(sc.return_code, 2, 'return_code');
      eq(sc.success, false, 'success');
      eq(sc.executed_on, LOCAL_NODE, 'executed_on');
      const req = s.outbound.filter((m) => m.method === 'tools/call').at(-1);
      eq(req.params?._meta?.['io.modelcontextprotocol/protocolVersion'], MODERN_VERSION, 'request _meta version');
      const wire = s.inbound.find((m) => m.id === req.id && m.result);
      eq(wire?.result?.resultType, 'complete', 'tools/call resultType');
    });

    await check('modern.cluster_status', async () => {
      const sc = toolResult(await s.call('cluster_status', {}));
      checkStatusShape(sc);
    });

    await check('modern.argument error: unknown argument -> isError', async () => {
      const res = await s.call('cluster_bash', { command: 'true', bogus_option_e2e: 1 });
      eq(res.isError, true, 'isError');
      expect(res.content.some((c) => c.type === 'text' && c.text.includes('bogus_option_e2e')), 'text does not name the argument');
    });

    await explainChecks(s, 'modern');
    await statusChecks(s, 'modern');
    await asyncChecks(s, 'modern');

    await check('modern.session: no protocol errors seen by the client', async () => {
      const errs = unexpectedErrors(s);
      expect(errs.length === 0, `client.onerror got: ${errs.map((e) => e.message).join(' | ')}`);
    });
  } finally {
    await s.close().catch(() => {});
    dumpStderrIfFailed(before, s.stderr(), 'modern');
  }
}

export async function modernRawChecks(bin) {
  const before = failureCount();
  const srv = new RawServer(bin);
  const meta = modernMeta();
  try {
    await check('modern.raw: server/discover', async () => {
      const r = await srv.request('d1', 'server/discover', { _meta: meta });
      expect(r.result, `error: ${JSON.stringify(r.error)}`);
      eq(r.result.resultType, 'complete', 'resultType');
      eq(JSON.stringify(r.result.supportedVersions), JSON.stringify([MODERN_VERSION]), 'supportedVersions');
      expect(r.result.capabilities?.tools, 'capabilities.tools missing');
    });

    await check('modern.raw: tools/list has resultType, ttlMs, cacheScope', async () => {
      const r = await srv.request('l1', 'tools/list', { _meta: meta });
      expect(r.result, `error: ${JSON.stringify(r.error)}`);
      eq(r.result.resultType, 'complete', 'resultType');
      checkCacheHints(r.result, 'tools/list result');
      eq(r.result.tools.length, 8, 'tools.length');
    });

    await check('modern.raw: tools/call without initialize', async () => {
      const r = await srv.request('c1', 'tools/call', { _meta: meta, name: 'cluster_bash', arguments: { command: 'echo raw' } });
      expect(r.result, `error: ${JSON.stringify(r.error)}`);
      eq(r.result.resultType, 'complete', 'resultType');
      eq(r.result.structuredContent?.stdout, 'raw\n', 'stdout');
    });

    await check('modern.raw: unsupported version -> -32022 with data.supported', async () => {
      const r = await srv.request('v1', 'tools/list', { _meta: modernMeta('1999-01-01') });
      expect(r.error, `expected an error, got ${JSON.stringify(r).slice(0, 200)}`);
      eq(r.error.code, -32022, 'error.code');
      const sup = r.error.data?.supported;
      expect(Array.isArray(sup) && sup.includes(MODERN_VERSION) && sup.includes(LEGACY_VERSION),
        `data.supported: ${JSON.stringify(r.error.data)}`);
      const again = await srv.request('v2', 'tools/list', { _meta: meta });
      expect(again.result, 'no answer to a valid request after -32022');
    });

    await check('modern.raw: stdout carried only JSON-RPC lines', async () => {
      assertOnlyJson(srv);
    });
  } finally {
    await srv.close(10_000);
    dumpStderrIfFailed(before, srv.stderr, 'modern raw');
  }
}
