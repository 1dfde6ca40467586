/**
 * Vectors are stored as raw little-endian float32 bytes (4 × dims), the layout hnswlib and
 * numpy `<f4` use, so a stored vector can be read by any tool without a codec.
 */
import { invariant } from '../errors.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The vector's bytes as a Buffer (a view, no copy, on little-endian hosts). */
export function vectorToBytes(v: Float32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  const out = Buffer.alloc(v.byteLength);
  for (let i = 0; i < v.length; i++) out.writeFloatLE(v[i]!, i * 4);
  return out;
}

/**
 * A Float32Array that owns an aligned copy of `bytes` (driver buffers may be pooled, shared or
 * start at an offset that is not a multiple of 4).
 */
export function bytesToVector(bytes: Uint8Array): Float32Array {
  invariant(bytes.byteLength % 4 === 0, `stored vector has ${bytes.byteLength} bytes, not a multiple of 4`);
  const out = new Float32Array(bytes.byteLength / 4);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
