package impl

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
)

func toPlayer(p game.Player) generated.Player {
	return generated.Player{
		Id:        p.ID,
		FirstName: p.FirstName,
		LastName:  p.LastName,
		Gold:      p.Gold,
		CreatedAt: p.CreatedAt,
	}
}

// withToken is p as shown with its token, once, when it is made.
func withToken(p game.Player, token string) generated.NewPlayerResult {
	return generated.NewPlayerResult{
		Id:        p.ID,
		FirstName: p.FirstName,
		LastName:  p.LastName,
		Gold:      p.Gold,
		CreatedAt: p.CreatedAt,
		Token:     token,
	}
}

func playerURL(id int64) string { return "/players/" + strconv.FormatInt(id, 10) }

// newToken returns a fresh player token: 256 random bits, so a fast hash
// (SHA-256) is enough to store it safely.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "ngp_" + base64.RawURLEncoding.EncodeToString(b)
}

// TokenDigest is the one hash of a bearer token: a player token is stored
// and looked up by it (HashToken), the admin token compared by it, and the
// rate limiter keys a proven token on it.
func TokenDigest(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }

// HashToken is how a player token is stored and looked up: TokenDigest, as
// a slice.
func HashToken(token string) []byte {
	h := TokenDigest(token)
	return h[:]
}

// ErrNoToken is the 401 for a request with no bearer token: the api
// layer's, where the operation requires one, and the handlers', where none
// came.
var ErrNoToken = game.Errorf(game.EUNAUTHORIZED, "Send a valid bearer token in the Authorization header.")

// ErrNotAdmin is the api layer's 401 for an operation only the admin may
// do, sent without the admin token: a player's token included, which is
// valid, so "a valid bearer token" would send its holder looking for a
// fault in it.
var ErrNotAdmin = game.Errorf(game.EUNAUTHORIZED, "This operation needs the admin token: send it as the bearer token in the Authorization header.")

// authorizePlayer checks that the request's token is player id's own. It
// returns EUNAUTHORIZED for a missing or unknown token, ENOTFOUND when the
// player does not exist, and EFORBIDDEN when the token is another player's.
// With allowAdmin, the admin token is accepted too.
func (s *Server) authorizePlayer(ctx context.Context, id int64, allowAdmin bool) error {
	cred := credentialsFrom(ctx)
	if allowAdmin && cred.Admin {
		return nil
	}
	if cred.Token == "" {
		return ErrNoToken
	}
	owner, err := s.store.PlayerIDByTokenHash(ctx, cred.tokenHash())
	if err != nil {
		return err
	}
	if owner == id {
		cred.verified()
		return nil
	}
	if _, err := s.store.GetPlayer(ctx, id); err != nil {
		return err
	}
	return game.ErrForeignToken
}

func (s *Server) CreatePlayer(ctx context.Context, req generated.CreatePlayerRequestObject) (generated.CreatePlayerResponseObject, error) {
	ctx = requestContext(ctx)
	if err := UntaggedPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch); err != nil {
		return nil, err
	}
	token := newToken()
	p, err := s.store.CreatePlayer(ctx, game.NewPlayer{
		FirstName: req.Body.FirstName,
		LastName:  req.Body.LastName,
		TokenHash: HashToken(token),
	})
	if err != nil {
		return nil, err
	}
	return generated.FastCreatePlayer201JSONResponse{CreatePlayer201JSONResponse: generated.CreatePlayer201JSONResponse{
		Body: withToken(p, token),
		// The body carries the player's token: no cache may keep it.
		Headers: generated.CreatePlayer201ResponseHeaders{Location: playerURL(p.ID), CacheControl: "no-store"},
	}}, nil
}

func (s *Server) GetPlayer(ctx context.Context, req generated.GetPlayerRequestObject) (generated.GetPlayerResponseObject, error) {
	ctx = requestContext(ctx)
	p, err := s.store.GetPlayer(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, ""); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetPlayer304Response{}, nil
	}
	return generated.FastGetPlayer200JSONResponse{GetPlayer200JSONResponse: generated.GetPlayer200JSONResponse{Body: toPlayer(p)}}, nil
}

