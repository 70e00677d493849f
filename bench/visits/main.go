// Command visits is the load script for POST /players/{id}/visits: it
// starts real server processes (the built binary), sends visits through
// them from C concurrent connections, prints visits/s and latency
// percentiles, and then checks that every balance is exactly the sum of the
// player's visits.
//
// The load comes from vegeta (pinned in go.mod, in this process), N visits
// in all, or with -load wrk from wrk (Debian's package, written in C, so it
// leaves more of the two cores to the server) for -duration; wrk cannot stop
// at a count, so the check is then that the server logged every
// acknowledged visit and at most one more per connection (those cut off at
// the end).
//
//	go run ./bench/visits -bin bin/ninjagold -db sqlite -n 20000
//	go run ./bench/visits -bin bin/ninjagold -db sqlite -load wrk -duration 10s
//	go run ./bench/visits -bin bin/ninjagold -load wrk -server-cpus 0 -load-cpus 1
//	go run ./bench/visits -bin bin/ninjagold -db postgres://... -instances 2
//
// It only ever talks to 127.0.0.1, and stops by itself.
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
	sync := flag.String("sqlite-synchronous", "FULL", "SQLite synchronous mode for the servers (with -db sqlite)")
	cpus := flag.String("server-cpus", "", "taskset CPU list for the servers (e.g. 0); empty: no pinning")
	loadCPUs := flag.String("load-cpus", "", "with -load wrk, taskset CPU list for wrk (e.g. 1); empty: no pinning")
	label := flag.String("label", "", "name of this run in the report")
	extra := flag.String("server-flags", "", `more flags for the servers, space-separated (e.g. "--log-level warn")`)
	load := flag.String("load", "vegeta", "load generator: vegeta (N visits) or wrk (for -duration; one instance)")
	duration := flag.Duration("duration", 10*time.Second, "with -load wrk, how long to send visits")
	flag.Parse()
	lg := loadGen{kind: *load, n: *n, conns: *conns, duration: *duration, cpus: *loadCPUs}
	if err := run(*bin, *db, *instances, lg, *players, *sync, *cpus, *extra, *label); err != nil {
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

func startServer(bin, db, cpus, extra string) (*server, error) {
	args := []string{"--addr", "127.0.0.1:0", "--db", db, "--rate-limit", "0", "--max-in-flight", "0",
		"--log-format", "text"}
	args = append(args, strings.Fields(extra)...)
	name := bin
	if cpus != "" {
		args = append([]string{"-c", cpus, bin}, args...)
		name = "taskset"
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "NINJAGOLD_ADMIN_TOKEN=bench-visits-admin-token")
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

func run(bin, db string, instances int, lg loadGen, nplayers int, sync, cpus, extra, label string) error {
	if lg.kind != "vegeta" && lg.kind != "wrk" {
		return fmt.Errorf("-load must be vegeta or wrk, not %q", lg.kind)
	}
	if lg.kind == "wrk" && instances != 1 {
		return errors.New("-load wrk drives one instance")
	}
	if db == "sqlite" {
		dir, err := os.MkdirTemp("", "ninjagold-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		db = filepath.Join(dir, "bench.db")
		// The server refuses a SQLite setting for PostgreSQL.
		extra = "--sqlite-synchronous " + sync + " " + extra
		if instances > 1 {
			// A server holds its SQLite file for itself unless told to share.
			extra += " --sqlite-shared"
		}
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
		s, err := startServer(bin, db, cpus, extra)
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

	var res loadResult
	var err error
	if lg.kind == "wrk" {
		res, err = lg.wrk(servers[0].url, ps)
	} else {
		res, err = lg.vegeta(servers, ps)
	}
	if err != nil {
		return err
	}

	// Exactness: each balance is the sum of that player's visits. A visit
	// wrk cut off at the end may still commit while the check reads, so a
	// player is compared only when the balance read before and after its
	// visit log is the same: then no visit of theirs landed in between.
	exact := true
	var visits int64
	for _, p := range ps {
		var gold, sum, count int64
		for try := 0; ; try++ {
			before, err := balance(servers[0].url, p.ID)
			if err != nil {
				return err
			}
			if sum, count, err = ledger(servers[len(servers)-1].url, p.ID); err != nil {
				return err
			}
			if gold, err = balance(servers[0].url, p.ID); err != nil {
				return err
			}
			if gold == before || try == 10 {
				break
			}
		}
		visits += count
		if gold != sum {
			exact = false
			fmt.Fprintf(os.Stderr, "player %d: gold %d, visits sum to %d\n", p.ID, gold, sum)
		}
	}
	store := "SQLite (synchronous=" + sync + ")"
	if strings.HasPrefix(db, "postgres") {
		store = "PostgreSQL"
	}
	if label == "" {
		label = fmt.Sprintf("%d instance(s) on %s", instances, store)
	}
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
	fmt.Printf("%s, load from %s: %d visits acknowledged (201) from %d connections: %.0f visits/s, p50 %s, p90 %s, p99 %s, max %s; statuses %v; %d visits logged; balances exact: %v; server start to first answer %s, peak RSS %s\n",
		label, lg.kind, res.acked, lg.conns, res.throughput, r(res.p50), r(res.p90), r(res.p99), r(res.max), res.codes, visits, exact,
		servers[0].startup.Round(time.Millisecond), peakRSS(servers[0].cmd.Process.Pid))
	clean := exact && res.acked == res.requests
	if lg.kind == "vegeta" {
		clean = clean && res.acked == int64(lg.n) && visits == res.acked
	} else {
		// Every acknowledged visit is logged, plus at most the one each
		// connection had in flight when wrk stopped.
		clean = clean && visits >= res.acked && visits <= res.acked+int64(lg.conns)
	}
	if !clean {
		return errors.New("the run was not clean: see above")
	}
	return nil
}

// loadGen says how to send the visits.
type loadGen struct {
	kind     string // vegeta or wrk
	n        int    // vegeta: visits in all
	conns    int
	duration time.Duration // wrk
	cpus     string        // wrk: taskset CPU list, or "" for none
}

// loadResult is what the load generator saw.
type loadResult struct {
	requests, acked    int64 // answered; answered 201
	codes              map[int]int64
	throughput         float64 // acknowledged visits per second
	p50, p90, p99, max time.Duration
}

func (lg loadGen) vegeta(servers []*server, ps []player) (loadResult, error) {
	var next atomic.Int64
	targeter := func(t *vegeta.Target) error {
		i := next.Add(1) - 1
		if i >= int64(lg.n) {
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
	conns := uint64(lg.conns)
	attacker := vegeta.NewAttacker(vegeta.Connections(lg.conns), vegeta.MaxConnections(lg.conns),
		vegeta.Workers(conns), vegeta.MaxWorkers(conns), vegeta.KeepAlive(true), vegeta.Timeout(30*time.Second))
	var m vegeta.Metrics
	res := loadResult{codes: map[int]int64{}}
	for r := range attacker.Attack(targeter, vegeta.Rate{}, 0, "visits") {
		if r.Error == vegeta.ErrNoTargets.Error() {
			continue // the end of the targets, not a request
		}
		m.Add(r)
		res.codes[int(r.Code)]++
	}
	m.Close()
	res.requests, res.acked = int64(m.Requests), res.codes[201]
	res.throughput = float64(res.acked) / m.Duration.Seconds()
	res.p50, res.p90, res.p99, res.max = m.Latencies.P50, m.Latencies.P90, m.Latencies.P99, m.Latencies.Max
	return res, nil
}

// wrkScript spreads the visits over the players and prints, at the end,
// what the report needs on one line.
const wrkScript = `
local players = { %s }
local i = 0
request = function()
  i = i + 1
  local p = players[(i %% #players) + 1]
  return wrk.format("POST", "/players/" .. p[1] .. "/visits",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. p[2] },
    '{"location_id":' .. (i %% 4 + 1) .. '}')
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKRESULT %%d %%d %%d %%d %%d %%d %%d %%d\n", summary.requests, e.status,
    e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`

func (lg loadGen) wrk(base string, ps []player) (loadResult, error) {
	entries := make([]string, len(ps))
	for i, p := range ps {
		entries[i] = fmt.Sprintf("{%d, %q}", p.ID, p.Token)
	}
	f, err := os.CreateTemp("", "visits-*.lua")
	if err != nil {
		return loadResult{}, err
	}
	defer os.Remove(f.Name())
	if _, err := fmt.Fprintf(f, wrkScript, strings.Join(entries, ", ")); err != nil {
		return loadResult{}, err
	}
	f.Close()
	cmd := []string{"wrk", "-t1", fmt.Sprintf("-c%d", lg.conns), "-d" + lg.duration.String(), "-s", f.Name(), base}
	if lg.cpus != "" {
		cmd = append([]string{"taskset", "-c", lg.cpus}, cmd...)
	}
	out, err := exec.Command(cmd[0], cmd[1:]...).CombinedOutput()
	if err != nil {
		return loadResult{}, fmt.Errorf("wrk (apt-get install -y wrk): %v\n%s", err, out)
	}
	var requests, badStatus, socketErrs, micros, p50, p90, p99, maxLat int64
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "WRKRESULT "); ok {
			if _, err := fmt.Sscan(rest, &requests, &badStatus, &socketErrs, &micros, &p50, &p90, &p99, &maxLat); err != nil {
				return loadResult{}, fmt.Errorf("wrk output: %v\n%s", err, out)
			}
		}
	}
	if micros == 0 {
		return loadResult{}, fmt.Errorf("wrk printed no result:\n%s", out)
	}
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	res := loadResult{
		requests: requests, acked: requests - badStatus,
		codes:      map[int]int64{201: requests - badStatus},
		throughput: float64(requests-badStatus) / us(micros).Seconds(),
		p50:        us(p50), p90: us(p90), p99: us(p99), max: us(maxLat),
	}
	if badStatus > 0 {
		res.codes[0] = badStatus // not 2xx/3xx: wrk does not say which
	}
	if socketErrs > 0 {
		return res, fmt.Errorf("wrk: %d socket errors\n%s", socketErrs, out)
	}
	return res, nil
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

// balance is player id's gold.
func balance(base string, id int64) (int64, error) {
	var got player
	err := getJSON(fmt.Sprintf("%s/players/%d", base, id), &got)
	return got.Gold, err
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
