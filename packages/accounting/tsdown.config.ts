import { appBuild } from '../../scripts/tsdown-app.js';

// Only the emulators run on their own (the demo, compose, tests); the adapters are bundled into the worker.
export default appBuild(import.meta.dirname, { emulators: 'src/emulators/main.ts' });
