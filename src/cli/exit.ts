/** Thrown by commands that finished and want a specific exit code (e.g. --exit-code on findings). */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
