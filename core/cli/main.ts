#!/usr/bin/env node
// The `switchyard` command.
import { ConfigFileError } from '../config/load.js';
import { VERSION } from '../version.js';
import { UsageError, type Io } from './common.js';
import { ADD_USAGE, AUDIT_USAGE, REMOVE_USAGE, SERVE_USAGE } from './usage.js';

const USAGE = `Switchyard ${VERSION}: one local MCP endpoint for all your MCP servers.

Usage:
  ${SERVE_USAGE}
  switchyard bridge [--url URL] [--token TOKEN]   stdio <-> the local endpoint, for stdio-only clients
  switchyard status [--url URL] [--json]          what is running, backends, conflicts
  switchyard config validate FILE                 exit 0, or the errors with the path of each
  ${ADD_USAGE}
                                                  add a backend to the config file (comments kept)
  ${REMOVE_USAGE}   remove a backend from the config file
  ${AUDIT_USAGE}                 the audit trail, read from the data dir

Environment: SWITCHYARD_CONFIG, SWITCHYARD_DATA_DIR, SWITCHYARD_TOKEN, DOCKER_HOST
`;

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      // Each command's module is loaded when it runs: serve never loads the bridge's MCP server SDK,
      // and a quick command never loads the engine (start-up time is part of the restart window).
      case 'serve':
        return await (await import('./serve.js')).serve(rest, io);
      case 'bridge':
        return await (
          await import('./bridge.js')
        ).bridge(rest, io, { stdin: process.stdin, stdout: process.stdout });
      case 'status':
        return await (await import('./status.js')).status(rest, io);
      case 'config':
        return await (await import('./config-cmd.js')).configCommand(rest, io);
      case 'add':
        return await (await import('./add.js')).addCommand(rest, io);
      case 'remove':
        return await (await import('./remove.js')).removeCommand(rest, io);
      case 'audit':
        return await (await import('./audit.js')).auditCommand(rest, io);
      case '--version':
      case '-v':
        io.stdout.write(`${VERSION}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`switchyard: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigFileError) {
      io.stderr.write(`${error.message}\n`);
      return 2;
    }
    io.stderr.write(`switchyard: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

const io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`switchyard: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
