export { type Client, createClient } from './client.js';
export { EXIT, exitCodeForStatus } from './exit-codes.js';
