// Command ninjagold serves the Ninja Gold API.
//
//	ninjagold [--addr :8080] [--db ninjagold.db]   serve
//	ninjagold migrate [--db ninjagold.db]          apply migrations and exit
//
// Some flags have an environment variable too (NINJAGOLD_ADDR, NINJAGOLD_DB
// and the others --help names); the flag wins. The admin token comes only
// from NINJAGOLD_ADMIN_TOKEN, and when it is unset a fresh one is generated
// and printed once. This is the only package that
// reads flags or the environment.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/impl"
	"github.com/ninjagold/ninjagold-api/store/postgres"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

func main() {
	// SIGINT, SIGTERM and a hangup all stop the server gracefully; a second
	// signal cuts the requests still in flight off, and the process ends as
	// soon as its log is written. A hangup the process was started to ignore
	// (nohup) stays ignored.
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	// One channel for both, registered before anything runs: a second
	// signal sent right after the first is not lost between two listeners.
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, sigs...)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	force, forceNow := context.WithCancel(context.Background())
	defer forceNow()
	go func() {
		<-signals
		stop()
		<-signals
		forceNow()
	}()
	err := run(ctx, force, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return // --help: the usage is printed
	case err != nil:
		fmt.Fprintln(os.Stderr, "ninjagold:", err)
		os.Exit(1)
	}
}

// config is everything the command reads from flags and the environment.
type config struct {
	command      string // "serve" or "migrate"
	addr         string
	db           string
	adminToken   string
	maxBody      int64
	shutdown     time.Duration
	validate     bool
	logFormat    string
	logLevel     slog.Level
	rateLimit    api.RateLimit
	proxies      stringList
	cors         stringList
	maxHeader    int
	maxFlight    int
	timeouts     timeouts
	pg           postgres.Options
	sqliteSync   string
	sqliteShared bool
	sqliteBusy   time.Duration
	logFlush     time.Duration
}

// timeouts are the HTTP server's; slow clients are cut off by them.
type timeouts struct {
	readHeader, read, write, idle time.Duration
}

