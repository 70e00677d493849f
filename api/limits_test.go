package api

import (
	"crypto/sha256"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ninjagold/ninjagold-api/generated"
)

// The bucket refills at Rate per second, never beyond Burst, and a refusal
// says how long until the next token.
func TestRateLimiterRefills(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	rl := newRateLimiter(RateLimit{Rate: 2, Burst: 3}, "") // a token every 500 ms
	rl.now = func() time.Time { return now }
	steps := []struct {
		advance  time.Duration
		wantOK   bool
		wantLeft float64
		wantWait time.Duration
	}{
		{0, true, 2, 0},
		{0, true, 1, 0},
		{0, true, 0, 0},
		{0, false, 0, 500 * time.Millisecond},
		{200 * time.Millisecond, false, 0.4, 300 * time.Millisecond},
		{300 * time.Millisecond, true, 0, 0}, // one token came back
		{time.Hour, true, 2, 0},              // full again, not 7,200 tokens
	}
	for i, st := range steps {
		now = now.Add(st.advance)
		a := rl.take("", "client")
		ok, left, wait := a.ok, a.left, a.wait
		if ok != st.wantOK || !near(left, st.wantLeft) || !near(wait.Seconds(), st.wantWait.Seconds()) {
			t.Errorf("step %d (+%v): ok %v, left %.3f, wait %v; want %v, %.3f, %v", i, st.advance, ok, left, wait, st.wantOK, st.wantLeft, st.wantWait)
		}
	}
	if !rl.take("", "someone else").ok {
		t.Error("another client shares the bucket")
	}
}

// A burst below 1 is a second's worth of requests, the rate rounded up.
func TestRateLimiterDefaultBurst(t *testing.T) {
	for _, tt := range []struct {
		limit RateLimit
		want  int
	}{
		{RateLimit{Rate: 2.5}, 3},
		{RateLimit{Rate: 2}, 2},
		{RateLimit{Rate: 0.1}, 1},
		{RateLimit{Rate: 2.5, Burst: -1}, 3},
		{RateLimit{Rate: 2.5, Burst: 1}, 1},
	} {
		if got := newRateLimiter(tt.limit, "").cfg.Burst; got != tt.want {
			t.Errorf("%+v: burst %d, want %d", tt.limit, got, tt.want)
		}
	}
}

// The buckets are pruned once a minute, but only those idle long enough to
// be full again: at a slow rate, a client spent a minute ago is still
// spent, not handed a fresh burst.
func TestRateLimiterPrunesOnlyFullBuckets(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	rl := newRateLimiter(RateLimit{Rate: 1.0 / 600, Burst: 2}, "") // a token every 10 minutes
	rl.now = func() time.Time { return now }
	for i := range 2 {
		if !rl.take("", "slow client").ok {
			t.Fatalf("take %d of the burst refused", i+1)
		}
	}
	now = now.Add(2 * time.Minute) // past a prune, not past a token
	rl.take("", "another client")  // prunes
	if a := rl.take("", "slow client"); a.ok || a.wait < 7*time.Minute {
		t.Errorf("two minutes after spending its burst: ok %v, wait %v; want refused for about 8 minutes more", a.ok, a.wait)
	}
	now = now.Add(13 * time.Minute) // a token and a half back: kept
	rl.take("", "another client")   // prunes
	if a := rl.take("", "slow client"); !a.ok || !near(a.left, 0.5) {
		t.Errorf("fifteen minutes after spending its burst: ok %v, left %.3f; want served, with half a token left", a.ok, a.left)
	}
	now = now.Add(21 * time.Minute) // full again: forgotten, and served as a new client
	if a := rl.take("", "slow client"); !a.ok || !near(a.left, 1) {
		t.Errorf("full again: ok %v, left %.3f; want a fresh bucket", a.ok, a.left)
	}
}

