// Helpers of the package tests: run a command with a bound, pack the tarball, and read the import
// graph of the built files.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TSC = path.join(ROOT, 'node_modules', '.bin', 'tsc');

export interface Ran {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment for a nested npm: without what `npm test` sets for this package, so an npm run
 * in a temporary project acts on that project, not on this one.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle)_|^npm_config_(local_prefix|prefix)$|^init_cwd$/i.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/** Runs a command to its end, killing it (and failing) past `limitMs`. Never throws on a non-zero exit. */
export function run(command: string, args: readonly string[], options: { cwd: string; limitMs: number; env?: NodeJS.ProcessEnv }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${options.limitMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.limitMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Like `run`, and fails with the output when the command does not exit 0. */
export async function runOk(command: string, args: readonly string[], options: { cwd: string; limitMs: number; env?: NodeJS.ProcessEnv }): Promise<Ran> {
  const ran = await run(command, args, options);
  if (ran.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${ran.code ?? ran.signal}\nstdout:\n${ran.stdout}\nstderr:\n${ran.stderr}`);
  return ran;
}

/** The version of a package installed in this repo, so a temporary project installs the same one (from npm's cache). */
export function installedVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

const IMPORT = /(?:^|[;\s])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[;\s])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** The module specifiers a JavaScript or declaration file imports or re-exports, static and literal dynamic. */
export function specifiersOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/**
 * Every file reachable from `entry` through relative imports, and the bare specifiers (packages,
 * `node:` builtins) those files import.
 */
export function importGraph(entry: string): { files: string[]; bare: Set<string> } {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const stack = [path.resolve(entry)];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiersOf(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) {
        bare.add(spec);
        continue;
      }
      // Declaration files import `./x.js` for `./x.d.ts`.
      const target = path.resolve(path.dirname(file), spec);
      stack.push(file.endsWith('.d.ts') ? target.replace(/\.js$/, '.d.ts') : target);
    }
  }
  return { files: [...seen], bare };
}

/** The package a bare specifier names (`zod/v4` → `zod`, `@a/b/c` → `@a/b`). */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}
