import { Deck, OrthographicView, type PickingInfo } from '@deck.gl/core';
import { ScatterplotLayer } from '@deck.gl/layers';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ClusterPoint } from '../api/types';
import { exposeMap } from './map-handle';
import { mapGeometry, rgbOf } from './map-geometry';

export interface ScatterMapProps {
  points: ClusterPoint[];
  /** Each point's cluster as its position in `colors`. */
  categories: Int32Array;
  colors: string[];
  /** Indices into `points` drawn larger and outlined (search hits, or the open cluster's documents). */
  highlighted: number[];
  onHover: (hover: { index: number; x: number; y: number } | null) => void;
  onPick: (index: number) => void;
}

/**
 * Calls `onPick` with the point under a click. deck.gl's own onClick waits for its tap recognizer,
 * which drops a click that follows the pointer's arrival by less than a few hundred milliseconds;
 * this listens to the DOM's click instead, ignoring one that ends a drag (a pan of the map).
 */
function onPointClick(canvas: HTMLCanvasElement, pick: (x: number, y: number) => number, onPick: (index: number) => void): () => void {
  let down: { x: number; y: number } | null = null;
  const onDown = (e: PointerEvent) => void (down = { x: e.clientX, y: e.clientY });
  const onClick = (e: MouseEvent) => {
    const moved = down ? Math.hypot(e.clientX - down.x, e.clientY - down.y) : 0;
    const index = moved < 4 ? pick(e.offsetX, e.offsetY) : -1;
    if (index >= 0) onPick(index);
  };
  canvas.addEventListener('pointerdown', onDown);
  canvas.addEventListener('click', onClick);
  return () => {
    canvas.removeEventListener('pointerdown', onDown);
    canvas.removeEventListener('click', onClick);
  };
}

/** The view that shows all of [-1, 1]² (where mapGeometry puts the points) in the canvas's box. */
function fitView(canvas: HTMLCanvasElement) {
  const box = canvas.parentElement!.getBoundingClientRect();
  return { target: [0, 0, 0] as [number, number, number], zoom: Math.log2(Math.max(100, Math.min(box.width, box.height)) / 2) };
}

/**
 * The cluster map: one point per document, coloured by cluster, drawn by deck.gl (WebGL2) in an
 * orthographic view: tens of thousands of points at interactive speed, pan and zoom by mouse,
 * touch or keyboard, and GPU picking for hover and click. Where WebGL2 is missing it says so; the
 * cluster table beside it holds the same information.
 */
export function ScatterMap({ points, categories, colors, highlighted, onHover, onPick }: ScatterMapProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [deck, setDeck] = useState<Deck<OrthographicView> | null>(null);
  const [drawn, setDrawn] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const latest = useRef({ onHover, onPick, expected: 0 });
  latest.current = { onHover, onPick, expected: latest.current.expected };

  useEffect(() => {
    const created = new Deck<OrthographicView>({
      canvas: canvas.current!,
      width: '100%',
      height: '100%',
      views: new OrthographicView({ id: 'map' }),
      initialViewState: fitView(canvas.current!),
      controller: { doubleClickZoom: true, keyboard: true },
      pickingRadius: 4,
      onHover: (info: PickingInfo) => latest.current.onHover(info.index >= 0 ? { index: info.index, x: info.x, y: info.y } : null),
      getCursor: ({ isHovering, isDragging }) => (isDragging ? 'grabbing' : isHovering ? 'pointer' : 'grab'),
      // A frame drawn with the current points: what the page (and its tests) read as "drawn".
      onAfterRender: () => setDrawn(latest.current.expected),
      onError: (e: Error) => setProblem(`The map could not be drawn (${e.message}): it needs WebGL2. The cluster table below has the same clusters.`),
    });
    setDeck(created);
    const stopClicks = onPointClick(canvas.current!, (x, y) => created.pickObject({ x, y, radius: 4 })?.index ?? -1, (index) => latest.current.onPick(index));
    return () => {
      stopClicks();
      created.finalize();
    };
  }, []);

  const geometry = useMemo(() => mapGeometry(points, categories, colors), [points, categories, colors]);
  const selected = useMemo(() => new Set(highlighted), [highlighted]);
  useEffect(() => {
    if (!deck) return;
    latest.current.expected = points.length;
    const layer = new ScatterplotLayer<null>({
      id: 'documents',
      data: { length: points.length, attributes: { getPosition: { value: geometry.positions, size: 2 }, getFillColor: { value: geometry.colors, size: 3 } } },
      pickable: true,
      radiusUnits: 'pixels',
      lineWidthUnits: 'pixels',
      stroked: selected.size > 0,
      getRadius: (_: null, { index }) => (selected.has(index) ? 7 : 4),
      getLineWidth: (_: null, { index }) => (selected.has(index) ? 2 : 0),
      getLineColor: rgbOf('#1d2330'),
      updateTriggers: { getRadius: selected, getLineWidth: selected },
    });
    deck.setProps({ layers: [layer] });
  }, [deck, geometry, selected, points.length]);
  // New points: show all of them again.
  useEffect(() => void deck?.setProps({ initialViewState: fitView(canvas.current!) }), [deck, points]);
  useEffect(() => exposeMap(deck && drawn ? { deck, points, positions: geometry.positions, drawn } : null), [deck, drawn, points, geometry]);

  return (
    <div className="map" data-points-drawn={drawn} data-highlighted={drawn ? selected.size : 0}>
      {problem && (
        <p role="alert" className="message error">
          {problem}
        </p>
      )}
      <div className="map-canvas">
        <canvas ref={canvas} tabIndex={0} aria-label={`Cluster map: ${points.length} documents coloured by cluster. Hover a point for its text, click one to open its cluster; arrow keys pan, + and - zoom; the table below lists the clusters.`} />
      </div>
    </div>
  );
}
