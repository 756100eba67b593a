import { FunctionsListView } from "@/components/views/functions-list-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "Functions" };

export default async function FunctionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  return <FunctionsListView params={await searchParams} />;
}
