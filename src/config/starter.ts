import { VERSION } from '../version.js';

/** Editors with the YAML language server validate and complete the file against this. */
export const SCHEMA_URL = `https://unpkg.com/relaymon@${VERSION}/schema/relaymon.config.schema.json`;

/**
 * What `relaymon init` writes. It validates against the schema as is (a test
 * makes sure) and names environment variables only: keys never go in the file.
 */
export function starterConfig(schemaUrl: string = SCHEMA_URL): string {
  return `# yaml-language-server: $schema=${schemaUrl}
#
# relaymon configuration. Flags override this file; \`relaymon <command> --help\`
# lists them. API keys never go in here: name the environment variable that
# holds the key (apiKeyEnv), or a key file only you can read (apiKeyFile, chmod 600).

targets:
  relay:                                  # your name for it; used in thresholds as {target:relay}
    baseUrl: https://relay.example/v1     # up to and including the version segment
    protocol: openai                      # or anthropic, or openai-responses
    apiKeyEnv: RELAY_API_KEY              # export RELAY_API_KEY=... before running
    # apiKeyFile: ~/.config/relaymon/relay.key   # instead of apiKeyEnv
    # apiKeyHeader: api-key               # e.g. Azure; default authorization (openai) / x-api-key (anthropic)
    # headers: { X-Title: relaymon, X-Gateway-Key: "\${GATEWAY_KEY}" }   # \${VAR} keeps secrets out of the file
    # priceMultiplier: 0.15               # the relay resells at 15% of list price
    concurrency: 8                        # most requests in flight to this target
    timeouts: { connect: 10s, firstToken: 60s, idle: 60s, total: 300s }
  # direct:                               # compare against the provider itself
  #   baseUrl: https://api.openai.com/v1
  #   apiKeyEnv: OPENAI_API_KEY

probes:
  chat-small:
    model: gpt-4o-mini
    prompt: "Reply with OK"               # or messages: [{ role: user, content: "..." }]
    maxTokens: 16
    stream: true
    every: 10s                            # constant interval; or rate: 2/s (Poisson)
    # targets: [relay, direct]            # default: every target

thresholds:                               # metric -> expressions that must hold (k6 style)
  ttft: ["p(95)<800"]
  errors: ["rate<0.01"]
  # latency{target:relay}: ["p(99)<2000"]

# alerts:                                 # fires while its threshold does NOT hold
#   - name: RelaySlowFirstToken
#     threshold: "ttft{target:relay}:p(95)<800"
#     window: 1m                          # 1m, 5m or 15m
#     for: 30s
#     notify: [bell]                      # also webhook, alertmanager (set them under notify)

# notify:
#   webhook: "\${SLACK_WEBHOOK_URL}"
#   alertmanager: http://127.0.0.1:9093

# budget:
#   usd: 1.00                             # stop when the estimated spend reaches this

# prices: ./prices.json                   # LiteLLM format, on top of the built-in table
`;
}
