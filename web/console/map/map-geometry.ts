import type { ClusterPoint } from '../api/types';

/** A "#rrggbb" colour as [r, g, b]. */
export function rgbOf(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * What the map draws: positions scaled together into [-1, 1] (the shape kept; UMAP's units mean
 * nothing by themselves) and each point's cluster colour, as typed arrays deck.gl uploads as they are.
 */
export function mapGeometry(points: ClusterPoint[], categories: Int32Array, colors: string[]): { positions: Float32Array; colors: Uint8ClampedArray } {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of points) [x0, x1, y0, y1] = [Math.min(x0, p.x), Math.max(x1, p.x), Math.min(y0, p.y), Math.max(y1, p.y)];
  const half = Math.max(x1 - x0, y1 - y0, 1e-9) / 2 / 0.95;
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  const rgb = colors.map(rgbOf);
  const positions = new Float32Array(points.length * 2);
  const fill = new Uint8ClampedArray(points.length * 3);
  points.forEach((p, i) => {
    positions[2 * i] = (p.x - cx) / half;
    positions[2 * i + 1] = (p.y - cy) / half;
    fill.set(rgb[categories[i]!] ?? [128, 128, 128], 3 * i);
  });
  return { positions, colors: fill };
}
