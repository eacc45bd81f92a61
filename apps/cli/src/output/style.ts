/** Colours only on a terminal, never with NO_COLOR (https://no-color.org). */
function colorsEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

const code = (open: number, close: number) => (text: string) =>
  colorsEnabled() ? `\u001b[${open}m${text}\u001b[${close}m` : text;

export const style = {
  green: code(32, 39),
  red: code(31, 39),
  yellow: code(33, 39),
  cyan: code(36, 39),
  dim: code(2, 22),
  bold: code(1, 22),
};

/** A status word in its colour. */
export function statusText(status: string): string {
  if (status === 'success') return style.green(status);
  if (status === 'partial') return style.yellow(status);
  if (status === 'failed') return style.red(status);
  return style.cyan(status);
}
