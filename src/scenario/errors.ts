// Scenario problems are values at the edge: one line naming the file, the
// field path and what is wrong; the CLI prints it and exits 2 before running.

/** Problems a caller may act on rather than report, named so it need not match their text. */
export type ScenarioErrorKind = 'warmup-not-shorter';

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly fieldPath: string,
    readonly problem: string,
    readonly kind: ScenarioErrorKind | null = null,
    /** The sweep point the problem is in, when the sweep (not the file alone) put the value there. */
    readonly sweepPoint: string | null = null,
  ) {
    super(`${file}: ${fieldPath ? `${fieldPath}: ` : ''}${problem}`);
    this.name = 'ScenarioError';
  }
}
