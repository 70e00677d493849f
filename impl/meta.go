package impl

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/common/expfmt"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
)

// ErrShuttingDown is GetReadiness's answer once Drain was called. It has
// no cause: it is no failure for the log to report.
var ErrShuttingDown = &game.Error{Code: game.EUNAVAILABLE, Message: "The server is shutting down."}

// Drain makes GetReadiness answer 503 (ErrShuttingDown) from now on,
// whatever the database: the server is about to stop, and a load balancer
// that reads /readyz should send new requests elsewhere.
func (s *Server) Drain() { s.draining.Store(true) }

func (s *Server) GetHealth(_ context.Context, req generated.GetHealthRequestObject) (generated.GetHealthResponseObject, error) {
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, ""); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetHealth304Response{}, nil
	}
	return generated.FastGetHealth200JSONResponse{GetHealth200JSONResponse: generated.GetHealth200JSONResponse{Body: generated.Health{Status: generated.Ok}}}, nil
}

func (s *Server) GetReadiness(ctx context.Context, req generated.GetReadinessRequestObject) (generated.GetReadinessResponseObject, error) {
	if s.draining.Load() {
		return nil, ErrShuttingDown
	}
	ctx = requestContext(ctx)
	if err := s.store.Ping(ctx); err != nil {
		return nil, err
	}
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, ""); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetReadiness304Response{}, nil
	}
	return generated.FastGetReadiness200JSONResponse{GetReadiness200JSONResponse: generated.GetReadiness200JSONResponse{Body: generated.Health{Status: generated.Ok}}}, nil
}

func (s *Server) GetOpenAPIJSON(ctx context.Context, req generated.GetOpenAPIJSONRequestObject) (generated.GetOpenAPIJSONResponseObject, error) {
	doc, err := s.specAsJSON()
	if err != nil {
		return nil, err
	}
	doc, tag, coding := s.representation(ctx, "/openapi.json", doc)
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, tag); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetOpenAPIJSON304Response{Headers: generated.GetOpenAPIJSON304ResponseHeaders{ETag: tag}}, nil
	}
	return specJSONResponse{body: doc, etag: tag, coding: coding}, nil
}

// specJSONResponse is generated.GetOpenAPIJSON200JSONResponse with its body
// already encoded: the same Content-Type and bytes, and the ETag and
// Content-Encoding of its Headers (GetOpenAPIJSON200ResponseHeaders), the
// only ones of them impl sets; the api layer sets the others. Its length is
// known, so it is sent rather than a chunked body.
type specJSONResponse struct {
	body   []byte
	etag   string
	coding *string // nil: none
}

func (r specJSONResponse) VisitGetOpenAPIJSONResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ETag", r.etag)
	if r.coding != nil {
		w.Header().Set("Content-Encoding", *r.coding)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(r.body)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(r.body)
	return err
}

func (s *Server) GetOpenAPIYAML(ctx context.Context, req generated.GetOpenAPIYAMLRequestObject) (generated.GetOpenAPIYAMLResponseObject, error) {
	doc, tag, coding := s.representation(ctx, "/openapi.yaml", ninjagold.OpenAPIYAML)
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, tag); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetOpenAPIYAML304Response{Headers: generated.GetOpenAPIYAML304ResponseHeaders{ETag: tag}}, nil
	}
	return generated.GetOpenAPIYAML200ApplicationyamlResponse{
		Body:          bytes.NewReader(doc),
		ContentLength: int64(len(doc)),
		Headers:       generated.GetOpenAPIYAML200ResponseHeaders{ContentEncoding: coding, ETag: tag},
	}, nil
}

func (s *Server) GetMetrics(ctx context.Context, req generated.GetMetricsRequestObject) (generated.GetMetricsResponseObject, error) {
	families, err := s.metrics.Gather()
	if err != nil {
		return nil, fmt.Errorf("impl: gather metrics: %w", err)
	}
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, ""); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetMetrics304Response{}, nil
	}
	var b strings.Builder
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			return nil, fmt.Errorf("impl: encode metrics: %w", err)
		}
	}
	// The format expfmt writes is the one the contract names:
	// text/plain; version=0.0.4; charset=utf-8 (expfmt.FmtText).
	return generated.GetMetrics200TextplainVersion004CharsetUtf8Response{
		Body: strings.NewReader(b.String()), ContentLength: int64(b.Len()),
	}, nil
}