// stringList is a repeatable or comma-separated flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	cfg := config{command: "serve"}
	if len(args) > 0 && args[0] == "migrate" {
		cfg.command, args = "migrate", args[1:]
	}
	fs := flag.NewFlagSet("ninjagold", flag.ContinueOnError)
	// A mistake is one line (main prints the error); --help, the usage.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	usage := func() {
		fmt.Fprint(stderr, `Usage:
  ninjagold [flags]           serve the API
  ninjagold migrate [flags]   apply the migrations to --db and exit

Flags win over their environment variables. The admin token, the bearer
token of the admin operations (location writes, deleting any player or
replacing their token), is read from NINJAGOLD_ADMIN_TOKEN only (at least
16 characters); unset, a new one is made and printed at start.

`)
		fs.SetOutput(stderr)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.addr, "addr", envOr(getenv, "NINJAGOLD_ADDR", ":8080"), "listen address (NINJAGOLD_ADDR)")
	fs.StringVar(&cfg.db, "db", envOr(getenv, "NINJAGOLD_DB", "ninjagold.db"), "a postgres:// URL or a PostgreSQL keyword/value string (host=... dbname=...), or else a SQLite file path (NINJAGOLD_DB)")
	fs.StringVar(&cfg.sqliteSync, "sqlite-synchronous", "FULL", "SQLite: FULL (a commit survives power loss) or NORMAL (survives a crash of the process only; faster)")
	fs.BoolVar(&cfg.sqliteShared, "sqlite-shared", false, "SQLite: let other processes open the file while this one runs (every one of them needs it); without it the file is held for this process alone, which makes reads faster")
	fs.DurationVar(&cfg.sqliteBusy, "sqlite-busy-timeout", 5*time.Second, "SQLite: how long to wait for another process's lock on the file: a start's wait (for one migrating it), and a write's (with --sqlite-shared)")
	var maxConns int
	fs.IntVar(&maxConns, "db-max-conns", 0, "PostgreSQL: pool size (default: the URL's pool_max_conns, else max(4, CPUs))")
	fs.DurationVar(&cfg.pg.StatementTimeout, "db-statement-timeout", 0, "PostgreSQL: statement_timeout, whole milliseconds (default: the URL's statement_timeout, else 30s)")
	fs.DurationVar(&cfg.pg.ConnMaxLifetime, "db-conn-lifetime", 0, "PostgreSQL: close connections older than this, at least 1s (default: the URL's pool_max_conn_lifetime, else 1h)")
	fs.DurationVar(&cfg.pg.ConnectTimeout, "db-connect-timeout", 0, "PostgreSQL: connect timeout (default: the URL's connect_timeout, else 5s)")
	fs.Int64Var(&cfg.maxBody, "max-body-bytes", api.DefaultMaxBodyBytes, "request body limit in bytes")
	fs.DurationVar(&cfg.shutdown, "shutdown-timeout", 15*time.Second, "how long in-flight requests may take to finish on SIGINT, SIGTERM or SIGHUP; 0: none may")
	fs.BoolVar(&cfg.validate, "validate-responses", false,
		"check every response against openapi.yaml and log violations (NINJAGOLD_VALIDATE_RESPONSES)")
	fs.Float64Var(&cfg.rateLimit.Rate, "rate-limit", 50, "requests per second each client may make; 0 turns rate limiting off")
	fs.IntVar(&cfg.rateLimit.Burst, "rate-burst", 100, "requests a client may make at once before the rate applies (1 to 1,000,000; 0 only with -rate-limit 0)")
	fs.Var(&cfg.proxies, "trusted-proxy", "IP or CIDR of a proxy whose X-Forwarded-For (or X-Real-IP) names the client (repeatable; NINJAGOLD_TRUSTED_PROXIES, comma-separated)")
	fs.Var(&cfg.cors, "cors-origin", "an origin (scheme://host[:port]) whose pages may call the API from a browser (repeatable; NINJAGOLD_CORS_ORIGINS, comma-separated); none turns CORS off")
	fs.IntVar(&cfg.maxHeader, "max-header-bytes", api.DefaultMaxHeaderBytes, "limit in bytes of the request target and headers together (431 beyond)")
	fs.IntVar(&cfg.maxFlight, "max-in-flight", 512, "requests served at once, counted once the request has arrived whole; more get 503 (0: no bound)")
	fs.DurationVar(&cfg.timeouts.readHeader, "read-header-timeout", 5*time.Second, "time a client has to send the request headers")
	fs.DurationVar(&cfg.timeouts.read, "read-timeout", 30*time.Second, "time a client has to send the whole request")
	fs.DurationVar(&cfg.timeouts.write, "write-timeout", 30*time.Second, "time to write the response")
	fs.DurationVar(&cfg.timeouts.idle, "idle-timeout", 120*time.Second, "how long an idle keep-alive connection stays open")
	fs.StringVar(&cfg.logFormat, "log-format", envOr(getenv, "NINJAGOLD_LOG_FORMAT", "json"), "log format: json or text (NINJAGOLD_LOG_FORMAT)")
	logLevel := fs.String("log-level", envOr(getenv, "NINJAGOLD_LOG_LEVEL", "info"),
		"least level logged: debug, info, warn or error; warn and above leave out the access log (NINJAGOLD_LOG_LEVEL)")
	logFlush := fs.String("log-flush", envOr(getenv, "NINJAGOLD_LOG_FLUSH", api.DefaultLogFlush.String()),
		"longest a log line waits in a buffer before it is written, at least 1ms; 0 writes each line at once (NINJAGOLD_LOG_FLUSH)")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		usage()
		return cfg, err
	} else if err != nil {
		return cfg, fmt.Errorf("%w (ninjagold --help lists the flags)", err)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if err := cfg.fromEnvironment(given, getenv); err != nil {
		return cfg, err
	}
	if err := cfg.setPostgresFlags(given, maxConns); err != nil {
		return cfg, err
	}
	if err := cfg.check(); err != nil {
		return cfg, err
	}
	if err := checkStoreFlags(cfg.db, given); err != nil {
		return cfg, err
	}
	flush, err := time.ParseDuration(*logFlush)
	if err != nil || flush < 0 || flush > 0 && flush < api.MinLogFlush {
		return cfg, fmt.Errorf("NINJAGOLD_LOG_FLUSH / --log-flush must be 0 or a duration of at least %v such as 100ms, not %q", api.MinLogFlush, *logFlush)
	}
	cfg.logFlush = flush
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.logFormat != "json" && cfg.logFormat != "text" {
		return cfg, fmt.Errorf("NINJAGOLD_LOG_FORMAT / --log-format must be json or text, not %q", cfg.logFormat)
	}
	// slog also reads "info+2" and the like; the contract of the flag is
	// the four names.
	if err := cfg.logLevel.UnmarshalText([]byte(*logLevel)); err != nil || strings.ContainsAny(*logLevel, "+-") {
		return cfg, fmt.Errorf("NINJAGOLD_LOG_LEVEL / --log-level must be debug, info, warn or error, not %q", *logLevel)
	}
	cfg.adminToken, err = adminToken(getenv)
	return cfg, err
}

