package api

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ninjagold/ninjagold-api/game"
)

// RegisterStoreMetrics exposes the figures store reports on reg: its
// database pools', its group commit's and its idempotency-key purge's.
func RegisterStoreMetrics(reg prometheus.Registerer, store game.Store) {
	if r, ok := store.(game.PoolReporter); ok {
		reg.MustRegister(poolCollector{r})
	}
	if r, ok := store.(game.WriteReporter); ok {
		reg.MustRegister(
			counterFunc("ninjagold_db_writes_total", "Write transactions run by the group commit writer.",
				func() int64 { return r.WriteStats().Writes }),
			counterFunc("ninjagold_db_commits_total", "Commits of the group commit writer; writes per commit is its batch size.",
				func() int64 { return r.WriteStats().Commits }),
		)
	}
	if r, ok := store.(game.PurgeReporter); ok {
		reg.MustRegister(
			counterFunc("ninjagold_idempotency_key_purge_deletions_total", "Deletions the purge of expired idempotency keys ran, each of at most 1,000 keys.",
				func() int64 { return r.PurgeStats().Deletions }),
			counterFunc("ninjagold_idempotency_key_purge_keys_total", "Expired idempotency keys the purge deleted.",
				func() int64 { return r.PurgeStats().Purged }),
			counterFunc("ninjagold_idempotency_key_purge_failures_total", "Purge deletions that failed; their keys wait for the next purge.",
				func() int64 { return r.PurgeStats().Failed }),
		)
	}
}

// counterFunc is a counter whose value a store's report gives when scraped.
func counterFunc(name, help string, value func() int64) prometheus.CounterFunc {
	return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(value()) })
}

var (
	poolMax     = prometheus.NewDesc("ninjagold_db_pool_max_connections", "Most connections the pool opens.", []string{"pool"}, nil)
	poolOpen    = prometheus.NewDesc("ninjagold_db_pool_open_connections", "Connections open now.", []string{"pool"}, nil)
	poolInUse   = prometheus.NewDesc("ninjagold_db_pool_in_use_connections", "Connections serving a query now.", []string{"pool"}, nil)
	poolIdle    = prometheus.NewDesc("ninjagold_db_pool_idle_connections", "Connections idle now.", []string{"pool"}, nil)
	poolWaits   = prometheus.NewDesc("ninjagold_db_pool_waits_total", "Times a query waited for a connection.", []string{"pool"}, nil)
	poolWaitFor = prometheus.NewDesc("ninjagold_db_pool_wait_seconds_total", "Time spent waiting for a connection.", []string{"pool"}, nil)
)

type poolCollector struct{ r game.PoolReporter }

func (p poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolMax, poolOpen, poolInUse, poolIdle, poolWaits, poolWaitFor} {
		ch <- d
	}
}

func (p poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range p.r.PoolStats() {
		ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.Max), s.Pool)
		ch <- prometheus.MustNewConstMetric(poolOpen, prometheus.GaugeValue, float64(s.Open), s.Pool)
		ch <- prometheus.MustNewConstMetric(poolInUse, prometheus.GaugeValue, float64(s.InUse), s.Pool)
		ch <- prometheus.MustNewConstMetric(poolIdle, prometheus.GaugeValue, float64(s.Idle), s.Pool)
		ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(s.Waits), s.Pool)
		ch <- prometheus.MustNewConstMetric(poolWaitFor, prometheus.CounterValue, s.WaitFor.Seconds(), s.Pool)
	}
}
