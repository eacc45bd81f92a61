import { describe, expect, it } from 'vitest';
import { PREFLIGHT_CODES } from '../src/port.js';
import { REJECTION_FIXTURES } from '../src/rejections/fixtures.js';
import {
  classifyRejection,
  explainCatalogCode,
  REJECTION_CATALOGUE,
  UNCLASSIFIED,
} from '../src/rejections/index.js';

describe('the rejection catalogue', () => {
  it.each(REJECTION_FIXTURES.map((f) => [f.expected, f.system, f.code, f.message, f] as const))(
    '%s ← %s %s "%s"',
    (expected, system, code, message) => {
      expect(classifyRejection(system, { code, message }).code).toBe(expected);
    },
  );

  it('has a fixture for every entry', () => {
    const covered = new Set(REJECTION_FIXTURES.map((f) => f.expected));
    expect(REJECTION_CATALOGUE.map((e) => e.code).filter((c) => !covered.has(c))).toEqual([]);
    expect(covered.has(UNCLASSIFIED.code)).toBe(true);
  });

  it('knows every pre-flight code', () => {
    for (const code of Object.values(PREFLIGHT_CODES)) {
      expect(classifyRejection('xledger', { code, message: '' }).category).not.toBe('unclassified');
    }
  });

  it('gives every entry a unique code, a message and a fix for a person', () => {
    const codes = REJECTION_CATALOGUE.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const e of REJECTION_CATALOGUE) {
      expect(e.message.length).toBeGreaterThan(20);
      expect(e.fix.length).toBeGreaterThan(20);
    }
  });

  it('keeps system-specific families to their system', () => {
    expect(classifyRejection('xledger', { code: 'X', message: 'There is nothing to post.' }).code).toBe(
      'UNCLASSIFIED',
    );
    expect(
      classifyRejection('dynamics', { code: 'BAD_REQUEST.INSUFFICIENT_CREDITS', message: '' }).code,
    ).toBe('UNCLASSIFIED');
  });

  it('explains a stored code again, and an unknown one as unclassified', () => {
    expect(explainCatalogCode('PERIOD_LOCKED')).toMatchObject({
      category: 'period_locked',
      retryable: false,
    });
    expect(explainCatalogCode('NO_SUCH')).toMatchObject({ code: 'UNCLASSIFIED', category: 'unclassified' });
  });
});
