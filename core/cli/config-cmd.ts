// `switchyard config validate FILE`
import { ConfigFileError, loadConfigFile } from '../config/load.js';
import { UsageError, type Io } from './common.js';

export async function configCommand(argv: string[], io: Io): Promise<number> {
  const [sub, file, ...rest] = argv;
  if (sub !== 'validate' || !file || rest.length > 0)
    throw new UsageError('usage: switchyard config validate FILE');
  try {
    const config = await loadConfigFile(file, io.env);
    io.stdout.write(
      `${file}: valid (${config.backends.length} backend${config.backends.length === 1 ? '' : 's'})\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ConfigFileError) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
