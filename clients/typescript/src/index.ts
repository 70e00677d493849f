// A thin typed client for the Ninja Gold API. Every path, parameter, body and
// response type comes from schema.ts, which openapi-typescript generates from
// ../../openapi.yaml (`make client`); nothing here restates the contract.
import createClient, { type Client, type ClientOptions } from "openapi-fetch";

import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];
export type ProblemType = Problem["type"];
export type Location = Schemas["Location"];
export type LocationList = Schemas["LocationList"];
export type NewLocation = Schemas["NewLocation"];
export type LocationPatch = Schemas["LocationPatch"];
export type Player = Schemas["Player"];
export type PlayerList = Schemas["PlayerList"];
export type NewPlayer = Schemas["NewPlayer"];
export type NewPlayerResult = Schemas["NewPlayerResult"];
export type NewVisit = Schemas["NewVisit"];
export type Visit = Schemas["Visit"];
export type VisitList = Schemas["VisitList"];

/**
 * The media types this client reads: the JSON resources and the
 * application/problem+json errors. Restricting the client to them makes
 * `data` the JSON schema (not `| string` for the text/csv alternatives) and
 * `error` a {@link Problem}. Ask for CSV with `parseAs: "text"` and an
 * `Accept: text/csv` header.
 */
export type JSONMedia = "application/json" | "application/problem+json" | "application/merge-patch+json";

export type NinjaGoldClient = Client<paths, JSONMedia>;

export interface NinjaGoldClientOptions extends Omit<ClientOptions, "baseUrl"> {
  /** The server's base URL, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /**
   * A bearer token (a player's token from `POST /players`, or the admin
   * token) sent as `Authorization: Bearer <token>` on every request.
   */
  token?: string;
}

/**
 * Creates a client for the server at `options.baseUrl`. With `token`, every
 * request that does not set its own `Authorization` header sends
 * `Authorization: Bearer <token>`.
 *
 * Two things openapi-fetch does not do for this API, done here:
 * - a PATCH body goes as `application/merge-patch+json`, the only type the
 *   API's PATCH takes (RFC 7396); openapi-fetch sends every body as
 *   `application/json`, which would be a 415;
 * - a `GET` answered `304 Not Modified` (its `If-None-Match` matched)
 *   gives `data` and `error` both `undefined`, with the server's response
 *   as it came; check `response.status`. openapi-fetch would read its empty
 *   body as the error `""` (as it still does through `client.request`).
 */
export function createNinjaGoldClient(options: NinjaGoldClientOptions): NinjaGoldClient {
  const { token, ...rest } = options;
  const client = createClient<paths, JSONMedia>(rest);
  client.use({
    onRequest({ request }) {
      if (token !== undefined && !request.headers.has("Authorization")) {
        request.headers.set("Authorization", `Bearer ${token}`);
      }
      if (request.method === "PATCH" && request.headers.get("Content-Type") === "application/json") {
        request.headers.set("Content-Type", "application/merge-patch+json");
      }
      return request;
    },
  });
  // GET's types are generic over every path, which a wrapper cannot
  // restate: it is typed as openapi-fetch's own.
  const get = client.GET as unknown as (url: unknown, init?: unknown) => Promise<{ error?: unknown; response: Response }>;
  client.GET = (async (url: unknown, init?: unknown) => {
    const result = await get(url, init);
    return result.response.status === 304 ? { ...result, error: undefined } : result;
  }) as unknown as typeof client.GET;
  return client;
}

/** The `Authorization` header for a bearer token, for one request's `headers`. */
export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/**
 * Narrows an unknown value (an `error` from openapi-fetch, or a parsed body)
 * to a {@link Problem}: an object with a string `type`, a numeric `status`
 * and an `errors` map.
 */
export function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const v = value as Record<string, unknown>;
  return (
    typeof v["type"] === "string" &&
    typeof v["status"] === "number" &&
    typeof v["errors"] === "object" &&
    v["errors"] !== null
  );
}
