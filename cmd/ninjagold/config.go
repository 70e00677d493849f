package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/store/postgres"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// config is everything the command reads from flags and the environment.
type config struct {
	command       string // "serve" or "migrate"
	addr          string
	db            string
	adminToken    string
	maxBody       int64
	shutdown      time.Duration
	shutdownDelay time.Duration
	validate      bool
	logFormat     string
	logLevel      slog.Level
	rateLimit     api.RateLimit
	proxies       stringList
	cors          stringList
	maxHeader     int
	maxFlight     int
	timeouts      timeouts
	pg            postgres.Options
	sqliteSync    string
	sqliteShared  bool
	sqliteBusy    time.Duration
	logFlush      time.Duration
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
	fs.StringVar(&cfg.addr, "addr", ":8080", "listen address (NINJAGOLD_ADDR)")
	fs.StringVar(&cfg.db, "db", "ninjagold.db", "a postgres:// URL or a PostgreSQL keyword/value string (host=... dbname=...), or else a SQLite file path (NINJAGOLD_DB)")
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
	fs.DurationVar(&cfg.shutdownDelay, "shutdown-delay", 0, "on SIGINT, SIGTERM or SIGHUP, how long to go on serving first, with /readyz answering 503 and every response closing its connection, so that a load balancer can stop sending requests here")
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
	fs.StringVar(&cfg.logFormat, "log-format", "json", "log format: json or text (NINJAGOLD_LOG_FORMAT)")
	logLevel := fs.String("log-level", "info",
		"least level logged: debug, info, warn or error; warn and above leave out the access log (NINJAGOLD_LOG_LEVEL)")
	logFlush := fs.String("log-flush", api.DefaultLogFlush.String(),
		"longest a log line waits in a buffer before it is written, at least 1ms; 0 writes each line at once (NINJAGOLD_LOG_FLUSH)")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		usage()
		return cfg, err
	} else if err != nil {
		return cfg, fmt.Errorf("%w (ninjagold --help lists the flags)", err)
	}
	// Once the flags parse, a stray word (a mistyped command) is the first
	// thing to hear of: flag stops at it, so the flags after it were never
	// read, and those before it may mean something else than the caller
	// thought.
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	// The variables are read only now, not made the flags' defaults:
	// --help prints the defaults, and NINJAGOLD_DB may hold a password.
	for name, key := range stringFlagVariables {
		if v := getenv(key); v != "" && !given[name] {
			_ = fs.Set(name, v) // a string flag takes any value
		}
	}
	if cfg.command == "serve" { // migrate has no use for the server's variables
		if err := cfg.fromEnvironment(given, getenv); err != nil {
			return cfg, err
		}
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
	if err := checkCommandFlags(cfg.command, given); err != nil {
		return cfg, err
	}
	flush, err := time.ParseDuration(*logFlush)
	if err != nil || flush < 0 || flush > 0 && flush < api.MinLogFlush {
		return cfg, fmt.Errorf("NINJAGOLD_LOG_FLUSH / --log-flush must be 0 or a duration of at least %v such as 100ms, not %q", api.MinLogFlush, *logFlush)
	}
	cfg.logFlush = flush
	if cfg.logFormat != "json" && cfg.logFormat != "text" {
		return cfg, fmt.Errorf("NINJAGOLD_LOG_FORMAT / --log-format must be json or text, not %q", cfg.logFormat)
	}
	// slog also reads "info+2" and the like; the contract of the flag is
	// the four names.
	if err := cfg.logLevel.UnmarshalText([]byte(*logLevel)); err != nil || strings.ContainsAny(*logLevel, "+-") {
		return cfg, fmt.Errorf("NINJAGOLD_LOG_LEVEL / --log-level must be debug, info, warn or error, not %q", *logLevel)
	}
	if cfg.command == "migrate" {
		return cfg, nil // it takes no request: the admin token is not its business
	}
	cfg.adminToken, err = adminToken(getenv)
	return cfg, err
}

// stringFlagVariables are the string flags' environment variables, which
// parseConfig reads where the flag is not given.
var stringFlagVariables = map[string]string{
	"addr":       "NINJAGOLD_ADDR",
	"db":         "NINJAGOLD_DB",
	"log-format": "NINJAGOLD_LOG_FORMAT",
	"log-level":  "NINJAGOLD_LOG_LEVEL",
	"log-flush":  "NINJAGOLD_LOG_FLUSH",
}

