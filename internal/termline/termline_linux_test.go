package termline

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// openPTY returns a new pseudo-terminal: the side a person types into and
// the terminal a program reads.
func openPTY(t *testing.T) (person, terminal *os.File) {
	t.Helper()
	person, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		// CI's terminal tests (tmux) need pseudo-terminals too.
		if os.Getenv("AWSSESSION_REQUIRE_AWSCLI") == "1" {
			t.Fatalf("no pseudo-terminals here (%v); AWSSESSION_REQUIRE_AWSCLI=1 requires them", err)
		}
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { _ = person.Close() })
	require.NoError(t, unix.IoctlSetPointerInt(int(person.Fd()), unix.TIOCSPTLCK, 0))
	n, err := unix.IoctlGetInt(int(person.Fd()), unix.TIOCGPTN)
	require.NoError(t, err)
	terminal, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = terminal.Close() })
	return person, terminal
}

func echoing(t *testing.T, f *os.File) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(f.Fd()), getTermios)
	require.NoError(t, err)
	return tio.Lflag&unix.ECHO != 0
}

// promptWriter records, when the prompt is written, whether the terminal
// echoes at that moment.
type promptWriter struct {
	t        *testing.T
	terminal *os.File
	echoed   []bool
	prompted chan struct{} // closed at the first write, if not nil
	text     bytes.Buffer
}

func (w *promptWriter) Write(p []byte) (int, error) {
	w.echoed = append(w.echoed, echoing(w.t, w.terminal))
	if w.prompted != nil && len(w.echoed) == 1 {
		close(w.prompted)
	}
	return w.text.Write(p)
}

// Echo is off before the prompt shows (a fast typist's first keys are not
// echoed), and on again after the line; Hidden and Read alike.
func TestEchoIsOffBeforeThePrompt(t *testing.T) {
	for name, read := range map[string]func(context.Context, *os.File, *promptWriter) (string, error){
		"Read": func(ctx context.Context, in *os.File, out *promptWriter) (string, error) {
			return Read(ctx, in, out, "MFA code: ", nil)
		},
		"Hidden": func(ctx context.Context, in *os.File, out *promptWriter) (string, error) {
			return Hidden(ctx, in, out, "Secret access key: ")
		},
	} {
		t.Run(name, func(t *testing.T) {
			person, terminal := openPTY(t)
			require.True(t, echoing(t, terminal))
			_, err := person.WriteString("123456\n") // typed as fast as it gets: before the prompt
			require.NoError(t, err)
			out := &promptWriter{t: t, terminal: terminal}
			line, err := read(context.Background(), terminal, out)
			require.NoError(t, err)
			assert.Equal(t, "123456", line)
			assert.Equal(t, []bool{false, true}, out.echoed, "the prompt with echo off; the newline not echoed, once restored")
			assert.True(t, echoing(t, terminal), "restored")
		})
	}
}

// A secret is never read visibly: Hidden refuses a pipe before prompting;
// Read takes a visible line from it.
func TestHiddenRefusesAPipe(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	_, _ = w.WriteString("visible\n")
	_ = w.Close()
	var out bytes.Buffer
	_, err = Hidden(context.Background(), r, &out, "Secret access key: ")
	require.ErrorIs(t, err, ErrNoTerminal)
	assert.Empty(t, out.String(), "no prompt")
	line, err := Read(context.Background(), r, &out, "MFA code: ", nil)
	require.NoError(t, err)
	assert.Equal(t, "visible", line)
}

// A cancelled prompt restores echo at once.
func TestCancelRestoresEcho(t *testing.T) {
	person, terminal := openPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	out := &promptWriter{t: t, terminal: terminal, prompted: make(chan struct{})}
	ended := make(chan struct{})
	go func() {
		<-out.prompted // echo is off by then
		cancel()
	}()
	_, err := Read(ctx, terminal, out, "MFA code: ", func() { close(ended) })
	require.ErrorIs(t, err, context.Canceled)
	assert.True(t, echoing(t, terminal))
	_, _ = person.WriteString("\n") // the abandoned read ends with the next line
	<-ended
}
