package api

import (
	"crypto/sha256"
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ninjagold/ninjagold-api/impl"
)

// unlimited lists the operations no limit applies to: probes and metrics
// must answer even when clients are being turned away.
var unlimited = map[string]bool{"getHealth": true, "getReadiness": true, "getMetrics": true}

func isUnlimited(c *gin.Context, op *operation) bool {
	if c.Request.Method == http.MethodOptions {
		return true // preflights and OPTIONS cost nothing and must not fail
	}
	// No operation: the contract answers an unknown path 404 and a method
	// the path lacks 405, whatever the load; both cost no more than a 429.
	return op == nil || op.unlimited
}

// headerLimit answers 431 when the request's target (its path and query)
// and header fields, Host among them, add up to more than limit bytes, as
// net/http counts its MaxHeaderBytes; the detail says both. (RFC 9110 has
// 414 for a long target alone; one limit keeps one answer for a request
// head too large to read. net/http's own, larger MaxHeaderBytes still
// guards the connection; beyond it net/http answers before any handler
// runs.) A request no operation matches gets its 404 or 405 regardless:
// the contract declares nothing else for an undeclared route.
func headerLimit(limit int) func(*gin.Context, *operation) {
	return func(c *gin.Context, op *operation) {
		if op == nil {
			return
		}
		n := len(c.Request.RequestURI)
		// net/http moves the Host field out of Header. For an absolute
		// target (http://host/path) it takes the host from the target,
		// which n counts already, and drops the Host field unseen: that
		// one is bounded by net/http's own limit alone.
		if h := c.Request.Host; h != "" && !c.Request.URL.IsAbs() {
			n += len("Host") + len(h) + 4
		}
		for k, vs := range c.Request.Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4 // ": " and CRLF
			}
		}
		if n > limit {
			writeProblem(c, kindHeaderTooLarge, fmt.Sprintf("The request target and headers must be at most %d bytes together.", limit), nil)
			return
		}
		c.Next()
	}
}

// inFlightLimit bounds the requests served at once; one more is turned
// away at once with a 503 rather than queued, so overload shows up as fast
// refusals the load balancer can act on, not as timeouts.
func inFlightLimit(limit int) func(*gin.Context, *operation) {
	slots := make(chan struct{}, limit)
	return func(c *gin.Context, op *operation) {
		if isUnlimited(c, op) {
			c.Next()
			return
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			c.Next()
		default:
			writeProblem(c, kindUnavailable, "The server is at capacity; try again shortly.", nil)
		}
	}
}

// RateLimit configures the per-client token bucket: Burst requests at
// once, refilled at Rate per second. A zero Rate turns limiting off; a
// Burst below 1 is a second's worth, Rate rounded up (at least 1). A Rate
// other than 0 is from MinRate to MaxRate, a Burst at most MaxBurst.
type RateLimit struct {
	Rate  float64
	Burst int
}

// rateLimiter keeps one token bucket per client. The client is its bearer
// token once that is proven (the admin's, or a player's), else its address
// as Gin's ClientIP reports it, which honours forwarding headers only from
// the trusted proxies, and for IPv6 the /64 it belongs to: one host is
// given a whole /64, and could take a fresh address, and bucket, for every
// request.
//
// The limiter runs before anything checks a token, and a bucket for every
// token sent would give a client a fresh bucket with every made-up one. So
// a token is a client of its own only once proven: the admin token from
// the start, a player's once a request bearing it got through (on its
// address's bucket) and a handler found it the player's (TokenVerified). A
// proven token's bucket is forgotten, as any, once idle long enough to be
// full again; the token then proves itself anew. And it pays only for the
// operations that require a token: the public ones, POST /players among
// them, are the address's, so that the players an address makes cannot
// each bring it another bucket to make more with. Nor can they multiply
// the address's rate: a proven player token's request also spends one of
// the bucket its address's player tokens share (playersFactor).
type rateLimiter struct {
	cfg     RateLimit
	now     func() time.Time
	admin   string // tokenKey of the admin token's hash; "" without one
	mu      sync.Mutex
	buckets map[string]*bucket
	pruned  time.Time
}

var _ impl.TokenVerifier = (*rateLimiter)(nil)

// tokenKey is the bucket of a proven token, by its hash; no address
// spells like it.
func tokenKey(hash [sha256.Size]byte) string { return "token " + string(hash[:]) }

// TokenVerified gives the token of hash a bucket of its own, full.
func (rl *rateLimiter) TokenVerified(hash [sha256.Size]byte) {
	key := tokenKey(hash)
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if rl.buckets[key] == nil {
		rl.buckets[key] = &bucket{tokens: float64(rl.cfg.Burst), last: rl.now()}
	}
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(cfg RateLimit, adminToken string) *rateLimiter {
	if cfg.Burst < 1 {
		cfg.Burst = max(1, int(math.Ceil(cfg.Rate)))
	}
	rl := &rateLimiter{cfg: cfg, now: time.Now, buckets: map[string]*bucket{}}
	if adminToken != "" {
		rl.admin = tokenKey(impl.TokenDigest(adminToken))
	}
	return rl
}

// clientKey is the bucket of the client at ip: the address itself for
// IPv4, in one spelling whichever it came in (an IPv4-mapped IPv6 address
// such as ::ffff:102:304 is 1.2.3.4), its /64 for IPv6.
func clientKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if addr = addr.Unmap().WithZone(""); addr.Is4() {
		return addr.String()
	}
	prefix, _ := addr.Prefix(64)
	return prefix.String()
}

