import { platformRetryReporter } from '../../src/ops/compose.js';
import { createLogger } from '../../src/ops/log.js';
import { AppMetrics } from '../../src/ops/metrics.js';

/** One log line of a retry report, as the logger writes it. */
export interface RetryLogLine {
  level: number;
  msg: string;
  platform?: string;
  reason?: string;
  method?: string;
  route?: string;
  status?: number;
  waitMs?: number;
  retryAfterMs?: number;
  attempt?: number;
  limit?: number;
  global?: boolean;
  scope?: string;
}

/** Pino's level number for warnings. */
const WARN = 40;

/** The reporter the composition root builds, over a logger that scrubs nothing: a token in a line would show. */
export function retryReporter() {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', secrets: [], destination: { write: (l: string) => void lines.push(l) } });
  const metrics = new AppMetrics({ defaultMetrics: false });
  const parsed = () => lines.map((l) => JSON.parse(l) as RetryLogLine);
  return { lines, parsed, warnings: () => parsed().filter((l) => l.level === WARN), metrics, onRetry: platformRetryReporter(log, metrics) };
}
