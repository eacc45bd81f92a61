import { describe, expect, it } from 'vitest';
import {
  csvField,
  csvLines,
  neutraliseCsvCell,
  renderCsv,
  SYNC_LOG_CSV_COLUMNS,
  SYNC_LOG_FIELDS,
} from '../src/index.js';

describe('the one CSV writer', () => {
  it.each([
    ['=HYPERLINK("http://x")', `'=HYPERLINK("http://x")`],
    ['+1+1', "'+1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['-2+3', "'-2+3"],
    ['  =1+1', "'  =1+1"], // white space before the formula (issue 23)
    ['\u3000=1+1', "'\u3000=1+1"], // ideographic space
    ['\uFF1D1+1', "'\uFF1D1+1"], // fullwidth equals (issue 23)
    ['\uFF0B1', "'\uFF0B1"],
    ['\uFE661+1', "'\uFE661+1"], // small equals sign: folds to = like the fullwidth form
    ['\uFE621', "'\uFE621"], // small plus sign
    ['\uFE6BSUM(A1)', "'\uFE6BSUM(A1)"], // small commercial at
    ['|cmd', "'|cmd"], // DDE pipe (issue 23)
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
  ])('guards %j', (input, expected) => {
    expect(neutraliseCsvCell(input)).toBe(expected);
  });

  it('leaves data alone: numbers keep their sign, plain text stays', () => {
    expect(neutraliseCsvCell(-12)).toBe('-12');
    expect(neutraliseCsvCell('-101.00')).toBe('-101.00');
    expect(neutraliseCsvCell('Account 7140 is closed')).toBe('Account 7140 is closed');
    expect(neutraliseCsvCell(null)).toBe('');
    expect(neutraliseCsvCell({ a: 1 })).toBe('{"a":1}');
  });

  it('quotes RFC 4180 fields and writes CRLF lines with a header', () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(renderCsv(['a', 'b'], [{ a: 'x\ny', b: 2 }])).toBe('a,b\r\n"x\ny",2\r\n');
    expect(SYNC_LOG_CSV_COLUMNS).toContain('organizationId');
  });

  it('streams the same document line by line, with the line end a published format uses', async () => {
    const rows = [{ a: '=x', b: 'p,q' }, { a: -1 }];
    const lines: string[] = [];
    for await (const line of csvLines(['a', 'b'], rows)) lines.push(line);
    expect(lines.join('')).toBe(renderCsv(['a', 'b'], rows));
    const lf: string[] = [];
    for await (const line of csvLines(['a', 'b'], rows, '\n')) lf.push(line);
    expect(lf).toEqual(['a,b\n', `'=x,"p,q"\n`, '-1,\n']);
  });

  it("writes a history download in one column order, the spec's without the two JSON documents", () => {
    expect(SYNC_LOG_CSV_COLUMNS).toEqual([
      'id',
      'organizationId',
      'accountingSystem',
      'syncType',
      'status',
      'triggeredBy',
      'periodStart',
      'periodEnd',
      'recordsTotal',
      'recordsSynced',
      'recordsFailed',
      'externalReferenceId',
      'startedAt',
      'completedAt',
      'createdAt',
    ]);
    expect(SYNC_LOG_FIELDS.filter((f) => !SYNC_LOG_CSV_COLUMNS.includes(f as never))).toEqual([
      'payloadSummary',
      'errorDetails',
    ]);
  });
});
