#!/usr/bin/env node
// A production install (`pnpm deploy --prod`, the published files) carries only `dist`: plain Node
// runs the tsdown build. In the repository, where `src` and tsx (a dev dependency) are present, the
// bin runs the sources instead, so it is never a stale build and needs no build step.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const sources = new URL('../src/main.ts', import.meta.url);
if (existsSync(sources)) {
  // Workspace packages export their TypeScript sources under the "@meander/source" condition.
  register(
    'data:text/javascript,export async function resolve(s,c,n){return n(s,{...c,conditions:[...c.conditions,"@meander/source"]})}',
  );
  const tsx = await import('tsx/esm/api');
  tsx.register();
  await import(sources.href);
} else {
  await import('../dist/main.js');
}
