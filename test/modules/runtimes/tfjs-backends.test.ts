import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/modules/runtimes/tfjs/backends.js';
import { packageInstalled } from '../../support/requires.js';

const installed = packageInstalled;
const nativeInstalled = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');

describe('tfjs backend selection', () => {
  it.skipIf(nativeInstalled)('falls back to wasm when no native TensorFlow is installed', async () => {
    const logs: object[] = [];
    expect(await selectBackend('auto', { info: (o) => logs.push(o) })).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(logs[0]).toMatchObject({ backend: 'wasm', preference: 'auto' });
  });

  it.skipIf(nativeInstalled)('fails loudly when asked for a native backend that is not installed', async () => {
    await expect(selectBackend('tensorflow')).rejects.toThrow(/backend "tensorflow" is unavailable: @tensorflow\/tfjs-node cannot be loaded/);
    await expect(selectBackend('tensorflow-gpu')).rejects.toThrow(/@tensorflow\/tfjs-node-gpu cannot be loaded/);
  });

  it('switches to an explicitly chosen backend', async () => {
    expect(await selectBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await selectBackend('wasm')).toBe('wasm');
  });
});
