package api

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ninjagold/ninjagold-api/impl"
)

// credentials parses the bearer token and checks it against the admin
// token in constant time (hashing first hides the length too).
func (v *validator) credentials(req *http.Request) impl.Credentials {
	token := bearerToken(req)
	if token == "" {
		return impl.Credentials{}
	}
	got := impl.TokenDigest(token) // impl reuses it, as Credentials.TokenHash
	admin := v.hasAdmin && subtle.ConstantTimeCompare(got[:], v.adminHash[:]) == 1
	return impl.Credentials{Token: token, TokenHash: got, Admin: admin, Verifier: v.verifier}
}

// bearerToken returns the token of an "Authorization: Bearer" header, or "".
func bearerToken(req *http.Request) string {
	scheme, token, ok := strings.Cut(header(req.Header, "Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// satisfies reports whether cred meets one of the alternatives. The admin
// scheme needs the admin token; the player scheme needs a token, whose
// owner impl checks against the player in the path.
func satisfies(alternatives openapi3.SecurityRequirements, cred impl.Credentials) bool {
	if len(alternatives) == 0 {
		return true
	}
	for _, alt := range alternatives {
		ok := true
		for scheme := range alt {
			switch scheme {
			case "adminToken":
				ok = ok && cred.Admin
			case "playerToken":
				ok = ok && cred.Token != ""
			default:
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// adminOnly says every alternative of an operation's security needs the
// admin token: only the admin may do it.
func adminOnly(alternatives openapi3.SecurityRequirements) bool {
	for _, alt := range alternatives {
		if _, ok := alt["adminToken"]; !ok {
			return false
		}
	}
	return len(alternatives) > 0
}
