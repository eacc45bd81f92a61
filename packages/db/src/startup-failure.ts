/**
 * What a process prints when its configuration stops it: one line that names the variable, never a
 * stack trace. An error about the database that does not say which setting is at fault is put on
 * `DATABASE_URL` (an unreachable server, a database that does not exist).
 */
function startupFailureLine(processName: string, error: unknown, variable?: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = (message.split('\n')[0] ?? message).trim();
  const named = variable && !first.includes(variable) ? `${variable}: ${first}` : first;
  return `${processName}: ${named}`;
}

/** Print {@link startupFailureLine} on stderr and exit 1. */
export function exitOnStartupFailure(processName: string, error: unknown, variable?: string): never {
  process.stderr.write(`${startupFailureLine(processName, error, variable)}\n`);
  process.exit(1);
}
