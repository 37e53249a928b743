// The "naive typed RPC" contestant: what a user writes by hand in an afternoon with nanoid and zod.
// One process.send per call, a nanoid per call as its id, a Map of pending calls; the callee parses
// the input with zod, awaits the handler and parses the output with zod (the same validation as
// typed-cluster-rpc's default: both schemas on the callee's side). No batching, no timeouts, no
// size checks, no cancellation. Wire: `{ '~naive': 'q', id, m, p }` and `{ '~naive': 's', id, p | e }`.
import type { ChildProcess } from 'node:child_process';
import { nanoid } from 'nanoid';
import type { z } from 'zod';
import { isNaiveMessage, NAIVE_TAG } from './contract.js';

interface Request {
  readonly [NAIVE_TAG]: 'q';
  readonly id: string;
  readonly m: string;
  readonly p: unknown;
}
interface Response {
  readonly [NAIVE_TAG]: 's';
  readonly id: string;
  readonly p?: unknown;
  readonly e?: string;
}

/** The caller's side, in the primary: one per worker. */
export class NaiveClient {
  readonly #child: ChildProcess;
  readonly #pending = new Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #gone: Error | undefined;

  constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: unknown) => {
      if (!isNaiveMessage(message) || message[NAIVE_TAG] !== 's') return;
      const { id, p, e } = message as Response;
      const pending = this.#pending.get(id);
      if (pending === undefined) return;
      this.#pending.delete(id);
      if (e === undefined) pending.resolve(p);
      else pending.reject(new Error(e));
    });
    child.once('exit', (code, signal) => {
      this.#gone = new Error(`naive RPC: worker pid ${child.pid} exited (${code ?? signal})`);
      for (const { reject } of this.#pending.values()) reject(this.#gone);
      this.#pending.clear();
    });
  }

  call(method: string, payload: unknown): Promise<unknown> {
    if (this.#gone !== undefined) return Promise.reject(this.#gone);
    const id = nanoid();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const request: Request = { [NAIVE_TAG]: 'q', id, m: method, p: payload };
      this.#child.send(request);
    });
  }
}

/** A procedure the callee serves: its zod schemas and its handler. */
export interface NaiveProcedure {
  readonly input: z.ZodType;
  readonly output: z.ZodType;
  readonly handler: (input: unknown) => unknown;
}

/** The callee's side, in a worker: answers requests for `procedures` on this process's channel. */
export function serveNaive(procedures: Readonly<Record<string, NaiveProcedure>>, send: (message: Response) => void): void {
  process.on('message', async (message: unknown) => {
    if (!isNaiveMessage(message) || message[NAIVE_TAG] !== 'q') return;
    const { id, m, p } = message as Request;
    const procedure = Object.hasOwn(procedures, m) ? procedures[m] : undefined;
    try {
      if (procedure === undefined) throw new Error(`unknown method ${m}`);
      const output = procedure.output.parse(await procedure.handler(procedure.input.parse(p)));
      send({ [NAIVE_TAG]: 's', id, p: output });
    } catch (error) {
      send({ [NAIVE_TAG]: 's', id, e: error instanceof Error ? error.message : String(error) });
    }
  });
}
