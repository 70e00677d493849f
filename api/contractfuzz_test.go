package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"log/slog"
	"maps"
	"math"
	"math/big"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/impl"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
	"github.com/ninjagold/ninjagold-api/internal/specfuzz"
	"github.com/ninjagold/ninjagold-api/store/postgres"
	"github.com/ninjagold/ninjagold-api/store/postgres/pgtest"
)

var (
	contractFuzzN = flag.Int("contractfuzz.n", api.FullSize(300),
		"contract fuzzing: requests per operation, a third under the race detector (every systematic case is sent even when there are more)")
	contractFuzzSeed  = flag.Uint64("contractfuzz.seed", 1, "contract fuzzing: the seed of the generated requests")
	contractFuzzTrace = flag.Bool("contractfuzz.trace", false, "contract fuzzing: log every request and its status")
)

// TestContractFuzz walks every operation of openapi.yaml and sends it
// requests generated from the contract (internal/specfuzz) through the
// real stack: valid ones at every boundary, and ones breaking each
// constraint in turn. Every response must be declared and match its schema
// (the harness checks that); valid requests must be accepted or get the
// documented domain outcome; invalid ones must be refused with a problem
// whose errors name the offending field in plain words; and a refused
// write must leave the database as it was.
//
// A failure prints the exact request. The run is reproducible:
//
//	go test ./api -run 'TestContractFuzz/createVisit$' -args -contractfuzz.seed=S -contractfuzz.n=N
func TestContractFuzz(t *testing.T) {
	seed, n := *contractFuzzSeed, *contractFuzzN
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("contract fuzzing with seed %d, %d requests per operation", seed, n)
	for _, op := range specfuzz.Operations(doc) {
		if op.Method == http.MethodHead {
			continue // every GET case is also sent as HEAD (checkHeadTwin)
		}
		t.Run(op.ID(), func(t *testing.T) {
			t.Parallel()
			newContractFuzzer(t, op.ID(), seed, nil).run(n)
		})
	}
}

// TestContractFuzzPostgres runs the same requests against the PostgreSQL
// store (skipped without a PostgreSQL, see pgtest): what one store holds and
// the other cannot (a NUL, bytes that are not UTF-8) shows as a 500 here.
// A third of the requests per operation, each on a schema of its own.
func TestContractFuzzPostgres(t *testing.T) {
	seed, n := *contractFuzzSeed, max(1, *contractFuzzN/3)
	pgtest.Base(t) // skips without PostgreSQL (fails in CI)
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range specfuzz.Operations(doc) {
		if op.Method == http.MethodHead {
			continue
		}
		t.Run(op.ID(), func(t *testing.T) {
			t.Parallel()
			store, err := postgres.Open(t.Context(), pgtest.TestURL(t), postgres.Options{MaxConns: 4})
			if err != nil {
				t.Fatalf("postgres.Open: %v", err)
			}
			t.Cleanup(func() { store.Close() })
			newContractFuzzer(t, op.ID(), seed, store).run(n)
		})
	}
}

// contractFuzzer sends one operation its generated requests, against a
// server of its own, and judges the answers.
type contractFuzzer struct {
	t     *testing.T
	tb    *cfTB
	s     *apitest.Server
	op    specfuzz.Op
	gen   *specfuzz.Generator
	seed  uint64
	types map[int]string // problem type by status, from the contract's examples

	players map[int64]string // id -> token, for every player the test saw made
	// cursors maps each next_cursor the server issued to the list it
	// continues: "locations", "visits" or "players <sort>".
	cursors map[string]string
	// keys maps (player, Idempotency-Key) to the visit it made first.
	keys map[cfKey]generated.Visit

	// locationHigh is the highest location id a snapshot saw.
	locationHigh int64
	// docTags holds the ETag of each document asked for (docTag): they are
	// embedded in the binary, and a GET of the contract for each request
	// doubled the cost of its operations.
	docTags map[string]string

	stats    map[string]int  // "valid 201" -> requests
	reported map[string]bool // case names already reported
	repeats  int             // failures of cases already reported
}

type cfKey struct {
	player int64
	key    string
}

// cfAuth values beyond specfuzz's: credentials only the domain knows.
const (
	cfAuthOther specfuzz.Auth = "another player's token"
	cfAuthAdmin specfuzz.Auth = "the admin token"
)

// cfMaxFailures stops an operation's run once this many different cases
// failed.
const cfMaxFailures = 40

// newContractFuzzer makes the fuzzer of operation opID, on store (nil: a
// fresh SQLite file).
func newContractFuzzer(t *testing.T, opID string, seed uint64, store game.Store) *contractFuzzer {
	t.Helper()
	// Each operation has its own copy of the document, so the parallel
	// runs share nothing.
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	f := &contractFuzzer{
		t: t, seed: seed, types: cfProblemTypes(doc),
		players: map[int64]string{}, cursors: map[string]string{}, keys: map[cfKey]generated.Visit{},
		reported: map[string]bool{}, stats: map[string]int{}, docTags: map[string]string{},
	}
	for _, op := range specfuzz.Operations(doc) {
		if op.ID() == opID {
			f.op = op
		}
	}
	h := fnv.New64a()
	h.Write([]byte(opID))
	f.gen = &specfuzz.Generator{Gen: specfuzz.NewGen(seed ^ h.Sum64()), Values: f.values, Fix: f.fix}
	f.tb = &cfTB{TB: t}
	f.s = apitest.NewServer(f.tb, apitest.Options{Store: store, Config: api.Config{Logger: slog.New(cfLogHandler{f.tb})}})
	// A case's own checks send requests after its reports were taken; the
	// last case's would otherwise go unreported.
	t.Cleanup(func() {
		if errs := f.tb.take(); len(errs) > 0 {
			t.Errorf("%s, after the last case:\n  - %s", opID, strings.Join(errs, "\n  - "))
		}
	})
	f.setup()
	return f
}

// setup makes what the operation's valid requests refer to: players with
// their tokens, visits, and cursors of every list.
func (f *contractFuzzer) setup() {
	path := f.op.Path
	if strings.HasPrefix(path, "/players") {
		for range 3 {
			f.newPlayer()
		}
	}
	ids := f.playerIDs()
	if strings.Contains(path, "/visits") {
		for i, loc := range []int{1, 2, 3, 4, 1} {
			f.must(apitest.Request{Method: "POST", Path: fmt.Sprintf("/players/%d/visits", ids[i/4]),
				Token: f.players[ids[i/4]], Body: fmt.Sprintf(`{"location_id":%d}`, loc)})
		}
	}
	switch f.op.ID() {
	case "listLocations":
		for _, limit := range []int{1, 2} {
			f.cursor("locations", fmt.Sprintf("/locations?limit=%d", limit))
		}
	case "listPlayers":
		for _, sort := range []string{"-gold", "gold", "-created_at", "created_at"} {
			f.cursor("players "+sort, "/players?limit=1&sort="+sort)
		}
	case "listVisits":
		for _, limit := range []int{1, 2} {
			f.cursor(fmt.Sprintf("visits %d", ids[0]), fmt.Sprintf("/players/%d/visits?limit=%d", ids[0], limit))
		}
	}
	if errs := f.tb.take(); len(errs) > 0 {
		f.t.Fatalf("setup: %s", strings.Join(errs, "\n"))
	}
}

// must sends a setup request, which has to succeed.
func (f *contractFuzzer) must(req apitest.Request) *apitest.Response {
	f.t.Helper()
	resp := f.s.Do(f.tb, req)
	if resp.Status >= 300 {
		f.t.Fatalf("setup %s %s: %d %s", req.Method, req.Path, resp.Status, resp.Body)
	}
	return resp
}

