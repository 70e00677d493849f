package api

import (
	"cmp"
	"io"
	"sync"
	"time"
)

// DefaultLogFlush is how long cmd/ninjagold lets log lines wait in its
// buffer by default (--log-flush); MinLogFlush is the shortest wait it
// takes other than 0 (a shorter one would keep the flusher spinning).
const (
	DefaultLogFlush = 100 * time.Millisecond
	MinLogFlush     = time.Millisecond
)

// logBufferSize is how many bytes of log lines a buffered LogWriter holds
// before it writes them out without waiting for its interval.
const logBufferSize = 64 << 10

// LogWriter is where the server's log lines go: whole lines, never
// interleaved, in the order they were made.
//
// Written through (flushEvery 0), every line is one write(2): about 0.4 µs
// to a file on the project's VM (BenchmarkLogWriter; docs/benchmarks-history.md), more to
// a pipe, paid inside the request, once per request for the access log
// alone. Buffered, lines are gathered and written together every
// flushEvery, or as soon as logBufferSize bytes wait, and by Close. The
// trade-off is the one nginx's access_log buffer= makes: a process that
// dies without Close (SIGKILL, a runtime crash, a panic outside a request,
// where nothing recovers it) loses at most flushEvery of log lines, often
// the last ones before the crash; answers, data and a graceful stop
// (SIGTERM, which ends in Close) lose none.
//
// A buffered LogWriter has two buffers: while one is being written, lines
// go to the other, so a request waits for the log's write(2) only when
// both are full. A log that cannot keep up then slows the server down
// rather than losing lines.
type LogWriter struct {
	w     io.Writer
	every time.Duration // the flusher's interval; set before it starts
	// out is held for every write to w, so that writes happen one at a
	// time, in the order their buffers were filled. Whoever holds both
	// locks took out first.
	out sync.Mutex

	mu sync.Mutex // guards the fields below
	// buf gathers lines; nil: written through.
	buf []byte
	// spare is the other buffer, empty; nil while out's holder writes it.
	spare []byte
	err   error // the last failed write while buffered, for Flush and Close

	stop chan struct{} // closed by Close; nil: no flusher
	done chan struct{} // closed when the flusher has returned
	once sync.Once
}

// NewLogWriter returns a LogWriter writing to w, buffered for up to
// flushEvery (MinLogFlush at least), or through when flushEvery is 0. A
// buffered one must be closed to write out its last lines and stop its
// flusher.
func NewLogWriter(w io.Writer, flushEvery time.Duration) *LogWriter {
	l := &LogWriter{w: w}
	if flushEvery > 0 {
		l.every = max(flushEvery, MinLogFlush) // a shorter ticker would spin
		l.buf = make([]byte, 0, logBufferSize)
		l.spare = make([]byte, 0, logBufferSize)
		l.stop, l.done = make(chan struct{}), make(chan struct{})
		go l.flushLoop()
	}
	return l
}

// Write writes one or more whole lines. Buffered, it never fails: a failed
// write of the buffer is reported by the next Flush and by Close.
func (l *LogWriter) Write(p []byte) (int, error) {
	if l.stop == nil { // made written through; only out to take
		l.out.Lock()
		defer l.out.Unlock()
		return l.w.Write(p)
	}
	l.mu.Lock()
	if l.buf != nil && len(l.buf)+len(p) <= cap(l.buf) {
		l.buf = append(l.buf, p...)
		l.mu.Unlock()
		return len(p), nil
	}
	l.mu.Unlock()

	// Written through, or the buffer is full: wait for the write in
	// progress, if any, then look again (it may have made room).
	l.out.Lock()
	defer l.out.Unlock()
	l.mu.Lock()
	if l.buf == nil { // closed: written through from now on
		l.mu.Unlock()
		return l.w.Write(p)
	}
	if len(l.buf)+len(p) <= cap(l.buf) {
		l.buf = append(l.buf, p...)
		l.mu.Unlock()
		return len(p), nil
	}
	full := l.swapLocked()
	oversized := len(p) > cap(l.buf)
	if !oversized {
		l.buf = append(l.buf, p...)
	}
	l.mu.Unlock()
	err := l.writeOut(full)
	if oversized {
		err = cmp.Or(l.writeOut(p), err)
	}
	l.mu.Lock()
	l.spare, l.err = full[:0], cmp.Or(err, l.err)
	l.mu.Unlock()
	return len(p), nil
}

// swapLocked hands the buffer's lines to the caller, which holds out and
// must give the slice back as spare, and puts spare in its place.
func (l *LogWriter) swapLocked() []byte {
	full := l.buf
	l.buf, l.spare = l.spare, nil
	return full
}

// writeOut writes lines to w unless they are empty. A failed write's
// lines are dropped: a log has nowhere to report its own failure but Flush
// and Close.
func (l *LogWriter) writeOut(lines []byte) error {
	if len(lines) == 0 {
		return nil
	}
	_, err := l.w.Write(lines)
	return err
}

// Flush writes out the lines waiting in the buffer. Its error is that of
// the last write that failed since the LogWriter was made, if any did.
func (l *LogWriter) Flush() error {
	return l.flush(false)
}

// flush writes the buffer out, and with closing leaves the LogWriter
// written through.
func (l *LogWriter) flush(closing bool) error {
	l.out.Lock()
	defer l.out.Unlock()
	l.mu.Lock()
	if l.buf == nil {
		defer l.mu.Unlock()
		return l.err
	}
	full := l.swapLocked()
	if closing {
		l.buf = nil
	}
	l.mu.Unlock()
	err := l.writeOut(full)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !closing {
		l.spare = full[:0]
	}
	l.err = cmp.Or(err, l.err)
	return l.err
}

// flushLoop flushes the buffer every l.every until Close.
func (l *LogWriter) flushLoop() {
	defer close(l.done)
	t := time.NewTicker(l.every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			_ = l.Flush() // a failure is kept in l.err
		}
	}
}

// Close stops the flusher and writes out what the buffer holds. Its error
// is Flush's. The LogWriter stays usable, written through, for lines made
// after Close (a server's last words as it stops).
func (l *LogWriter) Close() error {
	if l.stop == nil {
		return nil
	}
	l.once.Do(func() {
		close(l.stop)
		<-l.done
	})
	return l.flush(true)
}
