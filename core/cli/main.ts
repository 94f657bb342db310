#!/usr/bin/env node
// The `switchyard` command.
import { ConfigFileError } from '../config/load.js';
import { VERSION } from '../version.js';
import { UsageError, type Io } from './common.js';
import {
  ADD_USAGE,
  AUDIT_USAGE,
  CHANGES_USAGE,
  CLIENTS_USAGE,
  CONNECT_USAGE,
  LOGS_USAGE,
  REMOVE_USAGE,
  SERVE_USAGE,
} from './usage.js';

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
  ${CONNECT_USAGE.split('\n').join('\n  ')}
  ${CLIENTS_USAGE}                     each client: installed?, connected?, last seen
  ${CHANGES_USAGE}   tool changes awaiting review
  ${LOGS_USAGE}   a backend's stderr and connection history

Environment: SWITCHYARD_CONFIG, SWITCHYARD_DATA_DIR, SWITCHYARD_TOKEN, DOCKER_HOST
`;

/** The usage lines of one command (its first line and the indented ones after it). */
function usageOf(command: string): string | undefined {
  const lines = USAGE.split('\n');
  const start = lines.findIndex(
    (l) => l.trimStart().startsWith(`switchyard ${command} `) || l.trim() === `switchyard ${command}`,
  );
  if (start < 0) return undefined;
  let end = start + 1;
  while (
    end < lines.length &&
    /^ {4,}\S/.test(lines[end]!) &&
    !lines[end]!.trimStart().startsWith('switchyard ')
  )
    end++;
  return `Usage:\n${lines.slice(start, end).join('\n')}\n`;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  // `switchyard CMD --help` (options only: what follows `--` belongs to a server command line).
  const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  const help =
    command !== undefined && (own.includes('--help') || own.includes('-h')) ? usageOf(command) : undefined;
  if (help) {
    io.stdout.write(help);
    return 0;
  }
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
      case 'logs':
        return await (await import('./logs.js')).logsCommand(rest, io);
      case 'connect':
        return await (await import('./connect.js')).connect(rest, io);
      case 'disconnect':
        return await (await import('./connect.js')).disconnect(rest, io);
      case 'clients':
        return await (await import('./clients.js')).clients(rest, io);
      case 'changes':
        return await (await import('./changes.js')).changesCommand(rest, io);
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
