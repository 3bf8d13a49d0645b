/**
 * What every reproduction returns: the claim in one sentence, whether it held at this size,
 * the measured numbers behind the verdict, a table, and plots (SVG text by file name). The
 * CLI writes them into a study folder; tests call the run functions at a reduced size.
 */
export interface ReproResult {
  name: string;
  claim: string;
  held: boolean;
  /** One line per number the verdict rests on. */
  evidence: string[];
  table: string[];
  plots: Record<string, string>;
  /** Everything measured, for summary.json. */
  data: unknown;
}

export interface ReproContext {
  dataDir?: string;
  /** Called with a short status line as work progresses. */
  log?: (line: string) => void;
}
