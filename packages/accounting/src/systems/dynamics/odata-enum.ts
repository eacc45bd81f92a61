/**
 * Business Central enum values as OData writes them on the wire: every character outside
 * [A-Za-z0-9] becomes `_xHHHH_` (`G/L Account` → `G_x002F_L_x0020_Account`, `Bank Account` →
 * `Bank_x0020_Account`; public clients: Rebel BCApi2 enums, a BC journal-line mapper test).
 */
export function wireEnum(value: string): string {
  return value.replace(
    /[^A-Za-z0-9]/g,
    (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`,
  );
}

/** The plain value of an enum read in either form; `encoded` says whether it came wire-encoded. */
export function plainEnum(value: string): { plain: string; encoded: boolean } {
  const plain = value.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
  return { plain, encoded: plain !== value };
}
