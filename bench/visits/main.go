// Command visits is the load script for POST /players/{id}/visits: it
// starts real server processes (the built binary), sends N visits through
// them from C concurrent connections with vegeta (pinned in go.mod), prints
// visits/s and latency percentiles, and then checks that every balance is
// exactly the sum of the player's visits.
//
//	go run ./bench/visits -bin bin/ninjagold -db sqlite -n 20000
//	go run ./bench/visits -bin bin/ninjagold -db postgres://... -instances 2
//
// It only ever talks to 127.0.0.1, and stops by itself after N requests.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func main() {
	bin := flag.String("bin", "bin/ninjagold", "the server binary")
	db := flag.String("db", "sqlite", `"sqlite" (a fresh file) or a postgres:// URL`)
	instances := flag.Int("instances", 1, "server processes sharing the database")
	n := flag.Int("n", 20000, "visits to send")
	conns := flag.Int("c", 64, "concurrent connections")
	players := flag.Int("players", 64, "players the visits are spread over")
	sync := flag.String("sqlite-synchronous", "FULL", "SQLite synchronous mode for the servers")
	cpus := flag.String("server-cpus", "", "taskset CPU list for the servers (e.g. 0); empty: no pinning")
	label := flag.String("label", "", "name of this run in the report")
	flag.Parse()
	if err := run(*bin, *db, *instances, *n, *conns, *players, *sync, *cpus, *label); err != nil {
		fmt.Fprintln(os.Stderr, "visits:", err)
		os.Exit(1)
	}
}

type server struct {
	cmd *exec.Cmd
	url string
	// startup is the time from exec to the first answered request.
	startup time.Duration
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

func startServer(bin, db, sync, cpus string) (*server, error) {
	args := []string{"--addr", "127.0.0.1:0", "--db", db, "--rate-limit", "0", "--max-in-flight", "0",
		"--sqlite-synchronous", sync, "--log-format", "text"}
	name := bin
	if cpus != "" {
		args = append([]string{"-c", cpus, bin}, args...)
		name = "taskset"
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "NINJAGOLD_ADMIN_TOKEN=bench")
	began := time.Now()
	cmd.Stderr = io.Discard // one access-log line per request
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case u := <-found:
		resp, err := http.Get(u + "/healthz")
		if err != nil {
			cmd.Process.Kill()
			return nil, err
		}
		resp.Body.Close()
		return &server{cmd: cmd, url: u, startup: time.Since(began)}, nil
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		return nil, errors.New("server did not start")
	}
}

type player struct {
	ID    int64  `json:"id"`
	Token string `json:"token"`
	Gold  int64  `json:"gold"`
}

func run(bin, db string, instances, n, conns, nplayers int, sync, cpus, label string) error {
	if db == "sqlite" {
		dir, err := os.MkdirTemp("", "ninjagold-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		db = filepath.Join(dir, "bench.db")
	}
	if strings.HasPrefix(db, "postgres") {
		// A schema of its own, dropped afterwards: runs never see each
		// other's rows, nor the tests'.
		u, drop, err := freshSchema(db)
		if err != nil {
			return err
		}
		defer drop()
		db = u
	}
	var servers []*server
	defer func() {
		for _, s := range servers {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	}()
	for range instances {
		s, err := startServer(bin, db, sync, cpus)
		if err != nil {
			return err
		}
		servers = append(servers, s)
	}

	ps := make([]player, nplayers)
	for i := range ps {
		resp, err := http.Post(servers[0].url+"/players", "application/json",
			strings.NewReader(fmt.Sprintf(`{"first_name":"Bench%d","last_name":"Ninja"}`, i)))
		if err != nil {
			return err
		}
		err = json.NewDecoder(resp.Body).Decode(&ps[i])
		resp.Body.Close()
		if err != nil || resp.StatusCode != 201 {
			return fmt.Errorf("create player: %d %v", resp.StatusCode, err)
		}
	}

	var next atomic.Int64
	targeter := func(t *vegeta.Target) error {
		i := next.Add(1) - 1
		if i >= int64(n) {
			return vegeta.ErrNoTargets
		}
		p := ps[i%int64(len(ps))]
		s := servers[i%int64(len(servers))]
		t.Method = "POST"
		t.URL = fmt.Sprintf("%s/players/%d/visits", s.url, p.ID)
		t.Body = []byte(fmt.Sprintf(`{"location_id":%d}`, i%4+1))
		t.Header = http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + p.Token}}
		return nil
	}
	attacker := vegeta.NewAttacker(vegeta.Connections(conns), vegeta.MaxConnections(conns),
		vegeta.Workers(uint64(conns)), vegeta.MaxWorkers(uint64(conns)), vegeta.KeepAlive(true), vegeta.Timeout(30*time.Second))
	var m vegeta.Metrics
	codes := map[uint16]int{}
	for res := range attacker.Attack(targeter, vegeta.Rate{}, 0, "visits") {
		if res.Error == vegeta.ErrNoTargets.Error() {
			continue // the end of the targets, not a request
		}
		m.Add(res)
		codes[res.Code]++
	}
	m.Close()

	// Exactness: each balance is the sum of that player's visits.
	exact := true
	var visits int64
	for _, p := range ps {
		sum, count, err := ledger(servers[len(servers)-1].url, p.ID)
		if err != nil {
			return err
		}
		visits += count
		var got player
		if err := getJSON(fmt.Sprintf("%s/players/%d", servers[0].url, p.ID), &got); err != nil {
			return err
		}
		if got.Gold != sum {
			exact = false
			fmt.Fprintf(os.Stderr, "player %d: gold %d, visits sum to %d\n", p.ID, got.Gold, sum)
		}
	}
	store := "SQLite (synchronous=" + sync + ")"
	if strings.HasPrefix(db, "postgres") {
		store = "PostgreSQL"
	}
	if label == "" {
		label = fmt.Sprintf("%d instance(s) on %s", instances, store)
	}
	fmt.Printf("%s: %d visits from %d connections: %.0f visits/s, p50 %s, p90 %s, p99 %s, max %s; statuses %v; %d visits logged; balances exact: %v; server start to first answer %s, peak RSS %s\n",
		label, m.Requests, conns, m.Throughput, m.Latencies.P50.Round(time.Microsecond*10), m.Latencies.P90.Round(time.Microsecond*10),
		m.Latencies.P99.Round(time.Microsecond*10), m.Latencies.Max.Round(time.Microsecond*10), codes, visits, exact,
		servers[0].startup.Round(time.Millisecond), peakRSS(servers[0].cmd.Process.Pid))
	if !exact || codes[201] != n {
		return errors.New("the run was not clean: see above")
	}
	return nil
}

func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func ledger(base string, id int64) (sum, count int64, err error) {
	cursor := ""
	for {
		var page struct {
			Items []struct {
				Gold int64 `json:"gold"`
			} `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		if err := getJSON(fmt.Sprintf("%s/players/%d/visits?limit=100%s", base, id, cursor), &page); err != nil {
			return 0, 0, err
		}
		for _, v := range page.Items {
			sum += v.Gold
			count++
		}
		if page.NextCursor == nil {
			return sum, count, nil
		}
		cursor = "&cursor=" + *page.NextCursor
	}
}

func freshSchema(base string) (string, func(), error) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, err
	}
	schema := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(ctx)
	}, nil
}

// peakRSS reads the process's high-water resident set size from /proc.
func peakRSS(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
