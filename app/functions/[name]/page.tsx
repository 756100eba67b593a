import { FunctionView } from "@/components/views/function-view";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }) {
  return { title: decodeURIComponent((await params).name) };
}

export default async function FunctionPage({ params, searchParams }: { params: Promise<{ name: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  return <FunctionView name={decodeURIComponent((await params).name)} params={await searchParams} />;
}
