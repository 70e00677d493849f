package impl

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
)

func toLocation(l game.Location) generated.Location {
	return generated.Location{
		Id:          l.ID,
		Name:        l.Name,
		MinGold:     l.MinGold,
		MaxGold:     l.MaxGold,
		Description: l.Description,
		CreatedAt:   l.CreatedAt,
		UpdatedAt:   l.UpdatedAt,
	}
}

func locationFields(n generated.NewLocation) game.LocationFields {
	f := game.LocationFields{Name: n.Name, MinGold: n.MinGold, MaxGold: n.MaxGold}
	if n.Description != nil {
		f.Description = *n.Description
	}
	return f
}

// etag is a location's strong entity tag: its version, which every write bumps.
func etag(l game.Location) string { return `"` + strconv.FormatInt(l.Version, 10) + `"` }

// MatchesIfNoneMatch reports whether an If-None-Match header value names
// the current tag, with the weak comparison RFC 9110 prescribes for it.
// Exported for the benchmarks' other servers, which must do the same work.
func MatchesIfNoneMatch(header, current string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == current {
			return true
		}
	}
	return false
}

// checkIfMatch enforces an If-Match header with the strong comparison RFC
// 9110 prescribes: a weak tag never matches.
func checkIfMatch(header *string, l game.Location) error {
	if header == nil {
		return nil
	}
	current := etag(l)
	for _, t := range strings.Split(*header, ",") {
		if t = strings.TrimSpace(t); t == "*" || t == current {
			return nil
		}
	}
	return &game.Error{
		Code:    game.EPRECONDITION,
		Message: "The location changed since you read it.",
		Fields:  map[string]string{"If-Match": "If-Match does not match the current ETag"},
		ETag:    current,
	}
}

// checkIfNoneMatch enforces an If-None-Match header on a change: listing
// the current tag (weak comparison) or "*" (the location exists) makes the
// condition false.
func checkIfNoneMatch(header *string, l game.Location) error {
	if header == nil || !MatchesIfNoneMatch(*header, etag(l)) {
		return nil
	}
	return &game.Error{
		Code:    game.EPRECONDITION,
		Message: "The location is one you said you did not hold.",
		Fields:  map[string]string{"If-None-Match": "If-None-Match matches the current ETag"},
		ETag:    etag(l),
	}
}

// UntaggedPrecondition evaluates the If-Match and If-None-Match headers
// (nil: not sent) of a request whose target exists and has no entity tag,
// as RFC 9110, section 13.1, does: If-Match is true only for "*", and
// If-None-Match false only for "*". It returns the 412 error when one is
// false; the caller returns it only once the request would otherwise
// succeed (authorized, its target found). Exported for the benchmarks'
// other servers, which must do the same work.
func UntaggedPrecondition(ifMatch, ifNoneMatch *string) error {
	if ifMatch != nil && !listsAny(*ifMatch) {
		return &game.Error{
			Code:    game.EPRECONDITION,
			Message: "A precondition of the request is false.",
			Fields:  map[string]string{"If-Match": "If-Match names an entity tag, and this resource has none"},
		}
	}
	if ifNoneMatch != nil && listsAny(*ifNoneMatch) {
		return &game.Error{
			Code:    game.EPRECONDITION,
			Message: "A precondition of the request is false.",
			Fields:  map[string]string{"If-None-Match": "If-None-Match is *, and this resource exists"},
		}
	}
	return nil
}

// listsAny reports whether a list of entity tags holds "*".
func listsAny(header string) bool {
	for _, t := range strings.Split(header, ",") {
		if strings.TrimSpace(t) == "*" {
			return true
		}
	}
	return false
}

func locationURL(id int64) string { return "/locations/" + strconv.FormatInt(id, 10) }

func (s *Server) ListLocations(ctx context.Context, req generated.ListLocationsRequestObject) (generated.ListLocationsResponseObject, error) {
	ctx = requestContext(ctx)
	limit := limitOrDefault(req.Params.Limit)
	after, err := idCursor(req.Params.Cursor)
	if err != nil {
		return nil, err
	}
	// One extra row tells whether another page exists without a COUNT.
	locs, err := s.store.ListLocations(ctx, after, limit+1)
	if err != nil {
		return nil, err
	}
	var next *string
	if len(locs) > limit {
		locs = locs[:limit]
		n := cursor{ID: locs[limit-1].ID}.encode()
		next = &n
	}
	headers := generated.ListLocations200ResponseHeaders{Link: nextLink("/locations", next, limit, nil)}

	if wantsCSV(ctx) {
		rows := make([][]string, len(locs))
		for i, l := range locs {
			rows[i] = []string{
				strconv.FormatInt(l.ID, 10), l.Name,
				strconv.Itoa(int(l.MinGold)), strconv.Itoa(int(l.MaxGold)), l.Description,
				l.CreatedAt.Format(time.RFC3339Nano), l.UpdatedAt.Format(time.RFC3339Nano),
			}
		}
		body, n := csvBody([]string{"id", "name", "min_gold", "max_gold", "description", "created_at", "updated_at"}, rows)
		return generated.ListLocations200TextcsvCharsetUtf8Response{Body: body, ContentLength: n, Headers: headers}, nil
	}

	items := make([]generated.Location, len(locs))
	for i, l := range locs {
		items[i] = toLocation(l)
	}
	list := generated.LocationList{Items: items}
	setNullable(&list.NextCursor, next)
	return generated.FastListLocations200JSONResponse{ListLocations200JSONResponse: generated.ListLocations200JSONResponse{Body: list, Headers: headers}}, nil
}

