package compare

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/api"
)

// Run with
//
//	go test ./bench/compare -run '^$' -bench . -benchmem
//
// Each sub-benchmark gets its own SQLite file (synchronous=NORMAL unless
// BENCH_SQLITE_SYNC=FULL; held by the process unless BENCH_SQLITE_SHARED=1),
// seeded with the four locations and one player.
// The request and the response writer are reused, so what is measured is
// the engine's ServeHTTP: routing, middleware, validation, binding, the
// store call and the response encoding.

func BenchmarkGetLocation(b *testing.B)  { benchOp(b, "GetLocation") }
func BenchmarkCreatePlayer(b *testing.B) { benchOp(b, "CreatePlayer") }
func BenchmarkCreateVisit(b *testing.B)  { benchOp(b, "CreateVisit") }

func benchOp(b *testing.B, name string) {
	op := findOp(b, name)
	for _, variant := range Variants {
		b.Run(variant, func(b *testing.B) {
			env, runner := setup(b, variant, op)
			ctx := context.Background()
			n := 0
			for b.Loop() {
				if status := runner.Serve(); status != op.Status {
					b.Fatalf("%s %s: status %d, want %d; body %s", variant, op.Name, status, op.Status, runner.Body())
				}
				// Writes are real inserts; keep the table from growing
				// without bound (and a faster variant from writing into a
				// bigger table than a slower one).
				if n++; op.Reset != nil && n%ResetEvery == 0 {
					b.StopTimer()
					if err := op.Reset(ctx, env); err != nil {
						b.Fatal(err)
					}
					runner.Rebuild()
					b.StartTimer()
				}
			}
			if v, err := env.Violations(); err != nil || v != 0 {
				b.Fatalf("%s: %d responses broke the contract (%v)", variant, v, err)
			}
		})
	}
}

// TestVariants checks that every variant answers every benchmarked request
// as the contract says, so none can look fast by failing.
func TestVariants(t *testing.T) {
	for _, op := range Ops {
		for _, variant := range Variants {
			t.Run(op.Name+"/"+variant, func(t *testing.T) {
				env, runner := setup(t, variant, op)
				for range 3 { // the first Check ran in setup
					if err := runner.Check(); err != nil {
						t.Fatal(err)
					}
				}
				if op.Reset != nil {
					if err := op.Reset(context.Background(), env); err != nil {
						t.Fatal(err)
					}
					runner.Rebuild()
					if err := runner.Check(); err != nil {
						t.Fatalf("after reset: %v", err)
					}
				}
				if v, err := env.Violations(); err != nil || v != 0 {
					t.Fatalf("%d responses broke the contract (%v)", v, err)
				}
			})
		}
	}
}

// setup opens a fresh database, builds the variant and checks one full
// response.
func setup(tb testing.TB, variant string, op Op) (*Env, *Runner) {
	tb.Helper()
	env, err := TempEnv(context.Background(), tb.TempDir(), Options{
		Synchronous: os.Getenv("BENCH_SQLITE_SYNC"), Shared: os.Getenv("BENCH_SQLITE_SHARED") == "1"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { env.Close() })
	h, err := env.Handler(variant)
	if err != nil {
		tb.Fatal(err)
	}
	runner := NewRunner(h, op, env)
	if err := runner.Check(); err != nil {
		tb.Fatalf("%s: %v", variant, err)
	}
	return env, runner
}

func findOp(tb testing.TB, name string) Op {
	for _, op := range Ops {
		if op.Name == name {
			return op
		}
	}
	tb.Fatalf("no op %q", name)
	return Op{}
}

// TestViolations checks the count the variants are judged by: lines at
// Warn and Error count, Info lines do not, whatever the time's length and
// zone, and lines still in the log's buffer are counted too.
func TestViolations(t *testing.T) {
	env, err := TempEnv(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if _, err := env.Handler(Project); err != nil { // opens the log
		t.Fatal(err)
	}
	h, err := api.NewLogHandler(env.logs, "json", slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, r := range []struct {
		level slog.Level
		at    time.Time
	}{
		{slog.LevelInfo, time.Now()},
		{slog.LevelWarn, time.Date(2026, 12, 1, 10, 0, 0, 123456789, time.FixedZone("", -(9*3600+30*60)))},
		{slog.LevelError, time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)},
		{slog.LevelInfo, time.Date(2026, 12, 1, 10, 0, 0, 1, time.UTC)},
	} {
		if err := h.Handle(ctx, slog.NewRecord(r.at, r.level, "response breaks the contract", 0)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := env.Violations(); n != 2 || err != nil {
		t.Fatalf("Violations() = %d, %v; want 2 lines at Warn or above", n, err)
	}
}

// TestRawHeadersAnswersAsTheProjectDoes checks that raw-headers sends the
// header lines the project sends, so that the two differ in the contract's
// work and not in what net/http writes: the same names, and the same values
// but for the request id and a created resource's Location (their ids differ
// from request to request).
func TestRawHeadersAnswersAsTheProjectDoes(t *testing.T) {
	for _, op := range Ops {
		t.Run(op.Name, func(t *testing.T) {
			headers := map[string]http.Header{}
			for _, variant := range []string{Project, RawHeaders} {
				_, runner := setup(t, variant, op)
				h := runner.rec.header.Clone()
				if len(h.Values("X-Request-Id")) != 1 || len(h.Get("X-Request-Id")) != 32 {
					t.Errorf("%s: X-Request-Id %q, want one 32-character id", variant, h.Values("X-Request-Id"))
				}
				h.Del("X-Request-Id")
				if op.Method == http.MethodPost && h.Get("Location") == "" {
					t.Errorf("%s: no Location", variant)
				}
				h.Del("Location")
				headers[variant] = h
			}
			if !reflect.DeepEqual(headers[Project], headers[RawHeaders]) {
				t.Errorf("headers differ:\nproject     %v\nraw-headers %v", headers[Project], headers[RawHeaders])
			}
		})
	}
}
