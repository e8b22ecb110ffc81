import { CronExpressionParser } from 'cron-parser';

// A Load's cron schedule (spec.schedule), read in UTC: standard 5 fields (a 6th leading seconds
// field is accepted, as cron-parser does) or @hourly/@daily/@weekly/@monthly/@yearly.

/** The problem with a schedule, or undefined when it parses. */
export function scheduleProblem(expr: string): string | undefined {
  try {
    CronExpressionParser.parse(expr, { tz: 'UTC', strict: false });
    return undefined;
  } catch (err) {
    return `spec.schedule '${expr}' is not a cron schedule (${(err as Error).message}): expected 5 fields such as '0 2 * * *' (02:00 UTC daily) or @daily`;
  }
}

/** The first tick strictly after `after`. */
export function nextTick(expr: string, after: Date): Date {
  return CronExpressionParser.parse(expr, { tz: 'UTC', currentDate: after }).next().toDate();
}

/** The last tick at or before `now` (the tick a run started now belongs to). */
export function latestTick(expr: string, now: Date): Date {
  // prev() is strictly before its current date: start one millisecond after now.
  return CronExpressionParser.parse(expr, { tz: 'UTC', currentDate: new Date(now.getTime() + 1) }).prev().toDate();
}
