// What `switchyard add` and `remove` share: the flags that find the config file, and running an
// edit of it with its errors reported as the command's own.
import { ConfigEditError } from '../config/edit.js';
import { configFilePath } from '../config/paths.js';
import { dataDirFrom, type Io } from './common.js';

export const CONFIG_FILE_FLAGS = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `edit` on the config file the flags name; 0, or 1 with the edit's error on stderr. */
export async function editConfigFile(
  command: string,
  flags: { config?: string | undefined; 'data-dir'?: string | undefined },
  io: Io,
  edit: (file: string) => Promise<string>,
): Promise<number> {
  const file = configFilePath(dataDirFrom(flags['data-dir'], io.env), io.env, flags.config);
  try {
    io.stdout.write(`${await edit(file)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConfigEditError) {
      io.stderr.write(`switchyard ${command}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