// The bounds of a RateLimit. A million requests a second is more than one
// process serves, and far from where the shared buckets' rate
// (playersFactor times it) or their refill would overflow a float64, or
// their burst an int; slower than one an hour, the waits the headers give
// outgrow any client's patience, and a bucket's time to fill a Duration.
const (
	MinRate  = 1.0 / 3600
	MaxRate  = 1_000_000
	MaxBurst = 1_000_000
)

// playersFactor is how many times the allowance of an address the proven
// player tokens of that address may spend together: each has a bucket of
// its own, and POST /players, at the address's rate, makes new ones; the
// shared bucket keeps an address that makes players from multiplying its
// rate by their number, while players behind one NAT keep ten addresses'
// worth between them. The admin token is not counted in it.
const playersFactor = 10

// allowance is what a request was allowed: left, the tokens left in its
// client's bucket; wait, when refused, how long until the request would
// pass; and for a proven player token, shared and sharedLeft: the tokens
// left in the bucket its address's player tokens share.
type allowance struct {
	left       float64
	wait       time.Duration
	ok         bool
	shared     bool
	sharedLeft float64
}

// take spends one token of the bucket of the proven token of key token
// ("" for none), or else of the address's, key addr; a proven player
// token's request spends one of its address's shared bucket too (see
// playersFactor), and passes only when both have one.
func (rl *rateLimiter) take(token, addr string) allowance {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	now := rl.now()
	burst := float64(rl.cfg.Burst)
	if now.Sub(rl.pruned) > time.Minute {
		// A bucket idle long enough to be full again is the same as none
		// (the shared buckets fill in the same time: ten times the burst
		// at ten times the rate).
		full := time.Duration(burst / rl.cfg.Rate * float64(time.Second))
		for k, b := range rl.buckets {
			if now.Sub(b.last) > full {
				delete(rl.buckets, k)
			}
		}
		rl.pruned = now
	}
	var t allowance
	key := addr
	if token != "" && (token == rl.admin || rl.buckets[token] != nil) {
		key = token
		t.shared = token != rl.admin
	}
	b := rl.refill(key, burst, rl.cfg.Rate, now)
	t.left = b.tokens
	refused := b.tokens < 1
	if refused {
		t.wait = time.Duration((1 - b.tokens) / rl.cfg.Rate * float64(time.Second))
	}
	var shared *bucket
	if t.shared {
		shared = rl.refill(playersKey(addr), burst*playersFactor, rl.cfg.Rate*playersFactor, now)
		t.sharedLeft = shared.tokens
		if shared.tokens < 1 {
			refused = true
			t.wait = max(t.wait, time.Duration((1-shared.tokens)/(rl.cfg.Rate*playersFactor)*float64(time.Second)))
		}
	}
	if refused {
		return t
	}
	b.tokens--
	t.left = b.tokens
	if shared != nil {
		shared.tokens--
		t.sharedLeft = shared.tokens
	}
	t.ok = true
	return t
}

// playersKey is the bucket the proven player tokens of the address of key
// addr share; no address or token key spells like it.
func playersKey(addr string) string { return "players " + addr }

// refill returns the bucket of key, made full when there is none, with
// what it gained at rate since it was last used, up to burst.
func (rl *rateLimiter) refill(key string, burst, rate float64, now time.Time) *bucket {
	b := rl.buckets[key]
	if b == nil {
		b = &bucket{tokens: burst, last: now}
		rl.buckets[key] = b
	}
	b.tokens = math.Min(burst, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	return b
}

func (rl *rateLimiter) handle(c *gin.Context, op *operation) {
	if isUnlimited(c, op) {
		c.Next()
		return
	}
	var token string
	// op is nil for a 404 or 405, which isUnlimited lets through today;
	// checked here too, so limiting them one day cannot panic.
	if t := bearerToken(c.Request); t != "" && op != nil && len(op.security) > 0 {
		token = tokenKey(impl.TokenDigest(t))
	}
	a := rl.take(token, clientKey(c.ClientIP()))
	window := int(math.Ceil(float64(rl.cfg.Burst) / rl.cfg.Rate))
	refill := int(math.Ceil((float64(rl.cfg.Burst) - a.left) / rl.cfg.Rate))
	policy := fmt.Sprintf(`"default";q=%d;w=%d`, rl.cfg.Burst, window)
	state := fmt.Sprintf(`"default";r=%d;t=%d`, int(a.left), refill)
	if a.shared {
		// The same window: ten times the burst at ten times the rate.
		sharedBurst := float64(rl.cfg.Burst * playersFactor)
		policy += fmt.Sprintf(`, "players";q=%d;w=%d`, rl.cfg.Burst*playersFactor, window)
		state += fmt.Sprintf(`, "players";r=%d;t=%d`, int(a.sharedLeft),
			int(math.Ceil((sharedBurst-a.sharedLeft)/(rl.cfg.Rate*playersFactor))))
	}
	h := c.Writer.Header()
	h.Set("RateLimit-Policy", policy)
	h.Set("RateLimit", state)
	if !a.ok {
		secs := int(math.Ceil(a.wait.Seconds()))
		h.Set("Retry-After", strconv.Itoa(max(1, secs)))
		writeProblem(c, kindRateLimited, "Too many requests; try again in "+quantity(uint64(max(1, secs)), "second")+".", nil)
		return
	}
	c.Next()
}
