package api_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/impl"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// inProcessHandler is the whole engine over a new SQLite file, called
// directly rather than through a listener, for benchmarks and fuzzing:
// cfg as given, with the contract and the tests' admin token filled in.
func inProcessHandler(tb testing.TB, opts sqlite.Options, cfg api.Config) http.Handler {
	tb.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "ninjagold.db"), opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	spec, err := ninjagold.Spec()
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Spec, cfg.AdminToken = spec, apitest.AdminToken
	h, err := api.NewHandler(impl.New(store, apitest.NewSeededDice(1), nil, spec), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}
