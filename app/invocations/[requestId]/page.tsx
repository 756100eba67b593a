import { InvocationView } from "@/components/views/invocation-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "Invocation" };

export default async function InvocationPage({ params }: { params: Promise<{ requestId: string }> }) {
  return <InvocationView requestId={decodeURIComponent((await params).requestId)} />;
}
