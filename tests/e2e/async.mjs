// Progress notifications and cancellation through an SDK session (either
// era). Cancellation is proven by looking for the killed processes and by
// checking that no response for the cancelled request ever arrives.

import {
  check, expect, eq, sleep, makeTempDir, readPidFiles, assertGone, toolResult,
  sleeperCommand, sleeperPidFiles,
} from './util.mjs';

function checkIncreasing(notes, what) {
  for (let i = 1; i < notes.length; i++) {
    expect(notes[i].progress > notes[i - 1].progress,
      `${what}: progress not increasing: ${JSON.stringify(notes.map((n) => n.progress))}`);
  }
}

/** Cancels a call through its AbortSignal once its processes exist; proves them gone. */
export async function cancelAndProve(s, tool, args, command, pidFiles) {
  const ac = new AbortController();
  let settled = null;
  const pending = s.call(tool, args, { signal: ac.signal, timeout: 60_000 })
    .then((r) => { settled = { result: r }; }, (e) => { settled = { error: e }; });
  const pids = await readPidFiles(pidFiles, 10_000);
  const id = s.requestIdOf(command);
  expect(id !== undefined, 'could not find the tools/call request id');
  ac.abort('e2e cancellation');
  await pending;
  expect(settled.error, `call resolved despite abort: ${JSON.stringify(settled.result)}`);
  const note = s.outbound.find((m) => m.method === 'notifications/cancelled' && m.params?.requestId === id);
  expect(note, 'the SDK sent no notifications/cancelled for the request');
  await assertGone(pids, 5_000, 'processes of the cancelled call');
  // Give a stray response time to arrive, then make sure none did.
  await sleep(1_000);
  const stray = s.responsesTo(id);
  expect(stray.length === 0, `server answered the cancelled request: ${JSON.stringify(stray).slice(0, 300)}`);
}

/**
 * Runs a call with a progress token and returns the notifications/progress
 * for it as seen on the wire before its response (the SDKs dispatch
 * notifications a microtask late, so a notification sent just before the
 * response is dropped by the SDK itself; the wire is the truth). Fails if a
 * notification for the token comes after the response.
 */
async function callWithProgress(s, tool, args, command) {
  const res = await s.call(tool, args, { onprogress: () => {} });
  const req = s.outbound.find((m) => m.method === 'tools/call' && m.id === s.requestIdOf(command));
  const token = req?.params?._meta?.progressToken;
  expect(token !== undefined, 'the SDK did not send a progressToken');
  await sleep(300); // a late notification would show up here
  const isNote = (m) => m.method === 'notifications/progress' && m.params?.progressToken === token;
  const iResp = s.inbound.findIndex((m) => m.id === req.id && ('result' in m || 'error' in m));
  const late = s.inbound.slice(iResp + 1).filter(isNote);
  expect(late.length === 0, `progress notifications after the response: ${JSON.stringify(late)}`);
  return { res, notes: s.inbound.slice(0, iResp).filter(isNote).map((m) => m.params) };
}

/** SDK errors except the SDK's own late-dispatch race (see callWithProgress). */
export function unexpectedErrors(s) {
  return s.errors.filter((e) => {
    const m = /unknown token: (\{.*\})$/.exec(e.message || '');
    if (!m) return true;
    const note = JSON.parse(m[1]);
    const token = note.params?.progressToken;
    const req = s.outbound.find((x) => x.method === 'tools/call' && x.params?._meta?.progressToken === token);
    if (!req) return true;
    const iNote = s.inbound.findIndex((x) => x.method === 'notifications/progress' &&
      x.params?.progressToken === token && x.params?.progress === note.params?.progress);
    const iResp = s.inbound.findIndex((x) => x.id === req.id && ('result' in x || 'error' in x));
    return !(iNote >= 0 && iResp >= 0 && iNote < iResp);
  });
}

export async function asyncChecks(s, era) {
  await check(`${era}.progress: cluster_bash sends increasing notifications/progress`, async () => {
    const command = 'sleep 1.2; echo done';
    const { res, notes } = await callWithProgress(s, 'cluster_bash', { command }, command);
    const sc = toolResult(res);
    eq(sc.stdout, 'done\n', 'stdout');
    expect(notes.length >= 2, `expected >= 2 progress notifications (CLUSTER_PROGRESS_INTERVAL=0.2) over 1.2 s, got ${notes.length}`);
    checkIncreasing(notes, 'cluster_bash');
  });

  await check(`${era}.progress: notifications carry the last line of output`, async () => {
    const command = 'echo first-line; echo progress-marker; sleep 1.2';
    const { notes } = await callWithProgress(s, 'cluster_bash', { command }, command);
    expect(notes.some((n) => (n.message || '').includes('last output: progress-marker')),
      `no notification names the last line: ${JSON.stringify(notes.map((n) => n.message))}`);
  });

  await check(`${era}.progress: parallel_execute reports each finished item of total 3`, async () => {
    const commands = ['sleep 0.2', 'sleep 0.6', 'sleep 1.0'];
    const { res, notes } = await callWithProgress(s, 'parallel_execute', { commands }, commands[0]);
    const sc = toolResult(res, { isError: null });
    eq(sc.succeeded, 3, 'succeeded');
    checkIncreasing(notes, 'parallel_execute');
    const items = notes.filter((n) => n.total === 3);
    expect(items.length >= 3, `expected >= 3 notifications with total 3, got ${JSON.stringify(notes)}`);
    eq(notes.at(-1).progress, 3, 'last progress');
    eq(notes.at(-1).total, 3, 'last total');
  });

  await check(`${era}.cancel: cluster_bash process group killed, no response`, async () => {
    const dir = makeTempDir('cancel');
    const command = sleeperCommand(dir);
    await cancelAndProve(s, 'cluster_bash', { command }, command, sleeperPidFiles(dir));
  });

  if (era === 'legacy') {
    await check(`${era}.cancel: parallel_execute kills every item, no response`, async () => {
      const dir = makeTempDir('pcancel');
      const commands = [sleeperCommand(dir, '1'), sleeperCommand(dir, '2')];
      await cancelAndProve(s, 'parallel_execute', { commands }, commands[0],
        [...sleeperPidFiles(dir, '1'), ...sleeperPidFiles(dir, '2')]);
    });
  }

  await check(`${era}.cancel: server still serves calls afterwards`, async () => {
    const sc = toolResult(await s.call('cluster_bash', { command: 'echo alive' }));
    eq(sc.stdout, 'alive\n', 'stdout');
  });
}
