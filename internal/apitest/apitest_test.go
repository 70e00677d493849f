package apitest

import (
	"net/http"
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
		wantErr bool
	}{
		{"declared 200 with a valid body passes", "GET", "/healthz",
			Response{200, hdr("Content-Type", "application/json"), []byte(`{"status":"ok"}`)}, false},
		{"undeclared status fails", "GET", "/healthz",
			Response{418, hdr("Content-Type", "application/json"), []byte(`{"status":"ok"}`)}, true},
		{"undeclared media type fails", "GET", "/healthz",
			Response{200, hdr("Content-Type", "text/plain"), []byte(`ok`)}, true},
		{"body off schema fails", "GET", "/healthz",
			Response{200, hdr("Content-Type", "application/json"), []byte(`{"status":"fine"}`)}, true},
		{"missing required header fails", "POST", "/players",
			Response{201, hdr("Content-Type", "application/json"), []byte(`{"id":1,"first_name":"Ab","last_name":"Cd","gold":0,"created_at":"2026-01-01T00:00:00Z","token":"t"}`)}, true},
		{"error as plain JSON fails", "GET", "/players/1",
			Response{404, hdr("Content-Type", "application/json"), []byte(problem)}, true},
		{"unknown route answering 404 problem passes", "GET", "/nowhere",
			Response{404, hdr("Content-Type", "application/problem+json"), []byte(problem)}, false},
		{"unknown route answering 200 fails", "GET", "/nowhere",
			Response{200, hdr("Content-Type", "application/json"), []byte(`{}`)}, true},
		{"405 without Allow fails", "PUT", "/players",
			Response{405, hdr("Content-Type", "application/problem+json"), []byte(`{"type":"/problems/method-not-allowed","title":"t","status":405,"detail":"d","errors":{}}`)}, true},
		{"204 with a body fails", "DELETE", "/locations/1",
			Response{204, hdr("Content-Type", "application/json"), []byte(`{}`)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, "http://127.0.0.1"+tt.path, nil)
			err := c.Check(req, &tt.resp)
			if (err != nil) != tt.wantErr {
				t.Errorf("Check() error = %v, wantErr %v", err, tt.wantErr)
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
