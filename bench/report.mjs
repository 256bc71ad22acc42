// What bench/harness.mjs prints and writes: the machine and tool versions,
// one table per workload (medians, min-max, and each row's time against the
// best peer of the same kind), the MCP server's memory and CPU (M), a
// summary of cluster-exec's ratios, and every row as CSV.

import { readFileSync, writeFileSync } from 'node:fs';
import { firstLine, stats } from './lib.mjs';
import { peerTools } from './peers.mjs';

// [key, value] pairs describing the machine and the software measured.
export function machineDetails({ opts, sdkVersion, installed, notes }) {
  const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) || [])[1] || 'unknown CPU';
  const memGiB = Number((readFileSync('/proc/meminfo', 'utf8').match(/^MemTotal:\s*(\d+)/m) || [])[1] || 0) / 1048576;
  return [
    ['date', new Date().toISOString()],
    ['machine', `${firstLine('nproc', [])} CPUs, ${cpu}, ${memGiB.toFixed(1)} GiB, ${firstLine('uname', ['-srm'])}`],
    ['load', readFileSync('/proc/loadavg', 'utf8').trim()],
    ['software', `node ${process.version}; MCP SDK ${sdkVersion}; ${firstLine('ssh', ['-V'])}`],
    ['cluster-exec', `server ${opts.server}; CLI ${opts.router}`],
    ['peers', Object.entries(peerTools).map(([name, t]) => (installed[name] ? t.version()
      : `${name} not installed (apt: ${t.pkg})`)).join('; ')],
    ['run', `${opts.reps} repetitions after ${opts.warmup} warm-up (W1: ${opts['w1-samples']} samples); seed ${opts.seed}`
      + `${opts.smoke ? '; SMOKE (short form: figures mean nothing)' : ''}`],
    ...notes.map((n) => ['note', n]),
  ];
}

const fmt = { s: (x) => (x / 1000).toFixed(2), 'cmd/s': (x) => x.toFixed(1), ms: (x) => x.toFixed(1) };
// Every ratio is one of times: for rates, the best rate over the row's.
const timeRatio = (unit, v, best) => (unit === 'cmd/s' ? best / v : v / best);
const better = (unit, a, b) => (unit === 'cmd/s' ? a > b : a < b);

// Medians and the best peer of each kind; sets row.median, row.best, row.ratio.
export function analyse(w) {
  const best = {};
  for (const r of w.rows) {
    r.median = r.value ?? (r.samples?.length ? stats(r.samples).median : NaN);
    if (r.who === 'peer' && Number.isFinite(r.median) && (!best[r.kind] || better(w.unit, r.median, best[r.kind].median))) {
      best[r.kind] = r;
    }
  }
  for (const r of w.rows) {
    const b = best[r.kind];
    r.best = b && b !== r ? b : null;
    r.ratio = b && Number.isFinite(r.median) ? timeRatio(w.unit, r.median, b.median) : NaN;
  }
  w.best = best;
  return w;
}

const pad = (cells, head) => {
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)) + 2);
  const line = (c) => c.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('');
  console.log(line(head));
  for (const c of cells) console.log(line(c));
};

export function printTable(w) {
  const f = fmt[w.unit];
  console.log('');
  console.log(w.title);
  pad(w.rows.map((r) => {
    if (r.missing) return [r.name, r.missing, '', '', '', ''];
    if (r.who === 'bound') return [r.name, f(r.median), '', '', '', ''];
    if (!r.samples.length) return [r.name, 'no valid run', '', `0/${w.reps}`, r.kind, ''];
    const s = stats(r.samples);
    return [r.name, f(r.median), `${f(s.min)}–${f(s.max)}`, `${r.samples.length}/${w.reps}`, r.kind,
      Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : '—'];
  }), ['', `median ${w.unit}`, 'min–max', 'n', 'kind', '÷ best peer']);
  const bests = Object.entries(w.best).map(([k, r]) => `${k}: ${r.name} ${f(r.median)}`).join('; ');
  console.log(`÷ best peer: the row's time over the best peer's of the same kind (${bests || 'no peer measured'}); `
    + 'below 1: faster.');
  for (const l of w.legend) console.log(l);
}

