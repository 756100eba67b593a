import { OverviewView } from "@/components/views/overview-view";

export const dynamic = "force-dynamic";

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  return <OverviewView params={await searchParams} />;
}
