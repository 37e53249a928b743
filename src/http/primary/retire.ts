// Retiring one worker: ask it to drain over RPC, wait for its exit, kill it at the deadline.
import type { Member } from './member.js';
import type { DrainObserver } from './metrics.js';

/**
 * Asks a worker to drain and waits for it to exit, killing it at the deadline. Resolves to whether
 * it failed to drain (killed, or exited non-zero); a worker already gone resolves to false.
 */
export async function retire(member: Member, deadlineMs: number, metrics?: DrainObserver): Promise<boolean> {
  if (!member.apply('retired')) return false;
  const startedAt = performance.now();
  member.planned = true;
  let killed = false;
  const timer = setTimeout(() => {
    killed = member.state !== 'gone';
    member.kill(`still running at the shutdown deadline (${deadlineMs} ms)`);
  }, deadlineMs);
  timer.unref();
  const answer = member.handle.call('shutdown', { deadlineMs }, { timeout: deadlineMs + 1_000 }).catch(() => undefined);
  await member.exited;
  clearTimeout(timer);
  metrics?.drained(startedAt, answer, killed);
  // The worker's own drain timer may beat ours to the deadline: it then exits 1, not 0.
  return killed || member.exitCode !== 0;
}
