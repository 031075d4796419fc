package awssession

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// guiTimeout bounds how long a dialog waits for the person.
const guiTimeout = 5 * time.Minute

// GUIToken returns a provider that asks "MFA code for SERIAL:" in a dialog
// with hidden input, shown by tool: "zenity" or "kdialog" (Linux and the BSDs,
// with a display) or "osascript" (macOS), for
// applications without a terminal (an IDE or a GUI running the AWS CLI).
// env is the dialog's environment: its PATH finds the tool, and DISPLAY or
// WAYLAND_DISPLAY say where it shows; nil means this process's. A dialog
// the person cancels is an error matching [context.Canceled], as an
// interrupt is; one left open for five minutes is closed. An unknown tool
// is an error matching [ErrInvalidInput], a tool not in PATH one matching
// [os/exec.ErrNotFound]. The provider is safe for
// concurrent use: dialogs never overlap.
func GUIToken(tool string, env []string) (TokenProvider, error) {
	dialog, ok := dialogs[tool]
	if !ok {
		return nil, invalid(namedAt("GUI prompt"), "unknown tool %q; want zenity, kdialog or osascript", tool)
	}
	if _, err := lookPath(tool, env); err != nil {
		return nil, fmt.Errorf("GUI prompt: %w", err)
	}
	r := codeCommand{env: env, timeout: guiTimeout}
	mu := newCtxMutex()
	return func(ctx context.Context, serialNumber string) (string, error) {
		if err := mu.Lock(ctx); err != nil {
			return "", fmt.Errorf("prompt for MFA code: %w", err)
		}
		defer mu.Unlock()
		code, err := r.run(ctx, dialog("MFA code for "+serialNumber+":"))
		var exit *processError
		if errors.As(err, &exit) && exit.status == 1 {
			// All three exit with 1 when the person cancels.
			return "", fmt.Errorf("%s: MFA prompt cancelled: %w", tool, context.Canceled)
		}
		return code, err
	}, nil
}

// dialogs build each tool's command line for a question. It never
// changes.
var dialogs = map[string]func(text string) []string{
	"zenity": func(text string) []string {
		return []string{"zenity", "--entry", "--hide-text", "--title", "awssession", "--text", text}
	},
	"kdialog": func(text string) []string {
		return []string{"kdialog", "--title", "awssession", "--password", text}
	},
	"osascript": func(text string) []string {
		quoted := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(text) + `"`
		return []string{"osascript", "-e",
			"text returned of (display dialog " + quoted + ` default answer "" with hidden answer with title "awssession")`}
	},
}
