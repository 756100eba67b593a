import { AlertsView } from "@/components/views/alerts-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "Alerts" };

export default async function AlertsPage() {
  return <AlertsView />;
}
