package impl

import (
	"path/filepath"
	"testing"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// openSQLite opens a new SQLite store in t's temporary directory, closed
// when t ends: the handlers' tests run over the real store.
func openSQLite(t *testing.T) *sqlite.Store {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "ninjagold.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newServer is New over store with the system's dice and the contract.
func newServer(t *testing.T, store game.Store) *Server {
	t.Helper()
	spec, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return New(store, game.SystemDice{}, nil, spec)
}
