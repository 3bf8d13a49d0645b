/**
 * The flags every command that writes a study folder from an experiment shares (`prune`,
 * `compare-optimizers`): hyperparameter overrides, the data folder, where studies go, --json and
 * --help. Spread last into a command's own flag table.
 */
export const studyCommandFlags = {
  set: { type: 'list', help: 'override a hyperparameter: --set key=value (repeatable)' },
  'data-dir': { type: 'string', help: 'folder with the dataset files' },
  out: { type: 'string', default: 'studies', help: 'folder that holds study folders' },
  json: { type: 'boolean', help: 'print one JSON object as the last line of stdout' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;
