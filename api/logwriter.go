package api

import (
	"io"
	"sync"
	"time"
)

// DefaultLogFlush is how long cmd/ninjagold lets log lines wait in its
// buffer by default (--log-flush).
const DefaultLogFlush = 100 * time.Millisecond

// LogBufferSize is how many bytes of log lines a buffered LogWriter holds
// before it writes them out without waiting for its interval.
const LogBufferSize = 64 << 10

// LogWriter is where the server's log lines go: whole lines, never
// interleaved, in the order they were made.
//
// Written through (flushEvery 0), every line is one write(2): about half a
// microsecond to a pipe on the machines of BENCHMARKS.md, paid inside the
// request, once per request for the access log alone. Buffered, lines are
// gathered and written together every flushEvery, or as soon as
// LogBufferSize bytes wait, and by Close. The trade-off is the one nginx's
// access_log buffer= makes: a process killed outright (SIGKILL, a crash of
// the runtime) loses at most flushEvery of log lines; answers, data and a
// graceful stop (SIGTERM, which ends in Close) lose none.
type LogWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte // nil: written through
	err error  // the last failed write of the buffer, for Close

	stop chan struct{} // closed by Close; nil: no flusher
	done chan struct{} // closed when the flusher has returned
	once sync.Once
}

// NewLogWriter returns a LogWriter writing to w, buffered for up to
// flushEvery, or through when flushEvery is 0. A buffered one must be
// closed to write out its last lines and stop its flusher.
func NewLogWriter(w io.Writer, flushEvery time.Duration) *LogWriter {
	l := &LogWriter{w: w}
	if flushEvery > 0 {
		l.buf = make([]byte, 0, LogBufferSize)
		l.stop, l.done = make(chan struct{}), make(chan struct{})
		go l.flushEvery(flushEvery)
	}
	return l
}

// Write writes one or more whole lines. Buffered, its error is nil unless
// it had to write the buffer out and that failed.
func (l *LogWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf == nil {
		return l.w.Write(p)
	}
	if len(l.buf)+len(p) > cap(l.buf) {
		if err := l.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) > cap(l.buf) {
			return l.w.Write(p)
		}
	}
	l.buf = append(l.buf, p...)
	return len(p), nil
}

// Flush writes out the lines waiting in the buffer.
func (l *LogWriter) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.flushLocked()
}

func (l *LogWriter) flushLocked() error {
	if len(l.buf) == 0 {
		return nil
	}
	_, err := l.w.Write(l.buf)
	l.buf = l.buf[:0] // a failed write's lines are dropped: a log has nowhere to report it
	if err != nil {
		l.err = err
	}
	return err
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
			_ = l.Flush() // kept in l.err for Close
		}
	}
}

// Close stops the flusher and writes out what the buffer holds. It
// returns the error of the last write of the buffer that failed, if any
// did (the flusher's have no one else to report to). The
// LogWriter stays usable, written through, for lines made after Close
// (a server's last words as it stops).
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
	_ = l.flushLocked()
	l.buf = nil
	return l.err
}
