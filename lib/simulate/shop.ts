/**
 * The simulated serverless shop, as data: functions (runtimes, memory, versions, aliases,
 * triggers, behaviour), API Gateway APIs and stages, queues, topics and schedules.
 * `buildShop({ functions: N })` scales it by cloning the archetypes with suffixed names.
 */
import { profileSchema, type BehaviourProfile, type BehaviourProfileInput, type VersionOverrides } from "./profile.ts";

export type Architecture = "arm64" | "x86_64";
export type Language = "node" | "python" | "java" | "dotnet" | "custom";

export interface AliasSpec {
  name: string;
  version: string;
  /** Weighted routing to a second version (AdditionalVersionWeights). */
  additional?: { version: string; weight: number };
  provisionedConcurrency?: number;
}

export type TriggerSpec =
  | { kind: "api" }
  | { kind: "authorizer" }
  | { kind: "sqs"; queue: string; batchSize: number; messagesPerMinute: number; poisonRate: number }
  | { kind: "sns"; topic: string; messagesPerMinute: number; poisonRate: number }
  | { kind: "s3"; bucket: string; eventsPerMinute: number; poisonRate: number }
  | { kind: "schedule" }
  | { kind: "direct"; invocationsPerMinute: number };

export interface AsyncConfig {
  maxRetries: number;
  deadLetterQueue?: string;
  onFailureQueue?: string;
}

export interface FunctionSpec {
  name: string;
  /** The default-shop function this one is (a clone of). */
  archetype: string;
  runtime: string;
  architecture: Architecture;
  memoryMb: number;
  timeoutS: number;
  handler: string;
  description: string;
  /** Deployment package size in bytes (reported through the sandbox's code-size tag). */
  codeSizeBytes: number;
  layers: string[];
  ephemeralStorageMb: number;
  logFormat: "Text" | "JSON";
  tracing: "Active" | "PassThrough";
  reservedConcurrency?: number;
  /** Versions to publish (1..n). $LATEST behaves like the newest. */
  publishedVersions: number;
  aliases: AliasSpec[];
  profile: BehaviourProfile;
  versionOverrides: Record<string, VersionOverrides>;
  trigger: TriggerSpec;
  async?: AsyncConfig;
}

export interface RouteSpec {
  method: string;
  /** REST resource path ("/products/{id}") or HTTP API path. */
  path: string;
  fn: string;
  /** Alias the production stage invokes; other stages invoke $LATEST. */
  alias?: string;
  ratePerMinute: number;
  authorized?: boolean;
  /** The stage cache serves this GET method. */
  cached?: boolean;
  /** Share of requests the request validator rejects with 400. */
  invalidRate?: number;
}

export interface StageSpec {
  name: string;
  /** Share of the API's base traffic this stage receives. */
  trafficShare: number;
  /** "alias": routes invoke their alias; "latest": $LATEST. */
  target: "alias" | "latest";
  tracing: boolean;
  cacheEnabled: boolean;
  cacheHitRate: number;
  canaryPercent?: number;
  throttle: { rate: number; burst: number };
  accessLogGroup: string;
}

export interface ApiSpec {
  name: string;
  type: "REST" | "HTTP";
  stages: StageSpec[];
  routes: RouteSpec[];
  authorizer?: { name: string; fn: string; cacheMissRate: number; denyRate: number };
}

export interface QueueSpec {
  name: string;
  kind: "dlq" | "destination" | "source";
  visibilityTimeoutS: number;
  redrive?: { deadLetterQueue: string; maxReceiveCount: number };
}

export interface RuleSpec {
  name: string;
  fn: string;
  description: string;
  /** Fires every periodMinutes, offset from midnight UTC. */
  periodMinutes: number;
  offsetMinutes: number;
  input: Record<string, unknown>;
  /** Multiplies the function's durations for this rule's runs (a daily report is bigger). */
  durationFactor: number;
}

export interface LayerSpec {
  name: string;
  runtimes: string[];
  codeSizeBytes: number;
}

