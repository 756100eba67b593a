import { StagesListView } from "@/components/views/stages-list-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "API stages" };

export default async function ApisPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  return <StagesListView params={await searchParams} />;
}
