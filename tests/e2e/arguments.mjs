// Argument errors: each bad call must come back as a tool result with
// isError true whose text names the offending argument (not as a crash, a
// protocol error or a silent success).

import { check, expect, eq, textOf, checkRunShape } from './util.mjs';

const CASES = [
  ['cluster_bash missing command', 'cluster_bash', {}, 'command'],
  ['cluster_bash command of wrong type', 'cluster_bash', { command: 42 }, 'command'],
  ['cluster_bash unknown argument', 'cluster_bash', { command: 'true', bogus_option_e2e: 1 }, 'bogus_option_e2e'],
  ['cluster_bash bad requires_os enum', 'cluster_bash', { command: 'true', requires_os: 'windows' }, 'requires_os'],
  ['cluster_bash bad requires_arch enum', 'cluster_bash', { command: 'true', requires_arch: 'sparc' }, 'requires_arch'],
  ['cluster_bash auto_route of wrong type', 'cluster_bash', { command: 'true', auto_route: 'yes' }, 'auto_route'],
  ['cluster_bash timeout 0', 'cluster_bash', { command: 'true', timeout: 0 }, 'timeout'],
  ['cluster_bash timeout negative', 'cluster_bash', { command: 'true', timeout: -1 }, 'timeout'],
  ['cluster_bash timeout of wrong type', 'cluster_bash', { command: 'true', timeout: '5' }, 'timeout'],
  ['cluster_bash max_output_bytes 0', 'cluster_bash', { command: 'true', max_output_bytes: 0 }, 'max_output_bytes'],
  ['cluster_bash max_output_bytes not an integer', 'cluster_bash', { command: 'true', max_output_bytes: 1.5 }, 'max_output_bytes'],
  ['cluster_bash relative cwd', 'cluster_bash', { command: 'true', cwd: 'relative/dir' }, 'cwd'],
  ['offload_to missing node_id', 'offload_to', { command: 'true' }, 'node_id'],
  ['offload_to missing command', 'offload_to', { node_id: 'x' }, 'command'],
  ['parallel_execute missing commands', 'parallel_execute', {}, 'commands'],
  ['parallel_execute empty commands', 'parallel_execute', { commands: [] }, 'commands'],
  ['parallel_execute commands of wrong type', 'parallel_execute', { commands: 'echo a' }, 'commands'],
  ['parallel_execute non-string command', 'parallel_execute', { commands: ['echo a', 7] }, 'commands'],
  ['cluster_status unknown argument', 'cluster_status', { bogus_option_e2e: true }, 'bogus_option_e2e'],
  ['cluster_bash requires_capabilities not an array', 'cluster_bash', { command: 'true', requires_capabilities: 'docker' }, 'requires_capabilities'],
  ['cluster_bash requires_capabilities empty name', 'cluster_bash', { command: 'true', requires_capabilities: ['docker', ''] }, 'requires_capabilities[1]'],
  ['cluster_bash requires_capabilities non-string', 'cluster_bash', { command: 'true', requires_capabilities: [5] }, 'requires_capabilities[0]'],
  ['cluster_bash requires_capabilities with NUL', 'cluster_bash', { command: 'true', requires_capabilities: ['a\u0000b'] }, 'NUL'],
  ['parallel_execute requires_capabilities not an array', 'parallel_execute', { commands: ['true'], requires_capabilities: { gpu: true } }, 'requires_capabilities'],
  ['offload_to takes no requires_capabilities', 'offload_to', { command: 'true', node_id: 'x', requires_capabilities: ['gpu'] }, 'requires_capabilities'],
  ['cluster_bash explain of wrong type', 'cluster_bash', { command: 'true', explain: 'yes' }, 'explain'],
  ['offload_to explain of wrong type', 'offload_to', { command: 'true', node_id: 'x', explain: 1 }, 'explain'],
  ['parallel_execute takes no explain', 'parallel_execute', { commands: ['true'], explain: true }, 'explain'],
  ['cluster_status refresh of wrong type', 'cluster_status', { refresh: 'true' }, 'refresh'],
];

export async function argumentErrorChecks(s, era) {
  await check(`${era}.argument errors -> isError naming the argument (${CASES.length} cases)`, async () => {
    const failures = [];
    for (const [what, tool, args, name] of CASES) {
      try {
        const res = await s.call(tool, args);
        const text = textOf(res);
        eq(res.isError, true, 'isError');
        expect(text.includes(name), `text does not name "${name}": ${JSON.stringify(text.slice(0, 200))}`);
        if (res.structuredContent !== undefined && tool !== 'parallel_execute' && tool !== 'cluster_status') {
          checkRunShape(res.structuredContent);
          eq(res.structuredContent.error, 'invalid', 'structuredContent.error');
        }
      } catch (e) {
        failures.push(`${what} ${JSON.stringify(args)}: ${e.message}`);
      }
    }
    expect(failures.length === 0, `${failures.length} case(s) failed:\n      ${failures.join('\n      ')}`);
  });
}