// A bearer token is a client of its own once proven, the admin token from
// the start; until then, and once its bucket is forgotten, its requests
// are its address's.
func TestRateLimiterKeysProvenTokens(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	rl := newRateLimiter(RateLimit{Rate: 1, Burst: 1}, "the admin's")
	rl.now = func() time.Time { return now }
	player := sha256.Sum256([]byte("a player's"))
	take := func(token [sha256.Size]byte) bool {
		return rl.take(tokenKey(token), "address").ok
	}
	if !take(player) {
		t.Fatal("the first request: refused, want the address's token")
	}
	if take(player) || take(sha256.Sum256([]byte("made up"))) {
		t.Error("unproven tokens, the address's bucket empty: one passed, want both refused")
	}
	if !take(sha256.Sum256([]byte("the admin's"))) {
		t.Error("the admin token, the address's bucket empty: refused, want its own bucket")
	}
	rl.TokenVerified(player)
	if !take(player) {
		t.Error("a proven token, the address's bucket empty: refused, want its own bucket")
	}
	if take(player) {
		t.Error("a proven token past its burst: passed, want refused")
	}
	rl.TokenVerified(player) // proven again: the bucket stays as spent
	if take(player) {
		t.Error("a token proven again: passed, want its spent bucket kept")
	}
	now = now.Add(2 * time.Minute) // idle past full: forgotten at the next take
	if !take(sha256.Sum256([]byte("someone"))) || take(player) {
		t.Error("after the buckets were forgotten: want the address's one token spent, then the player's request refused")
	}
}

// The proven player tokens of one address share a bucket of ten times the
// address's allowance, so that an address cannot multiply its rate by the
// players it makes: each token still has its own, the admin token is not
// counted, and another address's players share another.
func TestRateLimiterPlayersShareTheirAddressesCeiling(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	rl := newRateLimiter(RateLimit{Rate: 1, Burst: 2}, "the admin's") // shared: 20 at 10 a second
	rl.now = func() time.Time { return now }
	var players [11][sha256.Size]byte
	for i := range players {
		players[i] = sha256.Sum256([]byte{byte(i)})
		rl.TokenVerified(players[i])
	}
	for i := range 10 { // ten players spend their two each: the shared twenty
		for j := range 2 {
			a := rl.take(tokenKey(players[i]), "address")
			if !a.ok || !a.shared || !near(a.left, float64(1-j)) || !near(a.sharedLeft, float64(19-2*i-j)) {
				t.Fatalf("player %d, request %d: %+v; want passed, %d left of its own, %d shared", i, j, a, 1-j, 19-2*i-j)
			}
		}
	}
	a := rl.take(tokenKey(players[10]), "address")
	if a.ok || !near(a.left, 2) || !near(a.sharedLeft, 0) || a.wait != 100*time.Millisecond {
		t.Errorf("an eleventh player, its own bucket full: %+v; want refused, its two kept, a wait of 100 ms for the shared one", a)
	}
	if a := rl.take(tokenKey(sha256.Sum256([]byte("the admin's"))), "address"); !a.ok || a.shared {
		t.Errorf("the admin token: %+v; want passed, not counted in the shared bucket", a)
	}
	if a := rl.take("", "address"); !a.ok || a.shared || !near(a.left, 1) {
		t.Errorf("the address without a token: %+v; want its own bucket, not the shared one", a)
	}
	if a := rl.take(tokenKey(players[10]), "another address"); !a.ok || !near(a.sharedLeft, 19) {
		t.Errorf("the eleventh player from another address: %+v; want that address's shared bucket", a)
	}
	now = now.Add(100 * time.Millisecond) // one shared token back
	if a := rl.take(tokenKey(players[10]), "address"); !a.ok || !near(a.left, 0.1) || !near(a.sharedLeft, 0) {
		t.Errorf("100 ms later: %+v; want passed, 0.1 of its own left (one spent from the other address), the shared token spent", a)
	}
	if a := rl.take(tokenKey(players[0]), "address"); a.ok || a.wait != 900*time.Millisecond {
		t.Errorf("both buckets short: %+v; want refused for the longer wait, its own 900 ms (the shared one's: 100 ms)", a)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// A client is its IPv4 address, or the IPv6 /64 its address is in.
func TestClientKey(t *testing.T) {
	tests := []struct{ ip, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		// One IPv4 client, however its address is written, is one bucket.
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"::ffff:cb00:7107", "203.0.113.7"},
		{"0:0:0:0:0:ffff:203.0.113.7", "203.0.113.7"},
		{"fe80::1%eth0", "fe80::/64"},
		{"", ""},
		{"not an address", "not an address"},
	}
	for _, tt := range tests {
		if got := clientKey(tt.ip); got != tt.want {
			t.Errorf("clientKey(%q) = %q, want %q", tt.ip, got, tt.want)
		}
	}
}

// TestRateLimitRetryAfter: a refusal tells a wait of a whole number of
// seconds, one at least, however little is left of it, in Retry-After and
// in words.
func TestRateLimitRetryAfter(t *testing.T) {
	_, ops := testOperations(t)
	op := ops.byRoute[http.MethodPost]["/players"]
	tests := []struct {
		name       string
		limit      RateLimit
		advance    time.Duration // after the one request the burst allows
		wantAfter  string
		wantDetail string
	}{
		// 3 a second: a third of a second, less a nanosecond, leaves a
		// wait too short for a Duration to hold.
		{"a wait that rounds to nothing", RateLimit{Rate: 3, Burst: 1}, 333333333 * time.Nanosecond,
			"1", "Too many requests; try again in 1 second."},
		{"a wait of two seconds", RateLimit{Rate: 0.5, Burst: 1}, 0,
			"2", "Too many requests; try again in 2 seconds."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Unix(1_000_000, 0)
			rl := newRateLimiter(tt.limit, "")
			rl.now = func() time.Time { return now }
			serve := func() *httptest.ResponseRecorder {
				w := httptest.NewRecorder()
				c, _ := gin.CreateTestContext(w)
				c.Request = httptest.NewRequest(http.MethodPost, "/players", nil)
				c.Request.RemoteAddr = "192.0.2.1:1234"
				rl.handle(c, op)
				return w
			}
			if w := serve(); w.Code != http.StatusOK {
				t.Fatalf("first request: %d, want it let through", w.Code)
			}
			now = now.Add(tt.advance)
			w := serve()
			var p struct{ Detail string }
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || w.Code != http.StatusTooManyRequests {
				t.Fatalf("second request: %d %s, want 429", w.Code, w.Body)
			}
			if got := w.Header().Get("Retry-After"); got != tt.wantAfter || p.Detail != tt.wantDetail {
				t.Errorf("Retry-After %q, detail %q; want %q, %q", got, p.Detail, tt.wantAfter, tt.wantDetail)
			}
		})
	}
}

