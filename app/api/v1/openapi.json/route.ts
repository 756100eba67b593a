import { openApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-static";

/** The OpenAPI 3.1 description of /api/v1. */
export function GET() {
  return Response.json(openApiDocument());
}
