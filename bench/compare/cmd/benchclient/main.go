// Command benchclient sends an exact number of one benchmarked request
// (bench/compare's Ops) to a running benchserver, for measurements that
// need a count rather than a duration: `make bench-instr` counts the
// instructions a server spends on N requests under callgrind.
//
//	benchclient -url http://127.0.0.1:18080 -op GetLocation -n 2000 -c 4 -player 2 -token T
//
// Every response must have the Op's status; the first that does not ends
// the run with an error, so a variant cannot look cheap by failing.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"

	"github.com/ninjagold/ninjagold-api/bench/compare"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchclient:", err)
		os.Exit(1)
	}
}

func run() error {
	url := flag.String("url", "", "the server's base URL, as its ready line gives it")
	opName := flag.String("op", "", "the Op to send: GetLocation, CreatePlayer or CreateVisit")
	n := flag.Int("n", 1000, "requests to send")
	conns := flag.Int("c", 4, "connections (one goroutine each)")
	player := flag.Int64("player", 0, "the visiting player's id (the ready line's)")
	token := flag.String("token", "", "the visiting player's token (the ready line's)")
	flag.Parse()
	if *url == "" || *n < 1 || *conns < 1 {
		return errors.New("-url, -n ≥ 1 and -c ≥ 1 are needed")
	}
	var op *compare.Op
	for i := range compare.Ops {
		if compare.Ops[i].Name == *opName {
			op = &compare.Ops[i]
		}
	}
	if op == nil {
		return fmt.Errorf("unknown -op %q", *opName)
	}
	target := *url + op.Path(&compare.Env{Player: *player})

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conns, DisableCompression: true}}
	var (
		left     atomic.Int64
		wg       sync.WaitGroup
		failOnce sync.Once
		failure  error
	)
	left.Store(int64(*n))
	for range *conns {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if err := send(client, op, target, *token); err != nil {
					failOnce.Do(func() { failure = err })
					left.Store(0)
					return
				}
			}
		})
	}
	wg.Wait()
	return failure
}

// send makes one request and reads the whole response, so the connection
// is reused.
func send(client *http.Client, op *compare.Op, target, token string) error {
	var body io.Reader
	if op.Body != nil {
		body = bytes.NewReader(op.Body)
	}
	req, err := http.NewRequest(op.Method, target, body)
	if err != nil {
		return err
	}
	op.SetHeaders(req.Header, token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != op.Status {
		return fmt.Errorf("%s %s: status %d, want %d: %s", op.Method, target, resp.StatusCode, op.Status, got)
	}
	return nil
}
