import { DataType, encodeModel, type AttributeValue, type DataTypeCode, type NodeDef, type TensorValue, type ValueDef } from './proto.js';

/** The opset every graph semhub builds targets (LayerNormalization needs 17). */
const OPSET = 17;
/** ONNX IR version matching opset 17. */
const IR_VERSION = 8;

type Attr = number | readonly number[] | string | { float: number } | { floats: readonly number[] };

function attribute(a: Attr): AttributeValue {
  if (typeof a === 'number') return { kind: 'int', value: a };
  if (typeof a === 'string') return { kind: 'string', value: a };
  if (Array.isArray(a)) return { kind: 'ints', value: a as readonly number[] };
  if ('float' in (a as object)) return { kind: 'float', value: (a as { float: number }).float };
  return { kind: 'floats', value: (a as { floats: readonly number[] }).floats };
}

const bytesOf = (a: Float32Array | Int32Array | BigInt64Array | Uint8Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Builds an ONNX graph node by node: each op call names its outputs uniquely and returns them, so
 * graph code reads like the computation it describes. Initializers are float32/int32/int64
 * constants; `encode()` gives the model bytes.
 */
export class GraphBuilder {
  private readonly nodes: NodeDef[] = [];
  private readonly initializers: TensorValue[] = [];
  private readonly inputs: ValueDef[] = [];
  private readonly outputs: ValueDef[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  private fresh(hint: string): string {
    let name = hint;
    while (this.names.has(name)) name = `${hint}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  input(name: string, dataType: DataTypeCode, shape: ReadonlyArray<number | string>): string {
    this.names.add(name);
    this.inputs.push({ name, dataType, shape });
    return name;
  }

  output(name: string, dataType: DataTypeCode, shape: ReadonlyArray<number | string>): void {
    this.outputs.push({ name, dataType, shape });
  }

  /** A float32 constant of shape `dims`. */
  float(name: string, data: Float32Array | readonly number[], dims: readonly number[]): string {
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    return this.constant(name, DataType.FLOAT, bytesOf(arr), dims, arr.length);
  }

  /** An int64 constant (shapes, axes, split sizes). */
  int64(name: string, data: readonly number[], dims: readonly number[] = [data.length]): string {
    const arr = BigInt64Array.from(data.map((d) => BigInt(d)));
    return this.constant(name, DataType.INT64, bytesOf(arr), dims, arr.length);
  }

  int32(name: string, data: readonly number[], dims: readonly number[] = [data.length]): string {
    const arr = Int32Array.from(data);
    return this.constant(name, DataType.INT32, bytesOf(arr), dims, arr.length);
  }

  private constant(hint: string, dataType: DataTypeCode, raw: Uint8Array, dims: readonly number[], count: number): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (expected !== count) throw new Error(`constant ${hint}: ${count} values for shape [${dims.join(', ')}]`);
    const name = this.fresh(hint);
    this.initializers.push({ name, dataType, dims, raw });
    return name;
  }

  /** Adds one node; returns its output names (`outputs` of them). */
  opN(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, outputs = 1, hint = opType): string[] {
    const name = this.fresh(`${hint}_node`);
    const outs = Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? hint : `${hint}_${i}`));
    this.nodes.push({ opType, name, inputs, outputs: outs, attributes: Object.entries(attrs).map(([k, v]) => [k, attribute(v)]) });
    return outs;
  }

  /** Adds a single-output node and returns its output name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, hint = opType): string {
    return this.opN(opType, inputs, attrs, 1, hint)[0]!;
  }

  /** Renames the value `from` to the graph output name `to` (an Identity node). */
  alias(from: string, to: string): void {
    if (this.names.has(to)) throw new Error(`graph value ${to} is already defined`);
    this.names.add(to);
    this.nodes.push({ opType: 'Identity', name: this.fresh(`${to}_node`), inputs: [from], outputs: [to], attributes: [] });
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  encode(meta: { graphName: string; producerVersion: string; docString?: string; metadata?: Record<string, string> }): Uint8Array {
    return encodeModel({
      graphName: meta.graphName,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: this.inputs,
      outputs: this.outputs,
      opsetVersion: OPSET,
      irVersion: IR_VERSION,
      producerName: 'semhub',
      producerVersion: meta.producerVersion,
      docString: meta.docString,
      metadata: meta.metadata,
    });
  }
}
