package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/store/postgres"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// TestLogFlushSetting reads --log-flush and NINJAGOLD_LOG_FLUSH: the flag
// wins over the environment, and 0 (each line written at once) stays 0.
// TestLogFlush runs the binary with them; this tells 0 from the default,
// which a line showing up in the log does not.
func TestLogFlushSetting(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  string
		want time.Duration
	}{
		{"default", nil, "", api.DefaultLogFlush},
		{"flag 0", []string{"--log-flush", "0"}, "", 0},
		{"flag", []string{"--log-flush", "250ms"}, "", 250 * time.Millisecond},
		{"flag at its least", []string{"--log-flush", "1ms"}, "", api.MinLogFlush},
		{"environment 0", nil, "0", 0},
		{"environment", nil, "2s", 2 * time.Second},
		{"flag over environment", []string{"--log-flush", "0"}, "2s", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(key string) string {
				if key == "NINJAGOLD_LOG_FLUSH" {
					return tt.env
				}
				return ""
			}
			cfg, err := parseConfig(tt.args, getenv, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.logFlush != tt.want {
				t.Errorf("log flush = %v, want %v", cfg.logFlush, tt.want)
			}
		})
	}
}

// A list flag replaces its environment variable, as every flag does: an
// operator narrowing the origins or proxies must not keep the old ones.
func TestListFlagsReplaceTheirEnvironment(t *testing.T) {
	env := map[string]string{
		"NINJAGOLD_CORS_ORIGINS":    "https://a.example, https://b.example",
		"NINJAGOLD_TRUSTED_PROXIES": "10.0.0.1",
	}
	tests := []struct {
		name                  string
		args                  []string
		wantCORS, wantProxies []string
	}{
		{"environment only", nil, []string{"https://a.example", "https://b.example"}, []string{"10.0.0.1"}},
		{"flags win", []string{"--cors-origin", "https://c.example", "--trusted-proxy", "192.168.0.0/16"},
			[]string{"https://c.example"}, []string{"192.168.0.0/16"}},
		{"a repeated flag", []string{"--cors-origin", "https://c.example", "--cors-origin", "https://d.example"},
			[]string{"https://c.example", "https://d.example"}, []string{"10.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig(tt.args, func(k string) string { return env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(cfg.cors, tt.wantCORS) || !slices.Equal(cfg.proxies, tt.wantProxies) {
				t.Errorf("cors %q, proxies %q; want %q, %q", cfg.cors, cfg.proxies, tt.wantCORS, tt.wantProxies)
			}
		})
	}
}