func (f *contractFuzzer) newPlayer() int64 {
	resp := f.must(apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo"}`})
	var p generated.NewPlayerResult
	resp.JSON(f.t, &p)
	f.players[p.Id] = p.Token
	return p.Id
}

func (f *contractFuzzer) cursor(list, path string) {
	var page struct {
		NextCursor *string `json:"next_cursor"`
	}
	f.must(apitest.Request{Method: "GET", Path: path}).JSON(f.t, &page)
	if page.NextCursor == nil {
		f.t.Fatalf("setup: %s has no next page", path)
	}
	f.cursors[*page.NextCursor] = list
}

// run sends every systematic case, the domain's own cases, then random
// ones until n requests went out.
func (f *contractFuzzer) run(n int) {
	count, build := f.gen.Systematic(f.op)
	extras := f.extraCases()
	total := max(n, count+len(extras))
	sent := 0
	for i := 0; i < total; i++ {
		var c specfuzz.Case
		switch {
		case i < count:
			c = build(i)
		case i < count+len(extras):
			c = extras[i-count]()
		case f.gen.R.IntN(20) == 0:
			c = extras[f.gen.R.IntN(min(2, len(extras)))]()
		default:
			c = f.gen.Random(f.op)
		}
		f.send(i, c)
		sent++
		if len(f.reported) >= cfMaxFailures {
			f.t.Errorf("stopping %s after %d failing cases", f.op.ID(), len(f.reported))
			break
		}
	}
	if f.repeats > 0 {
		f.t.Errorf("%d more failures of cases already reported", f.repeats)
	}
	var stats []string
	for k, v := range f.stats {
		stats = append(stats, fmt.Sprintf("%s: %d", k, v))
	}
	slices.Sort(stats)
	f.t.Logf("%s: %d requests (%d systematic) by expectation and status: %s", f.op.ID(), sent, count+len(extras), strings.Join(stats, ", "))
}

// extraCases are the cases only the domain knows how to make: another
// player's credentials, and bodies and headers beyond the server's limits.
// The two cheap ones come first, as the random phase draws from them.
func (f *contractFuzzer) extraCases() []func() specfuzz.Case {
	var out []func() specfuzz.Case
	auth := cfSlot("header", "Authorization")
	schemes := f.schemes()
	if schemes["playerToken"] {
		out = append(out, func() specfuzz.Case {
			in := f.gen.Valid(f.op)
			in.Auth = cfAuthOther
			return specfuzz.Case{Name: "another player's token", Slot: auth, Input: in, Expect: specfuzz.Valid}
		})
		if !schemes["adminToken"] {
			out = append(out, func() specfuzz.Case {
				in := f.gen.Valid(f.op)
				in.Auth = cfAuthAdmin
				return specfuzz.Case{Name: "the admin token where a player's is needed", Slot: auth, Input: in,
					Expect: specfuzz.Invalid, Status: http.StatusUnauthorized}
			})
		}
	}
	for len(out) < 2 {
		out = append(out, func() specfuzz.Case {
			return specfuzz.Case{Name: "random valid", Input: f.gen.Valid(f.op), Expect: specfuzz.Valid}
		})
	}
	if f.op.Body != nil {
		out = append(out, func() specfuzz.Case {
			in := f.gen.Valid(f.op)
			in.Body = specfuzz.Raw(`{"x":"` + strings.Repeat("a", api.DefaultMaxBodyBytes) + `"}`)
			return specfuzz.Case{Name: "body over the size limit", Slot: cfSlot("body", ""), Input: in,
				Expect: specfuzz.Invalid, Status: http.StatusRequestEntityTooLarge}
		})
	}
	out = append(out, func() specfuzz.Case {
		in := f.gen.Valid(f.op)
		in.Header["X-Padding"] = strings.Repeat("a", api.DefaultMaxHeaderBytes)
		return specfuzz.Case{Name: "headers over the size limit", Slot: cfSlot("header", "X-Padding"), Input: in,
			Expect: specfuzz.Invalid, Status: http.StatusRequestHeaderFieldsTooLarge}
	})
	return out
}

// cfSlot is shorthand for a specfuzz.Slot.
func cfSlot(in, name string) specfuzz.Slot { return specfuzz.Slot{In: in, Name: name} }

// schemes are the security schemes the operation accepts.
func (f *contractFuzzer) schemes() map[string]bool {
	out := map[string]bool{}
	if sec := f.op.Operation.Security; sec != nil {
		for _, alt := range *sec {
			for name := range alt {
				out[name] = true
			}
		}
	}
	return out
}

// --- The domain: values that exist, and rules the schemas cannot state.

func (f *contractFuzzer) values(op specfuzz.Op, slot specfuzz.Slot) (any, bool) {
	r := f.gen.R
	switch {
	case slot == cfSlot("path", "id") && strings.HasPrefix(op.Path, "/locations/"):
		if r.IntN(5) == 0 {
			return nil, false
		}
		ids := f.locationIDs()
		if op.ID() == "deleteLocation" && len(ids) < 4 {
			// A name of its own: names are unique.
			f.must(apitest.Request{Method: "POST", Path: "/locations", Token: admin,
				Body: fmt.Sprintf(`{"name":"Dojo %d","min_gold":1,"max_gold":2}`, r.Int64())})
			ids = f.locationIDs()
		}
		if len(ids) == 0 {
			return nil, false
		}
		return strconv.FormatInt(ids[r.IntN(len(ids))], 10), true
	case slot == cfSlot("path", "id") && strings.HasPrefix(op.Path, "/players/"):
		if r.IntN(5) == 0 {
			return nil, false
		}
		ids := f.playerIDs()
		if op.ID() == "deletePlayer" && len(ids) < 4 {
			f.newPlayer()
			ids = f.playerIDs()
		}
		if len(ids) == 0 {
			return nil, false
		}
		return strconv.FormatInt(ids[r.IntN(len(ids))], 10), true
	case slot == cfSlot("query", "cursor"):
		var mine []string
		for c, list := range f.cursors {
			if strings.HasPrefix(list, f.cursorList()) {
				mine = append(mine, c)
			}
		}
		slices.Sort(mine)
		if len(mine) == 0 || r.IntN(2) == 0 {
			return nil, false
		}
		return mine[r.IntN(len(mine))], true
	case slot == cfSlot("path", "problem"):
		// Mostly a name with a page: the generator alone, from the
		// pattern, seldom spells one.
		if r.IntN(4) == 0 {
			return nil, false
		}
		var names []string
		for _, typ := range f.types {
			names = append(names, strings.TrimPrefix(typ, "/problems/"))
		}
		slices.Sort(names)
		return names[r.IntN(len(names))], true
	case slot == cfSlot("path", "asset"):
		if r.IntN(2) == 0 {
			return nil, false
		}
		if r.IntN(40) == 0 {
			return "swagger-ui-bundle.js", true // 1.7 MB: rarely
		}
		small := []string{"swagger-ui.css", "index.css", "favicon-32x32.png", "LICENSE", "NOTICE", "VERSION", "initializer.js"}
		return small[r.IntN(len(small))], true
	case slot == cfSlot("body", "location_id"):
		ids := f.locationIDs()
		if r.IntN(5) == 0 || len(ids) == 0 {
			return nil, false
		}
		return ids[r.IntN(len(ids))], true
	}
	return nil, false
}

func (f *contractFuzzer) fix(op specfuzz.Op, in *specfuzz.Input, pinned specfuzz.Slot) {
	r := f.gen.R
	switch op.ID() {
	case "createLocation", "replaceLocation":
		cfOrderGold(in, pinned, nil)
	case "updateLocation":
		if id, ok := cfInt(in.Path["id"]); ok {
			if l, err := f.s.Store.GetLocation(context.Background(), id); err == nil {
				cfOrderGold(in, pinned, &l)
			}
		}
	case "getVisit":
		if pinned == cfSlot("path", "visit_id") || r.IntN(4) == 0 {
			break
		}
		if id, ok := cfInt(in.Path["id"]); ok {
			if vs := f.allVisits(id); len(vs) > 0 {
				in.Path["visit_id"] = strconv.FormatInt(vs[r.IntN(len(vs))].ID, 10)
			}
		}
	case "createVisit":
		key := cfSlot("header", "Idempotency-Key")
		if _, ok := in.Header[key.Name]; !ok || pinned == key || r.IntN(3) != 0 {
			break
		}
		id, _ := cfInt(in.Path["id"])
		var used []cfKey
		for k := range f.keys {
			if k.player == id {
				used = append(used, k)
			}
		}
		slices.SortFunc(used, func(a, b cfKey) int { return strings.Compare(a.key, b.key) })
		if len(used) == 0 {
			break
		}
		k := used[r.IntN(len(used))]
		in.Header[key.Name] = k.key
		if pinned != cfSlot("body", "location_id") && r.IntN(2) == 0 {
			if o, ok := in.Body.(specfuzz.Object); ok {
				in.Body = o.With("location_id", f.keys[k].LocationId)
			}
		}
	}
	// Entity tags: mostly the current one, "*" or near misses; for a
	// target without one, "*" or a tag.
	for _, h := range []string{"If-Match", "If-None-Match"} {
		if _, ok := in.Header[h]; !ok || pinned == cfSlot("header", h) || r.IntN(4) == 0 {
			continue
		}
		choices := []string{"*", " * ", `"1"`, `W/"1", "2"`, `"a,*,b"`}
		if tag := f.docTag(*in); tag != "" {
			choices = []string{tag, "*", "W/" + tag, `"1", ` + tag, `"1"`, `"a,*,b"`}
		} else if id, ok := cfInt(in.Path["id"]); ok && strings.HasPrefix(f.op.Path, "/locations/") {
			etag := f.etag(id)
			if etag == "" {
				continue
			}
			choices = []string{etag, "*", "W/" + etag, etag + `, "999999"`, `"999999"`, " " + etag + " ", `"a,*,b"`, `"a,` + etag + `"`}
		}
		in.Header[h] = choices[r.IntN(len(choices))]
	}
}

// rangeReversed reports whether a location write's body gives min_gold
// over max_gold, both whole numbers a location holds.
func (f *contractFuzzer) rangeReversed(in specfuzz.Input) bool {
	switch f.op.ID() {
	case "createLocation", "replaceLocation", "updateLocation":
	default:
		return false
	}
	o, ok := in.Body.(specfuzz.Object)
	if !ok {
		return false
	}
	lo, ok1 := o.Get("min_gold")
	hi, ok2 := o.Get("max_gold")
	if !ok1 || !ok2 {
		return false
	}
	l, ok1 := cfInt(lo)
	h, ok2 := cfInt(hi)
	return ok1 && ok2 && l > h && l <= math.MaxInt32 && h >= math.MinInt32
}

// cfOrderGold makes min_gold <= max_gold hold after the body is applied to
// cur (nil: the body is the whole location), moving the member that is not
// pinned.
func cfOrderGold(in *specfuzz.Input, pinned specfuzz.Slot, cur *game.Location) {
	o, ok := in.Body.(specfuzz.Object)
	if !ok {
		return
	}
	get := func(name string, fallback int32) (int64, bool) {
		if v, ok := o.Get(name); ok {
			return cfInt(v)
		}
		if cur == nil {
			return 0, false
		}
		return int64(fallback), true
	}
	var curMin, curMax int32
	if cur != nil {
		curMin, curMax = cur.MinGold, cur.MaxGold
	}
	lo, ok1 := get("min_gold", curMin)
	hi, ok2 := get("max_gold", curMax)
	if !ok1 || !ok2 || lo <= hi {
		return
	}
	if pinned == cfSlot("body", "max_gold") {
		in.Body = o.With("min_gold", hi)
	} else {
		in.Body = o.With("max_gold", lo)
	}
}

func (f *contractFuzzer) locationIDs() []int64 {
	var ids []int64
	for _, l := range f.allLocations() {
		ids = append(ids, l.ID)
	}
	return ids
}

// playerIDs lists the players that exist and whose token the test knows.
func (f *contractFuzzer) playerIDs() []int64 {
	var ids []int64
	for _, p := range f.allPlayers() {
		if _, ok := f.players[p.ID]; ok {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// The store sizes its result by the limit it is given, so whole tables
// are read a page at a time.
const cfPage = 200

func (f *contractFuzzer) allLocations() []game.Location {
	var out []game.Location
	for {
		var after int64
		if len(out) > 0 {
			after = out[len(out)-1].ID
		}
		page, err := f.s.Store.ListLocations(context.Background(), after, cfPage)
		if err != nil {
			f.t.Fatalf("list locations: %v", err)
		}
		out = append(out, page...)
		if len(page) < cfPage {
			return out
		}
	}
}

func (f *contractFuzzer) allPlayers() []game.Player {
	var out []game.Player
	for {
		p := game.PlayerPage{Sort: game.ByCreatedAtAsc, Limit: cfPage}
		if len(out) > 0 {
			p.After = &game.PlayerKey{ID: out[len(out)-1].ID}
		}
		page, err := f.s.Store.ListPlayers(context.Background(), p)
		if err != nil {
			f.t.Fatalf("list players: %v", err)
		}
		out = append(out, page...)
		if len(page) < cfPage {
			return out
		}
	}
}

func (f *contractFuzzer) allVisits(player int64) []game.Visit {
	var out []game.Visit
	for {
		var before int64
		if len(out) > 0 {
			before = out[len(out)-1].ID
		}
		page, err := f.s.Store.ListVisits(context.Background(), player, before, cfPage)
		if err != nil {
			return out // no such player
		}
		out = append(out, page...)
		if len(page) < cfPage {
			return out
		}
	}
}

// etag reads the location's current ETag through the API; "" when it does
// not exist.
func (f *contractFuzzer) etag(id int64) string {
	resp := f.s.Do(f.tb, apitest.Request{Method: "GET", Path: fmt.Sprintf("/locations/%d", id)})
	if resp.Status != http.StatusOK {
		return ""
	}
	return resp.Header.Get("ETag")
}

// --- What the contract and the domain say a request must get.

// cfWant lists the statuses a request may get, each with the errors keys
// its problem may name (nil: not checked).
type cfWant map[int][]string

func (w cfWant) add(status int, keys ...string) cfWant {
	if keys == nil {
		w[status] = nil
		return w
	}
	w[status] = append(w[status], keys...)
	return w
}

func (w cfWant) String() string {
	var parts []string
	for _, s := range slices.Sorted(func(yield func(int) bool) {
		for s := range w {
			if !yield(s) {
				return
			}
		}
	}) {
		if w[s] != nil {
			parts = append(parts, fmt.Sprintf("%d naming %s", s, strings.Join(w[s], " or ")))
		} else {
			parts = append(parts, strconv.Itoa(s))
		}
	}
	return strings.Join(parts, ", or ")
}

// accepts reports whether the request may succeed.
func (w cfWant) accepts() bool {
	for s := range w {
		if s < 300 {
			return true
		}
	}
	return false
}

// replays reports whether a visit is a retry the server must answer from
// what it stored.
func (f *contractFuzzer) replays(in specfuzz.Input) bool {
	key, sent := in.Header["Idempotency-Key"]
	id, _ := cfInt(in.Path["id"])
	_, used := f.keys[cfKey{id, key}]
	return f.op.ID() == "createVisit" && sent && used
}

func (f *contractFuzzer) want(c specfuzz.Case) cfWant {
	keys := c.Keys
	if c.Expect == specfuzz.Invalid && c.Status == http.StatusNotAcceptable && f.op.Operation.Extensions["x-accept-per-resource"] == true {
		// The handler negotiates with the resource's own type, once it
		// has found it: an unknown one is a 404 whatever Accept says.
		if _, notFound := f.domain(c.Input)[http.StatusNotFound]; notFound {
			return cfWant{}.add(http.StatusNotFound)
		}
	}
	switch c.Expect {
	case specfuzz.Invalid:
		return cfWant{}.add(c.Status, keys...)
	case specfuzz.Either:
		w := f.domain(c.Input).add(c.Status, keys...)
		if slices.Contains(c.Keys, "Content-Type") {
			w.add(http.StatusUnsupportedMediaType, "Content-Type")
		}
		return w
	}
	return f.domain(c.Input)
}

// domain is what a valid request gets, given the state of the database
// right now: the documented outcomes for ids that do not exist, stale
// entity tags, reused idempotency keys and cross-field rules.
func (f *contractFuzzer) domain(in specfuzz.Input) cfWant {
	ctx := context.Background()
	ok := func(status int) cfWant { return cfWant{}.add(status) }
	bad := func(status int, keys ...string) cfWant { return cfWant{}.add(status, keys...) }
	id, _ := cfInt(in.Path["id"])
	body, _ := specfuzz.Decode(in.BodyText())
	fields, _ := body.(map[string]any)
	gold := func(name string) (int64, bool) { return cfInt(fields[name]) }
	// Names are unique: one another location has is refused after every
	// other check.
	nameTaken := func() bool {
		name, sent := fields["name"].(string)
		return sent && slices.ContainsFunc(f.allLocations(), func(l game.Location) bool { return l.Name == name && l.ID != id })
	}

	switch f.op.ID() {
	case "listLocations":
		if !f.cursorOK(in, "locations") {
			return bad(400, "cursor")
		}
		return cfRead(in, "")
	case "createLocation", "replaceLocation":
		lo, _ := gold("min_gold")
		hi, _ := gold("max_gold")
		if lo > hi {
			return bad(400, "min_gold")
		}
		if f.op.ID() == "createLocation" {
			if h, failed := cfUntaggedFalse(in); failed {
				return bad(412, h)
			}
			if nameTaken() {
				return bad(400, "name")
			}
			return ok(201)
		}
		fallthrough
	case "getLocation", "updateLocation", "deleteLocation":
		// A patch that sets both ends of the range is refused on its own,
		// as a PUT's body is: before a 404 or a 412.
		if f.op.ID() == "updateLocation" {
			lo, loSent := gold("min_gold")
			hi, hiSent := gold("max_gold")
			if loSent && hiSent && lo > hi {
				return bad(400, "min_gold")
			}
		}
		cur, err := f.s.Store.GetLocation(ctx, id)
		if err != nil {
			return bad(404)
		}
		if f.op.ID() == "getLocation" {
			return cfRead(in, f.etag(id))
		}
		inm, inmSent := in.Header["If-None-Match"]
		// A change: If-Match first, then If-None-Match (RFC 9110 §13.2.2).
		if h, sent := in.Header["If-Match"]; sent && !cfETagMatch(h, f.etag(id), true) {
			return bad(412, "If-Match")
		}
		if _, _, wellFormed := cfTags(inm); inmSent && (!wellFormed || cfETagMatch(inm, f.etag(id), false)) {
			return bad(412, "If-None-Match")
		}
		switch f.op.ID() {
		case "updateLocation":
			lo, hi, end := int64(cur.MinGold), int64(cur.MaxGold), "min_gold"
			if v, ok := gold("min_gold"); ok {
				lo = v
			}
			if v, ok := gold("max_gold"); ok {
				hi = v
				if _, both := gold("min_gold"); !both {
					end = "max_gold" // refused under the end it sets
				}
			}
			if lo > hi {
				return bad(400, end)
			}
		case "deleteLocation":
			return ok(204)
		}
		if nameTaken() {
			return bad(400, "name")
		}
		return ok(200)
	case "listPlayers":
		sort, sent := in.QueryValue("sort")
		if !sent {
			sort = "-gold"
		}
		if !f.cursorOK(in, "players "+sort) {
			return bad(400, "cursor")
		}
		return cfRead(in, "")
	case "createPlayer":
		if h, failed := cfUntaggedFalse(in); failed {
			return bad(412, h)
		}
		return ok(201)
	case "getPlayer", "deletePlayer", "replacePlayerToken", "createVisit":
		_, err := f.s.Store.GetPlayer(ctx, id)
		exists := err == nil
		switch {
		case in.Auth == cfAuthAdmin && f.op.ID() == "createVisit":
			return bad(401)
		case !exists:
			return bad(404)
		case in.Auth == cfAuthOther:
			return bad(403)
		case f.op.ID() == "getPlayer":
			return cfRead(in, "")
		}
		// A false precondition is answered once nothing else would fail.
		precondition := func(success int) cfWant {
			if h, failed := cfUntaggedFalse(in); failed {
				return bad(412, h)
			}
			return ok(success)
		}
		switch f.op.ID() {
		case "deletePlayer":
			return precondition(204)
		case "replacePlayerToken":
			return precondition(200)
		}
		loc, _ := cfInt(fields["location_id"])
		if key, sent := in.Header["Idempotency-Key"]; sent {
			if v, used := f.keys[cfKey{id, key}]; used {
				if v.LocationId == loc {
					return precondition(201) // a replay
				}
				return bad(422, "Idempotency-Key")
			}
		}
		if _, err := f.s.Store.GetLocation(ctx, loc); err != nil {
			return bad(400, "location_id")
		}
		return precondition(201)
	case "listVisits":
		if !f.cursorOK(in, fmt.Sprintf("visits %d", id)) {
			return bad(400, "cursor")
		}
		if _, err := f.s.Store.GetPlayer(ctx, id); err != nil {
			return bad(404)
		}
		return cfRead(in, "")
	case "getVisit":
		vid, _ := cfInt(in.Path["visit_id"])
		if _, err := f.s.Store.GetVisit(ctx, id, vid); err != nil {
			return bad(404)
		}
		return cfRead(in, "")
	case "getHealth", "getReadiness", "getMetrics":
		return cfRead(in, "")
	case "getDocsAsset":
		switch in.Path["asset"] {
		case "swagger-ui.css", "index.css", "favicon-32x32.png", "favicon-16x16.png", "LICENSE", "NOTICE", "VERSION",
			"initializer.js", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
			"swagger-ui-bundle.js.LICENSE.txt", "swagger-ui-standalone-preset.js.LICENSE.txt":
			// Each file has one type, by its name, and Accept must allow
			// that one (Accept values here allow one of the operation's
			// four types, not always the file's).
			types := map[string]string{".css": "text/css", ".js": "text/javascript", ".png": "image/png"}
			typ, known := types[path.Ext(in.Path["asset"])]
			if !known {
				typ = "text/plain"
			}
			if a, sent := in.Header["Accept"]; sent && !cfAccepts(a, typ) {
				return bad(406, "Accept")
			}
			return f.unchanged(in)
		}
		return bad(404)
	case "getDocs", "getOpenAPIJSON", "getOpenAPIYAML":
		return f.unchanged(in)
	case "getProblemType":
		// A page for each problem type the contract's answers carry.
		if !slices.Contains(slices.Collect(maps.Values(f.types)), "/problems/"+in.Path["problem"]) {
			return bad(404)
		}
		return f.unchanged(in)
	}
	return ok(f.success())
}

// success is the status the operation answers when all goes well: the
// first it declares below 400.
func (f *contractFuzzer) success() int {
	best := 0
	for code := range f.op.Operation.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n < 400 && (best == 0 || n < best) {
			best = n
		}
	}
	return best
}

// cursorList names the list the operation pages through, as cursors
// records it ("players" covers every sort, "visits" every player's).
func (f *contractFuzzer) cursorList() string {
	return map[string]string{"listLocations": "locations", "listPlayers": "players", "listVisits": "visits"}[f.op.ID()]
}

// cursorOK reports whether the request's cursor (if any) continues list.
func (f *contractFuzzer) cursorOK(in specfuzz.Input, list string) bool {
	c, sent := in.QueryValue("cursor")
	return !sent || f.cursors[c] == list
}

// unchanged is what a GET of the documentation or the contract gets: a
// read of its current tag.
func (f *contractFuzzer) unchanged(in specfuzz.Input) cfWant { return cfRead(in, f.docTag(in)) }

// cfRead is what a read that would answer 200 gets, tag being the ETag of
// what it would send ("" for none), in RFC 9110 §13.2.2's order: 412 when
// If-Match neither lists tag (strong comparison) nor is "*", then 304 when
// If-None-Match lists it (weak comparison) or is "*".
func cfRead(in specfuzz.Input, tag string) cfWant {
	if h, sent := in.Header["If-Match"]; sent && !cfETagMatch(h, tag, true) {
		return cfWant{}.add(412, "If-Match")
	}
	if h, sent := in.Header["If-None-Match"]; sent && cfETagMatch(h, tag, false) {
		return cfWant{}.add(304)
	}
	return cfWant{}.add(200)
}

// docTag is the ETag of the documentation file or contract in asks for, as
// a plain GET shows it ("" for a file that does not exist).
func (f *contractFuzzer) docTag(in specfuzz.Input) string {
	path := map[string]string{"getDocs": "/docs", "getOpenAPIJSON": "/openapi.json", "getOpenAPIYAML": "/openapi.yaml"}[f.op.ID()]
	switch f.op.ID() {
	case "getDocsAsset":
		path = "/docs/" + url.PathEscape(in.Path["asset"])
	case "getProblemType":
		path = "/problems/" + url.PathEscape(in.Path["problem"])
	}
	if path == "" {
		return ""
	}
	tag, seen := f.docTags[path]
	if !seen {
		tag = f.s.Do(f.tb, apitest.Request{Method: "GET", Path: path, NoCheck: true}).Header.Get("ETag")
		f.docTags[path] = tag
	}
	return tag
}

// cfUntaggedFalse reports which precondition of a request to a target
// without an entity tag is false, if one is (RFC 9110 §13.1): If-Match
// other than "*" (no tag can match), or else If-None-Match "*" (the target
// exists); a value not well formed is false too.
func cfUntaggedFalse(in specfuzz.Input) (string, bool) {
	if h, sent := in.Header["If-Match"]; sent && !cfETagMatch(h, "", true) {
		return "If-Match", true
	}
	if h, sent := in.Header["If-None-Match"]; sent {
		if _, any, ok := cfTags(h); !ok || any {
			return "If-None-Match", true
		}
	}
	return "", false
}

// cfETagMatch compares an If-Match (strong) or If-None-Match (weak) value
// with the current tag, as RFC 9110 says; a value not well formed (see
// cfTags) matches nothing.
func cfETagMatch(header, current string, strong bool) bool {
	tags, any, ok := cfTags(header)
	if !ok {
		return false
	}
	if any {
		return true
	}
	for _, t := range tags {
		if !strong {
			t = strings.TrimPrefix(t, "W/")
		}
		if current != "" && t == current {
			return true
		}
	}
	return false
}

// cfTags splits an If-Match or If-None-Match value at the commas outside
// quotes (an entity tag may hold commas). ok is false when a member other
// than an empty one is neither "*" nor an entity tag, or "*" comes with
// tags.
func cfTags(header string) (tags []string, any, ok bool) {
	var members []string
	quoted, start := false, 0
	for i := 0; i <= len(header); i++ {
		switch {
		case i == len(header) || header[i] == ',' && !quoted:
			members = append(members, strings.Trim(header[start:i], " \t"))
			start = i + 1
		case header[i] == '"':
			quoted = !quoted
		}
	}
	for _, m := range members {
		switch {
		case m == "":
		case m == "*":
			any = true
		case cfEntityTag(m):
			tags = append(tags, m)
		default:
			return nil, false, false
		}
	}
	if any && len(tags) > 0 {
		return nil, false, false
	}
	return tags, any, true
}

// cfEntityTag reports whether t is RFC 9110's entity-tag: [W/] DQUOTE
// *etagc DQUOTE, etagc being %x21 / %x23-7E / %x80-FF.
func cfEntityTag(t string) bool {
	t = strings.TrimPrefix(t, "W/")
	if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
		return false
	}
	for i := 1; i < len(t)-1; i++ {
		if c := t[i]; c != 0x21 && (c < 0x23 || c > 0x7e) && c < 0x80 {
			return false
		}
	}
	return true
}

// --- Sending a case and judging the answer.

func (f *contractFuzzer) send(i int, c specfuzz.Case) {
	req := f.request(c.Input)
	text := f.describe(req, c.Input)
	f.tb.begin(text)
	want := f.want(c)

	ctx := context.Background()
	id, _ := cfInt(c.Input.Path["id"])
	write := c.Input.Method != "GET" && c.Input.Method != "HEAD" || f.op.Method != "GET"
	// The database is compared before and after a write that must change
	// nothing: a refusal, or a replay. (When a write meant to succeed is
	// refused, its status is the failure to report.)
	var before *cfSnapshot
	from := max(0, f.locationHigh-100)
	if write && (!want.accepts() || c.Expect == specfuzz.Either || f.replays(c.Input)) {
		s := f.snapshot(c.Input, from)
		before = &s
		for _, l := range s.Locations {
			f.locationHigh = max(f.locationHigh, l.ID)
		}
	}
	var locBefore game.Location
	var playerBefore game.Player
	if write {
		locBefore, _ = f.s.Store.GetLocation(ctx, id)
		playerBefore, _ = f.s.Store.GetPlayer(ctx, id)
	}

	resp := f.s.Do(f.tb, req)
	var problems []string
	if req.Method == http.MethodGet && f.op.Method == http.MethodGet {
		head := req
		head.Method = http.MethodHead
		problems = append(problems, cfCheckHeadTwin(resp, f.s.Do(f.tb, head), f.op.ID() == "getMetrics")...)
	}
	problems = append(problems, f.tb.take()...)

	if resp.Status >= 500 {
		problems = append(problems, fmt.Sprintf("server error %d", resp.Status))
	}
	keys, allowed := want[resp.Status]
	if !allowed {
		problems = append(problems, fmt.Sprintf("status %d, want %s", resp.Status, want))
	}
	if resp.Status == http.StatusUnauthorized {
		if got, want := resp.Header.Get("WWW-Authenticate"), cfAuthenticate(req); got != want {
			problems = append(problems, fmt.Sprintf("WWW-Authenticate %q, want %q", got, want))
		}
	}
	switch {
	case resp.Status >= 400 && req.Method == http.MethodHead:
		// A HEAD to a path without GET (a 405): a problem's headers,
		// without its body.
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" || len(resp.Body) != 0 {
			problems = append(problems, fmt.Sprintf("HEAD answered %q with %d bytes, want application/problem+json and none", ct, len(resp.Body)))
		}
	case resp.Status >= 400:
		problems = append(problems, f.checkProblem(resp, keys, allowed, c)...)
	}
	if resp.Status == http.StatusMethodNotAllowed || resp.Status < 300 && f.op.Method == "OPTIONS" {
		if got, wantAllow := resp.Header.Get("Allow"), strings.Join(f.op.Methods, ", "); got != wantAllow {
			problems = append(problems, fmt.Sprintf("Allow = %q, want %q", got, wantAllow))
		}
	}
	replay := resp.Header.Get("Idempotent-Replayed") == "true"
	if before != nil && (resp.Status >= 300 || replay) {
		if diff := before.diff(f.snapshot(c.Input, from)); diff != "" {
			problems = append(problems, "the database changed though the write was refused or replayed: "+diff)
		}
	}
	if resp.Status < 300 {
		problems = append(problems, f.checkAccepted(c.Input, resp, locBefore, playerBefore)...)
	}

	f.stats[fmt.Sprintf("%s %d", c.Expect, resp.Status)]++
	if *contractFuzzTrace {
		f.t.Logf("case %d %q (%s) -> %d\n%s", i, c.Name, c.Expect, resp.Status, text)
	}
	if len(problems) == 0 {
		return
	}
	if f.reported[c.Name] {
		f.repeats++
		return
	}
	f.reported[c.Name] = true
	f.t.Errorf("%s, case %d %q (%s; -contractfuzz.seed=%d):\n%s\n-> %d %s %s\n  - %s",
		f.op.ID(), i, c.Name, c.Expect, f.seed, text, resp.Status, resp.Header.Get("Content-Type"),
		cfShow(resp.Body), strings.Join(problems, "\n  - "))
}

// request renders an input as the harness sends it, with credentials.
func (f *contractFuzzer) request(in specfuzz.Input) apitest.Request {
	req := apitest.Request{Method: in.Method, Path: in.Target(f.op.Path), Body: in.BodyText(), Header: map[string]string{}}
	for k, v := range in.Header {
		if v == "" {
			v = " " // a blank header arrives empty
		}
		req.Header[k] = v
	}
	if in.HasBody {
		if _, ok := in.Header["Content-Type"]; !ok {
			req.Header["Content-Type"] = "" // the harness would add one
		}
	}
	id, _ := cfInt(in.Path["id"])
	schemes := f.schemes()
	switch in.Auth {
	case specfuzz.AuthValid:
		switch {
		case schemes["playerToken"] && schemes["adminToken"]:
			if tok, ok := f.players[id]; ok && f.gen.R.IntN(2) == 0 {
				req.Token = tok
			} else {
				req.Token = admin
			}
		case schemes["playerToken"]:
			req.Token = f.players[id]
			if req.Token == "" {
				req.Token = f.players[f.playerIDs()[0]]
			}
		case schemes["adminToken"]:
			req.Token = admin
		case f.gen.R.IntN(4) == 0:
			// Public operations ignore credentials.
			req.Token = admin
		}
	case cfAuthAdmin:
		req.Token = admin
	case cfAuthOther:
		for _, other := range f.playerIDs() {
			if other != id {
				req.Token = f.players[other]
				break
			}
		}
	}
	if in.Auth != specfuzz.AuthSent {
		delete(req.Header, "Authorization")
	}
	return req
}

// describe writes the request exactly as sent, to reproduce it.
func (f *contractFuzzer) describe(req apitest.Request, in specfuzz.Input) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %s %s\n", req.Method, req.Path)
	var names []string
	for k := range req.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if req.Header[k] == "" {
			fmt.Fprintf(&b, "  (no %s)\n", k)
			continue
		}
		v := req.Header[k]
		if len(v) > 200 {
			v = v[:100] + fmt.Sprintf("...(%d bytes)", len(v))
		}
		fmt.Fprintf(&b, "  %s: %s\n", k, strconv.Quote(v))
	}
	if req.Token != "" {
		fmt.Fprintf(&b, "  Authorization: Bearer %s\n", req.Token)
	}
	if in.HasBody {
		fmt.Fprintf(&b, "  body: %s", cfShow([]byte(req.Body)))
	} else {
		b.WriteString("  (no body)")
	}
	return b.String()
}

