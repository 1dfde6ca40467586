/**
 * The parsed form of a metadata filter: what `parseFilter()` (services/filter.ts) builds from a
 * client's JSON and what each dialect's `filter.ts` compiles to SQL. It lives with the store, the
 * lowest layer that reads it. Meaning (the reference is `matches()` in services/filter.ts):
 * - `cmp` compares the value at a dotted metadata key: `eq`/`ne` by strict JSON type (5 is not "5";
 *   a `null` value matches a missing key or an explicit null; `ne` is NOT `eq`), `gt gte lt lte`
 *   only between two numbers or two strings;
 * - `in` holds when the value equals any of `values`;
 * - `and`/`or` combine children.
 */
export type Scalar = string | number | boolean | null;
export type Comparison = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';
export type Filter =
  | { op: 'and' | 'or'; children: Filter[] }
  | { op: 'cmp'; key: string; cmp: Comparison; value: Scalar }
  | { op: 'in'; key: string; values: Scalar[] };
