// `osteoplan <command>`: the command line over the same backend and engine code the app uses, for
// research scripts and batch checks. Each command lives in its own module and returns an exit code.
import { readFileSync } from 'node:fs';
import { runImportCommand } from './import-command';
import { runInspectCommand } from './inspect-command';
import { runMeasureCommand } from './measure-command';
import { runPhantomCommand } from './phantom-command';

const USAGE = `Usage: osteoplan <command> [options]

Commands:
  measure <landmarks.json> [--plan <plan.json>] --json
      Every measurement of a stored landmark set (and the plan's predicted results) as JSON.
  phantom <outDir> [options]
      Writes a generated standing long-leg DX film (DICOM) and its true landmarks (JSON).
      Run "osteoplan phantom --help" for the geometry options.
  inspect <file|folder>... [--json]
      Header fields, calibration decision, decode status and pixel md5 of DICOM files.
  import <file|folder|DICOMDIR>... [--data-dir <dir>] [--json]
      Imports into the library (default: the app's data folder) and prints the report.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const stdout = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
  const stderr = (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);
  switch (command) {
    case 'measure':
      return runMeasureCommand(rest, { readFile: (p) => readFileSync(p, 'utf8'), stdout, stderr });
    case 'phantom':
      return runPhantomCommand(rest, { stdout, stderr });
    case 'inspect':
      return runInspectCommand(rest, { stdout, stderr });
    case 'import':
      return runImportCommand(rest, { stdout, stderr });
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      stdout(USAGE);
      return command === undefined ? 2 : 0;
    default:
      stderr(`osteoplan: unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`osteoplan: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
