// What `npm pack` would publish (needs `npm run build` first, as `npm test` does): complete (entry
// points, LICENSE, sources the maps point at), nothing that is not ours to ship, and zod needed by the
// HTTP entry only.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import test from 'ava';
import { importGraph, packageOf, ROOT, runOk } from './helpers.js';

interface Manifest {
  license: string;
  files: string[];
  dependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
  repository?: { type: string; url: string };
  homepage?: string;
  bugs?: { url: string };
  keywords?: string[];
}

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const dist = (file: string): string => path.join(ROOT, 'dist', file);

async function packedFiles(): Promise<Set<string>> {
  const { stdout } = await runOk('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, limitMs: 60_000 });
  const [packed] = JSON.parse(stdout) as [{ files: { path: string }[] }];
  return new Set(packed.files.map((f) => f.path));
}

test('the tarball holds the entry points, their types, the LICENSE and the README, and no tests or build info', async (t) => {
  const files = await packedFiles();
  for (const file of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/http/index.js', 'dist/http/index.d.ts', 'dist/testing.js', 'dist/testing.d.ts', 'src/index.ts']) {
    t.true(files.has(file), `${file} is packed`);
  }
  const strays = [...files].filter((f) => /^(test|bench|examples|api|node_modules)\/|\.tsbuildinfo$/.test(f));
  t.deepEqual(strays, []);
});

test('every source map and declaration map in the tarball points at sources the tarball holds', async (t) => {
  const files = await packedFiles();
  const maps = [...files].filter((f) => f.endsWith('.map'));
  t.true(maps.length > 10, `found ${maps.length} maps`);
  const unresolved: string[] = [];
  for (const map of maps) {
    const { sources, sourceRoot = '' } = JSON.parse(readFileSync(path.join(ROOT, map), 'utf8')) as { sources: string[]; sourceRoot?: string };
    for (const source of sources) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(map), sourceRoot, source));
      if (!files.has(target)) unresolved.push(`${map} → ${target}`);
    }
  }
  t.deepEqual(unresolved, []);
});

test('the LICENSE is the MIT licence package.json names, and the metadata points at the repository', (t) => {
  t.is(manifest.license, 'MIT');
  const license = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
  t.regex(license, /^MIT License\n\nCopyright \(c\) 2026 typed-cluster-rpc contributors\n/);
  t.regex(manifest.repository?.url ?? '', /^git\+https:\/\/github\.com\/[\w-]+\/typed-cluster-rpc\.git$/);
  t.regex(manifest.homepage ?? '', /^https:\/\/github\.com\/[\w-]+\/typed-cluster-rpc#readme$/);
  t.regex(manifest.bugs?.url ?? '', /^https:\/\/github\.com\/[\w-]+\/typed-cluster-rpc\/issues$/);
  t.true((manifest.keywords ?? []).length > 0);
});

test('zod is an optional peer dependency (and a dev dependency), never a dependency', (t) => {
  t.false('zod' in manifest.dependencies);
  t.regex(manifest.peerDependencies?.['zod'] ?? '', /^\^4\./);
  t.true(manifest.peerDependenciesMeta?.['zod']?.optional);
  t.truthy(manifest.devDependencies['zod']);
});

const builtins = new Set(builtinModules);
const isBuiltin = (spec: string): boolean => spec.startsWith('node:') || builtins.has(spec);

for (const [entry, needsZod] of [
  ['index', false],
  ['testing', false],
  ['http/index', true],
] as const) {
  test(`the ${entry} entry (JavaScript and declarations) ${needsZod ? 'imports zod, the peer the README tells HTTP users to install' : 'imports nothing of zod'}`, (t) => {
    for (const file of [dist(`${entry}.js`), dist(`${entry}.d.ts`)]) {
      const { files, bare } = importGraph(file);
      t.true(files.length > 1, `${file} has imports`);
      const packages = new Set([...bare].filter((s) => !isBuiltin(s)).map(packageOf));
      t.is(packages.has('zod'), needsZod, `${path.relative(ROOT, file)} reaches: ${[...packages].join(', ')}`);
      // Everything else it imports is a declared dependency, or an optional peer loaded only by
      // `import()` when asked for (prom-client, behind the HTTP cluster's `metrics.promClient`).
      const lazyPeer = (p: string): boolean =>
        manifest.peerDependenciesMeta?.[p]?.optional === true && files.every((f) => !new RegExp(`(?:from|import)\\s*['"]${p}['"]`).test(readFileSync(f, 'utf8')));
      const undeclared = [...packages].filter((p) => p !== 'zod' && !(p in manifest.dependencies) && !lazyPeer(p));
      t.deepEqual(undeclared, [], `${path.relative(ROOT, file)} imports undeclared packages`);
    }
  });
}
