package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
	"github.com/ninjagold/ninjagold-api/store/postgres"
	"github.com/ninjagold/ninjagold-api/store/postgres/pgtest"
)

// Config.StoreDeadline ends a request's database calls, whatever the
// store's own call timeout (none here): a visit waiting on its player's
// row, which another process holds, is answered 503 in time, and changes
// nothing. The log says the deadline passed, and how much of it a slow
// body spent before the database was asked.
func TestStoreDeadline(t *testing.T) {
	store, conn := storeAndAnotherProcess(t)
	s := apitest.NewServer(t, apitest.Options{Store: store, Config: api.Config{StoreDeadline: 3 * time.Second}})

	for _, tc := range []struct {
		name      string
		bodyDelay time.Duration // before the body is sent
		wantLog   *regexp.Regexp
	}{
		// At once, the body takes no tenth of the deadline, but on a
		// machine loaded enough, which the log then says.
		{"body at once", 0, regexp.MustCompile(
			`^no answer within the request's deadline \(3s\): context deadline exceeded(; the request's body had taken \d+ms of the request's deadline \(3s\) to arrive)?$`)},
		// The delay runs from before the request is sent: what the
		// server counts, from the headers' arrival, is a little less.
		{"slow body", time.Second, regexp.MustCompile(
			`^no answer within the request's deadline \(3s\): context deadline exceeded; the request's body had taken ([5-9]\d\dms|[12](\.\d+)?s) of the request's deadline \(3s\) to arrive$`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPlayer(t, s, "Kira", "Sato")
			// Without the deadline the visit would wait for the row: it
			// gets it after 20s, and the test fails on its 201 instead of
			// hanging.
			_, release := holdPlayerRow(t, conn, p.Id, 20*time.Second)

			logged := len(*s.Log)
			status, problem := slowVisit(t, s, p, tc.bodyDelay)
			if status != http.StatusServiceUnavailable {
				t.Fatalf("visit while the row is held: got %d %+v, want 503", status, problem)
			}
			if got, want := problem.Detail, "The database did not answer in time."; got != want {
				t.Errorf("detail: got %q, want %q", got, want)
			}
			if said := unavailableLogged(s, logged); len(said) != 1 || !tc.wantLog.MatchString(said[0]) {
				t.Errorf("logged: got %q, want one matching %s", said, tc.wantLog)
			}
			release()
			if got := getPlayer(t, s, p.path); got.Gold != 0 {
				t.Errorf("player gold after the refused visit: got %d, want 0", got.Gold)
			}
			if resp, v := visit(t, s, p, farm, ""); resp.Status != http.StatusCreated || getPlayer(t, s, p.path).Gold != int64(v.Gold) {
				t.Errorf("a visit once the row is free: got %d %s", resp.Status, resp.Body)
			}
		})
	}
}

// A deadline passed waiting for the player's turn (a *game.Error, where a
// wait on the row gives the context's error) is told with the slow body's
// part in it too: a visit through one server holds the player's turn,
// waiting on the row another process holds, and one through a server of
// the same store with a shorter deadline, whose body comes late, waits for
// the turn until its deadline passes, and changes nothing.
func TestStoreDeadlineWaitingForATurn(t *testing.T) {
	store, conn := storeAndAnotherProcess(t)
	patient := apitest.NewServer(t, apitest.Options{Store: store, Config: api.Config{StoreDeadline: time.Minute}})
	s := apitest.NewServer(t, apitest.Options{Store: store, Config: api.Config{StoreDeadline: 3 * time.Second}})

	p := newPlayer(t, s, "Kira", "Sato")
	tx, release := holdPlayerRow(t, conn, p.Id, 30*time.Second)

	first := make(chan generated.Visit, 1)
	go func() {
		resp, v := visit(t, patient, p, farm, "")
		if resp.Status != http.StatusCreated {
			t.Errorf("the visit holding the turn: %d %s, want 201 once the row is free", resp.Status, resp.Body)
		}
		first <- v
	}()
	// It holds the turn once it waits on the row.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var blocked int
		if err := tx.QueryRow(t.Context(),
			`SELECT count(*) FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))`).Scan(&blocked); err != nil {
			t.Fatal(err)
		}
		if blocked > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first visit did not wait on the row within 10 s")
		}
	}

	status, problem := slowVisit(t, s, p, time.Second)
	if status != http.StatusServiceUnavailable || problem.Detail != "The database did not answer in time." {
		t.Errorf("visit waiting for the turn: %d %+v, want 503: the database did not answer in time", status, problem)
	}
	want := regexp.MustCompile(`^postgres: waited past the deadline for the turn of player \d+, held by its earlier writes in this process \(a burst of writes to one player\): context deadline exceeded; the request's body had taken ([5-9]\d\dms|[12](\.\d+)?s) of the request's deadline \(3s\) to arrive$`)
	if said := unavailableLogged(s, 0); len(said) != 1 || !want.MatchString(said[0]) {
		t.Errorf("logged: got %q, want one matching %s", said, want)
	}

	release()
	v := <-first
	if got := getPlayer(t, s, p.path).Gold; got != int64(v.Gold) {
		t.Errorf("gold = %d, want %d: the first visit's alone", got, v.Gold)
	}
}

