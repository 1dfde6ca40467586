import type { Deck, OrthographicView } from '@deck.gl/core';
import type { ClusterPoint } from '../api/types';

/**
 * What the drawn map tells automation (the browser tests, a user's script) as `window.semhubMap`:
 * how many points are drawn, the documents in draw order, and where a document is on screen
 * (CSS pixels from the canvas's top left), so a pointer can be moved onto it.
 */
export interface MapHandle {
  pointsDrawn: number;
  documentIds: string[];
  screenPosition: (documentId: string) => [number, number] | null;
}

declare global {
  interface Window {
    semhubMap?: MapHandle;
  }
}

/** Publishes (or, with null, withdraws) the handle of the map now drawn. */
export function exposeMap(map: { deck: Deck<OrthographicView>; points: ClusterPoint[]; positions: Float32Array; drawn: number } | null): void {
  if (!map) {
    delete window.semhubMap;
    return;
  }
  const index = new Map(map.points.map((p, i) => [p.documentId, i]));
  window.semhubMap = {
    pointsDrawn: map.drawn,
    documentIds: map.points.map((p) => p.documentId),
    screenPosition: (id) => {
      const i = index.get(id);
      const viewport = map.deck.getViewports()[0];
      if (i === undefined || !viewport) return null;
      const [x, y] = viewport.project([map.positions[2 * i]!, map.positions[2 * i + 1]!]);
      return [x!, y!];
    },
  };
}