// cfAuthenticate is the WWW-Authenticate a 401 to req must carry (RFC 6750
// §3.1): an error code only when req sent a bearer token, read from the
// Authorization header as the harness sends it.
func cfAuthenticate(req apitest.Request) string {
	auth := req.Header["Authorization"]
	if lines := req.Lines["Authorization"]; len(lines) > 0 {
		auth = lines[0]
	}
	if req.Token != "" {
		auth = "Bearer " + req.Token
	}
	scheme, token, _ := strings.Cut(auth, " ")
	if strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(token) != "" {
		return `Bearer error="invalid_token"`
	}
	return "Bearer"
}

// cfShow quotes a body, shortened when long.
func cfShow(body []byte) string {
	if len(body) > 600 {
		return strconv.Quote(string(body[:300])) + fmt.Sprintf("...(%d bytes)", len(body))
	}
	return strconv.Quote(string(body))
}

// checkProblem checks a problem: its status and type agree with the
// response, its errors name the fields they should, and every message is
// plain.
func (f *contractFuzzer) checkProblem(resp *apitest.Response, keys []string, allowed bool, c specfuzz.Case) []string {
	var problems []string
	var p generated.Problem
	if err := json.Unmarshal(resp.Body, &p); err != nil {
		return []string{fmt.Sprintf("problem is not JSON: %v", err)}
	}
	if int(p.Status) != resp.Status {
		problems = append(problems, fmt.Sprintf("problem status %d on a %d response", p.Status, resp.Status))
	}
	if want := f.types[resp.Status]; want != "" && string(p.Type) != want {
		problems = append(problems, fmt.Sprintf("problem type %q, want %q", p.Type, want))
	}
	if allowed && keys != nil {
		// A reversed location range is judged with the schema's errors: an
		// extra min_gold then, never instead of the fault the case made.
		extra := func(k string) bool {
			return k == "min_gold" && resp.Status == http.StatusBadRequest && !slices.Contains(keys, k) && f.rangeReversed(c.Input)
		}
		named := 0
		for k := range p.Errors {
			if !extra(k) {
				named++
			}
		}
		if named == 0 {
			problems = append(problems, fmt.Sprintf("errors names no field, want %s", strings.Join(keys, " or ")))
		}
		for k := range p.Errors {
			if !slices.Contains(keys, k) && !extra(k) {
				problems = append(problems, fmt.Sprintf("errors names %q, want only %s", k, strings.Join(keys, " or ")))
			}
		}
	}
	sent := cfSentValue(c)
	for k, msg := range p.Errors {
		if why := cfPlain(k, msg, sent); why != "" {
			problems = append(problems, fmt.Sprintf("message %q for %q %s", msg, k, why))
		}
	}
	return problems
}

