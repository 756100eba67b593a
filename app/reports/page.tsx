import { ReportsView } from "@/components/views/reports-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "Reports" };

export default async function ReportsPage() {
  return <ReportsView />;
}
