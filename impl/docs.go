package impl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/internal/accept"
	"github.com/ninjagold/ninjagold-api/swaggerui"
)

func (s *Server) GetRoot(ctx context.Context, _ generated.GetRootRequestObject) (generated.GetRootResponseObject, error) {
	return generated.GetRoot302Response{Headers: generated.GetRoot302ResponseHeaders{Location: "/docs"}}, nil
}

func (s *Server) GetDocs(ctx context.Context, req generated.GetDocsRequestObject) (generated.GetDocsResponseObject, error) {
	page := swaggerui.Index()
	tag := s.tags.of("/docs", page)
	if inm := req.Params.IfNoneMatch; inm != nil && MatchesIfNoneMatch(*inm, tag) {
		return generated.GetDocs304Response{Headers: generated.GetDocs304ResponseHeaders{ETag: tag}}, nil
	}
	return generated.GetDocs200TexthtmlResponse{
		Body:          bytesReader(page),
		ContentLength: int64(len(page)),
		Headers:       generated.GetDocs200ResponseHeaders{ContentSecurityPolicy: swaggerui.CSP, ETag: tag},
	}, nil
}

func (s *Server) GetDocsAsset(ctx context.Context, req generated.GetDocsAssetRequestObject) (generated.GetDocsAssetResponseObject, error) {
	data, contentType, ok := swaggerui.Asset(req.Asset)
	if !ok {
		return nil, game.Errorf(game.ENOTFOUND, "/docs/%s does not exist", req.Asset)
	}
	// The file has one type: Accept must allow that one, whatever else of
	// the operation's it allows. (Looked up first: an unknown file is a 404
	// whatever Accept says.)
	if !acceptable(ctx, contentType) {
		return nil, &game.Error{
			Code:    game.ENOTACCEPTABLE,
			Message: "/docs/" + req.Asset + " is " + contentType + ".",
			Fields:  map[string]string{"Accept": "Accept must allow " + contentType},
		}
	}
	const cacheControl = "public, max-age=3600"
	tag := s.tags.of("/docs/"+req.Asset, data)
	if inm := req.Params.IfNoneMatch; inm != nil && MatchesIfNoneMatch(*inm, tag) {
		return generated.GetDocsAsset304Response{Headers: generated.GetDocsAsset304ResponseHeaders{CacheControl: cacheControl, ETag: tag}}, nil
	}
	body, n := bytesReader(data), int64(len(data))
	headers := generated.GetDocsAsset200ResponseHeaders{CacheControl: cacheControl, ETag: tag}
	switch contentType {
	case "text/css":
		return generated.GetDocsAsset200TextcssResponse{Body: body, ContentLength: n, Headers: headers}, nil
	case "text/javascript":
		return generated.GetDocsAsset200TextjavascriptResponse{Body: body, ContentLength: n, Headers: headers}, nil
	case "image/png":
		return generated.GetDocsAsset200ImagepngResponse{Body: body, ContentLength: n, Headers: headers}, nil
	default:
		return generated.GetDocsAsset200TextResponse{Body: string(data), Headers: headers}, nil
	}
}

// acceptable reports whether the request in ctx accepts mediaType.
func acceptable(ctx context.Context, mediaType string) bool {
	return accept.Allows(requestInfo(requestContext(ctx)).Accept, mediaType)
}

// contentTag is the strong entity tag of bytes that never change while the
// process runs (the embedded page, its files, the contract): a hash of
// them, so that it changes with them from one build to the next.
func contentTag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// staticTags keeps the contentTag of each unchanging representation, by
// path, so each is hashed once.
type staticTags struct{ m sync.Map }

// of returns contentTag(b), b being what path serves.
func (t *staticTags) of(path string, b []byte) string {
	if tag, ok := t.m.Load(path); ok {
		return tag.(string)
	}
	tag := contentTag(b)
	t.m.Store(path, tag)
	return tag
}
