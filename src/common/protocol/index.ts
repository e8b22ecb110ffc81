// One protocol module: the routes, URLs, JSON shapes and HTTP client the processes of a cluster
// use to talk to each other (worker REST API, coordinator REST API, web ports). Nothing here loads
// undici before it is used (undici-transport.ts): a CLI command that imports this module pays for
// node:http only.
export * from './routes.js';
export * from './url.js';
export * from './alluxiofs-json.js';
export * from './http-transport.js';
export * from './undici-transport.js';
export * from './node-http-transport.js';
export * from './rest-client.js';
export * from './http-json.js';
