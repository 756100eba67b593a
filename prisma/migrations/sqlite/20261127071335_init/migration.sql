-- CreateTable
CREATE TABLE "Source" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "roleArn" TEXT,
    "externalId" TEXT,
    "endpoint" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "leaseOwner" TEXT,
    "leaseExpiresAt" DATETIME
);

-- CreateTable
CREATE TABLE "LambdaFunction" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sourceId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "arn" TEXT NOT NULL,
    "runtime" TEXT,
    "handler" TEXT,
    "description" TEXT,
    "architecture" TEXT NOT NULL DEFAULT 'x86_64',
    "memoryMb" INTEGER NOT NULL,
    "timeoutSec" INTEGER NOT NULL,
    "ephemeralMb" INTEGER NOT NULL DEFAULT 512,
    "packageType" TEXT NOT NULL DEFAULT 'Zip',
    "codeSizeBytes" BIGINT NOT NULL DEFAULT 0,
    "layersJson" TEXT NOT NULL DEFAULT '[]',
    "tracingMode" TEXT NOT NULL DEFAULT 'PassThrough',
    "vpcJson" TEXT,
    "logGroup" TEXT NOT NULL,
    "logFormat" TEXT NOT NULL DEFAULT 'Text',
    "dlqTargetArn" TEXT,
    "maxRetryAttempts" INTEGER,
    "maxEventAgeSec" INTEGER,
    "onSuccessDestination" TEXT,
    "onFailureDestination" TEXT,
    "reservedConcurrency" INTEGER,
    "tagsJson" TEXT NOT NULL DEFAULT '{}',
    "lastModified" DATETIME,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "deletedAt" DATETIME,
    CONSTRAINT "LambdaFunction_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FunctionVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "functionId" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "codeSha256" TEXT,
    "runtime" TEXT,
    "architecture" TEXT,
    "memoryMb" INTEGER,
    "description" TEXT,
    "lastModified" DATETIME,
    "deletedAt" DATETIME,
    CONSTRAINT "FunctionVersion_functionId_fkey" FOREIGN KEY ("functionId") REFERENCES "LambdaFunction" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FunctionAlias" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "functionId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "functionVersion" TEXT NOT NULL,
    "routingJson" TEXT NOT NULL DEFAULT '{}',
    "description" TEXT,
    "deletedAt" DATETIME,
    CONSTRAINT "FunctionAlias_functionId_fkey" FOREIGN KEY ("functionId") REFERENCES "LambdaFunction" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ProvisionedConcurrencyConfig" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "functionId" INTEGER NOT NULL,
    "qualifier" TEXT NOT NULL,
    "requested" INTEGER NOT NULL,
    "allocated" INTEGER NOT NULL,
    "available" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "deletedAt" DATETIME,
    CONSTRAINT "ProvisionedConcurrencyConfig_functionId_fkey" FOREIGN KEY ("functionId") REFERENCES "LambdaFunction" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "EventSourceMapping" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "uuid" TEXT NOT NULL,
    "functionId" INTEGER NOT NULL,
    "eventSourceArn" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "batchSize" INTEGER,
    "functionResponseTypes" TEXT NOT NULL DEFAULT '[]',
    "onFailureDestination" TEXT,
    "updatedAt" DATETIME NOT NULL,
    "deletedAt" DATETIME,
    CONSTRAINT "EventSourceMapping_functionId_fkey" FOREIGN KEY ("functionId") REFERENCES "LambdaFunction" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Api" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sourceId" INTEGER NOT NULL,
    "apiId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "deletedAt" DATETIME,
    CONSTRAINT "Api_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApiStage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "apiDbId" INTEGER NOT NULL,
    "stageName" TEXT NOT NULL,
    "deploymentId" TEXT,
    "cacheEnabled" BOOLEAN NOT NULL DEFAULT false,
    "cacheSize" TEXT,
    "canaryPercent" REAL,
    "canaryDeploymentId" TEXT,
    "tracingEnabled" BOOLEAN NOT NULL DEFAULT false,
    "accessLogGroup" TEXT,
    "throttleRate" REAL,
    "throttleBurst" INTEGER,
    "updatedAt" DATETIME NOT NULL,
    "deletedAt" DATETIME,
    CONSTRAINT "ApiStage_apiDbId_fkey" FOREIGN KEY ("apiDbId") REFERENCES "Api" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApiRoute" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "apiDbId" INTEGER NOT NULL,
    "routeKey" TEXT NOT NULL,
    "functionName" TEXT,
    "functionArn" TEXT,
    CONSTRAINT "ApiRoute_apiDbId_fkey" FOREIGN KEY ("apiDbId") REFERENCES "Api" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Queue" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sourceId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "arn" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'other',
    "feedsJson" TEXT NOT NULL DEFAULT '[]',
    "redriveTargetArn" TEXT,
    "maxReceiveCount" INTEGER,
    "depth" INTEGER NOT NULL DEFAULT 0,
    "depthInFlight" INTEGER NOT NULL DEFAULT 0,
    "oldestAgeSec" INTEGER,
    "depthAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    "deletedAt" DATETIME,
    CONSTRAINT "Queue_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Topic" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sourceId" INTEGER NOT NULL,
    "arn" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "deletedAt" DATETIME,
    CONSTRAINT "Topic_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "EventRule" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sourceId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "schedule" TEXT,
    "eventPattern" TEXT,
    "state" TEXT NOT NULL,
    "targetsJson" TEXT NOT NULL DEFAULT '[]',
    "updatedAt" DATETIME NOT NULL,
    "deletedAt" DATETIME,
    CONSTRAINT "EventRule_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Invocation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "functionId" INTEGER NOT NULL,
    "requestId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "version" TEXT NOT NULL,
    "alias" TEXT,
    "logStream" TEXT,
    "startedAt" DATETIME NOT NULL,
    "endedAt" DATETIME NOT NULL,
    "durationMs" REAL NOT NULL,
    "billedMs" INTEGER NOT NULL,
    "memoryMb" INTEGER NOT NULL,
    "maxMemoryUsedMb" INTEGER,
    "initMs" REAL,
    "restoreMs" REAL,
    "coldStart" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'ok',
    "errorType" TEXT,
    "errorMessage" TEXT,
    "traceId" TEXT,
    "apiRequestId" TEXT,
    CONSTRAINT "Invocation_functionId_fkey" FOREIGN KEY ("functionId") REFERENCES "LambdaFunction" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LogEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "functionId" INTEGER NOT NULL,
    "eventId" TEXT NOT NULL,
    "logStream" TEXT NOT NULL,
    "timestamp" DATETIME NOT NULL,
    "requestId" TEXT,
    "message" TEXT NOT NULL,
    CONSTRAINT "LogEvent_functionId_fkey" FOREIGN KEY ("functionId") REFERENCES "LambdaFunction" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Trace" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sourceId" INTEGER NOT NULL,
    "traceId" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "durationMs" REAL NOT NULL,
    "rootName" TEXT,
    "functionName" TEXT,
    "requestId" TEXT,
    "coldStart" BOOLEAN NOT NULL DEFAULT false,
    "initMs" REAL,
    "fault" BOOLEAN NOT NULL DEFAULT false,
    "error" BOOLEAN NOT NULL DEFAULT false,
    "throttle" BOOLEAN NOT NULL DEFAULT false,
    "httpStatus" INTEGER,
    "segmentsJson" TEXT NOT NULL DEFAULT '[]',
    CONSTRAINT "Trace_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApiRequest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "stageId" INTEGER NOT NULL,
    "requestId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "method" TEXT,
    "route" TEXT,
    "status" INTEGER NOT NULL,
    "latencyMs" REAL,
    "integrationLatencyMs" REAL,
    "integrationStatus" INTEGER,
    "integrationRequestId" TEXT,
    "xrayTraceId" TEXT,
    "canary" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "ApiRequest_stageId_fkey" FOREIGN KEY ("stageId") REFERENCES "ApiStage" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MetricPoint" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sourceId" INTEGER NOT NULL,
    "namespace" TEXT NOT NULL,
    "metricName" TEXT NOT NULL,
    "dimensions" TEXT NOT NULL,
    "stat" TEXT NOT NULL,
    "period" INTEGER NOT NULL,
    "timestamp" DATETIME NOT NULL,
    "value" REAL NOT NULL,
    CONSTRAINT "MetricPoint_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MinuteRollup" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "functionId" INTEGER NOT NULL,
    "qualifier" TEXT NOT NULL,
    "bucketStart" DATETIME NOT NULL,
    "invocations" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "timeouts" INTEGER NOT NULL DEFAULT 0,
    "oomKills" INTEGER NOT NULL DEFAULT 0,
    "throttles" INTEGER NOT NULL DEFAULT 0,
    "coldStarts" INTEGER NOT NULL DEFAULT 0,
    "billedMs" BIGINT NOT NULL DEFAULT 0,
    "mbMs" BIGINT NOT NULL DEFAULT 0,
    "durationSumMs" REAL NOT NULL DEFAULT 0,
    "initSumMs" REAL NOT NULL DEFAULT 0,
    "maxMemoryUsedMb" INTEGER,
    "malformedLines" INTEGER NOT NULL DEFAULT 0,
    "errorsByType" TEXT NOT NULL DEFAULT '{}',
    "hist" TEXT NOT NULL DEFAULT '',
    "initHist" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "MinuteRollup_functionId_fkey" FOREIGN KEY ("functionId") REFERENCES "LambdaFunction" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "HourRollup" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "functionId" INTEGER NOT NULL,
    "qualifier" TEXT NOT NULL,
    "bucketStart" DATETIME NOT NULL,
    "invocations" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "timeouts" INTEGER NOT NULL DEFAULT 0,
    "oomKills" INTEGER NOT NULL DEFAULT 0,
    "throttles" INTEGER NOT NULL DEFAULT 0,
    "coldStarts" INTEGER NOT NULL DEFAULT 0,
    "billedMs" BIGINT NOT NULL DEFAULT 0,
    "mbMs" BIGINT NOT NULL DEFAULT 0,
    "durationSumMs" REAL NOT NULL DEFAULT 0,
    "initSumMs" REAL NOT NULL DEFAULT 0,
    "maxMemoryUsedMb" INTEGER,
    "malformedLines" INTEGER NOT NULL DEFAULT 0,
    "errorsByType" TEXT NOT NULL DEFAULT '{}',
    "hist" TEXT NOT NULL DEFAULT '',
    "initHist" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "HourRollup_functionId_fkey" FOREIGN KEY ("functionId") REFERENCES "LambdaFunction" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FleetHourRollup" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sourceId" INTEGER NOT NULL,
    "bucketStart" DATETIME NOT NULL,
    "invocations" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "timeouts" INTEGER NOT NULL DEFAULT 0,
    "throttles" INTEGER NOT NULL DEFAULT 0,
    "coldStarts" INTEGER NOT NULL DEFAULT 0,
    "billedMs" BIGINT NOT NULL DEFAULT 0,
    "mbMs" BIGINT NOT NULL DEFAULT 0,
    "hist" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "FleetHourRollup_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "StageMinuteRollup" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "stageId" INTEGER NOT NULL,
    "variant" TEXT NOT NULL DEFAULT '$ALL',
    "bucketStart" DATETIME NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "status4xx" INTEGER NOT NULL DEFAULT 0,
    "status5xx" INTEGER NOT NULL DEFAULT 0,
    "byStatus" TEXT NOT NULL DEFAULT '{}',
    "latencySumMs" REAL NOT NULL DEFAULT 0,
    "integrationLatencySumMs" REAL NOT NULL DEFAULT 0,
    "cacheHits" INTEGER NOT NULL DEFAULT 0,
    "cacheMisses" INTEGER NOT NULL DEFAULT 0,
    "hist" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "StageMinuteRollup_stageId_fkey" FOREIGN KEY ("stageId") REFERENCES "ApiStage" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "StageHourRollup" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "stageId" INTEGER NOT NULL,
    "variant" TEXT NOT NULL DEFAULT '$ALL',
    "bucketStart" DATETIME NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "status4xx" INTEGER NOT NULL DEFAULT 0,
    "status5xx" INTEGER NOT NULL DEFAULT 0,
    "byStatus" TEXT NOT NULL DEFAULT '{}',
    "latencySumMs" REAL NOT NULL DEFAULT 0,
    "integrationLatencySumMs" REAL NOT NULL DEFAULT 0,
    "cacheHits" INTEGER NOT NULL DEFAULT 0,
    "cacheMisses" INTEGER NOT NULL DEFAULT 0,
    "hist" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "StageHourRollup_stageId_fkey" FOREIGN KEY ("stageId") REFERENCES "ApiStage" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ErrorGroup" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "functionId" INTEGER NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "errorType" TEXT NOT NULL,
    "messagePattern" TEXT NOT NULL,
    "sampleMessage" TEXT,
    "firstSeenAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "versionsJson" TEXT NOT NULL DEFAULT '[]',
    CONSTRAINT "ErrorGroup_functionId_fkey" FOREIGN KEY ("functionId") REFERENCES "LambdaFunction" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FailedEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "queueId" INTEGER NOT NULL,
    "messageId" TEXT NOT NULL,
    "sourceKind" TEXT NOT NULL,
    "functionId" INTEGER,
    "functionName" TEXT,
    "qualifier" TEXT,
    "requestId" TEXT,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "condition" TEXT,
    "attempts" INTEGER,
    "payload" TEXT NOT NULL,
    "attributesJson" TEXT NOT NULL DEFAULT '{}',
    "receiveCount" INTEGER NOT NULL DEFAULT 0,
    "sentAt" DATETIME,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL DEFAULT 'new',
    "invocationId" INTEGER,
    CONSTRAINT "FailedEvent_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "Queue" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "FailedEvent_functionId_fkey" FOREIGN KEY ("functionId") REFERENCES "LambdaFunction" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReplayAttempt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "failedEventId" INTEGER NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetQualifier" TEXT,
    "invocationType" TEXT,
    "dryRun" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "resultRequestId" TEXT,
    "error" TEXT,
    "actor" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    CONSTRAINT "ReplayAttempt_failedEventId_fkey" FOREIGN KEY ("failedEventId") REFERENCES "FailedEvent" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AlertRule" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "scopeJson" TEXT NOT NULL DEFAULT '{}',
    "threshold" REAL NOT NULL,
    "windowMinutes" INTEGER NOT NULL DEFAULT 5,
    "pendingPeriods" INTEGER NOT NULL DEFAULT 1,
    "cooldownMinutes" INTEGER NOT NULL DEFAULT 30,
    "severity" TEXT NOT NULL DEFAULT 'warning',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AlertChannel" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "secretEnc" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabledReason" TEXT,
    "failureCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AlertRuleChannel" (
    "ruleId" INTEGER NOT NULL,
    "channelId" INTEGER NOT NULL,

    PRIMARY KEY ("ruleId", "channelId"),
    CONSTRAINT "AlertRuleChannel_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AlertRule" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AlertRuleChannel_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "AlertChannel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AlertEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ruleId" INTEGER NOT NULL,
    "scopeKey" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "value" REAL,
    "pendingCount" INTEGER NOT NULL DEFAULT 0,
    "startedAt" DATETIME NOT NULL,
    "firedAt" DATETIME,
    "resolvedAt" DATETIME,
    "lastNotifiedAt" DATETIME,
    "acknowledgedBy" TEXT,
    "detailsJson" TEXT NOT NULL DEFAULT '{}',
    CONSTRAINT "AlertEvent_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AlertRule" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReportSchedule" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "cron" TEXT NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "period" TEXT NOT NULL DEFAULT 'last-7d',
    "formatsJson" TEXT NOT NULL DEFAULT '["html"]',
    "channelsJson" TEXT NOT NULL DEFAULT '[]',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "lastRunAt" DATETIME,
    "nextRunAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ReportRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "scheduleId" INTEGER,
    "runKey" TEXT NOT NULL,
    "periodStart" DATETIME NOT NULL,
    "periodEnd" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "deliveredJson" TEXT NOT NULL DEFAULT '[]',
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReportRun_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "ReportSchedule" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CollectorCursor" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sourceId" INTEGER NOT NULL,
    "collector" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "position" TEXT NOT NULL,
    "leaseOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CollectorCursor_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CollectorRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sourceId" INTEGER NOT NULL,
    "collector" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    "status" TEXT NOT NULL,
    "written" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "malformed" INTEGER NOT NULL DEFAULT 0,
    "callsJson" TEXT NOT NULL DEFAULT '{}',
    "error" TEXT,
    CONSTRAINT "CollectorRun_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" TEXT NOT NULL DEFAULT 'viewer',
    "passwordHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabledAt" DATETIME
);

