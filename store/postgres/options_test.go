package postgres

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestPoolConfig(t *testing.T) {
	const base = "postgres://ninja@db.example:5432/gold?sslmode=disable"
	type want struct {
		maxConns         int32
		lifetime         time.Duration
		connectTimeout   time.Duration
		statementTimeout string
	}
	defaults := want{max(4, int32(runtime.NumCPU())), time.Hour, 5 * time.Second, "30000"}
	cases := []struct {
		name string
		url  string
		opts Options
		want want
	}{
		{"zero options take the defaults", base, Options{}, defaults},
		{"zero options keep the URL's settings",
			base + "&pool_max_conns=7&pool_max_conn_lifetime=10m&connect_timeout=2&statement_timeout=1500",
			Options{}, want{7, 10 * time.Minute, 2 * time.Second, "1500"}},
		{"options override the URL",
			base + "&pool_max_conns=7&pool_max_conn_lifetime=10m&connect_timeout=2&statement_timeout=1500",
			Options{MaxConns: 3, ConnMaxLifetime: time.Minute, ConnectTimeout: time.Second, StatementTimeout: 250 * time.Millisecond},
			want{3, time.Minute, time.Second, "250"}},
		{"the URL's statement_timeout=0 turns it off", base + "&statement_timeout=0",
			Options{}, want{defaults.maxConns, time.Hour, 5 * time.Second, "0"}},
		{"the URL's pool_max_conn_lifetime=0 keeps pgx's never", base + "&pool_max_conn_lifetime=0s",
			Options{}, want{defaults.maxConns, 0, 5 * time.Second, "30000"}},
		{"a sub-millisecond statement timeout is 1ms, not none", base,
			Options{StatementTimeout: time.Microsecond}, want{defaults.maxConns, time.Hour, 5 * time.Second, "1"}},
		{"the shortest lifetime is taken", base,
			Options{ConnMaxLifetime: MinConnLifetime}, want{defaults.maxConns, time.Second, 5 * time.Second, "30000"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := poolConfig(c.url, c.opts)
			if err != nil {
				t.Fatalf("poolConfig: %v", err)
			}
			got := want{cfg.MaxConns, cfg.MaxConnLifetime, cfg.ConnConfig.ConnectTimeout, cfg.ConnConfig.RuntimeParams["statement_timeout"]}
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestPoolConfigSessionSettings(t *testing.T) {
	const base = "postgres://ninja@db.example:5432/gold?sslmode=disable"
	cases := []struct {
		name, url           string
		opts                Options
		idleInTx, clientEnc string
	}{
		{"a session idle in a transaction ends with the statement timeout", base, Options{}, "30000", "UTF8"},
		{"the statement timeout asked for", base, Options{StatementTimeout: 20 * time.Second}, "20000", "UTF8"},
		{"and at least 10 s", base, Options{StatementTimeout: 2 * time.Second}, "10000", "UTF8"},
		{"the URL's own idle timeout is kept", base + "&idle_in_transaction_session_timeout=5000", Options{}, "5000", "UTF8"},
		{"the URL's statement timeout in milliseconds", base + "&statement_timeout=60000", Options{}, "60000", "UTF8"},
		{"the URL's statement timeout in seconds", base + "&statement_timeout=60s", Options{}, "60000", "UTF8"},
		{"the URL's statement timeout in minutes, spaced", base + "&statement_timeout=1.5%20min", Options{}, "90000", "UTF8"},
		{"the URL's statement timeout in hours", base + "&statement_timeout=1h", Options{}, "3600000", "UTF8"},
		{"the URL's statement timeout with an exponent", base + "&statement_timeout=2e4", Options{}, "20000", "UTF8"},
		{"the URL's short statement timeout, and at least 10 s", base + "&statement_timeout=500ms", Options{}, "10000", "UTF8"},
		{"a statement timeout PostgreSQL would refuse, and at least 10 s", base + "&statement_timeout=60fortnights", Options{}, "10000", "UTF8"},
		{"the store speaks UTF-8 whatever the URL asks", base + "&client_encoding=LATIN1", Options{}, "30000", "UTF8"},
		{"and reads committed whatever the URL asks", base + "&default_transaction_isolation=serializable", Options{}, "30000", "UTF8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := poolConfig(c.url, c.opts)
			if err != nil {
				t.Fatalf("poolConfig: %v", err)
			}
			params := cfg.ConnConfig.RuntimeParams
			if params["idle_in_transaction_session_timeout"] != c.idleInTx || params["client_encoding"] != c.clientEnc {
				t.Errorf("idle_in_transaction_session_timeout %q, client_encoding %q; want %q, %q",
					params["idle_in_transaction_session_timeout"], params["client_encoding"], c.idleInTx, c.clientEnc)
			}
			if got := params["default_transaction_isolation"]; got != "read committed" {
				t.Errorf("default_transaction_isolation %q, want %q", got, "read committed")
			}
		})
	}
}

func TestPoolConfigRefuses(t *testing.T) {
	cases := []struct {
		name    string
		url     string
		opts    Options
		mention string
	}{
		{"an empty URL", "", Options{}, "empty"},
		{"a malformed URL", "postgres://ninja:secret@db.example:notaport/gold", Options{}, "invalid database URL"},
		{"a negative option", "postgres://db.example/gold", Options{MaxConns: -1}, "negative"},
		{"a keyword string with a spaced password", "host=db password = 'a secret' sslmode=bogus", Options{}, "sslmode is invalid"},
		{"a keyword string with an escaped password", `host=db password=a\ secret sslmode=bogus`, Options{}, "sslmode is invalid"},
		{"a negative lifetime in the URL", "postgres://db.example/gold?pool_max_conn_lifetime=-1h", Options{}, "pool_max_conn_lifetime"},
		{"a lifetime below a second in the URL", "host=db pool_max_conn_lifetime=999ms", Options{}, "at least 1s, not 999ms"},
		{"a lifetime below a second", "postgres://db.example/gold", Options{ConnMaxLifetime: time.Nanosecond}, "at least 1s, not 1ns"},
	}
	for _, c := range cases {
		t.Run(c.name+" is refused", func(t *testing.T) {
			_, err := poolConfig(c.url, c.opts)
			if err == nil {
				t.Fatal("got nil error, want one")
			}
			if msg := err.Error(); !strings.Contains(msg, c.mention) || strings.Contains(msg, "secret") {
				t.Errorf("got error %q, want one mentioning %q and no password", msg, c.mention)
			}
		})
	}
}

// settingMillis reads a PostgreSQL time setting as SHOW gives it, in
// milliseconds; what it cannot read, or what overflows, is 0 (none).
func TestSettingMillis(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"30000", 30000},
		{"30s", 30000},
		{" 1.5 s ", 1500},
		{"1min", 60000},
		{"2h", 7200000},
		{"1d", 86400000},
		{"250us", 0},
		{"1500us", 2},
		{"0", 0},
		{"5 fortnights", 0},
		{"soon", 0},
		{"1e30", 0}, // past int64: none, not a negative number
	} {
		if got := settingMillis(tc.in); got != tc.want {
			t.Errorf("settingMillis(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