// The slow body's note goes only with a deadline passed, and only where a
// store deadline is set (a request without one has no deadline for the
// body to spend), and only when the body took a tenth of it or more. Each
// visit here is answered by a middleware with the row's error, as the
// store would return it; it also sees the request's deadline, which is
// StoreDeadline's.
func TestSlowBodyNoteGoesWithADeadlinePassed(t *testing.T) {
	for _, tc := range []struct {
		name      string
		deadline  time.Duration // Config.StoreDeadline
		bodyDelay time.Duration
		err       error
		logged    string
	}{
		{"no deadline", 0, 400 * time.Millisecond, context.DeadlineExceeded, "context deadline exceeded"},
		{"another cause", 2 * time.Second, 400 * time.Millisecond, game.Unavailable(errors.New("connection refused")), "connection refused"},
		// 300 ms is well under a tenth of 10 s, however loaded the machine.
		{"the body within a tenth", 10 * time.Second, 300 * time.Millisecond, context.DeadlineExceeded, "no answer within the request's deadline (10s): context deadline exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// What was left of the request's deadline as the handler was
			// called; -1 for none.
			left := make(chan time.Duration, 1)
			answer := func(f generated.StrictHandlerFunc, op string) generated.StrictHandlerFunc {
				if op != "CreateVisit" {
					return f
				}
				return func(c *gin.Context, req any) (any, error) {
					remaining := time.Duration(-1)
					if dl, ok := c.Request.Context().Deadline(); ok {
						remaining = time.Until(dl)
					}
					left <- remaining
					return nil, tc.err
				}
			}
			s := apitest.NewServer(t, apitest.Options{Config: api.Config{StoreDeadline: tc.deadline,
				StrictMiddlewares: []generated.StrictMiddlewareFunc{answer}}})
			p := newPlayer(t, s, "Kira", "Sato")
			if status, problem := slowVisit(t, s, p, tc.bodyDelay); status != http.StatusServiceUnavailable {
				t.Errorf("visit: %d %+v, want 503", status, problem)
			}
			if said := unavailableLogged(s, 0); len(said) != 1 || said[0] != tc.logged {
				t.Errorf("logged %q, want %q alone", said, tc.logged)
			}
			remaining := <-left
			if tc.deadline == 0 && remaining != -1 || tc.deadline > 0 && (remaining <= 0 || remaining > tc.deadline) {
				t.Errorf("the handler's context had %v of its deadline left, want none with StoreDeadline 0, else at most StoreDeadline (%v)", remaining, tc.deadline)
			}
		})
	}
}

// storeAndAnotherProcess opens a PostgreSQL store in pgtest's schema, and a
// connection to it as another process's.
func storeAndAnotherProcess(t *testing.T) (*postgres.Store, *pgx.Conn) {
	t.Helper()
	url := pgtest.TestURL(t)
	store, err := postgres.Open(t.Context(), url, postgres.Options{})
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return store, conn
}

// holdPlayerRow locks player id's row from conn, another process's, in a
// transaction it rolls back on release, after most (so that a test whose
// request waits on the row fails instead of hanging), or at the test's end.
func holdPlayerRow(t *testing.T, conn *pgx.Conn, id int64, most time.Duration) (tx pgx.Tx, release func()) {
	t.Helper()
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), `SELECT FROM players WHERE id = $1 FOR UPDATE`, id); err != nil {
		tx.Rollback(context.Background())
		t.Fatal(err)
	}
	var once sync.Once
	rollback := func() { once.Do(func() { tx.Rollback(context.Background()) }) }
	timer := time.AfterFunc(most, rollback)
	t.Cleanup(rollback)
	return tx, func() {
		if !timer.Stop() {
			t.Errorf("player %d's row was let go after %v, before the test was done with it", id, most)
		}
		rollback()
	}
}

// unavailableLogged is what s logged as "database unavailable" since its
// first records.
func unavailableLogged(s *apitest.Server, first int) []string {
	var said []string
	for _, r := range (*s.Log)[first:] {
		if r.Message == "database unavailable" {
			r.Attrs(func(a slog.Attr) bool {
				if a.Key == "err" {
					said = append(said, a.Value.String())
				}
				return true
			})
		}
	}
	return said
}

// slowVisit sends p a visit to the farm whose body follows its headers
// after delay, and returns the status and the problem answered.
func slowVisit(t *testing.T, s *apitest.Server, p player, delay time.Duration) (int, generated.Problem) {
	t.Helper()
	body, w := io.Pipe()
	go func() {
		time.Sleep(delay)
		w.Write([]byte(`{"location_id":1}`))
		w.Close()
	}()
	req, err := http.NewRequestWithContext(t.Context(), "POST", s.URL+p.path+"/visits", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+p.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var problem generated.Problem
	if err := json.NewDecoder(resp.Body).Decode(&problem); err != nil {
		t.Fatalf("decode the answer: %v", err)
	}
	return resp.StatusCode, problem
}

// With a deadline set, a panic after the status line went out is still the
// server's error in the log, not the client's leaving: the deadline's
// context, which ends as the handler returns, is not the request's own.
func TestStoreDeadlineKeepsPanicsTheServers(t *testing.T) {
	boom := func(f generated.StrictHandlerFunc, name string) generated.StrictHandlerFunc {
		return func(c *gin.Context, req any) (any, error) {
			c.Writer.WriteHeaderNow()
			panic("after the status line")
		}
	}
	s := apitest.NewServer(t, apitest.Options{NoResponseCheck: true,
		Config: api.Config{StoreDeadline: time.Minute, StrictMiddlewares: []generated.StrictMiddlewareFunc{boom}}})
	s.Do(t, apitest.Request{Method: "GET", Path: "/locations/1", NoCheck: true})
	var logged []string
	for _, r := range *s.Log {
		logged = append(logged, r.Level.String()+" "+r.Message)
	}
	if !slices.Contains(logged, "ERROR internal error after the response began") || slices.Contains(logged, "INFO client went away") {
		t.Errorf("logged %q, want the panic logged as the server's error", logged)
	}
}
