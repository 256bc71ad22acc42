// What bench/parallel_fanout.mjs prints: the machine and tool versions, one
// table per scenario (medians, min-max and ratios to cluster-exec), then the
// failures, which set the exit status. The row names live here because the
// scenarios' contenders and the tables must agree on them.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { stats } from './lib.mjs';
import { peerTools } from './peers.mjs';

export const ceName = 'cluster-exec parallel_execute';
export const peerRow = (tool, mode) => `${tool} (${mode})`;

const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout || ''}${r.stderr || ''}`.trim().split('\n')[0];
};

export function printHeader({ opts, sdkVersion, installed, modes, nodes }) {
  const cpuModel = (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) || [])[1] || 'unknown CPU';
  const memGiB = Number((readFileSync('/proc/meminfo', 'utf8').match(/^MemTotal:\s*(\d+)/m) || [])[1] || 0) / 1048576;
  console.log(`${new Date().toISOString()}; nproc ${sh('nproc', [])}; kernel ${sh('uname', ['-srm'])}; ${cpuModel}; `
    + `${memGiB.toFixed(1)} GiB`);
  console.log(`node ${process.version}; sdk ${sdkVersion}; ${sh('ssh', ['-V'])}; server ${opts.server}`);
  console.log(`peers: ${Object.entries(peerTools).map(([name, t]) => (installed[name] ? t.version()
    : `${name} not installed (bash bench/install-peers.sh)`)).join('; ')}`);
  console.log(`${nodes.length} sshd nodes on loopback (sshd default MaxSessions/MaxStartups); ${opts.reps} repetitions `
    + `after ${opts.warmup} warm-up; peers with ${modes.map((m) => `"${m}"`).join(' and ')} connections`);
}

const fmt = {
  s: (x) => (x / 1000).toFixed(2),
  'cmd/s': (x) => x.toFixed(1),
  ms: (x) => x.toFixed(0),
};
// A table of medians, min-max and ratios; refs are fixed figures (bounds).
export function table({ opts }, title, unit, rows, legend) {
  const f = fmt[unit];
  const ce = rows.find((r) => r.ce);
  const ceMed = ce?.samples?.length ? stats(ce.samples).median : NaN;
  const cells = rows.map((r) => {
    if (r.missing) return [r.name, r.missing, '', '', ''];
    const v = r.value ?? (r.samples.length ? stats(r.samples).median : NaN);
    if (!Number.isFinite(v)) return [r.name, 'no valid run', '', `0/${opts.reps}`, ''];
    const range = r.samples ? `${f(stats(r.samples).min)}–${f(stats(r.samples).max)}` : '';
    const n = r.samples ? `${r.samples.length}/${opts.reps}` : '';
    const ratio = r.ce || r.noRatio ? '—' : (Number.isFinite(ceMed) ? `${(ceMed / v).toFixed(2)}` : 'n/a');
    return [r.name, f(v), range, n, ratio];
  });
  const head = ['', `median ${unit}`, 'min–max', 'n', 'cluster-exec ÷ row'];
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)) + 2);
  console.log('');
  console.log(title);
  console.log(head.map((h, i) => (i === 0 ? h.padEnd(w[i]) : h.padStart(w[i]))).join(''));
  for (const c of cells) console.log(c.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join(''));
  for (const l of legend) console.log(l);
}

// The row of one of cluster-exec's contenders from a scenario's samples
// (undefined when the scenario never got to measure). A scenario that
// measured without it had a failure saying why.
export const measuredRow = (samples, name, flags = {}) => ({ name, ...flags, samples: samples?.[name] ?? [],
  ...(samples && !samples[name] ? { missing: 'not measured (see FAILURES)' } : {}) });
export const ceRow = (samples) => measuredRow(samples, ceName, { ce: true });
export const peerRows = ({ installed, modes }, samples, tools) => tools.flatMap((tool) => modes.map((mode) => {
  const name = peerRow(tool, mode);
  if (!installed[tool]) return { name, missing: `not installed (apt: ${peerTools[tool].pkg})` };
  return { name, samples: samples?.[name] ?? [] };
}));

export function printFooter({ opts, failures }) {
  console.log('');
  console.log('cluster-exec runs on a server started beforehand with warm connections; "new ssh" rows pay a connection per '
    + `remote command${opts.masters ? ', "ControlMaster" rows ride masters opened before the run' : ''}.`);
  if (failures.length) {
    console.log(`FAILURES: ${failures.length} (each left its repetition out of the figures above)`);
    const groups = new Map();
    for (const x of failures) groups.set(`${x.what}: ${x.detail}`, (groups.get(`${x.what}: ${x.detail}`) || 0) + 1);
    for (const [text, count] of groups) console.log(`  ${count > 1 ? `${count}x ` : ''}${text}`);
    process.exitCode = 1;
  } else {
    console.log('failures: 0');
  }
}
