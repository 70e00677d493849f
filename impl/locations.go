package impl

import (
	"context"
	"strconv"
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

// locationCSVHeader and locationRow are a location list's text/csv form:
// toLocation's members, in the contract's order.
var locationCSVHeader = []string{"id", "name", "min_gold", "max_gold", "description", "created_at", "updated_at"}

func locationRow(l game.Location) []string {
	return []string{
		strconv.FormatInt(l.ID, 10), l.Name,
		strconv.Itoa(int(l.MinGold)), strconv.Itoa(int(l.MaxGold)), l.Description,
		l.CreatedAt.Format(time.RFC3339Nano), l.UpdatedAt.Format(time.RFC3339Nano),
	}
}

func locationFields(n generated.NewLocation) game.LocationFields {
	f := game.LocationFields{Name: n.Name, MinGold: n.MinGold, MaxGold: n.MaxGold}
	if n.Description != nil {
		f.Description = *n.Description
	}
	return f
}

func locationURL(id int64) string { return "/locations/" + strconv.FormatInt(id, 10) }

func (s *Server) ListLocations(ctx context.Context, req generated.ListLocationsRequestObject) (generated.ListLocationsResponseObject, error) {
	ctx = requestContext(ctx)
	limit := limitOrDefault(req.Params.Limit)
	const path = "/locations"
	after, err := idCursor(req.Params.Cursor, path)
	if err != nil {
		return nil, err
	}
	// One extra row tells whether another page exists without a COUNT.
	locs, err := s.store.ListLocations(ctx, after, limit+1)
	if err != nil {
		return nil, err
	}
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, ""); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.ListLocations304Response{}, nil
	}
	locs, next := pageOf(locs, limit, func(l game.Location) cursor { return cursor{ID: l.ID, List: path} })
	headers := generated.ListLocations200ResponseHeaders{Link: nextLink(path, next, limit, nil)}

	if wantsCSV(ctx) {
		rows := make([][]string, len(locs))
		for i, l := range locs {
			rows[i] = locationRow(l)
		}
		body, n := csvBody(locationCSVHeader, rows)
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
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, tag); {
	case err != nil:
		return nil, err
	case notModified:
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
		if err := checkPreconditions(req.Params.IfMatch, req.Params.IfNoneMatch, *cur); err != nil {
			return err
		}
		cur.SetFields(f)
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
	// A patch that sets both ends of the range can be refused on its own,
	// before the preconditions, as a PUT's body is (a 400 comes before a
	// 412). One that sets one end is checked against the other, stored.
	if p.MinGold != nil && p.MaxGold != nil {
		if err := (game.LocationFields{MinGold: *p.MinGold, MaxGold: *p.MaxGold}).Validate(); err != nil {
			return nil, err
		}
	}
	l, err := s.store.UpdateLocation(ctx, req.Id, func(cur *game.Location) error {
		if err := checkPreconditions(req.Params.IfMatch, req.Params.IfNoneMatch, *cur); err != nil {
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
		switch {
		case p.MinGold != nil && p.MaxGold == nil:
			return cur.Fields().ValidateNewMin()
		case p.MaxGold != nil && p.MinGold == nil:
			return cur.Fields().ValidateNewMax()
		}
		return cur.Fields().Validate()
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
		return checkPreconditions(req.Params.IfMatch, req.Params.IfNoneMatch, cur)
	})
	if err != nil {
		return nil, err
	}
	return generated.DeleteLocation204Response{}, nil
}
