// The README's metrics table and the definitions in code say the same: every metric, its type and labels.
import { readFileSync } from 'node:fs';
import test from 'ava';
import { METRICS } from '../../src/metrics/definitions.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function tableRows(): Map<string, { type: string; labels: string[] }> {
  const section = README.slice(README.indexOf('| name | type | labels | meaning |'));
  const rows = new Map<string, { type: string; labels: string[] }>();
  for (const line of section.split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const [, name, type, labels] = line.split('|').map((c) => c.trim());
    rows.set(name!.replace(/`/g, ''), { type: type!, labels: labels!.length === 0 ? [] : labels!.split(',').map((l) => l.trim().replace(/`/g, '')) });
  }
  return rows;
}

test('every metric the code defines is in the README table with its type and labels, and nothing else is', (t) => {
  const rows = tableRows();
  const defined = Object.values(METRICS);
  for (const d of defined) t.deepEqual(rows.get(d.name), { type: d.type, labels: [...d.labelNames] }, d.name);
  t.deepEqual([...rows.keys()].sort(), defined.map((d) => d.name).sort());
});
