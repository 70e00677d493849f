package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// writes records every Write it gets, as its own string.
type writes struct {
	mu  sync.Mutex
	got []string
	err error // returned by every Write when set
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return 0, w.err
	}
	w.got = append(w.got, string(p))
	return len(p), nil
}

func (w *writes) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.got...)
}

func TestLogWriterThrough(t *testing.T) {
	var w writes
	l := NewLogWriter(&w, 0)
	for _, line := range []string{"a\n", "b\n"} {
		if n, err := l.Write([]byte(line)); n != len(line) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", line, n, err)
		}
	}
	if got := w.all(); strings.Join(got, "|") != "a\n|b\n" {
		t.Errorf("written through: %q, want each line as it came", got)
	}
	if err := l.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestLogWriterBuffers checks what a buffered writer writes and when: not
// at Write, all of it in order at Flush, the buffer first and then the
// line when a line does not fit, and a line larger than the buffer on its
// own.
func TestLogWriterBuffers(t *testing.T) {
	line := func(c byte, n int) string { return strings.Repeat(string(c), n-1) + "\n" }
	big := line('x', logBufferSize+1)
	half := line('h', logBufferSize/2+1) // two do not fit
	tests := []struct {
		name       string
		lines      []string
		beforeSync []string // what reached the writer before Flush
		afterSync  []string // what Flush added
	}{
		{"nothing", nil, nil, nil},
		{"held until Flush", []string{"a\n", "b\n"}, nil, []string{"a\nb\n"}},
		{"full buffer written first", []string{half, half}, []string{half}, []string{half}},
		{"exactly full stays", []string{line('f', logBufferSize)}, nil, []string{line('f', logBufferSize)}},
		{"exactly the buffer's size after a line", []string{"a\n", line('f', logBufferSize)}, []string{"a\n"}, []string{line('f', logBufferSize)}},
		{"larger than the buffer", []string{"a\n", big, "b\n"}, []string{"a\n", big}, []string{"b\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w writes
			l := NewLogWriter(&w, time.Hour) // the flusher never ticks here
			defer l.Close()
			for _, s := range tt.lines {
				if n, err := l.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if got := w.all(); !slices.Equal(got, tt.beforeSync) {
				t.Errorf("before Flush: %s, want %s", short(got), short(tt.beforeSync))
			}
			if err := l.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := w.all()[len(tt.beforeSync):]; !slices.Equal(got, tt.afterSync) {
				t.Errorf("Flush wrote %s, want %s", short(got), short(tt.afterSync))
			}
		})
	}
}

// TestLogWriterFlushesOnItsOwn: the flusher writes the buffer out without
// a Flush, Close or a full buffer, also when given an interval below
// MinLogFlush (1ns here; cmd/ninjagold refuses those before they get
// here).
func TestLogWriterFlushesOnItsOwn(t *testing.T) {
	var w writes
	l := NewLogWriter(&w, time.Nanosecond)
	defer l.Close()
	_, _ = l.Write([]byte("a\n"))
	deadline := time.Now().Add(5 * time.Second)
	for len(w.all()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the flusher did not write the line within 5s")
		}
		time.Sleep(time.Millisecond)
	}
	if got := w.all(); !slices.Equal(got, []string{"a\n"}) {
		t.Errorf("flusher wrote %q", got)
	}
	if l.every != MinLogFlush {
		t.Errorf("the flusher ticks every %v, want MinLogFlush (%v)", l.every, MinLogFlush)
	}
}

