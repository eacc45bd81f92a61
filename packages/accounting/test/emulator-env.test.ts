import { describe, expect, it } from 'vitest';
import { readEmulatorEnv } from '../src/emulators/env.js';

describe('the emulators environment', () => {
  it('defaults to port 4010 on loopback with no faults', () => {
    expect(readEmulatorEnv({})).toEqual({ port: 4010, host: '127.0.0.1' });
  });

  it('reads the port, host and start-up faults', () => {
    const env = readEmulatorEnv({
      EMULATOR_PORT: '0',
      EMULATOR_HOST: '0.0.0.0',
      EMULATOR_FAULTS: '{"dynamics":{"throttle":3}}',
    });
    expect(env.port).toBe(0);
    expect(env.host).toBe('0.0.0.0');
    expect(env.faults?.dynamics).toMatchObject({ throttle: 3 });
    expect(env.faults?.xledger).toBeUndefined();
  });

  it.each([
    [{ EMULATOR_PORT: 'abc' }, 'EMULATOR_PORT'],
    [{ EMULATOR_PORT: '70000' }, 'EMULATOR_PORT'],
    [{ EMULATOR_FAULTS: '{not json' }, 'EMULATOR_FAULTS'],
    [{ EMULATOR_FAULTS: '{"quickbooks":{}}' }, 'EMULATOR_FAULTS'],
  ])('refuses %j naming %s', (source, variable) => {
    expect(() => readEmulatorEnv(source)).toThrow(variable);
  });
});
