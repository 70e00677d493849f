package api

import (
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

// LogBufferSize is how many bytes of log lines a buffered LogWriter holds
// before it writes them out without waiting for its interval.
const LogBufferSize = 64 << 10

// LogWriter is where the server's log lines go: whole lines, never
// interleaved, in the order they were made.
//
// Written through (flushEvery 0), every line is one write(2): about 0.4 µs
// to a file on the machine of BENCHMARKS.md (BenchmarkLogWriter), more to
// a pipe, paid inside the request, once per request for the access log
// alone. Buffered, lines are gathered and written together every
// flushEvery, or as soon as LogBufferSize bytes wait, and by Close. The
// trade-off is the one nginx's access_log buffer= makes: a process that
// dies without Close (SIGKILL, a runtime crash, a panic outside a request,
// where nothing recovers it) loses at most flushEvery of log lines, often
// the last ones before the crash; answers, data and a graceful stop
// (SIGTERM, which ends in Close) lose none. A write of the buffer holds
// the lock, so a line made meanwhile waits for it, as it would for its own
// write(2) unbuffered.
type LogWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte // nil: written through
	err error  // the last failed write while buffered, for Flush and Close

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
		flushEvery = max(flushEvery, MinLogFlush)
		l.buf = make([]byte, 0, LogBufferSize)
		l.stop, l.done = make(chan struct{}), make(chan struct{})
		go l.flushEvery(flushEvery)
	}
	return l
}

// Write writes one or more whole lines. Buffered, it never fails: a failed
// write of the buffer is reported by the next Flush and by Close.
func (l *LogWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf == nil {
		return l.w.Write(p)
	}
	if len(l.buf)+len(p) > cap(l.buf) {
		l.flushLocked()
		if len(p) > cap(l.buf) {
			if _, err := l.w.Write(p); err != nil {
				l.err = err
			}
			return len(p), nil
		}
	}
	l.buf = append(l.buf, p...)
	return len(p), nil
}

// Flush writes out the lines waiting in the buffer. Its error is that of
// the last write that failed since the LogWriter was made, if any did.
func (l *LogWriter) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
	return l.err
}

// flushLocked writes the buffer out. A failed write's lines are dropped (a
// log has nowhere to report its own failure but Flush and Close) and its
// error kept in l.err.
func (l *LogWriter) flushLocked() {
	if len(l.buf) == 0 {
		return
	}
	if _, err := l.w.Write(l.buf); err != nil {
		l.err = err
	}
	l.buf = l.buf[:0]
}

// flushEvery flushes the buffer every interval until Close.
func (l *LogWriter) flushEvery(interval time.Duration) {
	defer close(l.done)
	t := time.NewTicker(interval)
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
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
	l.buf = nil
	return l.err
}
