import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import { tooLarge } from '../errors.js';

/** Limits on the shape of one GraphQL document; from Config.limits. */
export interface QueryLimits {
  maxQueryDepth: number;
  maxQueryFields: number;
  maxQueryCost: number;
}

/** Operations one document may define (only one runs; the rest are parsed and validated). */
const MAX_OPERATIONS = 10;
/** Arguments whose value sets how many items a list field returns. */
export const SIZE_ARGS = ['first', 'limit', 'ids', 'texts'];
/** Assumed size of a list field without a size argument (clusters, modules, representatives…). */
const DEFAULT_LIST_SIZE = 10;
/** Largest size a size argument is counted as: bigger values are refused by the field itself. */
const MAX_COUNTED_SIZE = 1000;

/** A document's operations, its deepest field nesting (introspection aside) and its total cost. */
export interface QueryMeasure {
  operations: number;
  depth: number;
  cost: number;
}

type Variables = Record<string, unknown> | null | undefined;

/** Size counted for a variable page size whose value is not known (the rule run without variables). */
const UNKNOWN_SIZE = 100;

/** How many items a list field is asked for: its size argument (literal or variable), else the default. */
function sizeOf(args: readonly { name: { value: string }; value: ValueNode }[] | undefined, variables: Variables): number {
  const arg = args?.find((a) => SIZE_ARGS.includes(a.name.value));
  if (!arg) return DEFAULT_LIST_SIZE;
  let n: unknown;
  if (arg.value.kind === Kind.VARIABLE) {
    if (!variables) return UNKNOWN_SIZE;
    const v = variables[arg.value.name.value];
    n = Array.isArray(v) ? v.length : v;
  } else if (arg.value.kind === Kind.INT) n = Number(arg.value.value);
  else if (arg.value.kind === Kind.LIST) n = arg.value.values.length;
  if (typeof n !== 'number' || !Number.isFinite(n)) return DEFAULT_LIST_SIZE;
  return Math.min(MAX_COUNTED_SIZE, Math.max(1, Math.trunc(n)));
}

/**
 * Measures a document against the limits, stopping as soon as one is exceeded (so a fragment
 * "bomb" costs no more than the limit to look at). Cost: each field counts 1, times the sizes of
 * the lists above it, where a list's size is its `first`/`limit` (or the length of `ids`/`texts`),
 * a connection's `nodes`/`edges` take their connection's size, and other lists count as 10.
 */
export function measureDocument(schema: GraphQLSchema, document: DocumentNode, limits: QueryLimits, variables?: Variables): QueryMeasure {
  const defs = document.definitions;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of defs) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const m: QueryMeasure = { operations: 0, depth: 0, cost: 0 };
  const over = () => m.depth > limits.maxQueryDepth || m.cost > limits.maxQueryCost;

  // depth 0 marks introspection (__schema, __type): its nesting is the schema's, bounded by cost alone
  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType | undefined, depth: number, weight: number, inConnection: boolean, path: Set<string>) => {
    for (const sel of set.selections) {
      if (over()) return;
      if (sel.kind === Kind.FIELD) {
        m.depth = Math.max(m.depth, depth);
        m.cost += weight;
        if (!sel.selectionSet || depth > limits.maxQueryDepth) continue;
        const next = depth === 0 || sel.name.value.startsWith('__') ? 0 : depth + 1;
        const field: GraphQLField<unknown, unknown> | undefined =
          parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[sel.name.value] : undefined;
        const type = field ? getNullableType(field.type) : undefined;
        const named = type ? getNamedType(type) : undefined;
        const isConnection = Boolean(named?.name.endsWith('Connection'));
        const isList = Boolean(type && isListType(type));
        let size = 1;
        if (isConnection) size = sizeOf(sel.arguments, variables);
        else if (isList) size = inConnection ? 1 : sizeOf(sel.arguments, variables);
        walk(sel.selectionSet, named as GraphQLCompositeType | undefined, next, weight * size, isConnection, path);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const cond = sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) as GraphQLCompositeType | undefined) : parent;
        walk(sel.selectionSet, cond, depth, weight, inConnection, path);
      } else {
        const name = sel.name.value;
        const frag = fragments.get(name);
        if (!frag || path.has(name)) continue; // unknown fragments and cycles are other rules' errors
        path.add(name);
        walk(frag.selectionSet, schema.getType(frag.typeCondition.name.value) as GraphQLCompositeType | undefined, depth, weight, inConnection, path);
        path.delete(name);
      }
    }
  };

  for (const d of defs) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    m.operations++;
    walk(d.selectionSet, schema.getRootType(d.operation) ?? undefined, 1, 1, false, new Set());
    if (over()) break;
  }
  return m;
}

/** Field selections written in the document (aliases count; each fragment's fields count once). */
function countFieldNodes(document: DocumentNode, stopAt: number): number {
  let n = 0;
  const stack: SelectionSetNode[] = [];
  for (const d of document.definitions) if ('selectionSet' in d && d.selectionSet) stack.push(d.selectionSet);
  while (stack.length && n <= stopAt) {
    for (const sel of stack.pop()!.selections) {
      if (sel.kind === Kind.FIELD) n++;
      if (sel.kind !== Kind.FRAGMENT_SPREAD && sel.selectionSet) stack.push(sel.selectionSet);
    }
  }
  return n;
}

/** The TOO_LARGE message for the first limit a document exceeds, or null. */
function limitProblem(schema: GraphQLSchema, document: DocumentNode, limits: QueryLimits, variables?: Variables): string | null {
  const fields = countFieldNodes(document, limits.maxQueryFields);
  if (fields > limits.maxQueryFields) {
    return `the query selects more than ${limits.maxQueryFields} fields (aliases count; SEMHUB_MAX_QUERY_FIELDS): use fragments or split it into several requests`;
  }
  const m = measureDocument(schema, document, limits, variables);
  if (m.operations > MAX_OPERATIONS) return `the document defines ${m.operations} operations; the limit is ${MAX_OPERATIONS}`;
  if (m.depth > limits.maxQueryDepth) return `the query nests fields more than ${limits.maxQueryDepth} levels deep (SEMHUB_MAX_QUERY_DEPTH; introspection aside)`;
  if (m.cost > limits.maxQueryCost) {
    return `the query could return more than ${limits.maxQueryCost} values (each field times the first/limit of the lists above it; SEMHUB_MAX_QUERY_COST): ask for smaller pages or fewer nested lists`;
  }
  return null;
}

/**
 * A validation rule refusing documents over the limits with TOO_LARGE: too many operations, field
 * selections (alias floods), nesting depth, or cost (page sizes multiplied by nesting). `variables`
 * lets variable page sizes count at their value; without them a variable size counts as 100.
 */
export function queryLimitsRule(limits: QueryLimits, variables?: Variables) {
  return (context: ValidationContext): ASTVisitor => ({
    Document(node) {
      const problem = limitProblem(context.getSchema(), node, limits, variables);
      if (problem) context.reportError(new GraphQLError(problem, { originalError: tooLarge(problem) }));
      return false;
    },
  });
}
