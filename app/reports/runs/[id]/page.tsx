import { notFound } from "next/navigation";
import { ReportRunView } from "@/components/reports/report-run-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "Report run" };

export default async function ReportRunPage({ params }: { params: Promise<{ id: string }> }) {
  const raw = (await params).id;
  if (!/^[1-9]\d{0,9}$/.test(raw)) notFound();
  return <ReportRunView id={Number(raw)} />;
}
