package impl

import (
	"bytes"
	"compress/gzip"
	"context"
	"sync"

	"github.com/ninjagold/ninjagold-api/internal/accept"
)

// gzipCoding is the one content coding a response may have: the contract
// declares it (Content-Encoding) on the documentation's files and on the
// contract itself (/openapi.json, /openapi.yaml), which do not change while
// the server runs and are large (Swagger UI's script is 1.7 MB,
// /openapi.yaml 190 KB, which gzip makes 22 KB).
const gzipCoding = "gzip"

// compressed keeps the gzip form of each unchanging representation, by
// path, made on the first request that asks for it (about a tenth of a
// second for the 1.7 MB script; made at start, it would slow every start
// for a page few open).
type compressed struct{ m sync.Map } // path -> *gzipped

type gzipped struct {
	once sync.Once
	data []byte // nil: not worth sending compressed
}

// of returns b, what path serves, gzip-compressed, or nil when that does
// not pay: under 1 KiB, or less than a tenth smaller (PNG, compressed
// already). The bytes are the same every time (no name or time in the gzip
// header), so an ETag of them is stable.
func (c *compressed) of(path string, b []byte) []byte {
	if len(b) < 1024 {
		return nil
	}
	v, ok := c.m.Load(path)
	if !ok {
		v, _ = c.m.LoadOrStore(path, new(gzipped))
	}
	z := v.(*gzipped)
	z.once.Do(func() { z.data = gzipIfSmaller(b) })
	return z.data
}

func gzipIfSmaller(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	_, _ = zw.Write(b)                                       // a bytes.Buffer does not fail
	_ = zw.Close()
	if buf.Len() > len(b)-len(b)/10 {
		return nil
	}
	return buf.Bytes()
}

// representation is what to send of b, what path serves unchanging, and
// its ETag: b gzip-compressed, with "gzip" for its Content-Encoding, when
// the request in ctx asks for gzip and compressing b pays, else b as it is
// and a nil coding. The compressed form is a representation of its own
// (RFC 9110 §8.8.3), with its own bytes and so its own ETag.
func (s *Server) representation(ctx context.Context, path string, b []byte) (body []byte, etag string, coding *string) {
	if accept.Coding(requestInfo(ctx).AcceptEncoding, gzipCoding) {
		if z := s.gz.of(path, b); z != nil {
			return z, s.tags.of(path+" "+gzipCoding, z), new(gzipCoding)
		}
	}
	return b, s.tags.of(path, b), nil
}
