package main

import (
	"io"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/api"
)

// TestLogFlushSetting reads --log-flush and NINJAGOLD_LOG_FLUSH: the flag
// wins over the environment, and 0 (each line written at once) stays 0.
// TestLogFlush runs the binary with them; this tells 0 from the default,
// which a line showing up in the log does not.
func TestLogFlushSetting(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  string
		want time.Duration
	}{
		{"default", nil, "", api.DefaultLogFlush},
		{"flag 0", []string{"--log-flush", "0"}, "", 0},
		{"flag", []string{"--log-flush", "250ms"}, "", 250 * time.Millisecond},
		{"environment 0", nil, "0", 0},
		{"environment", nil, "2s", 2 * time.Second},
		{"flag over environment", []string{"--log-flush", "0"}, "2s", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(key string) string {
				if key == "NINJAGOLD_LOG_FLUSH" {
					return tt.env
				}
				return ""
			}
			cfg, err := parseConfig(tt.args, getenv, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.logFlush != tt.want {
				t.Errorf("log flush = %v, want %v", cfg.logFlush, tt.want)
			}
		})
	}
}
