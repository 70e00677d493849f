package api

import (
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// unaskedBodyGrace is how long, after an answer given without the body of
// a request that waits for 100 Continue, net/http may go on reading that
// body before the connection closes: long enough for a body the client
// sent anyway, already on its way, to be read rather than reset under the
// answer; short enough that a client that waits, as it may, does not hold
// a connection and its goroutine until --read-timeout.
const unaskedBodyGrace = time.Second

// waitsForContinue reports whether net/http holds r's body behind a 100
// Continue, which it sends on the body's first read (its expectsContinue).
func waitsForContinue(r *http.Request) bool {
	return r.ContentLength != 0 && r.Header["Expect"] != nil && r.ProtoAtLeast(1, 1) &&
		expectsContinue(r.Header.Get("Expect"))
}

// serveUnasked serves r, which waits for 100 Continue, with h, and bounds
// what is left of the wait once h has answered without reading the body
// to its end (a 404, a 415, a 413 by its Content-Length, ...). net/http
// closes such a connection after the answer, but first reads what it can
// of the rest of the body, up to 256 KiB, with no limit but --read-timeout
// to the wait: a client that waits for a 100 Continue it is never sent
// sends nothing, and the connection would be held that long.
//
// The bound replaces --read-timeout's deadline for that read: an answer
// given less than a second before it keeps the connection up to a second
// past it. (No handler hijacks a connection; one that did would have to
// stop this.)
func serveUnasked(h http.Handler, w http.ResponseWriter, r *http.Request) {
	// On a copy: net/http judges the connection by the body of the request
	// it made (an expectContinueReader not read to its end closes it), and
	// would read any other before it sends the answer.
	body := &watchedBody{ReadCloser: r.Body}
	watched := *r
	watched.Body = body
	h.ServeHTTP(w, &watched)
	if !body.eof.Load() {
		// Only on a connection that closes: once a body is read to its
		// end, net/http keeps the connection and reads on it in the
		// background, which a deadline would fail, cancelling the
		// context of every later request on it.
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(unaskedBodyGrace))
	}
}

// watchedBody is a request body that records whether it was read to its
// end, as net/http's expectContinueReader does.
type watchedBody struct {
	io.ReadCloser
	eof atomic.Bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.eof.Store(true)
	}
	return n, err
}
