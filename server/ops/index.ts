/**
 * The ops domain's front door: the Prometheus endpoint, the exposure check at
 * start, and the backup, restore and doctor commands.
 */
export { createMetricsRegistry, metricsHandler, type Metrics, type MetricsAccess, type MetricsExtension, type MetricsSources } from './prometheus.ts';
export { exposureVerdict, isLoopbackHost, type ExposureVerdict } from './exposure.ts';
export { backupCommand, doctorCommand, fileAndDataDir, restoreCommand } from './commands.ts';