// fromEnvironment reads the environment variables of the list flags and
// of --validate-responses, where those flags are not given; the other
// flags' variables are their defaults (envOr in parseConfig).
func (cfg *config) fromEnvironment(given map[string]bool, getenv func(string) string) error {
	// A list flag replaces its environment variable, as every other flag
	// does: an operator narrowing the list must not keep the old entries.
	if !given["trusted-proxy"] {
		_ = cfg.proxies.Set(getenv("NINJAGOLD_TRUSTED_PROXIES"))
	}
	if !given["cors-origin"] {
		_ = cfg.cors.Set(getenv("NINJAGOLD_CORS_ORIGINS"))
	}
	if !given["validate-responses"] {
		// Read only when the flag is not given: the flag wins, also over a
		// value the variable may not hold.
		v, err := envBool(getenv, "NINJAGOLD_VALIDATE_RESPONSES")
		if err != nil {
			return err
		}
		cfg.validate = v
	}
	return nil
}

// setPostgresFlags checks the PostgreSQL flags given and sets the pool size.
func (cfg *config) setPostgresFlags(given map[string]bool, maxConns int) error {
	if maxConns < 0 || maxConns > math.MaxInt32 {
		return fmt.Errorf("--db-max-conns must be a pool size from 1 to %d, not %d", math.MaxInt32, maxConns)
	}
	// Left out, these take the URL's setting or the default; given as 0
	// they would too, where PostgreSQL reads a statement_timeout of 0 as
	// none.
	for _, d := range []struct {
		flag string
		zero bool
		hint string
	}{
		{"db-max-conns", maxConns == 0, ""},
		{"db-statement-timeout", cfg.pg.StatementTimeout == 0, "; to turn the statement timeout off, put statement_timeout=0 in the URL"},
		{"db-conn-lifetime", cfg.pg.ConnMaxLifetime == 0, ""},
		{"db-connect-timeout", cfg.pg.ConnectTimeout == 0, ""},
	} {
		if given[d.flag] && d.zero {
			return fmt.Errorf("--%s must be more than 0%s", d.flag, d.hint)
		}
	}
	cfg.pg.MaxConns = int32(maxConns)
	return nil
}

// adminToken reads NINJAGOLD_ADMIN_TOKEN ("" when unset), refusing one no
// request could send or that is short enough to guess.
func adminToken(getenv func(string) string) (string, error) {
	token := getenv("NINJAGOLD_ADMIN_TOKEN")
	if strings.TrimSpace(token) != token {
		// The token of an Authorization header is read without the
		// spaces around it, so this one could never match.
		return "", errors.New("NINJAGOLD_ADMIN_TOKEN must not start or end with white space")
	}
	if strings.ContainsFunc(token, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
		// No header value may hold a control character (RFC 9110 §5.5):
		// no request could send this one.
		return "", errors.New("NINJAGOLD_ADMIN_TOKEN must not hold ASCII control characters (but for tabs inside it)")
	}
	if n := utf8.RuneCountInString(token); n > 0 && n < minAdminToken {
		// It is the one key to every location write, and a short one
		// is guessed.
		return "", fmt.Errorf("NINJAGOLD_ADMIN_TOKEN must be at least %d characters long, not %d", minAdminToken, n)
	}
	return token, nil
}

// The bounds of the rate limit's settings.
const (
	minRate  = 1.0 / 3600
	maxBurst = 1_000_000
)

// minAdminToken is the shortest NINJAGOLD_ADMIN_TOKEN taken.
const minAdminToken = 16

// maxStatementTimeout is PostgreSQL's largest statement_timeout: 2^31-1 ms.
const maxStatementTimeout = math.MaxInt32 * time.Millisecond

