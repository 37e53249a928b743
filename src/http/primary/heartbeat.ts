// One heartbeat of one worker: a ping with a deadline. A worker that does not answer in time gets
// no new connections and is killed (its exit counts as a crash); one that answers says its memory.
import { RpcTimeoutError } from '../../errors.js';
import type { Member } from './member.js';

/** Pings a ready worker (one ping at a time); `answered` receives its resident set size in bytes. */
export function ping(member: Member, timeout: number, answered: (rssBytes: number) => void): void {
  if (member.pinging) return;
  member.pinging = true;
  member.handle.call('ping', undefined, { timeout }).then(
    ({ rssBytes }) => {
      member.pinging = false;
      member.rssBytes = rssBytes;
      answered(rssBytes);
    },
    (error: unknown) => {
      member.pinging = false;
      // An event loop that does not answer gets no new connections, then is replaced.
      if (error instanceof RpcTimeoutError && member.apply('unresponsive')) {
        member.kill(`did not answer the heartbeat within ${timeout} ms`, 'heartbeat_timeout');
      }
    },
  );
}
