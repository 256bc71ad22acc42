// cluster_status beyond its shape: refresh=true probes before answering, a
// node over a threshold is "busy", and the ages are computed when answering.

import { check, expect, eq, toolResult, textOf, LOCAL_NODE } from './util.mjs';
import { checkStatusShape } from './schemas.mjs';
import { openLegacy } from './sessions.mjs';

export async function statusChecks(s, era) {
  await check(`${era}.cluster_status: refresh=true samples after the call starts`, async () => {
    const before = Date.now();
    const n = checkStatusShape(toolResult(await s.call('cluster_status', { refresh: true })));
    const at = Date.parse(n.sampled_at);
    expect(Number.isFinite(at), `sampled_at: ${n.sampled_at}`);
    expect(at >= before, `sampled_at ${n.sampled_at} is older than the call (${new Date(before).toISOString()})`);
    expect(n.sample_age_ms <= Date.now() - before, `sample_age_ms ${n.sample_age_ms} is older than the call`);
  });

  await check(`${era}.cluster_status: refresh=false answers from the latest samples`, async () => {
    const n = checkStatusShape(toolResult(await s.call('cluster_status', { refresh: false })));
    expect(Number.isInteger(n.sample_age_ms), `sample_age_ms: ${n.sample_age_ms}`);
    // Ages are the answer's, not the monitor's: consistent with sampled_at.
    const implied = Date.parse(n.sampled_at) + n.sample_age_ms;
    expect(Math.abs(implied - Date.now()) < 2_000, `sampled_at + sample_age_ms = ${new Date(implied).toISOString()}, now ${new Date().toISOString()}`);
  });
}

/** A server whose memory threshold every machine exceeds: the local node is busy. */
export async function busyStatusChecks(bin) {
  let s;
  try {
    await check('status.busy: a node over a threshold is "busy"', async () => {
      s = await openLegacy(bin, { CLUSTER_MEMORY_THRESHOLD: '0.001' });
      await s.client.listTools(); // so the SDK validates the result
      const res = await s.call('cluster_status', { refresh: true });
      const n = checkStatusShape(toolResult(res));
      eq(n.status, 'busy', 'status');
      const row = textOf(res).split('\n').find((l) => l.startsWith(`${LOCAL_NODE} `));
      expect(row && /\bbusy\b/.test(row), `no busy row for ${LOCAL_NODE}: ${textOf(res)}`);
    });
  } finally {
    await s?.close().catch(() => {});
  }
}