// connMaxHeaderBytes is net/http's bound on a request's header block (the
// contract's "1 MiB"); --max-header-bytes is the api's, below it.
const connMaxHeaderBytes = 1 << 20

// check refuses settings that would otherwise quietly mean something else
// (a negative limit turning the limit off, say).
func (cfg config) check() error {
	switch {
	case cfg.sqliteSync != "FULL" && cfg.sqliteSync != "NORMAL":
		return fmt.Errorf("--sqlite-synchronous must be FULL or NORMAL, not %q", cfg.sqliteSync)
	case cfg.maxBody <= 0:
		return fmt.Errorf("--max-body-bytes must be a positive number of bytes, not %d", cfg.maxBody)
	case cfg.maxHeader <= 0 || cfg.maxHeader > connMaxHeaderBytes:
		// Above the connection's bound net/http answers first, with its
		// plain-text 431, and the setting would never take.
		return fmt.Errorf("--max-header-bytes must be from 1 to %d bytes, not %d", connMaxHeaderBytes, cfg.maxHeader)
	case cfg.maxFlight < 0:
		return fmt.Errorf("--max-in-flight must be 0 (no bound) or more, not %d", cfg.maxFlight)
	case cfg.rateLimit.Rate < 0 || math.IsNaN(cfg.rateLimit.Rate) || math.IsInf(cfg.rateLimit.Rate, 0):
		return fmt.Errorf("--rate-limit must be 0 (off) or a number of requests per second, not %v", cfg.rateLimit.Rate)
	case cfg.rateLimit.Rate > 0 && cfg.rateLimit.Rate < minRate:
		// Slower, the waits the headers give outgrow any client's patience
		// (and Go's durations).
		return fmt.Errorf("--rate-limit must be 0 (off) or at least one request an hour (%.6f a second), not %v", minRate, cfg.rateLimit.Rate)
	case cfg.rateLimit.Burst < 1 && (cfg.rateLimit.Rate > 0 || cfg.rateLimit.Burst < 0) || cfg.rateLimit.Burst > maxBurst:
		// A negative burst is refused with the rate off too: it would
		// not mean what it says once the rate is turned on.
		return fmt.Errorf("--rate-burst must be from 1 to %d, not %d", maxBurst, cfg.rateLimit.Burst)
	case cfg.pg.StatementTimeout != 0 && (cfg.pg.StatementTimeout < time.Millisecond ||
		cfg.pg.StatementTimeout > maxStatementTimeout || cfg.pg.StatementTimeout%time.Millisecond != 0):
		// PostgreSQL counts it in whole milliseconds, in 32 bits.
		return fmt.Errorf("--db-statement-timeout must be whole milliseconds from 1ms to %v, not %v", maxStatementTimeout, cfg.pg.StatementTimeout)
	case cfg.pg.ConnMaxLifetime != 0 && cfg.pg.ConnMaxLifetime < postgres.MinConnLifetime:
		return fmt.Errorf("--db-conn-lifetime must be at least %v, not %v: a connection would expire before it is used", postgres.MinConnLifetime, cfg.pg.ConnMaxLifetime)
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
		// off: 0 turns the timeout off (net/http's meaning), which
		// lets a slow client hold its connection for ever.
		off bool
	}{
		{"shutdown-timeout", cfg.shutdown, false},
		{"read-header-timeout", cfg.timeouts.readHeader, true},
		{"read-timeout", cfg.timeouts.read, true},
		{"write-timeout", cfg.timeouts.write, true},
		{"idle-timeout", cfg.timeouts.idle, true},
		{"db-statement-timeout", cfg.pg.StatementTimeout, false},
		{"db-conn-lifetime", cfg.pg.ConnMaxLifetime, false},
		{"db-connect-timeout", cfg.pg.ConnectTimeout, false},
	} {
		switch {
		case d.v < 0:
			return fmt.Errorf("--%s must not be negative, not %v", d.flag, d.v)
		case d.v == 0 && d.off:
			return fmt.Errorf("--%s must be more than 0, which would turn it off and let a slow client hold its connection", d.flag)
		}
	}
	if cfg.sqliteBusy < time.Millisecond || cfg.sqliteBusy > sqlite.MaxBusyTimeout {
		// SQLite counts it in milliseconds, in 32 bits, and 0 would not
		// wait at all.
		return fmt.Errorf("--sqlite-busy-timeout must be from 1ms to %v, not %v", sqlite.MaxBusyTimeout, cfg.sqliteBusy)
	}
	for _, o := range cfg.cors {
		if err := checkOrigin(o); err != nil {
			return fmt.Errorf("NINJAGOLD_CORS_ORIGINS / --cors-origin %q: %w", o, err)
		}
	}
	for _, p := range cfg.proxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return fmt.Errorf("NINJAGOLD_TRUSTED_PROXIES / --trusted-proxy must be IP addresses or CIDRs, not %q", p)
		}
	}
	return nil
}

