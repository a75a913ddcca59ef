import { Writable } from 'node:stream';
import pino from 'pino';
import { ApplicationFailure, ActivityFailure } from '@temporalio/common';
import { temporalSdkLogger } from '../../src/kernel/temporal/sdk-logger';
import { domainFailure } from '../../src/kernel/temporal/domain-failure';

/** A pino logger writing into an array of lines, as the process writes to stdout. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

describe('the Temporal SDK logger (pino)', () => {
  it('writes one JSON line per message, the SDK attributes as fields, multi-line messages flattened', () => {
    const { lines, logger } = capture();
    temporalSdkLogger(logger).info('Worker state changed\n  with detail', {
      sdkComponent: 'worker',
      taskQueue: 'q',
      state: 'RUNNING',
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 30,
      msg: 'Worker state changed with detail',
      sdkComponent: 'worker',
      taskQueue: 'q',
      state: 'RUNNING',
    });
  });

  it('an expected refusal (ACCOUNT_FROZEN inside an activity failure) is info, code and message, no stack', () => {
    const { lines, logger } = capture();
    const refusal = domainFailure('ACCOUNT_FROZEN', 'account is frozen');
    expect(refusal.category).toBe('BENIGN'); // the SDK itself then logs it at debug
    const wrapped = new ActivityFailure('activity failed', 'binaryOpen', '1', undefined, undefined, refusal);
    temporalSdkLogger(logger).warn('Activity failed', { error: wrapped, activityType: 'binaryOpen' });
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: 30, refusal: { code: 'ACCOUNT_FROZEN', message: 'account is frozen' } });
    expect(lines[0]).not.toMatch(/stack|\\n\s+at /);
  });

  it('any other error keeps warn/error with pino `err` (stack inside the JSON line); task tokens are dropped', () => {
    const { lines, logger } = capture();
    temporalSdkLogger(logger).warn('Activity failed', {
      error: ApplicationFailure.retryable('connection reset', 'Error'),
      taskToken: 'c2VjcmV0LXRhc2stdG9rZW4=',
      activityType: 'kycCreateVerification',
    });
    temporalSdkLogger(logger).error('Workflow failed', { error: domainFailure('INTERNAL', 'bug') });
    expect(lines).toHaveLength(2);
    const [warn, error] = lines.map((l) => JSON.parse(l));
    expect(warn).toMatchObject({
      level: 40,
      err: { message: 'connection reset' },
      activityType: 'kycCreateVerification',
    });
    expect(warn.err.stack).toEqual(expect.any(String));
    expect(error).toMatchObject({ level: 50, err: { message: 'bug' } });
    expect(lines.join('\n')).not.toMatch(/taskToken|c2VjcmV0/);
  });

  it('redacts the task tokens the core prints inside its debug text', () => {
    const { lines, logger } = capture();
    temporalSdkLogger(logger).debug('New WFT', {
      sdkComponent: 'core',
      action: 'NewWft(PermittedWft(PreparedWFT { task_token: TaskToken(CiQwMWEyMmQwYS1hNzE3==), attempt: 1 }))',
    });
    expect(lines[0]).toContain('task_token: TaskToken(redacted)');
    expect(lines[0]).not.toContain('CiQwMWEy');
  });
});
