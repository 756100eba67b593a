import { FailuresView } from "@/components/views/failures-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "Failures" };

export default async function FailuresPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  return <FailuresView params={await searchParams} />;
}
