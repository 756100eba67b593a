/** Sources, functions (with live aliases) and API stages a cost report names, deleted ones included. */
import type { Db } from "../../db.ts";
import type { ReportFunctionInfo, ReportSourceInfo, ReportStageInfo } from "../../reports/model.ts";

/** Everything the report's rows refer to (deleted functions and stages still cost money in the past). */
export async function readReportInventory(db: Db): Promise<{ sources: ReportSourceInfo[]; functions: ReportFunctionInfo[]; stages: ReportStageInfo[] }> {
  const [sources, functions, stages] = await Promise.all([
    db.source.findMany({ select: { id: true, name: true, accountId: true, region: true }, orderBy: { id: "asc" } }),
    db.lambdaFunction.findMany({
      select: { id: true, sourceId: true, name: true, architecture: true, memoryMb: true, deletedAt: true, aliases: { where: { deletedAt: null }, select: { name: true } } },
      orderBy: { id: "asc" },
    }),
    db.apiStage.findMany({
      select: { id: true, stageName: true, deletedAt: true, api: { select: { sourceId: true, apiId: true, name: true, type: true, deletedAt: true } } },
      orderBy: { id: "asc" },
    }),
  ]);
  return {
    sources,
    functions: functions.map((f) => ({
      id: f.id,
      sourceId: f.sourceId,
      name: f.name,
      architecture: f.architecture,
      memoryMb: f.memoryMb,
      deleted: f.deletedAt !== null,
      aliases: f.aliases.map((a) => a.name).sort(),
    })),
    stages: stages.map((s) => ({
      id: s.id,
      sourceId: s.api.sourceId,
      apiId: s.api.apiId,
      apiName: s.api.name,
      apiType: s.api.type === "HTTP" ? "HTTP" : "REST",
      stageName: s.stageName,
      deleted: s.deletedAt !== null || s.api.deletedAt !== null,
    })),
  };
}
