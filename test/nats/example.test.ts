// Runs examples/nats as a user would (npm run example:nats): a nats-server, two machines, the admin.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the nats example lists every member of both machines, calls one on the other machine, and exits 0', async (t) => {
  const child = spawn(process.execPath, ['--import=tsx', 'examples/nats/main.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    // SIGTERM first: the example then stops the server and the machines it started.
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the example did not exit within 100 s; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, 100_000); // it starts a server and two clusters: slow on a loaded machine
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  t.is(code, 0, stderr);
  t.regex(stdout, /members of namespace "shop": 6/);
  t.regex(stdout, /hello admin, this is machine-b\/worker \d+/);
  t.regex(stdout, /machine-a\/primary: 2 of 2 workers ready/);
  t.regex(stdout, /stats from 4 of 4 workers and 2 primaries on 2 machines/);
});
