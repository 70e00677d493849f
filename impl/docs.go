package impl

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

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
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, tag); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetDocs304Response{Headers: generated.GetDocs304ResponseHeaders{ETag: tag}}, nil
	}
	return generated.GetDocs200TexthtmlResponse{
		Body:          bytes.NewReader(page),
		ContentLength: int64(len(page)),
		Headers:       generated.GetDocs200ResponseHeaders{ContentSecurityPolicy: swaggerui.CSP, ETag: tag},
	}, nil
}

func (s *Server) GetDocsAsset(ctx context.Context, req generated.GetDocsAssetRequestObject) (generated.GetDocsAssetResponseObject, error) {
	data, contentType, ok := swaggerui.Asset(req.Asset)
	if !ok {
		return nil, game.Errorf(game.ENOTFOUND, "Nothing exists at /docs/%s.", req.Asset)
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
	data, tag, coding := s.representation(ctx, "/docs/"+req.Asset, data)
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, tag); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetDocsAsset304Response{Headers: generated.GetDocsAsset304ResponseHeaders{CacheControl: cacheControl, ETag: tag}}, nil
	}
	body, n := bytes.NewReader(data), int64(len(data))
	headers := generated.GetDocsAsset200ResponseHeaders{CacheControl: cacheControl, ContentEncoding: coding, ETag: tag}
	switch contentType {
	case "text/css":
		return generated.GetDocsAsset200TextcssResponse{Body: body, ContentLength: n, Headers: headers}, nil
	case "text/javascript":
		return generated.GetDocsAsset200TextjavascriptResponse{Body: body, ContentLength: n, Headers: headers}, nil
	case "image/png":
		return generated.GetDocsAsset200ImagepngResponse{Body: body, ContentLength: n, Headers: headers}, nil
	default:
		return sizedText{generated.GetDocsAsset200TextResponse{Body: string(data), Headers: headers}}, nil
	}
}

// sizedText is a text file's answer with its Content-Length, which the
// generated text response does not set (its body is a string, not a reader
// with a length); without it net/http sends a text past 2 KiB chunked.
type sizedText struct {
	generated.GetDocsAsset200TextResponse
}

func (r sizedText) VisitGetDocsAssetResponse(w http.ResponseWriter) error {
	w.Header()["Content-Length"] = []string{strconv.Itoa(len(r.Body))}
	return r.GetDocsAsset200TextResponse.VisitGetDocsAssetResponse(w)
}

// acceptable reports whether the request in ctx accepts mediaType.
func acceptable(ctx context.Context, mediaType string) bool {
	return accept.Allows(requestInfo(ctx).Accept, mediaType)
}
