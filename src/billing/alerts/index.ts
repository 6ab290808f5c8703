/** Spend and credit alerts: the engine, its pure helpers and its table types. See README.md for the invariants. */
export { AlertService, defaultBackoffMs } from './service.ts';
export { crossedThresholds, limitReached, parseThresholds } from './thresholds.ts';
export { verifySignature, signPayload, SIGNATURE_HEADER, EVENT_ID_HEADER, DEFAULT_TOLERANCE_SEC } from './signature.ts';
export { emailMessage, webhookBody, eventType, type AlertData } from './message.ts';
export type { AlertTables, AlertChannelsTable, AlertsTable, AlertDeliveriesTable, OutboxTable } from '../../store/tables/alerts.ts';
export type * from './types.ts';