// M: the warm MCP server of the workloads that report usage.
export function printUsage(workloads) {
  const withUsage = workloads.filter((w) => w.usage);
  if (!withUsage.length) return;
  console.log('');
  console.log('M  the MCP server (warm) while it worked: peak resident memory and CPU time, from /proc');
  pad(withUsage.map(({ key, usage: u, commands }) => [key, u.rssStartMiB.toFixed(1), u.peakMiB.toFixed(1),
    u.callCpuS.toFixed(2), u.callSysS.toFixed(2), String(u.calls), (u.callCpuS / u.calls / commands * 1000).toFixed(2),
    u.totalCpuS.toFixed(2), u.wallS.toFixed(1)]),
  ['', 'RSS MiB at start', 'peak MiB (VmHWM)', 'CPU s in calls', 'of it system', 'calls', 'CPU ms/command',
    'CPU s overall', 'over s']);
  console.log(`peak: VmHWM since the ${withUsage[0].usage.peakSince}; CPU: utime + stime of all threads; "overall" also `
    + 'covers the peers\' turns, when the server only probes health.');
}

// Each cluster-exec row against the best peer of its kind, and of any kind.
export function printSummary(workloads) {
  const cells = [];
  for (const w of workloads) {
    const f = fmt[w.unit];
    const bestAny = Object.values(w.best).reduce((a, r) => (!a || better(w.unit, r.median, a.median) ? r : a), null);
    for (const r of w.rows.filter((x) => x.who === 'ce')) {
      const any = bestAny && Number.isFinite(r.median) ? timeRatio(w.unit, r.median, bestAny.median).toFixed(2) : '—';
      cells.push([w.key, r.name, Number.isFinite(r.median) ? `${f(r.median)} ${w.unit}` : 'n/a',
        r.best ? `${r.best.name} ${f(r.best.median)}` : '—', Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : '—',
        bestAny ? `${bestAny.name} ${f(bestAny.median)}` : '—', any]);
    }
  }
  console.log('');
  console.log('Summary: cluster-exec\'s time over the best peer\'s (below 1: faster)');
  pad(cells, ['', 'row', 'median', 'best peer, same kind', 'ratio', 'best peer, any kind', 'ratio']);
}

const csvCell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));

// Every row of every table, the M figures and the machine details.
export function writeCsv(file, details, workloads) {
  const lines = [['workload', 'row', 'who', 'kind', 'unit', 'n', 'reps', 'median', 'min', 'max', 'best_peer_same_kind',
    'ratio_to_best_peer', 'samples', 'note']];
  for (const [k, v] of details) lines.push(['machine', k, '', '', '', '', '', '', '', '', '', '', '', v]);
  const num = (x) => (Number.isFinite(x) ? x.toFixed(3) : '');
  for (const w of workloads) {
    for (const r of w.rows) {
      const s = r.samples?.length ? stats(r.samples) : {};
      lines.push([w.key, r.name, r.who, r.kind || '', w.unit, r.samples?.length ?? '', r.samples ? w.reps : '',
        num(r.median), num(s.min), num(s.max), r.best?.name || '', num(r.ratio),
        (r.samples || []).map((x) => x.toFixed(3)).join(' '), r.missing || '']);
    }
    if (w.usage) {
      const u = w.usage;
      for (const [k, unit, v] of [['RSS at start', 'MiB', u.rssStartMiB], ['peak RSS (VmHWM)', 'MiB', u.peakMiB],
        ['CPU in calls', 's', u.callCpuS], ['system CPU in calls', 's', u.callSysS],
        ['CPU per command', 'ms', u.callCpuS / u.calls / w.commands * 1000],
        ['CPU overall', 's', u.totalCpuS]]) {
        lines.push([`M ${w.key}`, `MCP server ${k}`, 'ce', 'warm', unit, u.calls, '', num(v), '', '', '', '', '',
          `peak since ${u.peakSince}; over ${u.wallS.toFixed(1)} s`]);
      }
    }
  }
  writeFileSync(file, `${lines.map((l) => l.map(csvCell).join(',')).join('\n')}\n`);
}
