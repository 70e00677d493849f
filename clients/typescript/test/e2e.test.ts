// End-to-end: plays a short game against a live server through the typed
// client. NINJAGOLD_URL is the server's base URL (scripts/e2e.sh starts the real
// binary on a free port with a throwaway database). With NINJAGOLD_PRISM=1 the
// URL is a Prism validating proxy (`prism proxy --errors`) in front of the
// server: every response is then also checked for Prism's `sl-violations`
// header, and the cases that send a deliberately invalid request are skipped,
// because Prism answers those itself (422/401) instead of forwarding them.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  bearer,
  createNinjaGoldClient,
  isProblem,
  type Location,
  type NinjaGoldClient,
  type Problem,
  type Visit,
} from "../src/index.js";

const baseUrl = process.env["NINJAGOLD_URL"];
const adminToken = process.env["NINJAGOLD_ADMIN_TOKEN"];
const viaPrism = process.env["NINJAGOLD_PRISM"] === "1";
const skipInvalid = viaPrism
  ? "prism --errors answers a contract-invalid request itself instead of forwarding it"
  : false;

if (!baseUrl || !adminToken) {
  throw new Error(
    "NINJAGOLD_URL must name a running server, e.g. http://127.0.0.1:8080, and NINJAGOLD_ADMIN_TOKEN be its admin token (make client-test starts one)",
  );
}

// Every response Prism let through must carry no violation, not even a warning.
const violations: string[] = [];

function newClient(token?: string): NinjaGoldClient {
  const client = createNinjaGoldClient(token === undefined ? { baseUrl: baseUrl! } : { baseUrl: baseUrl!, token });
  client.use({
    onResponse({ request, response }) {
      const v = response.headers.get("sl-violations");
      if (v !== null) {
        violations.push(`${request.method} ${new URL(request.url).pathname}: ${v}`);
      }
      return response;
    },
  });
  return client;
}

function assertProblem(error: unknown, status: number, type: Problem["type"], response: Response): Problem {
  assert.equal(response.status, status);
  assert.match(response.headers.get("content-type") ?? "", /^application\/problem\+json\b/);
  assert.ok(isProblem(error), `not a problem: ${JSON.stringify(error)}`);
  assert.equal(error.status, status);
  assert.equal(error.type, type);
  return error;
}