export interface Shop {
  functions: FunctionSpec[];
  apis: ApiSpec[];
  queues: QueueSpec[];
  topics: string[];
  rules: RuleSpec[];
  layers: LayerSpec[];
}

export interface ShopOptions {
  /** Number of functions (default 12 = the default shop); more clones the archetypes. */
  functions?: number;
}

/** The language family of a Lambda runtime identifier. */
export function languageOf(runtime: string): Language {
  if (runtime.startsWith("nodejs")) return "node";
  if (runtime.startsWith("python")) return "python";
  if (runtime.startsWith("java")) return "java";
  if (runtime.startsWith("dotnet")) return "dotnet";
  return "custom";
}

/** EventBridge schedule expression of a rule. */
export function scheduleExpression(rule: Pick<RuleSpec, "periodMinutes" | "offsetMinutes">): string {
  const m = rule.offsetMinutes % 60;
  if (rule.periodMinutes === 1440) return `cron(${m} ${Math.floor(rule.offsetMinutes / 60) % 24} * * ? *)`;
  if (rule.periodMinutes === 60) return `cron(${m} * * * ? *)`;
  return `rate(${rule.periodMinutes} minutes)`;
}

const p = (input: BehaviourProfileInput): BehaviourProfile => profileSchema.parse(input);

interface Archetype {
  fn: Omit<FunctionSpec, "name" | "archetype" | "trigger" | "async"> & {
    trigger: (s: (n: string) => string) => TriggerSpec;
    async?: (s: (n: string) => string) => AsyncConfig;
  };
}

