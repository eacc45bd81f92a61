import pino from 'pino';

/** Structured JSON logs with request ids. Never log bodies, tokens or record text. */
export type Logger = pino.Logger;

export function createLogger(level = 'info'): Logger {
  return pino({ name: 'meander-api', level, base: { service: 'meander-api' } });
}

export const silentLogger: Logger = pino({ level: 'silent' });
