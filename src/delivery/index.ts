/** Delivery: the pipeline from the engine's alerts to every recipient, and the operator's own destinations. */
export { DELIVERY_DEFAULTS, DeliveryPipeline, queueStatus, type DeliverJob, type DeliveryDeps, type DeliveryOptions, type QueueStatus } from './pipeline.js';
export { HIGH_SEVERITY, type SeverityRule, type StaticRoute } from './fanout.js';
export { PLATFORM_RATES, type PlatformRates } from './rates.js';
export { DISCORD_NONCE_WINDOW_MS, PLATFORM_GUARANTEES, type InDoubt, type PlatformGuarantee, type RepeatGuard } from './guarantees.js';
export { ConsoleDestination } from './destinations/console.js';
export { createEmailDestination, EmailDestination, SMTP_TIMEOUT_MS, type EmailOptions, type EmailTarget } from './destinations/email.js';
export { signWebhook, verifyWebhook, WEBHOOK_HEADERS, WEBHOOK_SIGNATURE_TOLERANCE_MS, WebhookDestination, type WebhookBody, type WebhookTarget } from './destinations/webhook.js';
