import { StageView } from "@/components/views/stage-view";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ api: string; stage: string }> }) {
  const p = await params;
  return { title: `${decodeURIComponent(p.api)}/${decodeURIComponent(p.stage)}` };
}

export default async function StagePage({ params, searchParams }: { params: Promise<{ api: string; stage: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const p = await params;
  return <StageView api={decodeURIComponent(p.api)} stage={decodeURIComponent(p.stage)} params={await searchParams} />;
}
