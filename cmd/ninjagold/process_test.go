package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
	"github.com/ninjagold/ninjagold-api/store/sqlite/sqlitetest"
)

// These tests run the real binary, as an operator would: signals, crashes
// and slow clients only mean something against a real process and socket.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ninjagold-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "ninjagold")
	build := append(append([]string{"build"}, buildFlags...), "-o", binary, ".")
	if out, err := exec.Command("go", build...).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is one running server.
type process struct {
	cmd    *exec.Cmd
	URL    string
	stdout *syncBuffer // every line, from the start
	stderr *syncBuffer
	exited chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// processTestAdmin is the admin token of the servers the tests start.
const processTestAdmin = "process-test-admin-token"

// start runs the binary on a free port and waits until it serves.
func start(t *testing.T, db string, args ...string) *process {
	t.Helper()
	return launch(t, exec.Command(binary, serveArgs(db, args...)...))
}

// tryStart is start for a goroutine other than the test's, which must not
// call t.Fatal: it returns what went wrong instead.
func tryStart(t *testing.T, db string, args ...string) (*process, error) {
	return tryLaunch(t, exec.Command(binary, serveArgs(db, args...)...))
}

// serveArgs are the arguments start gives the server.
func serveArgs(db string, args ...string) []string {
	return append([]string{"--addr", "127.0.0.1:0", "--db", db, "--rate-limit", "0"}, args...)
}

// launch starts cmd, a server command, and waits until it listens. The
// admin token is processTestAdmin unless cmd has an environment of its own.
func launch(t *testing.T, cmd *exec.Cmd) *process {
	t.Helper()
	p, err := tryLaunch(t, cmd)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// tryLaunch is launch returning what went wrong, for any goroutine: it
// uses t only for Cleanup, which may be called from any.
func tryLaunch(t *testing.T, cmd *exec.Cmd) (*process, error) {
	given := cmd.Env == nil
	if given {
		cmd.Env = append(os.Environ(), "NINJAGOLD_ADMIN_TOKEN="+processTestAdmin)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
		if given && strings.Contains(p.stderr.String(), processTestAdmin) {
			t.Errorf("the log shows the admin token NINJAGOLD_ADMIN_TOKEN gave:\n%s", p.stderr)
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		listened := false
		for sc.Scan() {
			fmt.Fprintln(p.stdout, sc.Text())
			if m := listening.FindStringSubmatch(sc.Text()); m != nil && !listened {
				listened = true
				found <- m[1]
			}
		}
		p.exited <- cmd.Wait()
	}()
	select {
	case p.URL = <-found:
	case err := <-p.exited:
		p.exited <- err
		return nil, fmt.Errorf("server exited before listening: %v\n%s", err, p.stderr)
	case <-time.After(10 * time.Second):
		return nil, fmt.Errorf("server did not start\n%s", p.stderr)
	}
	if given && strings.Contains(p.stdout.String(), processTestAdmin) {
		// It is printed only when generated: the operator's own stays
		// out of the terminal and of wherever stdout is logged.
		return nil, fmt.Errorf("the start-up lines show the admin token NINJAGOLD_ADMIN_TOKEN gave:\n%s", p.stdout)
	}
	return p, nil
}

func (p *process) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

func (p *process) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-p.exited:
		p.exited <- err // for Cleanup
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("server did not exit")
		return nil
	}
}

type playerInfo struct {
	ID    int64  `json:"id"`
	Token string `json:"token"`
	Gold  int64  `json:"gold"`
}

func postJSON(c *http.Client, url, token, body string, hdr map[string]string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func createPlayers(t *testing.T, url string, n int) []playerInfo {
	t.Helper()
	var out []playerInfo
	for i := range n {
		resp, body, err := postJSON(http.DefaultClient, url+"/players", "", fmt.Sprintf(`{"first_name":"Ninja%d","last_name":"Test"}`, i), nil)
		if err != nil || resp.StatusCode != 201 {
			t.Fatalf("create player: %v %s", err, body)
		}
		var p playerInfo
		json.Unmarshal(body, &p)
		out = append(out, p)
	}
	return out
}

type visitResult struct {
	ID       int64 `json:"id"`
	PlayerID int64 `json:"player_id"`
	Gold     int64 `json:"gold"`
	Balance  int64 `json:"balance"`
}

// load sends visits from workers goroutines until stop is closed. It
// returns every acknowledged (201) visit and every other status seen; a
// transport error ends that worker.
func load(url string, players []playerInfo, workers int, stop <-chan struct{}, acked *atomic.Int64) (ok []visitResult, bad []string) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			c := &http.Client{Timeout: 10 * time.Second}
			p := players[w%len(players)]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, body, err := postJSON(c, fmt.Sprintf("%s/players/%d/visits", url, p.ID), p.Token,
					fmt.Sprintf(`{"location_id":%d}`, i%4+1), nil)
				if err != nil {
					return // the server went away
				}
				mu.Lock()
				if resp.StatusCode == 201 {
					var v visitResult
					json.Unmarshal(body, &v)
					ok = append(ok, v)
					acked.Add(1)
				} else {
					bad = append(bad, fmt.Sprintf("%d %s", resp.StatusCode, body))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return ok, bad
}

func mustJSON(t *testing.T, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// checkLedger verifies, on a running server, that every acknowledged visit
// is in its player's log, once, and that each balance is the sum of the
// log, each visit's balance the running total up to it (oldest first). With
// exact, the log holds the acknowledged visits alone; without, it may hold
// visits committed whose answers were lost (a process killed mid-load).
func checkLedger(t *testing.T, url string, players []playerInfo, acked []visitResult, exact bool) {
	t.Helper()
	logged := map[int64]bool{}
	for _, p := range players {
		var log []visitResult
		cursor := ""
		for {
			var page struct {
				Items      []visitResult `json:"items"`
				NextCursor *string       `json:"next_cursor"`
			}
			getJSON(t, fmt.Sprintf("%s/players/%d/visits?limit=100%s", url, p.ID, cursor), &page)
			log = append(log, page.Items...)
			if page.NextCursor == nil {
				break
			}
			cursor = "&cursor=" + *page.NextCursor
		}
		slices.SortFunc(log, func(a, b visitResult) int { return cmp.Compare(a.ID, b.ID) })
		var sum int64
		for _, v := range log {
			if logged[v.ID] {
				t.Errorf("player %d: visit %d is in the log twice", p.ID, v.ID)
			}
			logged[v.ID] = true
			sum += v.Gold
			if v.Balance != sum {
				t.Errorf("player %d: visit %d has balance %d, want the running total %d", p.ID, v.ID, v.Balance, sum)
			}
		}
		var got playerInfo
		getJSON(t, fmt.Sprintf("%s/players/%d", url, p.ID), &got)
		if got.Gold != sum {
			t.Errorf("player %d: gold %d, but the log sums to %d", p.ID, got.Gold, sum)
		}
	}
	for _, v := range acked {
		if !logged[v.ID] {
			t.Errorf("visit %d was acknowledged with 201 but is not in the log", v.ID)
		}
	}
	if exact && len(logged) != len(acked) {
		t.Errorf("the logs hold %d visits, and %d were acknowledged", len(logged), len(acked))
	}
}

// waitAcked waits until acked reaches n, or for at most two minutes: a
// server that stopped acknowledging fails the test's own checks then
// (its answers other than 201, or the count of writes), instead of hanging
// it until go test's timeout.
func waitAcked(acked *atomic.Int64, n int64) {
	for deadline := time.Now().Add(2 * time.Minute); acked.Load() < n && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
}

// underLoad runs visits from 16 workers against p, calls hit once `after`
// visits were acknowledged, and returns what the load saw once it stopped.
func underLoad(p *process, players []playerInfo, after int64, hit func()) (ok []visitResult, bad []string) {
	stop := make(chan struct{})
	var acked atomic.Int64
	done := make(chan struct{})
	go func() { ok, bad = load(p.URL, players, 16, stop, &acked); close(done) }()
	waitAcked(&acked, after)
	hit()
	close(stop)
	<-done
	return ok, bad
}

// A process killed with SIGKILL mid-load loses no acknowledged visit and
// leaves every balance equal to the sum of the player's visits.
func TestKillMidLoadLosesNothingAcknowledged(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kill.db")
	p := start(t, db)
	players := createPlayers(t, p.URL, 4)

	ok, bad := underLoad(p, players, 150, func() {
		p.signal(t, syscall.SIGKILL)
		p.wait(t)
	})
	if len(bad) > 0 {
		t.Errorf("non-201 answers under load: %v", bad[:min(5, len(bad))])
	}
	// The kill came after 150: fewer, and the load never reached the kill
	// (waitAcked gave up), so there would be nothing to check.
	if len(ok) < 150 {
		t.Fatalf("%d visits acknowledged before SIGKILL, want at least 150", len(ok))
	}
	t.Logf("%d visits acknowledged before SIGKILL", len(ok))

	again := start(t, db)
	checkLedger(t, again.URL, players, ok, false)
}

// SIGTERM during load lets in-flight requests finish with their normal
// answers, refuses new connections and exits 0, the database closed. One
// request is surely in flight at the signal: the server has asked for its
// body (100 Continue), which comes only after new connections are refused.
func TestSigtermDrainsInFlightRequests(t *testing.T) {
	db := filepath.Join(t.TempDir(), "term.db")
	p := start(t, db)
	players := createPlayers(t, p.URL, 4)
	addr := strings.TrimPrefix(p.URL, "http://")
	slow := players[0]
	body := `{"location_id":1}`
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	answers := bufio.NewReader(conn)
	ok, bad := underLoad(p, players, 100, func() {
		fmt.Fprintf(conn, "POST /players/%d/visits HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", slow.ID, slow.Token, len(body))
		if resp, err := http.ReadResponse(answers, nil); err != nil || resp.StatusCode != http.StatusContinue {
			t.Fatalf("the request's headers: %v %v, want 100 Continue", resp, err)
		}
		p.signal(t, syscall.SIGTERM)
		refused := false
		for deadline := time.Now().Add(5 * time.Second); !refused && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if refused = err != nil; !refused {
				c.Close()
			}
		}
		if !refused {
			t.Error("new connections still accepted 5s after SIGTERM, while a request is in flight")
		}
		if _, err := conn.Write([]byte(body)); err != nil {
			t.Errorf("the rest of the in-flight request's body: %v", err)
		}
		if err := p.wait(t); err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0\n%s", err, p.stderr)
		}
	})
	resp, err := http.ReadResponse(answers, nil)
	if err != nil {
		t.Fatalf("the request in flight at SIGTERM: %v, want its answer", err)
	}
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("the request in flight at SIGTERM: %d %s, want 201", resp.StatusCode, answer)
	} else {
		var v visitResult
		mustJSON(t, answer, &v)
		ok = append(ok, v)
	}
	if len(bad) > 0 {
		t.Errorf("answers other than 201 during shutdown: %v", bad[:min(5, len(bad))])
	}
	if len(ok) < 100 {
		t.Errorf("%d visits acknowledged, want at least the 100 before SIGTERM", len(ok))
	}
	// SQLite removes the write-ahead log when the last connection to the
	// file closes: a log left behind means the store was not closed.
	if _, err := os.Stat(db + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s-wal after the exit: %v, want it removed by the store's close", db, err)
	}
	// A drain answers every request it took: the log holds no visit that
	// went unacknowledged.
	again := start(t, db)
	checkLedger(t, again.URL, players, ok, true)
}

