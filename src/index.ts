// tessera-auth: the server as a library — build the core over stores of your choice and serve
// it, or embed the Fastify app in your own. The verifier and its middleware are the other package,
// tessera-verify (and tessera-verify/fastify, /express, /hono, /node), built from src/verify and
// src/middleware.
export { loadConfig, options as configOptions, type Config, type ConfigSources } from './config.js';
export { TesseraError, isTesseraError, errorStatus, type ErrorCode } from './core/errors.js';
export { systemClock, ManualClock, type Clock } from './core/clock.js';
export { createCore, type Core } from './core/tessera.js';
export type { Policy } from './core/policy.js';
export { policyFromConfig } from './server/policy.js';
export { buildApp, type AppOptions } from './server/app.js';
export { startServer, type RunningServer } from './server/start.js';
export { openStores, type OpenedStores } from './server/stores.js';
export { createMemoryStores } from './stores/memory/index.js';
export { createSqlStores } from './stores/sql/index.js';
export { createRedisStores, type RedisStores } from './stores/redis/index.js';
export type * from './stores/ports.js';
