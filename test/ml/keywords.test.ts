import { describe, expect, it } from 'vitest';
import { clusterKeywords, keywordsByAssignment, labelFromKeywords } from '../../src/ml/keywords.js';
import { tokenize } from '../../src/ml/tokenize.js';

const chargers = [
  'The battery charger cable stopped working after a week.',
  'Great battery charger, but the cable is too short.',
  'My charger cable frayed and the battery drains fast.',
  'Battery charger works, cable feels cheap.',
  'Replacement cable for the battery charger arrived broken.',
];
const baking = [
  'This recipe says bake in the oven for 20 minutes.',
  'Preheat the oven and bake the bread recipe as written.',
  'The recipe burned in my oven, bake it for less time.',
  'Easy recipe: bake at 180 degrees in a hot oven.',
  'Oven temperature matters when you bake this recipe.',
];

describe('tokenizer', () => {
  it('keeps content words and bigrams that do not span dropped words', () => {
    const t = tokenize("Don't buy the USB-C cable!!! 2024 model, 5 stars. Battery charger works");
    expect(t.unigrams).toEqual(['usb', 'cable', 'model', 'battery', 'charger']);
    expect(t.bigrams).toEqual(['battery charger']);
  });

  it('handles Unicode letters', () => {
    expect(tokenize('Crème brûlée au café, très bon').unigrams).toEqual(['crème', 'brûlée', 'café', 'très', 'bon']);
  });
});

describe('c-TF-IDF keywords', () => {
  it('picks the distinctive words of each cluster', () => {
    const [a, b] = clusterKeywords([chargers, baking], { topN: 5 });
    const termsA = a!.map((k) => k.term);
    const termsB = b!.map((k) => k.term);
    expect(termsA).toEqual(expect.arrayContaining(['battery', 'charger', 'cable', 'battery charger']));
    expect(termsB).toEqual(expect.arrayContaining(['recipe', 'oven', 'bake']));
    expect(termsA.some((t) => termsB.includes(t))).toBe(false);
    expect(a![0]!.score).toBeGreaterThan(a![4]!.score);
  });

  it('drops terms below the minimum document frequency', () => {
    const [a] = clusterKeywords([[...chargers, 'zebra unicorn'], baking], { minDf: 2, topN: 50 });
    expect(a!.map((k) => k.term)).not.toContain('zebra');
  });

  it('groups texts by assignment', () => {
    const texts = [...chargers, ...baking];
    const assignments = texts.map((_, i) => (i < 5 ? 1 : 0));
    const [first, second] = keywordsByAssignment(texts, assignments, 2, { topN: 3 });
    expect(first!.map((k) => k.term)).toEqual(expect.arrayContaining(['recipe']));
    expect(second!.map((k) => k.term)).toEqual(expect.arrayContaining(['charger']));
  });
});

describe('labels from keywords', () => {
  it('joins three distinct keywords and drops unigrams inside a chosen bigram', () => {
    expect(labelFromKeywords(['battery charger', 'battery', 'cable', 'charger', 'usb'])).toBe('battery charger / cable / usb');
    expect(labelFromKeywords(['battery', 'cable', 'battery charger', 'usb'])).toBe('battery charger / cable / usb');
    expect(labelFromKeywords(['charger', 'chargers', 'cable'])).toBe('charger / cable');
    expect(labelFromKeywords([])).toBe('');
  });

  it('reads well for the synthetic clusters', () => {
    const [a, b] = clusterKeywords([chargers, baking]);
    expect(labelFromKeywords(a!)).toMatch(/battery charger/);
    expect(labelFromKeywords(b!).split(' / ')).toHaveLength(3);
  });
});
