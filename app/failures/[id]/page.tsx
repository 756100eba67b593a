import { notFound } from "next/navigation";
import { EventDetailView } from "@/components/replay/event-detail-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "Failed event" };

export default async function FailedEventPage({ params }: { params: Promise<{ id: string }> }) {
  const raw = (await params).id;
  if (!/^\d{1,12}$/.test(raw)) notFound();
  return <EventDetailView id={Number(raw)} />;
}
