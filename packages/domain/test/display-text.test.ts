import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deleteSyncLogCommandSchema, displayTextProblem, displayTextSchema } from '../src/index.js';

const name = displayTextSchema(1, 200);

describe('display text (names, reasons, descriptions)', () => {
  it('is NFC-normalised and trimmed, so one name typed two ways is one string', () => {
    const decomposed = ' Fjordvi\u006B Caf\u0065\u0301 ';
    expect(name.parse(decomposed)).toBe('Fjordvik Café');
    expect(name.parse(decomposed)).toBe(name.parse('Fjordvik Caf\u00E9'));
  });

  it.each([
    ['NUL', 'Nordlys\u0000AS'],
    ['an RTL override', 'invoice\u202Egpj.exe'],
    ['a right-to-left isolate', 'a\u2067b'],
    ['a left-to-right mark', 'a\u200Eb'],
    ['an escape', 'a\u001B[31mred'],
    ['a C1 control', 'a\u0085b'],
  ])('refuses %s, naming the field', (_what, text) => {
    const result = deleteSyncLogCommandSchema.safeParse({
      id: '11111111-1111-4111-8111-111111111111',
      reason: text,
      legalBasis: 'compliance',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['reason']);
    expect(result.error?.issues[0]?.message).toMatch(/must not contain U\+/);
  });

  it.each([
    ['zero-width spaces', '\u200B\u200B\u200B'],
    ['a BOM and a word joiner', '\uFEFF\u2060'],
    ['Hangul fillers', '\u3164\u3164'],
  ])('refuses a text of only %s', (_what, text) => {
    expect(displayTextProblem(text)).toBe('must contain a visible character');
    expect(name.safeParse(text).success).toBe(false);
  });

  it('keeps tabs and line breaks in reasons, and any visible script', () => {
    expect(displayTextProblem('line one\nline two\tend')).toBeNull();
    for (const text of ['Ærlig Økonomi AS', 'שלום', 'مرحبا', '東京会計', 'Zoë 👩‍💼'])
      expect(name.parse(text)).toBe(text.normalize('NFC'));
  });

  it('never accepts a string holding a forbidden character (property)', () => {
    const forbidden = fc.constantFrom('\u0000', '\u202E', '\u2066', '\u200F', '\u007F', '\u0090');
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), forbidden, fc.string({ maxLength: 50 }), (a, bad, b) => {
        expect(name.safeParse(`x${a}${bad}${b}`).success).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
