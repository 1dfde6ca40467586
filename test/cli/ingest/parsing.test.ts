import { describe, expect, it } from 'vitest';
import { CsvParser } from '../../../src/cli/ingest/csv.js';
import { isUnchanged, scalarOf, toDocument } from '../../../src/cli/ingest/documents.js';

const parseCsv = (text: string) => {
  const p = new CsvParser();
  return [...text.split('\n').flatMap((l, i) => p.feed(l, i + 1)), ...p.finish()];
};

describe('CSV records (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    expect(parseCsv('a,"b, c","say ""hi""",d\n"multi\nline",x,,""')).toEqual([
      { line: 1, fields: ['a', 'b, c', 'say "hi"', 'd'] },
      { line: 2, fields: ['multi\nline', 'x', '', ''] },
    ]);
  });

  it('reports a stray quote or text after a closing quote on the record\'s first line', () => {
    expect(parseCsv('a,b"c\n"x"y,z\nok,1')).toEqual([
      { line: 1, error: expect.stringContaining('quote inside an unquoted field') },
      { line: 2, error: expect.stringContaining('after a closing quote') },
      { line: 3, fields: ['ok', '1'] },
    ]);
  });

  it('reports a never-closed quote and reads the lines it swallowed again', () => {
    expect(parseCsv('"open,1\nb,2\nc,3')).toEqual([
      { line: 1, error: expect.stringContaining('never closed') },
      { line: 2, fields: ['b', '2'] },
      { line: 3, fields: ['c', '3'] },
    ]);
  });

  it('skips blank lines between records', () => {
    expect(parseCsv('a\n\nb')).toEqual([{ line: 1, fields: ['a'] }, { line: 3, fields: ['b'] }]);
  });
});

describe('records to documents', () => {
  const m = { textField: 'text', idField: 'id', metadataFields: null, convertScalars: false };

  it('takes text, id and the other fields as metadata', () => {
    expect(toDocument({ id: 7, text: 'hi', stars: 5, tags: ['a'] }, m)).toEqual({ doc: { id: '7', text: 'hi', metadata: { stars: 5, tags: ['a'] } } });
    expect(toDocument({ text: 'hi', a: 1, b: 2 }, { ...m, metadataFields: ['b', 'missing'] })).toEqual({ doc: { text: 'hi', metadata: { b: 2 } } });
  });

  it('says why a record is no document', () => {
    expect(toDocument({ id: 'x' }, m)).toEqual({ error: { code: 'BAD_USER_INPUT', message: 'the text field "text" is missing' } });
    expect(toDocument({ text: '  ' }, m)).toMatchObject({ error: { message: 'the text field "text" is empty' } });
    expect(toDocument({ text: 3 }, m)).toMatchObject({ error: { message: 'the text field "text" is a number, not a string' } });
    expect(toDocument({ text: 'x', id: { a: 1 } }, m)).toMatchObject({ error: { message: 'the id field "id" must be a string or a number' } });
  });

  it('converts CSV cells that round-trip exactly, and nothing else', () => {
    expect([scalarOf('5'), scalarOf('-4.5'), scalarOf('true'), scalarOf('05'), scalarOf('1e3'), scalarOf('12345678901234567890'), scalarOf('')]).toEqual([5, -4.5, true, '05', '1e3', '12345678901234567890', '']);
  });

  it('knows a document stored with the same text and metadata (key order aside)', () => {
    expect(isUnchanged({ text: 'a', metadata: { x: 1, y: 2 } }, { text: 'a', metadata: { y: 2, x: 1 } })).toBe(true);
    expect(isUnchanged({ text: 'a', metadata: null }, { text: 'a' })).toBe(true);
    expect(isUnchanged({ text: 'a', metadata: { x: 1 } }, { text: 'a', metadata: { x: 2 } })).toBe(false);
    expect(isUnchanged({ text: 'a', metadata: null }, { text: 'b' })).toBe(false);
    expect(isUnchanged(null, { text: 'a' })).toBe(false);
  });
});
