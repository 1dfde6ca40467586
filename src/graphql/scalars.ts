import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { badInput } from '../errors.js';

const MAX_DEPTH = 32;

function literal(node: ValueNode, variables: Record<string, unknown> | null | undefined, depth: number): unknown {
  if (depth > MAX_DEPTH) throw badInput(`JSON value nests deeper than ${MAX_DEPTH} levels`);
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((v) => literal(v, variables, depth + 1));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value, variables, depth + 1)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    default:
      throw badInput(`JSON cannot hold a ${node.kind}`);
  }
}

function checkDepth(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw badInput(`JSON value nests deeper than ${MAX_DEPTH} levels`);
  if (typeof value === 'number' && !Number.isFinite(value)) throw badInput('JSON numbers must be finite');
  if (value && typeof value === 'object') for (const v of Object.values(value)) checkDepth(v, depth + 1);
  return value;
}

/** The JSON scalar: any JSON value, depth-limited, finite numbers only. */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value',
  serialize: (v) => v,
  parseValue: (v) => checkDepth(v),
  parseLiteral: (node, variables) => checkDepth(literal(node, variables, 0)),
});
