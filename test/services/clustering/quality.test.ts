import { describe, expect, it } from 'vitest';
import { externalQuality } from '../../../src/services/clustering/quality.js';

describe('external clustering quality', () => {
  it('scores against the labels under the key and counts the documents without one', () => {
    const metadata = [{ p: 'a' }, { p: 'a' }, { p: 'b' }, { p: 'b' }, { q: 1 }, null, { p: null }];
    const q = externalQuality(metadata, [0, 0, 1, 1, 0, 1, 0], 'p');
    expect(q).toMatchObject({ evaluatedAgainst: 'p', evaluatedCount: 4, missingLabelCount: 3, nmi: 1, ari: 1, vMeasure: 1 });
  });

  it('reaches into nested metadata and keeps JSON types apart ("5" is not 5)', () => {
    const metadata = [{ m: { s: 5 } }, { m: { s: 5 } }, { m: { s: '5' } }, { m: { s: '5' } }];
    expect(externalQuality(metadata, [0, 0, 1, 1], 'm.s')).toMatchObject({ evaluatedCount: 4, nmi: 1 });
    expect(externalQuality(metadata, [0, 1, 0, 1], 'm.s').nmi).toBeCloseTo(0, 10);
  });

  it('has no metrics without a key or without any labelled document', () => {
    expect(externalQuality([{ p: 'a' }], [0], null)).toMatchObject({ evaluatedAgainst: null, evaluatedCount: 0, missingLabelCount: 0, nmi: null });
    expect(externalQuality([{ p: 'a' }, {}], [0, 1], 'brand')).toMatchObject({ evaluatedAgainst: 'brand', evaluatedCount: 0, missingLabelCount: 2, nmi: null, ari: null, homogeneity: null, completeness: null });
  });
});
