// Standard Schema v1 glue: recognise a schema, run it, and turn its issues into ours.
// Must not import anything below the contract layer.
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { RpcValidationIssue } from '../errors.js';

/** The result of running a schema: the parsed value, or the issues it reported. */
export type Checked = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly issues: RpcValidationIssue[] };

export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as { '~standard'?: unknown })['~standard'];
  return (
    typeof props === 'object' &&
    props !== null &&
    (props as { version?: unknown }).version === 1 &&
    typeof (props as { validate?: unknown }).validate === 'function'
  );
}

/** A schema's own result: `issues` set when it refused the value. */
export type Outcome = StandardSchemaV1.Result<unknown>;

/** A schema's issues in our form. */
export function toIssues(issues: readonly StandardSchemaV1.Issue[]): RpcValidationIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment)),
    message: issue.message,
  }));
}

function toChecked(result: Outcome): Checked {
  if (result.issues === undefined) return { ok: true, value: result.value };
  return { ok: false, issues: toIssues(result.issues) };
}

function thrownOutcome(error: unknown): Outcome {
  return { issues: [{ path: [], message: `the schema threw: ${error instanceof Error ? error.message : String(error)}` }] };
}

/**
 * Runs a schema and returns its own result, without wrapping it: the call path's variant of
 * `check`, one object fewer per validation. A schema that throws (or rejects) yields one issue.
 */
export function validate(schema: StandardSchemaV1, value: unknown): Outcome | Promise<Outcome> {
  let result: Outcome | Promise<Outcome>;
  try {
    result = schema['~standard'].validate(value);
  } catch (error) {
    return thrownOutcome(error);
  }
  return result instanceof Promise ? result.then(undefined, thrownOutcome) : result;
}

function thrown(error: unknown): Checked {
  return { ok: false, issues: [{ path: [], message: `the schema threw: ${error instanceof Error ? error.message : String(error)}` }] };
}

/**
 * Runs a schema. Synchronous schemas (zod's are, unless they hold async refinements) answer
 * synchronously, so the call path takes no extra tick; asynchronous ones answer with a promise.
 * A schema that throws is reported as an issue, never thrown.
 */
export function check(schema: StandardSchemaV1, value: unknown): Checked | Promise<Checked> {
  let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
  try {
    result = schema['~standard'].validate(value);
  } catch (error) {
    return thrown(error);
  }
  return result instanceof Promise ? result.then(toChecked, thrown) : toChecked(result);
}
