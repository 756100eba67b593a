-- CreateTable
CREATE TABLE "DayRollup" (
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
    CONSTRAINT "DayRollup_functionId_fkey" FOREIGN KEY ("functionId") REFERENCES "LambdaFunction" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FleetMinuteRollup" (
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
    CONSTRAINT "FleetMinuteRollup_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "DayRollup_qualifier_bucketStart_idx" ON "DayRollup"("qualifier", "bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "DayRollup_functionId_qualifier_bucketStart_key" ON "DayRollup"("functionId", "qualifier", "bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "FleetMinuteRollup_sourceId_bucketStart_key" ON "FleetMinuteRollup"("sourceId", "bucketStart");

