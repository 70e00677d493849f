package compare

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"

	"github.com/go-faster/jx"
	"github.com/ogen-go/ogen/ogenerrors"

	ogenapi "github.com/ninjagold/ninjagold-api/bench/ogen"
	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/impl"
)

// newOgen serves the operations with the ogen server generated from
// openapi.yaml (bench/ogen; no OpenTelemetry code is generated). ogen
// decodes and validates parameters and bodies with generated code, checks
// the request Content-Type and the bearer token through the
// SecurityHandler; it does not negotiate Accept or bound the body size.
// The handlers do what impl does, over the same store.
func newOgen(e *Env) (http.Handler, error) {
	h := &ogenHandler{store: e.Store, dice: e.Dice, admin: sha256.Sum256([]byte(AdminToken))}
	return ogenapi.NewServer(h, h, ogenapi.WithErrorHandler(ogenError))
}

type ogenHandler struct {
	ogenapi.UnimplementedHandler
	store game.Store
	dice  game.Dice
	admin [sha256.Size]byte
}

type ogenTokenKey struct{}

func (h *ogenHandler) HandlePlayerToken(ctx context.Context, _ ogenapi.OperationName, t ogenapi.PlayerToken) (context.Context, error) {
	if t.Token == "" {
		return nil, errUnauthorized
	}
	return context.WithValue(ctx, ogenTokenKey{}, t.Token), nil
}

func (h *ogenHandler) HandleAdminToken(ctx context.Context, _ ogenapi.OperationName, t ogenapi.AdminToken) (context.Context, error) {
	sum := sha256.Sum256([]byte(t.Token))
	if subtle.ConstantTimeCompare(sum[:], h.admin[:]) != 1 {
		return nil, errUnauthorized
	}
	return ctx, nil
}

func (h *ogenHandler) GetLocation(ctx context.Context, params ogenapi.GetLocationParams) (ogenapi.GetLocationRes, error) {
	l, err := h.store.GetLocation(ctx, params.ID)
	if err != nil {
		return nil, err
	}
	tag := `"` + strconv.FormatInt(l.Version, 10) + `"`
	switch notModified, err := impl.ReadPrecondition(optional(params.IfMatch), optional(params.IfNoneMatch), tag); {
	case err != nil:
		return nil, err
	case notModified:
		return &ogenapi.GetLocationNotModified{ETag: tag}, nil
	}
	return &ogenapi.GetLocationOKHeaders{
		ETag: tag,
		Response: ogenapi.Location{
			ID: l.ID, Name: ogenapi.LocationName(l.Name), MinGold: ogenapi.Gold(l.MinGold), MaxGold: ogenapi.Gold(l.MaxGold),
			Description: ogenapi.Description(l.Description), CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt,
		},
	}, nil
}

func (h *ogenHandler) CreatePlayer(ctx context.Context, req *ogenapi.NewPlayer, params ogenapi.CreatePlayerParams) (ogenapi.CreatePlayerRes, error) {
	if err := impl.UntaggedPrecondition(optional(params.IfMatch), optional(params.IfNoneMatch)); err != nil {
		return nil, err
	}
	token := newToken()
	p, err := h.store.CreatePlayer(ctx, game.NewPlayer{
		FirstName: string(req.FirstName), LastName: string(req.LastName), TokenHash: impl.HashToken(token),
	})
	if err != nil {
		return nil, err
	}
	return &ogenapi.NewPlayerResultHeaders{
		Location:     "/players/" + strconv.FormatInt(p.ID, 10),
		CacheControl: ogenapi.NoStoreNoStore,
		Response: ogenapi.NewPlayerResult{
			ID: p.ID, FirstName: ogenapi.PersonName(p.FirstName), LastName: ogenapi.PersonName(p.LastName),
			Gold: p.Gold, CreatedAt: p.CreatedAt, Token: token,
		},
	}, nil
}

func (h *ogenHandler) CreateVisit(ctx context.Context, req *ogenapi.NewVisit, params ogenapi.CreateVisitParams) (ogenapi.CreateVisitRes, error) {
	token, _ := ctx.Value(ogenTokenKey{}).(string)
	if err := impl.UntaggedPrecondition(optional(params.IfMatch), optional(params.IfNoneMatch)); err != nil {
		return nil, err // the error path is not benchmarked
	}
	vr := game.VisitRequest{
		PlayerID: params.ID, LocationID: req.LocationID, TokenHash: impl.HashToken(token),
		Roll: func(l game.Location) game.Outcome { return game.Roll(h.dice, l) },
	}
	if k, ok := params.IdempotencyKey.Get(); ok {
		sum := sha256.Sum256([]byte("location_id=" + strconv.FormatInt(req.LocationID, 10)))
		vr.IdempotencyKey, vr.RequestHash = k, sum[:]
	}
	v, replayed, err := h.store.CreateVisit(ctx, vr)
	if err != nil {
		return nil, err
	}
	resp := &ogenapi.VisitHeaders{
		Location: "/players/" + strconv.FormatInt(v.PlayerID, 10) + "/visits/" + strconv.FormatInt(v.ID, 10),
		Response: ogenapi.Visit{
			ID: v.ID, PlayerID: v.PlayerID, LocationID: v.LocationID, LocationName: v.LocationName,
			Gold: v.Gold, Balance: v.Balance, Message: v.Message, CreatedAt: v.CreatedAt,
		},
	}
	if replayed {
		resp.IdempotentReplayed = ogenapi.NewOptCreateVisitCreatedIdempotentReplayed(ogenapi.CreateVisitCreatedIdempotentReplayedTrue)
	}
	return resp, nil
}

// optional is o's value, or nil when it is not set.
func optional(o ogenapi.OptString) *string {
	if v, ok := o.Get(); ok {
		return &v
	}
	return nil
}

// ogenError answers domain errors with their status and ogen's own errors
// (decoding, validation, security) with the status ogen picks, as a
// minimal problem (the error path is not benchmarked).
func ogenError(_ context.Context, w http.ResponseWriter, _ *http.Request, err error) {
	status := ogenerrors.ErrorCode(err)
	var ge *game.Error
	if errors.As(err, &ge) {
		if s, ok := rawStatus[ge.Code]; ok {
			status = s
		} else {
			status = http.StatusInternalServerError
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	e := jx.GetEncoder()
	e.ObjStart()
	e.FieldStart("status")
	e.Int(status)
	e.FieldStart("detail")
	e.StrEscape(err.Error())
	e.ObjEnd()
	_, _ = w.Write(e.Bytes())
	jx.PutEncoder(e)
}
