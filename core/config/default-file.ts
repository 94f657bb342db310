// The config file written on first start when there is none: every setting at its default,
// commented, so a user can see what exists and uncomment what they need.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const DEFAULT_CONFIG_TEXT = `# Switchyard configuration. Every value below is the default; uncomment to change.
# Reference: docs/config.md. Unknown keys are errors. Values may use \${env:NAME}.

# server:
#   host: 127.0.0.1          # loopback only; another host requires a token
#   port: 4750

# auth:
#   token: auto              # auto (random, kept in this folder) | off | "<token>" | "\${env:NAME}"

# discovery:
#   docker:
#     enabled: true          # find MCP servers in containers labelled mcp.enable=true
#     host: auto             # auto = DOCKER_HOST, then the Docker and Podman sockets
#     group: null            # only containers with mcp.group=<group>

backends: []
# backends:
#   - name: everything
#     url: http://127.0.0.1:3001/mcp     # transport: streamable-http (default) | sse
#     headers: { Authorization: "Bearer \${env:EVERYTHING_TOKEN}" }
#     timeout: 30s
#   - name: memory
#     command: npx                        # a stdio server, started by Switchyard
#     args: ["-y", "@modelcontextprotocol/server-memory"]
#     env: {}

# aggregation:
#   conflicts: auto          # auto | prefix | priority | manual
#   prefixFormat: "{backend}__"
#   priority: []             # for "priority": first listed wins
#   backends:
#     everything:
#       tools:
#         include: []        # empty = all; "*" wildcards allowed
#         exclude: [get-env]
#         overrides: { echo: { name: say, description: "Repeat a message" } }
#       integrity: { changedTools: hold }   # per backend; unset keys follow "integrity"

# integrity:                 # tool integrity: what each tool says is pinned once trusted
#   newTools: allow          # allow | hold: a tool seen for the first time
#   changedTools: hold       # hold | allow: a tool whose approved definition changed

# audit:
#   enabled: true
#   retentionDays: 30
#   recordPayloads: false
#   maxPayloadBytes: 4096
#   maxRows: 1000000         # the oldest rows go first beyond this

# sessions:
#   idleTtl: 24h
#   max: 1000
#   backendIdleTtl: 10m   # an idle client session's backend session (stdio: its process) closes; 0: never

# limits:
#   requestBody: 4MiB        # largest request a client may POST
#   batch: 64                # most messages in one JSON-RPC batch
#   backendResponse: 100MiB  # largest response accepted from a backend
`;

/** Writes the default config if `file` does not exist; true when it was created. */
export async function ensureConfigFile(file: string): Promise<boolean> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, DEFAULT_CONFIG_TEXT, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