// fromEnvironment reads the environment variables of the list flags and
// of --validate-responses, where those flags are not given; parseConfig
// reads the string flags' (stringFlagVariables).
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
	minRate  = api.MinRate
	maxRate  = api.MaxRate
	maxBurst = api.MaxBurst
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
	case cfg.rateLimit.Rate > maxRate:
		return fmt.Errorf("--rate-limit must be at most %d requests per second, not %v", maxRate, cfg.rateLimit.Rate)
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
		{"shutdown-delay", cfg.shutdownDelay, false},
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
	if err := checkDB(cfg.db); err != nil {
		return fmt.Errorf("NINJAGOLD_DB / --db %q: %w", cfg.db, err)
	}
	for _, o := range cfg.cors {
		if err := checkOrigin(o); err != nil {
			return fmt.Errorf("NINJAGOLD_CORS_ORIGINS / --cors-origin %q: %w", o, err)
		}
	}
	for _, p := range cfg.proxies {
		_, network, err := net.ParseCIDR(p)
		if err != nil && net.ParseIP(p) == nil {
			return fmt.Errorf("NINJAGOLD_TRUSTED_PROXIES / --trusted-proxy must be IP addresses or CIDRs, not %q", p)
		}
		if err != nil {
			continue
		}
		// Every address a proxy: any client could name itself in
		// X-Forwarded-For, and with it its rate-limit bucket. So could
		// those of a network wider than any of proxies (two /1s are
		// every IPv4 address).
		switch ones, family := prefixLength(network); {
		case ones <= 0:
			return fmt.Errorf("NINJAGOLD_TRUSTED_PROXIES / --trusted-proxy %q trusts every address, so every client could choose its rate-limit bucket: name the proxies' own addresses or network", p)
		case family == 4 && ones < 8, family == 6 && ones < 7:
			return fmt.Errorf("NINJAGOLD_TRUSTED_PROXIES / --trusted-proxy %q is wider than any network of proxies (an IPv%d /%d; IPv4 ones are /8 at the widest, 10.0.0.0/8, and IPv6 ones /7, fc00::/7), so clients in it could choose their rate-limit bucket: name the proxies' own addresses or network", p, family, ones)
		}
	}
	return nil
}

// prefixLength is network's prefix length in its family of addresses (4 or
// 6): an IPv4-mapped network (::ffff:0:0/96 holds every IPv4 address) is
// counted as IPv4.
func prefixLength(network *net.IPNet) (ones, family int) {
	ones, bits := network.Mask.Size()
	if bits == 8*net.IPv6len && network.IP.To4() != nil {
		return ones - 96, 4
	}
	if bits == 8*net.IPv4len {
		return ones, 4
	}
	return ones, 6
}

// checkOrigin refuses o unless it is an origin as a browser sends it in
// Origin: the CORS check compares the two as strings, so any other spelling
// of the same origin (upper case, the scheme's default port, a trailing
// slash, an IP address written another way) would never match, and CORS
// would stay off for it without a word.
func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil || u.Opaque != "" {
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
			switch {
			case r > 0x7f:
				return "", errors.New("a browser sends a host name in its ASCII (punycode) form")
			case r == '*':
				return "", errors.New("an origin names one host: there are no wildcards; give --cors-origin once for each origin")
			case r == ';':
				return "", errors.New("an origin has no ';': separate origins with commas, or give --cors-origin once for each")
			case !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_'):
				return "", fmt.Errorf("a host name has no %q", r)
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

// serveFlags are the flags of a server, which ninjagold migrate, serving
// nothing, has no use for.
var serveFlags = []string{"addr", "max-body-bytes", "shutdown-timeout", "shutdown-delay", "validate-responses",
	"rate-limit", "rate-burst", "trusted-proxy", "cors-origin", "max-header-bytes", "max-in-flight",
	"read-header-timeout", "read-timeout", "write-timeout", "idle-timeout"}

// checkCommandFlags refuses a server's flag given to migrate, as
// checkStoreFlags refuses another database's: taken and ignored, it would
// quietly mean nothing. (Their environment variables, which a deployment
// sets for both commands, are no mistake: migrate does not read them.)
func checkCommandFlags(command string, given map[string]bool) error {
	if command != "migrate" {
		return nil
	}
	for _, name := range serveFlags {
		if given[name] {
			return fmt.Errorf("--%s is a setting of the server; ninjagold migrate applies the migrations and serves nothing", name)
		}
	}
	return nil
}

// generateToken makes an admin token for a server started without one:
// 256 random bits, with a prefix that says what it is.
func generateToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "nga_" + base64.RawURLEncoding.EncodeToString(b)
}
