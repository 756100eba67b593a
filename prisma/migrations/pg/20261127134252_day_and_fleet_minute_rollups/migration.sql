-- CreateTable
CREATE TABLE "DayRollup" (
    "id" SERIAL NOT NULL,
    "functionId" INTEGER NOT NULL,
    "qualifier" TEXT NOT NULL,
    "bucketStart" TIMESTAMP(3) NOT NULL,
    "invocations" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "timeouts" INTEGER NOT NULL DEFAULT 0,
    "oomKills" INTEGER NOT NULL DEFAULT 0,
    "throttles" INTEGER NOT NULL DEFAULT 0,
    "coldStarts" INTEGER NOT NULL DEFAULT 0,
    "billedMs" BIGINT NOT NULL DEFAULT 0,
    "mbMs" BIGINT NOT NULL DEFAULT 0,
    "durationSumMs" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "initSumMs" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "maxMemoryUsedMb" INTEGER,
    "malformedLines" INTEGER NOT NULL DEFAULT 0,
    "errorsByType" TEXT NOT NULL DEFAULT '{}',
    "hist" TEXT NOT NULL DEFAULT '',
    "initHist" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "DayRollup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FleetMinuteRollup" (
    "id" SERIAL NOT NULL,
    "sourceId" INTEGER NOT NULL,
    "bucketStart" TIMESTAMP(3) NOT NULL,
    "invocations" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "timeouts" INTEGER NOT NULL DEFAULT 0,
    "throttles" INTEGER NOT NULL DEFAULT 0,
    "coldStarts" INTEGER NOT NULL DEFAULT 0,
    "billedMs" BIGINT NOT NULL DEFAULT 0,
    "mbMs" BIGINT NOT NULL DEFAULT 0,
    "hist" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "FleetMinuteRollup_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DayRollup_qualifier_bucketStart_idx" ON "DayRollup"("qualifier", "bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "DayRollup_functionId_qualifier_bucketStart_key" ON "DayRollup"("functionId", "qualifier", "bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "FleetMinuteRollup_sourceId_bucketStart_key" ON "FleetMinuteRollup"("sourceId", "bucketStart");

-- AddForeignKey
ALTER TABLE "DayRollup" ADD CONSTRAINT "DayRollup_functionId_fkey" FOREIGN KEY ("functionId") REFERENCES "LambdaFunction"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FleetMinuteRollup" ADD CONSTRAINT "FleetMinuteRollup_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source"("id") ON DELETE CASCADE ON UPDATE CASCADE;

