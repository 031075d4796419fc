package awssession

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/aws/smithy-go/logging"
	"github.com/stretchr/testify/assert"
)

// countingStringer counts how often it is formatted.
type countingStringer struct{ n int }

func (c *countingStringer) String() string { c.n++; return "value" }

func TestSDKLogger(t *testing.T) {
	tests := []struct {
		name  string
		level slog.Level
		class logging.Classification
		want  string // "" means nothing logged
	}{
		{"warn at warn", slog.LevelWarn, logging.Warn, "level=WARN msg=\"checksum value\" source=aws-sdk\n"},
		{"debug at debug", slog.LevelDebug, logging.Debug, "level=DEBUG msg=\"checksum value\" source=aws-sdk\n"},
		{"other at info", slog.LevelInfo, "TRACE", "level=INFO msg=\"checksum value\" source=aws-sdk\n"},
		{"debug at warn", slog.LevelWarn, logging.Debug, ""},
		{"warn at error", slog.LevelError, logging.Warn, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tt.level, ReplaceAttr: dropTime})
			arg := &countingStringer{}
			sdkLogger(slog.New(h)).Logf(tt.class, "checksum %s", arg)
			assert.Equal(t, tt.want, buf.String())
			if tt.want == "" {
				assert.Zero(t, arg.n, "a line nobody logs is not formatted")
			}
		})
	}
}

// A discarding logger (WithLogger's default, the CLI's --silent) and a nil
// one log nothing and do not format.
func TestSDKLoggerDiscards(t *testing.T) {
	for _, l := range []*slog.Logger{slog.New(slog.DiscardHandler), nil} {
		arg := &countingStringer{}
		sdkLogger(l).Logf(logging.Warn, "checksum %s", arg)
		assert.Zero(t, arg.n)
	}
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