// cfSentValue is the text of the value a case set, to catch messages that
// echo it.
func cfSentValue(c specfuzz.Case) string {
	switch c.Slot.In {
	case "path":
		return c.Input.Path[c.Slot.Name]
	case "query":
		v, _ := c.Input.QueryValue(c.Slot.Name)
		return v
	case "header":
		return c.Input.Header[c.Slot.Name]
	case "body":
		if body, ok := specfuzz.Decode(c.Input.BodyText()); ok {
			if m, ok := body.(map[string]any); ok {
				if s, ok := m[c.Slot.Name].(string); ok {
					return s
				}
			}
		}
	}
	return ""
}

// cfJargon marks a message meant for programmers rather than people.
var cfJargon = []string{"schema", "openapi", "kin-openapi", "JSON pointer", "Error at", "doesn't match", "strconv", "parsing",
	"syntax", "unmarshal", "reflect", "panic", "runtime", "%!", "<nil>", "Go ", "json:", "\"", "{", "}", "^", "$", "\\", "[", "]"}

// cfSnakeCase is the contract's snake_case, which messages write unquoted.
var cfSnakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// cfPlain says why msg, the message for key, is not a plain sentence
// about that field, or "" when it is.
func cfPlain(key, msg, sent string) string {
	switch {
	case msg == "":
		return "is empty"
	case !utf8.ValidString(msg) || strings.ContainsRune(msg, utf8.RuneError):
		return "is not valid UTF-8"
	case strings.ContainsFunc(msg, unicode.IsControl):
		return "holds control characters"
	case len(msg) > 200:
		return "is too long"
	case len(sent) >= 6 && strings.Contains(msg, sent):
		return "echoes the value sent"
	}
	name := key[strings.LastIndex(key, ".")+1:]
	// A member name that is not snake_case is quoted in its messages, as
	// the contract says (`"First_name" is not allowed`): those quotes are
	// the name's, not jargon. The rest of the message is held to the rest.
	if !cfSnakeCase.MatchString(name) {
		msg = strings.ReplaceAll(msg, `"`+name+`"`, name)
	}
	for _, j := range cfJargon {
		if strings.Contains(msg, j) {
			return fmt.Sprintf("is not plain (%q)", j)
		}
	}
	// The message opens with the field: its name, or for a body property
	// its last segment in words (first_name: "first name").
	label := strings.ReplaceAll(name, "_", " ")
	if key == "body" {
		name, label = "request", "request"
	}
	if !strings.HasPrefix(msg, label+" ") && !strings.HasPrefix(msg, name+" ") {
		return fmt.Sprintf("does not start with the field's name %q", label)
	}
	return ""
}

