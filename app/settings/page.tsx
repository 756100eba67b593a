import { UsersAdmin } from "@/components/auth/users-admin";
import { PageHeader } from "@/components/shell/page-header";
import { getDb } from "@/lib/db";
import { currentPrincipal } from "@/lib/auth/current";
import { hasScope } from "@/lib/auth/permissions";
import { listApiTokens, listUsers } from "@/lib/auth/users";

export const dynamic = "force-dynamic";
export const metadata = { title: "Users & API tokens" };

export default async function SettingsPage() {
  const me = await currentPrincipal();
  if (!me || !hasScope(me.role, "users:manage"))
    return (
      <>
        <PageHeader title="Users & API tokens" />
        <div className="card" role="alert" data-testid="forbidden">
          <h2>403: admins only</h2>
          <p>Managing users and API tokens needs the admin role{me ? `; you are signed in as ${me.email} (${me.role})` : ""}.</p>
        </div>
      </>
    );
  const { db } = getDb();
  const [users, tokens] = await Promise.all([listUsers(db), listApiTokens(db)]);
  return (
    <>
      <PageHeader title="Users & API tokens" subtitle="Roles: viewers read; operators also replay and acknowledge; admins manage rules, channels, schedules, sources and users." />
      <UsersAdmin users={users} tokens={tokens} meId={me.userId} />
    </>
  );
}
