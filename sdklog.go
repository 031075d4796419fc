package awssession

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/smithy-go/logging"
)

// sdkLogger returns a logger for aws.Config.Logger that sends the AWS
// SDK's own lines (its classification Warn, such as a response checksum
// it could not validate, and Debug) to l at slog's warn and debug levels,
// with source=aws-sdk; any other classification goes at info. Without it
// the SDK writes its warnings to stderr itself, past WithLogger's discard
// default and the CLI's --silent. A nil l discards. The message is
// formatted only when l is enabled at its level. It adds nothing that the
// SDK does not log: a ClientLogMode that logs requests or bodies would
// log signed requests, and sessions set none. It is safe for concurrent
// use if l's handler is (slog's are).
func sdkLogger(l *slog.Logger) logging.Logger {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		level := slog.LevelInfo
		switch c {
		case logging.Warn:
			level = slog.LevelWarn
		case logging.Debug:
			level = slog.LevelDebug
		}
		ctx := context.Background()
		if !l.Enabled(ctx, level) {
			return
		}
		l.LogAttrs(ctx, level, fmt.Sprintf(format, v...), slog.String("source", "aws-sdk"))
	})
}
