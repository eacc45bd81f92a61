import type { EmulatorControl } from './scenario.js';

/** The emulator control API of `system` over HTTP (`{url}/_control/{system}/…`), as the acceptance checks use it. */
export function httpEmulatorControl(url: string, system: string): EmulatorControl {
  const base = `${url}/_control/${system}`;
  const call = async (path: string, init?: RequestInit): Promise<unknown> => {
    const response = await fetch(`${base}/${path}`, init);
    const text = await response.text();
    if (!response.ok)
      throw new Error(`${init?.method ?? 'GET'} ${base}/${path}: HTTP ${response.status} ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  };
  const put = (faults: Record<string, unknown>) =>
    call('faults', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(faults),
    });
  return {
    setFaults: async (faults) => {
      await put(faults);
    },
    clearFaults: async () => {
      await put({});
    },
    ledger: async () => (await call('ledger')) as { count: number; entries: Record<string, unknown>[] },
    get: (path) => call(path),
    post: (path, body) =>
      call(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
  };
}
