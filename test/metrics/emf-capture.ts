/** One CloudWatch EMF record as Powertools writes it: the `_aws` envelope, then dimensions and values. */
export interface EmfRecord {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}

/**
 * Captures what reaches `process.stdout` (where Powertools' Metrics writes, through its own
 * `Console` on that stream) while still in the test, and parses the EMF records among the lines.
 */
export function captureStdout() {
  let written = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += chunk.toString();
    return true;
  });
  return {
    written: () => written,
    records: (): EmfRecord[] =>
      written
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry): entry is EmfRecord => '_aws' in entry),
    clear: () => {
      written = '';
    },
    restore: () => spy.mockRestore(),
  };
}