// Settings that would quietly mean something else are refused, naming the
// flag or variable to fix.
func TestParseConfigRefuses(t *testing.T) {
	tests := []struct {
		args    []string
		env     map[string]string
		wantErr string
	}{
		{[]string{"--max-in-flight", "-5"}, nil, "--max-in-flight"},
		// -1 is no "unbounded" either: 0 is.
		{[]string{"--max-in-flight", "-1"}, nil, "--max-in-flight must be 0 (no bound) or more, not -1"},
		// A stray word, a misspelt command say, is no server to start.
		{[]string{"migrat"}, nil, `unexpected argument "migrat"`},
		{[]string{"--addr", ":0", "extra"}, nil, `unexpected argument "extra"`},
		{[]string{"--max-body-bytes=-1", "--log-format", "xml", "stray"}, nil, `unexpected argument "stray"`},
		{[]string{"--db-max-conns", "-3", "stray"}, map[string]string{"NINJAGOLD_VALIDATE_RESPONSES": "maybe"}, `unexpected argument "stray"`},
		{[]string{"--rate-limit", "-1"}, nil, "--rate-limit"},
		{[]string{"--rate-limit", "NaN"}, nil, "--rate-limit"},
		{[]string{"--rate-limit", "Inf"}, nil, "--rate-limit must be 0 (off) or a number of requests per second, not +Inf"},
		{[]string{"--rate-limit", "+Inf"}, nil, "--rate-limit must be 0 (off) or a number of requests per second"},
		{[]string{"--rate-burst", "0"}, nil, "--rate-burst"},
		{[]string{"--rate-burst", "1000001"}, nil, "--rate-burst must be from 1 to 1000000"},
		// Refused with the rate off too: it would not mean what it says once the rate is on.
		{[]string{"--rate-limit", "0", "--rate-burst", "-5"}, nil, "--rate-burst must be from 1 to 1000000, not -5"},
		{[]string{"--rate-limit", "1e-12"}, nil, "--rate-limit must be 0 (off) or at least one request an hour"},
		{[]string{"--rate-limit", "0.0002"}, nil, "--rate-limit must be 0 (off) or at least one request an hour"},
		{[]string{"--rate-limit", "1000000.5"}, nil, "--rate-limit must be at most 1000000 requests per second, not 1.0000005e+06"},
		{[]string{"--rate-limit", "1e308"}, nil, "--rate-limit must be at most 1000000 requests per second, not 1e+308"},
		// A mistyped PostgreSQL database is no SQLite file to create.
		{[]string{"--db", "postgress://db/game"}, nil, `--db "postgress://db/game": not a PostgreSQL URL, which starts postgres:// or postgresql://`},
		{[]string{"--db", "postgres:postgres@127.0.0.1/game"}, nil, "not a PostgreSQL URL"},
		{[]string{"--db", "PostgreSQL:/db"}, nil, "not a PostgreSQL URL"},
		{[]string{"--db", "pgsql://db/game"}, nil, "a pgsql:// URL, where only postgres:// and postgresql:// URLs are databases"},
		{[]string{"--db", " postgres://db/game"}, nil, "white space around a PostgreSQL URL"},
		{nil, map[string]string{"NINJAGOLD_DB": "\tpostgres://db/game"}, `--db "\tpostgres://db/game": white space around a PostgreSQL URL`},
		{[]string{"--db", "file:game.db?mode=rwc"}, nil, "a file: URI"},
		{[]string{"--db", "File:///var/lib/game.db"}, nil, "a file: URI"},
		{[]string{"--db", "Host=127.0.0.1 DBName=game"}, nil, "PostgreSQL's keywords are lower case: host, not Host"},
		{[]string{"--db", "postgres://db/game "}, nil, "white space around a PostgreSQL URL"},
		{[]string{"--db", "jdbc:postgresql://db/game"}, nil, "a URL, where only postgres:// and postgresql:// URLs are databases"},
		{[]string{"--db", "sqlite:game.db"}, nil, "a sqlite: URI"},
		{[]string{"--db", "sqlite3:game.db"}, nil, "a sqlite3: URI"},
		{[]string{"--db", "db.example.com:5432"}, nil, "a host and port"},
		{[]string{"--db", "ninja@db.example.com:5432/game"}, nil, "a host and port"},
		{[]string{"--db", "db:5432"}, nil, "a host and port"},
		{[]string{"--db", "my-db:5432"}, nil, "a host and port"},
		{[]string{"--db", "[::1]:6432/game"}, nil, "a host and port"},
		{[]string{"--max-body-bytes", "0"}, nil, "--max-body-bytes"},
		{[]string{"--max-body-bytes", "-1"}, nil, "--max-body-bytes"},
		{[]string{"--max-header-bytes", "-1"}, nil, "--max-header-bytes"},
		{[]string{"--max-header-bytes", "1048577"}, nil, "--max-header-bytes"},
		{[]string{"--shutdown-timeout", "-1s"}, nil, "--shutdown-timeout"},
		{[]string{"--shutdown-delay", "-1s"}, nil, "--shutdown-delay"},
		{[]string{"--read-timeout", "-1s"}, nil, "--read-timeout"},
		{[]string{"--read-header-timeout", "0"}, nil, "--read-header-timeout must be more than 0"},
		{[]string{"--read-timeout", "0s"}, nil, "--read-timeout must be more than 0"},
		{[]string{"--write-timeout", "0"}, nil, "--write-timeout must be more than 0"},
		{[]string{"--idle-timeout", "0"}, nil, "--idle-timeout must be more than 0"},
		{[]string{"--db-connect-timeout", "-1s"}, nil, "--db-connect-timeout"},
		{[]string{"--db-max-conns", "-3"}, nil, "--db-max-conns"},
		// pgx's pool size is an int32: no wrapping round to a small or negative one.
		// With PostgreSQL, where checkStoreFlags does not name the flag.
		{[]string{"--db", "postgres://db/game", "--db-max-conns", "-1"}, nil, "--db-max-conns must be a pool size from 1 to 2147483647, not -1"},
		{[]string{"--db", "postgres://db/game", "--db-max-conns", "2147483648"}, nil, "--db-max-conns must be a pool size from 1 to 2147483647, not 2147483648"},
		{[]string{"--db", "postgres://db/game", "--db-max-conns", "4294967297"}, nil, "--db-max-conns must be a pool size from 1 to 2147483647, not 4294967297"},
		// 0 would take the URL's setting or the default, not turn it off.
		{[]string{"--db-max-conns", "0"}, nil, "--db-max-conns must be more than 0"},
		{[]string{"--db-statement-timeout", "0"}, nil, "put statement_timeout=0 in the URL"},
		{[]string{"--db-conn-lifetime", "0s"}, nil, "--db-conn-lifetime must be more than 0"},
		// PostgreSQL counts whole milliseconds in 32 bits: no rounding, no overflow at the server.
		{[]string{"--db", "postgres://db/game", "--db-statement-timeout", "1us"}, nil, "--db-statement-timeout must be whole milliseconds from 1ms to 596h31m23.647s, not 1µs"},
		{[]string{"--db", "postgres://db/game", "--db-statement-timeout", "1500us"}, nil, "not 1.5ms"},
		{[]string{"--db", "postgres://db/game", "--db-statement-timeout", "600h"}, nil, "--db-statement-timeout must be whole milliseconds"},
		{[]string{"--db", "postgres://db/game", "--db-statement-timeout", "596h31m23.648s"}, nil, "--db-statement-timeout must be whole milliseconds"},
		{[]string{"--db", "postgres://db/game", "--db-conn-lifetime", "999ms"}, nil, "--db-conn-lifetime must be at least 1s, not 999ms"},
		{[]string{"--rate-limit", "0", "--rate-burst", "1000001"}, nil, "--rate-burst must be from 1 to 1000000"},
		// A connection that expires before it is used: the pool would give up on every one.
		{[]string{"--db", "postgres://db/game", "--db-conn-lifetime", "1ns"}, nil, "--db-conn-lifetime must be at least 1s, not 1ns"},
		{[]string{"--db-connect-timeout", "0"}, nil, "--db-connect-timeout must be more than 0"},
		{[]string{"--sqlite-synchronous", "OFF"}, nil, "--sqlite-synchronous must be FULL or NORMAL"},
		// 0 would not wait at all, and SQLite counts milliseconds in 32 bits.
		{[]string{"--sqlite-busy-timeout", "0"}, nil, "--sqlite-busy-timeout must be from 1ms to 596h31m23.647s"},
		{[]string{"--sqlite-busy-timeout", "999us"}, nil, "--sqlite-busy-timeout must be from 1ms"},
		{[]string{"--sqlite-busy-timeout", "596h31m23.648s"}, nil, "--sqlite-busy-timeout must be from 1ms"},
		// A setting for the other kind of database would be taken and
		// ignored.
		{[]string{"--db-max-conns", "8"}, nil, `--db-max-conns is a PostgreSQL setting, and NINJAGOLD_DB / --db names a SQLite file ("ninjagold.db")`},
		{[]string{"--db", "game.db", "--db-statement-timeout", "2s"}, nil, "--db-statement-timeout is a PostgreSQL setting"},
		{[]string{"--db-conn-lifetime", "1m"}, map[string]string{"NINJAGOLD_DB": "game.db"}, "--db-conn-lifetime is a PostgreSQL setting"},
		{[]string{"--db-connect-timeout", "1s"}, nil, "--db-connect-timeout is a PostgreSQL setting"},
		{[]string{"--db", "postgres://db/game", "--sqlite-synchronous", "NORMAL"}, nil, "--sqlite-synchronous is a SQLite setting, and NINJAGOLD_DB / --db names PostgreSQL"},
		{[]string{"--sqlite-shared"}, map[string]string{"NINJAGOLD_DB": "host=db dbname=game"}, "--sqlite-shared is a SQLite setting"},
		{[]string{"--db", "POSTGRESQL://db/game", "--sqlite-busy-timeout", "1s"}, nil, "--sqlite-busy-timeout is a SQLite setting"},
		{[]string{"--cors-origin", "not a url"}, nil, "--cors-origin"},
		{[]string{"--cors-origin", "*"}, nil, "--cors-origin"},
		{[]string{"--cors-origin", "https://game.example.org/app"}, nil, "--cors-origin"},
		{nil, map[string]string{"NINJAGOLD_CORS_ORIGINS": "game.example.org"}, "NINJAGOLD_CORS_ORIGINS"},
		// Origins no browser sends: CORS would never match them.
		{[]string{"--cors-origin", "https://game.example.org:443"}, nil, `a browser sends this origin as "https://game.example.org"`},
		{[]string{"--cors-origin", "http://game.example.org:80"}, nil, `as "http://game.example.org"`},
		{[]string{"--cors-origin", "HTTPS://game.example.org"}, nil, `as "https://game.example.org"`},
		{[]string{"--cors-origin", "https://Game.Example.org:8443"}, nil, `as "https://game.example.org:8443"`},
		{[]string{"--cors-origin", "https://game.example.org/"}, nil, `a browser sends "https://game.example.org"`},
		{[]string{"--cors-origin", "http://a.b:99999"}, nil, "port 99999"},
		{[]string{"--cors-origin", "http://a.b:65536"}, nil, "port 65536"},
		{[]string{"--cors-origin", "http://"}, nil, "must be an origin such as"},
		{[]string{"--cors-origin", "https://:8443"}, nil, "must be an origin such as"},
		{[]string{"--cors-origin", "http://a.b:080"}, nil, "port 080"},
		{[]string{"--cors-origin", "https://spiel.bücher.example"}, nil, "punycode"},
		{[]string{"--cors-origin", "https://game.example.org:443/"}, nil, `a browser sends "https://game.example.org"`},
		{[]string{"--cors-origin", "http://[0:0:0:0:0:0:0:1]:8080"}, nil, `as "http://[::1]:8080"`},
		{[]string{"--cors-origin", "http://[::FFFF:127.0.0.1]"}, nil, `as "http://[::ffff:7f00:1]"`},
		{[]string{"--cors-origin", "http://[fe80::1%25eth0]"}, nil, "no zone"},
		{[]string{"--cors-origin", "http://127.1"}, nil, "four decimal numbers"},
		{[]string{"--cors-origin", "http://0x7f.0.0.1"}, nil, "four decimal numbers"},
		{[]string{"--cors-origin", "http://2130706433:3000"}, nil, "four decimal numbers"},
		{[]string{"--cors-origin", "http://127.0.0.1.:3000"}, nil, `as "http://127.0.0.1:3000"`},
		{[]string{"--cors-origin", "https://*.example"}, nil, "there are no wildcards"},
		{[]string{"--cors-origin", "https://a.example;https://b.example"}, nil, "an origin has no ';': separate origins with commas"},
		{[]string{"--cors-origin", "https://a~b.example"}, nil, `a host name has no '~'`},
		{[]string{"--trusted-proxy", "300.1.1.1"}, nil, "--trusted-proxy"},
		{[]string{"--trusted-proxy", "10.0.0.1", "--trusted-proxy", "0.0.0.0/0"}, nil, `--trusted-proxy "0.0.0.0/0" trusts every address`},
		{[]string{"--trusted-proxy", "::/0"}, nil, `--trusted-proxy "::/0" trusts every address`},
		{[]string{"--trusted-proxy", "::ffff:0:0/96"}, nil, `--trusted-proxy "::ffff:0:0/96" trusts every address`},
		{[]string{"--trusted-proxy", "0:0:0:0:0:ffff:0.0.0.0/96"}, nil, `trusts every address`},
		{nil, map[string]string{"NINJAGOLD_TRUSTED_PROXIES": "10.0.0.0/8,1.2.3.4/0"}, `--trusted-proxy "1.2.3.4/0" trusts every address`},
		{[]string{"--trusted-proxy", "0.0.0.0/1", "--trusted-proxy", "128.0.0.0/1"}, nil, `--trusted-proxy "0.0.0.0/1" is wider than any network of proxies (an IPv4 /1;`},
		{[]string{"--trusted-proxy", "10.0.0.0/7"}, nil, `"10.0.0.0/7" is wider than any network of proxies (an IPv4 /7;`},
		{[]string{"--trusted-proxy", "::ffff:10.0.0.0/103"}, nil, `is wider than any network of proxies (an IPv4 /7;`},
		{[]string{"--trusted-proxy", "fc00::/6"}, nil, `"fc00::/6" is wider than any network of proxies (an IPv6 /6;`},
		{nil, map[string]string{"NINJAGOLD_VALIDATE_RESPONSES": "maybe"}, "NINJAGOLD_VALIDATE_RESPONSES"},
		{nil, map[string]string{"NINJAGOLD_ADMIN_TOKEN": " s3cret-admin-token"}, "NINJAGOLD_ADMIN_TOKEN"},
		{nil, map[string]string{"NINJAGOLD_ADMIN_TOKEN": "s3cret-admin-token\n"}, "NINJAGOLD_ADMIN_TOKEN"},
		{nil, map[string]string{"NINJAGOLD_ADMIN_TOKEN": "x"}, "NINJAGOLD_ADMIN_TOKEN must be at least 16 characters long, not 1"},
		// No request could send it: a header value holds no control character.
		{nil, map[string]string{"NINJAGOLD_ADMIN_TOKEN": "abc\x01defghijklmnopq"}, "NINJAGOLD_ADMIN_TOKEN must not hold ASCII control characters"},
		{nil, map[string]string{"NINJAGOLD_ADMIN_TOKEN": "abcdefgh\x7fijklmnopq"}, "must not hold ASCII control characters"},
		{nil, map[string]string{"NINJAGOLD_ADMIN_TOKEN": "abcdefgh\nijklmnopq"}, "must not hold ASCII control characters"},
		{nil, map[string]string{"NINJAGOLD_ADMIN_TOKEN": "abcdefgh\x1bijklmnopq"}, "must not hold ASCII control characters"},
		{nil, map[string]string{"NINJAGOLD_ADMIN_TOKEN": "abcdefgh\x1fijklmnopq"}, "must not hold ASCII control characters"},
		{nil, map[string]string{"NINJAGOLD_ADMIN_TOKEN": "fifteen-chars.."}, "at least 16 characters long, not 15"},
		// Characters, not bytes: this one is 16 bytes long.
		{nil, map[string]string{"NINJAGOLD_ADMIN_TOKEN": "fifteen-chars.Ω"}, "at least 16 characters long, not 15"},
		// migrate serves nothing: a server's flag would be taken and ignored.
		{[]string{"migrate", "--addr", ":9090"}, nil, "--addr is a setting of the server; ninjagold migrate applies the migrations and serves nothing"},
		{[]string{"migrate", "--db", "game.db", "--rate-limit", "3"}, nil, "--rate-limit is a setting of the server"},
		{[]string{"migrate", "--validate-responses"}, nil, "--validate-responses is a setting of the server"},
		{[]string{"migrate", "--shutdown-delay", "5s"}, nil, "--shutdown-delay is a setting of the server"},
		{[]string{"migrate", "--idle-timeout", "1m"}, nil, "--idle-timeout is a setting of the server"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " ")+fmt.Sprint(tt.env), func(t *testing.T) {
			_, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one naming %s", err, tt.wantErr)
			}
		})
	}
	// And the settings those neighbour are taken.
	for _, args := range [][]string{
		{"--max-in-flight", "0"}, {"--rate-limit", "0", "--rate-burst", "0"}, {"--cors-origin", "http://localhost:3000"}, {"--cors-origin", "http://[::1]:8080"},
		{"--cors-origin", "https://xn--spiel-bcher-ieb.example"}, {"--cors-origin", "http://[::ffff:7f00:1]"},
		{"--cors-origin", "http://127.0.0.1:5173"}, {"--cors-origin", "http://[2001:db8::1]"}, {"--cors-origin", "https://0x.example"},
		{"--cors-origin", "https://my_app.example"}, {"--cors-origin", "http://a.b:65535"},
		{"--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "::1"}, {"--trusted-proxy", "fc00::/7"}, {"--trusted-proxy", "::ffff:10.0.0.0/104"}, {"--shutdown-timeout", "0"}, {"--shutdown-delay", "30s"},
		{"--max-header-bytes", "1048576"}, {"--rate-limit", "0.000278"}, {"--rate-limit", "1000000"}, {"--rate-burst", "1000000"}, {"--sqlite-busy-timeout", "1ms"}, {"--sqlite-busy-timeout", "596h31m23.647s"},
		{"--db", "game.db", "--sqlite-synchronous", "NORMAL", "--sqlite-shared"},
		{"--db", "postgres://db/game", "--db-max-conns", "8", "--db-statement-timeout", "2s", "--db-conn-lifetime", "1m", "--db-connect-timeout", "1s"},
		{"--db", "host=db dbname=game", "--db-max-conns", "8"},
		{"--db", "postgres://db/game", "--db-statement-timeout", "596h31m23.647s", "--db-conn-lifetime", "1s"},
		{"--db", "postgres://db/game", "--db-max-conns", "2147483647"},
		{"--db", "search_path=public host=db", "--db-max-conns", "8"},
	} {
		if _, err := parseConfig(args, func(string) string { return "" }, io.Discard); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	// migrate takes the database's flags, and the environment a server of
	// the same deployment is given, admin token included, which it does not
	// read (a short one is the server's to refuse).
	// Values a server would refuse included: they are not migrate's to check.
	deployment := map[string]string{
		"NINJAGOLD_ADDR": ":9090", "NINJAGOLD_ADMIN_TOKEN": "short", "NINJAGOLD_CORS_ORIGINS": "not an origin",
		"NINJAGOLD_TRUSTED_PROXIES": "not an IP", "NINJAGOLD_VALIDATE_RESPONSES": "maybe",
	}
	for _, args := range [][]string{
		{"migrate"}, {"migrate", "--db", "game.db", "--sqlite-busy-timeout", "1m"},
		{"migrate", "--db", "postgres://db/game", "--db-connect-timeout", "1s", "--log-format", "text"},
	} {
		if cfg, err := parseConfig(args, func(k string) string { return deployment[k] }, io.Discard); err != nil || cfg.command != "migrate" {
			t.Errorf("%q with a server's environment: command %q, %v; want migrate, nil", args, cfg.command, err)
		}
	}
	// A tab inside the admin token is a header value's own character, and
	// the token as given is the token used.
	for _, token := range []string{"abcdefgh\tijklmnopq", "0123456789abcdef", "ninja-gold-admin-Ω-token"} {
		cfg, err := parseConfig(nil, func(k string) string { return map[string]string{"NINJAGOLD_ADMIN_TOKEN": token}[k] }, io.Discard)
		if err != nil || cfg.adminToken != token {
			t.Errorf("NINJAGOLD_ADMIN_TOKEN=%q: token %q, %v; want it taken as it is", token, cfg.adminToken, err)
		}
	}
	validateEnv := func(v string) func(string) string {
		return func(k string) string { return map[string]string{"NINJAGOLD_VALIDATE_RESPONSES": v}[k] }
	}
	// Every spelling the variable takes, in any case.
	for _, tt := range []struct {
		env  string
		want bool
	}{
		{"", false}, {"0", false}, {"false", false}, {"no", false}, {"off", false}, {"FALSE", false}, {"Off", false},
		{"1", true}, {"true", true}, {"yes", true}, {"on", true}, {"TRUE", true}, {"Yes", true}, {"ON", true},
	} {
		if cfg, err := parseConfig(nil, validateEnv(tt.env), io.Discard); err != nil || cfg.validate != tt.want {
			t.Errorf("NINJAGOLD_VALIDATE_RESPONSES=%q: validate %v, %v; want %v", tt.env, cfg.validate, err, tt.want)
		}
	}
	// The flag wins over the variable, whatever it holds, and --help is
	// help whatever the environment says.
	for _, tt := range []struct {
		args []string
		env  string
		want bool
	}{
		{[]string{"--validate-responses=false"}, "TRUE", false},
		{[]string{"--validate-responses"}, "maybe", true},
		{[]string{"--validate-responses=false"}, "maybe", false},
	} {
		if cfg, err := parseConfig(tt.args, validateEnv(tt.env), io.Discard); err != nil || cfg.validate != tt.want {
			t.Errorf("%q with NINJAGOLD_VALIDATE_RESPONSES=%s: validate %v, %v; want %v", tt.args, tt.env, cfg.validate, err, tt.want)
		}
	}
	if _, err := parseConfig([]string{"--help"}, validateEnv("maybe"), io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help with NINJAGOLD_VALIDATE_RESPONSES=maybe: %v, want flag.ErrHelp", err)
	}
}

// Each setting reaches the part it is for: the service's configuration
// (TestNewHandlerTakesTheFlags has the service answer by most of these;
// --max-in-flight and --validate-responses need a request held in flight,
// or a response breaking the contract), and each store's options.
func TestSettingsReachTheirParts(t *testing.T) {
	env := map[string]string{"NINJAGOLD_ADMIN_TOKEN": "an-admin-token-of-this-test"}
	getenv := func(k string) string { return env[k] }
	cfg, err := parseConfig([]string{
		"--max-body-bytes", "64", "--max-header-bytes", "2048", "--max-in-flight", "7", "--validate-responses",
		"--rate-limit", "3", "--rate-burst", "9", "--trusted-proxy", "10.0.0.0/8", "--cors-origin", "https://app.example",
	}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	log, reg := slog.New(slog.DiscardHandler), prometheus.NewRegistry()
	got := apiConfig(cfg, nil, log, reg)
	want := api.Config{
		Logger: log, Metrics: reg,
		AdminToken: "an-admin-token-of-this-test", MaxBodyBytes: 64, MaxHeaderBytes: 2048, MaxInFlight: 7, ValidateResponses: true,
		RateLimit: api.RateLimit{Rate: 3, Burst: 9}, TrustedProxies: []string{"10.0.0.0/8"}, CORSOrigins: []string{"https://app.example"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("apiConfig:\n got %+v\nwant %+v", got, want)
	}

	cfg, err = parseConfig([]string{"--db", "game.db", "--sqlite-synchronous", "NORMAL", "--sqlite-shared", "--sqlite-busy-timeout", "250ms"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sqliteOptions(cfg), (sqlite.Options{Synchronous: "NORMAL", Shared: true, BusyTimeout: 250 * time.Millisecond}); got != want {
		t.Errorf("sqliteOptions: got %+v, want %+v", got, want)
	}

	cfg, err = parseConfig([]string{"--db", "postgres://db/game", "--db-max-conns", "3", "--db-statement-timeout", "7s",
		"--db-conn-lifetime", "2h", "--db-connect-timeout", "9s", "--write-timeout", "20s"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// A call is given up at nine-tenths of the write timeout, in time to
	// write its 503.
	if got, want := pgOptions(cfg), (postgres.Options{MaxConns: 3, StatementTimeout: 7 * time.Second, ConnMaxLifetime: 2 * time.Hour,
		ConnectTimeout: 9 * time.Second, CallTimeout: 18 * time.Second}); got != want {
		t.Errorf("PostgreSQL options: got %+v, want %+v", got, want)
	}
	// So is a request's, all of its calls together.
	if got, want := apiConfig(cfg, nil, log, reg).StoreDeadline, 18*time.Second; got != want {
		t.Errorf("PostgreSQL request deadline: got %v, want %v", got, want)
	}
	cfg, err = parseConfig([]string{"--db", "postgres://db/game"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pgOptions(cfg), (postgres.Options{CallTimeout: 27 * time.Second}); got != want {
		t.Errorf("PostgreSQL options by default: got %+v, want %+v", got, want)
	}

	// The connection's bounds, which TestTimeoutsCutSlowClientsOff sees
	// at work.
	cfg, err = parseConfig([]string{"--read-header-timeout", "2s", "--read-timeout", "3s", "--write-timeout", "4s", "--idle-timeout", "5s"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	handler := http.NewServeMux()
	srv := httpServer(cfg, handler, log)
	type bounds struct {
		readHeader, read, write, idle time.Duration
		maxHeader                     int
		noOptionsStar                 bool
	}
	gotBounds, wantBounds := bounds{srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes, srv.DisableGeneralOptionsHandler},
		bounds{2 * time.Second, 3 * time.Second, 4 * time.Second, 5 * time.Second, connMaxHeaderBytes, true}
	if gotBounds != wantBounds {
		t.Errorf("httpServer: got %+v, want %+v", gotBounds, wantBounds)
	}
	if srv.Handler != handler || srv.ErrorLog == nil {
		t.Errorf("httpServer: handler %v, error log %v", srv.Handler, srv.ErrorLog)
	}
}

// The start-up line names an address a browser on this machine can open:
// localhost for a listener on every interface.
func TestDisplayAddr(t *testing.T) {
	for _, tt := range []struct{ addr, want string }{
		{"0.0.0.0:8080", "localhost:8080"},
		{"[::]:8080", "localhost:8080"},
		{"127.0.0.1:8080", "127.0.0.1:8080"},
		{"[::1]:8080", "[::1]:8080"},
		{"192.0.2.7:80", "192.0.2.7:80"},
		{":8080", "localhost:8080"}, // an address with no IP
	} {
		addr, err := net.ResolveTCPAddr("tcp", tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := displayAddr(addr); got != tt.want {
			t.Errorf("displayAddr(%s) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

// --help prints the usage, both commands included, and is no error for main.
func TestHelp(t *testing.T) {
	var out strings.Builder
	_, err := parseConfig([]string{"--help"}, func(string) string { return "" }, &out)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "ninjagold migrate") || !strings.Contains(out.String(), "-max-in-flight") {
		t.Errorf("err %v, usage:\n%s", err, out.String())
	}
}

// --help gives the flags' own defaults, not the environment's values: the
// database's may carry a password, and the usage is no place to learn what
// this shell has set.
func TestHelpPrintsNoVariable(t *testing.T) {
	env := map[string]string{
		"NINJAGOLD_DB":   "postgres://ninja:s3cret@db/game",
		"NINJAGOLD_ADDR": "127.0.0.1:9999",
		// --help returns before any value is checked: these need only be
		// words the usage does not hold.
		"NINJAGOLD_LOG_FORMAT": "format-from-env",
		"NINJAGOLD_LOG_LEVEL":  "level-from-env",
		"NINJAGOLD_LOG_FLUSH":  "flush-from-env",
	}
	var out strings.Builder
	if _, err := parseConfig([]string{"--help"}, func(k string) string { return env[k] }, &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	for k, v := range env {
		if strings.Contains(out.String(), v) {
			t.Errorf("--help shows %s's value %q:\n%s", k, v, out.String())
		}
	}
	if !strings.Contains(out.String(), `(default "ninjagold.db")`) {
		t.Errorf("--help does not give --db's default:\n%s", out.String())
	}
}

// What checkDB refuses is what would have made a SQLite file of a
// mistyped PostgreSQL database; a file's path, whatever it looks like
// otherwise, is taken.
func TestCheckDBTakesFiles(t *testing.T) {
	for _, db := range []string{"ninjagold.db", "/var/lib/ninjagold/game.db", `C:\games\ninjagold.db`, "data:1.db",
		"data=1.db", "a=1 b=2", "./data/host=1.db", " game.db", "game#1?.db", "postgres.db", "postgres", "host",
		"postgres://db/game", " dbname = game", "games:2026.db", "backup:1", "./db:5432", "data/db.example.com:5432",
		"game.db:1", "games:v2:1.db", "snap.v2:3", "backup.2026:1530", "ninjagold.2026-12-07T15:30", "data/a://b.db"} {
		if err := checkDB(db); err != nil {
			t.Errorf("checkDB(%q): %v, want nil", db, err)
		}
	}
}

// The start-up line and the log name the database without its password,
// wherever the URL carries it.
func TestPostgresDSN(t *testing.T) {
	tests := []struct {
		db, dsn string
		ok      bool
	}{
		{"ninjagold.db", "ninjagold.db", false},
		{"/var/lib/ninjagold/game.db", "/var/lib/ninjagold/game.db", false},
		{"postgres://db/game", "postgres://db/game", true},
		{"PostgreSQL://db/game", "postgresql://db/game", true},
		{"host=db dbname=game", "host=db dbname=game", true},
		{" dbname = game", " dbname = game", true},
		{"data=1.db", "data=1.db", false},
		{"a=1 b=2", "a=1 b=2", false},
		{"game host=db", "game host=db", false},
		{"search_path=public host=db dbname=game", "search_path=public host=db dbname=game", true},
		{"pool_max_conns=4\thost=db", "pool_max_conns=4\thost=db", true},
		{"application_name='a b' x=1", "application_name='a b' x=1", true},
		{"x='it\\'s' y=a\\ b statement_timeout=5000", "x='it\\'s' y=a\\ b statement_timeout=5000", true},
		{"x='open statement_timeout=5000", "x='open statement_timeout=5000", false},
		// pgx reads a key right after a quoted value's closing quote.
		{"x='a'host=db dbname=game", "x='a'host=db dbname=game", true},
		{"application_name='a'dbname=game", "application_name='a'dbname=game", true},
		{"dbname=game extra", "dbname=game extra", true}, // for pgx to refuse
		// pgx reads a quote after a word's first character as part of it.
		{"password=it's host=db dbname=game", "password=it's host=db dbname=game", true},
		{"x=it's host=db", "x=it's host=db", true},
		{"host='db dbname=game", "host='db dbname=game", true}, // for pgx to refuse
		{"row_security=off", "row_security=off", true},
		{"idle_in_transaction_session_timeout=5000", "idle_in_transaction_session_timeout=5000", true},
		{"./data/host=1.db", "./data/host=1.db", false},
		{"/var/lib/x=y host=z.db", "/var/lib/x=y host=z.db", false},
	}
	for _, tt := range tests {
		if dsn, ok := postgresDSN(tt.db); dsn != tt.dsn || ok != tt.ok {
			t.Errorf("postgresDSN(%q) = %q, %v; want %q, %v", tt.db, dsn, ok, tt.dsn, tt.ok)
		}
	}
}

func TestDisplayDBHidesThePassword(t *testing.T) {
	tests := []struct{ db, want string }{
		{"ninjagold.db", "ninjagold.db"},
		{"postgres://ninja:s3cret@db:5432/game", "postgres://ninja:xxxxx@db:5432/game"},
		{"postgres://ninja@db/game?sslmode=disable&password=s3cret", "postgres://ninja@db/game?password=xxxxx&sslmode=disable"},
		{"postgresql://db/game?password=s3cret&user=ninja", "postgresql://db/game?password=xxxxx&user=ninja"},
		{"postgres://db/game?sslmode=disable", "postgres://db/game?sslmode=disable"},
		{"postgres://db/game?sslmode=verify-full&sslpassword=s3cret", "postgres://db/game?sslmode=verify-full&sslpassword=xxxxx"},
		{"POSTGRES://ninja:s3cret@db/game", "postgres://ninja:xxxxx@db/game"},
		{"host=db user=ninja password=s3cret dbname=game", "host=db user=ninja password=xxxxx dbname=game"},
		{"host=db password = 's3cret \\' still s3cret' sslpassword=s3cret dbname=game", "host=db password = xxxxx sslpassword=xxxxx dbname=game"},
		{"host=db password=s3cret\\ still\\ s3cret dbname=game", "host=db password=xxxxx dbname=game"},
		{"host=db password='s3cret'dbname=game", "host=db password=xxxxxdbname=game"}, // pgx reads dbname after the quote
		{"host=/var/run/postgresql PASSWORD=s3cret application_name=a://b", "host=/var/run/postgresql PASSWORD=xxxxx application_name=a://b"},
		{"postgres://ninja:s3cret@db:x/game", "postgres"},                                                          // no URL url.Parse reads
		{"host=db application_name=mypassword=1 dbname=game", "host=db application_name=mypassword=1 dbname=game"}, // no password key
	}
	for _, tt := range tests {
		got := displayDB(tt.db)
		if got != tt.want || strings.Contains(got, "s3cret") {
			t.Errorf("displayDB(%q) = %q, want %q", tt.db, got, tt.want)
		}
	}
}

// The README's flag table is what an operator reads: every flag is in it,
// with the environment variable the flag reads and the default it has.
// TestMigrateKnowsEveryFlag: each flag is a server's (serveFlags, which
// migrate refuses) or one migrate takes (the database's and the log's), so
// a flag added later cannot slip through migrate unchecked.
func TestMigrateKnowsEveryFlag(t *testing.T) {
	var help strings.Builder
	if _, err := parseConfig([]string{"--help"}, func(string) string { return "" }, &help); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	var flags []string
	for line := range strings.Lines(help.String()) {
		if rest, ok := strings.CutPrefix(line, "  -"); ok {
			name, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
			flags = append(flags, name)
		}
	}
	if len(flags) < 20 {
		t.Fatalf("read %d flags from --help:\n%s", len(flags), help.String())
	}
	for _, f := range flags {
		migrates := f == "db" || strings.HasPrefix(f, "db-") || strings.HasPrefix(f, "sqlite-") || strings.HasPrefix(f, "log-")
		if serves := slices.Contains(serveFlags, f); serves == migrates {
			t.Errorf("--%s: a server's flag %v, one migrate takes %v; want exactly one", f, serves, migrates)
		}
	}
}

// Read against --help, the flags' own account, so a default changed in one
// place and not the other fails here; and the variables it names are those
// parseConfig reads, no more and no fewer.
func TestREADMEFlagTable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var help strings.Builder
	if _, err := parseConfig([]string{"--help"}, func(string) string { return "" }, &help); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	// name -> its usage text, as PrintDefaults writes it.
	usage := map[string]string{}
	var name string
	for line := range strings.Lines(help.String()) {
		if rest, ok := strings.CutPrefix(line, "  -"); ok {
			name, _, _ = strings.Cut(strings.TrimSpace(rest), " ")
			usage[name] = ""
		} else if name != "" {
			usage[name] += strings.TrimSpace(line) + " "
		}
	}
	if len(usage) < 20 {
		t.Fatalf("read %d flags from --help:\n%s", len(usage), help.String())
	}

	// A flag's usage names the one variable it reads, if any.
	envVar := regexp.MustCompile(`NINJAGOLD_[A-Z_]+`)
	read := map[string]bool{} // the variables parseConfig asks for
	if _, err := parseConfig(nil, func(k string) string { read[k] = true; return "" }, io.Discard); err != nil {
		t.Fatal(err)
	}
	documented, documentedEnv := map[string]bool{}, map[string]bool{}
	for line := range strings.Lines(string(readme)) {
		cells := strings.Split(line, "|")
		if len(cells) < 5 || !strings.HasPrefix(strings.TrimSpace(cells[2]), "`NINJAGOLD_") && !strings.HasPrefix(strings.TrimSpace(cells[1]), "`--") {
			continue
		}
		env := strings.Trim(strings.TrimSpace(cells[2]), "`")
		if env != "" {
			documentedEnv[env] = true
			if !read[env] {
				t.Errorf("README documents %s, which parseConfig does not read", env)
			}
		}
		if strings.TrimSpace(cells[1]) == "" {
			continue // a variable without a flag (the admin token)
		}
		flags := strings.Split(strings.TrimSpace(cells[1]), " / ")
		defaults := strings.Split(strings.TrimSpace(cells[3]), " / ")
		switch {
		case len(defaults) == 1:
			defaults = slices.Repeat(defaults, len(flags))
		case len(defaults) != len(flags):
			t.Errorf("README: the row of %s gives %d defaults", cells[1], len(defaults))
			continue
		}
		for i, f := range flags {
			f = strings.TrimPrefix(strings.Trim(f, "`"), "--")
			documented[f] = true
			u, ok := usage[f]
			if !ok {
				t.Errorf("README documents --%s, which is no flag", f)
				continue
			}
			if env != "" && !strings.Contains(u, env) {
				t.Errorf("README: --%s reads %s; --help does not say so: %s", f, env, u)
			}
			if m := envVar.FindString(u); m != "" && m != env {
				t.Errorf("--help: --%s reads %s; the README says %q", f, m, env)
			}
			checkDefault(t, f, u, strings.Trim(defaults[i], "`"))
		}
	}
	for f := range usage {
		if !documented[f] {
			t.Errorf("--%s is not in the README's flag table", f)
		}
	}
	for env := range read {
		if !documentedEnv[env] {
			t.Errorf("parseConfig reads %s, which the README's flag table does not name", env)
		}
	}
}

// checkDefault compares the README's default for flag f with the one its
// usage u gives: "(default X)" as the flag package prints it, or for the
// PostgreSQL settings, which default to the URL's, "else X)".
func checkDefault(t *testing.T, f, u, readme string) {
	t.Helper()
	var want string
	if _, d, ok := strings.Cut(u, "(default "); ok {
		want = strings.TrimSuffix(strings.TrimSpace(d), ")")
		if s, err := strconv.Unquote(want); err == nil {
			want = s
		}
	} else if _, d, ok := strings.Cut(u, ", else "); ok {
		want = strings.TrimSpace(d)
		want = want[:max(0, strings.LastIndex(want, ")"))] // "1h)", "max(4, CPUs))"
	} else {
		// The zero value: no default printed.
		if !strings.HasPrefix(readme, "off") && !strings.HasPrefix(readme, "none") {
			t.Errorf("README: --%s defaults to %q; --help gives none (off)", f, readme)
		}
		return
	}
	if a, errA := time.ParseDuration(want); errA == nil {
		if b, errB := time.ParseDuration(readme); errB != nil || a != b {
			t.Errorf("README: --%s defaults to %q; --help says %s", f, readme, want)
		}
		return
	}
	if want != readme {
		t.Errorf("README: --%s defaults to %q; --help says %q", f, readme, want)
	}
}

// The start-up line names a SQLite file by its absolute path, and says when
// the start made it: a start in another directory than usual, with the
// relative default, makes a new game there.
func TestDescribeSQLiteFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if !newSQLiteFile("game.db") {
		t.Error("newSQLiteFile of a path with no file: false, want true")
	}
	if got, want := describeDB("game.db", nil, true), "SQLite "+filepath.Join(dir, "game.db")+", a new file"; got != want {
		t.Errorf("describeDB of a new file: got %q, want %q", got, want)
	}
	if err := os.WriteFile("game.db", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if newSQLiteFile("game.db") {
		t.Error("newSQLiteFile of an existing file: true, want false")
	}
	if got, want := describeDB("game.db", nil, false), "SQLite "+filepath.Join(dir, "game.db"); got != want {
		t.Errorf("describeDB of an existing file: got %q, want %q", got, want)
	}
	if newSQLiteFile("postgres://db/game") {
		t.Error("newSQLiteFile of a PostgreSQL URL: true, want false")
	}
}

// A SQLite file other users of the machine may read or write is served,
// with a warning saying so; one for its owner alone, without.
func TestWarnIfShared(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows keeps no permission bits")
	}
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o600, false}, {0o640, true}, {0o604, true}, {0o620, true}, {0o666, true}} {
		t.Run(fmt.Sprintf("%#o", tc.mode), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "game.db")
			if err := os.WriteFile(db, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(db, tc.mode); err != nil {
				t.Fatal(err)
			}
			cfg, err := parseConfig([]string{"--db", db}, func(string) string { return "" }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			store, err := openStore(t.Context(), cfg, slog.New(slog.NewTextHandler(&out, nil)))
			if err != nil {
				t.Fatal(err)
			}
			store.Close()
			want := fmt.Sprintf(`level=WARN msg="other users of this machine may read or write the database file: chmod 600 it" file=%s mode=%#o`, db, tc.mode)
			if got := strings.TrimSpace(out.String()); tc.warn != strings.HasSuffix(got, want) || !tc.warn && got != "" {
				t.Errorf("logged %q, want a warning: %v", got, tc.warn)
			}
		})
	}
}
