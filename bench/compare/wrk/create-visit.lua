-- POST /players/{id}/visits as the player benchserver created: NG_PLAYER
-- and NG_TOKEN come from its "ready" line (see load.sh). No
-- Idempotency-Key: every request is a new visit.
wrk.method = "POST"
wrk.path = "/players/" .. os.getenv("NG_PLAYER") .. "/visits"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("NG_TOKEN")
wrk.body = '{"location_id":1}'