// A rate NewHandler could not keep is refused when the handler is built:
// negative, not a number, or past MaxRate, where the shared buckets' rate
// and refill would overflow to infinities and NaNs that never refuse; or
// below MinRate, where a bucket's time to fill overflows a Duration; and a
// burst past MaxBurst.
func TestNewHandlerRefusesARateItCannotKeep(t *testing.T) {
	spec, _ := testOperations(t)
	var srv generated.StrictServerInterface // not called: no request is served
	for _, rate := range []float64{-1, math.NaN(), math.Inf(1), MaxRate + 0.5, 1e308, 1e-300, MinRate / 2} {
		if _, err := NewHandler(srv, Config{Spec: spec, RateLimit: RateLimit{Rate: rate, Burst: 1}}); err == nil ||
			!strings.Contains(err.Error(), "the rate limit must be 0 (off) or from 0.000278 to 1000000 requests per second") {
			t.Errorf("rate %v: %v, want it refused", rate, err)
		}
	}
	if _, err := NewHandler(srv, Config{Spec: spec, RateLimit: RateLimit{Rate: 1, Burst: MaxBurst + 1}}); err == nil ||
		!strings.Contains(err.Error(), "the rate burst must be at most 1000000 requests, not 1000001") {
		t.Errorf("burst %d: %v, want it refused", MaxBurst+1, err)
	}
	for _, limit := range []RateLimit{{Rate: 0}, {Rate: MinRate, Burst: 1}, {Rate: MaxRate, Burst: MaxBurst}, {Rate: 3, Burst: 0}} {
		if _, err := NewHandler(srv, Config{Spec: spec, RateLimit: limit}); err != nil {
			t.Errorf("%+v: %v, want it taken", limit, err)
		}
	}
	rl := newRateLimiter(RateLimit{Rate: MaxRate, Burst: 1}, "")
	rl.TokenVerified(sha256.Sum256([]byte("p")))
	for i := range 3 {
		if a := rl.take(tokenKey(sha256.Sum256([]byte("p"))), "address"); math.IsNaN(a.sharedLeft) || math.IsInf(a.sharedLeft, 0) || a.sharedLeft > 10 {
			t.Errorf("take %d at MaxRate: %+v, want a shared bucket of at most 10", i, a)
		}
	}
}
