import { z } from 'zod';

/**
 * Characters that make a stored text show something other than what it holds: C0/C1 controls
 * (NUL among them; tab, line feed and carriage return are allowed), the bidirectional overrides,
 * embeddings and isolates (an RTL override turns `gpj.exe` into `exe.jpg` on screen), and the
 * Unicode non-characters.
 */
const FORBIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]/u;

/** Code points that show as nothing: a text made only of these (and white space) reads as empty. */
const INVISIBLE = new Set([
  0x00ad, 0x034f, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180e, 0x200b, 0x200c, 0x200d, 0x2060, 0x2061, 0x2062,
  0x2063, 0x2064, 0x3164, 0xfeff, 0xffa0,
]);

function onlyInvisible(text: string): boolean {
  for (const char of text) {
    if (/\s/u.test(char)) continue;
    if (!INVISIBLE.has(char.codePointAt(0) ?? 0)) return false;
  }
  return true;
}

/** Why `text` may not be stored as a name, reason or description, or null when it may. */
export function displayTextProblem(text: string): string | null {
  const bad = FORBIDDEN.exec(text);
  if (bad) {
    const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    return `must not contain U+${code} (a control or bidirectional-override character)`;
  }
  if (onlyInvisible(text)) return 'must contain a visible character';
  return null;
}

/**
 * A name, reason or description as people read it: NFC-normalised (so `é` typed two ways is one
 * string, in the chain's hash too), trimmed, `min`–`max` characters, and refused — with the field
 * named in the issue's path — when it holds NUL, a bidi control or only invisible characters.
 */
export function displayTextSchema(min: number, max: number) {
  return z
    .string()
    .transform((text) => text.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(min)
        .max(max)
        .superRefine((text, ctx) => {
          const problem = displayTextProblem(text);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
    );
}
