/** Alerts: rules -> evaluation -> state -> SNS and webhook notifications. */
export { evaluateAlerts, type EvaluateAlertsOptions, type EvaluateAlertsResult, type RuleOutcome, type Transition } from "./evaluate-alerts.ts";
export { createNotifier, deliverToRuleChannels, sendTestNotification, ChannelNotFoundError, type Notifier, type NotifierOptions, type DeliveryChannel, type DeliveryResult, type DeliveryRecord, type TestNotificationResult } from "./notify.ts";
export { verifyWebhookSignature, checkWebhookSignature, signWebhookBody, SIGNATURE_HEADER } from "./signature.ts";
export { classifyAddress, vetWebhookUrl, WebhookTargetError } from "./ssrf.ts";
export { alertsConfig, type AlertsConfig } from "./config.ts";
export { RULE_KINDS, RULE_KIND_INFO, SEVERITIES, type RuleKind, type RuleSpec } from "./rules.ts";
export { buildAlertMessage, alertMessageSchema, subjectOf, type AlertMessage } from "./payload.ts";
export {
  listRules,
  getRule,
  createRule,
  updateRule,
  deleteRule,
  listChannels,
  getChannel,
  createChannel,
  updateChannel,
  deleteChannel,
  testChannel,
  listEvents,
  getEvent,
  openAlertsFor,
  acknowledgeEvent,
  listRuleKinds,
  AlertsManageError,
  createRuleInputSchema,
  updateRuleInputSchema,
  createChannelInputSchema,
  updateChannelInputSchema,
  listEventsInputSchema,
  type ManageContext,
  type RuleView,
  type ChannelView,
  type EventView,
} from "./manage.ts";