func TestLogWriterClose(t *testing.T) {
	var w writes
	l := NewLogWriter(&w, time.Hour)
	_, _ = l.Write([]byte("a\n"))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got := w.all(); !slices.Equal(got, []string{"a\n"}) {
		t.Fatalf("Close wrote %q, want the buffered line", got)
	}
	// After Close lines go straight through, and Close may be called again.
	_, _ = l.Write([]byte("b\n"))
	if got := w.all(); !slices.Equal(got, []string{"a\n", "b\n"}) {
		t.Errorf("after Close: %q, want the line written at once", got)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	// A failed write of the buffer is reported by Close (the flusher has
	// no one else to tell) and its lines are not written twice.
	broken := &writes{err: errors.New("disk full")}
	l = NewLogWriter(broken, time.Hour)
	_, _ = l.Write([]byte("c\n"))
	if err := l.Flush(); err == nil || err.Error() != "disk full" {
		t.Errorf("Flush to a broken writer: %v", err)
	}
	broken.mu.Lock()
	broken.err = nil
	broken.mu.Unlock()
	if err := l.Close(); err == nil {
		t.Error("Close after a failed flush: nil error")
	}
	if got := broken.all(); len(got) != 0 {
		t.Errorf("lines of the failed write written again: %q", got)
	}
}

// TestLogWriterKeepsLinesPastAFailure: a line whose Write had to write the
// buffer out, and failed, is still written by the next Flush.
func TestLogWriterKeepsLinesPastAFailure(t *testing.T) {
	w := &writes{err: errors.New("pipe full")}
	l := NewLogWriter(w, time.Hour)
	defer l.Close()
	half := strings.Repeat("h", logBufferSize/2) + "\n"
	for _, line := range []string{half, half} { // the second makes Write flush the first
		if n, err := l.Write([]byte(line)); n != len(line) || err != nil {
			t.Fatalf("buffered Write = %d, %v; want it never to fail", n, err)
		}
	}
	w.mu.Lock()
	w.err = nil
	w.mu.Unlock()
	if err := l.Flush(); err == nil {
		t.Error("Flush after a failed write: nil error")
	}
	if got := w.all(); len(got) != 1 || got[0] != half {
		t.Errorf("after the failure, Flush wrote %s; want the second line", short(got))
	}
}

// TestLogWriterCloseWhileWriting closes the writer while goroutines still
// write: every line arrives once, before or after Close.
func TestLogWriterCloseWhileWriting(t *testing.T) {
	var w writes
	l := NewLogWriter(&w, time.Millisecond)
	const writers, each = 4, 500
	wg := writeLines(l, writers, each)
	time.Sleep(time.Millisecond)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, chunk := range w.all() {
		for _, line := range strings.SplitAfter(chunk, "\n") {
			if line == "" {
				continue
			}
			if seen[line] || !strings.HasSuffix(line, "\n") {
				t.Fatalf("line %q twice or cut", line)
			}
			seen[line] = true
		}
	}
	if len(seen) != writers*each {
		t.Errorf("%d lines arrived, want %d", len(seen), writers*each)
	}
}

// TestLogWriterConcurrent writes from many goroutines through a short
// interval and a small remaining buffer: every line arrives whole, once,
// and each goroutine's lines in the order it wrote them. Run with -race.
func TestLogWriterConcurrent(t *testing.T) {
	var w writes
	l := NewLogWriter(&w, time.Millisecond)
	const writers, each = 8, 2000
	writeLines(l, writers, each).Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	next := make([]int, writers)
	for _, chunk := range w.all() {
		if !strings.HasSuffix(chunk, "\n") {
			t.Fatalf("a write ends mid-line: %q", chunk[max(0, len(chunk)-40):])
		}
		for _, s := range strings.Split(strings.TrimSuffix(chunk, "\n"), "\n") {
			f := strings.SplitN(s, " ", 3)
			if len(f) != 3 {
				t.Fatalf("line %q: not whole", s)
			}
			g, err1 := strconv.Atoi(f[0])
			i, err2 := strconv.Atoi(f[1])
			if err1 != nil || err2 != nil {
				t.Fatalf("line %q: not whole", s)
			}
			pad := f[2]
			if g < 0 || g >= writers || i != next[g] || len(pad) != i%97 {
				t.Fatalf("line %q: want writer %d's line %d", s, g, next[max(0, min(g, writers-1))])
			}
			next[g]++
		}
	}
	for g, n := range next {
		if n != each {
			t.Errorf("writer %d: %d lines arrived, want %d", g, n, each)
		}
	}
}

// writeLines starts writers goroutines, each writing each lines to l:
// "g i ppp", with i%97 p's, so that lines of varied length fill the buffer
// at odd places.
func writeLines(l io.Writer, writers, each int) *sync.WaitGroup {
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				_, _ = fmt.Fprintf(l, "%d %d %s\n", g, i, strings.Repeat("p", i%97))
			}
		}()
	}
	return &wg
}