// checkOrigin refuses o unless it is an origin as a browser sends it in
// Origin: the CORS check compares the two as strings, so any other spelling
// of the same origin (upper case, the scheme's default port, a trailing
// slash, an IP address written another way) would never match, and CORS
// would stay off for it without a word.
func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return errors.New("must be an origin such as https://game.example.org")
	}
	want, err := browserOrigin(u)
	if err != nil {
		return err
	}
	if u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fmt.Errorf("an origin has no path, query or fragment: a browser sends %q", want)
	}
	if o != want {
		return fmt.Errorf("a browser sends this origin as %q", want)
	}
	return nil
}

// browserOrigin is u's origin as a browser writes it (the WHATWG URL
// standard): scheme and host in lower case, an IP address in its one
// canonical form, no port where it is the scheme's default.
func browserOrigin(u *url.URL) (string, error) {
	host, port := strings.ToLower(u.Hostname()), u.Port()
	// A browser drops one trailing dot before it decides a host is an
	// IPv4 address.
	switch labels := strings.Split(strings.TrimSuffix(host, "."), "."); {
	case strings.HasPrefix(u.Host, "["):
		addr, err := netip.ParseAddr(host)
		switch {
		case err != nil || !addr.Is6():
			return "", fmt.Errorf("%s is not an IPv6 address", host)
		case addr.Zone() != "":
			return "", errors.New("a browser sends no zone in an IPv6 address")
		case addr.Is4In6():
			// Go writes the last 32 bits as IPv4; a browser in hex.
			b := addr.As16()
			host = fmt.Sprintf("[::ffff:%x:%x]", uint16(b[12])<<8|uint16(b[13]), uint16(b[14])<<8|uint16(b[15]))
		default:
			host = "[" + addr.String() + "]"
		}
	case endsInNumber(labels[len(labels)-1]):
		// A browser reads such a host as an IPv4 address (127.1,
		// 0x7f.0.0.1, 2130706433) and writes it as four decimal numbers.
		addr, err := netip.ParseAddr(strings.TrimSuffix(host, "."))
		if err != nil || !addr.Is4() {
			return "", fmt.Errorf("a browser sends an IPv4 address as four decimal numbers (127.0.0.1), not %s", host)
		}
		host = addr.String()
	default:
		for _, r := range host {
			if r > 0x7f {
				return "", errors.New("a browser sends a host name in its ASCII (punycode) form")
			}
		}
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return "", fmt.Errorf("port %s is not a port a browser sends", port)
		}
	}
	origin := u.Scheme + "://" + host
	if port != "" && !(u.Scheme == "http" && port == "80" || u.Scheme == "https" && port == "443") {
		origin += ":" + port
	}
	return origin, nil
}

// endsInNumber reports whether label, a host's last, makes a browser read
// the host as an IPv4 address: decimal digits, or 0x and hex digits.
func endsInNumber(label string) bool {
	if hex, ok := strings.CutPrefix(label, "0x"); ok {
		return strings.Trim(hex, "0123456789abcdef") == ""
	}
	return label != "" && strings.Trim(label, "0123456789") == ""
}

