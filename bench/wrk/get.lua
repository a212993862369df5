-- A GET of the URL given to wrk; headers (cookie, token) come with -H.
wrk.method = "GET"