// cfAccepts is the fuzzer's own reading of Accept (RFC 9110, 12.5.1) for
// one media type without parameters, a /docs file's: among the ranges
// naming it, its type with *, or */*, the most specific decides, and it
// allows the file with a q above 0. A range asking for a charset matches
// only utf-8 (every such file is UTF-8 or has no characters), and one with
// any other parameter matches nothing. Written apart from internal/accept,
// which the server uses, so the fuzzer can catch it out.
func cfAccepts(accept, typ string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	major, _, _ := strings.Cut(typ, "/")
	best, q := -1, 0.0
	for _, r := range strings.Split(accept, ",") {
		parts := strings.Split(r, ";")
		level := -1
		switch strings.ToLower(strings.TrimSpace(parts[0])) {
		case typ:
			level = 2
		case major + "/*":
			level = 1
		case "*/*":
			level = 0
		}
		rq, matches := 1.0, level > best
		for _, p := range parts[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "q":
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					rq = f
				}
			case "charset":
				matches = matches && strings.EqualFold(strings.TrimSpace(v), "utf-8")
			case "":
				// An empty parameter (RFC 9110 §5.6.6) asks for nothing.
			default:
				matches = false
			}
		}
		if matches {
			best, q = level, rq
		}
	}
	return q > 0
}

