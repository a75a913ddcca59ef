/** The bench harness's pure parts, against figures worked out by hand. */
import { parseResponse } from '../../bench/harness/http-load';
import { waitForQuiet } from '../../bench/harness/quiet';
import { formatNumber, renderTable, type RunResult } from '../../bench/harness/report';
import { median, meets, percentile, ratio } from '../../bench/harness/stats';
import { medianMetrics, summarizeComparison } from '../../bench/harness/summary';

describe('bench stats', () => {
  it('median of odd and even counts, ignoring NaN', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7, NaN, 9])).toBe(8);
    expect(median([])).toBeNaN();
  });

  it('nearest-rank percentile', () => {
    const values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(values, 50)).toBe(50); // rank ceil(5) = 5
    expect(percentile(values, 99)).toBe(100); // rank ceil(9.9) = 10
    expect(percentile(values, 91)).toBe(100); // rank ceil(9.1) = 10
    expect(percentile(values, 90)).toBe(90);
    expect(percentile([3], 0)).toBe(3);
  });

  it('ratio and goal verdicts', () => {
    expect(ratio(8400, 42000)).toBeCloseTo(0.2, 10);
    expect(ratio(1, 0)).toBeNaN();
    expect(meets(0.6, { atLeast: 0.6 })).toBe(true);
    expect(meets(0.59, { atLeast: 0.6 })).toBe(false);
    expect(meets(99.9, { below: 100 })).toBe(true);
    expect(meets(100, { below: 100 })).toBe(false);
    expect(meets(NaN, { below: 100 })).toBe(false);
  });
});

describe('bench summary', () => {
  it('takes the median of the per-round ratios, and the median of each metric', () => {
    // Round ratios: 60/100 = 0.6, 30/100 = 0.3, 90/120 = 0.75 -> median 0.6.
    const rounds = [
      { subject: { rps: 60, p99Ms: 5 }, baseline: { rps: 100 } },
      { subject: { rps: 30, p99Ms: 9 }, baseline: { rps: 100 } },
      { subject: { rps: 90, p99Ms: 4 }, baseline: { rps: 120 } },
    ];
    const row = summarizeComparison(
      { workload: 'w', name: 'n', subjectLabel: 's', baselineLabel: 'b', ratioOf: 'rps', goal: 0.6 },
      rounds,
    );
    expect(row.ratio).toBeCloseTo(0.6, 10);
    expect(row.pass).toBe(true);
    expect(row.subject).toEqual({ rps: 60, p99Ms: 5 });
    expect(row.baseline).toEqual({ rps: 100 });
    const failing = summarizeComparison({ ...row, goal: 0.61 }, rounds);
    expect(failing.pass).toBe(false);
  });

  it('a metric missing from a round is left out of that metric only', () => {
    expect(medianMetrics([{ a: 1, b: 10 }, { a: 3 }, { a: 2, b: 20 }])).toEqual({ a: 2, b: 15 });
  });
});

describe('bench table', () => {
  it('renders comparisons, absolute checks and failures', () => {
    const run: RunResult = {
      startedAt: '2026-11-30T21:00:00.000Z',
      finishedAt: '2026-11-30T21:05:00.000Z',
      size: 'ci',
      roundsWanted: 3,
      maxLoad: 2.5,
      cpus: 2,
      workloads: [
        {
          name: 'health',
          title: 't',
          rounds: [{ round: 1, load: 1.5, busy: false }],
          comparisons: [
            {
              workload: 'health',
              name: 'GET /health',
              subjectLabel: 'API',
              baselineLabel: 'bare',
              ratioOf: 'rps',
              subject: { rps: 8412, p99Ms: 14.2 },
              baseline: { rps: 42000 },
              ratio: 0.2003,
              goal: 0.6,
              pass: false,
            },
          ],
          absolutes: [
            {
              workload: 'health',
              name: 'p99 at half rate',
              metric: 'p99Ms',
              unit: 'ms',
              value: 87.25,
              goal: { below: 100 },
              pass: true,
            },
          ],
          notes: {},
        },
        { name: 'kyc', title: 't', rounds: [], comparisons: [], absolutes: [], notes: {}, error: 'a|b' },
      ],
    };
    expect(renderTable(run).split('\n')).toEqual([
      '| workload | measured | baseline, same run | ratio | goal | pass |',
      '|---|---|---|---|---|---|',
      '| GET /health | API: rps 8412, p99Ms 14.2 | bare: rps 42.0k | 0.20 (rps) | >= 0.6 | no |',
      '| p99 at half rate | p99Ms 87.3 ms | - | - | < 100 ms | yes |',
      '| kyc | failed: a\\|b | | | | no |',
    ]);
  });

  it('formats numbers to a few significant digits', () => {
    expect(formatNumber(84102.1)).toBe('84.1k');
    expect(formatNumber(138.2)).toBe('138');
    expect(formatNumber(14.25)).toBe('14.3');
    expect(formatNumber(2.345)).toBe('2.35');
    expect(formatNumber(NaN)).toBe('n/a');
  });
});

describe('bench load generator', () => {
  it('parses a complete response with Content-Length, and waits for an incomplete one', () => {
    const res = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{"status":"ok"}HTTP/1.1');
    expect(parseResponse(res)).toEqual({ status: 200, length: 39 + 15 });
    expect(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{"sta'))).toBeNull();
    expect(parseResponse(Buffer.from('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'))).toEqual({
      status: 404,
      length: 45,
    });
  });
});

describe('bench quiet wait', () => {
  it('gives up after the bounded wait and marks the round busy', async () => {
    const quiet = await waitForQuiet(
      2.5,
      0,
      () => undefined,
      () => 3.1,
    );
    expect(quiet).toEqual({ load: 3.1, busy: true });
    expect(
      await waitForQuiet(
        2.5,
        0,
        () => undefined,
        () => 2.5,
      ),
    ).toEqual({ load: 2.5, busy: false });
  });
});
