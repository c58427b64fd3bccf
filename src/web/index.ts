// The dashboard's public surface: mount it on the HTTP app (src/web/server.ts) with its read models.
export { mountDashboard, PAGES, type Dashboard } from './dashboard.js';
export type { DashboardDeps, DashboardAuth, EngineView, StreamView, FeedStatusView, AlertReader, OpsView, QueueReport, DeliveryFailureCount, CompositeLookup, WebLog } from './deps.js';
export { DASHBOARD_DEFAULTS, MIN_TOKEN_LENGTH, dashboardOptions, type DashboardOptions } from './options.js';
export { DashboardConfigError, assertDashboardBind, isLoopback, SESSION_COOKIE } from './auth.js';
export { deliveryFailuresFromMetrics } from './status.js';
export { StaticFiles } from './assets.js';
export { symbolSlug, symbolFromUrl } from './symbols.js';
export type { LiveUpdate, LiveStats } from './live.js';
