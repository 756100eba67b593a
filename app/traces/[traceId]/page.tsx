import { TraceView } from "@/components/views/trace-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "Trace" };

export default async function TracePage({ params }: { params: Promise<{ traceId: string }> }) {
  return <TraceView traceId={decodeURIComponent((await params).traceId)} />;
}