// A client that trickles its headers is cut off by the read-header timeout.
func TestSlowHeadersAreCutOff(t *testing.T) {
	p := start(t, filepath.Join(t.TempDir(), "slow.db"), "--read-header-timeout", "300ms")
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The header lines trickle for up to 4s: a connection cut before the
	// default timeout (5s) could have fired was cut by the flag. (The
	// first write after the server closes may still be taken; the next
	// fails.)
	began := time.Now()
	fmt.Fprint(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
	var writeErr error
	for i := 0; i < 40 && writeErr == nil; i++ {
		time.Sleep(100 * time.Millisecond)
		_, writeErr = fmt.Fprintf(conn, "X-Slow-%d: y\r\n", i)
	}
	if writeErr == nil {
		t.Fatal("the server took 4s of trickled header lines, want the connection cut by --read-header-timeout 300ms")
	}
	if took := time.Since(began); took >= 5*time.Second {
		t.Fatalf("cut off after %v: the default timeout (5s) may have done it, not --read-header-timeout 300ms", took)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Fatal("the server answered a request whose headers never ended")
	}
}

// The binary answers OPTIONS * through its handler (net/http's own answer
// would keep the connection after a chunked body): after OPTIONS * with
// both Content-Length and a chunked body, what follows is not served.
func TestServerOptionsClosesAfterAChunkedBody(t *testing.T) {
	p := start(t, filepath.Join(t.TempDir(), "options.db"))
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "OPTIONS * HTTP/1.1\r\nHost: x\r\nContent-Length: 41\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"+
		"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !resp.Close || resp.Header.Get("X-Request-Id") == "" {
		t.Fatalf("OPTIONS *: %d, Connection: close %v, X-Request-Id %q; want 200 from the handler, closing",
			resp.StatusCode, resp.Close, resp.Header.Get("X-Request-Id"))
	}
	if second, err := http.ReadResponse(br, nil); err == nil {
		t.Fatalf("the connection served what followed the body: %d", second.StatusCode)
	}
}

