/** The contract's exit codes. */
export const EXIT = { ok: 0, error: 1, usage: 2, partial: 3 } as const;

/** An error that ends the command with a message for humans and a contract exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** A usage mistake (bad option, bad date): exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** The exit code a finished sync maps to. */
export function exitCodeForStatus(status: string): number {
  if (status === 'success') return EXIT.ok;
  if (status === 'partial') return EXIT.partial;
  return EXIT.error;
}