func (s *Server) ListPlayers(ctx context.Context, req generated.ListPlayersRequestObject) (generated.ListPlayersResponseObject, error) {
	ctx = requestContext(ctx)
	limit := limitOrDefault(req.Params.Limit)
	sort := game.ByGoldDesc
	if req.Params.Sort != nil {
		sort = game.PlayerSort(*req.Params.Sort)
	}
	const path = "/players"
	page := game.PlayerPage{Sort: sort, Limit: limit + 1}
	if req.Params.Cursor != nil {
		c, err := decodeCursor(*req.Params.Cursor)
		if err != nil {
			return nil, err
		}
		if c.List != path || c.Sort != sort || sort.ByGold() != (c.Gold != nil) {
			return nil, errOtherCursor
		}
		page.After = &game.PlayerKey{ID: c.ID}
		if c.Gold != nil {
			page.After.Gold = *c.Gold
		}
	}
	players, err := s.store.ListPlayers(ctx, page)
	if err != nil {
		return nil, err
	}
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, ""); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.ListPlayers304Response{}, nil
	}
	players, next := pageOf(players, limit, func(p game.Player) cursor {
		c := cursor{ID: p.ID, Sort: sort, List: path}
		if sort.ByGold() {
			c.Gold = &p.Gold
		}
		return c
	})
	items := make([]generated.Player, len(players))
	for i, p := range players {
		items[i] = toPlayer(p)
	}
	list := generated.PlayerList{Items: items}
	setNullable(&list.NextCursor, next)
	return generated.FastListPlayers200JSONResponse{ListPlayers200JSONResponse: generated.ListPlayers200JSONResponse{
		Body:    list,
		Headers: generated.ListPlayers200ResponseHeaders{Link: nextLink(path, next, limit, url.Values{"sort": {string(sort)}})},
	}}, nil
}

// authorizeTokenWrite clears a write of player id that only the player
// (with its own token) or the admin may make, under the request's
// preconditions, and returns the token hash the store must check again in
// its transaction, nil for the admin: a replacement that came after this
// check retired it. A failed precondition is a 412, but a 404 first if the
// player does not exist (authorizePlayer found the player for its own
// token, but takes the admin token for any id).
func (s *Server) authorizeTokenWrite(ctx context.Context, id int64, ifMatch, ifNoneMatch *string) ([]byte, error) {
	if err := s.authorizePlayer(ctx, id, true); err != nil {
		return nil, err
	}
	cred := credentialsFrom(ctx)
	if failed := UntaggedPrecondition(ifMatch, ifNoneMatch); failed != nil {
		if cred.Admin {
			if _, err := s.store.GetPlayer(ctx, id); err != nil {
				return nil, err
			}
		}
		return nil, failed
	}
	if cred.Admin {
		return nil, nil
	}
	return cred.tokenHash(), nil
}

func (s *Server) DeletePlayer(ctx context.Context, req generated.DeletePlayerRequestObject) (generated.DeletePlayerResponseObject, error) {
	ctx = requestContext(ctx)
	token, err := s.authorizeTokenWrite(ctx, req.Id, req.Params.IfMatch, req.Params.IfNoneMatch)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeletePlayer(ctx, req.Id, token); err != nil {
		return nil, err
	}
	return generated.DeletePlayer204Response{}, nil
}

// ReplacePlayerToken issues player id a new token. With the player's own
// token, the replacement is made only while that token is still the
// player's (two at once with one token: the second gets 401); the admin
// token replaces any player's.
func (s *Server) ReplacePlayerToken(ctx context.Context, req generated.ReplacePlayerTokenRequestObject) (generated.ReplacePlayerTokenResponseObject, error) {
	ctx = requestContext(ctx)
	old, err := s.authorizeTokenWrite(ctx, req.Id, req.Params.IfMatch, req.Params.IfNoneMatch)
	if err != nil {
		return nil, err
	}
	token := newToken()
	p, err := s.store.ReplaceToken(ctx, req.Id, old, HashToken(token))
	if err != nil {
		return nil, err
	}
	if old != nil {
		s.owners.forget(old)
	}
	return generated.FastReplacePlayerToken200JSONResponse{ReplacePlayerToken200JSONResponse: generated.ReplacePlayerToken200JSONResponse{
		Body: withToken(p, token),
		// The body carries the player's token: no cache may keep it.
		Headers: generated.ReplacePlayerToken200ResponseHeaders{CacheControl: "no-store"},
	}}, nil
}
