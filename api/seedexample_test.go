package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// The contract's examples of the location list, JSON and CSV, are what a
// new database lists (timestamps aside; the CSV's line ends included), so
// that a reader of the contract knows the seeded ids and ranges the
// README's game plays with.
func TestSeedIsTheContractsExample(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	s := apitest.NewServer(t, apitest.Options{})

	t.Run("JSON", func(t *testing.T) {
		example, err := json.Marshal(doc.Components.Schemas["LocationList"].Value.Example)
		if err != nil {
			t.Fatal(err)
		}
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"})
		if resp.Status != http.StatusOK {
			t.Fatalf("status %d; body %s", resp.Status, resp.Body)
		}
		if got, want := withoutTimes(t, resp.Body), withoutTimes(t, example); got != want {
			t.Errorf("GET /locations lists\n%s\nthe contract's LocationList example\n%s", got, want)
		}
	})

	t.Run("CSV", func(t *testing.T) {
		media := doc.Paths.Find("/locations").Get.Responses.Status(200).Value.Content["text/csv; charset=utf-8"]
		example, _ := media.Example.(string)
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations", Header: map[string]string{"Accept": "text/csv"}})
		if resp.Status != http.StatusOK {
			t.Fatalf("status %d; body %s", resp.Status, resp.Body)
		}
		got, want := csvWithoutTimes(string(resp.Body)), csvWithoutTimes(example)
		if got != want || want == "" {
			t.Errorf("GET /locations as CSV lists\n%s\nthe contract's example\n%s", got, want)
		}
		// Line ends too: RFC 4180's CRLF, in the bytes sent and in the
		// example a mock server or a reader copies.
		for name, text := range map[string]string{"the response": string(resp.Body), "the example": example} {
			if !strings.HasSuffix(text, "\r\n") || strings.Count(text, "\n") != strings.Count(text, "\r\n") {
				t.Errorf("%s does not end each line in CRLF: %q", name, text)
			}
		}
	})
}

// withoutTimes is a location list's JSON with created_at and updated_at
// taken out of its items, re-encoded in one order.
func withoutTimes(t *testing.T, body []byte) string {
	t.Helper()
	var list map[string]any
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	items, _ := list["items"].([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		delete(m, "created_at")
		delete(m, "updated_at")
	}
	out, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// csvWithoutTimes is CSV rows without their last two columns (the
// timestamps), one per line; the seeded descriptions hold no comma.
func csvWithoutTimes(text string) string {
	var rows []string
	for line := range strings.Lines(strings.ReplaceAll(text, "\r\n", "\n")) {
		cols := strings.Split(strings.TrimSuffix(line, "\n"), ",")
		if len(cols) > 2 {
			rows = append(rows, strings.Join(cols[:len(cols)-2], ","))
		}
	}
	return strings.Join(rows, "\n")
}
