package compare

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/impl"
)

// raw serves the benchmarked operations with plain Gin handlers: the same
// store calls as impl, the same response types encoded the same way as the
// generated strict server (encoding/json into a buffer, then status and
// body), the same status codes and resource headers, and no validation of
// any kind: no schema, no Accept/Content-Type check, no body limit, no
// security check beyond what the operation itself needs (the player token
// lookup of a visit).
type raw struct {
	store game.Store
	dice  game.Dice
}

// newRaw builds raw's engine; with serviceHeaders (the raw-headers
// variant) every response also carries the headers the project's observer
// puts on every response (a request id, X-Content-Type-Options,
// Referrer-Policy, Cache-Control), so that project against raw-headers
// measures the contract's work apart from those headers' cost (net/http
// sorts, scans and writes every header line of every response).
func newRaw(e *Env, serviceHeaders bool) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	h := raw{store: e.Store, dice: e.Dice}
	r := gin.New()
	if serviceHeaders {
		r.Use(rawServiceHeaders)
	}
	r.GET("/locations/:id", h.getLocation)
	r.POST("/players", h.createPlayer)
	r.POST("/players/:id/visits", h.createVisit)
	return r
}

func (h raw) getLocation(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		rawProblem(c, game.Invalid(map[string]string{"id": "id must be an integer"}))
		return
	}
	l, err := h.store.GetLocation(c.Request.Context(), id)
	if err != nil {
		rawProblem(c, err)
		return
	}
	tag := `"` + strconv.FormatInt(l.Version, 10) + `"`
	notModified, err := impl.ReadPrecondition(rawHeader(c, "If-Match"), rawHeader(c, "If-None-Match"), tag)
	if err != nil {
		c.Header("ETag", tag)
		rawProblem(c, err)
		return
	}
	if notModified {
		c.Header("ETag", tag)
		c.Status(http.StatusNotModified)
		return
	}
	rawJSON(c, http.StatusOK, generated.Location{
		Id: l.ID, Name: l.Name, MinGold: l.MinGold, MaxGold: l.MaxGold,
		Description: l.Description, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt,
	}, "ETag", tag)
}

func (h raw) createPlayer(c *gin.Context) {
	var body generated.NewPlayer
	if err := json.NewDecoder(c.Request.Body).Decode(&body); err != nil {
		rawProblem(c, game.Invalid(map[string]string{"body": "request body must be JSON"}))
		return
	}
	token := newToken()
	p, err := h.store.CreatePlayer(c.Request.Context(), game.NewPlayer{
		FirstName: body.FirstName, LastName: body.LastName, TokenHash: impl.HashToken(token),
	})
	if err != nil {
		rawProblem(c, err)
		return
	}
	rawJSON(c, http.StatusCreated, generated.NewPlayerResult{
		Id: p.ID, FirstName: p.FirstName, LastName: p.LastName, Gold: p.Gold, CreatedAt: p.CreatedAt, Token: token,
	}, "Location", "/players/"+strconv.FormatInt(p.ID, 10), "Cache-Control", "no-store")
}

func (h raw) createVisit(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		rawProblem(c, game.Invalid(map[string]string{"id": "id must be an integer"}))
		return
	}
	// The same authorization impl does for a token it has seen succeed
	// (the benchmarks' only kind): a bearer token, which CreateVisit checks
	// is this player's.
	scheme, token, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		rawProblem(c, impl.ErrNoToken)
		return
	}
	var body generated.NewVisit
	if err := json.NewDecoder(c.Request.Body).Decode(&body); err != nil {
		rawProblem(c, game.Invalid(map[string]string{"body": "request body must be JSON"}))
		return
	}
	vr := game.VisitRequest{
		PlayerID: id, LocationID: body.LocationId, TokenHash: impl.HashToken(token),
		Roll: func(l game.Location) game.Outcome { return game.Roll(h.dice, l) },
	}
	if k := c.GetHeader("Idempotency-Key"); k != "" {
		sum := sha256.Sum256([]byte("location_id=" + strconv.FormatInt(body.LocationId, 10)))
		vr.IdempotencyKey, vr.RequestHash = k, sum[:]
	}
	v, replayed, err := h.store.CreateVisit(ctx, vr)
	if err != nil {
		rawProblem(c, err)
		return
	}
	if replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	rawJSON(c, http.StatusCreated, generated.Visit{
		Id: v.ID, PlayerId: v.PlayerID, LocationId: v.LocationID, LocationName: v.LocationName,
		Gold: v.Gold, Balance: v.Balance, Message: v.Message, CreatedAt: v.CreatedAt,
	}, "Location", "/players/"+strconv.FormatInt(v.PlayerID, 10)+"/visits/"+strconv.FormatInt(v.ID, 10))
}

// rawServiceHeaders sets the headers api's observer sets on every
// response, the same way: a new 128-bit id in hex (the benchmarks send no
// X-Request-Id), and the three fixed values, put in the map under their
// canonical names.
func rawServiceHeaders(c *gin.Context) {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	var id [32]byte
	hex.Encode(id[:], b[:])
	h := c.Writer.Header()
	h["X-Request-Id"] = []string{string(id[:])}
	h["X-Content-Type-Options"] = rawNosniff
	h["Referrer-Policy"] = rawNoReferrer
	h["Cache-Control"] = rawNoCache
	c.Next()
}

var (
	rawNosniff    = []string{"nosniff"}
	rawNoReferrer = []string{"no-referrer"}
	rawNoCache    = []string{"no-cache"}
)

// rawJSON writes v the way the generated strict responses do, with headers
// given as name, value pairs.
func rawJSON(c *gin.Context, status int, v any, headers ...string) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	c.Writer.WriteHeader(status)
	_, _ = buf.WriteTo(c.Writer)
}

// rawStatus maps domain errors to statuses, as api does.
var rawStatus = map[game.Code]int{
	game.EINVALID:      http.StatusBadRequest,
	game.EUNAUTHORIZED: http.StatusUnauthorized,
	game.EFORBIDDEN:    http.StatusForbidden,
	game.ENOTFOUND:     http.StatusNotFound,
	game.EKEYREUSED:    http.StatusUnprocessableEntity,
	game.EPRECONDITION: http.StatusPreconditionFailed,
	game.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// rawHeader is the value of the request's header name, its lines joined
// as the project's validator joins a list header's; nil when it was not
// sent.
func rawHeader(c *gin.Context, name string) *string {
	v, ok := c.Request.Header[name]
	if !ok || len(v) == 0 {
		return nil
	}
	joined := strings.Join(v, ", ")
	return &joined
}

// rawProblem answers an error with a minimal problem (the error path is not
// benchmarked).
func rawProblem(c *gin.Context, err error) {
	status, ok := rawStatus[game.ErrorCode(err)]
	if !ok {
		status = http.StatusInternalServerError
	}
	c.Header("Content-Type", "application/problem+json")
	c.Status(status)
	_ = json.NewEncoder(c.Writer).Encode(map[string]any{"status": status, "detail": game.ErrorMessage(err)})
}