// Order matters for partial copies (--functions not a multiple of 12): front-ends first.
const ARCHETYPES: Record<string, Archetype> = {
  checkout: {
    fn: {
      runtime: "nodejs20.x",
      architecture: "arm64",
      memoryMb: 1024,
      timeoutS: 10,
      handler: "index.handler",
      description: "Places an order: validates the cart, charges the card, emits order events",
      codeSizeBytes: 4_812_337,
      layers: ["shop-shared-node"],
      ephemeralStorageMb: 512,
      logFormat: "Text",
      tracing: "Active",
      publishedVersions: 8,
      aliases: [{ name: "live", version: "7", additional: { version: "8", weight: 0.1 } }],
      profile: p({
        durationMs: 180,
        durationSigma: 0.45,
        initMs: 420,
        memoryUsedMb: [110, 160],
        errorRate: 0.012,
        errors: [
          { type: "TypeError", message: "Cannot read properties of undefined (reading 'items')", weight: 3 },
          { type: "ConditionalCheckFailedException", message: "The conditional request failed", weight: 2, downstream: "DynamoDB" },
          { type: "PaymentProviderError", message: "Payment provider returned 502 Bad Gateway", weight: 2, downstream: "api.stripe.com" },
        ],
        timeoutRate: 0.0008,
        appLogLines: 2,
        downstream: [
          { name: "DynamoDB", namespace: "aws", operation: "GetItem", resource: "carts", share: 0.12 },
          { name: "api.stripe.com", namespace: "remote", operation: "POST", resource: "https://api.stripe.com/v1/payment_intents", share: 0.55 },
          { name: "DynamoDB", namespace: "aws", operation: "PutItem", resource: "orders", share: 0.1 },
          { name: "SQS", namespace: "aws", operation: "SendMessage", resource: "orders", share: 0.06 },
          { name: "SNS", namespace: "aws", operation: "Publish", resource: "order-events", share: 0.05 },
        ],
        statusCodes: [
          { code: 200, weight: 0.97 },
          { code: 409, weight: 0.03 },
        ],
        responseBytes: 420,
      }),
      // Version 8 is the canary with a regression: more errors, slower.
      versionOverrides: { "8": { errorRateFactor: 5, durationFactor: 1.6, timeoutRateFactor: 3 } },
      trigger: () => ({ kind: "api" }),
    },
  },
  authorizer: {
    fn: {
      runtime: "nodejs20.x",
      architecture: "arm64",
      memoryMb: 128,
      timeoutS: 5,
      handler: "index.handler",
      description: "API Gateway token authorizer (JWT)",
      codeSizeBytes: 912_004,
      layers: [],
      ephemeralStorageMb: 512,
      logFormat: "Text",
      tracing: "Active",
      publishedVersions: 0,
      aliases: [],
      profile: p({
        durationMs: 14,
        durationSigma: 0.5,
        initMs: 160,
        memoryUsedMb: [52, 66],
        errorRate: 0.001,
        errors: [{ type: "JwksError", message: "Unable to fetch signing keys from the identity provider", weight: 1, downstream: "cognito-idp.us-east-1.amazonaws.com" }],
        appLogLines: 0.3,
        downstream: [
          { name: "cognito-idp.us-east-1.amazonaws.com", namespace: "remote", operation: "GET", resource: "https://cognito-idp.us-east-1.amazonaws.com/.well-known/jwks.json", share: 0.3, probability: 0.05 },
        ],
        responseBytes: 310,
      }),
      versionOverrides: {},
      trigger: () => ({ kind: "authorizer" }),
    },
  },
  catalog: {
    fn: {
      runtime: "java21",
      architecture: "x86_64",
      memoryMb: 1536,
      timeoutS: 15,
      handler: "shop.catalog.Handler::handleRequest",
      description: "Product catalog reads (provisioned concurrency on prod)",
      codeSizeBytes: 21_400_112,
      layers: [],
      ephemeralStorageMb: 512,
      logFormat: "Text",
      tracing: "Active",
      publishedVersions: 3,
      aliases: [{ name: "prod", version: "3", provisionedConcurrency: 2 }],
      profile: p({
        durationMs: 85,
        durationSigma: 0.5,
        initMs: 3200,
        memoryUsedMb: [210, 290],
        errorRate: 0.004,
        errors: [{ type: "java.lang.IllegalStateException", message: "Catalog index not loaded", weight: 1 }],
        appLogLines: 1,
        downstream: [{ name: "DynamoDB", namespace: "aws", operation: "Query", resource: "products", share: 0.6 }],
        statusCodes: [
          { code: 200, weight: 0.94 },
          { code: 404, weight: 0.06 },
        ],
        responseBytes: 2400,
      }),
      versionOverrides: {},
      trigger: () => ({ kind: "api" }),
    },
  },
  cart: {
    fn: {
      runtime: "python3.12",
      architecture: "arm64",
      memoryMb: 512,
      timeoutS: 10,
      handler: "app.handler",
      description: "Shopping cart reads and updates",
      codeSizeBytes: 2_204_551,
      layers: ["aws-lambda-powertools-python"],
      ephemeralStorageMb: 512,
      logFormat: "Text",
      tracing: "Active",
      publishedVersions: 0,
      aliases: [],
      profile: p({
        durationMs: 65,
        durationSigma: 0.5,
        initMs: 650,
        memoryUsedMb: [75, 110],
        errorRate: 0.008,
        errors: [
          { type: "KeyError", message: "'sku'", weight: 2 },
          { type: "ValueError", message: "invalid literal for int() with base 10: 'two'", weight: 1 },
        ],
        appLogLines: 1.5,
        downstream: [
          { name: "DynamoDB", namespace: "aws", operation: "GetItem", resource: "carts", share: 0.35 },
          { name: "DynamoDB", namespace: "aws", operation: "UpdateItem", resource: "carts", share: 0.3, probability: 0.4 },
        ],
        statusCodes: [
          { code: 200, weight: 0.96 },
          { code: 400, weight: 0.04 },
        ],
        responseBytes: 800,
      }),
      versionOverrides: {},
      trigger: () => ({ kind: "api" }),
    },
  },
  search: {
    fn: {
      runtime: "nodejs20.x",
      architecture: "arm64",
      memoryMb: 512,
      timeoutS: 60,
      handler: "index.handler",
      description: "Full-text product search",
      codeSizeBytes: 3_120_876,
      layers: ["shop-shared-node"],
      ephemeralStorageMb: 512,
      logFormat: "Text",
      tracing: "Active",
      reservedConcurrency: 4,
      publishedVersions: 0,
      aliases: [],
      profile: p({
        durationMs: 320,
        durationSigma: 0.7,
        tail: { probability: 0.002, minMs: 30_000, maxMs: 45_000 },
        initMs: 380,
        memoryUsedMb: [140, 210],
        errorRate: 0.004,
        errors: [{ type: "ResponseError", message: "search_phase_execution_exception", weight: 1, downstream: "search-shop.us-east-1.es.amazonaws.com" }],
        appLogLines: 1,
        downstream: [
          { name: "search-shop.us-east-1.es.amazonaws.com", namespace: "remote", operation: "POST", resource: "https://search-shop.us-east-1.es.amazonaws.com/products/_search", share: 0.8 },
        ],
        responseBytes: 5200,
      }),
      versionOverrides: {},
      trigger: () => ({ kind: "api" }),
    },
  },
  inventory: {
    fn: {
      runtime: "nodejs20.x",
      architecture: "arm64",
      memoryMb: 256,
      timeoutS: 6,
      handler: "index.handler",
      description: "Stock levels per SKU (JSON logs)",
      codeSizeBytes: 1_402_390,
      layers: [],
      ephemeralStorageMb: 512,
      logFormat: "JSON",
      tracing: "Active",
      publishedVersions: 0,
      aliases: [],
      profile: p({
        durationMs: 40,
        durationSigma: 0.5,
        initMs: 260,
        memoryUsedMb: [70, 95],
        errorRate: 0.005,
        errors: [{ type: "ProvisionedThroughputExceededException", message: "The level of configured provisioned throughput for the table was exceeded.", weight: 1, downstream: "DynamoDB" }],
        appLogLines: 1,
        downstream: [{ name: "DynamoDB", namespace: "aws", operation: "GetItem", resource: "inventory", share: 0.5 }],
        statusCodes: [
          { code: 200, weight: 0.93 },
          { code: 404, weight: 0.07 },
        ],
        responseBytes: 240,
      }),
      versionOverrides: {},
      trigger: () => ({ kind: "api" }),
    },
  },
  recommendations: {
    fn: {
      runtime: "provided.al2023",
      architecture: "arm64",
      memoryMb: 256,
      timeoutS: 5,
      handler: "bootstrap",
      description: "Product recommendations (Go)",
      codeSizeBytes: 7_340_210,
      layers: [],
      ephemeralStorageMb: 512,
      logFormat: "Text",
      tracing: "Active",
      publishedVersions: 0,
      aliases: [],
      profile: p({
        durationMs: 25,
        durationSigma: 0.45,
        initMs: 55,
        memoryUsedMb: [28, 42],
        errorRate: 0.003,
        errors: [{ type: "errorString", message: "recommendation model unavailable", weight: 1 }],
        appLogLines: 0.5,
        downstream: [{ name: "DynamoDB", namespace: "aws", operation: "BatchGetItem", resource: "recommendations", share: 0.5 }],
        responseBytes: 1600,
      }),
      versionOverrides: {},
      trigger: () => ({ kind: "api" }),
    },
  },
  "orders-worker": {
    fn: {
      runtime: "python3.12",
      architecture: "x86_64",
      memoryMb: 512,
      timeoutS: 30,
      handler: "worker.handler",
      description: "Processes orders from the orders queue (partial batch responses)",
      codeSizeBytes: 3_880_102,
      layers: ["aws-lambda-powertools-python"],
      ephemeralStorageMb: 512,
      logFormat: "Text",
      tracing: "Active",
      publishedVersions: 0,
      aliases: [],
      profile: p({
        durationMs: 220,
        durationSigma: 0.5,
        initMs: 700,
        memoryUsedMb: [90, 140],
        errorRate: 0.006,
        errors: [
          { type: "KeyError", message: "'shippingAddress'", weight: 1 },
          { type: "ClientError", message: "An error occurred (ThrottlingException) when calling the PutItem operation: Rate exceeded", weight: 1, downstream: "DynamoDB" },
        ],
        appLogLines: 2,
        batchItemFailureRate: 0.03,
        downstream: [{ name: "DynamoDB", namespace: "aws", operation: "PutItem", resource: "orders", share: 0.4 }],
      }),
      versionOverrides: {},
      trigger: (s) => ({ kind: "sqs", queue: s("orders"), batchSize: 10, messagesPerMinute: 1.9, poisonRate: 0.004 }),
    },
  },
  notifier: {
    fn: {
      runtime: "nodejs20.x",
      architecture: "arm64",
      memoryMb: 256,
      timeoutS: 6,
      handler: "index.handler",
      description: "Sends order e-mails from the order-events topic",
      codeSizeBytes: 1_100_420,
      layers: [],
      ephemeralStorageMb: 512,
      logFormat: "Text",
      tracing: "Active",
      publishedVersions: 0,
      aliases: [],
      profile: p({
        durationMs: 120,
        durationSigma: 0.5,
        initMs: 300,
        memoryUsedMb: [80, 100],
        errorRate: 0.03,
        errors: [{ type: "MessageRejected", message: "Email address is not verified. The following identities failed the check in region US-EAST-1: customer@example.com", weight: 1, downstream: "SESv2" }],
        timeoutRate: 0.003,
        appLogLines: 1,
        downstream: [{ name: "SESv2", namespace: "aws", operation: "SendEmail", share: 0.7 }],
      }),
      versionOverrides: {},
      trigger: (s) => ({ kind: "sns", topic: s("order-events"), messagesPerMinute: 1.5, poisonRate: 0.015 }),
      async: (s) => ({ maxRetries: 2, onFailureQueue: s("notifier-failures") }),
    },
  },
  "image-resize": {
    fn: {
      runtime: "python3.11",
      architecture: "x86_64",
      memoryMb: 3008,
      timeoutS: 60,
      handler: "resize.handler",
      description: "Resizes uploaded product images (S3 notifications)",
      codeSizeBytes: 640_221,
      layers: ["pillow"],
      ephemeralStorageMb: 2048,
      logFormat: "Text",
      tracing: "PassThrough",
      reservedConcurrency: 3,
      publishedVersions: 0,
      aliases: [],
      profile: p({
        durationMs: 1800,
        durationSigma: 0.4,
        initMs: 1400,
        memoryUsedMb: [300, 400],
        errorRate: 0.006,
        errors: [{ type: "UnidentifiedImageError", message: "cannot identify image file <_io.BytesIO object at 0x7f3a2c1d5e40>", weight: 1 }],
        appLogLines: 2,
        downstream: [
          { name: "S3", namespace: "aws", operation: "GetObject", resource: "shop-uploads", share: 0.25 },
          { name: "S3", namespace: "aws", operation: "PutObject", resource: "shop-images", share: 0.2 },
        ],
      }),
      versionOverrides: {},
      trigger: () => ({ kind: "s3", bucket: "shop-uploads", eventsPerMinute: 0.75, poisonRate: 0.006 }),
      async: (s) => ({ maxRetries: 2, deadLetterQueue: s("image-resize-dlq") }),
    },
  },
  "invoice-pdf": {
    fn: {
      runtime: "dotnet8",
      architecture: "x86_64",
      memoryMb: 512,
      timeoutS: 30,
      handler: "InvoicePdf::InvoicePdf.Function::Handler",
      description: "Renders invoice PDFs for the back office",
      codeSizeBytes: 12_044_908,
      layers: [],
      ephemeralStorageMb: 1024,
      logFormat: "Text",
      tracing: "Active",
      publishedVersions: 0,
      aliases: [],
      profile: p({
        durationMs: 900,
        durationSigma: 0.45,
        initMs: 1100,
        memoryUsedMb: [260, 380],
        errorRate: 0.005,
        errors: [{ type: "InvalidOperationException", message: "Template 'invoice-v2' not found", weight: 1 }],
        oomRate: 0.004,
        appLogLines: 1,
        downstream: [{ name: "S3", namespace: "aws", operation: "PutObject", resource: "shop-invoices", share: 0.2 }],
      }),
      versionOverrides: {},
      trigger: () => ({ kind: "direct", invocationsPerMinute: 0.5 }),
    },
  },
  "nightly-report": {
    fn: {
      runtime: "python3.12",
      architecture: "x86_64",
      memoryMb: 2048,
      timeoutS: 300,
      handler: "report.handler",
      description: "Sales reports (hourly rollup, nightly full report)",
      codeSizeBytes: 9_310_555,
      layers: ["aws-lambda-powertools-python"],
      ephemeralStorageMb: 4096,
      logFormat: "Text",
      tracing: "Active",
      publishedVersions: 0,
      aliases: [],
      profile: p({
        durationMs: 35_000,
        durationSigma: 0.35,
        initMs: 1200,
        memoryUsedMb: [600, 1100],
        errorRate: 0.01,
        errors: [{ type: "ClientError", message: "An error occurred (ThrottlingException) when calling the StartQueryExecution operation: Rate exceeded", weight: 1, downstream: "Athena" }],
        appLogLines: 4,
        downstream: [
          { name: "Athena", namespace: "aws", operation: "StartQueryExecution", share: 0.05 },
          { name: "S3", namespace: "aws", operation: "PutObject", resource: "shop-reports", share: 0.1 },
        ],
      }),
      versionOverrides: {},
      trigger: () => ({ kind: "schedule" }),
      async: () => ({ maxRetries: 2 }),
    },
  },
};

