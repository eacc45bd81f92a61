import { pausedWorkerSuite } from './support/paused-worker-suite.js';

pausedWorkerSuite('sqlite');
