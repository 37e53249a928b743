// A mailbox: runs jobs with bounded concurrency in arrival order, with a bounded queue.
// Knows nothing of frames or transports.

export interface MailboxJob {
  /** Set when the job was cancelled while it waited; the mailbox skips it. */
  readonly cancelled: boolean;
}

export class Mailbox<J extends MailboxJob> {
  readonly concurrency: number;
  readonly maxQueue: number;
  readonly #run: (job: J) => void;
  #running = 0;
  #queue: (J | undefined)[] = [];
  #head = 0;
  #pumping = false;

  constructor(concurrency: number, maxQueue: number, run: (job: J) => void) {
    this.concurrency = concurrency;
    this.maxQueue = maxQueue;
    this.#run = run;
  }

  /** Jobs waiting (cancelled ones included until they are skipped). */
  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  /** Runs the job now, queues it, or returns false when the queue is full. */
  offer(job: J): boolean {
    if (this.#running < this.concurrency && this.waiting === 0) {
      this.#running++;
      this.#run(job);
      return true;
    }
    if (this.waiting >= this.maxQueue) {
      // Cancelled jobs hold no place: sweep them out before refusing.
      this.#queue = this.#queue.slice(this.#head).filter((j) => j !== undefined && !j.cancelled);
      this.#head = 0;
      if (this.waiting >= this.maxQueue) return false;
    }
    this.#queue.push(job);
    this.#pump();
    return true;
  }

  /** Takes a waiting job out of the queue (it was cancelled before it started). */
  remove(job: J): void {
    const index = this.#queue.indexOf(job, this.#head);
    if (index !== -1) this.#queue.splice(index, 1);
  }

  /** A running job finished; start the next ones. */
  release(): void {
    this.#running--;
    this.#pump();
  }

  /** Drops every waiting job and returns them. */
  clear(): J[] {
    const waiting = this.#queue.slice(this.#head).filter((job): job is J => job !== undefined);
    this.#queue = [];
    this.#head = 0;
    return waiting;
  }

  #pump(): void {
    // A job that finishes synchronously calls release() from inside #run: the loop below, not
    // recursion, starts the next one, so a long queue of quick jobs cannot overflow the stack.
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#running < this.concurrency && this.#head < this.#queue.length) {
        const job = this.#queue[this.#head];
        this.#queue[this.#head++] = undefined;
        if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
          this.#queue = this.#queue.slice(this.#head);
          this.#head = 0;
        }
        if (job === undefined || job.cancelled) continue;
        this.#running++;
        this.#run(job);
      }
    } finally {
      this.#pumping = false;
    }
  }
}
