import { delimiter } from "node:path";

/** What each command prints for --help, and after a bad command line. */
export const USAGE = `headroom-mcp — an MCP server that compresses large tool outputs and keeps the originals retrievable.

Usage:
  headroom-mcp [options]                   serve MCP over stdio (what MCP hosts run)
  headroom-mcp --http [options]            serve MCP over HTTP
  headroom-mcp install claude-code|cursor [--scope project|user] [--gateway]
                                           register the server (and Claude Code's hook);
                                           --gateway also moves the host's other servers behind it
  headroom-mcp uninstall claude-code|cursor [--scope project|user] [--gateway]
  headroom-mcp compress [FILE|-] [--type T] [--query Q] [--max-tokens N] [--tool NAME] [--json]
                                           compress a file or stdin; prints the result
  headroom-mcp retrieve HASH [--query Q] [--lines A-B] [--offset N] [--limit N] [--json]
                                           print an original, or the part that matches Q
  headroom-mcp stats [--json]              savings, store and memories
  headroom-mcp run [--query Q] [--max-tokens N] [--type T] [--json] -- CMD [ARGS…]
                                           run CMD, print its output compressed, exit with its code
  headroom-mcp hook post-tool-use          Claude Code's PostToolUse hook (reads the event on stdin)
  headroom-mcp memory export|import FILE   the memories, as JSON Lines

Exit codes: 0 done (compress and run print the output unchanged, with a warning, when the store
cannot keep the original); 1 failed (the store failed while in use, internal error); 2 bad
arguments or unusable input (missing, binary, too large); 3 (retrieve) the hash is unknown or has
expired; run exits with its command's code; hook always exits 0.

Options:
  --store PATH|URL      where originals, memories and stats live: a SQLite file (or a directory
                        for store.sqlite in it), redis://HOST:PORT for a store shared by many
                        machines, or "memory" for a store that ends with the process.
                        Env HEADROOM_STORE. Default: $XDG_DATA_HOME/headroom-mcp/store.sqlite,
                        else ~/.local/share/headroom-mcp/store.sqlite
  --ttl DURATION        how long an unused original is kept, e.g. 90m, 24h, 7d (each retrieval
                        restarts the clock). Env HEADROOM_TTL. Default 24h
  --store-max-mb N      size cap of the store; least recently used originals are evicted beyond
                        it. Env HEADROOM_STORE_MAX_MB. Default 1024
  --max-input-mb N      largest content accepted (compress_tool_result, compress, run, the hook).
                        Env HEADROOM_MAX_INPUT_MB. Default 50
  --log-level LEVEL     silent | error | warn | info | debug (to stderr). Env HEADROOM_LOG_LEVEL.
                        Default info for the server, warn for the other commands
  --http                serve over HTTP: Streamable HTTP at /mcp, legacy SSE at /sse + /messages,
                        GET /health. Env HEADROOM_HTTP=1
  --host HOST           address to bind (default 127.0.0.1). Anything but loopback needs --token.
                        Env HEADROOM_HOST
  --port N              port (default 8787; 0 picks a free one). Env HEADROOM_PORT
  --token TOKEN         require Authorization: Bearer TOKEN on every request, GET /health
                        included. Env HEADROOM_TOKEN
  --public-health       answer GET /health without the token (for probes and load balancers).
                        Env HEADROOM_PUBLIC_HEALTH=1
  --allow-dir DIR       a folder compress_tool_result may read \`path\` from, besides the client's
                        roots (or the working directory when the client has none); repeatable.
                        Env HEADROOM_ALLOW_DIRS (separated by ${delimiter})
  --upstream-config FILE
                        gateway: serve the tools of the MCP servers in FILE (a host's mcp.json
                        shape: {"mcpServers": {...}}) as NAME__TOOL, their large results
                        compressed. Env HEADROOM_UPSTREAM_CONFIG
  --upstream NAME=COMMAND [ARGS…]
                        one more upstream server (quoted as one argument); repeatable
  --upstream-timeout DURATION
                        how long a call to an upstream tool may take. Env
                        HEADROOM_UPSTREAM_TIMEOUT. Default 2m
  --embeddings URL      semantic memory search: an OpenAI-compatible embeddings endpoint
                        (Ollama http://127.0.0.1:11434/v1, LM Studio http://127.0.0.1:1234/v1,
                        llama.cpp's llama-server --embeddings, vLLM). Memories are embedded when
                        saved (older ones in the background); nothing is sent anywhere without
                        it. Env HEADROOM_EMBEDDINGS_URL
  --embeddings-model NAME
                        the model to ask for. Env HEADROOM_EMBEDDINGS_MODEL. Default
                        nomic-embed-text
  --embeddings-key KEY  bearer token, for an endpoint that wants one. Env HEADROOM_EMBEDDINGS_KEY
  --allow-origin LIST   comma-separated browser origins allowed besides loopback ones.
                        Env HEADROOM_ALLOWED_ORIGINS
  --session-idle DURATION
                        close an HTTP session when nothing has been open on it for this long (a
                        client listening on its stream is not idle); its client starts a new one.
                        Env HEADROOM_SESSION_IDLE. Default 30m
  --max-sessions N      most HTTP sessions at once; a new one beyond it closes the one idle
                        longest. Env HEADROOM_MAX_SESSIONS. Default 1000
  --request-timeout DURATION
                        time a client has to send a whole request, headers and body; a slower
                        one gets 408. Env HEADROOM_REQUEST_TIMEOUT. Default 30s
  -h, --help            show this help
  -v, --version         print the version
`;

export const COMPRESS_USAGE = `headroom-mcp compress — compress a file or stdin, as compress_tool_result would.

Usage:
  headroom-mcp compress [FILE|-] [options]

Options:
  --type T          json | logs | code | search | diff | text (default: detected)
  --query Q         what you are looking for; matching items are kept
  --max-tokens N    token budget of the result (default: 15% of the input, 1,000–4,000)
  --tool NAME       the tool or file the output came from (helps detection, e.g. "cat app.py")
  --json            print the whole result (hash, token counts, omissions) as JSON
  --store PATH|URL  the store the original goes to (default: the server's)

The compressed text goes to stdout; a summary line with the hash goes to stderr when it is a
terminal. \`headroom-mcp retrieve HASH\` gets the original back.
`;

export const RETRIEVE_USAGE = `headroom-mcp retrieve — print an original from the store.

Usage:
  headroom-mcp retrieve HASH [--query Q] [--lines A-B] [--offset N] [--limit N] [--json]

With --query: only the matching items or lines (or, for code, the symbol's source). With --lines:
exactly those lines (a code outline's "… L120-159" names them). Without either: the
original page by page (--offset from the note on stderr). Exit code 3: unknown or expired hash.
`;

export const RUN_USAGE = `headroom-mcp run — run a command and print its output compressed.

Usage:
  headroom-mcp run [--query Q] [--max-tokens N] [--type T] [--json] -- CMD [ARGS…]

stdout and stderr of CMD are captured together, in order; small outputs are printed as they are.
Exits with CMD's exit code (128+N when a signal N ended it, 127 when CMD was not found).
HEADROOM_OFF=1 runs CMD with its output untouched.
`;

export const MEMORY_USAGE = `headroom-mcp memory — the memories saved with memory_save, outside a conversation.

Usage:
  headroom-mcp memory export [--store PATH]        write every memory to stdout as JSON Lines
  headroom-mcp memory import FILE [--store PATH]   read memories from such a file (importing
                                                   the same file twice changes nothing)
`;