// envBool reads a yes/no environment variable; unset is no.
func envBool(getenv func(string) string, key string) (bool, error) {
	switch strings.ToLower(getenv(key)) {
	case "", "0", "false", "no", "off":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	}
	return false, fmt.Errorf("%s must be true or false, not %q", key, getenv(key))
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// run serves until ctx ends, then lets the requests in flight finish for
// up to --shutdown-timeout, or until force ends.
func run(ctx, force context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	logs := api.NewLogWriter(stderr, cfg.logFlush)
	defer logs.Close() // the last lines, on every way out
	logHandler, err := api.NewLogHandler(logs, cfg.logFormat, cfg.logLevel)
	if err != nil {
		return err
	}
	log := slog.New(logHandler)

	// Listen before touching the database: a taken port must not leave a
	// new database file behind, or print an admin token for nothing.
	var ln net.Listener
	if cfg.command == "serve" {
		if ln, err = net.Listen("tcp", cfg.addr); err != nil {
			return fmt.Errorf("NINJAGOLD_ADDR / --addr %q: %w", cfg.addr, err)
		}
		defer ln.Close() // Serve closes it too; a second Close does nothing
	}
	// Serving, parse the contract while the database opens: on this
	// project's 2-core machine each takes a good part of the 100 ms from
	// start to first answer that BENCHMARKS.md measures. (migrate, which
	// returns before the handler is built, needs no contract.)
	type parsed struct {
		doc *openapi3.T
		err error
	}
	spec := make(chan parsed, 1)
	if cfg.command == "serve" {
		go func() {
			doc, err := ninjagold.Spec()
			spec <- parsed{doc, err}
		}()
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		if ctx.Err() != nil {
			// Else the line ends in a bare "context canceled".
			return fmt.Errorf("stopped by a signal while the database was opening: %w", err)
		}
		return err
	}
	// Closed on the way out, but not waited for once requests were cut
	// off: the writer may be waiting on the database (a commit on a slow
	// disk, another process's lock) for as long as the busy timeout, and
	// what it has not committed, no caller was told of, and ends with the
	// process.
	cutOff := false
	defer func() {
		if cutOff {
			go store.Close()
			return
		}
		store.Close()
	}()
	if cfg.command == "migrate" {
		fmt.Fprintf(stdout, "migrations applied to %s\n", describeDB(cfg.db, store))
		return nil
	}

	if cfg.adminToken == "" {
		cfg.adminToken = generateToken()
		fmt.Fprintf(stdout, "NINJAGOLD_ADMIN_TOKEN was not set; the admin token for this run is:\n  %s\n", cfg.adminToken)
	}
	contract := <-spec
	if contract.err != nil {
		return contract.err
	}
	handler, err := newHandler(cfg, store, contract.doc, log)
	if err != nil {
		return err
	}

	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: cfg.timeouts.readHeader,
		ReadTimeout:       cfg.timeouts.read,
		WriteTimeout:      cfg.timeouts.write,
		IdleTimeout:       cfg.timeouts.idle,
		// The handler answers oversized headers with a 431 problem; this
		// larger bound only protects the connection.
		MaxHeaderBytes: connMaxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// The handler answers OPTIONS * itself, through its middleware.
		DisableGeneralOptionsHandler: true,
	}
	base := "http://" + displayAddr(ln.Addr())
	db := describeDB(cfg.db, store)
	fmt.Fprintf(stdout, "Ninja Gold API listening on %s (database %s)\n  docs: %s/docs\n  API:  %s/locations\n  spec: %s/openapi.yaml and %s/openapi.json\n",
		base, db, base, base, base, base)
	if cfg.validate {
		fmt.Fprintln(stdout, "  every response is checked against openapi.yaml; violations are logged")
	}
	// The same, for a log pipeline that reads only the JSON lines.
	log.Info("listening", "url", base, "database", db, "validate_responses", cfg.validate)

	cutOff, err = serve(ctx, force, srv, ln, cfg.shutdown, log, stdout)
	return err
}

// serve serves srv on ln until ctx ends, then shuts it down, letting the
// requests in flight finish for up to timeout or until force ends. cutOff
// reports whether some were cut off instead.
func serve(ctx, force context.Context, srv *http.Server, ln net.Listener, timeout time.Duration, log *slog.Logger, stdout io.Writer) (cutOff bool, err error) {
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return false, err
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "shutting down: letting in-flight requests finish")
	log.Info("shutting down", "timeout", timeout)
	shutdownCtx, cancel := context.WithTimeout(force, timeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close() // cuts the connections left, and their requests' contexts
		if force.Err() != nil {
			log.Error("a second signal: requests still in flight were cut off")
			return true, errors.New("stopped by a second signal; requests still in flight were cut off")
		}
		log.Error("shutdown timed out: requests still in flight were cut off", "timeout", timeout)
		return true, fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return false, err
	}
	log.Info("stopped")
	return false, nil
}

