-- POST /api/v1/cases (or the bare endpoint): the body comes from BENCH_BODY.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
