/**
 * The first organization and the first token of a production install, where the database may be
 * opened (the CLI never opens it): `node dist/bootstrap.js --name "Acme AS" [--time-zone Europe/Oslo]`
 * in the API's deploy folder (`pnpm bootstrap -- …` from the sources), given DATABASE_URL and
 * AUTH_JWT_SECRET. Migrates, creates the organization (or finds the one of that name), and prints a
 * short-lived global-admin token on stdout — alone, so `TOKEN=$(node dist/bootstrap.js …)` works;
 * everything else goes to stderr. With it an operator runs `meander-sync login` and configures
 * the organization's accounting through the API.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { exitOnStartupFailure, openDatabase } from '@meander/db';
import { signToken } from './auth/tokens.js';
import { readBootstrapEnv } from './env.js';

const NAME = 'meander-bootstrap';
const USAGE =
  'usage: node dist/bootstrap.js --name <organization name> [--time-zone <IANA zone>] [--ttl <seconds>]';

const { options, env } = (() => {
  try {
    // `pnpm --filter @meander/api bootstrap -- --name …` hands the script its `--` as well.
    const args = process.argv.slice(2);
    if (args[0] === '--') args.shift();
    const { values } = parseArgs({
      args,
      options: {
        name: { type: 'string' },
        'time-zone': { type: 'string' },
        ttl: { type: 'string', default: '3600' },
      },
    });
    if (!values.name?.trim()) throw new Error(`--name is required; ${USAGE}`);
    const ttl = Number(values.ttl);
    if (!Number.isInteger(ttl) || ttl < 60)
      throw new Error(`--ttl must be whole seconds, at least 60; ${USAGE}`);
    return {
      // NFC, as the store keeps names: the same name typed decomposed finds its organization.
      options: { name: values.name.trim().normalize('NFC'), timeZone: values['time-zone'], ttl },
      env: readBootstrapEnv(),
    };
  } catch (error) {
    return exitOnStartupFailure(NAME, error);
  }
})();

const db = await openDatabase(env.databaseUrl, { migrate: true }).catch((error: unknown) =>
  exitOnStartupFailure(NAME, error, 'DATABASE_URL'),
);
try {
  const existing = (await db.organizations.list()).find((o) => o.name === options.name);
  const organization =
    existing ??
    (await db.organizations.create({
      name: options.name,
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    }));
  // Short-lived: it exists to log in once and mint proper tokens, never to be kept.
  const lifetime = Math.min(options.ttl, env.tokenPolicy.maxLifetimeSeconds);
  const token = await signToken({ sub: randomUUID(), role: 'global_admin' }, env.jwtSecret, lifetime, {
    ...(env.tokenPolicy.issuer ? { issuer: env.tokenPolicy.issuer } : {}),
    ...(env.tokenPolicy.audience ? { audience: env.tokenPolicy.audience } : {}),
  });
  process.stderr.write(
    `${existing ? 'found' : 'created'} organization ${organization.id} "${organization.name}" (${organization.timeZone}); ` +
      `global_admin token valid ${lifetime} s on stdout — next: printf %s "$TOKEN" | meander-sync --api-url <API URL> login\n`,
  );
  process.stdout.write(`${token}\n`);
} catch (error) {
  await db.close();
  exitOnStartupFailure(NAME, error);
}
await db.close();
