import pino from 'pino';

/** Structured JSON logs. Only ids, counts and codes are logged: never record text or personal data. */
export type Logger = pino.Logger;

export function createLogger(level = 'info', name = 'meander-worker'): Logger {
  return pino({ name, level, base: { service: name } });
}

/** A logger that drops everything (tests, embedded use). */
export const silentLogger: Logger = pino({ level: 'silent' });