// newHandler builds the service over store: the operations, with their
// metrics gathered with the Go runtime's and the store's pools', behind the
// middleware that enforces doc, the contract.
func newHandler(cfg config, store game.Store, doc *openapi3.T, log *slog.Logger) (http.Handler, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	api.RegisterPoolMetrics(reg, store)
	return api.NewHandler(impl.New(store, game.SystemDice{}, reg), api.Config{
		Spec:              doc,
		AdminToken:        cfg.adminToken,
		MaxBodyBytes:      cfg.maxBody,
		Logger:            log,
		ValidateResponses: cfg.validate,
		Metrics:           reg,
		RateLimit:         cfg.rateLimit,
		TrustedProxies:    cfg.proxies,
		CORSOrigins:       cfg.cors,
		MaxHeaderBytes:    cfg.maxHeader,
		MaxInFlight:       cfg.maxFlight,
	})
}

// checkStoreFlags refuses a flag given for the other kind of database than
// db names: taken and ignored, it would quietly mean nothing (a pool size
// for a SQLite file, a durability mode for PostgreSQL).
func checkStoreFlags(db string, given map[string]bool) error {
	_, pg := postgresDSN(db)
	for _, name := range []string{"sqlite-synchronous", "sqlite-shared", "sqlite-busy-timeout",
		"db-max-conns", "db-statement-timeout", "db-conn-lifetime", "db-connect-timeout"} {
		if !given[name] {
			continue
		}
		switch sqliteFlag := strings.HasPrefix(name, "sqlite-"); {
		case sqliteFlag && pg:
			return fmt.Errorf("--%s is a SQLite setting, and NINJAGOLD_DB / --db names PostgreSQL", name)
		case !sqliteFlag && !pg:
			return fmt.Errorf("--%s is a PostgreSQL setting, and NINJAGOLD_DB / --db names a SQLite file (%q)", name, db)
		}
	}
	return nil
}

// openStore opens the database cfg.db names: PostgreSQL for a postgres://
// URL or a keyword/value string, else a SQLite file. Either way the
// migrations are applied.
func openStore(ctx context.Context, cfg config) (game.Store, error) {
	if dsn, ok := postgresDSN(cfg.db); ok {
		store, err := postgres.Open(ctx, dsn, cfg.pg)
		if err != nil {
			// Open's errors leave out the string's password (a URL's,
			// masked) or the string itself (a keyword string that would not parse).
			return nil, fmt.Errorf("NINJAGOLD_DB / --db (PostgreSQL): %w", err)
		}
		return store, nil
	}
	store, err := sqlite.Open(ctx, cfg.db, sqlite.Options{Synchronous: cfg.sqliteSync, Shared: cfg.sqliteShared, BusyTimeout: cfg.sqliteBusy})
	if errors.Is(err, sqlite.ErrInUse) && cfg.sqliteShared {
		// Shared, the other process may be a ninjagold creating the file
		// (which takes it whole for a moment) as well as one holding it.
		return nil, fmt.Errorf("NINJAGOLD_DB / --db %q: %w; another process held the file for longer than --sqlite-busy-timeout: a ninjagold creating it (start again, or wait longer with --sqlite-busy-timeout), or one without --sqlite-shared, which holds it (stop it, or start every ninjagold on the file with --sqlite-shared)", cfg.db, err)
	}
	if errors.Is(err, sqlite.ErrInUse) {
		return nil, fmt.Errorf("NINJAGOLD_DB / --db %q: %w; another process has the file open (a running ninjagold, which holds its file for itself, or the sqlite3 shell or a backup tool while this one would): stop it, or start every ninjagold on the file with --sqlite-shared", cfg.db, err)
	}
	if errors.Is(err, sqlite.ErrLocked) {
		return nil, fmt.Errorf("NINJAGOLD_DB / --db %q: %w; start again once it is done, or wait longer with --sqlite-busy-timeout", cfg.db, err)
	}
	if err != nil {
		return nil, fmt.Errorf("NINJAGOLD_DB / --db %q: %w", cfg.db, err)
	}
	return store, nil
}

