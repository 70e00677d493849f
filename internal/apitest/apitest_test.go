package apitest

import (
	"net/http"
	"strings"
	"testing"
)

// The contract check must reject what the contract does not declare;
// otherwise every test built on it would pass vacuously.
func TestContractCheckRejectsUndeclared(t *testing.T) {
	c := LoadContract(t)
	problem := `{"type":"/problems/not-found","title":"Not found.","status":404,"detail":"x","errors":{}}`
	tests := []struct {
		name    string
		method  string
		path    string
		resp    Response
		wantErr string // what the error says; "" for none
	}{
		// The status, media type, schema and header rows pass on
		// kin-openapi's wording; the others are internal/contract's own.
		{"declared 200 with a valid body passes", "GET", "/healthz",
			Response{Status: 200, Header: hdr("Content-Type", "application/json"), Body: []byte(`{"status":"ok"}`)}, ""},
		{"undeclared status fails", "GET", "/healthz",
			Response{Status: 418, Header: hdr("Content-Type", "application/json"), Body: []byte(`{"status":"ok"}`)}, "status 418 is not declared"},
		{"undeclared media type fails", "GET", "/healthz",
			Response{Status: 200, Header: hdr("Content-Type", "text/plain"), Body: []byte(`ok`)}, "Content-Type has unexpected value: \"text/plain\""},
		{"body off schema fails", "GET", "/healthz",
			Response{Status: 200, Header: hdr("Content-Type", "application/json"), Body: []byte(`{"status":"fine"}`)}, "doesn't match schema #/components/schemas/Health"},
		{"missing required header fails", "POST", "/players",
			Response{Status: 201, Header: hdr("Content-Type", "application/json"), Body: []byte(`{"id":1,"first_name":"Ab","last_name":"Cd","gold":0,"created_at":"2026-01-01T00:00:00Z","token":"t"}`)}, "required header Cache-Control is missing"},
		{"error as plain JSON fails", "GET", "/players/1",
			Response{Status: 404, Header: hdr("Content-Type", "application/json"), Body: []byte(problem)}, "Content-Type has unexpected value: \"application/json\""},
		{"unknown route answering 404 problem passes", "GET", "/nowhere",
			Response{Status: 404, Header: hdr("Content-Type", "application/problem+json"), Body: []byte(problem)}, ""},
		{"unknown route answering 200 fails", "GET", "/nowhere",
			Response{Status: 200, Header: hdr("Content-Type", "application/json"), Body: []byte(`{}`)}, "an undeclared route must answer 404, got 200"},
		{"405 without Allow fails", "PUT", "/players",
			Response{Status: 405, Header: hdr("Content-Type", "application/problem+json"), Body: []byte(`{"type":"/problems/method-not-allowed","title":"t","status":405,"detail":"d","errors":{}}`)}, "required header Allow is missing"},
		{"204 with a body fails", "DELETE", "/locations/1",
			Response{Status: 204, Header: hdr("Content-Type", "application/json"), Body: []byte(`{}`)}, "status 204 declares no content"},
		{"204 with a body and no Content-Type fails", "DELETE", "/locations/1",
			Response{Status: 204, Header: hdr(), Body: []byte(`{}`)}, "status 204 declares no content, got \"\" with 2 bytes"},
		{"unknown route answering 500 problem fails", "GET", "/nowhere",
			Response{Status: 500, Header: hdr("Content-Type", "application/problem+json"), Body: []byte(`{"type":"/problems/internal-error","title":"t","status":500,"detail":"d","errors":{}}`)}, "an undeclared route must answer 404, got 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, "http://127.0.0.1"+tt.path, nil)
			err := c.Check(req, &tt.resp)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Check() = %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Check() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}
