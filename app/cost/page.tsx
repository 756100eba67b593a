import { CostView } from "@/components/views/cost-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "Cost" };

export default async function CostPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  return <CostView params={await searchParams} />;
}
