// Diagnosis of the keep-alive open-loop p50 (bench/RESULTS.md): for each balance strategy, where do
// the keep-alive connections of the open-loop generator land, and where do their requests go?
// `node --import tsx bench/diagnose-keepalive.ts [rate] [seconds] [repeats]`. Starts bench/fixtures/http-cluster.ts
// with TELL_PID=1 (each response names its worker), drives the skewed workload through a keep-alive
// http.Agent (maxSockets 16, as the bench), and prints per worker: connections, requests, and p50.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const rate = Number(process.argv[2] ?? 150);
const seconds = Number(process.argv[3] ?? 4);
const repeats = Number(process.argv[4] ?? 3);
const fixture = fileURLToPath(new URL('./fixtures/http-cluster.ts', import.meta.url));

async function start(balance: string): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ['--import=tsx', fixture], { env: { ...process.env, BALANCE: balance, TELL_PID: '1' }, stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      const m = /"port":(\d+)/.exec(d);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error(`${balance}: exited`)));
    setTimeout(() => reject(new Error(`${balance}: no port in 60 s`)), 60_000).unref();
  });
  return { port, stop: () => process.kill(-child.pid!, 'SIGKILL') };
}

async function drive(port: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const socketPid = new Map<object, string>();
  const perPid = new Map<string, number[]>();
  const count = Math.round(rate * seconds);
  const t0 = performance.now() + 5;
  const done: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    done.push(
      new Promise<void>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, path: i % 10 === 9 ? '/slow' : '/', agent }, (res) => {
          const pid = String(res.headers['x-pid']);
          socketPid.set(req.socket!, pid);
          res.resume();
          res.on('end', () => {
            const list = perPid.get(pid) ?? [];
            list.push(performance.now() - due);
            perPid.set(pid, list);
            resolve();
          });
        });
        req.on('error', () => resolve());
      }),
    );
  }
  await Promise.all(done);
  agent.destroy();
  const conns = new Map<string, number>();
  for (const pid of socketPid.values()) conns.set(pid, (conns.get(pid) ?? 0) + 1);
  const all = [...perPid.values()].flat().sort((a, b) => a - b);
  const split = [...perPid].map(([pid, list]) => `${conns.get(pid) ?? 0} conn/${((100 * list.length) / all.length).toFixed(0)}% req`).join(' + ');
  console.log(`  p50 ${all[Math.floor(all.length / 2)]!.toFixed(2)} ms over ${all.length} requests; per worker: ${split}`);
}

for (const balance of ['least-loaded', 'round-robin', 'os']) {
  const server = await start(balance);
  try {
    console.log(`${balance} at ${rate} req/s, ${repeats} blocks of ${seconds} s (a fresh agent each):`);
    for (let r = 0; r < repeats; r++) await drive(server.port);
  } finally {
    server.stop();
  }
}
