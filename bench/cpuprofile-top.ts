// Summarises .cpuprofile files (from `node --cpu-prof`): self time by module and by function, and
// the inclusive (self + callees) time of the library's own functions (src/).
//   node --import tsx bench/cpuprofile-top.ts <dir or files…> [--top 25] [--from-ms N] [--to-ms N] [--window A,B] [--merge]
// Each file is labelled primary (caller) or worker (callee): a worker's profile holds
// bench/fixtures/ipc-worker.ts. --from-ms/--to-ms keep the samples in that window from the start
// of each profile (e.g. to leave module loading out of a cold run); --window A,B keeps the samples
// between two monotonic-clock times in µs (what bench/profile.ts prints for its calls), on both
// sides. --merge sums the files of the
// same role (several short cold runs) into one table each.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly startTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const { values, positionals } = parseArgs({
  options: {
    top: { type: 'string', default: '25' },
    'from-ms': { type: 'string' },
    'to-ms': { type: 'string' },
    window: { type: 'string' },
    merge: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const top = Number(values.top);
const fromUs = values['from-ms'] === undefined ? 0 : Number(values['from-ms']) * 1000;
const toUs = values['to-ms'] === undefined ? Infinity : Number(values['to-ms']) * 1000;
/** Monotonic-clock windows (µs), `A,B` or several as `A,B;C,D` (one per merged run). */
const windows: [number, number][] = values.window === undefined ? [[-Infinity, Infinity]] : values.window.split(';').map((w) => w.split(',').map(Number) as [number, number]);
const inWindow = (t: number): boolean => windows.some(([a, b]) => t >= a && t <= b);
const files = positionals.flatMap((p) =>
  statSync(p).isDirectory()
    ? readdirSync(p)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => path.join(p, f))
    : [p],
);

function moduleOf(url: string): string {
  if (url === '') return '(native/vm)';
  if (url.startsWith('node:')) return url;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length).split('/').slice(0, url.includes('/@', nm) ? 2 : 1).join('/');
  const src = url.search(/\/(src|dist|bench)\//);
  return src >= 0 ? url.slice(src + 1) : url;
}

/** Sums of one or more profiles: microseconds by key. */
interface Tally {
  total: number;
  samples: number;
  readonly selfByFn: Map<string, number>;
  readonly selfByModule: Map<string, number>;
  readonly inclusiveSrc: Map<string, number>;
}
const newTally = (): Tally => ({ total: 0, samples: 0, selfByFn: new Map(), selfByModule: new Map(), inclusiveSrc: new Map() });
const add = (m: Map<string, number>, k: string, v: number): void => void m.set(k, (m.get(k) ?? 0) + v);

const maps = new Map<string, SourceMap | undefined>();
/** The source map of a compiled file (dist/*.js next to its .js.map), if any. */
function mapOf(url: string): SourceMap | undefined {
  if (!maps.has(url)) {
    let map: SourceMap | undefined;
    try {
      const file = `${fileURLToPath(url)}.map`;
      if (existsSync(file)) map = new SourceMap(JSON.parse(readFileSync(file, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      map = undefined;
    }
    maps.set(url, map);
  }
  return maps.get(url);
}

/** `name  module:line`, the line in src/*.ts when the profile ran dist/ (bench/fixtures/use-dist.mjs). */
function keyOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (url === '') return `${name}  (native/vm)`;
  const columnNumber = (node.callFrame as { columnNumber?: number }).columnNumber ?? 0;
  const entry = (url.includes('/dist/') ? mapOf(url)?.findEntry(lineNumber, columnNumber) : undefined) as { originalSource?: string; originalLine?: number } | undefined;
  if (typeof entry?.originalSource === 'string' && typeof entry.originalLine === 'number') {
    return `${name}  ${entry.originalSource.replace(/^.*\/src\//, 'src/')}:${entry.originalLine + 1}`;
  }
  return `${name}  ${moduleOf(url)}:${lineNumber + 1}`;
}

function roleOf(profile: Profile): 'worker' | 'primary' {
  return profile.nodes.some((n) => n.callFrame.url.includes('fixtures/ipc-worker.ts')) ? 'worker' : 'primary';
}

function tally(profile: Profile, into: Tally): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let at = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    const node = byId.get(id);
    if (node === undefined || at < fromUs || at > toUs) return;
    if (!inWindow(profile.startTime + at)) return;
    into.total += dt;
    into.samples++;
    add(into.selfByFn, keyOf(node), dt);
    add(into.selfByModule, moduleOf(node.callFrame.url), dt);
    // Inclusive time of src/ functions: each distinct one on the sample's stack counts once.
    const seen = new Set<string>();
    for (let n: ProfileNode | undefined = node; n !== undefined; n = byId.get(parent.get(n.id) ?? -1)) {
      if (!/\/(src|dist)\//.test(n.callFrame.url)) continue;
      const key = keyOf(n);
      if (!seen.has(key)) {
        seen.add(key);
        add(into.inclusiveSrc, key, dt);
      }
    }
  });
}

function print(title: string, t: Tally): void {
  const busy = t.total - (t.selfByFn.get('(idle)  (native/vm)') ?? 0);
  const pct = (us: number): string => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;
  const ms = (us: number): string => `${(us / 1000).toFixed(0).padStart(6)} ms`;
  const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]);
  console.log(`\n## ${title}: ${(t.total / 1e6).toFixed(2)} s sampled (${t.samples} samples), ${(busy / 1e6).toFixed(2)} s not idle (percentages of that)`);
  console.log('\nself time by module:');
  for (const [mod, us] of sorted(t.selfByModule).slice(0, 15)) console.log(`${ms(us)} ${pct(us)}  ${mod}`);
  console.log(`\ntop ${top} functions by self time:`);
  for (const [key, us] of sorted(t.selfByFn).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${key}`);
  console.log(`\ntop ${top} src/ functions by inclusive time (self + callees):`);
  for (const [key, us] of sorted(t.inclusiveSrc).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${key}`);
}

const merged = new Map<string, Tally>();
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const role = roleOf(profile);
  if (values.merge) {
    if (!merged.has(role)) merged.set(role, newTally());
    tally(profile, merged.get(role)!);
  } else {
    const t = newTally();
    tally(profile, t);
    print(`${path.basename(file)} (${role})`, t);
  }
}
for (const [role, t] of merged) print(`${role}, ${files.length} files merged`, t);
