import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "Faasight",
  description: "Observability and cost for AWS serverless applications",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