/** Archetype names in cloning order. */
export const ARCHETYPE_NAMES = Object.keys(ARCHETYPES);

const LAYERS: LayerSpec[] = [
  { name: "shop-shared-node", runtimes: ["nodejs20.x"], codeSizeBytes: 2_310_114 },
  { name: "aws-lambda-powertools-python", runtimes: ["python3.11", "python3.12"], codeSizeBytes: 4_932_001 },
  { name: "pillow", runtimes: ["python3.11"], codeSizeBytes: 11_820_443 },
];

function restApi(s: (n: string) => string, present: Set<string>): ApiSpec | undefined {
  const f = (n: string) => (present.has(n) ? s(n) : undefined);
  const routes: RouteSpec[] = [];
  const auth = present.has("authorizer");
  if (f("checkout")) routes.push({ method: "POST", path: "/checkout", fn: s("checkout"), alias: "live", ratePerMinute: 2.2, authorized: auth, invalidRate: 0.015 });
  if (f("catalog")) {
    routes.push({ method: "GET", path: "/products", fn: s("catalog"), alias: "prod", ratePerMinute: 3.8, cached: true });
    routes.push({ method: "GET", path: "/products/{id}", fn: s("catalog"), alias: "prod", ratePerMinute: 3.4, cached: true });
  }
  if (f("cart")) {
    routes.push({ method: "GET", path: "/cart", fn: s("cart"), ratePerMinute: 1.9, authorized: auth });
    routes.push({ method: "POST", path: "/cart", fn: s("cart"), ratePerMinute: 1.1, authorized: auth, invalidRate: 0.01 });
  }
  if (routes.length === 0) return undefined;
  const name = s("shop-api");
  return {
    name,
    type: "REST",
    stages: [
      {
        name: "prod",
        trafficShare: 1,
        target: "alias",
        tracing: true,
        cacheEnabled: true,
        cacheHitRate: 0.55,
        canaryPercent: 10,
        throttle: { rate: 20, burst: 10 },
        accessLogGroup: `/aws/apigateway/${name}/prod/access`,
      },
      {
        name: "dev",
        trafficShare: 0.04,
        target: "latest",
        tracing: false,
        cacheEnabled: false,
        cacheHitRate: 0,
        throttle: { rate: 5, burst: 5 },
        accessLogGroup: `/aws/apigateway/${name}/dev/access`,
      },
    ],
    routes,
    authorizer: auth ? { name: "jwt", fn: s("authorizer"), cacheMissRate: 0.35, denyRate: 0.04 } : undefined,
  };
}

