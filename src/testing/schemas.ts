// A handful of Standard Schema validators for the conformance contract, so the testing entry needs
// no validation library: it runs for valibot, arktype or zod users alike, and shows that the core
// takes any Standard Schema. Not exported: users bring their own validator.
import type { StandardSchemaV1 } from '@standard-schema/spec';

type Issue = StandardSchemaV1.Issue;
type Check<T> = (value: unknown, path: readonly PropertyKey[]) => { value: T } | { issues: Issue[] };

function schema<T>(check: Check<T>): StandardSchemaV1<T> & { readonly check: Check<T> } {
  return {
    check,
    '~standard': {
      version: 1,
      vendor: 'typed-cluster-rpc-testing',
      validate: (value) => {
        const result = check(value, []);
        return 'issues' in result ? { issues: result.issues } : { value: result.value };
      },
    },
  };
}

function fail(path: readonly PropertyKey[], message: string): { issues: Issue[] } {
  return { issues: [{ message, path }] };
}

function primitive<T>(kind: 'string' | 'number' | 'boolean'): StandardSchemaV1<T> & { readonly check: Check<T> } {
  return schema<T>((value, path) => (typeof value === kind && !(kind === 'number' && Number.isNaN(value)) ? { value: value as T } : fail(path, `expected a ${kind}`)));
}

type Field = StandardSchemaV1 & { readonly check: Check<unknown> };
type Shape = Readonly<Record<string, Field>>;
type Out<S extends Shape> = { [K in keyof S]: StandardSchemaV1.InferOutput<S[K]> };

export const string = (): StandardSchemaV1<string> & { readonly check: Check<string> } => primitive('string');
export const number = (): StandardSchemaV1<number> & { readonly check: Check<number> } => primitive('number');
export const boolean = (): StandardSchemaV1<boolean> & { readonly check: Check<boolean> } => primitive('boolean');
export const unknown = (): StandardSchemaV1<unknown> & { readonly check: Check<unknown> } => schema((value) => ({ value }));
export const never = (): StandardSchemaV1<never> & { readonly check: Check<never> } => schema((_value, path) => fail(path, 'expected no value'));

export function oneOf<const T extends readonly string[]>(choices: T): StandardSchemaV1<T[number]> & { readonly check: Check<T[number]> } {
  return schema((value, path) => ((choices as readonly unknown[]).includes(value) ? { value: value as T[number] } : fail(path, `expected one of ${choices.join(', ')}`)));
}

export function array<T>(item: StandardSchemaV1<T> & { readonly check: Check<T> }): StandardSchemaV1<T[]> & { readonly check: Check<T[]> } {
  return schema((value, path) => {
    if (!Array.isArray(value)) return fail(path, 'expected an array');
    const out: T[] = [];
    for (const [i, element] of value.entries()) {
      const result = item.check(element, [...path, i]);
      if ('issues' in result) return result;
      out.push(result.value);
    }
    return { value: out };
  });
}

/** A plain object with exactly these keys checked (others are dropped, as zod's object does). */
export function object<S extends Shape>(shape: S): StandardSchemaV1<Out<S>> & { readonly check: Check<Out<S>> } {
  return schema((value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(path, 'expected an object');
    // Only the shape's own keys are read and written: no incoming key reaches the result.
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) {
      const result = shape[key]!.check(Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined, [...path, key]);
      if ('issues' in result) return result;
      out[key] = result.value;
    }
    return { value: out as Out<S> };
  });
}
