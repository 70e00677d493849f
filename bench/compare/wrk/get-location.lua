-- GET /locations/1.
wrk.method = "GET"
wrk.path = "/locations/1"
