package impl

import (
	"context"
	"crypto/sha256"
	"strconv"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
)

func toVisit(v game.Visit) generated.Visit {
	return generated.Visit{
		Id:           v.ID,
		PlayerId:     v.PlayerID,
		LocationId:   v.LocationID,
		LocationName: v.LocationName,
		Gold:         v.Gold,
		Balance:      v.Balance,
		Message:      v.Message,
		CreatedAt:    v.CreatedAt,
	}
}

// visitCSVHeader and visitRow are a visit list's text/csv form: toVisit's
// members, in the contract's order.
var visitCSVHeader = []string{"id", "player_id", "location_id", "location_name", "gold", "balance", "message", "created_at"}

func visitRow(v game.Visit) []string {
	return []string{
		strconv.FormatInt(v.ID, 10), strconv.FormatInt(v.PlayerID, 10), strconv.FormatInt(v.LocationID, 10),
		v.LocationName, strconv.Itoa(int(v.Gold)), strconv.FormatInt(v.Balance, 10), v.Message,
		v.CreatedAt.Format(time.RFC3339Nano),
	}
}

func visitURL(v game.Visit) string {
	return playerURL(v.PlayerID) + "/visits/" + strconv.FormatInt(v.ID, 10)
}

func (s *Server) CreateVisit(ctx context.Context, req generated.CreateVisitRequestObject) (generated.CreateVisitResponseObject, error) {
	ctx = requestContext(ctx)
	// The store checks the token in the visit's transaction. A token that
	// is not known to be the player's is checked by authorizePlayer (no
	// admin) first, so a refusal needs no write transaction; a known one
	// skips that read, a tenth of a visit's cost (see tokenOwners).
	cred := credentialsFrom(ctx)
	if cred.Token == "" {
		return nil, ErrNoToken
	}
	hash := cred.tokenHash()
	if !s.owners.owns(hash, req.Id) {
		if err := s.authorizePlayer(ctx, req.Id, false); err != nil {
			return nil, err
		}
		s.owners.remember(hash, req.Id)
	}
	vr := game.VisitRequest{
		PlayerID:   req.Id,
		LocationID: req.Body.LocationId,
		TokenHash:  hash,
		Roll:       func(l game.Location) game.Outcome { return game.Roll(s.dice, l) },
		// A false precondition is answered once every other check has
		// passed, in the visit's transaction.
		Refuse: UntaggedPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch),
	}
	if k := req.Params.IdempotencyKey; k != nil {
		// The body has one member, so its value identifies the request.
		h := sha256.Sum256([]byte("location_id=" + strconv.FormatInt(req.Body.LocationId, 10)))
		vr.IdempotencyKey, vr.RequestHash = *k, h[:]
	}
	v, replayed, err := s.store.CreateVisit(ctx, vr)
	if err != nil {
		switch game.ErrorCode(err) {
		case game.EUNAUTHORIZED, game.EFORBIDDEN, game.ENOTFOUND:
			s.owners.forget(hash) // the player is gone, or the token replaced: the hint was stale
		}
		return nil, err
	}
	cred.verified() // the store found the token the player's, in the visit's transaction
	resp := generated.FastCreateVisit201JSONResponse{CreateVisit201JSONResponse: generated.CreateVisit201JSONResponse{
		Body:    toVisit(v),
		Headers: generated.CreateVisit201ResponseHeaders{Location: visitURL(v)},
	}}
	if replayed {
		yes := "true"
		resp.Headers.IdempotentReplayed = &yes
	}
	return resp, nil
}

func (s *Server) GetVisit(ctx context.Context, req generated.GetVisitRequestObject) (generated.GetVisitResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := s.store.GetVisit(ctx, req.Id, req.VisitId)
	if err != nil {
		return nil, err
	}
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, ""); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetVisit304Response{}, nil
	}
	return generated.FastGetVisit200JSONResponse{GetVisit200JSONResponse: generated.GetVisit200JSONResponse{Body: toVisit(v)}}, nil
}

func (s *Server) ListVisits(ctx context.Context, req generated.ListVisitsRequestObject) (generated.ListVisitsResponseObject, error) {
	ctx = requestContext(ctx)
	limit := limitOrDefault(req.Params.Limit)
	path := playerURL(req.Id) + "/visits"
	before, err := idCursor(req.Params.Cursor, path)
	if err != nil {
		return nil, err
	}
	visits, err := s.store.ListVisits(ctx, req.Id, before, limit+1)
	if err != nil {
		return nil, err
	}
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, ""); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.ListVisits304Response{}, nil
	}
	visits, next := pageOf(visits, limit, func(v game.Visit) cursor { return cursor{ID: v.ID, List: path} })
	headers := generated.ListVisits200ResponseHeaders{Link: nextLink(path, next, limit, nil)}

	if wantsCSV(ctx) {
		rows := make([][]string, len(visits))
		for i, v := range visits {
			rows[i] = visitRow(v)
		}
		body, n := csvBody(visitCSVHeader, rows)
		return generated.ListVisits200TextcsvCharsetUtf8Response{Body: body, ContentLength: n, Headers: headers}, nil
	}
	items := make([]generated.Visit, len(visits))
	for i, v := range visits {
		items[i] = toVisit(v)
	}
	list := generated.VisitList{Items: items}
	setNullable(&list.NextCursor, next)
	return generated.FastListVisits200JSONResponse{ListVisits200JSONResponse: generated.ListVisits200JSONResponse{Body: list, Headers: headers}}, nil
}
