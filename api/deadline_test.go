package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
	"github.com/ninjagold/ninjagold-api/store/postgres"
	"github.com/ninjagold/ninjagold-api/store/postgres/pgtest"
)

// Config.StoreDeadline ends a request's database calls, whatever the
// store's own call timeout (none here): a visit waiting on its player's
// row, which another process holds, is answered 503 in time, and changes
// nothing.
func TestStoreDeadline(t *testing.T) {
	url := pgtest.TestURL(t)
	store, err := postgres.Open(t.Context(), url, postgres.Options{})
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	s := apitest.NewServer(t, apitest.Options{Store: store, Config: api.Config{StoreDeadline: 500 * time.Millisecond}})
	p := newPlayer(t, s, "Kira", "Sato")

	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), `SELECT FROM players WHERE id = $1 FOR UPDATE`, p.Id); err != nil {
		t.Fatal(err)
	}
	// Without the deadline the visit would wait for the row: it gets it
	// after 20s, and the test fails on its 201 instead of hanging.
	timer := time.AfterFunc(20*time.Second, func() { tx.Rollback(context.Background()) })
	defer timer.Stop()

	resp, _ := visit(t, s, p, farm, "")
	if resp.Status != http.StatusServiceUnavailable {
		t.Fatalf("visit while the row is held: got %d %s, want 503", resp.Status, resp.Body)
	}
	if got, want := resp.Problem(t).Detail, "The database did not answer in time."; got != want {
		t.Errorf("detail: got %q, want %q", got, want)
	}
	var logged string
	for _, r := range *s.Log {
		if r.Message == "database unavailable" {
			r.Attrs(func(a slog.Attr) bool {
				if a.Key == "err" {
					logged = a.Value.String()
				}
				return true
			})
		}
	}
	if want := "no answer within the request's deadline (500ms): context deadline exceeded"; logged != want {
		t.Errorf("logged: got %q, want %q", logged, want)
	}
	timer.Stop()
	if err := tx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := getPlayer(t, s, p.path); got.Gold != 0 {
		t.Errorf("player gold after the refused visit: got %d, want 0", got.Gold)
	}
	if resp, v := visit(t, s, p, farm, ""); resp.Status != http.StatusCreated || getPlayer(t, s, p.path).Gold != int64(v.Gold) {
		t.Errorf("a visit once the row is free: got %d %s", resp.Status, resp.Body)
	}
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
