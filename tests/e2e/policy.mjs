// The command policy seen from an MCP client: a command that would destroy
// the machine comes back as a tool error (error "policy", naming the rule
// and the part of the command) and never runs; explain says so too. Every
// refused command here is put behind `false &&`, so that a broken policy
// would only let the harmless `touch` run, and the check fail.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { check, expect, eq, makeTempDir, sleep, toolResult, textOf, checkRunShape } from './util.mjs';
import { checkBatchShape } from './schemas.mjs';

export async function policyChecks(s, era) {
  await check(`${era}.policy: cluster_bash of rm -rf / is a tool error naming the rule, nothing runs`, async () => {
    const file = join(makeTempDir('policy'), 'must-not-exist');
    const res = await s.call('cluster_bash', { command: `false && rm -rf / ; touch ${file}` });
    const sc = toolResult(res, { isError: true, where: 'cluster_bash' });
    checkRunShape(sc);
    eq(sc.error, 'policy', 'error');
    eq(sc.success, false, 'success');
    eq(sc.return_code, null, 'return_code');
    eq(sc.retriable, false, 'retriable');
    for (const part of ['recursive-delete-root', '"rm -rf /"']) {
      expect(sc.error_message.includes(part), `error_message lacks ${part}: ${sc.error_message}`);
      expect(textOf(res).includes(part), `text lacks ${part}: ${textOf(res)}`);
    }
    await sleep(300);
    expect(!existsSync(file), `the refused command ran: ${file} exists`);
    // Without the refused part the same line runs: the check above can fail.
    toolResult(await s.call('cluster_bash', { command: `false && rm -rf /tmp/x ; touch ${file}` }));
    expect(existsSync(file), `the allowed command did not run (${file} missing)`);
  });

  await check(`${era}.policy: offload_to and explain=true refuse alike`, async () => {
    const res = await s.call('offload_to', { command: "sudo bash -c 'mkfs.ext4 /dev/sdz9'", node_id: 'no-such-node-e2e' });
    const sc = toolResult(res, { isError: true, where: 'offload_to' });
    // The policy is read before placement: the command is refused wherever it would go.
    eq(sc.error, 'policy', 'offload_to error');
    expect(sc.error_message.includes('format-block-device'), `error_message: ${sc.error_message}`);
    const x = toolResult(await s.call('cluster_bash', { command: ':(){ :|:& };:', explain: true }),
      { isError: true, where: 'explain' }).explanation;
    expect(typeof x.policy === 'string' && x.policy.includes('fork-bomb'), `explanation.policy: ${JSON.stringify(x.policy)}`);
    const fine = toolResult(await s.call('cluster_bash', { command: 'rm -rf ./build', explain: true })).explanation;
    eq(fine.policy, null, 'explanation.policy of an allowed command');
  });

  await check(`${era}.policy: parallel_execute refuses one item, runs the others`, async () => {
    const sc = toolResult(await s.call('parallel_execute', {
      commands: ['echo a', 'false && dd if=/dev/zero of=/dev/sdz9', 'echo c'],
    }), { isError: null });
    checkBatchShape(sc, 3);
    eq(sc.results[0].stdout, 'a\n', 'results[0].stdout');
    eq(sc.results[1].error, 'policy', 'results[1].error');
    expect(sc.results[1].error_message.includes('write-block-device'), `results[1].error_message: ${sc.results[1].error_message}`);
    eq(sc.results[2].stdout, 'c\n', 'results[2].stdout');
  });
}
