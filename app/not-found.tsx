import Link from "next/link";

export default function NotFound() {
  return (
    <div className="notice warn" role="alert">
      <h2>Page not found</h2>
      <p>
        Nothing lives at this address. <Link href="/">Go to the overview</Link>.
      </p>
    </div>
  );
}
