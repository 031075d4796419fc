// Package codecmd runs a program that prints one short secret on its
// stdout (an MFA code from an MFA process or a dialog) as no shell would
// let a stray child hold it up: in a process group of its own, reading
// only the first line, killing the whole group when it is done or late.
// Files: codecmd.go (running it), stderr.go (its stderr, and a display
// that failed), lookpath.go (finding it in a given PATH), split.go (the
// one word splitter for the command lines awssession runs without a
// shell: MFA processes, BROWSER).
package codecmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/awssession/awssession/internal/stsrules"
)

// Command runs a program that prints an MFA code: an MFA process or a
// dialog.
type Command struct {
	Env     []string // nil: this process's
	Timeout time.Duration
	Stderr  io.Writer // nil: os.Stderr
}

// maxCodeOutput bounds what is read of a command's stdout before its
// code: a code and a newline, with room for blank lines.
const maxCodeOutput = 4096

// codeGrace is how long run waits, once the command printed its code, for
// it to exit, and once it exited, for the code still in the pipe: a child
// it left behind may hold the pipe open for ever.
const codeGrace = time.Second

// Run runs argv in a process group of its own and returns the code it
// printed: the first line of its stdout that is not blank. It does not
// wait for the end of stdout (a child the command started may hold it
// open): once the command printed its code and exited (or was given
// codeGrace to exit), whatever it left in its process group is killed, as
// is the whole group when the command runs past its timeout or ctx is
// done. A command that cannot open its display (a dialog without X) is an
// error of its own, not an exit status.
func (r Command) Run(ctx context.Context, argv []string) (string, error) {
	name := filepath.Base(argv[0])
	path, err := LookPath(argv[0], r.Env)
	if err != nil {
		return "", fmt.Errorf("MFA process %s: %w", name, err)
	}
	runCtx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	p, err := r.start(path, argv)
	if err != nil {
		return "", fmt.Errorf("MFA process %s: %w", name, err)
	}
	defer p.stop()

	var line lineResult
	var waitErr error
	select {
	case line = <-p.line:
		select { // the code is in: the command has a moment to exit
		case waitErr = <-p.exited:
		case <-time.After(codeGrace):
			p.kill()
			<-p.exited
			waitErr = nil // its status is the kill's: what it printed decides
		case <-runCtx.Done():
		}
	case waitErr = <-p.exited:
		select { // it exited: its output is in the pipe, unless a child holds it
		case line = <-p.line:
		case <-time.After(codeGrace):
			p.kill() // a child of its group held the pipe
			select {
			case line = <-p.line:
			case <-time.After(codeGrace):
				line = lineResult{err: errors.New("stdout held open")} // by one that left the group
			}
		case <-runCtx.Done():
		}
	case <-runCtx.Done():
	}
	p.kill() // it exited, or no longer counts: what is left of its group goes
	if runCtx.Err() != nil {
		switch {
		case ctx.Err() != nil:
			return "", fmt.Errorf("MFA process %s: %w", name, ctx.Err())
		default:
			return "", fmt.Errorf("MFA process %s: no code after %s: %w", name, r.Timeout, runCtx.Err())
		}
	}
	if p.displayFailed() {
		return "", fmt.Errorf("%s could not open the display (DISPLAY, WAYLAND_DISPLAY)", name)
	}
	var exit *exec.ExitError
	switch {
	case errors.As(waitErr, &exit):
		return "", &ExitError{Name: name, Status: exit.ExitCode()}
	case waitErr != nil:
		return "", fmt.Errorf("MFA process %s: %w", name, waitErr)
	}
	code := strings.TrimSpace(line.text)
	if stsrules.TokenCode.Check(code) != nil {
		return "", fmt.Errorf("MFA process %s printed no six-digit code (%d bytes on its first line; the code must be alone)", name, len(line.text))
	}
	return code, nil
}

// running is a started code command.
type running struct {
	cmd    *exec.Cmd
	line   chan lineResult // its first non-blank line of stdout
	exited chan error      // Wait's result
	stderr *stderrWatch
	pipes  []*os.File // our ends, closed by stop
}

type lineResult struct {
	text string
	err  error // no line: EOF, or too much output
}

// start starts argv with its own pipes: Wait returns when the command
// exits, whoever else holds them.
func (r Command) start(path string, argv []string) (*running, error) {
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		_ = outR.Close()
		_ = outW.Close()
		return nil, err
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Env = r.Env
	cmd.Stdout, cmd.Stderr = outW, errW
	cmd.SysProcAttr = ownProcessGroup()
	err = cmd.Start()
	_ = outW.Close()
	_ = errW.Close()
	if err != nil {
		_ = outR.Close()
		_ = errR.Close()
		return nil, err
	}
	dst := r.Stderr
	if dst == nil {
		dst = os.Stderr
	}
	p := &running{cmd: cmd, line: make(chan lineResult, 1), exited: make(chan error, 1),
		stderr: watchStderr(errR, dst), pipes: []*os.File{outR, errR}}
	go func() { p.line <- firstLine(outR) }()
	go func() { p.exited <- cmd.Wait() }()
	return p, nil
}

// kill kills the command and its process group.
func (p *running) kill() {
	killProcessGroup(p.cmd.Process)
	_ = p.cmd.Process.Kill()
}

// stop kills what the command left in its group and closes our ends of
// its pipes.
func (p *running) stop() {
	p.kill()
	p.stderr.wait(codeGrace)
	for _, f := range p.pipes {
		_ = f.Close()
	}
}

// displayFailed reports a dialog that could not open its display, from
// what it printed on stderr before it exited.
func (p *running) displayFailed() bool {
	p.stderr.wait(codeGrace)
	return p.stderr.displayFailed()
}

// firstLine reads up to the first line of r that is not blank.
func firstLine(r io.Reader) lineResult {
	br := bufio.NewReader(io.LimitReader(r, maxCodeOutput))
	for {
		s, err := br.ReadString('\n')
		if strings.TrimSpace(s) != "" {
			return lineResult{text: s}
		}
		if err != nil {
			return lineResult{err: err}
		}
	}
}

// ExitError is an MFA process that exited with a non-zero status (a
// dialog: cancelled).
type ExitError struct {
	Name   string
	Status int
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("MFA process %s exited with status %d", e.Name, e.Status)
}