// cfCheckHeadTwin compares the answer to a HEAD with the answer to the same
// request as GET: the same status and headers, Content-Length the size of
// the GET's body, and no body.
func cfCheckHeadTwin(get, head *apitest.Response, metrics bool) []string {
	var problems []string
	if head.Status != get.Status {
		problems = append(problems, fmt.Sprintf("HEAD: status %d, GET %d", head.Status, get.Status))
	}
	// (No body: the harness's server checks that, see sameButBody.)
	for _, name := range cfHeaderNames(get.Header, head.Header) {
		switch name {
		case "Date", "X-Request-Id":
			continue // differ from one answer to the next
		case "Content-Length":
			// /metrics counts the GET it just answered: the next answer is
			// longer. A chunked GET has no Content-Length; the HEAD gives
			// the size. A 304 has none either way.
			want := get.Header.Get(name)
			if want == "" && get.Status != http.StatusNotModified {
				want = strconv.Itoa(len(get.Body))
			}
			if cl := head.Header.Get(name); cl != want && !metrics {
				problems = append(problems, fmt.Sprintf("HEAD: Content-Length %q, want %s", cl, want))
			}
			continue
		}
		if g, h := get.Header.Values(name), head.Header.Values(name); !slices.Equal(g, h) {
			problems = append(problems, fmt.Sprintf("HEAD: %s %q, GET %q", name, h, g))
		}
	}
	return problems
}

