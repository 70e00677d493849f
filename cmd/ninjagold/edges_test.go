package main

// Edges of the command a mutation sweep found no test held: each test
// below failed with a small change to main.go or database.go (a condition
// turned, a statement dropped), where every other test passed.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// The start-up line says response validation is on only when it is, and a
// stop without --shutdown-delay says nothing of a delay.
func TestStartupAndStopLinesFollowTheFlags(t *testing.T) {
	const validated = "every response is checked against openapi.yaml"
	for _, validate := range []bool{false, true} {
		var args []string
		if validate {
			args = append(args, "--validate-responses")
		}
		p := start(t, filepath.Join(t.TempDir(), "ninjagold.db"), args...)
		p.signal(t, syscall.SIGTERM)
		if err := p.wait(t); err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr)
		}
		out := p.stdout.String()
		if got := strings.Contains(out, validated); got != validate {
			t.Errorf("--validate-responses=%v: the start-up lines say %q: %v\n%s", validate, validated, got, out)
		}
		if want := fmt.Sprintf(`"validate_responses":%v`, validate); !strings.Contains(p.stderr.String(), want) {
			t.Errorf("--validate-responses=%v: the listening log line has no %s:\n%s", validate, want, p.stderr)
		}
		if strings.Contains(out, "shutting down in") || strings.Contains(p.stderr.String(), `"msg":"draining"`) {
			t.Errorf("no --shutdown-delay, yet a delay was announced:\n%s\n%s", out, p.stderr)
		}
	}
}

// "postgres://" alone is a PostgreSQL URL: every setting from pgx's defaults
// and the PG* variables.
func TestPostgresDSNBareScheme(t *testing.T) {
	for _, db := range []string{"postgres://", "PostgreSQL://"} {
		if dsn, ok := postgresDSN(db); !ok || dsn != strings.ToLower(db) {
			t.Errorf("postgresDSN(%q) = %q, %v; want %q, true", db, dsn, ok, strings.ToLower(db))
		}
		if err := checkDB(db); err != nil {
			t.Errorf("checkDB(%q): %v", db, err)
		}
	}
}

// failingListener's Accept fails once fail is closed.
type failingListener struct {
	net.Listener
	fail chan struct{}
}

func (l failingListener) Accept() (net.Conn, error) {
	<-l.fail
	return nil, errors.New("accept failed")
}

// A server that stops serving on its own, before a signal or during the
// delay, is an error, and no request was cut off.
func TestServeReportsAServerThatStopped(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for _, during := range []string{"serving", "the delay"} {
		t.Run(during, func(t *testing.T) {
			inner, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer inner.Close()
			ln := failingListener{inner, make(chan struct{})}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			how := shutdown{delay: time.Hour, timeout: time.Hour, drain: func() { close(ln.fail) }}
			if during == "serving" {
				how.drain = func() {}
				close(ln.fail)
			} else {
				cancel()
			}
			cutOff, err := serve(ctx, context.Background(), &http.Server{Handler: http.NotFoundHandler()}, ln, how, log, io.Discard)
			if cutOff || err == nil || !strings.Contains(err.Error(), "accept failed") {
				t.Errorf("serve = %v, %v; want false, accept failed", cutOff, err)
			}
		})
	}
}

// A request still in flight when the wait for it ends is cut off: its
// context ends, which stops its database call.
func TestServeCutsOffTheRequestsLeft(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started, released := make(chan struct{}), make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		close(released)
	})}
	ctx, stop := context.WithCancel(context.Background())
	force, forceNow := context.WithCancel(context.Background())
	type result struct {
		cutOff bool
		err    error
	}
	done := make(chan result, 1)
	go func() {
		cutOff, err := serve(ctx, force, srv, ln, shutdown{timeout: time.Hour, drain: func() {}}, slog.New(slog.DiscardHandler), io.Discard)
		done <- result{cutOff, err}
	}()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	go func() {
		if resp, err := client.Get("http://" + ln.Addr().String() + "/"); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	forceNow()
	stop()
	if r := <-done; !r.cutOff || r.err == nil {
		t.Errorf("serve = %v, %v; want true and an error", r.cutOff, r.err)
	}
	select {
	case <-released:
	case <-time.After(10 * time.Second):
		srv.Close()
		t.Fatal("the request in flight was not cut off: its context did not end")
	}
}