// short describes writes by their lengths: the lines can be 64 KiB.
func short(ws []string) string {
	var b bytes.Buffer
	for _, s := range ws {
		fmt.Fprintf(&b, "[%d bytes %.8q] ", len(s), s)
	}
	return b.String()
}

// BenchmarkLogWriter writes access-line-sized lines to a file, each with a
// write(2) and through the default buffer:
//
//	go test ./api -run '^$' -bench LogWriter -benchmem
func BenchmarkLogWriter(b *testing.B) {
	line := []byte(`{"time":"2026-12-01T12:00:00.123456789Z","level":"INFO","msg":"request","method":"GET","route":"/locations/:id","operation":"getLocation","status":200,"duration":41234,"bytes":183,"request_id":"0123456789abcdef0123456789abcdef"}` + "\n")
	for _, bc := range []struct {
		name  string
		flush time.Duration
	}{{"through", 0}, {"buffered", DefaultLogFlush}} {
		b.Run(bc.name, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "log"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			l := NewLogWriter(f, bc.flush)
			defer l.Close()
			b.SetBytes(int64(len(line)))
			for b.Loop() {
				if _, err := l.Write(line); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// stalled is a writer whose Writes wait until release is closed, telling
// started of each one.
type stalled struct {
	writes
	started chan struct{}
	release chan struct{}
}

func (s *stalled) Write(p []byte) (int, error) {
	s.started <- struct{}{}
	<-s.release
	return s.writes.Write(p)
}

// TestLogWriterWritesWhileWritingOut stalls the write of a full buffer:
// lines made meanwhile go to the second buffer without waiting for it, a
// line that finds that one full too waits, and every line arrives once,
// in order.
func TestLogWriterWritesWhileWritingOut(t *testing.T) {
	w := &stalled{started: make(chan struct{}, 8), release: make(chan struct{})}
	l := NewLogWriter(w, time.Hour)
	half := strings.Repeat("a", logBufferSize/2-1) + "\n"
	var want []string
	write := func(line string) {
		if n, err := l.Write([]byte(line)); n != len(line) || err != nil {
			t.Errorf("Write = %d, %v", n, err)
		}
	}
	write(half)
	write(half)
	want = append(want, half+half)
	filling := make(chan struct{})
	go func() { // finds the buffer full: writes it out, and stalls
		defer close(filling)
		write("third\n")
	}()
	<-w.started

	// The stalled write holds the first buffer; the second has room.
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		write("fourth\n")
	}()
	select {
	case <-wrote:
	case <-time.After(10 * time.Second):
		t.Fatal("a line waited for the buffer being written out")
	}
	rest := strings.Repeat("b", logBufferSize-len("third\nfourth\n")) // fills it exactly
	write(rest)
	want = append(want, "third\nfourth\n"+rest)

	// Both buffers are full now: the next line waits.
	waited := make(chan struct{})
	go func() {
		defer close(waited)
		write("last\n")
	}()
	select {
	case <-waited:
		t.Fatal("a line went past two full buffers")
	case <-time.After(50 * time.Millisecond):
	}
	close(w.release)
	<-filling
	<-waited
	want = append(want, "last\n")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got := w.all(); !slices.Equal(got, want) {
		t.Errorf("wrote %s\nwant %s", short(got), short(want))
	}
}