func (s *Server) CreateLocation(ctx context.Context, req generated.CreateLocationRequestObject) (generated.CreateLocationResponseObject, error) {
	ctx = requestContext(ctx)
	f := locationFields(*req.Body)
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if err := UntaggedPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch); err != nil {
		return nil, err
	}
	l, err := s.store.CreateLocation(ctx, f)
	if err != nil {
		return nil, err
	}
	return generated.FastCreateLocation201JSONResponse{CreateLocation201JSONResponse: generated.CreateLocation201JSONResponse{
		Body:    toLocation(l),
		Headers: generated.CreateLocation201ResponseHeaders{Location: locationURL(l.ID), ETag: etag(l)},
	}}, nil
}

func (s *Server) GetLocation(ctx context.Context, req generated.GetLocationRequestObject) (generated.GetLocationResponseObject, error) {
	ctx = requestContext(ctx)
	l, err := s.store.GetLocation(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	tag := etag(l)
	if inm := req.Params.IfNoneMatch; inm != nil && MatchesIfNoneMatch(*inm, tag) {
		return generated.GetLocation304Response{Headers: generated.GetLocation304ResponseHeaders{ETag: tag}}, nil
	}
	return generated.FastGetLocation200JSONResponse{GetLocation200JSONResponse: generated.GetLocation200JSONResponse{
		Body:    toLocation(l),
		Headers: generated.GetLocation200ResponseHeaders{ETag: tag},
	}}, nil
}

func (s *Server) ReplaceLocation(ctx context.Context, req generated.ReplaceLocationRequestObject) (generated.ReplaceLocationResponseObject, error) {
	ctx = requestContext(ctx)
	f := locationFields(*req.Body)
	if err := f.Validate(); err != nil {
		return nil, err
	}
	l, err := s.store.UpdateLocation(ctx, req.Id, func(cur *game.Location) error {
		if err := checkIfMatch(req.Params.IfMatch, *cur); err != nil {
			return err
		}
		if err := checkIfNoneMatch(req.Params.IfNoneMatch, *cur); err != nil {
			return err
		}
		cur.Name, cur.MinGold, cur.MaxGold, cur.Description = f.Name, f.MinGold, f.MaxGold, f.Description
		return nil
	})
	if err != nil {
		return nil, err
	}
	return generated.FastReplaceLocation200JSONResponse{ReplaceLocation200JSONResponse: generated.ReplaceLocation200JSONResponse{
		Body:    toLocation(l),
		Headers: generated.ReplaceLocation200ResponseHeaders{ETag: etag(l)},
	}}, nil
}

func (s *Server) UpdateLocation(ctx context.Context, req generated.UpdateLocationRequestObject) (generated.UpdateLocationResponseObject, error) {
	ctx = requestContext(ctx)
	p := req.Body
	l, err := s.store.UpdateLocation(ctx, req.Id, func(cur *game.Location) error {
		if err := checkIfMatch(req.Params.IfMatch, *cur); err != nil {
			return err
		}
		if err := checkIfNoneMatch(req.Params.IfNoneMatch, *cur); err != nil {
			return err
		}
		if p.Name != nil {
			cur.Name = *p.Name
		}
		if p.MinGold != nil {
			cur.MinGold = *p.MinGold
		}
		if p.MaxGold != nil {
			cur.MaxGold = *p.MaxGold
		}
		if p.Description.IsSpecified() {
			cur.Description = p.Description.GetOrEmpty() // "" when null: clearing
		}
		return game.LocationFields{Name: cur.Name, MinGold: cur.MinGold, MaxGold: cur.MaxGold}.Validate()
	})
	if err != nil {
		return nil, err
	}
	return generated.FastUpdateLocation200JSONResponse{UpdateLocation200JSONResponse: generated.UpdateLocation200JSONResponse{
		Body:    toLocation(l),
		Headers: generated.UpdateLocation200ResponseHeaders{ETag: etag(l)},
	}}, nil
}

func (s *Server) DeleteLocation(ctx context.Context, req generated.DeleteLocationRequestObject) (generated.DeleteLocationResponseObject, error) {
	ctx = requestContext(ctx)
	err := s.store.DeleteLocation(ctx, req.Id, func(cur game.Location) error {
		if err := checkIfMatch(req.Params.IfMatch, cur); err != nil {
			return err
		}
		return checkIfNoneMatch(req.Params.IfNoneMatch, cur)
	})
	if err != nil {
		return nil, err
	}
	return generated.DeleteLocation204Response{}, nil
}