// migrate serves nothing: the address a deployment gives both commands
// (NINJAGOLD_ADDR), held by the running server, is no concern of it, and it
// logs no "stopped", having never served.
func TestMigrateListensNowhere(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cmd := exec.Command(binary, "migrate", "--db", filepath.Join(t.TempDir(), "game.db"))
	cmd.Env = append(os.Environ(), "NINJAGOLD_ADDR="+ln.Addr().String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || !strings.Contains(string(out), "migrations applied to SQLite ") || !strings.Contains(string(out), "game.db, a new file") {
		t.Fatalf("migrate with NINJAGOLD_ADDR taken: %v\n%s%s", err, out, &stderr)
	}
	if strings.Contains(stderr.String(), `"msg":"stopped"`) {
		t.Errorf("migrate logged that a server stopped:\n%s", &stderr)
	}
}

// A short --shutdown-delay is a delay too.
func TestShortShutdownDelay(t *testing.T) {
	p := start(t, filepath.Join(t.TempDir(), "t.db"), "--shutdown-delay", "1ms", "--shutdown-timeout", "1h")
	p.signal(t, syscall.SIGTERM)
	if err := p.wait(t); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.stderr)
	}
	if want := "shutting down in 1ms"; !strings.Contains(p.stdout.String(), want) {
		t.Errorf("stdout does not say %q:\n%s", want, p.stdout)
	}
	if want := `"msg":"draining","delay":1000000`; !strings.Contains(p.stderr.String(), want) {
		t.Errorf("the log has no %s line:\n%s", want, p.stderr)
	}
}

// /metrics has the Go runtime's and the process's series, as the README says.
func TestMetricsHaveTheProcessAndTheRuntime(t *testing.T) {
	p := start(t, filepath.Join(t.TempDir(), "t.db"))
	if m := metricValues(t, p.URL, "process_open_fds", "go_goroutines"); m[0] <= 0 || m[1] <= 0 {
		t.Errorf("process_open_fds %v, go_goroutines %v: want both above 0", m[0], m[1])
	}
}

// Listening on every interface, the start-up line names an address a
// browser opens: localhost, not [::].
func TestListeningLineNamesLocalhost(t *testing.T) {
	p := start(t, filepath.Join(t.TempDir(), "t.db"), "--addr", ":0")
	if !strings.HasPrefix(p.URL, "http://localhost:") {
		t.Errorf("listening on %s, want http://localhost:<port>", p.URL)
	}
}

// An IPv6 address is listened on.
func TestListensOnIPv6(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	ln.Close()
	p := start(t, filepath.Join(t.TempDir(), "t.db"), "--addr", "[::1]:0")
	if !strings.HasPrefix(p.URL, "http://[::1]:") {
		t.Errorf("listening on %s, want http://[::1]:<port>", p.URL)
	}
}

// A start that fails after it listened lets go of its address.
func TestFailedStartLetsGoOfItsAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	db := filepath.Join(t.TempDir(), "no", "such", "dir", "game.db")
	getenv := func(k string) string {
		if k == "NINJAGOLD_ADMIN_TOKEN" {
			return processTestAdmin
		}
		return ""
	}
	err = run(t.Context(), t.Context(), []string{"--addr", addr, "--db", db}, getenv, io.Discard, io.Discard)
	if err == nil {
		t.Fatal("run over a database that cannot open: nil error")
	}
	again, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the address is still held after the failed start: %v", err)
	}
	again.Close()
}

// pgx reads a pair right after a quoted value, with no space between: so
// does postgresDSN.
func TestKeywordAfterAQuotedValue(t *testing.T) {
	const db = "x='a'host=db dbname=game"
	cfg, err := pgconn.ParseConfig(db)
	if err != nil || cfg.Host != "db" || cfg.Database != "game" {
		t.Fatalf("pgx reads %q as %v, %v", db, cfg, err)
	}
	if _, ok := postgresDSN(db); !ok {
		t.Errorf("postgresDSN(%q): not PostgreSQL's, where pgx reads host=db dbname=game", db)
	}
}