// cutOff reports whether the server ends conn (closing it, or answering
// and then closing it) within 15 s: a read that times out on this side
// means it kept the connection.
func cutOff(t *testing.T, conn net.Conn) bool {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	return !errors.As(err, &ne) || !ne.Timeout()
}

// The other timeouts cut slow clients off too: a body that never comes
// (--read-timeout), an idle keep-alive connection (--idle-timeout), a
// response the client does not read (--write-timeout), and on SIGTERM a
// request still in flight (--shutdown-timeout).
func TestTimeoutsCutSlowClientsOff(t *testing.T) {
	dial := func(p *process) net.Conn {
		conn, err := net.Dial("tcp", strings.TrimPrefix(p.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	// stalled sends a request whose body stops 90 bytes short.
	stalled := func(conn net.Conn) {
		fmt.Fprint(conn, "POST /players HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"first_na")
	}
	t.Run("a body that never comes", func(t *testing.T) {
		p := start(t, filepath.Join(t.TempDir(), "t.db"), "--read-timeout", "500ms")
		conn := dial(p)
		stalled(conn)
		if !cutOff(t, conn) {
			t.Error("the connection was still open 15 s after a 500ms read timeout")
		}
	})
	t.Run("an idle keep-alive connection", func(t *testing.T) {
		p := start(t, filepath.Join(t.TempDir(), "t.db"), "--idle-timeout", "500ms")
		conn := dial(p)
		fmt.Fprint(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || resp.StatusCode != 200 || resp.Close {
			t.Fatalf("GET /healthz: %v %v, want a 200 keeping the connection", resp, err)
		}
		if !cutOff(t, conn) {
			t.Error("the idle connection was still open 15 s after a 500ms idle timeout")
		}
	})
	t.Run("responses the client does not read", func(t *testing.T) {
		// Swagger UI's bundle, 1.7 MB sent as is, asked for in pipelined
		// requests enough to outgrow the server's send buffer at its
		// largest, by a client whose receive buffer is a few KiB: the
		// server's writes block. After a pause, a client reading finds
		// the responses written before --write-timeout ended one, and the
		// connection closed; the default's 30 s sends them all.
		const bundle = "/docs/swagger-ui-bundle.js"
		wmem, err := os.ReadFile("/proc/sys/net/ipv4/tcp_wmem")
		if err != nil {
			t.Skip("no tcp_wmem to size the requests by:", err)
		}
		fields := strings.Fields(string(wmem))
		maxSend, err := strconv.Atoi(fields[len(fields)-1])
		if err != nil {
			t.Fatalf("tcp_wmem %q: %v", wmem, err)
		}
		req := "GET " + bundle + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: identity\r\n\r\n"
		n := 2*maxSend/1_700_000 + 3
		if n*len(req) > 4096 {
			// The requests past the server's 4 KiB read buffer would be
			// unread when it closes, and the kernel would reset the
			// connection, discarding the responses before them.
			t.Skipf("a send buffer of up to %d bytes needs %d requests, more than 4 KiB of them", maxSend, n)
		}
		for _, tc := range []struct {
			args  []string
			whole bool
		}{
			{[]string{"--write-timeout", "300ms"}, false},
			{nil, true},
		} {
			p := start(t, filepath.Join(t.TempDir(), "t.db"), tc.args...)
			d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
				var err error
				c.Control(func(fd uintptr) { err = setReceiveBuffer(fd, 4096) })
				return err
			}}
			conn, err := d.Dial("tcp", strings.TrimPrefix(p.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprint(conn, strings.Repeat(req, n))
			time.Sleep(1500 * time.Millisecond)
			conn.SetReadDeadline(time.Now().Add(30 * time.Second))
			r, whole := bufio.NewReader(conn), 0
			var last error
			for ; whole < n; whole++ {
				resp, err := http.ReadResponse(r, nil)
				if err != nil {
					last = err
					break
				}
				got, err := io.Copy(io.Discard, resp.Body)
				if resp.StatusCode != 200 || resp.ContentLength < 1<<20 || got != resp.ContentLength || err != nil {
					last = fmt.Errorf("%s, %d of %d bytes read: %w", resp.Status, got, resp.ContentLength, err)
					break
				}
			}
			var ne net.Error
			switch {
			case tc.whole && whole != n:
				t.Errorf("%v: %d of %d responses whole, then %v", tc.args, whole, n, last)
			case !tc.whole && whole == n:
				t.Errorf("%v: all %d responses came whole, want the connection cut", tc.args, n)
			case !tc.whole && errors.As(last, &ne) && ne.Timeout():
				// As cutOff: a read that times out means the server kept
				// the connection; an end or a reset means it cut it.
				t.Errorf("%v: %d of %d responses whole, then %v, want the connection closed", tc.args, whole, n, last)
			}
		}
	})
	for _, tc := range []struct{ timeout, says string }{
		{"500ms", "shutting down: letting in-flight requests finish (up to 500ms)"},
		{"0", "shutting down: requests in flight are cut off"},
	} {
		t.Run("a request in flight at shutdown, --shutdown-timeout "+tc.timeout, func(t *testing.T) {
			p := start(t, filepath.Join(t.TempDir(), "t.db"), "--shutdown-timeout", tc.timeout, "--read-timeout", "1h")
			conn := dial(p)
			stalled(conn)
			awaitInFlight(t, p, 1)
			p.signal(t, syscall.SIGTERM)
			signalled := time.Now()
			if err := p.wait(t); err == nil {
				t.Error("exit status 0, want 1: a request was cut off")
			}
			// Well before the default's 15 s: the flag was applied.
			if took := time.Since(signalled); took > 10*time.Second {
				t.Errorf("exited %v after SIGTERM, want %s or a little more", took, tc.timeout)
			}
			if !strings.Contains(p.stderr.String(), "shutdown timed out") {
				t.Errorf("the log does not say the shutdown timed out:\n%s", p.stderr)
			}
			if !strings.Contains(p.stdout.String(), tc.says) {
				t.Errorf("stdout does not say %q:\n%s", tc.says, p.stdout)
			}
		})
	}
}

// TestRestoreUnderAStop moves a backup over the file of a server, then
// stops it: gracefully, or with a request in flight cut off, when the
// process does not wait for the store's Close. Either way the replaced
// file's write-ahead log is moved aside, or the restart would apply it to
// the backup, and the log tells of it; after a graceful stop, before its
// last line, "stopped".
func TestRestoreUnderAStop(t *testing.T) {
	for _, cutOff := range []bool{false, true} {
		t.Run(fmt.Sprintf("cut off %v", cutOff), func(t *testing.T) {
			dir := t.TempDir()
			db, backup := filepath.Join(dir, "ninjagold.db"), filepath.Join(dir, "backup.db")
			b, err := sqlite.Open(t.Context(), backup, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			// A graceful stop has time for requests to finish; with none
			// (--shutdown-timeout 0) a keep-alive connection whose response
			// has just been sent may still count as busy, and be cut off.
			timeout := "10s"
			if cutOff {
				timeout = "0"
			}
			p := start(t, db, "--shutdown-timeout", timeout, "--read-timeout", "1h")
			for _, name := range []string{"Kira", "Rin", "Sora"} {
				resp, body, err := postJSON(http.DefaultClient, p.URL+"/players", "", `{"first_name":"`+name+`","last_name":"Sato"}`, nil)
				if err != nil || resp.StatusCode != http.StatusCreated {
					t.Fatalf("POST /players: %v %v %s", resp, err, body)
				}
			}
			if err := os.Rename(backup, db); err != nil {
				t.Fatal(err)
			}
			if cutOff {
				conn, err := net.Dial("tcp", strings.TrimPrefix(p.URL, "http://"))
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				fmt.Fprint(conn, "POST /players HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"first_na")
				awaitInFlight(t, p, 1)
			}
			p.signal(t, syscall.SIGTERM)
			if err := p.wait(t); (err != nil) != cutOff {
				t.Errorf("exit: %v, want status 1 only when a request was cut off", err)
			}
			if aside, _ := filepath.Glob(db + "-wal.replaced-*"); len(aside) != 1 {
				t.Errorf("logs moved aside: %v, want one\n%s", aside, p.stderr)
			}
			logged := p.stderr.String()
			warned := strings.Index(logged, `"msg":"closing the database"`)
			if warned < 0 {
				t.Errorf("the log does not tell of the replaced file:\n%s", logged)
			}
			if stopped := strings.LastIndex(logged, `"msg":"stopped"`); !cutOff && stopped < warned {
				t.Errorf("after a graceful stop, \"stopped\" is not logged after the replaced file:\n%s", logged)
			}
			r, err := sqlite.Open(t.Context(), db, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if players, err := r.ListPlayers(t.Context(), game.PlayerPage{Sort: game.ByGoldDesc, Limit: 10}); err != nil || len(players) != 0 {
				t.Errorf("players in the backup after the stop: %d (%v), want none", len(players), err)
			}
		})
	}
}

// TestShutdownDelay stops a server started with --shutdown-delay: from the
// signal on, /readyz answers 503 while the server goes on serving, every
// response closing its connection, until the delay ends; a second signal
// ends it at once.
func TestShutdownDelay(t *testing.T) {
	get := func(t *testing.T, client *http.Client, url string) (*http.Response, string) {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}
	// draining signals p and waits for its /readyz to answer 503 (the
	// signal arrives in its own time), which it checks. The first 503 may
	// answer a request under way as the drain began, which keeps its
	// connection; the one after it closes its connection.
	draining := func(t *testing.T, p *process, client *http.Client) {
		t.Helper()
		p.signal(t, syscall.SIGTERM)
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, _ := get(t, client, p.URL+"/readyz")
			if resp.StatusCode == http.StatusServiceUnavailable {
				resp, body := get(t, client, p.URL+"/readyz")
				var problem struct{ Type, Detail string }
				if err := json.Unmarshal([]byte(body), &problem); err != nil || resp.StatusCode != http.StatusServiceUnavailable ||
					problem.Type != "/problems/unavailable" || problem.Detail != "The server is shutting down." || !resp.Close || resp.Header.Get("Retry-After") == "" {
					t.Errorf("/readyz while draining: %v %s (Connection: close %v, Retry-After %q)", resp.Status, body, resp.Close, resp.Header.Get("Retry-After"))
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("/readyz still %s 10 s after SIGTERM", resp.Status)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Run("the delay", func(t *testing.T) {
		p := start(t, filepath.Join(t.TempDir(), "t.db"), "--shutdown-delay", "1500ms")
		client := &http.Client{Transport: &http.Transport{}}
		defer client.CloseIdleConnections()
		if resp, _ := get(t, client, p.URL+"/readyz"); resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("/readyz before: %s (Connection: close %v), want 200 on a kept connection", resp.Status, resp.Close)
		}
		signalled := time.Now()
		draining(t, p, client)
		if resp, _ := get(t, client, p.URL+"/locations/1"); resp.StatusCode != http.StatusOK || !resp.Close {
			t.Errorf("/locations/1 while draining: %s (Connection: close %v), want 200 closing its connection", resp.Status, resp.Close)
		}
		if err := p.wait(t); err != nil {
			t.Errorf("exit: %v\n%s", err, p.stderr)
		}
		if took := time.Since(signalled); took < 1500*time.Millisecond {
			t.Errorf("exited %v after SIGTERM, want the delay, 1.5s, at least", took)
		}
		if want := "shutting down in 1.5s: /readyz answers 503"; !strings.Contains(p.stdout.String(), want) {
			t.Errorf("stdout does not say %q:\n%s", want, p.stdout)
		}
	})
	t.Run("a second signal ends it", func(t *testing.T) {
		p := start(t, filepath.Join(t.TempDir(), "t.db"), "--shutdown-delay", "1h")
		client := &http.Client{Transport: &http.Transport{}}
		defer client.CloseIdleConnections()
		draining(t, p, client)
		p.signal(t, syscall.SIGTERM)
		signalled := time.Now()
		p.wait(t) // its status is the shutdown's: 0, as nothing was in flight
		if took := time.Since(signalled); took > 10*time.Second {
			t.Errorf("exited %v after the second signal, want at once", took)
		}
		if want := "shutting down: requests in flight are cut off"; !strings.Contains(p.stdout.String(), want) {
			t.Errorf("stdout does not say %q:\n%s", want, p.stdout)
		}
	})
}

// TestLogLevel checks the access log: one JSON line per request at the
// default level, none at --log-level warn.
func TestLogLevel(t *testing.T) {
	for _, tt := range []struct {
		args  []string
		lines int
	}{
		{nil, 1},
		{[]string{"--log-level", "warn"}, 0},
	} {
		p := start(t, filepath.Join(t.TempDir(), "ninjagold.db"), tt.args...)
		resp, err := http.Get(p.URL + "/locations/1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		id := resp.Header.Get("X-Request-ID")
		p.signal(t, syscall.SIGTERM)
		if err := p.wait(t); err != nil {
			t.Fatalf("exit: %v\n%s", err, p.stderr)
		}
		lines := 0
		for _, line := range strings.Split(p.stderr.String(), "\n") {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) != nil || rec["msg"] != "request" {
				continue
			}
			lines++
			if rec["request_id"] != id || rec["operation"] != "getLocation" || rec["route"] != "/locations/:id" || rec["client"] != "127.0.0.1" ||
				rec["status"] != float64(200) || rec["duration"] == nil {
				t.Errorf("%v: access log line %s", tt.args, line)
			}
		}
		if lines != tt.lines {
			t.Errorf("%v: %d access log lines, want %d\n%s", tt.args, lines, tt.lines, p.stderr)
		}
	}
}

// TestLogFlush checks when a running server's access line reaches
// stderr: within the interval with the default buffer and at once with
// --log-flush 0, without the server stopping; with an interval longer than
// the test, not while it runs, and on SIGTERM (Close) after all.
func TestLogFlush(t *testing.T) {
	get := func(p *process) string {
		t.Helper()
		resp, err := http.Get(p.URL + "/locations/1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return `"request_id":"` + resp.Header.Get("X-Request-ID") + `"`
	}
	for _, args := range [][]string{nil, {"--log-flush", "0"}} {
		p := start(t, filepath.Join(t.TempDir(), "ninjagold.db"), args...)
		want := get(p)
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(p.stderr.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("%v: no access line with %s 5s after the answer\n%s", args, want, p.stderr)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	p := start(t, filepath.Join(t.TempDir(), "ninjagold.db"), "--log-flush", "1h")
	want := get(p)
	time.Sleep(300 * time.Millisecond)
	if strings.Contains(p.stderr.String(), want) {
		t.Fatalf("--log-flush 1h: the access line was written at once\n%s", p.stderr)
	}
	p.signal(t, syscall.SIGTERM)
	if err := p.wait(t); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), want) {
		t.Fatalf("--log-flush 1h: the buffered access line was not written at shutdown\n%s", p.stderr)
	}
}

// Headers over --max-header-bytes (16 KiB by default), but within the
// connection's own bound, are answered by the service: its 431 problem,
// not net/http's plain-text one.
func TestOversizedHeadersGetTheProblem(t *testing.T) {
	p := start(t, filepath.Join(t.TempDir(), "headers.db"))
	req, err := http.NewRequest("GET", p.URL+"/locations", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Padding", strings.Repeat("p", 20<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || ct != "application/problem+json" {
		t.Errorf("20 KiB of headers: %d %s %s, want 431 application/problem+json", resp.StatusCode, ct, body)
	}
}

func TestBadConfigurationFailsFast(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--nope"}, "flag provided but not defined"},
		{"a flag's bad value", []string{"--max-in-flight", "abc"}, `invalid value "abc" for flag -max-in-flight`},
		{"log level with an offset", []string{"--log-level", "INFO+3"}, "NINJAGOLD_LOG_LEVEL / --log-level"},
		{"bad log format", []string{"--log-format", "xml"}, "NINJAGOLD_LOG_FORMAT / --log-format"},
		{"bad log level", []string{"--log-level", "loud"}, "NINJAGOLD_LOG_LEVEL / --log-level"},
		{"bad log flush", []string{"--log-flush", "soon"}, "NINJAGOLD_LOG_FLUSH / --log-flush"},
		{"negative log flush", []string{"--log-flush", "-1s"}, "NINJAGOLD_LOG_FLUSH / --log-flush"},
		{"spinning log flush", []string{"--log-flush", "1ns"}, "NINJAGOLD_LOG_FLUSH / --log-flush"},
		{"address in use", []string{"--addr", "256.0.0.1:80"}, "NINJAGOLD_ADDR / --addr"},
		{"database in a missing folder", []string{"--db", "/nonexistent/dir/x.db"}, "NINJAGOLD_DB / --db"},
		{"malformed PostgreSQL URL", []string{"--db", "postgres://%zz"}, "NINJAGOLD_DB / --db (PostgreSQL): postgres: invalid database URL"},
		{"unreachable PostgreSQL", []string{"--db", "postgres://nobody:secret@127.0.0.1:1/x", "--db-connect-timeout", "2s"}, "NINJAGOLD_DB / --db (PostgreSQL): postgres: cannot connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A free port unless the case names one: the failure must be
			// the one the case is about, also when :8080 is taken.
			args := append([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "x.db")}, tt.args...)
			// A configuration wrongly taken starts a server that never
			// exits: end it, and fail here rather than at the package's
			// timeout.
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			var stdout, stderr syncBuffer
			cmd := exec.CommandContext(ctx, binary, args...)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			out := stderr.String()
			if ctx.Err() != nil {
				t.Fatalf("still running after 20s, want it to fail at once; stderr %s", out)
			}
			if err == nil {
				t.Fatalf("exit 0, want failure; stderr %s", out)
			}
			if !strings.Contains(out, tt.want) || strings.Count(strings.TrimSuffix(out, "\n"), "\n") > 0 ||
				strings.Contains(out, "secret") {
				t.Errorf("stderr = %q, want a one-line error containing %q and no password", out, tt.want)
			}
			if stdout.String() != "" {
				t.Errorf("stdout = %q, want nothing: the error goes to stderr", stdout.String())
			}
		})
	}
}

// ninjagold migrate checks the whole file, which a start of the server does
// not: a damaged one fails it, saying so, where it said "migrations
// applied".
func TestMigrateFindsADamagedFile(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Second)
	defer cancel()
	path := filepath.Join(t.TempDir(), "damaged.db")
	if out, err := exec.CommandContext(ctx, binary, "migrate", "--db", path).CombinedOutput(); err != nil || !strings.Contains(string(out), "migrations applied") {
		t.Fatalf("migrate of a new file: %v\n%s", err, out)
	}
	sqlitetest.DamageTable(t, path, "locations")
	out, err := exec.CommandContext(ctx, binary, "migrate", "--db", path).CombinedOutput()
	if err == nil || strings.Contains(string(out), "migrations applied") || !strings.Contains(string(out), "the database file is damaged: restore it from a backup") {
		t.Errorf("migrate of the damaged file: %v\n%s\nwant a failure saying the file is damaged", err, out)
	}
}

// A shared SQLite file whose write lock another process holds past
// --sqlite-busy-timeout stops the start with the way out: start again, or
// wait longer.
func TestLockedFileFailsWithItsRemedy(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Second)
	defer cancel()
	path := filepath.Join(t.TempDir(), "locked.db")
	if out, err := exec.CommandContext(ctx, binary, "migrate", "--db", path).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(t.Context(), nil) // holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()

	out, err := exec.CommandContext(ctx, binary, "--addr", "127.0.0.1:0", "--db", path,
		"--sqlite-shared", "--sqlite-busy-timeout", "100ms").CombinedOutput()
	if err == nil || ctx.Err() != nil {
		t.Fatalf("got %v (deadline %v), want the start to fail at once; output %s", err, ctx.Err(), out)
	}
	line := strings.TrimSuffix(string(out), "\n")
	const why, remedy = "another process held the database's write lock for longer than the busy timeout",
		"; start again once it is done, or wait longer with --sqlite-busy-timeout"
	if !strings.Contains(line, why) || !strings.HasSuffix(line, remedy) || strings.Contains(line, "\n") {
		t.Errorf("output = %q, want one line saying %q and ending %q", out, why, remedy)
	}
}

// TestGroupCommitOnOneCPU runs the server as a one-CPU container would
// (GOMAXPROCS=1) under 64 concurrent visitors and reads the group commit's
// figures from /metrics: writes must share commits. Before the writer
// yielded to the handlers, each commit carried about one write there (and
// some requests waited more than a second).
func TestGroupCommitOnOneCPU(t *testing.T) {
	t.Setenv("GOMAXPROCS", "1")
	p := start(t, filepath.Join(t.TempDir(), "one-cpu.db"))
	players := createPlayers(t, p.URL, 8)
	before := writeStats(t, p.URL)
	stop := make(chan struct{})
	var acked atomic.Int64
	done := make(chan struct{})
	var bad []string
	go func() {
		defer close(done)
		_, bad = load(p.URL, players, 64, stop, &acked)
	}()
	waitAcked(&acked, 3000)
	close(stop)
	<-done
	if len(bad) > 0 {
		t.Fatalf("non-201 answers: %v", bad[:min(5, len(bad))])
	}
	after := writeStats(t, p.URL)
	writes, commits := after[0]-before[0], after[1]-before[1]
	t.Logf("%.0f writes in %.0f commits", writes, commits)
	if writes < 3000 || commits*4 > writes {
		t.Errorf("%.0f writes took %.0f commits: want at least four writes a commit on average", writes, commits)
	}
}

// writeStats reads ninjagold_db_writes_total and ninjagold_db_commits_total.
func writeStats(t *testing.T, url string) [2]float64 {
	t.Helper()
	m := metricValues(t, url, "ninjagold_db_writes_total", "ninjagold_db_commits_total")
	return [2]float64{m[0], m[1]}
}

// metricValues reads the values of the series named, labels included
// (`name{label="value"}`), from url's /metrics.
func metricValues(t *testing.T, url string, series ...string) []float64 {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := make([]float64, len(series))
	for i, name := range series {
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("/metrics has no %s:\n%s", name, body)
		}
		fmt.Sscan(string(m[1]), &out[i])
	}
	return out
}

// awaitInFlight waits until at least n requests besides its own read of
// /metrics are in flight at p: the requests sent have entered the server's
// middleware (the observer counts them there), where a signal sent now
// finds them in flight.
func awaitInFlight(t *testing.T, p *process, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if v := metricValues(t, p.URL, "ninjagold_http_requests_in_flight")[0]; v >= float64(n+1) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests were not in flight 10 s after they were sent", n)
		}
	}
}

// A start that fails on its address leaves no database behind and prints no
// admin token: the address is taken before the database is touched.
func TestTakenAddressTouchesNoDatabase(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	db := filepath.Join(t.TempDir(), "never.db")
	out, err := exec.Command(binary, "--addr", ln.Addr().String(), "--db", db).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "NINJAGOLD_ADDR / --addr") || strings.Contains(string(out), "admin token") {
		t.Errorf("err %v, output %q; want an --addr failure and no admin token", err, out)
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the database file exists after a failed start (%v)", err)
	}
}

// --help is an answer, not a failure.
// Without NINJAGOLD_ADMIN_TOKEN the server makes up an admin token and
// prints it: that token, and no other, opens the admin operations.
func TestGeneratedAdminToken(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ninjagold.db")
	cmd := exec.Command(binary, serveArgs(db)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NINJAGOLD_ADMIN_TOKEN=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	p := launch(t, cmd)
	// The start-up line says which database serves, as a mistyped
	// PostgreSQL URL would have been a SQLite file.
	if want := "(database SQLite " + db + ", a new file)"; !strings.Contains(p.stdout.String(), want) {
		t.Errorf("the start-up lines do not say %q:\n%s", want, p.stdout)
	}
	// 256 random bits, in unpadded base64url after the prefix.
	m := regexp.MustCompile(`the admin token for this run is:\n  (nga_[A-Za-z0-9_-]{43})\n`).FindStringSubmatch(p.stdout.String())
	if m == nil {
		t.Fatalf("no admin token of 256 bits printed; stdout:\n%s", p.stdout)
	}
	for _, c := range []struct {
		token string
		want  int
	}{
		{processTestAdmin, http.StatusUnauthorized},
		{m[1] + "x", http.StatusUnauthorized},
		{m[1], http.StatusCreated},
	} {
		resp, body, err := postJSON(http.DefaultClient, p.URL+"/locations", c.token, `{"name":"Dojo","min_gold":1,"max_gold":2}`, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != c.want {
			t.Errorf("token %q: %d %s, want %d", c.token, resp.StatusCode, body, c.want)
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	out, err := exec.Command(binary, "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ninjagold migrate") {
		t.Errorf("err %v, output %q; want exit 0 and the usage", err, out)
	}
}

// A hangup stops the server as SIGTERM does: lines still buffered are
// written before the process exits 0.
func TestSighupStopsGracefully(t *testing.T) {
	if signal.Ignored(syscall.SIGHUP) {
		// Run under nohup, the server would inherit the ignored hangup,
		// and honour it (as it should). A handler of this process's own is
		// not inherited: the server starts with the default.
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGHUP)
		defer signal.Stop(ch)
	}
	p := start(t, filepath.Join(t.TempDir(), "ninjagold.db"), "--log-flush", "1h")
	resp, err := http.Get(p.URL + "/locations/1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := `"request_id":"` + resp.Header.Get("X-Request-ID") + `"`
	p.signal(t, syscall.SIGHUP)
	if err := p.wait(t); err != nil {
		t.Fatalf("exit after SIGHUP: %v, want status 0\n%s", err, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), want) {
		t.Errorf("the buffered access line was lost\n%s", p.stderr)
	}
	for _, msg := range []string{`"msg":"listening"`, `"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(p.stderr.String(), msg) {
			t.Errorf("no %s line in the log\n%s", msg, p.stderr)
		}
	}
}

// Under nohup a hangup is ignored, as nohup asks: the server keeps serving
// and stops on SIGTERM.
func TestNohupIgnoresHangup(t *testing.T) {
	nohup, err := exec.LookPath("nohup")
	if err != nil {
		t.Skip("no nohup on this machine")
	}
	p := launch(t, exec.Command(nohup, append([]string{binary}, serveArgs(filepath.Join(t.TempDir(), "ninjagold.db"))...)...))
	p.signal(t, syscall.SIGHUP)
	time.Sleep(300 * time.Millisecond)
	resp, err := http.Get(p.URL + "/healthz")
	if err != nil {
		t.Fatalf("after SIGHUP under nohup: %v, want the server still serving\n%s", err, p.stderr)
	}
	resp.Body.Close()
	p.signal(t, syscall.SIGTERM)
	if err := p.wait(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v, want status 0\n%s", err, p.stderr)
	}
}

// While a graceful stop waits for a request, a second signal ends the
// process at once, and its log is written first: the access line of a
// request served before the signals, held in the log's buffer, is not lost.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	// gap is the time between the signals: a second signal sent right
	// after the first must not be lost either.
	for _, gap := range []time.Duration{500 * time.Millisecond, 0} {
		t.Run(fmt.Sprint(gap, " apart"), func(t *testing.T) {
			p := start(t, filepath.Join(t.TempDir(), "ninjagold.db"), "--shutdown-timeout", "60s", "--read-timeout", "60s", "--log-flush", "1h")
			resp, err := http.Get(p.URL + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			conn, err := net.Dial("tcp", strings.TrimPrefix(p.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// A request whose body never finishes keeps the stop waiting.
			fmt.Fprint(conn, "POST /players HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"first")
			awaitInFlight(t, p, 1)
			p.signal(t, syscall.SIGTERM)
			if gap > 0 {
				time.Sleep(gap)
				select {
				case err := <-p.exited:
					p.exited <- err
					t.Fatalf("exited before the second signal (%v): the request did not hold the stop", err)
				default:
				}
			}
			began := time.Now()
			p.signal(t, syscall.SIGINT)
			err = p.wait(t)
			if err == nil || time.Since(began) > 5*time.Second {
				t.Errorf("after a second signal: exit %v after %v; want a failure at once", err, time.Since(began))
			}
			for _, want := range []string{`"route":"/healthz"`, "a second signal: requests still in flight were cut off"} {
				if !strings.Contains(p.stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, p.stderr)
				}
			}
		})
	}
}

// TestSQLiteFileHeldByOneProcess: a server holds its SQLite file for
// itself, so a second server or a migrate run on it fails with a message
// that says why and what to do, instead of sharing it unseen. With
// --sqlite-shared on both, two servers share the file and see each other's
// writes.
func TestSQLiteFileHeldByOneProcess(t *testing.T) {
	db := filepath.Join(t.TempDir(), "held.db")
	start(t, db)
	for _, tt := range []struct {
		name string
		args []string
		also string // what else the message says
	}{
		{"second server", []string{"--addr", "127.0.0.1:0", "--db", db}, "another process has the file open"},
		{"migrate", []string{"migrate", "--db", db}, "another process has the file open"},
		// Shared, the other process may also be a shared one creating the file.
		{"second server, shared", []string{"--addr", "127.0.0.1:0", "--db", db, "--sqlite-shared"}, "a ninjagold creating it"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := exec.Command(binary, tt.args...).CombinedOutput()
			if err == nil {
				t.Fatalf("exit 0, want a failure; output %s", out)
			}
			for _, want := range []string{"NINJAGOLD_DB / --db", "in use by another process", "--sqlite-shared", tt.also} {
				if !strings.Contains(string(out), want) {
					t.Errorf("output %q does not say %q", out, want)
				}
			}
		})
	}

	shared := filepath.Join(t.TempDir(), "shared.db")
	a := start(t, shared, "--sqlite-shared")
	b := start(t, shared, "--sqlite-shared")
	for _, p := range [][2]*process{{a, b}, {b, a}} {
		made := createPlayers(t, p[0].URL, 1)[0]
		var seen playerInfo
		getJSON(t, fmt.Sprintf("%s/players/%d", p[1].URL, made.ID), &seen)
		if seen.ID != made.ID {
			t.Errorf("the other server read player %d as %+v", made.ID, seen)
		}
	}
}

// Requests cut off at shutdown (by a second signal, or the shutdown
// timeout) do not keep the process up while the SQLite writer waits for
// another process's lock on the file: the write they were waiting for was
// never acknowledged, and it ends with the process. Here the wait would
// last the whole busy timeout, an hour.
func TestCutOffWriteDoesNotHoldTheExit(t *testing.T) {
	for _, c := range []struct {
		name    string
		args    []string
		signals int
	}{
		{"a second signal", nil, 2},
		{"the shutdown timeout", []string{"--shutdown-timeout", "500ms"}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "t.db")
			p := start(t, db, append([]string{"--sqlite-shared", "--sqlite-busy-timeout", "1h"}, c.args...)...)

			holdWriteLock(t, db)

			acknowledged := make(chan bool, 1)
			go func() {
				resp, _, err := postJSON(http.DefaultClient, p.URL+"/players", "", `{"first_name":"Kira","last_name":"Sato"}`, nil)
				acknowledged <- err == nil && resp.StatusCode < 300
			}()
			awaitInFlight(t, p, 1)
			time.Sleep(300 * time.Millisecond) // the write reaches the writer
			for range c.signals {
				p.signal(t, syscall.SIGTERM)
				time.Sleep(100 * time.Millisecond)
			}
			if err := p.wait(t); err == nil {
				t.Error("exit status 0, want 1: a request was cut off")
			}
			if !strings.Contains(p.stderr.String(), "cut off") {
				t.Errorf("the log does not say requests were cut off:\n%s", p.stderr)
			}
			if <-acknowledged {
				t.Error("the write waiting for the lock was acknowledged")
			}
		})
	}
}

// /readyz on SQLite answers within sqlite.PingTimeout while a write waits
// out another process's lock (--sqlite-shared, a busy timeout of an hour):
// 503 problem+json, "The database did not answer in time.", with
// Retry-After, and the log says why; reads are served meanwhile, and once
// the lock goes the write is acknowledged and /readyz answers 200 again.
func TestReadinessUnderAnotherProcesssLock(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	p := start(t, db, "--sqlite-shared", "--sqlite-busy-timeout", "1h")
	client := &http.Client{Timeout: 20 * time.Second}
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := client.Get(p.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	if resp, body := get("/readyz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz before the lock: %s %s", resp.Status, body)
	}

	release := holdWriteLock(t, db)

	created := make(chan int, 1)
	go func() {
		resp, _, err := postJSON(client, p.URL+"/players", "", `{"first_name":"Kira","last_name":"Sato"}`, nil)
		if err != nil {
			created <- 0
			return
		}
		created <- resp.StatusCode
	}()
	awaitInFlight(t, p, 1)
	time.Sleep(300 * time.Millisecond) // the write reaches the writer

	resp, body := get("/readyz")
	var problem struct {
		Type, Detail string
		Status       int
	}
	if err := json.Unmarshal(body, &problem); err != nil || resp.StatusCode != http.StatusServiceUnavailable ||
		resp.Header.Get("Content-Type") != "application/problem+json" || resp.Header.Get("Retry-After") == "" ||
		problem.Type != "/problems/unavailable" || problem.Status != 503 || problem.Detail != "The database did not answer in time." {
		t.Errorf("/readyz under the lock: %s %s %s (Retry-After %q), want 503 problem+json: the database did not answer in time",
			resp.Status, resp.Header.Get("Content-Type"), body, resp.Header.Get("Retry-After"))
	}
	want := fmt.Sprintf("no answer to the readiness check within %v", sqlite.PingTimeout)
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(p.stderr.String(), want); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) { // the log is flushed now and then
			t.Errorf("the log does not say %q 5 s after the answer:\n%s", want, p.stderr)
			break
		}
	}
	if resp, body := get("/locations/1"); resp.StatusCode != http.StatusOK {
		t.Errorf("a read under the lock: %s %s, want 200", resp.Status, body)
	}

	release()
	if code := <-created; code != http.StatusCreated {
		t.Errorf("the write that waited out the lock: status %d, want 201", code)
	}
	if resp, body := get("/readyz"); resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz after the lock: %s %s, want 200", resp.Status, body)
	}
}

// holdWriteLock holds SQLite file db's write lock as another process's
// write transaction would (the sqlite3 shell's BEGIN IMMEDIATE), until
// release, or the end of the test.
func holdWriteLock(t *testing.T, db string) (release func()) {
	t.Helper()
	other, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := other.Conn(t.Context())
	if err != nil {
		other.Close()
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		conn.Close()
		other.Close()
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
				t.Errorf("ROLLBACK of the held lock: %v", err)
			}
			conn.Close()
			other.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// A signal while the database opens (a PostgreSQL server that does not
// answer, here, or a long migration) stops the start at once, and the
// error line says a signal stopped it.
func TestSignalWhileTheDatabaseOpens(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	connected := make(chan struct{}, 1)
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			defer conn.Close() // open, and never a word
			select {
			case connected <- struct{}{}:
			default:
			}
		}
	}()
	cmd := exec.Command(binary, "--addr", "127.0.0.1:0", "--db", "postgres://nobody@"+silent.Addr().String()+"/x", "--db-connect-timeout", "1h")
	out, exited := startWatched(t, cmd)
	// Once it connects, the server is opening the database, and its
	// signal handler, set before that, is in place (a fixed wait was not
	// enough on a loaded machine: the signal came first and killed it).
	select {
	case <-connected:
	case err := <-exited:
		t.Fatalf("the server exited before it connected: %v; output %q", err, out.String())
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the server did not connect to the database")
	}
	stopWhileOpening(t, cmd, out, exited, "while connecting")
}

// startWatched starts cmd, a server, with its output gathered in out, and
// reports its exit on exited.
func startWatched(t *testing.T, cmd *exec.Cmd) (out *syncBuffer, exited <-chan error) {
	t.Helper()
	out = &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return out, done
}

// stopWhileOpening sends SIGTERM to cmd, a server started by startWatched
// and opening its database, and checks that the start ends at once, with
// status 1 and a line saying a signal stopped it.
func stopWhileOpening(t *testing.T, cmd *exec.Cmd, out *syncBuffer, exited <-chan error, while string) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("exit: %v, want status 1", err)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the server did not stop on SIGTERM %s; output %q", while, out.String())
	}
	if got := out.String(); !strings.Contains(got, "stopped by a signal while the database was opening: context canceled") {
		t.Errorf("output %q, want it to say a signal stopped the start", got)
	}
}

// A signal while the start waits for another process's hold on the SQLite
// file stops the start at once, as while PostgreSQL connects: that wait
// (SQLite's busy timeout, a minute here) does not watch for it.
func TestSignalWhileWaitingForTheSQLiteFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "held.db")
	start(t, db) // holds the file for itself
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	cmd := exec.Command(binary, "--addr", addr, "--db", db, "--sqlite-busy-timeout", "1m")
	cmd.Env = append(os.Environ(), "NINJAGOLD_ADMIN_TOKEN="+processTestAdmin)
	out, exited := startWatched(t, cmd)
	// It listens before it opens the database, and handles signals from
	// before it listens: once its port answers, it is opening the file, or
	// about to.
	for deadline := time.Now().Add(20 * time.Second); ; {
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the server never listened; output %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	stopWhileOpening(t, cmd, out, exited, "while it waited for the file")
}
