package api_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/game"
)

// The reporters a store may implement, each on its own so that a fake
// store can take any set of them. Their figures are all different, within
// a pool and between the pools, so that a figure reported under another
// metric's name, or another pool's, shows as a wrong value.
type (
	pools  []game.PoolStats
	writes game.WriteStats
	purges game.PurgeStats
)

func (p pools) PoolStats() []game.PoolStats  { return p }
func (w writes) WriteStats() game.WriteStats { return game.WriteStats(w) }
func (p purges) PurgeStats() game.PurgeStats { return game.PurgeStats(p) }

var (
	somePools = pools{
		{Pool: "read", Max: 12, Open: 7, InUse: 3, Idle: 4, Waits: 21, WaitFor: 1500 * time.Millisecond},
		{Pool: "write", Max: 9, Open: 8, InUse: 5, Idle: 2, Waits: 34, WaitFor: 250 * time.Millisecond},
	}
	someWrites = writes{Writes: 40, Commits: 13}
	somePurges = purges{Deletions: 17, Failed: 3, Purged: 15042}
)

// The expositions of those figures, HELP and TYPE lines included: a gauge
// exposed as a counter, or the other way round, is a different metric to
// a dashboard (rate() of a gauge is nonsense), and the wait time is in
// seconds, as its name says, not in time.Duration's nanoseconds.
const (
	poolsText = `
# HELP ninjagold_db_pool_idle_connections Connections idle now.
# TYPE ninjagold_db_pool_idle_connections gauge
ninjagold_db_pool_idle_connections{pool="read"} 4
ninjagold_db_pool_idle_connections{pool="write"} 2
# HELP ninjagold_db_pool_in_use_connections Connections serving a query now.
# TYPE ninjagold_db_pool_in_use_connections gauge
ninjagold_db_pool_in_use_connections{pool="read"} 3
ninjagold_db_pool_in_use_connections{pool="write"} 5
# HELP ninjagold_db_pool_max_connections Most connections the pool opens.
# TYPE ninjagold_db_pool_max_connections gauge
ninjagold_db_pool_max_connections{pool="read"} 12
ninjagold_db_pool_max_connections{pool="write"} 9
# HELP ninjagold_db_pool_open_connections Connections open now.
# TYPE ninjagold_db_pool_open_connections gauge
ninjagold_db_pool_open_connections{pool="read"} 7
ninjagold_db_pool_open_connections{pool="write"} 8
# HELP ninjagold_db_pool_wait_seconds_total Time spent waiting for a connection.
# TYPE ninjagold_db_pool_wait_seconds_total counter
ninjagold_db_pool_wait_seconds_total{pool="read"} 1.5
ninjagold_db_pool_wait_seconds_total{pool="write"} 0.25
# HELP ninjagold_db_pool_waits_total Times a query waited for a connection.
# TYPE ninjagold_db_pool_waits_total counter
ninjagold_db_pool_waits_total{pool="read"} 21
ninjagold_db_pool_waits_total{pool="write"} 34
`
	writesText = `
# HELP ninjagold_db_commits_total Commits of the group commit writer; writes per commit is its batch size.
# TYPE ninjagold_db_commits_total counter
ninjagold_db_commits_total 13
# HELP ninjagold_db_writes_total Write transactions run by the group commit writer.
# TYPE ninjagold_db_writes_total counter
ninjagold_db_writes_total 40
`
	purgesText = `
# HELP ninjagold_idempotency_key_purge_deletions_total Deletions the purge of expired idempotency keys ran, each of at most 1,000 keys.
# TYPE ninjagold_idempotency_key_purge_deletions_total counter
ninjagold_idempotency_key_purge_deletions_total 17
# HELP ninjagold_idempotency_key_purge_failures_total Purge deletions that failed; their keys wait for the next purge.
# TYPE ninjagold_idempotency_key_purge_failures_total counter
ninjagold_idempotency_key_purge_failures_total 3
# HELP ninjagold_idempotency_key_purge_keys_total Expired idempotency keys the purge deleted.
# TYPE ninjagold_idempotency_key_purge_keys_total counter
ninjagold_idempotency_key_purge_keys_total 15042
`
)

// TestRegisterStoreMetrics registers the metrics of fake stores, each
// implementing some of the reporters, and compares the whole exposition:
// each reporter's metrics appear when the store implements it and only
// then, every figure under its own name, type and labels. The fakes embed
// a nil game.Store for the methods RegisterStoreMetrics never calls. (The
// exposition is written with expfmt, not compared by client_golang's
// testutil: testutil's diff package is not in go.sum.)
func TestRegisterStoreMetrics(t *testing.T) {
	cases := []struct {
		name  string
		store game.Store
		want  string // the whole exposition
	}{
		{"every reporter", struct {
			game.Store
			pools
			writes
			purges
		}{nil, somePools, someWrites, somePurges}, poolsText + writesText + purgesText},
		{"pools only", struct {
			game.Store
			pools
		}{nil, somePools}, poolsText},
		{"writes only", struct {
			game.Store
			writes
		}{nil, someWrites}, writesText},
		{"purges only", struct {
			game.Store
			purges
		}{nil, somePurges}, purgesText},
		{"no reporter", struct{ game.Store }{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Pedantic, it fails the gathering of a metric whose
			// Desc the collector did not describe: a plain registry
			// takes it, but then checks it against no other
			// registration's name or labels.
			reg := prometheus.NewPedanticRegistry()
			api.RegisterStoreMetrics(reg, c.store)
			mfs, err := reg.Gather()
			if err != nil {
				t.Fatalf("Gather: %v", err)
			}
			var got strings.Builder
			for _, mf := range mfs {
				if _, err := expfmt.MetricFamilyToText(&got, mf); err != nil {
					t.Fatalf("MetricFamilyToText: %v", err)
				}
			}
			if got, want := sortFamilies(got.String()), sortFamilies(c.want); got != want {
				t.Errorf("exposition:\n--- got\n%s--- want\n%s", got, want)
			}
		})
	}
}

// sortFamilies returns an exposition with its metric families, each from
// its HELP line to the next, sorted: the expected one is written a
// reporter at a time, Gather orders the families by name.
func sortFamilies(text string) string {
	var fams []string
	for _, f := range strings.Split(text, "# HELP ") {
		if f = strings.TrimSpace(f); f != "" {
			fams = append(fams, "# HELP "+f+"\n")
		}
	}
	slices.Sort(fams)
	return strings.Join(fams, "")
}