function httpApi(s: (n: string) => string, present: Set<string>): ApiSpec | undefined {
  const routes: RouteSpec[] = [];
  if (present.has("search")) routes.push({ method: "GET", path: "/search", fn: s("search"), ratePerMinute: 2.3 });
  if (present.has("inventory")) routes.push({ method: "GET", path: "/inventory/{sku}", fn: s("inventory"), ratePerMinute: 1.9 });
  if (present.has("recommendations")) routes.push({ method: "GET", path: "/recommendations", fn: s("recommendations"), ratePerMinute: 1.5 });
  if (routes.length === 0) return undefined;
  const name = s("shop-http");
  return {
    name,
    type: "HTTP",
    stages: [
      {
        name: "$default",
        trafficShare: 1,
        target: "latest",
        tracing: false,
        cacheEnabled: false,
        cacheHitRate: 0,
        throttle: { rate: 30, burst: 12 },
        accessLogGroup: `/aws/apigateway/${name}/default/access`,
      },
    ],
    routes,
  };
}

/** Builds the shop: the 12 archetypes, cloned with suffixes "-2", "-3", … up to `functions`. */
export function buildShop(options: ShopOptions = {}): Shop {
  const total = Math.max(1, Math.floor(options.functions ?? ARCHETYPE_NAMES.length));
  const shop: Shop = { functions: [], apis: [], queues: [], topics: [], rules: [], layers: [] };
  const usedLayers = new Set<string>();
  const copies = Math.ceil(total / ARCHETYPE_NAMES.length);
  for (let copy = 1; copy <= copies; copy++) {
    const s = (n: string) => (copy === 1 ? n : `${n}-${copy}`);
    const count = Math.min(ARCHETYPE_NAMES.length, total - (copy - 1) * ARCHETYPE_NAMES.length);
    const present = new Set(ARCHETYPE_NAMES.slice(0, count));
    for (const archetype of present) {
      const a = ARCHETYPES[archetype]!.fn;
      const fn: FunctionSpec = {
        ...a,
        name: s(archetype),
        archetype,
        layers: [...a.layers],
        aliases: a.aliases.map((x) => ({ ...x })),
        trigger: a.trigger(s),
        async: a.async?.(s),
      };
      for (const l of fn.layers) usedLayers.add(l);
      shop.functions.push(fn);
      const t = fn.trigger;
      if (t.kind === "sqs") {
        shop.queues.push({ name: s("orders-dlq"), kind: "dlq", visibilityTimeoutS: 30 });
        shop.queues.push({ name: t.queue, kind: "source", visibilityTimeoutS: 60, redrive: { deadLetterQueue: s("orders-dlq"), maxReceiveCount: 3 } });
      }
      if (t.kind === "sns") shop.topics.push(t.topic);
      if (fn.async?.deadLetterQueue) shop.queues.push({ name: fn.async.deadLetterQueue, kind: "dlq", visibilityTimeoutS: 30 });
      if (fn.async?.onFailureQueue) shop.queues.push({ name: fn.async.onFailureQueue, kind: "destination", visibilityTimeoutS: 30 });
      if (t.kind === "schedule") {
        shop.rules.push({ name: s("nightly-report-daily"), fn: fn.name, description: "Full sales report at 02:00 UTC", periodMinutes: 1440, offsetMinutes: 120, input: { report: "daily" }, durationFactor: 6 });
        shop.rules.push({ name: s("nightly-report-hourly"), fn: fn.name, description: "Hourly sales rollup", periodMinutes: 60, offsetMinutes: 15, input: { report: "hourly" }, durationFactor: 1 });
      }
    }
    const rest = restApi(s, present);
    if (rest) shop.apis.push(rest);
    const http = httpApi(s, present);
    if (http) shop.apis.push(http);
  }
  shop.layers = LAYERS.filter((l) => usedLayers.has(l.name));
  return shop;
}

/** The function spec by name. */
export function functionByName(shop: Shop, name: string): FunctionSpec | undefined {
  return shop.functions.find((f) => f.name === name);
}
