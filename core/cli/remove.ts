// `switchyard remove NAME`: a backend removed from the config file in place (everything else kept);
// a running serve closes it through its watcher.
import { parseArgs } from 'node:util';
import { removeBackend } from '../config/edit.js';
import { UsageError, type Io } from './common.js';
import { CONFIG_FILE_FLAGS, editConfigFile } from './config-edit.js';
import { REMOVE_USAGE } from './usage.js';

const HELP = `Usage: ${REMOVE_USAGE}

Removes a backend from the config file, keeping the rest of the file as it is. A running
\`switchyard serve\` closes it within seconds; connected clients get list_changed.
`;

export async function removeCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: CONFIG_FILE_FLAGS,
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (!name) throw new UsageError('remove needs a NAME');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return editConfigFile('remove', values, io, async (file) => {
    await removeBackend(file, name, io.env);
    return `Removed backend "${name}" from ${file} (a running serve closes it within seconds)`;
  });
}
