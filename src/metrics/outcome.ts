// The outcome label of a settled call, shared by the RPC core (which labels what it observes)
// and the metrics that count it. Imports only the error table, so the core loads nothing else of
// the metrics.
import { ErrorCodes } from '../errors.js';

const OUTCOMES = new Set<string>(['ok', 'error', ...Object.keys(ErrorCodes)]);

/** Whether `label` is an outcome label: `'ok'`, `'error'` or an error code of the table. */
export function isOutcome(label: string): boolean {
  return OUTCOMES.has(label);
}

/**
 * The outcome label of a settled call: `'ok'`, the `code` of a typed-cluster-rpc error, or
 * `'error'` for anything else.
 * @public
 */
export function outcomeOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && OUTCOMES.has(code) ? code : 'error';
}