-- CreateTable
CREATE TABLE "Session" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tokenHash" TEXT NOT NULL,
    "userId" INTEGER NOT NULL,
    "csrfHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "ip" TEXT,
    "userAgent" TEXT,
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "userId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "expiresAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" INTEGER,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "resourceType" TEXT NOT NULL,
    "resourceId" TEXT,
    "outcome" TEXT NOT NULL,
    "detailsJson" TEXT NOT NULL DEFAULT '{}',
    "ip" TEXT
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Source_name_key" ON "Source"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Source_accountId_region_key" ON "Source"("accountId", "region");

-- CreateIndex
CREATE UNIQUE INDEX "LambdaFunction_sourceId_name_key" ON "LambdaFunction"("sourceId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "FunctionVersion_functionId_version_key" ON "FunctionVersion"("functionId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "FunctionAlias_functionId_name_key" ON "FunctionAlias"("functionId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "ProvisionedConcurrencyConfig_functionId_qualifier_key" ON "ProvisionedConcurrencyConfig"("functionId", "qualifier");

-- CreateIndex
CREATE UNIQUE INDEX "EventSourceMapping_uuid_key" ON "EventSourceMapping"("uuid");

-- CreateIndex
CREATE UNIQUE INDEX "Api_sourceId_apiId_key" ON "Api"("sourceId", "apiId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiStage_apiDbId_stageName_key" ON "ApiStage"("apiDbId", "stageName");

-- CreateIndex
CREATE UNIQUE INDEX "ApiRoute_apiDbId_routeKey_key" ON "ApiRoute"("apiDbId", "routeKey");

-- CreateIndex
CREATE UNIQUE INDEX "Queue_sourceId_name_key" ON "Queue"("sourceId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Topic_sourceId_arn_key" ON "Topic"("sourceId", "arn");

-- CreateIndex
CREATE UNIQUE INDEX "EventRule_sourceId_name_key" ON "EventRule"("sourceId", "name");

-- CreateIndex
CREATE INDEX "Invocation_functionId_startedAt_idx" ON "Invocation"("functionId", "startedAt");

-- CreateIndex
CREATE INDEX "Invocation_traceId_idx" ON "Invocation"("traceId");

-- CreateIndex
CREATE UNIQUE INDEX "Invocation_functionId_requestId_endedAt_key" ON "Invocation"("functionId", "requestId", "endedAt");

-- CreateIndex
CREATE INDEX "LogEvent_functionId_requestId_idx" ON "LogEvent"("functionId", "requestId");

-- CreateIndex
CREATE INDEX "LogEvent_functionId_timestamp_idx" ON "LogEvent"("functionId", "timestamp");

-- CreateIndex
CREATE UNIQUE INDEX "LogEvent_functionId_eventId_key" ON "LogEvent"("functionId", "eventId");

-- CreateIndex
CREATE INDEX "Trace_requestId_idx" ON "Trace"("requestId");

-- CreateIndex
CREATE UNIQUE INDEX "Trace_sourceId_traceId_key" ON "Trace"("sourceId", "traceId");

-- CreateIndex
CREATE INDEX "ApiRequest_integrationRequestId_idx" ON "ApiRequest"("integrationRequestId");

-- CreateIndex
CREATE INDEX "ApiRequest_stageId_at_idx" ON "ApiRequest"("stageId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "ApiRequest_stageId_requestId_key" ON "ApiRequest"("stageId", "requestId");

-- CreateIndex
CREATE INDEX "MetricPoint_sourceId_namespace_timestamp_idx" ON "MetricPoint"("sourceId", "namespace", "timestamp");

-- CreateIndex
CREATE UNIQUE INDEX "MetricPoint_sourceId_namespace_metricName_dimensions_stat_period_timestamp_key" ON "MetricPoint"("sourceId", "namespace", "metricName", "dimensions", "stat", "period", "timestamp");

-- CreateIndex
CREATE INDEX "MinuteRollup_bucketStart_idx" ON "MinuteRollup"("bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "MinuteRollup_functionId_qualifier_bucketStart_key" ON "MinuteRollup"("functionId", "qualifier", "bucketStart");

-- CreateIndex
CREATE INDEX "HourRollup_bucketStart_idx" ON "HourRollup"("bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "HourRollup_functionId_qualifier_bucketStart_key" ON "HourRollup"("functionId", "qualifier", "bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "FleetHourRollup_sourceId_bucketStart_key" ON "FleetHourRollup"("sourceId", "bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "StageMinuteRollup_stageId_variant_bucketStart_key" ON "StageMinuteRollup"("stageId", "variant", "bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "StageHourRollup_stageId_variant_bucketStart_key" ON "StageHourRollup"("stageId", "variant", "bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "ErrorGroup_functionId_fingerprint_key" ON "ErrorGroup"("functionId", "fingerprint");

-- CreateIndex
CREATE INDEX "FailedEvent_requestId_idx" ON "FailedEvent"("requestId");

-- CreateIndex
CREATE UNIQUE INDEX "FailedEvent_queueId_messageId_key" ON "FailedEvent"("queueId", "messageId");

-- CreateIndex
CREATE UNIQUE INDEX "ReplayAttempt_idempotencyKey_key" ON "ReplayAttempt"("idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "AlertRule_name_key" ON "AlertRule"("name");

-- CreateIndex
CREATE UNIQUE INDEX "AlertChannel_name_key" ON "AlertChannel"("name");

-- CreateIndex
CREATE INDEX "AlertEvent_state_idx" ON "AlertEvent"("state");

-- CreateIndex
CREATE UNIQUE INDEX "AlertEvent_ruleId_scopeKey_startedAt_key" ON "AlertEvent"("ruleId", "scopeKey", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ReportSchedule_name_key" ON "ReportSchedule"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ReportRun_runKey_key" ON "ReportRun"("runKey");

-- CreateIndex
CREATE UNIQUE INDEX "CollectorCursor_sourceId_collector_key_key" ON "CollectorCursor"("sourceId", "collector", "key");

-- CreateIndex
CREATE INDEX "CollectorRun_sourceId_collector_startedAt_idx" ON "CollectorRun"("sourceId", "collector", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "AuditLog_resourceType_resourceId_idx" ON "AuditLog"("resourceType", "resourceId");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

