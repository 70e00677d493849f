-- POST /players with a fixed valid body (wrk -s create-player.lua URL).
wrk.method = "POST"
wrk.path = "/players"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"first_name":"Hattori","last_name":"Hanzo"}'
