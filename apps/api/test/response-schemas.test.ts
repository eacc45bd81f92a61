import type { RejectedItemView } from '@meander/domain';
import { describe, expectTypeOf, it } from 'vitest';
import type { RejectedItem } from '../src/rejections/rows.js';

describe("the domain's response schemas describe what the API returns", () => {
  it('rejectedItemSchema is the shape of rejections.list items', () => {
    expectTypeOf<RejectedItem>().toEqualTypeOf<RejectedItemView>();
  });
});
