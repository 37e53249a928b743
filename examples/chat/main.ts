// Primary <-> worker chat: the classic `worker.send` / `process.on('message')` exchange of a cluster,
// done with a typed contract. The primary greets each worker, each worker calls back into the
// primary before it answers, and one announcement goes out to every worker, which each acknowledge
// with an event of their own.
import cluster from 'node:cluster';
import { connectPrimary, createPrimary, type PrimaryLink } from 'typed-cluster-rpc';
import { chat } from './contract.js';

const WORKERS = 2;

if (cluster.isPrimary) {
  const hub = createPrimary(chat, {
    timeout: 20_000, // generous: the first calls also wait for a new worker to start
    handlers: {
      say: ({ text }, ctx) => {
        console.log(`[primary] worker ${ctx.worker.id} says: ${text}`);
        return { heardBy: process.pid };
      },
    },
  });
  const workers = Array.from({ length: WORKERS }, () => hub.fork());

  for (const worker of workers) {
    const { pid, reply } = await worker.call('greet', { from: 'primary', text: `hello, worker ${worker.id}` });
    console.log(`[primary] worker ${worker.id} (pid ${pid}) replied: ${reply}`);
  }

  // Every worker acknowledges the announcement with a 'heard' event.
  const heard = new Promise<void>((resolve) => {
    let count = 0;
    hub.on('heard', ({ text }, ctx) => {
      console.log(`[primary] worker ${ctx.worker.id} heard: ${text}`);
      if (++count === workers.length) resolve();
    });
  });
  hub.emit('announcement', { text: 'the chat is closing', at: new Date() });
  await heard;

  await hub.close();
  cluster.disconnect(() => console.log('[primary] all workers disconnected, bye'));
} else {
  const primary: PrimaryLink<typeof chat> = connectPrimary(chat, {
    handlers: {
      // A handler may call back into its caller before it replies.
      greet: async ({ from, text }) => {
        await primary.call('say', { text: `got "${text}" from ${from}` });
        return { pid: process.pid, reply: `hi ${from}, worker ${cluster.worker?.id} here` };
      },
    },
  });
  primary.on('announcement', ({ text, at }) => {
    // `at` arrives as a Date: the 'advanced' serialization carries it intact.
    primary.emit('heard', { text: `${text} (sent at ${at.toISOString()})` });
  });
}