test("a short game of Ninja Gold", async (t) => {
  const anon = newClient();
  let farm: Location | undefined;
  let player: { id: number; token: string } | undefined;
  const visits: Visit[] = [];

  await t.test("lists the locations and finds the Farm", async () => {
    const { data, error, response } = await anon.GET("/locations", { params: { query: { limit: 100 } } });
    assert.equal(error, undefined);
    assert.equal(response.status, 200);
    assert.ok(data);
    const ids = data.items.map((l) => l.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), "locations come in ascending id order");
    farm = data.items.find((l) => l.name === "Farm");
    assert.ok(farm, "the seed has a Farm");
    assert.equal(farm.min_gold, 10);
    assert.equal(farm.max_gold, 20);
    for (const name of ["Cave", "House", "Casino"]) {
      assert.ok(data.items.some((l) => l.name === name), `the seed has a ${name}`);
    }
  });

  await t.test("lists the locations as CSV", async () => {
    const { data, error, response } = await anon.GET("/locations", {
      params: { query: { limit: 100 } },
      headers: { Accept: "text/csv" },
      parseAs: "text",
    });
    assert.equal(error, undefined);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/csv; charset=utf-8");
    const lines = (data ?? "").trimEnd().split(/\r?\n/);
    assert.equal(lines[0], "id,name,min_gold,max_gold,description,created_at,updated_at");
    assert.ok(lines.some((l) => l.startsWith(`${farm!.id},Farm,10,20,`)));
  });

  await t.test("creates a player and gets its token once", async () => {
    const { data, error, response } = await anon.POST("/players", {
      body: { first_name: "Hattori", last_name: "Hanzo" },
    });
    assert.equal(error, undefined);
    assert.equal(response.status, 201);
    assert.ok(data);
    assert.equal(data.first_name, "Hattori");
    assert.equal(data.last_name, "Hanzo");
    assert.equal(data.gold, 0);
    assert.ok(data.token.length > 0);
    assert.equal(response.headers.get("location"), `/players/${data.id}`);
    player = { id: data.id, token: data.token };
  });

  await t.test("visits the Farm twice; gold and balance add up", async () => {
    const ninja = newClient(player!.token);
    let balance = 0;
    for (let i = 0; i < 2; i++) {
      const { data, error, response } = await ninja.POST("/players/{id}/visits", {
        params: { path: { id: player!.id } },
        body: { location_id: farm!.id },
      });
      assert.equal(error, undefined, JSON.stringify(error));
      assert.equal(response.status, 201);
      assert.ok(data);
      assert.equal(data.player_id, player!.id);
      assert.equal(data.location_id, farm!.id);
      assert.equal(data.location_name, "Farm");
      assert.ok(data.gold >= farm!.min_gold && data.gold <= farm!.max_gold, `gold ${data.gold} outside the Farm's range`);
      balance += data.gold;
      assert.equal(data.balance, balance, "balance is the previous balance plus this visit's gold");
      assert.equal(data.message, `Earned ${data.gold} gold from the Farm!`);
      assert.equal(response.headers.get("location"), `/players/${player!.id}/visits/${data.id}`);
      visits.push(data);
    }
    const { data } = await anon.GET("/players/{id}", { params: { path: { id: player!.id } } });
    assert.equal(data?.gold, balance, "the player's gold is the last visit's balance");
  });

  await t.test("reads the activity log, newest first", async () => {
    const { data, error } = await anon.GET("/players/{id}/visits", { params: { path: { id: player!.id } } });
    assert.equal(error, undefined);
    assert.ok(data);
    assert.deepEqual(
      data.items.map((v) => v.id),
      [visits[1]!.id, visits[0]!.id],
    );
    assert.deepEqual(data.items, [...visits].reverse());
    assert.equal(data.next_cursor, null);
  });

  await t.test("a retry with the same Idempotency-Key replays the visit", async () => {
    const ninja = newClient(player!.token);
    const send = () =>
      ninja.POST("/players/{id}/visits", {
        params: { path: { id: player!.id }, header: { "Idempotency-Key": `e2e-${player!.id}` } },
        body: { location_id: farm!.id },
      });
    const first = await send();
    const again = await send();
    assert.equal(first.response.status, 201);
    assert.equal(again.response.status, 201);
    assert.equal(again.response.headers.get("idempotent-replayed"), "true");
    assert.deepEqual(again.data, first.data);
  });

  await t.test("a 400 problem names each offending field", { skip: skipInvalid }, async () => {
    const { data, error, response } = await anon.POST("/players", { body: { first_name: "A", last_name: "B" } });
    assert.equal(data, undefined);
    const problem = assertProblem(error, 400, "/problems/validation-error", response);
    // `errors` is typed { [field: string]: string }.
    const errors: Record<string, string> = problem.errors;
    assert.equal(errors["first_name"], "first name must be at least 2 characters long");
    assert.equal(errors["last_name"], "last name must be at least 2 characters long");
    // instance is the request's path, then `#` and its X-Request-ID.
    assert.match(problem.instance ?? "", /^\/players(#|$)/);
    const requestId = response.headers.get("x-request-id");
    assert.ok(requestId, "every response carries X-Request-ID");
    assert.equal(problem.instance, `/players#${requestId}`);
  });

  await t.test("a visit without a token is a 401 problem", { skip: skipInvalid }, async () => {
    const { error, response } = await anon.POST("/players/{id}/visits", {
      params: { path: { id: player!.id } },
      body: { location_id: farm!.id },
    });
    assertProblem(error, 401, "/problems/unauthorized", response);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer\b/);
  });

  await t.test("another player's token is a 403 problem", async () => {
    const other = await anon.POST("/players", { body: { first_name: "Fuma", last_name: "Kotaro" } });
    assert.ok(other.data);
    const intruder = newClient(other.data.token);
    const { error, response } = await intruder.POST("/players/{id}/visits", {
      params: { path: { id: player!.id } },
      body: { location_id: farm!.id },
    });
    const problem = assertProblem(error, 403, "/problems/forbidden", response);
    assert.deepEqual(problem.errors, {});
    const gone = await anon.DELETE("/players/{id}", { params: { path: { id: other.data.id } }, headers: bearer(other.data.token) });
    assert.equal(gone.response.status, 204);
  });

  await t.test("a replaced token stops working at once", async () => {
    const made = await anon.POST("/players", { body: { first_name: "Mochizuki", last_name: "Chiyome" } });
    assert.ok(made.data);
    const { data, response } = await anon.POST("/players/{id}/token", {
      params: { path: { id: made.data.id } },
      headers: bearer(made.data.token),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.ok(data && data.id === made.data.id && data.token.length > 0 && data.token !== made.data.token);
    const again = await anon.POST("/players/{id}/token", {
      params: { path: { id: made.data.id } },
      headers: bearer(made.data.token),
    });
    assertProblem(again.error, 401, "/problems/unauthorized", again.response);
    assert.equal(again.response.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
    const gone = await anon.DELETE("/players/{id}", { params: { path: { id: data!.id } }, headers: bearer(data!.token) });
    assert.equal(gone.response.status, 204);
  });

  await t.test("the contract's name pattern, read by JavaScript, agrees with the server", { skip: skipInvalid }, async () => {
    // The pattern spells out its whitespace and line breaks, so an ECMA-262
    // engine reads it as the server's Go one does; \s and . would not.
    const spec = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as {
      components: { schemas: { PersonName: { pattern: string } } };
    };
    const pattern = new RegExp(spec.components.schemas.PersonName.pattern);
    // What the rule is, so that the pattern and the server cannot loosen
    // together unnoticed: control and format characters (ESC, DEL, C1, the
    // soft hyphen, bidi marks and overrides, zero-width space, BOM) and line
    // breaks are refused anywhere; a space, a tab and the zero-width
    // (non-)joiner only at either end.
    const refusedAnywhere = ["\v", "\r", "\u001b", "\u007f", "\u0085", "\u009b", "\u00ad", "\u200b", "\u200e", "\u202e", "\u2028", "\ufeff"];
    const insideOnly = [" ", "\t", "\u00a0", "\u2007", "\u3000", "\u200c", "\u200d"];
    const allowedAnywhere = ["é", "\u0915"];
    const where = (c: string) => [c + "Hattori", "Hat" + c + "tori", "Hattori" + c];
    for (const c of refusedAnywhere) {
      assert.deepEqual(where(c).map((s) => pattern.test(s)), [false, false, false], `U+${c.codePointAt(0)!.toString(16)}`);
    }
    for (const c of insideOnly) {
      assert.deepEqual(where(c).map((s) => pattern.test(s)), [false, true, false], `U+${c.codePointAt(0)!.toString(16)}`);
    }
    for (const c of allowedAnywhere) {
      assert.deepEqual(where(c).map((s) => pattern.test(s)), [true, true, true], `U+${c.codePointAt(0)!.toString(16)}`);
    }
    for (const c of [...refusedAnywhere, ...insideOnly, ...allowedAnywhere]) {
      for (const first of where(c)) {
        const { data, error, response } = await anon.POST("/players", { body: { first_name: first, last_name: "Hanzo" } });
        const what = `first_name ${JSON.stringify(first)}`;
        if (pattern.test(first)) {
          assert.equal(response.status, 201, `${what}: the pattern allows it, the server said ${response.status}`);
          await anon.DELETE("/players/{id}", { params: { path: { id: data!.id } }, headers: bearer(data!.token) });
        } else {
          const problem = assertProblem(error, 400, "/problems/validation-error", response);
          assert.deepEqual(problem.errors, {
            first_name: "first name must not start or end with whitespace or contain a line break, a control character or an invisible format character",
          }, what);
        }
      }
    }
  });

  await t.test("an unknown player is a 404 problem", async () => {
    const { error, response } = await anon.GET("/players/{id}", { params: { path: { id: 2_000_000_000 } } });
    assertProblem(error, 404, "/problems/not-found", response);
  });

  await t.test("a conditional GET of an unchanged location is a 304: no data, no error", async () => {
    const first = await anon.GET("/locations/{id}", { params: { path: { id: farm!.id } } });
    const etag = first.response.headers.get("etag");
    assert.ok(etag, "the location has an ETag");
    const { data, error, response } = await anon.GET("/locations/{id}", {
      params: { path: { id: farm!.id }, header: { "If-None-Match": etag } },
    });
    assert.equal(response.status, 304);
    assert.equal(response.headers.get("etag"), etag);
    assert.ok(response.url.endsWith(`/locations/${farm!.id}`), `the response as it came, its url ${response.url} too`);
    assert.equal(response.headers.get("content-length"), null, "no Content-Length added");
    // The types say one of the two is there; a 304 has neither.
    assert.equal(error, undefined);
    assert.equal(data, undefined);
  });

  await t.test("the admin changes a location with a merge patch", async () => {
    const admin = newClient(adminToken);
    const created = await admin.POST("/locations", {
      body: { name: "Dojo", min_gold: 1, max_gold: 3, description: "Spar with the grandmasters." },
    });
    assert.equal(created.error, undefined);
    assert.equal(created.response.status, 201);
    const id = created.data!.id;
    const { data, error, response } = await admin.PATCH("/locations/{id}", {
      params: { path: { id } },
      body: { max_gold: 4, description: null },
    });
    assert.equal(error, undefined, `PATCH: ${JSON.stringify(error)}`);
    assert.equal(response.status, 200);
    assert.equal(data?.max_gold, 4);
    assert.equal(data?.min_gold, 1);
    assert.equal(data?.description, "", "null cleared the description");

    // Names are unique: the same create again is a 400 naming the field,
    // and leaves the one Dojo.
    const again = await admin.POST("/locations", { body: { name: "Dojo", min_gold: 1, max_gold: 3 } });
    assert.equal(again.response.status, 400);
    assert.equal(again.response.headers.get("content-type"), "application/problem+json");
    assert.deepEqual(again.error?.errors, { name: "name must be unique: another location has it" });
    const list = await admin.GET("/locations", { params: { query: { limit: 100 } } });
    assert.deepEqual(list.data?.items.filter((l) => l.name === "Dojo").map((l) => l.id), [id]);
  });

  if (viaPrism) {
    await t.test("Prism saw no violation", () => {
      assert.deepEqual(violations, []);
    });
  }
});