// postgresDSN reports whether db names a PostgreSQL database, as pgx takes
// them: a postgres:// or postgresql:// URL (the scheme in any case; it is
// handed on in lower case, the only one pgx reads), or a keyword/value
// string such as "host=db dbname=game". Anything else is a SQLite file.
func postgresDSN(db string) (string, bool) {
	for _, scheme := range []string{"postgres://", "postgresql://"} {
		if len(db) >= len(scheme) && strings.EqualFold(db[:len(scheme)], scheme) {
			return scheme + db[len(scheme):], true
		}
	}
	return db, isKeywordDSN(db)
}

// isKeywordDSN reports whether db is a keyword/value connection string:
// it starts with key=value pairs, one of whose keys is one that pgx reads
// (libpq's connection keywords, pgx's pool settings, and the server
// settings the README names). A file such as data=1.db stays a SQLite
// file; a string that starts with search_path= or pool_max_conns= is
// PostgreSQL's, and so is one whose known key has a value pgx would refuse,
// for pgx to refuse it (rather than a SQLite file of that name).
func isKeywordDSN(db string) bool {
	for rest := db; ; {
		key := dsnKey.FindStringSubmatch(rest)
		if key == nil {
			return false
		}
		if dsnKeywords[key[1]] {
			return true
		}
		value := dsnValue.FindString(rest[len(key[0]):])
		if value == "" {
			return false
		}
		rest = rest[len(key[0])+len(value):]
	}
}

// dsnKey is a pair's key and its =, at the start of a string, and dsnValue
// the value after it and the white space that ends it, as pgx reads them:
// single-quoted with backslash escapes, or a word (a quote after its first
// character is part of it) with backslash escapes, empty too.
var (
	dsnKey   = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*`)
	dsnValue = regexp.MustCompile(`^(?:'(?:[^'\\]|\\.)*'|(?:(?:[^\s'\\]|\\.)(?:[^\s\\]|\\.)*)?)(?:\s+|$)`)
)

// dsnKeywords are the keys that make a keyword/value string PostgreSQL's.
var dsnKeywords = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range strings.Fields(`host hostaddr port dbname user password passfile service servicefile
		sslmode sslcert sslkey sslrootcert sslpassword sslsni sslnegotiation sslcrl sslcrldir sslcompression
		ssl_min_protocol_version ssl_max_protocol_version sslcertmode require_auth requirepeer gssencmode
		gsslib gssdelegation krbsrvname krbspn channel_binding connect_timeout application_name
		fallback_application_name options target_session_attrs load_balance_hosts
		keepalives keepalives_idle keepalives_interval keepalives_count tcp_user_timeout
		pool_max_conns pool_min_conns pool_min_idle_conns pool_max_conn_lifetime pool_max_conn_lifetime_jitter
		pool_max_conn_idle_time pool_health_check_period statement_cache_capacity description_cache_capacity
		default_query_exec_mode min_read_buffer_size search_path statement_timeout row_security
		idle_in_transaction_session_timeout`) {
		m[k] = true
	}
	return m
}()

// dsnSecret is a password's value in a keyword/value string: a word, or
// single-quoted with backslash escapes.
var dsnSecret = regexp.MustCompile(`(?i)\b((?:ssl)?password\s*=\s*)(?:'(?:[^'\\]|\\.)*'|(?:[^\s'\\]|\\.)(?:[^\s\\]|\\.)*)`)

// describeDB names the database store is on for the start-up line: db
// without its password, and for PostgreSQL the schema, which the
// search_path resolved to and the URL may not say.
func describeDB(db string, store game.Store) string {
	if pg, ok := store.(*postgres.Store); ok {
		return displayDB(db) + ", schema " + pg.Schema()
	}
	return displayDB(db)
}

// displayDB names the database in the start-up line without its password,
// which a URL may carry in its user info or, as pgx also reads them, in a
// password or sslpassword (the client key's) parameter.
func displayDB(db string) string {
	dsn, ok := postgresDSN(db)
	if !ok {
		return db
	}
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsnSecret.ReplaceAllString(dsn, "${1}xxxxx")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres"
	}
	q := u.Query()
	for _, secret := range []string{"password", "sslpassword"} {
		if q.Has(secret) {
			q.Set(secret, "xxxxx")
			u.RawQuery = q.Encode()
		}
	}
	return u.Redacted()
}

// displayAddr turns a listener address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func generateToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "nga_" + base64.RawURLEncoding.EncodeToString(b)
}
