// Command benchserver serves one variant of the comparison benchmark
// (bench/compare) over HTTP, for the loopback load test (`make bench-load`).
//
//	benchserver -variant project -addr 127.0.0.1:18080
//
// It opens a fresh, seeded SQLite file (a temporary one unless -db is
// given), creates the player the visit requests are for, checks every
// benchmarked request once in process, then prints one line
//
//	ready <url> <player id> <player token>
//
// and serves until SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/ninjagold/ninjagold-api/bench/compare"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchserver:", err)
		os.Exit(1)
	}
}

func run() error {
	variant := flag.String("variant", compare.Project, fmt.Sprint("one of ", compare.Variants))
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	db := flag.String("db", "", "SQLite file (default: a new temporary file, removed at exit)")
	sync := flag.String("sqlite-synchronous", "NORMAL", "SQLite synchronous pragma: NORMAL or FULL")
	shared := flag.Bool("sqlite-shared", false, "open the SQLite file shared with other processes, as ninjagold --sqlite-shared does")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the serving to this file")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	path := *db
	if path == "" {
		dir, err := os.MkdirTemp("", "benchserver-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = dir + "/ninjagold.db"
	}
	env, err := compare.NewEnv(ctx, path, compare.Options{Synchronous: *sync, Shared: *shared})
	if err != nil {
		return err
	}
	defer env.Close()
	h, err := env.Handler(*variant)
	if err != nil {
		return err
	}
	// A variant that fails its requests must not get measured.
	for _, op := range compare.Ops {
		if err := compare.NewRunner(h, op, env).Check(); err != nil {
			return fmt.Errorf("%s: %w", *variant, err)
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	// cmd/ninjagold's server settings (its flag defaults), for every variant.
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Printf("ready http://%s %d %s\n", ln.Addr(), env.Player, env.PlayerToken)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if v, err := env.Violations(); err != nil || v > 0 {
		return fmt.Errorf("%s: %d responses broke the contract (%v)", *variant, v, err)
	}
	return nil
}
