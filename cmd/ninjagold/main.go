// Command ninjagold serves the Ninja Gold API.
//
//	ninjagold [--addr :8080] [--db ninjagold.db]   serve
//	ninjagold migrate [--db ninjagold.db]          apply migrations and exit
//
// Some flags have an environment variable too (NINJAGOLD_ADDR, NINJAGOLD_DB
// and the others --help names); the flag wins. The admin token comes only
// from NINJAGOLD_ADMIN_TOKEN, and when it is unset a fresh one is generated
// and printed once. This is the only product package that reads flags or
// the environment (internal/writergen, a generator, the benchmarks' tools
// under bench/, and the tests' pgtest read their own).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/impl"
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
	fresh := newSQLiteFile(cfg.db)
	store, err := openStoreUntil(ctx, cfg, log)
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
	// stopped is set once the server stopped serving, its requests
	// finished: "stopped" is logged once the database is closed too.
	cutOff, stopped := false, false
	defer func() {
		if cutOff {
			// Close, not waited for, may not get as far as its look at
			// the file: made here.
			if f, ok := store.(fileChecker); ok {
				if err := f.CheckFile(); err != nil {
					log.Warn("closing the database", "err", err)
				}
			}
			go store.Close()
			return
		}
		if err := store.Close(); err != nil {
			log.Warn("closing the database", "err", err)
		}
		if stopped {
			log.Info("stopped")
		}
	}()
	if cfg.command == "migrate" {
		// The one place a whole-file check fits: a start of the server
		// must be quick, and reads only the pages its requests need.
		if c, ok := store.(interface{ QuickCheck(context.Context) error }); ok {
			if err := c.QuickCheck(ctx); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "migrations applied to %s\n", describeDB(cfg.db, store, fresh))
		return nil
	}

	generated := cfg.adminToken == ""
	if generated {
		cfg.adminToken = generateToken()
	}
	contract := <-spec
	if contract.err != nil {
		return contract.err
	}
	handler, service, err := newHandler(cfg, store, contract.doc, log)
	if err != nil {
		return err
	}
	if generated { // once it is sure to be used
		fmt.Fprintf(stdout, "NINJAGOLD_ADMIN_TOKEN was not set; the admin token for this run is:\n  %s\n", cfg.adminToken)
	}

	closing := &closingHandler{Handler: handler}
	srv := httpServer(cfg, closing, log)
	base := "http://" + displayAddr(ln.Addr())
	db := describeDB(cfg.db, store, fresh)
	fmt.Fprintf(stdout, "Ninja Gold API listening on %s (database %s)\n  docs: %s/docs\n  API:  %s/locations\n  spec: %s/openapi.yaml and %s/openapi.json\n",
		base, db, base, base, base, base)
	if cfg.validate {
		fmt.Fprintln(stdout, "  every response is checked against openapi.yaml; violations are logged")
	}
	// The same, for a log pipeline that reads only the JSON lines.
	log.Info("listening", "url", base, "database", db, "validate_responses", cfg.validate)

	drain := func() {
		// Connections close first: a request that hears /readyz's 503
		// came after it, so every response to one sent after that closes
		// its connection. (A request under way as the drain begins may
		// hear the 503 and keep its connection.)
		closing.on.Store(true)
		service.Drain()
	}
	cutOff, err = serve(ctx, force, srv, ln, shutdown{delay: cfg.shutdownDelay, timeout: cfg.shutdown, drain: drain}, log, stdout)
	stopped = err == nil
	return err
}

// fileChecker is a store over a file (SQLite's) that can look at it at
// once: whether its path still names it, as the store's Close does first.
type fileChecker interface{ CheckFile() error }

// closingHandler is the server's handler, which, once on, has every
// response close its connection (Connection: close, which net/http
// honours): while the server drains, a client's next request then opens a
// new connection, which a load balancer that has seen /readyz fail sends to
// another server, rather than racing the close of an idle one at the end.
type closingHandler struct {
	http.Handler
	on atomic.Bool
}

func (h *closingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.on.Load() {
		w.Header().Set("Connection", "close")
	}
	h.Handler.ServeHTTP(w, r)
}

// shutdown is how serve stops: drain, then for delay go on serving
// (--shutdown-delay), then let requests in flight finish for up to timeout
// (--shutdown-timeout).
type shutdown struct {
	delay, timeout time.Duration
	drain          func()
}

// serve serves srv on ln until ctx ends, then shuts it down as how says,
// the delay and the wait for requests in flight both ended early by force.
// cutOff reports whether requests in flight were cut off.
func serve(ctx, force context.Context, srv *http.Server, ln net.Listener, how shutdown, log *slog.Logger, stdout io.Writer) (cutOff bool, err error) {
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return false, err
	case <-ctx.Done():
	}
	how.drain()
	if how.delay > 0 {
		fmt.Fprintf(stdout, "shutting down in %v: /readyz answers 503, and connections close after their next response\n", how.delay)
		log.Info("draining", "delay", how.delay)
		select {
		case err := <-serveErr:
			return false, err
		case <-force.Done():
		case <-time.After(how.delay):
		}
	}
	timeout := how.timeout
	if force.Err() != nil {
		timeout = 0 // a second signal ended the delay: none may finish
	}
	if timeout > 0 {
		fmt.Fprintf(stdout, "shutting down: letting in-flight requests finish (up to %v)\n", timeout)
	} else {
		fmt.Fprintln(stdout, "shutting down: requests in flight are cut off")
	}
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
	return false, nil
}

// newHandler builds the service over store: the operations, with their
// metrics gathered with the Go runtime's and the store's pools', behind the
// middleware that enforces doc, the contract.
func newHandler(cfg config, store game.Store, doc *openapi3.T, log *slog.Logger) (http.Handler, *impl.Server, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	api.RegisterStoreMetrics(reg, store)
	service := impl.New(store, game.SystemDice{}, reg, doc)
	h, err := api.NewHandler(service, apiConfig(cfg, doc, log, reg))
	return h, service, err
}

// apiConfig is the service's configuration: cfg's settings, with the
// contract, the logger and the metrics registry.
func apiConfig(cfg config, doc *openapi3.T, log *slog.Logger, reg *prometheus.Registry) api.Config {
	return api.Config{
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
		StoreDeadline:     storeDeadline(cfg),
	}
}

// httpServer is the server of handler, with cfg's timeouts: the
// connection's bounds, beside the handler's own.
func httpServer(cfg config, handler http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
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
