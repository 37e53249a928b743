// Medians across several full runs (the machine is shared and noisy, so one run is not enough):
//   node --import tsx bench/summarize.ts [--last 3] [--targets] [files…]
// Without files, reads the newest `--last` bench/results/run-full-*.json. Prints a Markdown table;
// with --targets, only the rows that carry a target, as "met" / "not met".
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fmtDelta, fmtTargetBound, fmtValue, median, meets, targetSubject, type Row } from './lib.js';

const { values, positionals } = parseArgs({ options: { last: { type: 'string', default: '3' }, targets: { type: 'boolean', default: false } }, allowPositionals: true });
const dir = fileURLToPath(new URL('./results/', import.meta.url));
const files =
  positionals.length > 0
    ? positionals
    : readdirSync(dir)
        .filter((f) => /^run-full-.*\.json$/.test(f))
        .sort()
        .slice(-Number(values.last))
        .map((f) => path.join(dir, f));
const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as { date: string; durationMs: number; error?: string; machine: { loadavgStart: number[]; loadavgEnd?: number[] }; rows: Row[] });

const fmt = (r: number): string => `${r.toFixed(2)}×`;
const value = (row: Row, v: number): string => fmtValue(v, row.unit);

console.log(`Runs (${runs.length}): ${runs.map((r) => `${r.date} (${(r.durationMs / 1000).toFixed(0)} s, load ${r.machine.loadavgStart[0]}→${r.machine.loadavgEnd?.[0] ?? '?'}${r.error === undefined ? '' : ', FAILED'})`).join('; ')}\n`);
if (values.targets) {
  console.log('| section | measure | baseline | contestant | values (median of runs) | Δ | ratio (per run) | target | met? |');
  console.log('| --- | --- | --- | --- | --- | ---: | --- | --- | --- |');
  for (const row of runs.at(-1)?.rows ?? []) {
    if (row.target === undefined) continue;
    const same = runs.map((r) => r.rows.find((x) => x.id === row.id)).filter((x): x is Row => x !== undefined);
    const ratio = median(same.map((r) => r.ratio));
    const deltas = same.map((r) => r.delta).filter((d): d is number => d !== undefined);
    console.log(
      `| ${row.section} | ${row.measure} | ${row.baseline} | ${row.contestant} | ${value(row, median(same.map((r) => r.baselineValue)))} → ${value(row, median(same.map((r) => r.contestantValue)))} | ${deltas.length === 0 ? '' : fmtDelta(median(deltas), row.unit)} | **${fmt(ratio)}** (${same.map((r) => fmt(r.ratio)).join(', ')}) | ${fmtTargetBound(row.target, row.unit)} | ${meets(row.target, targetSubject(row.target, ratio, median(same.map((r) => r.contestantValue)))) ? 'met' : 'not met'} |`,
    );
  }
  process.exit(0);
}
console.log('| measure | baseline | contestant | baseline (median of runs) | contestant (median of runs) | Δ, median of runs | ratio, median of runs | per-run ratios | better | target |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | --- | --- | --- |');
const first = runs.at(-1)?.rows ?? [];
let section = '';
for (const row of first) {
  const same = runs.map((r) => r.rows.find((x) => x.id === row.id)).filter((x): x is Row => x !== undefined);
  const ratio = median(same.map((r) => r.ratio));
  if (row.section !== section) {
    section = row.section;
    console.log(`| **${section}** | | | | | | | | | |`);
  }
  const subject = row.target === undefined ? ratio : targetSubject(row.target, ratio, median(same.map((r) => r.contestantValue)));
  const target = row.target === undefined ? '' : `${fmtTargetBound(row.target, row.unit)} ${meets(row.target, subject) ? 'met' : 'not met'}`;
  const deltas = same.map((r) => r.delta).filter((d): d is number => d !== undefined);
  const delta = deltas.length === 0 ? '' : fmtDelta(median(deltas), row.unit);
  console.log(
    `| ${row.measure} | ${row.baseline} | ${row.contestant} | ${value(row, median(same.map((r) => r.baselineValue)))} | ${value(row, median(same.map((r) => r.contestantValue)))} | ${delta} | ${fmt(ratio)} | ${same.map((r) => fmt(r.ratio)).join(', ')} | ${row.better === 'lower' ? 'lower ↓' : 'higher ↑'} | ${target} |`,
  );
}
