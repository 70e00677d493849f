package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ninjagold/ninjagold-api/store/postgres/pgtest"
)

// Two server processes over one PostgreSQL keep every guarantee of the
// game: concurrent visits through both leave exact balances, and retries
// of one idempotency key through both create exactly one visit.
func TestTwoInstancesOnPostgres(t *testing.T) {
	url := pgtest.TestURL(t)
	// Both start at once: the migrations must run exactly once between them.
	var a, b *process
	var errA, errB error
	var wg sync.WaitGroup
	wg.Go(func() { a, errA = tryStart(t, url) })
	wg.Go(func() { b, errB = tryStart(t, url) })
	wg.Wait()
	if err := errors.Join(errA, errB); err != nil {
		t.Fatal(err)
	}
	instances := []*process{a, b}
	players := createPlayers(t, a.URL, 3)
	_, schema, _ := strings.Cut(url, "search_path=") // pgtest's schema
	schema, _, _ = strings.Cut(schema, "&")
	if want := ", schema " + schema + ")"; !strings.Contains(a.stdout.String(), want) || !strings.Contains(a.stdout.String(), "(database PostgreSQL postgres://") {
		t.Errorf("the start-up lines do not name the schema (%q):\n%s", want, a.stdout)
	}

	t.Run("concurrent visits through both are exact", func(t *testing.T) {
		const perWorker = 12
		var mu sync.Mutex
		var acked []visitResult
		var wg sync.WaitGroup
		for w := range 16 {
			wg.Go(func() {
				p, inst := players[w%len(players)], instances[w%2]
				for i := range perWorker {
					resp, body, err := postJSON(http.DefaultClient, fmt.Sprintf("%s/players/%d/visits", inst.URL, p.ID), p.Token,
						fmt.Sprintf(`{"location_id":%d}`, (w+i)%4+1), nil)
					if err != nil || resp.StatusCode != 201 {
						t.Errorf("visit: %v %s", err, body)
						return
					}
					var v visitResult
					mustJSON(t, body, &v)
					mu.Lock()
					acked = append(acked, v)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(acked) != 16*perWorker {
			t.Fatalf("%d visits acknowledged, want %d", len(acked), 16*perWorker)
		}
		checkLedger(t, b.URL, players, acked, true)
	})

	t.Run("one idempotency key through both instances makes one visit", func(t *testing.T) {
		p := createPlayers(t, b.URL, 1)[0]
		ids := make(chan int64, 24)
		var wg sync.WaitGroup
		for i := range 24 {
			wg.Go(func() {
				resp, body, err := postJSON(http.DefaultClient, fmt.Sprintf("%s/players/%d/visits", instances[i%2].URL, p.ID), p.Token,
					`{"location_id":4}`, map[string]string{"Idempotency-Key": "same-everywhere"})
				if err != nil {
					t.Errorf("retry %d: %v", i, err)
					return
				}
				if resp.StatusCode != 201 {
					t.Errorf("retry %d: %d %s, want 201", i, resp.StatusCode, body)
					return
				}
				var v visitResult
				mustJSON(t, body, &v)
				ids <- v.ID
			})
		}
		wg.Wait()
		close(ids)
		first := int64(0)
		for id := range ids {
			if first == 0 {
				first = id
			} else if id != first {
				t.Errorf("retries returned visits %d and %d, want one", first, id)
			}
		}
		var log struct {
			Items []visitResult `json:"items"`
		}
		getJSON(t, fmt.Sprintf("%s/players/%d/visits", a.URL, p.ID), &log)
		if len(log.Items) != 1 {
			t.Errorf("log has %d visits, want 1", len(log.Items))
		}
		var got playerInfo
		getJSON(t, fmt.Sprintf("%s/players/%d", b.URL, p.ID), &got)
		if len(log.Items) == 1 && got.Gold != log.Items[0].Gold {
			t.Errorf("gold = %d, want the one visit's %d", got.Gold, log.Items[0].Gold)
		}
	})
}

// proxy forwards TCP connections to PostgreSQL. Taken down, it drops every
// connection and closes each new one at once: the database "goes away"
// (without giving its port up, which another process could take meanwhile).
type proxy struct {
	addr   string
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{target: target, addr: ln.Addr().String()}
	t.Cleanup(func() {
		ln.Close()
		p.setDown(true)
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			down := p.down
			p.mu.Unlock()
			if down {
				c.Close()
				continue
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			if p.down { // taken down while dialling
				p.mu.Unlock()
				c.Close()
				up.Close()
				continue
			}
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

// setDown takes the proxy down (dropping its connections) or up again.
func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

func readyz(t *testing.T, base string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(base + "/readyz")
	if err != nil {
		t.Fatalf("readyz: %v", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type")
}

// The database's settings reach the store: --db-max-conns is the size of
// the pool /metrics reports. The URL's scheme is in capitals, which the
// configuration takes for PostgreSQL, so the store must open it too.
func TestPostgresSettingsReachTheStore(t *testing.T) {
	dbURL := pgtest.TestURL(t)
	rest, ok := strings.CutPrefix(dbURL, "postgres://")
	if !ok {
		t.Fatalf("pgtest's URL %q does not start with postgres://", dbURL)
	}
	p := start(t, "POSTGRES://"+rest, "--db-max-conns", "3")
	if got := metricValues(t, p.URL, `ninjagold_db_pool_max_connections{pool="main"}`)[0]; got != 3 {
		t.Errorf("pool size on /metrics with --db-max-conns 3: %v", got)
	}
	createPlayers(t, p.URL, 1) // and it writes
}

// ninjagold migrate says which database it migrated without its password:
// the URL's own, or else one made up here, which trust authentication (as
// on this project's machines) ignores.
func TestMigrateHidesThePassword(t *testing.T) {
	dbURL := pgtest.TestURL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	secret, ok := u.User.Password()
	if !ok || secret == "" {
		secret = "s3cret-pw"
		u.User = url.UserPassword(u.User.Username(), secret)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, binary, "migrate", "--db", u.String()).CombinedOutput()
	if err != nil && strings.Contains(string(out), "password authentication failed") {
		t.Skipf("the server checks passwords, and %q is none: %s", secret, out)
	}
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	_, schema, _ := strings.Cut(dbURL, "search_path=") // pgtest's schema
	schema, _, _ = strings.Cut(schema, "&")
	if !strings.Contains(string(out), "migrations applied to") || !strings.Contains(string(out), schema) || strings.Contains(string(out), secret) {
		t.Errorf("migrate printed %q: want the database and schema %s named, and not the password", out, schema)
	}
}

// /readyz answers 503 problem+json while PostgreSQL is unreachable and 200
// again once it is back, and requests meanwhile get 503, not a hang.
func TestReadinessFollowsPostgres(t *testing.T) {
	dbURL := pgtest.TestURL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	px := newProxy(t, u.Host)
	u.Host = px.addr
	srv := start(t, u.String(), "--db-connect-timeout", "1s", "--db-statement-timeout", "2s")

	if code, _ := readyz(t, srv.URL); code != 200 {
		t.Fatalf("readyz with the database up = %d, want 200", code)
	}
	px.setDown(true)
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, ct := readyz(t, srv.URL)
		if code == 503 && ct == "application/problem+json" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz with the database gone = %d %s, want 503 problem", code, ct)
		}
		time.Sleep(100 * time.Millisecond)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(srv.URL + "/locations")
	if err != nil {
		t.Fatalf("GET /locations with the database gone: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("GET /locations with the database gone = %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	px.setDown(false)
	deadline = time.Now().Add(15 * time.Second)
	for {
		if code, _ := readyz(t, srv.URL); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("readyz did not return to 200 after the database came back")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A request the client gives up on stops its query: a visit waiting for its
// player's row, which another transaction holds, leaves PostgreSQL when the
// client hangs up, and is not recorded once the row is free.
func TestCancelledRequestStopsItsQuery(t *testing.T) {
	dbURL := pgtest.TestURL(t)
	p := start(t, dbURL)
	player := createPlayers(t, p.URL, 1)[0]
	ctx := t.Context()
	holder, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(context.Background())
	watcher, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close(context.Background())
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `SELECT 1 FROM players WHERE id = $1 FOR UPDATE`, player.ID); err != nil {
		t.Fatal(err)
	}
	// The queries waiting for a lock the holder has: the visit's (other
	// tests share the database, and their waits are not this test's).
	waiting := func() int {
		t.Helper()
		var n int
		if err := watcher.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE $1 = ANY(pg_blocking_pids(pid))`, holder.PgConn().PID()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	until := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 10s", what)
			}
		}
	}

	reqCtx, hangUp := context.WithCancel(ctx)
	answered := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(reqCtx, "POST", fmt.Sprintf("%s/players/%d/visits", p.URL, player.ID),
			strings.NewReader(`{"location_id":1}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+player.Token)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("answered %d", resp.StatusCode)
		}
		answered <- err
	}()
	until("the visit waits for its player's row", func() bool { return waiting() == 1 })
	hangUp()
	if err := <-answered; !errors.Is(err, context.Canceled) {
		t.Fatalf("the visit, row held: %v, want the client's cancellation", err)
	}
	until("the visit's query leaves once the client hangs up", func() bool { return waiting() == 0 })

	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // room for a write that was not stopped
	var log struct {
		Items []visitResult `json:"items"`
	}
	getJSON(t, fmt.Sprintf("%s/players/%d/visits", p.URL, player.ID), &log)
	if len(log.Items) != 0 {
		t.Errorf("%d visits recorded, want none: the cancelled visit went on", len(log.Items))
	}
}
