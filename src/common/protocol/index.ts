// One protocol module: the routes, URLs, JSON shapes and HTTP client the processes of a cluster
// use to talk to each other (worker REST API, coordinator REST API, web ports).
export * from './routes.js';
export * from './url.js';
export * from './alluxiofs-json.js';
export * from './rest-client.js';
export * from './http-json.js';
