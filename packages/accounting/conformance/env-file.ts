import { readFile } from 'node:fs/promises';

/** A dotenv line that is neither blank, a comment, nor `KEY=value`. */
class EnvFileError extends Error {
  override readonly name = 'EnvFileError';
}

/**
 * Parse dotenv-style text: `KEY=value` per line, `#` comments, optional `export `, values in
 * single or double quotes (double quotes understand `\n`). A malformed line is an error naming
 * its line number — never a silently dropped setting. Secrets stay in the returned map only.
 */
export function parseEnvText(text: string, source = 'env file'): Map<string, string> {
  const values = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new EnvFileError(`${source}, line ${index + 1}: expected KEY=value`);
    const [, key = '', rest = ''] = match;
    values.set(key, unquote(rest, `${source}, line ${index + 1}`));
  });
  return values;
}

/** Read and parse a dotenv file. */
export async function readEnvFile(path: string): Promise<Map<string, string>> {
  return parseEnvText(await readFile(path, 'utf8'), path);
}

function unquote(value: string, where: string): string {
  const quote = value[0];
  if (quote === '"' || quote === "'") {
    const end = value.lastIndexOf(quote);
    if (end <= 0) throw new EnvFileError(`${where}: unterminated ${quote} quote`);
    const inner = value.slice(1, end);
    return quote === '"' ? inner.replaceAll('\\n', '\n').replaceAll('\\"', '"') : inner;
  }
  // An unquoted value ends at an inline comment.
  return value.replace(/\s+#.*$/, '').trim();
}
