//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tmuxAndBinary returns tmux's path and the command built into a temporary
// directory, for tests that type into a terminal; it skips without tmux
// (fails in CI, which installs it) and marks the test parallel.
func tmuxAndBinary(t *testing.T) (tmuxPath, bin string) {
	t.Helper()
	tmuxPath, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("AWSSESSION_REQUIRE_AWSCLI") == "1" {
			t.Fatal("tmux not found; AWSSESSION_REQUIRE_AWSCLI=1 requires it (apt-get install tmux)")
		}
		t.Skip("tmux not found: apt-get install tmux to run this test")
	}
	t.Parallel()
	bin = filepath.Join(t.TempDir(), "awssession")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return tmuxPath, bin
}

// TestPromptUnderAWSCLIInTmux has the real AWS CLI run awssession as the
// credential_process of a profile whose role needs an MFA code, in a
// terminal (a tmux pane): the question shows on the pane although the AWS
// CLI captures awssession's stderr, the code typed there (not echoed)
// works, and a wrong code ends in a refusal the person can read. Ctrl-C at
// the prompt ends awssession with status 130 and the echo restored.
func TestPromptUnderAWSCLIInTmux(t *testing.T) {
	requireAWSCLI(t)
	tmuxPath, bin := tmuxAndBinary(t)

	f := newFixture(t)
	process := strings.Join(append([]string{bin, "credential-process", "--no-cache", "--mfa-serial", f.mfa.SerialNumber,
		"--role-arn", f.admin.ARN}, f.aliceArgs()...), " ")
	config := filepath.Join(f.dir, "config")
	require.NoError(t, os.WriteFile(config, []byte("[profile p]\ncredential_process = "+process+"\nregion = eu-west-1\n"), 0o600))
	env := append([]string{"TERM=xterm-256color", "LANG=C.UTF-8", "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}, f.env...)
	aws := awsCLI + " sts get-caller-identity --profile p --endpoint-url " + f.srv.URL + " --output text --query Arn"

	t.Run("right code", func(t *testing.T) {
		p := newPane(t, tmuxPath, env, aws)
		p.waitFor(t, regexp.MustCompile(`MFA code for `+regexp.QuoteMeta(f.mfa.SerialNumber)+`: $`))
		code := f.srv.TOTPCode(f.mfa.SerialNumber)
		p.send(t, code, "Enter")
		screen := p.waitFor(t, regexp.MustCompile(`EXIT=\d+`))
		assert.Contains(t, screen, "arn:aws:sts::123456789012:assumed-role/Admin/")
		assert.Contains(t, screen, "EXIT=0")
		assert.NotContains(t, screen, code, "the code is not echoed")
	})
	t.Run("wrong code", func(t *testing.T) {
		p := newPane(t, tmuxPath, env, aws)
		p.waitFor(t, regexp.MustCompile(`MFA code for .*: $`))
		p.send(t, f.wrongCode(), "Enter")
		screen := p.waitFor(t, regexp.MustCompile(`EXIT=\d+`))
		assert.NotContains(t, screen, "EXIT=0")
		assert.Regexp(t, `the MFA code for `+regexp.QuoteMeta(f.mfa.SerialNumber)+` was refused`, strings.Join(strings.Fields(screen), " "))
	})
	t.Run("Ctrl-C", func(t *testing.T) {
		cmd := strings.Join(append([]string{bin, "env", "--no-cache", "--mfa-serial", f.mfa.SerialNumber, "--role-arn", f.admin.ARN}, f.aliceArgs()...), " ")
		before := f.srv.CountRequests("")
		p := newPane(t, tmuxPath, env, cmd+" </dev/null >/dev/null 2>/dev/null")
		p.waitFor(t, regexp.MustCompile(`MFA code for .*: $`))
		p.send(t, "C-c")
		screen := p.waitFor(t, regexp.MustCompile(`(?m)^ECHO=`))
		assert.Contains(t, screen, "EXIT=130")
		assert.Regexp(t, `(?m)^ECHO= echo`, screen, "echo restored")
		assert.Equal(t, before, f.srv.CountRequests(""), "no STS call")
	})
}

// pane is a command running in a tmux pane of its own server.
type pane struct {
	tmux, socket string
	// changed receives when the pane has written something since the last
	// receive (tmux pipe-pane copies its output into a FIFO we read).
	changed chan struct{}
}

// newPane runs command in a new detached tmux session with env, then
// prints its exit status and whether the terminal echoes, and waits.
func newPane(t *testing.T, tmux string, env []string, command string) *pane {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, "run.sh")
	var b strings.Builder
	// Ctrl-C reaches the whole foreground group: the shell survives it
	// to report the command's status.
	b.WriteString("trap : INT\n")
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		b.WriteString("export " + k + "='" + strings.ReplaceAll(v, "'", `'\''`) + "'\n")
	}
	b.WriteString(command + "\necho \"EXIT=$?\"\necho \"ECHO=$(stty -a | grep -o -- ' -\\?echo ' | head -1)\"\nsleep 300\n")
	require.NoError(t, os.WriteFile(script, []byte(b.String()), 0o700))
	p := &pane{tmux: tmux, socket: filepath.Join(dir, "tmux.sock"), changed: make(chan struct{}, 1)}
	p.run(t, "new-session", "-d", "-x", "200", "-y", "50", "/bin/sh "+script)
	t.Cleanup(func() { _ = exec.Command(p.tmux, "-S", p.socket, "kill-server").Run() })
	p.watch(t, filepath.Join(dir, "output"))
	return p
}

// watch has tmux copy everything the pane writes into a FIFO, and signals
// changed on every write: waitFor wakes when the screen may have changed
// instead of polling it on a timer. Output from before the pipe is
// attached is on the screen waitFor reads first.
func (p *pane) watch(t *testing.T, fifo string) {
	t.Helper()
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	// Read-write, so that opening does not wait for tmux's writer.
	r, err := os.OpenFile(fifo, os.O_RDWR, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() }) // ends the reader below
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := r.Read(buf); err != nil {
				return
			}
			select {
			case p.changed <- struct{}{}:
			default: // a wake-up is already pending
			}
		}
	}()
	p.run(t, "pipe-pane", "-t", "0", "-o", "cat > '"+fifo+"'")
}

func (p *pane) run(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, p.tmux, append([]string{"-S", p.socket, "-f", os.DevNull}, args...)...).CombinedOutput()
	require.NoError(t, err, "tmux %s: %s", args[0], out)
	return string(out)
}

func (p *pane) send(t *testing.T, keys ...string) {
	t.Helper()
	p.run(t, append([]string{"send-keys", "-t", "0"}, keys...)...)
}

// waitFor reads the pane's text (trailing blanks trimmed) each time the
// pane writes, until it matches re, for 30 s at most, and returns it.
func (p *pane) waitFor(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		lines := strings.Split(p.run(t, "capture-pane", "-p", "-t", "0"), "\n")
		for i := range lines {
			lines[i] = strings.TrimRight(lines[i], " ")
		}
		screen := strings.TrimRight(strings.Join(lines, "\n"), "\n") + " "
		if re.MatchString(screen) {
			return screen
		}
		select {
		case <-p.changed:
		case <-deadline.C:
			t.Fatalf("pane never matched %s; it shows:\n%s", re, screen)
		}
	}
}