// cfHeaderNames lists the header names of a and b, sorted, once each.
func cfHeaderNames(a, b http.Header) []string {
	var names []string
	for _, h := range []http.Header{a, b} {
		for name := range h {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// checkAccepted checks what an accepted request did: the resource it
// returns holds what was sent, and the database holds what it returns.
func (f *contractFuzzer) checkAccepted(in specfuzz.Input, resp *apitest.Response, locBefore game.Location, playerBefore game.Player) []string {
	ctx := context.Background()
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	body, decoded := specfuzz.Decode(in.BodyText())
	if in.HasBody && !decoded {
		// Not one JSON document: the status check has said it all.
		return problems
	}
	fields, _ := body.(map[string]any)
	str := func(name, fallback string) string {
		v, ok := fields[name]
		if !ok {
			return fallback
		}
		s, _ := v.(string) // null clears
		return s
	}
	num := func(name string, fallback int32) int32 {
		if v, ok := cfInt(fields[name]); ok {
			return int32(v)
		}
		return fallback
	}
	id, _ := cfInt(in.Path["id"])

	// Where the operation offers one resource in several media types
	// (JSON or CSV), a single type in Accept decides. (/docs/{asset}
	// serves each file in its own type, when Accept allows it.)
	if accept := in.Header["Accept"]; slices.Contains(f.op.Produces, "application/json") && slices.Contains(f.op.Produces, accept) {
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, accept) {
			fail("Content-Type %q, want %q as Accept asked", ct, accept)
		}
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && strings.HasPrefix(f.op.Operation.OperationID, "list") {
		var page struct{ Items []json.RawMessage }
		_ = json.Unmarshal(resp.Body, &page)
		limit := int64(20)
		if l, ok := in.QueryValue("limit"); ok {
			limit, _ = cfInt(l)
		}
		if int64(len(page.Items)) > limit {
			fail("%d items on a page of at most %d", len(page.Items), limit)
		}
	}

	switch f.op.ID() {
	case "createLocation", "replaceLocation", "updateLocation", "getLocation":
		var got generated.Location
		if err := json.Unmarshal(resp.Body, &got); err != nil {
			fail("location: %v", err)
			break
		}
		want := got
		switch f.op.ID() {
		case "createLocation", "replaceLocation":
			want.Name, want.MinGold, want.MaxGold, want.Description = str("name", ""), num("min_gold", 0), num("max_gold", 0), str("description", "")
		case "updateLocation":
			l := locBefore
			want.Name, want.MinGold, want.MaxGold, want.Description = str("name", l.Name), num("min_gold", l.MinGold), num("max_gold", l.MaxGold), str("description", l.Description)
		}
		if got != want {
			fail("the location returned is %+v, want %+v from the request", got, want)
		}
		if l, err := f.s.Store.GetLocation(ctx, got.Id); err != nil {
			fail("the location returned is not stored: %v", err)
		} else if stored := (generated.Location{Id: l.ID, Name: l.Name, MinGold: l.MinGold, MaxGold: l.MaxGold,
			Description: l.Description, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}); !cfSameLocation(stored, got) {
			fail("the location stored is %+v, the one returned %+v", stored, got)
		}
	case "deleteLocation":
		if _, err := f.s.Store.GetLocation(ctx, id); game.ErrorCode(err) != game.ENOTFOUND {
			fail("the deleted location is still there (%v)", err)
		}
	case "createPlayer", "getPlayer":
		var got generated.NewPlayerResult
		if err := json.Unmarshal(resp.Body, &got); err != nil {
			fail("player: %v", err)
			break
		}
		if f.op.ID() == "createPlayer" {
			if got.FirstName != str("first_name", "") || got.LastName != str("last_name", "") || got.Gold != 0 {
				fail("the player returned is %+v, want the names sent and no gold", got)
			}
			if owner, err := f.s.Store.PlayerIDByTokenHash(ctx, impl.HashToken(got.Token)); err != nil || owner != got.Id {
				fail("the token returned is not the player's: %d, %v", owner, err)
			}
			f.players[got.Id] = got.Token
		}
		if p, err := f.s.Store.GetPlayer(ctx, got.Id); err != nil {
			fail("the player returned is not stored: %v", err)
		} else if p.FirstName != got.FirstName || p.LastName != got.LastName || p.Gold != got.Gold {
			fail("the player stored is %+v, the one returned %+v", p, got)
		}
	case "replacePlayerToken":
		var got generated.NewPlayerResult
		if err := json.Unmarshal(resp.Body, &got); err != nil {
			fail("player: %v", err)
			break
		}
		if got.Id != id || got.Gold != playerBefore.Gold || got.FirstName != playerBefore.FirstName {
			fail("the player returned is %+v, want player %d as it was (%+v)", got, id, playerBefore)
		}
		if owner, err := f.s.Store.PlayerIDByTokenHash(ctx, impl.HashToken(got.Token)); err != nil || owner != id {
			fail("the new token is not the player's: %d, %v", owner, err)
		}
		if old, ok := f.players[id]; ok {
			if _, err := f.s.Store.PlayerIDByTokenHash(ctx, impl.HashToken(old)); !errors.Is(err, game.ErrUnknownToken) {
				fail("the replaced token still has an owner (%v)", err)
			}
		}
		f.players[id] = got.Token
	case "deletePlayer":
		if _, err := f.s.Store.GetPlayer(ctx, id); game.ErrorCode(err) != game.ENOTFOUND {
			fail("the deleted player is still there (%v)", err)
		}
		delete(f.players, id)
	case "createVisit":
		var got generated.Visit
		if err := json.Unmarshal(resp.Body, &got); err != nil {
			fail("visit: %v", err)
			break
		}
		key, keyed := in.Header["Idempotency-Key"]
		first, used := f.keys[cfKey{id, key}]
		replayed := resp.Header.Get("Idempotent-Replayed") == "true"
		switch {
		case keyed && used:
			if !replayed || got != first {
				fail("a retry with the same key and body must replay %+v with Idempotent-Replayed: true; got %+v (replayed %v)", first, got, replayed)
			}
		case replayed:
			fail("Idempotent-Replayed on a first request")
		default:
			loc, _ := cfInt(fields["location_id"])
			l, err := f.s.Store.GetLocation(ctx, loc)
			if got.LocationId != loc || got.PlayerId != id || err != nil || got.Gold < l.MinGold || got.Gold > l.MaxGold ||
				got.Balance != playerBefore.Gold+int64(got.Gold) || got.LocationName != l.Name {
				fail("visit %+v does not follow from location %+v and balance %d", got, l, playerBefore.Gold)
			}
			if p, err := f.s.Store.GetPlayer(ctx, id); err != nil || p.Gold != got.Balance {
				fail("the player's gold is %d, the visit's balance %d", p.Gold, got.Balance)
			}
			if keyed {
				f.keys[cfKey{id, key}] = got
			}
		}
	}
	return problems
}

func cfSameLocation(a, b generated.Location) bool {
	return a.Id == b.Id && a.Name == b.Name && a.MinGold == b.MinGold && a.MaxGold == b.MaxGold &&
		a.Description == b.Description && a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}

// cfSnapshot is what a refused write must leave unchanged: the first
// locations and the newest ones, the newest players, and the player in
// the path with their visits. (Whole tables would make a long run
// quadratic; anything a write adds shows at the end.)
type cfSnapshot struct {
	Locations []game.Location
	Players   []game.Player
	Player    game.Player
	Visits    []game.Visit
	// TokenOwner is whose the token the fuzzer holds for Player is (0:
	// nobody's, or no token held).
	TokenOwner int64
}

// diff describes the first difference from after, "" when there is none.
func (s cfSnapshot) diff(after cfSnapshot) string {
	for _, d := range []string{
		cfFirstDiff("locations", s.Locations, after.Locations),
		cfFirstDiff("players", s.Players, after.Players),
		cfFirstDiff("visits", s.Visits, after.Visits),
	} {
		if d != "" {
			return d
		}
	}
	if s.Player != after.Player {
		return fmt.Sprintf("player %+v became %+v", s.Player, after.Player)
	}
	if s.TokenOwner != after.TokenOwner {
		return fmt.Sprintf("the player's token was player %d's and is player %d's", s.TokenOwner, after.TokenOwner)
	}
	return ""
}

func cfFirstDiff[T any](what string, a, b []T) string {
	for i := range min(len(a), len(b)) {
		if !reflect.DeepEqual(a[i], b[i]) {
			return fmt.Sprintf("%s: %+v became %+v", what, a[i], b[i])
		}
	}
	if len(a) != len(b) {
		return fmt.Sprintf("%d %s became %d", len(a), what, len(b))
	}
	return ""
}

// snapshot reads the state a refused write must not change; from is where
// the newest locations start.
func (f *contractFuzzer) snapshot(in specfuzz.Input, from int64) cfSnapshot {
	ctx := context.Background()
	var s cfSnapshot
	for _, after := range []int64{0, from} {
		locs, err := f.s.Store.ListLocations(ctx, after, 100)
		if err != nil {
			f.t.Fatalf("snapshot: %v", err)
		}
		s.Locations = append(s.Locations, locs...)
	}
	var err error
	if s.Players, err = f.s.Store.ListPlayers(ctx, game.PlayerPage{Sort: game.ByCreatedAtDesc, Limit: 100}); err != nil {
		f.t.Fatalf("snapshot: %v", err)
	}
	if id, ok := cfInt(in.Path["id"]); ok && strings.HasPrefix(f.op.Path, "/players/") {
		s.Player, _ = f.s.Store.GetPlayer(ctx, id)
		s.Visits, _ = f.s.Store.ListVisits(ctx, id, 0, 100)
		if token, ok := f.players[id]; ok {
			s.TokenOwner, _ = f.s.Store.PlayerIDByTokenHash(ctx, impl.HashToken(token))
		}
	}
	return s
}

// cfInt reads an integer from a JSON value, a Raw text or a parameter.
func cfInt(v any) (int64, bool) {
	var text string
	switch v := v.(type) {
	case int64:
		return v, true
	case int:
		return int64(v), true
	case json.Number:
		text = v.String()
	case specfuzz.Raw:
		text = string(v)
	case string:
		text = v
	default:
		return 0, false
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, true
	}
	bf, ok := new(big.Float).SetString(text)
	if !ok || !bf.IsInt() {
		return 0, false
	}
	n, acc := bf.Int64()
	return n, acc == big.Exact
}

// cfProblemTypes maps each status to the problem type the contract's
// response components show for it in their examples.
func cfProblemTypes(doc interface{ MarshalJSON() ([]byte, error) }) map[int]string {
	raw, _ := doc.MarshalJSON()
	var d struct {
		Components struct {
			Responses map[string]struct {
				Content map[string]struct {
					Example struct {
						Type   string
						Status int
					}
				}
			}
		}
	}
	_ = json.Unmarshal(raw, &d)
	out := map[int]string{}
	for _, r := range d.Components.Responses {
		if ex := r.Content["application/problem+json"].Example; ex.Type != "" {
			out[ex.Status] = ex.Type
		}
	}
	return out
}

// cfTB is the testing.TB the harness reports to: it holds the contract
// violations the harness finds for the request being sent, so they are
// reported with that request.
type cfTB struct {
	testing.TB
	mu      sync.Mutex
	current string
	errs    []string
}

// begin names the request being sent. What the harness reported while
// the case was being made (the requests its hooks sent) is kept for it.
func (c *cfTB) begin(request string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.current = request
}

func (c *cfTB) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	errs := c.errs
	c.errs = nil
	return errs
}

func (c *cfTB) Errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

func (c *cfTB) Error(args ...any) { c.Errorf("%s", fmt.Sprint(args...)) }

func (c *cfTB) Fatalf(format string, args ...any) {
	c.TB.Helper()
	c.mu.Lock()
	current := c.current
	c.mu.Unlock()
	c.TB.Fatalf(format+"\nwhile sending:\n%s", append(args, current)...)
}

// cfLogHandler keeps the server's warnings and errors (the response
// checks' violations, internal errors) for the request being sent, and
// drops the access log, which would bury a failure under thousands of
// lines.
type cfLogHandler struct{ tb *cfTB }

func (h cfLogHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h cfLogHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString("server logged: " + r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	h.tb.Errorf("%s", b.String())
	return nil
}

func (h cfLogHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h cfLogHandler) WithGroup(string) slog.Handler      { return h }
