import { appBuild } from '../../scripts/tsdown-app.js';

export default appBuild(import.meta.dirname, { main: 'src/main.ts' });
