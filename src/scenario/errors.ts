// Scenario problems are values at the edge: one line naming the file, the
// field path and what is wrong; the CLI prints it and exits 2 before running.
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly fieldPath: string,
    readonly problem: string,
  ) {
    super(`${file}: ${fieldPath ? `${fieldPath}: ` : ''}${problem}`);
    this.name = 'ScenarioError';
  }
}
