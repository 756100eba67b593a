/**
 * CloudWatch periods (s) the metrics collector stores. Naming them lets SQLite use the series'
 * unique index (…, stat, period, timestamp) instead of scanning a namespace's whole window.
 */
export const STANDARD_PERIODS = [60, 300, 3600, 86400];
